//! `demo cpu`: seed 003, "threads give true parallelism": a CPU-bound job
//! split in 4 parts, run sequentially, gathered on the event loop, on 4 OS
//! threads and on the loop's blocking pool.

use std::time::{Duration, Instant};

use clap::Args as ClapArgs;

use crate::Model;

/// Arguments of `demo cpu`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Which model to run.
    #[arg(long, value_enum, default_value = "both")]
    pub(crate) model: Model,
    /// Hash iterations in total, split over the 4 parts.
    #[arg(long, default_value_t = 80_000_000)]
    iterations: u64,
    /// A short run (8,000,000 iterations).
    #[arg(long)]
    quick: bool,
}

/// The number of parts the job is split in.
pub const PARTS: u64 = 4;

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

/// The timings of one `cpu` run, `None` for the models not run.
#[derive(Default)]
pub struct Measured {
    /// Cores the OS lets this process use.
    pub cores: usize,
    /// The 4 parts one after the other.
    pub sequential: Duration,
    /// `gather` on the event loop (one thread).
    pub loop_gather: Option<Duration>,
    /// `spawn_blocking` on the loop's blocking pool, and jobs run there.
    pub blocking: Option<(Duration, u64)>,
    /// `threaded::gather`, and threads spawned.
    pub threads: Option<(Duration, u64)>,
    /// Whether every model computed the same results.
    pub same_results: bool,
}

/// Runs the job on the models asked for.
pub fn measure(model: Model, iterations: u64) -> Result<Measured, String> {
    let per = (iterations / PARTS).max(1);
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let start = Instant::now();
    let expected: Vec<u64> = (0..PARTS).map(|p| work(p, per)).collect();
    let mut m = Measured {
        cores,
        sequential: start.elapsed(),
        same_results: true,
        ..Measured::default()
    };
    if model.has_loop() {
        let rt = runtime::Runtime::builder()
            .build()
            .map_err(|e| format!("cannot build the runtime: {e}"))?;
        let start = Instant::now();
        let got = rt.block_on(runtime::gather(
            (0..PARTS).map(|p| async move { work(p, per) }),
        ));
        m.loop_gather = Some(start.elapsed());
        m.same_results &= got == expected;

        let before = rt.stats().blocking_jobs;
        let start = Instant::now();
        let got = rt.block_on(async move {
            runtime::gather((0..PARTS).map(|p| runtime::spawn_blocking(move || work(p, per)))).await
        });
        let took = start.elapsed();
        let got: Result<Vec<u64>, _> = got.into_iter().collect();
        let got = got.map_err(|e| format!("a spawn_blocking job failed: {e}"))?;
        m.blocking = Some((took, rt.stats().blocking_jobs - before));
        m.same_results &= got == expected;
    }
    if model.has_threads() {
        let before = runtime::threaded::Stats::snapshot();
        let start = Instant::now();
        let got = std::panic::catch_unwind(|| {
            runtime::threaded::gather((0..PARTS).map(|p| move || work(p, per)))
        })
        .map_err(|_| "a thread failed or could not be started".to_string())?;
        let took = start.elapsed();
        let spawned = runtime::threaded::Stats::snapshot().since(&before).spawned;
        m.threads = Some((took, spawned));
        m.same_results &= got == expected;
    }
    Ok(m)
}

/// Runs the demo; returns the process exit code.
pub fn run(args: &Args) -> i32 {
    let iterations = if args.quick {
        8_000_000
    } else {
        args.iterations
    };
    let m = match measure(args.model, iterations) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("demo cpu: {e}");
            return 2;
        }
    };
    println!(
        "seed 003: a CPU-bound job of {iterations} hash steps in {PARTS} parts; {} core(s) available",
        m.cores
    );
    let seq = m.sequential.as_secs_f64();
    println!("sequential (1 thread): {:.1} ms", seq * 1e3);
    let speedup = |d: Duration| seq / d.as_secs_f64().max(1e-9);
    if let Some(d) = m.loop_gather {
        println!(
            "event loop, gather (1 thread): {:.1} ms, speed-up {:.2}x",
            d.as_secs_f64() * 1e3,
            speedup(d)
        );
    }
    if let Some((d, jobs)) = m.blocking {
        println!(
            "event loop, spawn_blocking ({jobs} jobs on the blocking pool): {:.1} ms, speed-up {:.2}x",
            d.as_secs_f64() * 1e3,
            speedup(d)
        );
    }
    if let Some((d, spawned)) = m.threads {
        println!(
            "threads, threaded::gather ({spawned} threads): {:.1} ms, speed-up {:.2}x",
            d.as_secs_f64() * 1e3,
            speedup(d)
        );
    }
    println!(
        "results equal on every model: {}",
        if m.same_results { "yes" } else { "NO" }
    );
    let verdict = match m.threads {
        Some((d, _)) if m.cores >= 2 && speedup(d) > 1.3 => format!(
            "claim holds in Rust: {:.2}x on {} cores (no GIL; CPython threads would get ~1x here, only processes scale)",
            speedup(d),
            m.cores
        ),
        Some((d, _)) if m.cores < 2 => format!(
            "not testable: 1 core ({:.2}x); Rust threads have no GIL, unlike CPython",
            speedup(d)
        ),
        Some((d, _)) => format!(
            "claim NOT confirmed in this run ({:.2}x on {} cores; a busy machine?); Rust threads have no GIL, unlike CPython",
            speedup(d),
            m.cores
        ),
        None => "not measured (run with --model threads or both); the loop alone gives no speed-up"
            .to_string(),
    };
    println!("claim: threads give true parallelism -> {verdict}");
    if m.same_results { 0 } else { 1 }
}
