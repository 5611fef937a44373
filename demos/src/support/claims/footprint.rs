//! What idle units cost (`compare`, `sleep`, `load`): memory per idle
//! thread against per idle task, and the threads a model uses.

use crate::support::verdict::{Holds, Verdict};

/// The claim of `compare`'s memory row.
pub const FOOTPRINT_CLAIM: &str =
    "threads: a larger memory footprint (a stack each); async: smaller";

/// `compare`: an idle thread costs more memory than an idle task.
pub fn memory_footprint(task_rss: f64, thread_rss: f64) -> Verdict {
    let criterion =
        "RSS growth per idle thread > per idle task; a negative growth is a measurement error";
    let detail = format!(
        "{task_rss:.0} B per task, {thread_rss:.0} B per thread ({:.0}x)",
        thread_rss / task_rss.max(1.0)
    );
    let holds = if task_rss < 0.0 || thread_rss < 0.0 {
        Holds::MeasurementError("memory shrank while units were added".into())
    } else if thread_rss > task_rss {
        Holds::Yes
    } else {
        Holds::No
    };
    Verdict::new(FOOTPRINT_CLAIM, criterion, holds, detail)
}

/// What `/proc/self/task` showed while one model held its idle units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ThreadsSeen {
    /// Threads of the process (entries of `/proc/self/task`).
    pub threads: usize,
    /// Tasks (loop) or threads (thread model) pending at that moment.
    pub units: usize,
}

/// `compare`: the loop runs all its tasks on one thread; the thread model
/// uses one thread per task.
pub fn threads_used(loop_side: Option<ThreadsSeen>, threads: Option<ThreadsSeen>) -> Verdict {
    let criterion = "/proc/self/task read during the run: exactly 1 thread while the loop's idle tasks were pending; \
                     at least one thread per idle task on the thread model; 0 threads is a measurement error";
    let claim = "async: a single thread; threads: one per task";
    let part = |name: &str, s: Option<ThreadsSeen>| {
        s.map_or(format!("{name}: not run"), |s| {
            format!("{name}: {} thread(s) for {} tasks", s.threads, s.units)
        })
    };
    let detail = format!("{}; {}", part("loop", loop_side), part("threads", threads));
    let holds = match (loop_side, threads) {
        (Some(l), Some(t)) if l.threads == 0 || t.threads == 0 => {
            Holds::MeasurementError("a process has at least one thread".into())
        }
        (Some(l), Some(t)) if l.threads == 1 && t.threads >= t.units => Holds::Yes,
        (Some(_), Some(_)) => Holds::No,
        _ => Holds::NotRun("needs both models (--model both)".into()),
    };
    Verdict::new(claim, criterion, holds, detail)
}

/// `sleep`, `load`: a process (this one, or a server) used between `lo`
/// and `hi` threads, as `how` counted them.
pub fn thread_count(claim: &str, how: &str, seen: usize, lo: usize, hi: usize) -> Verdict {
    let expected = if lo == hi {
        format!("exactly {lo}")
    } else if hi == usize::MAX {
        format!("at least {lo}")
    } else {
        format!("{lo} to {hi}")
    };
    let criterion = format!("{expected} thread(s), {how}; 0 is a measurement error");
    let holds = if seen == 0 {
        Holds::MeasurementError("a process has at least one thread".into())
    } else if (lo..=hi).contains(&seen) {
        Holds::Yes
    } else {
        Holds::No
    };
    Verdict::new(claim, criterion, holds, format!("{seen} thread(s)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::claims::testing::is_error;

    #[test]
    fn memory_footprint_both_sides() {
        assert_eq!(memory_footprint(240.0, 9900.0).holds, Holds::Yes);
        assert_eq!(memory_footprint(240.0, 200.0).holds, Holds::No);
        assert_eq!(memory_footprint(240.0, 240.0).holds, Holds::No);
        assert!(is_error(&memory_footprint(-3.0, 9900.0)));
    }

    fn seen(threads: usize, units: usize) -> Option<ThreadsSeen> {
        Some(ThreadsSeen { threads, units })
    }

    #[test]
    fn threads_used_is_measured_not_assumed() {
        assert_eq!(
            threads_used(seen(1, 10_000), seen(1001, 1000)).holds,
            Holds::Yes
        );
        assert_eq!(
            threads_used(seen(2, 10_000), seen(1001, 1000)).holds,
            Holds::No
        );
        assert_eq!(
            threads_used(seen(1, 10_000), seen(500, 1000)).holds,
            Holds::No
        );
        assert!(is_error(&threads_used(seen(0, 10_000), seen(1001, 1000))));
        // The issue: `--model loop` said "yes" with threads not run.
        let v = threads_used(seen(1, 10_000), None);
        assert!(matches!(v.holds, Holds::NotRun(_)), "{v:?}");
        assert!(v.detail.contains("threads: not run"), "{v:?}");
    }

    #[test]
    fn thread_count_both_sides() {
        assert_eq!(thread_count("c", "h", 1, 1, 1).holds, Holds::Yes);
        assert_eq!(thread_count("c", "h", 2, 1, 1).holds, Holds::No);
        assert_eq!(thread_count("c", "h", 9, 8, usize::MAX).holds, Holds::Yes);
        assert_eq!(thread_count("c", "h", 7, 8, usize::MAX).holds, Holds::No);
        assert!(is_error(&thread_count("c", "h", 0, 1, 1)));
        assert!(
            thread_count("c", "h", 1, 1, 1)
                .criterion
                .starts_with("exactly 1")
        );
        assert!(
            thread_count("c", "h", 9, 8, usize::MAX)
                .criterion
                .starts_with("at least 8")
        );
    }
}
