//! Unbounded concurrency (`unbounded`): N tasks (or threads) each holding
//! a buffer, all at once, need N buffers of memory; behind a semaphore of
//! K permits, K at a time.

use crate::support::verdict::{Holds, Verdict};

/// Seed 001's claim.
pub const UNBOUNDED_CLAIM: &str = "without explicit rate limiting, tasks scheduled as soon as they are created exhaust memory; a Semaphore bounds them";

/// How one child process's run ended, as the parent saw it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HeldRun {
    /// Buffers allocated, held and released.
    pub completed: usize,
    /// Buffers the allocator refused (`try_reserve` failed: `mmap(2)`
    /// returned `ENOMEM` under the address-space limit).
    pub refused: usize,
    /// Threads the OS refused to start (their stacks could not be mapped).
    pub spawn_failed: usize,
    /// Why the process died before reporting (an abort on an allocation
    /// failure Rust cannot return, such as a task's own memory), if it did.
    pub died: Option<String>,
    /// The most buffers held at once.
    pub peak_held: usize,
    /// The process's peak resident memory (`VmHWM`), bytes.
    pub peak_rss: f64,
}

impl HeldRun {
    /// Whether it ended in an allocation failure of any kind.
    pub fn ran_out(&self) -> bool {
        self.refused > 0 || self.spawn_failed > 0 || self.died.is_some()
    }

    /// `completed 1000 of 1000` or `refused 812 buffers...`, for a detail.
    pub fn text(&self, tasks: usize) -> String {
        let rss = format!("peak RSS {:.0} MiB", self.peak_rss / (1 << 20) as f64);
        match &self.died {
            Some(why) => format!(
                "died ({why}) before reporting: an allocation failed where Rust aborts instead of returning an error (the child's message is on stderr), {rss}"
            ),
            None if self.ran_out() => format!(
                "{} of {tasks} buffers held, {} refused by the allocator, {} threads refused, at most {} held at once, {rss}",
                self.completed, self.refused, self.spawn_failed, self.peak_held
            ),
            None => format!(
                "completed: {} of {tasks} buffers, at most {} held at once, {rss}",
                self.completed, self.peak_held
            ),
        }
    }
}

/// `unbounded`: on `model`, the run without a bound ends in an allocation
/// failure under an address-space limit of `limit` bytes, and the run
/// behind `Semaphore(permits)` completes within it.
pub fn unbounded_exhausts(
    model: &str,
    unbounded: &HeldRun,
    bounded: &HeldRun,
    tasks: usize,
    permits: usize,
    limit: f64,
) -> Verdict {
    let criterion = format!(
        "under RLIMIT_AS = {:.0} MiB: the run without a bound ends in an allocation failure (a buffer or a thread refused, or the process aborted), \
         and the run behind Semaphore({permits}) holds and releases all {tasks} buffers with none refused; \
         more than {permits} buffers held at once behind the semaphore, a peak RSS above the limit (resident pages are mapped pages), \
         or a finished run that accounts for more or fewer than {tasks} buffers is a measurement error",
        limit / (1 << 20) as f64
    );
    let detail = format!(
        "{model}: without a bound: {}; with Semaphore({permits}): {}",
        unbounded.text(tasks),
        bounded.text(tasks)
    );
    let accounted =
        |r: &HeldRun| r.died.is_some() || r.completed + r.refused + r.spawn_failed == tasks;
    let holds = if bounded.peak_held > permits {
        Holds::MeasurementError(format!(
            "{} buffers held at once behind {permits} permits",
            bounded.peak_held
        ))
    } else if unbounded.peak_rss > limit || bounded.peak_rss > limit {
        Holds::MeasurementError("a peak RSS above the address-space limit".into())
    } else if !accounted(unbounded) || !accounted(bounded) {
        Holds::MeasurementError(format!("a run did not account for its {tasks} buffers"))
    } else if unbounded.ran_out() && !bounded.ran_out() && bounded.completed == tasks {
        Holds::Yes
    } else {
        Holds::No
    };
    Verdict::new(
        format!("{UNBOUNDED_CLAIM} ({model})"),
        criterion,
        holds,
        detail,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::claims::testing::is_error;

    const MIB: f64 = (1 << 20) as f64;

    fn run(completed: usize, refused: usize, peak_held: usize) -> HeldRun {
        HeldRun {
            completed,
            refused,
            spawn_failed: 0,
            died: None,
            peak_held,
            peak_rss: 50.0 * MIB,
        }
    }

    /// The verdict on the loop for 200 tasks behind 8 permits, under a
    /// limit of `limit_mib` MiB.
    fn verdict(unbounded: &HeldRun, bounded: &HeldRun, limit_mib: f64) -> Verdict {
        unbounded_exhausts("loop", unbounded, bounded, 200, 8, limit_mib * MIB)
    }

    #[test]
    fn exhausted_without_a_bound_and_complete_with_one() {
        let v = verdict(&run(60, 140, 60), &run(200, 0, 8), 64.0);
        assert_eq!(v.holds, Holds::Yes, "{v:?}");
        assert!(v.detail.contains("140 refused"), "{v:?}");
        let died = HeldRun {
            died: Some("SIGABRT".into()),
            ..run(0, 0, 55)
        };
        let v = unbounded_exhausts("threads", &died, &run(200, 0, 8), 200, 8, 64.0 * MIB);
        assert_eq!(v.holds, Holds::Yes, "an abort is an allocation failure too");
    }

    #[test]
    fn the_other_side_of_the_line() {
        // Everything fit: the limit was not reached without a bound.
        let v = verdict(&run(200, 0, 200), &run(200, 0, 8), 640.0);
        assert_eq!(v.holds, Holds::No);
        // The bounded run failed too.
        let v = verdict(&run(60, 140, 60), &run(190, 10, 8), 64.0);
        assert_eq!(v.holds, Holds::No);
    }

    #[test]
    fn impossible_numbers_are_measurement_errors() {
        assert!(is_error(&verdict(&run(60, 140, 60), &run(200, 0, 9), 64.0)));
        let big = HeldRun {
            peak_rss: 65.0 * MIB,
            ..run(60, 140, 60)
        };
        assert!(is_error(&verdict(&big, &run(200, 0, 8), 64.0)));
        assert!(is_error(&verdict(&run(60, 100, 60), &run(200, 0, 8), 64.0)));
    }
}
