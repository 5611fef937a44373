//! CPU-bound work (`cpu`, `compare`): threads run parts in parallel, up
//! to the cores the process may use; one thread runs them one at a time.

use crate::support::measure::Spread;
use crate::support::verdict::{Holds, Verdict};

use super::{BOUND_SLACK, MIN_PARALLEL_SPEEDUP, ONE_THREAD_RANGE};

/// The claim about OS threads.
pub const THREADS_CLAIM: &str = "threads give true parallelism (Rust threads have no GIL; CPython's would get ~1x here, only processes scale)";
/// The claim of `compare`'s CPU row (both models together).
pub const NO_GIL_CLAIM: &str =
    "threads run CPU-bound parts in parallel (no GIL); an event loop runs them one at a time";
/// The claim about the blocking pool.
pub const POOL_CLAIM: &str = "spawn_blocking runs CPU-bound parts in parallel on the blocking pool";

/// `cpu`, `compare`: a CPU-bound job split over `workers` threads (OS
/// threads, or the blocking pool's) runs faster than sequentially, up to
/// the cores the process may use.
pub fn parallel_speedup(claim: &str, speedup: &Spread, workers: usize, cores: usize) -> Verdict {
    let bound = workers.min(cores).max(1);
    let criterion = format!(
        "median speed-up over the sequential run (paired, interleaved runs) >= {MIN_PARALLEL_SPEEDUP}x with >= 2 cores; \
         a speed-up <= 0, or a median above min({workers} threads, {cores} cores) x {BOUND_SLACK}, is a measurement error"
    );
    let detail = format!(
        "{} with {workers} threads on {cores} core(s)",
        speedup.text(2, "x")
    );
    let holds = if speedup.min <= 0.0 {
        Holds::MeasurementError(format!("a speed-up of {:.2}x", speedup.min))
    } else if speedup.median > bound as f64 * BOUND_SLACK {
        Holds::MeasurementError(format!(
            "{:.2}x is more than {bound} thread(s) on {bound} core(s) can do",
            speedup.median
        ))
    } else if cores < 2 {
        Holds::NotRun("1 core: nothing can run in parallel".into())
    } else if speedup.median >= MIN_PARALLEL_SPEEDUP {
        Holds::Yes
    } else {
        Holds::No
    };
    Verdict::new(claim, criterion, holds, detail)
}

/// `cpu`, `compare`: the event loop runs CPU-bound tasks one at a time on
/// its one thread, so gathering them is no faster than running them in a
/// row.
pub fn one_thread_speedup(speedup: &Spread) -> Verdict {
    let (lo, hi) = ONE_THREAD_RANGE;
    let criterion = format!(
        "median speed-up of gather on the loop over the sequential run in {lo:.2}..{hi:.2}x; \
         outside it is a measurement error (one thread cannot outrun itself, and the loop adds microseconds)"
    );
    let holds = if speedup.median > hi {
        Holds::MeasurementError(format!(
            "{:.2}x on one thread: the sequential baseline was slowed",
            speedup.median
        ))
    } else if speedup.median < lo {
        Holds::MeasurementError(format!(
            "{:.2}x on one thread: the loop's run was slowed",
            speedup.median
        ))
    } else {
        Holds::Yes
    };
    Verdict::new(
        "the event loop runs CPU-bound tasks one at a time: no speed-up on its one thread",
        criterion,
        holds,
        format!("{} on 1 thread", speedup.text(2, "x")),
    )
}

/// One part of the Python claim about the GIL, said plainly: whether it
/// carries over to Rust, and what this run measured of it.
#[derive(Clone, Debug, PartialEq)]
pub struct GilPart {
    /// The part of the claim.
    pub part: &'static str,
    /// `carries over`, `does not carry over`, `carries over in part`.
    pub carries_over: &'static str,
    /// What this run measured, from the verdict that checks it.
    pub measured: String,
}

/// `cpu`: which parts of the seeds' GIL claim carry over to Rust, each
/// with the verdict of this run that checks it (`None`: the model was not
/// run).
pub fn gil_parts(
    one_thread: Option<&Verdict>,
    threads: Option<&Verdict>,
    pool: Option<&Verdict>,
) -> Vec<GilPart> {
    let measured = |v: Option<&Verdict>, shown: &str| match v {
        Some(v) if v.holds == Holds::Yes => format!("{shown}: {}", v.detail),
        Some(v) => format!(
            "not shown on this run ({}: {}); a busy machine may leave no idle core",
            v.holds.word(),
            v.detail
        ),
        None => "not run (--model)".into(),
    };
    vec![
        GilPart {
            part: "an event loop runs CPU-bound work one part at a time, as asyncio does: gathering CPU-bound tasks gives no speed-up",
            carries_over: "carries over",
            measured: measured(one_thread, "measured"),
        },
        GilPart {
            part: "CPU-bound threads get no speed-up (CPython's GIL lets one thread run Python bytecode at a time), so only processes scale",
            carries_over: "does not carry over",
            measured: measured(
                threads,
                "Rust has no GIL; its threads ran the parts in parallel",
            ),
        },
        GilPart {
            part: "CPU work belongs off the event loop, in an executor (asyncio's run_in_executor; CPython needs a ProcessPoolExecutor for it to scale)",
            carries_over: "carries over in part",
            measured: measured(
                pool,
                "off the loop, yes; but here a pool of threads (spawn_blocking) scales, no processes needed",
            ),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::claims::testing::{THREADS, is_error, s};

    #[test]
    fn parallel_speedup_both_sides_of_its_line() {
        assert_eq!(
            parallel_speedup(THREADS, &s(&[1.9, 1.8, 1.95]), 4, 2).holds,
            Holds::Yes
        );
        assert_eq!(
            parallel_speedup(THREADS, &s(&[1.2, 1.3, 1.1]), 4, 2).holds,
            Holds::No
        );
        // The line itself.
        assert_eq!(
            parallel_speedup(THREADS, &s(&[1.5]), 4, 2).holds,
            Holds::Yes
        );
        assert_eq!(
            parallel_speedup(THREADS, &s(&[1.49]), 4, 2).holds,
            Holds::No
        );
    }

    #[test]
    fn a_speedup_above_the_cores_used_is_a_measurement_error() {
        // The numbers: 8.77x and 3.27x on 2 cores.
        for x in [8.77, 3.27, 2.3] {
            let v = parallel_speedup(THREADS, &s(&[x]), 4, 2);
            assert!(is_error(&v), "{x}: {v:?}");
            assert!(!v.passes_check());
        }
        // Within the slack: 2.15 on 2 cores is timer noise around 2.
        assert_eq!(
            parallel_speedup(THREADS, &s(&[2.15]), 4, 2).holds,
            Holds::Yes
        );
        // 4 threads on 8 cores are bounded by the threads.
        assert!(is_error(&parallel_speedup(THREADS, &s(&[5.0]), 4, 8)));
        assert!(is_error(&parallel_speedup(
            THREADS,
            &s(&[-1.0, 2.0, 2.0]),
            4,
            2
        )));
    }

    #[test]
    fn one_core_cannot_show_parallelism() {
        let v = parallel_speedup(THREADS, &s(&[1.0]), 4, 1);
        assert!(matches!(v.holds, Holds::NotRun(_)), "{v:?}");
        assert!(is_error(&parallel_speedup(THREADS, &s(&[1.9]), 4, 1)));
    }

    #[test]
    fn the_criterion_is_printed_with_the_verdict() {
        let v = parallel_speedup(THREADS, &s(&[1.9]), 4, 2);
        assert!(v.criterion.contains(">= 1.5x with >= 2 cores"), "{v:?}");
        assert!(v.text().contains("criterion: "), "{}", v.text());
        assert!(v.detail.contains("1.90x"), "{v:?}");
    }

    #[test]
    fn the_gil_parts_follow_the_verdicts() {
        let yes = parallel_speedup(THREADS, &s(&[1.9]), 4, 2);
        let no = parallel_speedup(THREADS, &s(&[1.1]), 4, 2);
        let parts = gil_parts(None, Some(&yes), Some(&no));
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].measured, "not run (--model)");
        assert_eq!(parts[1].carries_over, "does not carry over");
        assert!(
            parts[1].measured.starts_with("Rust has no GIL"),
            "{parts:?}"
        );
        assert!(
            parts[2].measured.starts_with("not shown on this run (no"),
            "{parts:?}"
        );
    }

    #[test]
    fn one_thread_is_about_as_fast_as_itself() {
        assert_eq!(one_thread_speedup(&s(&[1.0, 0.98, 1.02])).holds, Holds::Yes);
        // The 2.86x and 2.13x for the one-thread loop.
        assert!(is_error(&one_thread_speedup(&s(&[2.86]))));
        assert!(is_error(&one_thread_speedup(&s(&[2.13]))));
        assert!(is_error(&one_thread_speedup(&s(&[0.5]))));
        assert_eq!(one_thread_speedup(&s(&[1.25])).holds, Holds::Yes);
        assert!(is_error(&one_thread_speedup(&s(&[1.26]))));
    }
}
