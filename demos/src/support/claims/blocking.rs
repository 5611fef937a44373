//! Scheduling and blocking calls (`blocking`, `compare`): a ticker's
//! longest gap shows whether a blocking call stalled it.

use crate::support::verdict::{Holds, Verdict};

/// The longest gaps between a ticker's ticks, with a call blocking
/// `block_ms` beside it (`demo blocking`, `compare`); `None` where that
/// model did not run. All in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TickGaps {
    /// How long the blocking call blocks.
    pub block_ms: f64,
    /// The ticker's period.
    pub tick_ms: f64,
    /// Loop, the blocking call inside a task.
    pub loop_blocked: Option<f64>,
    /// Loop, the call moved to `spawn_blocking`.
    pub loop_offloaded: Option<f64>,
    /// Threads, the call in another thread.
    pub threads: Option<f64>,
}

impl TickGaps {
    /// Half the block: a gap at or above it is a stall.
    fn half(&self) -> f64 {
        self.block_ms / 2.0
    }

    /// The physical bounds: while the loop's only thread sleeps
    /// `block_ms`, its ticker cannot tick, so that gap is at least the
    /// block (0.9x, for clock granularity); no longest gap between ticks
    /// is under half a tick.
    fn out_of_bounds(&self) -> Option<String> {
        if let Some(g) = self.loop_blocked
            && g < 0.9 * self.block_ms
        {
            return Some(format!(
                "the loop ticked within {g:.0} ms while its only thread slept {:.0} ms",
                self.block_ms
            ));
        }
        [self.loop_blocked, self.loop_offloaded, self.threads]
            .into_iter()
            .flatten()
            .find(|&g| g < self.tick_ms / 2.0)
            .map(|g| {
                format!(
                    "a longest gap of {g:.1} ms between {:.0} ms ticks",
                    self.tick_ms
                )
            })
    }

    fn criterion_bounds(&self) -> String {
        format!(
            "a loop gap under 0.9x the block (its ticker cannot run while its only thread sleeps), or any gap under half a tick ({:.0} ms), is a measurement error",
            self.tick_ms / 2.0
        )
    }
}

/// `blocking`: a blocking call inside a task stalls the loop; the same
/// call via `spawn_blocking`, or in a thread, does not.
pub fn blocking_call(g: &TickGaps) -> Verdict {
    let half = g.half();
    let criterion = format!(
        "longest gap between {:.0} ms ticks: on the loop >= {half:.0} ms (half the {:.0} ms block); via spawn_blocking and on threads < {half:.0} ms; {}",
        g.tick_ms,
        g.block_ms,
        g.criterion_bounds()
    );
    let mut parts = Vec::new();
    let mut all = true;
    let mut check = |name: &str, gap: Option<f64>, stall_expected: bool| {
        if let Some(gap) = gap {
            let ok = (gap >= half) == stall_expected;
            all &= ok;
            parts.push(format!(
                "{name} {gap:.0} ms{}",
                if ok { "" } else { " (not as claimed)" }
            ));
        }
    };
    check("loop (call in a task)", g.loop_blocked, true);
    check("loop (spawn_blocking)", g.loop_offloaded, false);
    check("threads", g.threads, false);
    let holds = if let Some(reason) = g.out_of_bounds() {
        Holds::MeasurementError(reason)
    } else if parts.is_empty() {
        Holds::NotRun("no model run".into())
    } else if all {
        Holds::Yes
    } else {
        Holds::No
    };
    Verdict::new(
        "a blocking call in a coroutine stalls the whole loop; via spawn_blocking, or in a thread, it does not",
        criterion,
        holds,
        parts.join(", "),
    )
}

/// `compare`: seed 000's "threads: thread blocked; async: coroutine
/// suspends only itself". True of an awaited call (spawn_blocking), false
/// of a blocking one: at best "partly".
pub fn coroutine_suspends_only_itself(g: &TickGaps) -> Verdict {
    let half = g.half();
    let criterion = format!(
        "other tasks keep ticking (longest gap < {half:.0} ms, half the block) around an awaited call (spawn_blocking) and around a blocked thread; \
         'partly' because a blocking call inside a task stalls the loop (gap >= {half:.0} ms); {}",
        g.criterion_bounds()
    );
    let claim = "threads: thread blocked; async: coroutine suspends only itself";
    let (Some(blocked), Some(offloaded), Some(threads)) =
        (g.loop_blocked, g.loop_offloaded, g.threads)
    else {
        return super::not_run_without_both(claim, criterion);
    };
    let detail = format!(
        "awaited: {offloaded:.0} ms, thread: {threads:.0} ms, blocking call in a task: {blocked:.0} ms"
    );
    let holds = if let Some(reason) = g.out_of_bounds() {
        Holds::MeasurementError(reason)
    } else if offloaded < half && threads < half {
        // `blocked` >= 0.9 x block here: the loop stalled, as it must.
        Holds::Partly
    } else {
        Holds::No
    };
    Verdict::new(claim, criterion, holds, detail)
}

/// `compare`: the loop is scheduled cooperatively (a task that does not
/// `.await` is never interrupted), threads preemptively (the kernel takes
/// the CPU from a thread that could run on).
pub fn scheduling(g: &TickGaps, involuntary_switches: Option<u64>) -> Verdict {
    let criterion = format!(
        "loop: a task that does not .await is never preempted (longest tick gap >= 0.9x the {:.0} ms block); \
         threads: the kernel preempted them (>= 1 involuntary context switch, getrusage, over the thread model's runs)",
        g.block_ms
    );
    let claim = "threads: OS-based (preemptive) scheduling; async: event-loop based (cooperative)";
    let (Some(gap), Some(invol)) = (g.loop_blocked, involuntary_switches) else {
        return super::not_run_without_both(claim, criterion);
    };
    let detail = format!(
        "loop: not interrupted for {gap:.0} ms; threads: {invol} involuntary context switches"
    );
    let holds = if let Some(reason) = g.out_of_bounds() {
        Holds::MeasurementError(reason)
    } else if invol >= 1 {
        Holds::Yes
    } else {
        Holds::No
    };
    Verdict::new(claim, criterion, holds, detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::claims::testing::is_error;

    fn gaps(blocked: f64, offloaded: f64, threads: f64) -> TickGaps {
        TickGaps {
            block_ms: 200.0,
            tick_ms: 10.0,
            loop_blocked: Some(blocked),
            loop_offloaded: Some(offloaded),
            threads: Some(threads),
        }
    }

    #[test]
    fn blocking_call_both_sides() {
        assert_eq!(blocking_call(&gaps(205.0, 11.0, 10.5)).holds, Holds::Yes);
        assert_eq!(blocking_call(&gaps(205.0, 150.0, 10.5)).holds, Holds::No);
        assert_eq!(blocking_call(&gaps(205.0, 11.0, 120.0)).holds, Holds::No);
        // Physically impossible: the loop ticked while its thread slept.
        assert!(is_error(&blocking_call(&gaps(50.0, 11.0, 10.5))));
        assert!(is_error(&blocking_call(&gaps(205.0, 1.0, 10.5))));
        // One model only: judged on what ran.
        let only_threads = TickGaps {
            loop_blocked: None,
            loop_offloaded: None,
            ..gaps(0.0, 0.0, 10.0)
        };
        assert_eq!(blocking_call(&only_threads).holds, Holds::Yes);
        let none = TickGaps {
            threads: None,
            ..only_threads
        };
        assert!(matches!(blocking_call(&none).holds, Holds::NotRun(_)));
    }

    #[test]
    fn the_seeds_coroutine_claim_is_at_best_partly_true() {
        assert_eq!(
            coroutine_suspends_only_itself(&gaps(205.0, 11.0, 10.5)).holds,
            Holds::Partly
        );
        assert_eq!(
            coroutine_suspends_only_itself(&gaps(205.0, 150.0, 10.5)).holds,
            Holds::No
        );
        assert!(is_error(&coroutine_suspends_only_itself(&gaps(
            20.0, 11.0, 10.5
        ))));
        let loop_only = TickGaps {
            threads: None,
            ..gaps(205.0, 11.0, 0.0)
        };
        assert!(matches!(
            coroutine_suspends_only_itself(&loop_only).holds,
            Holds::NotRun(_)
        ));
    }

    #[test]
    fn scheduling_is_computed_from_the_gap_and_the_preemptions() {
        assert_eq!(
            scheduling(&gaps(205.0, 11.0, 10.5), Some(40)).holds,
            Holds::Yes
        );
        assert_eq!(
            scheduling(&gaps(205.0, 11.0, 10.5), Some(0)).holds,
            Holds::No
        );
        assert!(is_error(&scheduling(&gaps(30.0, 11.0, 10.5), Some(40))));
        // The issue: "scheduling ... agrees: yes" with threads not run.
        assert!(matches!(
            scheduling(&gaps(205.0, 11.0, 10.5), None).holds,
            Holds::NotRun(_)
        ));
    }
}
