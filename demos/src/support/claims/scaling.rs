//! How costs and throughput change with a count (`switch-scale`, `scale`):
//! the cost of a switch as the threads multiply, and the throughput of a
//! CPU-bound server as event loops (or threads) are added.

use crate::support::measure::Spread;
use crate::support::verdict::{Holds, Verdict};

use super::{BOUND_SLACK, MIN_PARALLEL_SPEEDUP};

/// Seed 001's claim about many threads.
pub const GROWTH_CLAIM: &str = "OS-level context switching introduces overhead, especially with a large number of threads: the cost per switch grows with the number of threads";
/// The loop's side of the curve.
pub const TASKS_CHEAPER_CLAIM: &str =
    "switching between tasks stays cheaper than between threads at every count";

/// How much the cost per switch must grow from the smallest count to the
/// largest (medians) to count as growing.
pub const GROWTH: f64 = 1.25;

/// `switch-scale`: the threads' ns per switch at each count (in the order
/// of `counts`, ascending) grows from the first to the last.
pub fn switch_cost_grows(counts: &[usize], thread_ns: &[Spread]) -> Verdict {
    let criterion = format!(
        "median CPU ns per switch (getrusage) of the threads at the largest count >= {GROWTH}x the median at the smallest \
         (runs of every count interleaved); a time <= 0 is a measurement error; fewer than 2 counts: not run"
    );
    let curve = counts
        .iter()
        .zip(thread_ns)
        .map(|(n, s)| format!("{n}: {:.0}", s.median))
        .collect::<Vec<_>>()
        .join(", ");
    let (first, last) = (thread_ns.first(), thread_ns.last());
    let (holds, detail) = match (first, last) {
        _ if thread_ns.iter().any(|s| s.min <= 0.0) => (
            Holds::MeasurementError("a switch took no time".into()),
            curve,
        ),
        (Some(f), Some(l)) if thread_ns.len() >= 2 => {
            let growth = l.median / f.median;
            let holds = if growth >= GROWTH {
                Holds::Yes
            } else {
                Holds::No
            };
            (
                holds,
                format!(
                    "CPU ns per switch by thread count: {curve}; {:.2}x from {} to {} threads",
                    growth,
                    counts.first().copied().unwrap_or(0),
                    counts.last().copied().unwrap_or(0)
                ),
            )
        }
        _ => (
            Holds::NotRun("fewer than 2 thread counts could be measured".into()),
            curve,
        ),
    };
    Verdict::new(GROWTH_CLAIM, criterion, holds, detail)
}

/// `switch-scale`: at every count, every thread run's ns per switch is
/// above every loop run's.
pub fn tasks_cheaper_at_every_count(
    counts: &[usize],
    loop_ns: &[Spread],
    thread_ns: &[Spread],
) -> Verdict {
    let criterion = "CPU ns per switch: at every count measured on both models, the threads' cheapest run costs more than the loop's costliest (threads' min > loop's max); a time <= 0 is a measurement error";
    let pairs: Vec<_> = counts.iter().zip(loop_ns.iter().zip(thread_ns)).collect();
    let detail = pairs
        .iter()
        .map(|(n, (l, t))| format!("{n}: loop {:.0} ns, threads {:.0} ns", l.median, t.median))
        .collect::<Vec<_>>()
        .join("; ");
    let holds = if pairs.iter().any(|(_, (l, t))| l.min <= 0.0 || t.min <= 0.0) {
        Holds::MeasurementError("a switch took no time".into())
    } else if pairs.is_empty() {
        Holds::NotRun("no count was measured on both models".into())
    } else if pairs.iter().all(|(_, (l, t))| t.min > l.max) {
        Holds::Yes
    } else {
        Holds::No
    };
    Verdict::new(TASKS_CHEAPER_CLAIM, criterion, holds, detail)
}

/// `scale`: a CPU-bound server's throughput with more workers (event
/// loops, or threads) over one event loop: the per-turn ratio of requests
/// per second, with at most `workers` able to run at once on `cores`.
/// `used` is the cores the servers kept busy (their CPU time over the
/// wall time, from `/proc/<pid>/stat`): the one loop's median, and this
/// server's highest. On a machine shared with other work, one loop may get
/// less than a core (the kernel shares CPU time per thread), so the bound
/// on the ratio is what this server could use over what the loop did use.
pub fn throughput_scales(
    claim: &str,
    ratio: &Spread,
    workers: usize,
    cores: usize,
    used: (f64, f64),
) -> Verdict {
    let (one_loop, this) = used;
    let most = workers.min(cores).max(1) as f64;
    let bound = most / one_loop.max(0.05);
    let criterion = format!(
        "median of the per-turn throughput ratios (interleaved runs) over 1 event loop >= {MIN_PARALLEL_SPEEDUP}x with >= 2 cores; \
         a ratio <= 0, a server keeping more than min({workers} workers, {cores} cores) x {BOUND_SLACK} cores busy, \
         or a ratio above what it could use over what the one loop used ({most:.0} / {one_loop:.2} cores) x {BOUND_SLACK}, is a measurement error"
    );
    let holds = if ratio.min <= 0.0 {
        Holds::MeasurementError(format!("a ratio of {:.2}x", ratio.min))
    } else if this > most * BOUND_SLACK || one_loop > BOUND_SLACK {
        Holds::MeasurementError(format!(
            "a server kept {:.2} cores busy, more than its threads or the machine can",
            this.max(one_loop)
        ))
    } else if ratio.median > bound * BOUND_SLACK {
        Holds::MeasurementError(format!(
            "{:.2}x is more than {most:.0} core(s) over {one_loop:.2} can give",
            ratio.median
        ))
    } else if cores < 2 {
        Holds::NotRun("1 core: a second worker has nowhere to run".into())
    } else if ratio.median >= MIN_PARALLEL_SPEEDUP {
        Holds::Yes
    } else {
        Holds::No
    };
    Verdict::new(
        claim,
        criterion,
        holds,
        format!(
            "{} over 1 loop, on {cores} core(s); cores kept busy: 1 loop {one_loop:.2}, this server up to {this:.2}",
            ratio.text(2, "x")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::claims::testing::{is_error, s};

    #[test]
    fn growth_both_sides_of_the_line() {
        let counts = [2, 16, 128];
        let grows = [s(&[8000.0]), s(&[9000.0]), s(&[10000.0])];
        assert_eq!(switch_cost_grows(&counts, &grows).holds, Holds::Yes);
        let flat = [s(&[8000.0]), s(&[7000.0]), s(&[9000.0])];
        assert_eq!(switch_cost_grows(&counts, &flat).holds, Holds::No);
        let v = switch_cost_grows(&counts, &flat);
        assert!(v.detail.contains("1.12x from 2 to 128"), "{v:?}");
        assert!(is_error(&switch_cost_grows(
            &counts,
            &[s(&[0.0]), s(&[1.0]), s(&[2.0])]
        )));
        assert!(matches!(
            switch_cost_grows(&[2], &[s(&[8000.0])]).holds,
            Holds::NotRun(_)
        ));
    }

    #[test]
    fn tasks_cheaper_needs_separated_ranges_at_every_count() {
        let counts = [2, 16];
        let l = [s(&[30.0, 40.0]), s(&[50.0, 60.0])];
        let t = [s(&[7000.0, 8000.0]), s(&[5000.0, 9000.0])];
        assert_eq!(
            tasks_cheaper_at_every_count(&counts, &l, &t).holds,
            Holds::Yes
        );
        let t = [s(&[7000.0, 8000.0]), s(&[55.0, 9000.0])];
        assert_eq!(
            tasks_cheaper_at_every_count(&counts, &l, &t).holds,
            Holds::No
        );
        assert!(matches!(
            tasks_cheaper_at_every_count(&[], &[], &[]).holds,
            Holds::NotRun(_)
        ));
        assert!(is_error(&tasks_cheaper_at_every_count(
            &[2],
            &[s(&[-1.0])],
            &[s(&[9.0])]
        )));
    }

    #[test]
    fn throughput_scales_both_sides_and_bounds() {
        let full = (1.0, 2.0);
        let t = |r: &[f64], cores, used| throughput_scales("c", &s(r), 2, cores, used).holds;
        assert_eq!(t(&[1.8, 1.7], 2, full), Holds::Yes);
        assert_eq!(t(&[1.2], 2, full), Holds::No);
        assert!(matches!(t(&[2.5], 2, full), Holds::MeasurementError(_)));
        assert_eq!(t(&[2.15], 2, full), Holds::Yes, "within the slack");
        // One loop that got a third of a core: 2.8x is possible.
        assert_eq!(t(&[2.8], 2, (0.35, 1.9)), Holds::Yes);
        // More cores busy than the server has threads, or than the machine has.
        assert!(matches!(
            t(&[1.8], 2, (1.0, 2.5)),
            Holds::MeasurementError(_)
        ));
        assert!(matches!(
            t(&[1.8], 2, (1.3, 2.0)),
            Holds::MeasurementError(_)
        ));
        assert!(matches!(t(&[1.0], 1, (1.0, 1.0)), Holds::NotRun(_)));
        assert!(matches!(t(&[0.0], 2, full), Holds::MeasurementError(_)));
    }
}
