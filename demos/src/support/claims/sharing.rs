//! Shared memory (`counter`): threads that share a counter pay for the
//! lock or the atomic instruction on every increment; tasks on one event
//! loop share a plain `Cell`, because only one of them runs at a time.

use crate::support::measure::Spread;
use crate::support::verdict::{Holds, Verdict};

/// Seed 003's claim.
pub const SHARING_CLAIM: &str = "threading has overhead from shared memory access (a Mutex or atomics on every increment); tasks on one event loop share a plain Cell, no lock needed";
/// What the per-thread counters show.
pub const NOT_THREADS_CLAIM: &str = "the cost is the sharing, not the threads: threads that each count on their own and add up at the end pay far less per increment than a shared atomic";

/// A cost per increment below this (ns) is more than 20 increments a
/// nanosecond on one thread: the compiler removed the loop.
pub const FASTEST_INCREMENT_NS: f64 = 0.05;
/// How much a shared counter of the threads must cost over the loop's
/// `Cell` (paired ratio, median) to count as an overhead.
pub const SHARED_OVER_CELL: f64 = 2.0;

fn bounds(named: &[(&str, &Spread)]) -> Option<Holds> {
    named.iter().find_map(|(name, s)| {
        (s.min < FASTEST_INCREMENT_NS).then(|| {
            Holds::MeasurementError(format!(
                "{name}: {:.3} ns per increment is under {FASTEST_INCREMENT_NS} ns (the work was optimised away, or no time was measured)",
                s.min
            ))
        })
    })
}

/// `counter`: the threads' shared counters (Mutex, atomic) against the
/// loop's `Cell`, in ns per increment; `mutex_ratio` and `atomic_ratio` are
/// the per-turn ratios of each to the `Cell`.
pub fn shared_counter_cost(
    mutex: &Spread,
    atomic: &Spread,
    cell: &Spread,
    mutex_ratio: &Spread,
    atomic_ratio: &Spread,
) -> Verdict {
    let criterion = format!(
        "the median of the per-turn ratios (interleaved runs) of the Mutex's and of the atomic's CPU ns per increment (getrusage) to the Cell's: \
         both >= {SHARED_OVER_CELL}x: yes; one of them: partly (a lock costs, an atomic less so, or the other way); neither: no; \
         a cost under {FASTEST_INCREMENT_NS} ns per increment is a measurement error"
    );
    let detail = format!(
        "Mutex {}, atomic {}, Cell on the loop {}; Mutex/Cell {:.1}x, atomic/Cell {:.1}x",
        mutex.text(2, " ns"),
        atomic.text(2, " ns"),
        cell.text(2, " ns"),
        mutex_ratio.median,
        atomic_ratio.median
    );
    let over = [mutex_ratio, atomic_ratio]
        .iter()
        .filter(|r| r.median >= SHARED_OVER_CELL)
        .count();
    let holds =
        bounds(&[("Mutex", mutex), ("atomic", atomic), ("Cell", cell)]).unwrap_or(match over {
            2 => Holds::Yes,
            1 => Holds::Partly,
            _ => Holds::No,
        });
    Verdict::new(SHARING_CLAIM, criterion, holds, detail)
}

/// `counter`: per-thread counters summed at the end, against the shared
/// atomic (ns per increment, and the per-turn ratio local/atomic).
pub fn sharing_not_threads(local: &Spread, atomic: &Spread, local_ratio: &Spread) -> Verdict {
    let criterion = "the median per-turn ratio of the per-thread counters' CPU ns per increment to the shared atomic's is <= 0.5; \
         a cost under 0.05 ns per increment is a measurement error";
    let detail = format!(
        "per-thread counters {}, shared atomic {}; ratio {:.2}",
        local.text(2, " ns"),
        atomic.text(2, " ns"),
        local_ratio.median
    );
    let holds = bounds(&[("per-thread", local), ("atomic", atomic)]).unwrap_or(
        if local_ratio.median <= 0.5 {
            Holds::Yes
        } else {
            Holds::No
        },
    );
    Verdict::new(NOT_THREADS_CLAIM, criterion, holds, detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::claims::testing::{is_error, s};

    #[test]
    fn shared_counters_both_sides_of_the_line() {
        let (m, a, c) = (s(&[40.0]), s(&[12.0]), s(&[1.0]));
        let yes = shared_counter_cost(&m, &a, &c, &s(&[40.0]), &s(&[12.0]));
        assert_eq!(yes.holds, Holds::Yes, "{yes:?}");
        assert!(yes.criterion.contains(">= 2x: yes"), "{yes:?}");
        let partly = shared_counter_cost(&m, &s(&[1.9]), &c, &s(&[40.0]), &s(&[1.9]));
        assert_eq!(partly.holds, Holds::Partly, "the atomic within 2x");
        let no = shared_counter_cost(&m, &s(&[1.9]), &c, &s(&[1.5]), &s(&[1.9]));
        assert_eq!(no.holds, Holds::No);
        assert_eq!(
            shared_counter_cost(&m, &a, &c, &s(&[2.0]), &s(&[2.0])).holds,
            Holds::Yes,
            "the line itself"
        );
    }

    #[test]
    fn an_increment_faster_than_the_machine_is_an_error() {
        let v = shared_counter_cost(
            &s(&[40.0]),
            &s(&[12.0]),
            &s(&[0.01]),
            &s(&[4e3]),
            &s(&[1e3]),
        );
        assert!(is_error(&v), "{v:?}");
        let v = sharing_not_threads(&s(&[0.0]), &s(&[12.0]), &s(&[0.0]));
        assert!(is_error(&v), "{v:?}");
    }

    #[test]
    fn per_thread_counters_both_sides() {
        let (l, a) = (s(&[0.5]), s(&[12.0]));
        assert_eq!(sharing_not_threads(&l, &a, &s(&[0.04])).holds, Holds::Yes);
        assert_eq!(sharing_not_threads(&l, &a, &s(&[0.5])).holds, Holds::Yes);
        assert_eq!(sharing_not_threads(&l, &a, &s(&[0.8])).holds, Holds::No);
    }
}
