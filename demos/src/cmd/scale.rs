//! `demo scale`: seeds 000/001, "for CPU-bound work use multiprocessing"
//! (processes, or more event loops). A server whose requests are
//! CPU-bound (`GET /cpu?iters=N`, about `--cpu` each, calibrated here) is
//! loaded by `demo load`'s closed loop, three ways: `demo serve --workers
//! 1` (one event loop), `--workers 2` (two loops, each on its own thread
//! with its own listener on the port: `SO_REUSEPORT`, as nginx and
//! thread-per-core runtimes scale a single-threaded loop), and the
//! thread-per-connection server. Throughput (requests per second) of each;
//! the runs take turns, and the ratios over one loop are taken per turn.
//!
//! The load generator runs in this process and needs CPU too: on a 2-core
//! machine it shares the cores with the server, so a second loop can
//! approach 2x only while the client's share is small (hence CPU-heavy
//! requests). Each server's CPU time (`/proc/<pid>/stat`) over the run
//! says how many cores it kept busy: on a machine shared with other work
//! one loop may get less than a core, which bounds what is possible (the
//! verdicts' measurement-error bounds use it). Scaling past one machine is not this project's job: a load
//! balancer in front of several hosts is (HAProxy, nginx, a cloud load
//! balancer, DNS), each host running a server like these.

use std::cell::RefCell;
use std::time::Duration;

use clap::Args as ClapArgs;

use crate::support::claims;
use crate::support::cli::{Common, Model, positive_duration, positive_usize};
use crate::support::json::{self, Object};
use crate::support::measure::{self, Spread};
use crate::support::proc_self::cpu_time_of;
use crate::support::progress;
use crate::support::report::{Report, Series};
use crate::support::server::{self, Server};
use crate::support::verdict::{self, Outcome, Verdict};
use crate::workloads::cpu::steps_for;
use crate::workloads::http_load::{self, Load};

/// Arguments of `demo scale`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Connections of the closed loop [default: 16; quick: 8].
    #[arg(long, value_parser = positive_usize)]
    connections: Option<usize>,
    /// How long each run loads its server [default: 2s; quick: 500ms].
    #[arg(long, value_parser = positive_duration)]
    duration: Option<Duration>,
    /// CPU time of each request on the server [default: 1ms].
    #[arg(long, value_parser = positive_duration)]
    cpu: Option<Duration>,
    /// Timed runs of each server after a warm-up [default: 3; quick: 1].
    #[arg(long, value_parser = positive_usize)]
    repetitions: Option<usize>,
}

/// The servers: label, model, event loops.
const SERVERS: [(&str, Model, usize); 3] = [
    ("1 event loop", Model::Loop, 1),
    ("2 event loops (SO_REUSEPORT)", Model::Loop, 2),
    ("threads (one per connection)", Model::Threads, 1),
];

/// The claims.
const LOOPS_CLAIM: &str = "for CPU-bound work, scale an event loop out (more loops, one per core, like processes) rather than up: 2 loops serve more than 1";
const THREADS_CLAIM: &str = "threads serve CPU-bound requests in parallel too (Rust threads have no GIL; CPython's would not)";

/// Where to go past one machine (printed, and in the JSON's notes).
const BEYOND: &str = "past one machine: a load balancer in front of several hosts (HAProxy, nginx, a cloud load balancer, DNS); not this project's job";

/// Runs the demo.
pub fn run(args: &Args) -> Outcome {
    let c = &args.common;
    let connections = c.pick(args.connections, 16, 8);
    let duration = c.pick(
        args.duration,
        Duration::from_secs(2),
        Duration::from_millis(500),
    );
    let cpu = args.cpu.unwrap_or(Duration::from_millis(1));
    let repetitions = c.pick(args.repetitions, 3, 1);
    progress::note("scale", "calibrating the CPU-bound request...");
    let iters = steps_for(cpu);
    let chosen: Vec<usize> = (0..SERVERS.len())
        .filter(|&i| c.model == Model::Both || SERVERS[i].1 == c.model)
        .collect();
    let mut servers: Vec<Option<Server>> = (0..SERVERS.len()).map(|_| None).collect();
    for &i in &chosen {
        let (label, model, loops) = SERVERS[i];
        progress::note("scale", &format!("starting the server: {label}..."));
        let extra = if model == Model::Loop {
            vec!["--workers".to_string(), loops.to_string()]
        } else {
            Vec::new()
        };
        match server::start(model.flag(), connections + 16, &extra, label) {
            Ok(s) => servers[i] = Some(s),
            Err(e) => return verdict::failed("scale", &e),
        }
    }
    let load = Load {
        path: format!("/cpu?iters={iters}"),
        ..Load::plain(connections, duration)
    };
    let total = chosen.len() * (repetitions + 1);
    let done = RefCell::new(0usize);
    // Cores each server kept busy in each run (the warm-up first).
    let busy: Vec<RefCell<Vec<f64>>> = SERVERS.iter().map(|_| RefCell::default()).collect();
    let sides: Vec<measure::Side> = chosen
        .iter()
        .map(|&i| {
            let addr = servers[i]
                .as_ref()
                .map_or(String::new(), |s| s.addr.to_string());
            let pid = servers[i].as_ref().map_or(0, |s| s.child.id());
            let (load, done, busy) = (&load, &done, &busy);
            Box::new(move || {
                *done.borrow_mut() += 1;
                progress::step("scale", *done.borrow(), total, SERVERS[i].0);
                let unread = || format!("cannot read /proc/{pid}/stat of the server");
                let before = cpu_time_of(pid).ok_or_else(unread)?;
                let m = http_load::measure(&addr, load)?;
                let after = cpu_time_of(pid).ok_or_else(unread)?;
                busy[i].borrow_mut().push(
                    after.saturating_sub(before).as_secs_f64() / m.took.as_secs_f64().max(1e-9),
                );
                if m.errors > 0 {
                    return Err(format!(
                        "{}: {} errors; first: {}",
                        SERVERS[i].0,
                        m.errors,
                        m.first_error.unwrap_or_default()
                    ));
                }
                Ok(m.throughput())
            }) as measure::Side
        })
        .collect();
    let values = match measure::interleaved_boxed(repetitions, sides) {
        Ok(v) => v,
        Err(e) => return verdict::failed("scale", &e),
    };
    drop(servers);
    let mut rates: Vec<Option<Vec<f64>>> = vec![None; SERVERS.len()];
    for (&i, v) in chosen.iter().zip(values) {
        rates[i] = Some(v);
    }
    let cores = measure::cores();
    let ratio = |i: usize| -> Option<Spread> {
        Spread::of(&measure::ratios(rates[i].as_ref()?, rates[0].as_ref()?))
    };
    let busy: Vec<Option<Spread>> = busy
        .into_iter()
        .map(|b| Spread::of(b.into_inner().get(1..).unwrap_or_default()))
        .collect();
    // Every run read its server's CPU time (or the demo failed above).
    let used = |i: usize| {
        let one = busy[0].as_ref().map_or(f64::NAN, |s| s.median);
        (one, busy[i].as_ref().map_or(f64::NAN, |s| s.max))
    };
    let mut verdicts = Vec::new();
    if let Some(r) = ratio(1) {
        verdicts.push(claims::throughput_scales(
            LOOPS_CLAIM,
            &r,
            2,
            cores,
            used(1),
        ));
    }
    verdicts.push(match ratio(2) {
        Some(r) => claims::throughput_scales(THREADS_CLAIM, &r, connections, cores, used(2)),
        None => claims::needs_both(THREADS_CLAIM),
    });
    let spreads: Vec<Option<Spread>> = rates.iter().map(|r| Spread::of(r.as_deref()?)).collect();
    let mut notes = vec![BEYOND.to_string()];
    if let Some(load) = measure::load_average()
        && load > cores as f64
    {
        notes.push(format!(
            "the machine was busy (load average {load:.1} on {cores} cores): a second loop, or more threads, \
             can only serve more with a core that would otherwise sit idle"
        ));
    }
    let p = (connections, duration, cpu, iters, repetitions);
    if c.json {
        print_json(p, (&spreads, &busy), &verdicts, &notes);
    } else {
        print_text(p, (&spreads, &busy), &verdicts, &notes);
    }
    Outcome::Ran(verdicts)
}

type Params = (usize, Duration, Duration, u64, usize);

/// Each server's requests per second and cores kept busy.
type Rows<'a> = (&'a [Option<Spread>], &'a [Option<Spread>]);

fn print_text(
    (connections, duration, cpu, iters, repetitions): Params,
    (rates, busy): Rows,
    verdicts: &[Verdict],
    notes: &[String],
) {
    println!(
        "seeds 000/001: {connections} connections, each request CPU-bound on the server (/cpu?iters={iters}, about {cpu:?} here); \
         1 warm-up run, then {repetitions} runs of {duration:?} per server taking turns; median (range); {}",
        measure::load_text(measure::cores())
    );
    for (((label, ..), r), b) in SERVERS.iter().zip(rates).zip(busy) {
        if let Some(r) = r {
            println!(
                "  {label:<32} {}, {} cores kept busy",
                r.text(0, " requests/s"),
                b.as_ref()
                    .map_or("?".into(), |b| format!("{:.2}", b.median))
            );
        }
    }
    println!("  (the load generator shares this machine's cores with the server)");
    for n in notes {
        println!("  {n}");
    }
    for v in verdicts {
        v.print();
    }
}

fn print_json(
    (connections, duration, cpu, iters, repetitions): Params,
    (rates, busy): Rows,
    verdicts: &[Verdict],
    notes: &[String],
) {
    let bars = SERVERS.iter().zip(rates).fold(
        Series::new("throughput", "requests/s", "server", "requests per second"),
        |s, ((label, ..), r)| s.spread(*label, r.as_ref()),
    );
    let servers = json::array(SERVERS.iter().zip(rates).zip(busy).map(
        |(((label, model, loops), r), b)| {
            Object::new()
                .str("server", label)
                .str("model", model.flag())
                .int("event_loops", *loops as u64)
                .value("requests_per_s", r.as_ref().map(Spread::json))
                .value("cores_busy", b.as_ref().map(Spread::json))
        },
    ));
    let params = Object::new()
        .int("connections", connections as u64)
        .num("duration_ms", duration.as_secs_f64() * 1e3)
        .num("cpu_ms", cpu.as_secs_f64() * 1e3)
        .int("cpu_iters", iters)
        .int("repetitions", repetitions as u64);
    let out = Report::new(
        "scale",
        &["000", "001"],
        "Use processes (or more loops) for CPU-bound work: one loop, two loops on SO_REUSEPORT, and threads",
        params,
    )
    .with("servers", servers)
    .finish(&[bars], verdicts, notes);
    println!("{out}");
}
