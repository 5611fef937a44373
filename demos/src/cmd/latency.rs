//! `demo latency`: seed 002, "for network-bound tasks prioritizing
//! latency, opt for Async IO". Three servers (`demo serve` child
//! processes, each request waiting `--io` on the server, I/O its handler
//! awaits): the event loop, the event loop with `--offload`, and thread
//! per connection. The closed-loop load of `demo load` (C connections) is
//! measured on each for its p50, p99 and p99.9:
//!
//! 1. I/O only, on the loop and on threads;
//! 2. then with one CPU-heavy request in the mix: one more connection
//!    sends `GET /cpu?iters=N` (`--cpu` of CPU time, calibrated on this
//!    machine) every `--every`. On the loop it runs in its task and holds
//!    the loop: every request behind it waits (head-of-line blocking). On
//!    threads the kernel preempts it like any thread;
//! 3. and on the loop with the CPU part on `spawn_blocking` (`--offload`:
//!    a pool of one thread per core).
//!
//! The five runs take turns, repeated (`support/measure.rs`); each
//! percentile is the median over the runs. The honest result may favour
//! threads: with a CPU-heavy request inline, it does, and the verdicts
//! say so.

use std::cell::RefCell;
use std::time::Duration;

use clap::Args as ClapArgs;

use crate::support::claims;
use crate::support::cli::{Common, Model, positive_duration, positive_usize};
use crate::support::json::{self, Object};
use crate::support::measure::{self, Spread};
use crate::support::progress;
use crate::support::report::{Report, Series};
use crate::support::server::{self, Server};
use crate::support::verdict::{self, Outcome, Verdict};
use crate::workloads::cpu::steps_for;
use crate::workloads::http_load::{self, Load, percentile};

/// Arguments of `demo latency`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Connections of the closed loop [default: 20; quick: 10].
    #[arg(long, value_parser = positive_usize)]
    connections: Option<usize>,
    /// How long each run loads its server [default: 2s; quick: 500ms].
    #[arg(long, value_parser = positive_duration)]
    duration: Option<Duration>,
    /// The server's I/O wait per request [default: 2ms].
    #[arg(long, value_parser = positive_duration)]
    io: Option<Duration>,
    /// CPU time of the CPU-heavy request [default: 20ms].
    #[arg(long, value_parser = positive_duration)]
    cpu: Option<Duration>,
    /// How often the CPU-heavy request is sent [default: 100ms].
    #[arg(long, value_parser = positive_duration)]
    every: Option<Duration>,
    /// Timed runs of each configuration after a warm-up [default: 3;
    /// quick: 1].
    #[arg(long, value_parser = positive_usize)]
    repetitions: Option<usize>,
}

/// The configurations, in the order they are printed.
const CONFIGS: [(&str, Model, bool, bool); 5] = [
    ("loop, I/O only", Model::Loop, false, false),
    ("threads, I/O only", Model::Threads, false, false),
    ("loop, CPU request inline", Model::Loop, true, false),
    ("threads, CPU request", Model::Threads, true, false),
    (
        "loop, CPU request on spawn_blocking",
        Model::Loop,
        true,
        true,
    ),
];

/// One configuration's percentiles over the runs (ms), and its CPU
/// requests' median latency and its throughput.
#[derive(Default)]
struct Row {
    p50: Vec<f64>,
    p99: Vec<f64>,
    p999: Vec<f64>,
    cpu_p50: Vec<f64>,
    rate: Vec<f64>,
}

/// The medians of a row.
struct Summary {
    p50: Spread,
    p99: Spread,
    p999: Spread,
    cpu_p50: Option<Spread>,
    rate: Spread,
}

/// Runs the demo.
pub fn run(args: &Args) -> Outcome {
    let c = &args.common;
    let connections = c.pick(args.connections, 20, 10);
    let duration = c.pick(
        args.duration,
        Duration::from_secs(2),
        Duration::from_millis(500),
    );
    let io = args.io.unwrap_or(Duration::from_millis(2));
    let cpu = args.cpu.unwrap_or(Duration::from_millis(20));
    let every = args.every.unwrap_or(Duration::from_millis(100));
    let repetitions = c.pick(args.repetitions, 3, 1);
    progress::note("latency", "calibrating the CPU-heavy request...");
    let iters = steps_for(cpu);
    let configs: Vec<usize> = (0..CONFIGS.len())
        .filter(|&i| c.model == Model::Both || CONFIGS[i].1 == c.model)
        .collect();
    let servers = match start_servers(c.model, connections, io) {
        Ok(s) => s,
        Err(e) => return verdict::failed("latency", &e),
    };
    let rows: Vec<RefCell<Row>> = CONFIGS.iter().map(|_| RefCell::default()).collect();
    let total = configs.len() * (repetitions + 1);
    let done = RefCell::new(0usize);
    let side = Some((format!("/cpu?iters={iters}"), every));
    let sides: Vec<measure::Side> = configs
        .iter()
        .map(|&i| {
            let (name, model, with_cpu, offload) = CONFIGS[i];
            let addr = servers.addr(model, offload);
            let (rows, done, side) = (&rows, &done, side.clone());
            Box::new(move || {
                *done.borrow_mut() += 1;
                progress::step("latency", *done.borrow(), total, name);
                let load = Load {
                    side: if with_cpu { side.clone() } else { None },
                    ..Load::plain(connections, duration)
                };
                let m = http_load::measure(&addr, &load)?;
                if m.errors > 0 || m.latencies_us.is_empty() {
                    return Err(format!(
                        "{name}: {} errors, {} requests answered; first error: {}",
                        m.errors,
                        m.latencies_us.len(),
                        m.first_error.unwrap_or_default()
                    ));
                }
                let ms = |v: &[u64], p| percentile(v, p) as f64 / 1e3;
                let mut r = rows[i].borrow_mut();
                r.p50.push(ms(&m.latencies_us, 50.0));
                r.p99.push(ms(&m.latencies_us, 99.0));
                r.p999.push(ms(&m.latencies_us, 99.9));
                if !m.side_latencies_us.is_empty() {
                    r.cpu_p50.push(ms(&m.side_latencies_us, 50.0));
                }
                r.rate.push(m.throughput());
                Ok(ms(&m.latencies_us, 99.0))
            }) as measure::Side
        })
        .collect();
    if let Err(e) = measure::interleaved_boxed(repetitions, sides) {
        return verdict::failed("latency", &e);
    }
    drop(servers);
    // The warm-up run is the first of each row: left out.
    let summaries: Vec<Option<Summary>> = rows
        .into_iter()
        .map(|r| {
            let r = r.into_inner();
            let timed = |v: &[f64]| Spread::of(v.get(1..).unwrap_or_default());
            Some(Summary {
                p50: timed(&r.p50)?,
                p99: timed(&r.p99)?,
                p999: timed(&r.p999)?,
                cpu_p50: timed(&r.cpu_p50),
                rate: timed(&r.rate)?,
            })
        })
        .collect();
    let io_ms = io.as_secs_f64() * 1e3;
    let verdicts = verdicts_of(&summaries, io_ms);
    let notes = notes(io);
    let params = Params {
        connections,
        duration,
        io,
        cpu,
        every,
        iters,
        repetitions,
    };
    if c.json {
        print_json(&params, &summaries, &verdicts, &notes);
    } else {
        print_text(&params, &summaries, &verdicts, &notes);
    }
    Outcome::Ran(verdicts)
}

/// What a reader needs to weigh the numbers: how the I/O wait is made on
/// each model, and (on a busy machine) how the kernel shares the CPU.
fn notes(io: Duration) -> Vec<String> {
    let mut out = vec![format!(
        "the server's I/O wait is a timer: on the loop the timer wheel's, whose 1 ms ticks round a deadline up \
         (a {io:?} wait takes {io:?} to {:?}); on threads nanosleep(2), precise to tens of microseconds: \
         part of the loop's p50 is that rounding",
        io + Duration::from_millis(1)
    )];
    let cores = measure::cores();
    if let Some(load) = measure::load_average()
        && load > cores as f64
    {
        out.push(format!(
            "the machine was busy (load average {load:.1} on {cores} cores): the kernel shares CPU time per thread, \
             so a server of one thread per connection gets a larger share against the other processes than one loop thread"
        ));
    }
    out
}

/// The servers: loop, loop with `--offload`, threads (those `--model`
/// asks for), each killed when this drops.
struct Servers {
    plain: Option<Server>,
    offload: Option<Server>,
    threads: Option<Server>,
}

impl Servers {
    fn addr(&self, model: Model, offload: bool) -> String {
        let s = match (model, offload) {
            (Model::Threads, _) => &self.threads,
            (_, true) => &self.offload,
            _ => &self.plain,
        };
        s.as_ref().map_or(String::new(), |s| s.addr.to_string())
    }
}

fn start_servers(model: Model, connections: usize, io: Duration) -> Result<Servers, String> {
    let io_arg = vec!["--latency".to_string(), format!("{}us", io.as_micros())];
    let cap = connections + 16;
    let start = |m: &str, offload: bool| {
        let mut extra = io_arg.clone();
        if offload {
            extra.push("--offload".into());
        }
        progress::note(
            "latency",
            &format!(
                "starting the {m} server{}...",
                if offload { " with --offload" } else { "" }
            ),
        );
        server::start(m, cap, &extra, &format!("{m} server"))
    };
    Ok(Servers {
        plain: model.has_loop().then(|| start("loop", false)).transpose()?,
        offload: model.has_loop().then(|| start("loop", true)).transpose()?,
        threads: model
            .has_threads()
            .then(|| start("threads", false))
            .transpose()?,
    })
}

fn verdicts_of(s: &[Option<Summary>], io_ms: f64) -> Vec<Verdict> {
    let p = |i: usize| s[i].as_ref().map(|x| (&x.p50, &x.p99));
    let mut out = Vec::new();
    for (part, l, t) in [("I/O-only handlers", 0, 1), (claims::CPU_MIX, 2, 3)] {
        out.push(match (p(l), p(t)) {
            (Some(l), Some(t)) => claims::loop_latency_better(part, l, t, io_ms),
            _ => claims::needs_both(&format!("{} ({part})", claims::LATENCY_CLAIM)),
        });
    }
    if let (Some((_, inline99)), Some(off)) = (p(2), p(4)) {
        out.push(claims::offload_restores(inline99, off, io_ms));
    }
    out
}

struct Params {
    connections: usize,
    duration: Duration,
    io: Duration,
    cpu: Duration,
    every: Duration,
    iters: u64,
    repetitions: usize,
}

fn print_text(p: &Params, s: &[Option<Summary>], verdicts: &[Verdict], notes: &[String]) {
    println!(
        "seed 002: {} connections, one request in flight each, every request waiting {:?} on the server (I/O it awaits); \
         the CPU-heavy request: /cpu?iters={} (about {:?} of CPU, calibrated here at the start) every {:?} on one more connection",
        p.connections, p.io, p.iters, p.cpu, p.every
    );
    println!(
        "each configuration: 1 warm-up run, then {} runs of {:?} taking turns; medians over the runs; {}",
        p.repetitions,
        p.duration,
        measure::load_text(measure::cores())
    );
    println!(
        "  {:<38} {:>9} {:>9} {:>9} {:>12} {:>9}",
        "server", "p50 ms", "p99 ms", "p99.9 ms", "CPU req. ms", "req/s"
    );
    for ((name, ..), row) in CONFIGS.iter().zip(s) {
        if let Some(r) = row {
            println!(
                "  {name:<38} {:>9.2} {:>9.2} {:>9.2} {:>12} {:>9.0}",
                r.p50.median,
                r.p99.median,
                r.p999.median,
                r.cpu_p50
                    .as_ref()
                    .map_or("-".into(), |c| format!("{:.1}", c.median)),
                r.rate.median
            );
        }
    }
    println!(
        "  (percentiles of the I/O requests; CPU req.: the CPU-heavy request's own median latency)"
    );
    for n in notes {
        println!("  note: {n}");
    }
    for v in verdicts {
        v.print();
    }
}

fn print_json(p: &Params, s: &[Option<Summary>], verdicts: &[Verdict], notes: &[String]) {
    let mut series = Vec::new();
    for (label, f) in [
        ("p50", (|r: &Summary| &r.p50) as fn(&Summary) -> &Spread),
        ("p99", |r| &r.p99),
        ("p99.9", |r| &r.p999),
    ] {
        let mut bars = Series::new("latency of the I/O requests", label, "server", "ms");
        for ((name, ..), row) in CONFIGS.iter().zip(s) {
            if let Some(r) = row {
                bars = bars.spread(*name, Some(f(r)));
            }
        }
        series.push(bars);
    }
    let rows = json::array(CONFIGS.iter().zip(s).filter_map(
        |((name, model, cpu, offload), row)| {
            let r = row.as_ref()?;
            Some(
                Object::new()
                    .str("config", name)
                    .str("model", model.flag())
                    .bool("cpu_request", *cpu)
                    .bool("offload", *offload)
                    .value("p50_ms", r.p50.json())
                    .value("p99_ms", r.p99.json())
                    .value("p99_9_ms", r.p999.json())
                    .value("cpu_request_p50_ms", r.cpu_p50.as_ref().map(Spread::json))
                    .value("requests_per_s", r.rate.json()),
            )
        },
    ));
    let params = Object::new()
        .int("connections", p.connections as u64)
        .num("duration_ms", p.duration.as_secs_f64() * 1e3)
        .num("io_ms", p.io.as_secs_f64() * 1e3)
        .num("cpu_ms", p.cpu.as_secs_f64() * 1e3)
        .num("every_ms", p.every.as_secs_f64() * 1e3)
        .int("cpu_iters", p.iters)
        .int("repetitions", p.repetitions as u64);
    let out = Report::new(
        "latency",
        &["002"],
        "Async is better for latency-sensitive work? p50/p99/p99.9 of the loop and thread servers, I/O only and with a CPU-heavy request",
        params,
    )
    .with("configs", rows)
    .finish(&series, verdicts, notes);
    println!("{out}");
}
