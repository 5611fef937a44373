//! Latency and mixed work (`latency`, `hybrid`): seed 002's "for
//! network-bound tasks prioritizing latency, opt for Async IO", and "a
//! hybrid approach combining both methods might yield superior outcomes"
//! for CPU-bound work alongside I/O.

use crate::support::measure::Spread;
use crate::support::verdict::{Holds, Verdict};

/// The loop must beat the threads by this much (p99, medians) to be
/// "better", and the hybrid its rivals (paired ratios).
pub const BETTER_BY: f64 = 1.1;

/// Seed 002's latency claim.
pub const LATENCY_CLAIM: &str =
    "for network-bound tasks prioritizing latency, async IO is better than threads";
/// The part with a CPU-heavy request.
pub const CPU_MIX: &str = "with one CPU-heavy request in the mix, run in its task on the loop";
/// The cure on the loop.
pub const OFFLOAD_CLAIM: &str = "moving the CPU part to spawn_blocking (a thread pool) takes it off the loop: the other requests' p99 falls back";
/// Seed 002's hybrid claim.
pub const HYBRID_CLAIM: &str = "for CPU-bound work alongside I/O, a hybrid (an event loop for the I/O, a thread pool for the CPU part) yields superior outcomes";

/// A p50 under the I/O wait every request makes is impossible (less a
/// tenth of a millisecond for timer rounding).
fn below_floor(p50s: &[(&str, &Spread)], io_ms: f64) -> Option<Holds> {
    p50s.iter().find_map(|(name, s)| {
        (s.min < io_ms - 0.1).then(|| {
            Holds::MeasurementError(format!(
                "{name}: a p50 of {:.2} ms, under the {io_ms} ms every request waits on the server",
                s.min
            ))
        })
    })
}

/// `latency`: the loop's p99 of the I/O requests against the threads'
/// (ms, median over interleaved runs), with `part` saying which mix.
pub fn loop_latency_better(
    part: &str,
    loop_p: (&Spread, &Spread),
    threads_p: (&Spread, &Spread),
    io_ms: f64,
) -> Verdict {
    let ((l50, l99), (t50, t99)) = (loop_p, threads_p);
    let criterion = format!(
        "the loop's p99 of the I/O requests (median of the runs) <= the threads' / {BETTER_BY}; \
         a p50 under the server's I/O wait ({io_ms} ms) is a measurement error"
    );
    let detail = format!(
        "p99: loop {:.2} ms, threads {:.2} ms (p50: {:.2} ms, {:.2} ms); threads/loop {:.2}x",
        l99.median,
        t99.median,
        l50.median,
        t50.median,
        t99.median / l99.median
    );
    let holds = below_floor(&[("loop", l50), ("threads", t50)], io_ms).unwrap_or(
        if l99.median * BETTER_BY <= t99.median {
            Holds::Yes
        } else {
            Holds::No
        },
    );
    Verdict::new(
        format!("{LATENCY_CLAIM} ({part})"),
        criterion,
        holds,
        detail,
    )
}

/// `latency`: with the CPU part on `spawn_blocking`, the loop's p99 of the
/// I/O requests is at most half of what it was with the CPU part inline.
pub fn offload_restores(inline_p99: &Spread, offload_p: (&Spread, &Spread), io_ms: f64) -> Verdict {
    let (o50, o99) = offload_p;
    let criterion = format!(
        "p99 of the I/O requests with the CPU part on spawn_blocking <= 0.5x the p99 with it inline (medians of the runs); \
         a p50 under the server's I/O wait ({io_ms} ms) is a measurement error"
    );
    let holds = below_floor(&[("spawn_blocking", o50)], io_ms).unwrap_or(
        if o99.median <= 0.5 * inline_p99.median {
            Holds::Yes
        } else {
            Holds::No
        },
    );
    Verdict::new(
        OFFLOAD_CLAIM,
        criterion,
        holds,
        format!(
            "p99 {:.2} ms on spawn_blocking, {:.2} ms inline",
            o99.median, inline_p99.median
        ),
    )
}

/// `hybrid`: `what` (wall time, p99) of the loop alone and of threads
/// alone over the hybrid's, as per-turn ratios (above 1: the hybrid did
/// better). `max_over_loop` bounds what the hybrid can gain on the loop
/// (its pool adds at most the cores); `floor` is the smallest value
/// measured on any side and the least it can physically be (ms).
pub fn hybrid_best(
    what: &str,
    over_loop: &Spread,
    over_threads: &Spread,
    max_over_loop: f64,
    floor: (f64, f64),
) -> Verdict {
    let (smallest, least) = floor;
    let criterion = format!(
        "{what}: median of the per-turn ratios (interleaved runs) of the loop alone and of threads alone to the hybrid: \
         both >= {BETTER_BY}x: yes; one of them: partly (the hybrid beat one rival, the other was as good, within {BETTER_BY}x, or better); \
         neither: no; a ratio <= 0, over the loop above {max_over_loop:.1}x (the pool's cores plus the loop), \
         or any {what} under {least:.1} ms (the I/O waits alone) less 1 ms, is a measurement error"
    );
    let detail = format!(
        "{what}: loop alone / hybrid {}, threads alone / hybrid {}",
        over_loop.text(2, "x"),
        over_threads.text(2, "x")
    );
    let holds = if over_loop.min <= 0.0 || over_threads.min <= 0.0 {
        Holds::MeasurementError("a ratio <= 0".into())
    } else if smallest + 1.0 < least {
        Holds::MeasurementError(format!(
            "{smallest:.1} ms is less than the {least:.1} ms of I/O waits"
        ))
    } else if over_loop.median > max_over_loop {
        Holds::MeasurementError(format!(
            "{:.2}x over the loop alone is more than the pool's cores can give",
            over_loop.median
        ))
    } else {
        match (
            over_loop.median >= BETTER_BY,
            over_threads.median >= BETTER_BY,
        ) {
            (true, true) => Holds::Yes,
            (false, false) => Holds::No,
            _ => Holds::Partly,
        }
    };
    Verdict::new(format!("{HYBRID_CLAIM} ({what})"), criterion, holds, detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::claims::testing::{is_error, s};

    #[test]
    fn loop_latency_both_sides() {
        let (p50, p99) = (s(&[2.2]), s(&[3.0]));
        let better = loop_latency_better("io", (&p50, &p99), (&s(&[2.3]), &s(&[4.0])), 2.0);
        assert_eq!(better.holds, Holds::Yes, "{better:?}");
        let tie = loop_latency_better("io", (&p50, &p99), (&s(&[2.3]), &s(&[3.2])), 2.0);
        assert_eq!(tie.holds, Holds::No, "within 10 %: not better");
        assert!(tie.detail.contains("threads/loop 1.07x"), "{tie:?}");
        let worse = loop_latency_better("cpu", (&p50, &s(&[22.0])), (&s(&[2.3]), &s(&[4.0])), 2.0);
        assert_eq!(worse.holds, Holds::No);
        assert!(worse.claim.ends_with("(cpu)"));
    }

    #[test]
    fn a_p50_under_the_io_wait_is_an_error() {
        let v = loop_latency_better(
            "io",
            (&s(&[0.5]), &s(&[3.0])),
            (&s(&[2.3]), &s(&[4.0])),
            2.0,
        );
        assert!(is_error(&v), "{v:?}");
        assert!(is_error(&offload_restores(
            &s(&[20.0]),
            (&s(&[1.0]), &s(&[3.0])),
            2.0
        )));
    }

    #[test]
    fn offload_both_sides() {
        let v = offload_restores(&s(&[20.0]), (&s(&[2.1]), &s(&[4.0])), 2.0);
        assert_eq!(v.holds, Holds::Yes);
        let v = offload_restores(&s(&[20.0]), (&s(&[2.1]), &s(&[12.0])), 2.0);
        assert_eq!(v.holds, Holds::No);
    }

    #[test]
    fn hybrid_yes_partly_no_and_bounds() {
        let f = (100.0, 50.0);
        let h = |l: f64, t: f64| hybrid_best("wall", &s(&[l]), &s(&[t]), 3.3, f);
        assert_eq!(h(1.8, 1.2).holds, Holds::Yes);
        assert_eq!(h(1.8, 1.0).holds, Holds::Partly);
        assert_eq!(h(1.8, 0.7).holds, Holds::Partly);
        assert_eq!(
            h(1.05, 1.5).holds,
            Holds::Partly,
            "threads beaten, the loop not"
        );
        assert_eq!(h(1.05, 0.9).holds, Holds::No);
        assert!(is_error(&h(4.0, 1.5)));
        assert!(is_error(&h(1.5, 0.0)));
        let v = hybrid_best("wall", &s(&[1.5]), &s(&[1.5]), 3.3, (40.0, 50.0));
        assert!(is_error(&v), "faster than its waits: {v:?}");
    }
}
