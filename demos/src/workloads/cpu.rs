//! The CPU-bound job of `demo cpu` and `demo compare`: a hash chain in
//! [`PARTS`] parts, run sequentially, gathered on the event loop, on the
//! loop's blocking pool and on OS threads, the sides interleaved as
//! `support/measure.rs` describes.

use std::cell::Cell;
use std::time::{Duration, Instant};

use crate::support::cli::Model;
use crate::support::measure::{self, Spread, ms};

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

/// How many steps of [`work`] this machine does per millisecond: the
/// fastest of 5 timed runs of 1,000,000 steps (the fastest: a run slowed
/// by a neighbour says less about the machine).
pub fn steps_per_ms() -> f64 {
    const STEPS: u64 = 1_000_000;
    let best = (0..5)
        .map(|i| {
            let start = Instant::now();
            std::hint::black_box(work(i, STEPS));
            ms(start.elapsed())
        })
        .fold(f64::INFINITY, f64::min);
    STEPS as f64 / best.max(1e-6)
}

/// The steps of [`work`] that take about `cpu` on this machine (at least
/// one), calibrated by [`steps_per_ms`] on each call. `latency`, `hybrid`
/// and `scale` size their CPU-bound requests with it.
pub fn steps_for(cpu: Duration) -> u64 {
    ((cpu.as_secs_f64() * 1e3 * steps_per_ms()) as u64).max(1)
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
pub fn measure(model: Model, iterations: u64, repetitions: usize) -> Result<Measured, String> {
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
