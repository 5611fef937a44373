//! `demo baseline`: seed 002, "if your application isn't heavily reliant
//! on external resources like networks or databases, synchronous code may
//! suffice". The synchronous program is measured, not computed, beside
//! both models, on the workloads of `demo fetch` and `demo files`:
//!
//! - fetch with no wait: N requests to a local server that answers at
//!   once (`demo serve --model threads --latency 0`);
//! - fetch with a wait: the same with `--latency L` on the server;
//! - files: N files read from the page cache (written just before).
//!
//! Each one synchronously (one after the other on this thread, blocking
//! calls), on the loop (tasks behind `Semaphore(C)`; `runtime::fs::read`
//! gathered), and on threads (a `ThreadPool` of C; a thread per file), the
//! three taking turns; the speed-up of the better concurrent model over
//! the synchronous run is taken per turn. Where there is nothing to wait
//! for, concurrency has little to overlap and its cost shows. A local
//! server with no latency is still another process: each request waits
//! for its thread to be created and scheduled, which on a busy machine is
//! a wait like any other (the text says so when it shows).

use std::time::{Duration, Instant};

use clap::Args as ClapArgs;

use crate::support::claims::{self, Against};
use crate::support::cli::{Common, Model, positive_duration, positive_usize};
use crate::support::fdlimit;
use crate::support::json::{self, Object};
use crate::support::measure::{self, Spread, ms};
use crate::support::progress;
use crate::support::report::{Report, Series};
use crate::support::server;
use crate::support::verdict::{self, Outcome, Verdict};
use crate::workloads::{fetch, files};

/// Arguments of `demo baseline`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Requests per fetch run [default: 100; quick: 20].
    #[arg(long, value_parser = positive_usize)]
    requests: Option<usize>,
    /// Requests at once (the semaphore's permits, the pool's threads)
    /// [default: 10].
    #[arg(long, value_parser = positive_usize)]
    concurrency: Option<usize>,
    /// The server's wait per request in the waiting fetch [default: 20ms;
    /// quick: 10ms].
    #[arg(long, value_parser = positive_duration)]
    latency: Option<Duration>,
    /// Files read per run [default: 500; quick: 100].
    #[arg(long, value_parser = positive_usize)]
    files: Option<usize>,
    /// Size of each file, bytes [default: 65536; quick: 4096].
    #[arg(long, value_parser = positive_usize)]
    size: Option<usize>,
    /// Timed runs of each side after a warm-up [default: 3; quick: 1].
    #[arg(long, value_parser = positive_usize)]
    repetitions: Option<usize>,
}

/// The sides of every workload, in order.
const SIDES: [&str; 3] = ["synchronous", "event loop", "threads"];

/// One workload: each side's wall times (ms) and the speed-up.
struct Measured {
    name: String,
    walls: Vec<Option<Spread>>,
    against: Option<Against>,
}

/// Runs the demo.
pub fn run(args: &Args) -> Outcome {
    let c = &args.common;
    let requests = c.pick(args.requests, 100, 20);
    let concurrency = args.concurrency.unwrap_or(10);
    let latency = c.pick(
        args.latency,
        Duration::from_millis(20),
        Duration::from_millis(10),
    );
    let n_files = c.pick(args.files, 500, 100);
    let size = c.pick(args.size, 65536, 4096);
    let repetitions = c.pick(args.repetitions, 3, 1);
    let mut out = Vec::new();
    for wait in [None, Some(latency)] {
        let name = match wait {
            None => "fetch, no wait".to_string(),
            Some(l) => format!("fetch, {l:?} wait per request"),
        };
        match fetch_point(&name, c.model, wait, requests, concurrency, repetitions) {
            Ok(m) => out.push(m),
            Err(e) => return verdict::failed("baseline", &e),
        }
    }
    match files_point(c.model, n_files, size, repetitions) {
        Ok(m) => out.push(m),
        Err(e) => return verdict::failed("baseline", &e),
    }
    let points: Vec<Against> = out.iter().filter_map(|m| m.against.clone()).collect();
    let verdicts = vec![claims::synchronous_suffices(&points)];
    let p = (requests, concurrency, latency, n_files, size, repetitions);
    if c.json {
        print_json(p, &out, &verdicts);
    } else {
        print_text(p, &out, &verdicts);
    }
    Outcome::Ran(verdicts)
}

/// Times `f` (ms); an error if it or any of its units failed.
fn timed(
    what: &str,
    f: impl FnOnce() -> Result<Vec<Result<(), String>>, String>,
) -> Result<f64, String> {
    let start = Instant::now();
    let results = f()?;
    let took = ms(start.elapsed());
    match results.iter().find_map(|r| r.as_ref().err()) {
        Some(e) => Err(format!("{what}: {e}")),
        None => Ok(took),
    }
}

/// Runs the sides the model asks for (the synchronous one always),
/// interleaved; the speed-up of the better concurrent one per turn.
fn interleave(
    what: &str,
    model: Model,
    repetitions: usize,
    bound: f64,
    waits: bool,
    sides: [&mut dyn FnMut() -> Result<f64, String>; 3],
) -> Result<Measured, String> {
    let [s, l, t] = sides;
    let mut chosen: Vec<&mut dyn FnMut() -> Result<f64, String>> = vec![s];
    let mut which = vec![0];
    if model.has_loop() {
        chosen.push(l);
        which.push(1);
    }
    if model.has_threads() {
        chosen.push(t);
        which.push(2);
    }
    let values = measure::interleaved(repetitions, &mut chosen)?;
    let mut walls: Vec<Option<Vec<f64>>> = vec![None; 3];
    for (i, v) in which.into_iter().zip(values) {
        walls[i] = Some(v);
    }
    let seq = walls[0].clone().unwrap_or_default();
    // The better concurrent model of each turn.
    let best: Vec<f64> = (0..seq.len())
        .map(|k| {
            [&walls[1], &walls[2]]
                .iter()
                .filter_map(|w| w.as_ref()?.get(k).copied())
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    let against = Spread::of(&measure::ratios(&seq, &best)).map(|speedup| Against {
        name: what.to_string(),
        waits,
        speedup,
        bound,
    });
    Ok(Measured {
        name: what.to_string(),
        walls: walls.iter().map(|w| Spread::of(w.as_deref()?)).collect(),
        against,
    })
}

fn fetch_point(
    name: &str,
    model: Model,
    wait: Option<Duration>,
    requests: usize,
    concurrency: usize,
    repetitions: usize,
) -> Result<Measured, String> {
    progress::note("baseline", &format!("{name}: starting the server..."));
    let latency = wait.map_or("0".to_string(), |l| format!("{}us", l.as_micros()));
    let server = server::start(
        "threads",
        concurrency + 64,
        &["--latency".to_string(), latency],
        "server",
    )?;
    let addr = server.addr.to_string();
    let steps =
        (repetitions + 1) * (1 + usize::from(model.has_loop()) + usize::from(model.has_threads()));
    let step = std::cell::Cell::new(0);
    let tick = |side: &str| {
        step.set(step.get() + 1);
        progress::step("baseline", step.get(), steps, &format!("{name}: {side}"));
    };
    let mut s = || {
        tick(SIDES[0]);
        timed(SIDES[0], || Ok(fetch::fetch_sequential(&addr, requests)))
    };
    let mut l = || {
        tick(SIDES[1]);
        timed(SIDES[1], || fetch::fetch_loop(&addr, requests, concurrency))
    };
    let mut t = || {
        tick(SIDES[2]);
        timed(SIDES[2], || {
            fetch::fetch_threads(&addr, requests, concurrency)
        })
    };
    // No bound: a synchronous client leaves the machine idle between its
    // requests and pays every wake-up (the server's thread, this one) that
    // concurrent requests overlap, so it can lose by more than C.
    let bound = f64::INFINITY;
    let m = interleave(
        name,
        model,
        repetitions,
        bound,
        wait.is_some(),
        [&mut s, &mut l, &mut t],
    );
    drop(server);
    m
}

fn files_point(
    model: Model,
    n: usize,
    size: usize,
    repetitions: usize,
) -> Result<Measured, String> {
    // One thread per file opens them all at once.
    fdlimit::raise_to(n as u64 + 256)?;
    progress::note(
        "baseline",
        &format!("files: writing {n} files of {size} bytes..."),
    );
    let dir = files::TempDir::create()?;
    let paths = files::write_files(&dir, n, size)?;
    let check = |r: files::ReadRun| match r.first_error {
        Some(e) => Err(e),
        None => Ok(ms(r.wall)),
    };
    let mut s = || check(files::sequential(&paths, size));
    let mut l = || check(files::on_loop(&paths, size)?);
    let mut t = || check(files::on_threads(&paths, size)?);
    progress::note("baseline", "files: reading them, each side in turn...");
    let name = format!("files, {n} x {size} B from the page cache");
    interleave(
        &name,
        model,
        repetitions,
        measure::cores() as f64,
        false,
        [&mut s, &mut l, &mut t],
    )
}

type Params = (usize, usize, Duration, usize, usize, usize);

fn print_text(p: Params, out: &[Measured], verdicts: &[Verdict]) {
    let (requests, concurrency, _, _, _, repetitions) = p;
    println!(
        "seed 002: the synchronous program measured beside both models; fetch: {requests} requests, {concurrency} at a time; \
         each side: 1 warm-up run, then {repetitions} runs taking turns; median (range); {}",
        measure::load_text(measure::cores())
    );
    for m in out {
        println!("{}:", m.name);
        for (side, w) in SIDES.iter().zip(&m.walls) {
            if let Some(w) = w {
                println!("  {side:<12} {}", w.text(1, " ms"));
            }
        }
        if let Some(a) = &m.against {
            println!(
                "  better concurrent model over synchronous: {}",
                a.speedup.text(2, "x")
            );
            if !a.waits && a.speedup.median >= claims::SUFFICES_BELOW && m.name.starts_with("fetch")
            {
                println!(
                    "  (no latency on the server, yet concurrency paid: each request still waits for the server's \
                     process, a new thread there and a core for it, which concurrent requests overlap)"
                );
            }
        }
    }
    for v in verdicts {
        v.print();
    }
}

fn print_json(p: Params, out: &[Measured], verdicts: &[Verdict]) {
    let (requests, concurrency, latency, n_files, size, repetitions) = p;
    let walls: Vec<Series> = SIDES
        .iter()
        .enumerate()
        .map(|(i, side)| {
            out.iter()
                .fold(Series::new("wall time", side, "workload", "ms"), |s, m| {
                    s.spread(m.name.as_str(), m.walls[i].as_ref())
                })
        })
        .collect();
    let speedups = out.iter().fold(
        Series::new(
            "speed-up of concurrency",
            "better concurrent model / synchronous",
            "workload",
            "speed-up over the synchronous run (x)",
        ),
        |s, m| s.spread(m.name.as_str(), m.against.as_ref().map(|a| &a.speedup)),
    );
    let mut series = walls;
    series.push(speedups);
    let workloads = json::array(out.iter().map(|m| {
        let mut o = Object::new().str("workload", &m.name);
        for (side, w) in SIDES.iter().zip(&m.walls) {
            o = o.value(
                &format!("{}_ms", side.replace(' ', "_")),
                w.as_ref().map(Spread::json),
            );
        }
        o.value("speedup", m.against.as_ref().map(|a| a.speedup.json()))
            .opt_num("speedup_bound", m.against.as_ref().map(|a| a.bound))
    }));
    let params = Object::new()
        .int("requests", requests as u64)
        .int("concurrency", concurrency as u64)
        .num("latency_ms", ms(latency))
        .int("files", n_files as u64)
        .int("file_size", size as u64)
        .int("repetitions", repetitions as u64);
    let out = Report::new(
        "baseline",
        &["002"],
        "Synchronous code may suffice: the sequential baseline measured beside both models",
        params,
    )
    .with("workloads", workloads)
    .finish(&series, verdicts, &[]);
    println!("{out}");
}
