//! `demo cpu`: seed 003, "threads give true parallelism": a CPU-bound job
//! split in 4 parts, run sequentially, gathered on the event loop, on 4 OS
//! threads and on the loop's blocking pool.
//!
//! Timed as `measure.rs` describes: one warm-up run of every side, then
//! several repetitions in which the sequential baseline takes turns with
//! the parallel sides; each speed-up is the baseline over the parallel run
//! of the same turn, summarised as the median and range. The verdicts
//! (`claims.rs`) refuse a speed-up above the cores the process may use
//! (`sched_getaffinity`), and a one-thread speed-up other than ~1.0, as
//! measurement errors.

use std::cell::Cell;
use std::time::Instant;

use clap::Args as ClapArgs;

use crate::support::claims;
use crate::support::cli::{Common, positive_u64, positive_usize};
use crate::support::json::Object;
use crate::support::measure::{self, Spread, ms};
use crate::support::verdict::{self, Outcome, Verdict};

/// Arguments of `demo cpu`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Hash iterations in total, split over the 4 parts [default: 80000000;
    /// quick: 8000000].
    #[arg(long, value_parser = positive_u64)]
    iterations: Option<u64>,
    /// Timed runs of each side after a warm-up run [default: 5; quick: 3].
    #[arg(long, value_parser = positive_usize)]
    repetitions: Option<usize>,
}

/// The number of parts the job is split in.
pub const PARTS: u64 = 4;

/// The claim about OS threads.
pub const THREADS_CLAIM: &str = "threads give true parallelism (Rust threads have no GIL; CPython's would get ~1x here, only processes scale)";
/// The claim about the blocking pool.
pub const POOL_CLAIM: &str = "spawn_blocking runs CPU-bound parts in parallel on the blocking pool";

/// One part of the job: a hash chain of `iters` steps, seeded by `part`.
pub fn work(part: u64, iters: u64) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ part;
    for i in 0..iters {
        h ^= i;
        h = h.wrapping_mul(0x0100_0000_01b3);
        h = std::hint::black_box(h.rotate_left(5));
    }
    h
}

/// The timings of one `cpu` run (ms), `None` for the models not run.
pub struct Measured {
    /// Cores the OS lets this process use (`sched_getaffinity`).
    pub cores: usize,
    /// The 4 parts one after the other.
    pub sequential: Spread,
    /// `gather` on the event loop (one thread), and its speed-up.
    pub loop_gather: Option<(Spread, Spread)>,
    /// `spawn_blocking` on the loop's blocking pool, its speed-up, and the
    /// jobs run there per run.
    pub blocking: Option<(Spread, Spread, u64)>,
    /// `threaded::gather`, its speed-up, and threads spawned per run.
    pub threads: Option<(Spread, Spread, u64)>,
    /// Involuntary context switches (`getrusage`) summed over the thread
    /// model's runs: the kernel preempting its threads.
    pub threads_involuntary: Option<u64>,
    /// Whether every run of every model computed the expected results.
    pub same_results: bool,
}

/// Runs the job on the models asked for: a warm-up, then `repetitions`
/// interleaved runs of each side.
pub fn measure(
    model: crate::support::cli::Model,
    iterations: u64,
    repetitions: usize,
) -> Result<Measured, String> {
    let per = (iterations / PARTS).max(1);
    let expected: Vec<u64> = (0..PARTS).map(|p| work(p, per)).collect();
    let same = Cell::new(true);
    let jobs = Cell::new(0u64);
    let spawned = Cell::new(0u64);
    let involuntary = Cell::new(0u64);
    let timed = |f: &mut dyn FnMut() -> Result<Vec<u64>, String>| -> Result<f64, String> {
        let start = Instant::now();
        let got = f()?;
        let took = ms(start.elapsed());
        same.set(same.get() && got == expected);
        Ok(took)
    };
    let rt = runtime::Runtime::builder()
        .build()
        .map_err(|e| format!("cannot build the runtime: {e}"))?;

    let mut sequential = || timed(&mut || Ok((0..PARTS).map(|p| work(p, per)).collect()));
    let mut loop_gather = || {
        timed(&mut || {
            Ok(rt.block_on(runtime::gather(
                (0..PARTS).map(|p| async move { work(p, per) }),
            )))
        })
    };
    let mut blocking = || {
        let before = rt.stats().blocking_jobs;
        let took = timed(&mut || {
            let got = rt.block_on(async move {
                runtime::gather((0..PARTS).map(|p| runtime::spawn_blocking(move || work(p, per))))
                    .await
            });
            got.into_iter()
                .collect::<Result<Vec<u64>, _>>()
                .map_err(|e| format!("a spawn_blocking job failed: {e}"))
        });
        jobs.set(rt.stats().blocking_jobs - before);
        took
    };
    let mut threads = || {
        let before = runtime::threaded::Stats::snapshot();
        let took = timed(&mut || {
            std::panic::catch_unwind(|| {
                runtime::threaded::gather((0..PARTS).map(|p| move || work(p, per)))
            })
            .map_err(|_| "a thread failed or could not be started".to_string())
        });
        let delta = runtime::threaded::Stats::snapshot().since(&before);
        spawned.set(delta.spawned);
        involuntary.set(involuntary.get() + delta.involuntary_switches);
        took
    };

    let mut sides: Vec<&mut dyn FnMut() -> Result<f64, String>> = vec![&mut sequential];
    if model.has_loop() {
        sides.push(&mut loop_gather);
        sides.push(&mut blocking);
    }
    if model.has_threads() {
        sides.push(&mut threads);
    }
    let values = measure::interleaved(repetitions, &mut sides)?;
    drop(sides);
    let spread = |v: &[f64]| Spread::of(v).ok_or_else(|| "a run gave no time".to_string());
    let seq = &values[0];
    let with_speedup = |v: &[f64]| -> Result<(Spread, Spread), String> {
        Ok((spread(v)?, spread(&measure::ratios(seq, v))?))
    };
    let mut next = 1;
    let mut m = Measured {
        cores: measure::cores(),
        sequential: spread(seq)?,
        loop_gather: None,
        blocking: None,
        threads: None,
        threads_involuntary: None,
        same_results: same.get(),
    };
    if model.has_loop() {
        m.loop_gather = Some(with_speedup(&values[next])?);
        let (t, s) = with_speedup(&values[next + 1])?;
        m.blocking = Some((t, s, jobs.get()));
        next += 2;
    }
    if model.has_threads() {
        let (t, s) = with_speedup(&values[next])?;
        m.threads = Some((t, s, spawned.get()));
        m.threads_involuntary = Some(involuntary.get());
    }
    Ok(m)
}

/// The verdicts of a run: one per side measured.
pub fn verdicts(m: &Measured) -> Vec<Verdict> {
    let workers = PARTS as usize;
    let mut out = Vec::new();
    if let Some((_, s)) = &m.loop_gather {
        out.push(claims::one_thread_speedup(s));
    }
    if let Some((_, s, _)) = &m.blocking {
        out.push(claims::parallel_speedup(POOL_CLAIM, s, workers, m.cores));
    }
    if let Some((_, s, _)) = &m.threads {
        out.push(claims::parallel_speedup(THREADS_CLAIM, s, workers, m.cores));
    }
    out
}

/// Runs the demo.
pub fn run(args: &Args) -> Outcome {
    let c = &args.common;
    let iterations = c.pick(args.iterations, 80_000_000, 8_000_000);
    let repetitions = c.pick(args.repetitions, 5, 3);
    if iterations < PARTS {
        return verdict::bad_input(
            "cpu",
            &format!("--iterations must be at least {PARTS} (one per part)"),
        );
    }
    let m = match measure(c.model, iterations, repetitions) {
        Ok(m) => m,
        Err(e) => return verdict::failed("cpu", &e),
    };
    let verdicts = verdicts(&m);
    if c.json {
        print_json(iterations, repetitions, &m, &verdicts);
    } else {
        print_text(iterations, repetitions, &m, &verdicts);
    }
    if !m.same_results {
        return verdict::failed("cpu", "the models computed different results");
    }
    Outcome::Ran(verdicts)
}

fn print_text(iterations: u64, repetitions: usize, m: &Measured, verdicts: &[Verdict]) {
    println!(
        "seed 003: a CPU-bound job of {iterations} hash steps in {PARTS} parts; {} core(s) in this process's affinity mask",
        m.cores
    );
    println!(
        "each side: 1 warm-up run, then {repetitions} runs taking turns with the others; median (range); {}",
        measure::load_text(m.cores)
    );
    println!("sequential (1 thread): {}", m.sequential.text(1, " ms"));
    if let Some((t, s)) = &m.loop_gather {
        println!(
            "event loop, gather (1 thread): {}, speed-up {}",
            t.text(1, " ms"),
            s.text(2, "x")
        );
    }
    if let Some((t, s, jobs)) = &m.blocking {
        println!(
            "event loop, spawn_blocking ({jobs} jobs on the blocking pool): {}, speed-up {}",
            t.text(1, " ms"),
            s.text(2, "x")
        );
    }
    if let Some((t, s, spawned)) = &m.threads {
        println!(
            "threads, threaded::gather ({spawned} threads): {}, speed-up {}",
            t.text(1, " ms"),
            s.text(2, "x")
        );
    }
    println!(
        "results equal on every model: {}",
        if m.same_results { "yes" } else { "NO" }
    );
    for v in verdicts {
        v.print();
    }
}

fn side_json(side: Option<(&Spread, &Spread, u64)>) -> String {
    side.map_or("null".to_string(), |(t, s, n)| {
        Object::new()
            .raw("ms", t.json())
            .raw("speedup", s.json())
            .int("workers", n)
            .finish()
    })
}

fn print_json(iterations: u64, repetitions: usize, m: &Measured, verdicts: &[Verdict]) {
    let out = Object::new()
        .int("iterations", iterations)
        .int("parts", PARTS)
        .int("cores", m.cores as u64)
        .int("repetitions", repetitions as u64)
        .opt_num("load_average", measure::load_average())
        .raw("sequential_ms", m.sequential.json())
        .raw(
            "loop_gather",
            side_json(m.loop_gather.as_ref().map(|(t, s)| (t, s, 1))),
        )
        .raw(
            "spawn_blocking",
            side_json(m.blocking.as_ref().map(|(t, s, n)| (t, s, *n))),
        )
        .raw(
            "threads",
            side_json(m.threads.as_ref().map(|(t, s, n)| (t, s, *n))),
        )
        .bool("same_results", m.same_results)
        .raw("verdicts", verdict::json_array(verdicts))
        .finish();
    println!("{out}");
}
