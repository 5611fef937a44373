//! `demo hybrid`: seed 002, "if your task encompasses CPU-bound operations
//! alongside I/O tasks, a hybrid approach combining both methods might
//! yield superior outcomes". One mixed workload, R requests, C at a time,
//! each an I/O wait (`--io`) then a CPU part (`--cpu`, the hash chain of
//! `workloads/cpu.rs` calibrated on this machine), run three ways:
//!
//! - the loop alone: tasks behind `Semaphore(C)`, the CPU part in the task
//!   (one thread: the CPU parts run one at a time);
//! - threads alone: a `ThreadPool` of C, blocking sleeps and the CPU part
//!   in the job;
//! - the hybrid: the loop's tasks for the waits, the CPU part on
//!   `spawn_blocking`, a pool of one thread per core.
//!
//! Measured: the wall time of all R, and each request's latency from the
//! moment it got its slot (a permit, a pool thread) to its end. The three
//! take turns, repeated; the ratios to the hybrid are taken per turn.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use clap::Args as ClapArgs;

use crate::support::claims;
use crate::support::cli::{Common, Model, positive_duration, positive_usize};
use crate::support::json::Object;
use crate::support::measure::{self, Spread, ms};
use crate::support::progress;
use crate::support::report::{Report, Series};
use crate::support::verdict::{self, Outcome, Verdict};
use crate::workloads::cpu::{steps_for, work};
use crate::workloads::http_load::percentile;

/// Arguments of `demo hybrid`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Requests in all [default: 200; quick: 40].
    #[arg(long, value_parser = positive_usize)]
    requests: Option<usize>,
    /// Requests at once [default: 20; quick: 10].
    #[arg(long, value_parser = positive_usize)]
    concurrency: Option<usize>,
    /// Each request's I/O wait [default: 10ms].
    #[arg(long, value_parser = positive_duration)]
    io: Option<Duration>,
    /// Each request's CPU part [default: 2ms].
    #[arg(long, value_parser = positive_duration)]
    cpu: Option<Duration>,
    /// Timed runs of each side after a warm-up [default: 3; quick: 1].
    #[arg(long, value_parser = positive_usize)]
    repetitions: Option<usize>,
}

/// The sides, in the order they run and print.
const SIDES: [&str; 3] = [
    "loop alone (CPU part in the task)",
    "threads alone (ThreadPool of C)",
    "hybrid: loop + spawn_blocking pool",
];

#[derive(Clone, Copy)]
struct Work {
    requests: usize,
    concurrency: usize,
    io: Duration,
    iters: u64,
    cores: usize,
}

/// Runs the demo.
pub fn run(args: &Args) -> Outcome {
    let c = &args.common;
    let requests = c.pick(args.requests, 200, 40);
    let concurrency = c.pick(args.concurrency, 20, 10);
    let io = args.io.unwrap_or(Duration::from_millis(10));
    let cpu = args.cpu.unwrap_or(Duration::from_millis(2));
    let repetitions = c.pick(args.repetitions, 3, 1);
    if c.model != Model::Both {
        // The hybrid is both models at once; each alone is a side of it.
        progress::note(
            "hybrid",
            "the comparison needs every side: running all three",
        );
    }
    progress::note("hybrid", "calibrating the CPU part...");
    let w = Work {
        requests,
        concurrency,
        io,
        iters: steps_for(cpu),
        cores: measure::cores(),
    };
    // Per side: the p50 and p99 latency of each run (the warm-up first).
    let lat: Vec<RefCell<(Vec<f64>, Vec<f64>)>> =
        SIDES.iter().map(|_| RefCell::default()).collect();
    let total = SIDES.len() * (repetitions + 1);
    let done = RefCell::new(0usize);
    let side = |i: usize, f: fn(Work) -> Result<Vec<u64>, String>| {
        let (lat, done) = (&lat, &done);
        move || -> Result<f64, String> {
            *done.borrow_mut() += 1;
            progress::step("hybrid", *done.borrow(), total, SIDES[i]);
            let start = Instant::now();
            let mut us = f(w)?;
            let wall = ms(start.elapsed());
            us.sort_unstable();
            let mut l = lat[i].borrow_mut();
            l.0.push(percentile(&us, 50.0) as f64 / 1e3);
            l.1.push(percentile(&us, 99.0) as f64 / 1e3);
            Ok(wall)
        }
    };
    let (mut a, mut b, mut h) = (side(0, loop_alone), side(1, threads_alone), side(2, hybrid));
    let walls = match measure::interleaved(repetitions, &mut [&mut a, &mut b, &mut h]) {
        Ok(v) => v,
        Err(e) => return verdict::failed("hybrid", &e),
    };
    let timed = |v: &[f64]| Spread::of(v.get(1..).unwrap_or_default());
    let p50: Vec<Option<Spread>> = lat.iter().map(|l| timed(&l.borrow().0)).collect();
    let p99s: Vec<Vec<f64>> = lat
        .iter()
        .map(|l| l.borrow().1.get(1..).unwrap_or_default().to_vec())
        .collect();
    let walls_s: Vec<Option<Spread>> = walls.iter().map(|v| Spread::of(v)).collect();
    let p99: Vec<Option<Spread>> = p99s.iter().map(|v| Spread::of(v)).collect();
    let io_ms = ms(io);
    let waves = requests.div_ceil(concurrency) as f64 * io_ms;
    let max_over_loop = (w.cores + 1) as f64 * claims::BOUND_SLACK;
    let mut verdicts = Vec::new();
    for (what, values, least) in [("wall time", &walls, waves), ("p99 latency", &p99s, io_ms)] {
        let r = |i: usize| Spread::of(&measure::ratios(&values[i], &values[2]));
        let smallest = values
            .iter()
            .flatten()
            .copied()
            .fold(f64::INFINITY, f64::min);
        if let (Some(l), Some(t)) = (r(0), r(1)) {
            verdicts.push(claims::hybrid_best(
                what,
                &l,
                &t,
                max_over_loop,
                (smallest, least),
            ));
        }
    }
    if c.json {
        print_json(w, cpu, repetitions, (&walls_s, &p50, &p99), &verdicts);
    } else {
        print_text(w, cpu, repetitions, (&walls_s, &p50, &p99), &verdicts);
    }
    Outcome::Ran(verdicts)
}

/// The loop alone; each request's latency in microseconds.
fn loop_alone(w: Work) -> Result<Vec<u64>, String> {
    on_loop(w, false)
}

/// The hybrid; each request's latency in microseconds.
fn hybrid(w: Work) -> Result<Vec<u64>, String> {
    on_loop(w, true)
}

fn on_loop(w: Work, offload: bool) -> Result<Vec<u64>, String> {
    let rt = runtime::Runtime::builder()
        .max_blocking_threads(w.cores)
        .build()
        .map_err(|e| format!("cannot build the runtime: {e}"))?;
    rt.block_on(async {
        let permits = Rc::new(runtime::sync::Semaphore::new(w.concurrency));
        let tasks: Vec<_> = (0..w.requests)
            .map(|_| {
                let permits = permits.clone();
                runtime::spawn(async move {
                    let _permit = permits.acquire().await;
                    let t0 = Instant::now();
                    runtime::time::sleep(w.io).await;
                    if offload {
                        let _ = runtime::spawn_blocking(move || work(0, w.iters)).await;
                    } else {
                        std::hint::black_box(work(0, w.iters));
                    }
                    t0.elapsed().as_micros() as u64
                })
            })
            .collect();
        let mut out = Vec::with_capacity(w.requests);
        for t in tasks {
            out.push(t.await.map_err(|e| format!("a request failed: {e}"))?);
        }
        Ok(out)
    })
}

/// Threads alone; each request's latency in microseconds.
fn threads_alone(w: Work) -> Result<Vec<u64>, String> {
    let pool = runtime::threaded::ThreadPool::new(w.concurrency);
    let jobs: Vec<_> = (0..w.requests)
        .map(|_| {
            pool.submit(move || {
                let t0 = Instant::now();
                std::thread::sleep(w.io);
                std::hint::black_box(work(0, w.iters));
                t0.elapsed().as_micros() as u64
            })
        })
        .collect();
    jobs.into_iter()
        .map(|j| j.join().map_err(|e| format!("a request failed: {e}")))
        .collect()
}

type Rows<'a> = (
    &'a [Option<Spread>],
    &'a [Option<Spread>],
    &'a [Option<Spread>],
);

fn print_text(
    w: Work,
    cpu: Duration,
    repetitions: usize,
    (wall, p50, p99): Rows,
    verdicts: &[Verdict],
) {
    println!(
        "seed 002: {} requests, {} at a time, each {:?} of I/O then about {:?} of CPU ({} hash steps, calibrated here); \
         the hybrid's pool: {} thread(s), one per core",
        w.requests, w.concurrency, w.io, cpu, w.iters, w.cores
    );
    println!(
        "each side: 1 warm-up run, then {repetitions} runs taking turns; median (range); {}",
        measure::load_text(w.cores)
    );
    println!(
        "  {:<38} {:<34} {:>9} {:>9}",
        "side", "wall ms", "p50 ms", "p99 ms"
    );
    for i in 0..SIDES.len() {
        let m = |s: &Option<Spread>| {
            s.as_ref()
                .map_or("-".into(), |s| format!("{:.1}", s.median))
        };
        println!(
            "  {:<38} {:<34} {:>9} {:>9}",
            SIDES[i],
            wall[i].as_ref().map_or("-".into(), |s| s.text(0, "")),
            m(&p50[i]),
            m(&p99[i])
        );
    }
    println!(
        "  (latency: from a request's slot, a permit or a pool thread, to its end; the I/O waits alone take \
         ceil(R/C) x io = {:.0} ms)",
        w.requests.div_ceil(w.concurrency) as f64 * ms(w.io)
    );
    for v in verdicts {
        v.print();
    }
}

fn print_json(
    w: Work,
    cpu: Duration,
    repetitions: usize,
    (wall, p50, p99): Rows,
    verdicts: &[Verdict],
) {
    let bars = |plot: &str, label: &str, y_label: &str, v: &[Option<Spread>]| {
        SIDES
            .iter()
            .zip(v)
            .fold(Series::new(plot, label, "side", y_label), |s, (name, v)| {
                s.spread(*name, v.as_ref())
            })
    };
    let sides = crate::support::json::array((0..SIDES.len()).map(|i| {
        Object::new()
            .str("side", SIDES[i])
            .value("wall_ms", wall[i].as_ref().map(Spread::json))
            .value("p50_ms", p50[i].as_ref().map(Spread::json))
            .value("p99_ms", p99[i].as_ref().map(Spread::json))
    }));
    let params = Object::new()
        .int("requests", w.requests as u64)
        .int("concurrency", w.concurrency as u64)
        .num("io_ms", ms(w.io))
        .num("cpu_ms", ms(cpu))
        .int("cpu_iters", w.iters)
        .int("pool_threads", w.cores as u64)
        .int("repetitions", repetitions as u64);
    let out = Report::new(
        "hybrid",
        &["002"],
        "Hybrid CPU + I/O is best? The loop alone, threads alone, and the loop with a thread pool for the CPU part",
        params,
    )
    .with("sides", sides)
    .finish(
        &[
            bars("wall time", "wall time", "ms", wall),
            bars("latency", "p50", "ms", p50),
            bars("latency", "p99", "ms", p99),
        ],
        verdicts,
        &[],
    );
    println!("{out}");
}
