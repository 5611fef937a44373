//! The trace's clock: the CPU's time-stamp counter where it is a clock,
//! `CLOCK_MONOTONIC` elsewhere.
//!
//! A trace event needs a timestamp, and the event loop's hot paths (a poll,
//! a wake) are a few dozen nanoseconds long: `Instant::now()` (the vDSO's
//! `clock_gettime(CLOCK_MONOTONIC)`, which itself reads the TSC and then
//! scales it under a seqlock) costs about as much as the poll it would time.
//! So the recorder stores **raw ticks** and converts them to nanoseconds once,
//! when the trace is written:
//!
//! - **x86-64 with a usable TSC**: a tick is one `rdtsc` (no syscall, no
//!   seqlock, no multiply). At [`TraceClock::new`] and again at
//!   [`TraceClock::calibrate`] (write time) the TSC is read together with
//!   `CLOCK_MONOTONIC`; the two pairs give the rate, so a tick becomes
//!   nanoseconds with the rate measured over the whole trace, and the error
//!   of any converted time is bounded by the pairing's jitter (tens of ns),
//!   not by the trace's length.
//! - **elsewhere, or when the TSC is not a clock**, a tick is a nanosecond of
//!   `Instant` (`CLOCK_MONOTONIC`), as before, and the trace's `otherData`
//!   says why.
//!
//! "Usable" means what the kernel itself requires before it trusts the TSC
//! as its clocksource: `/proc/cpuinfo` lists `constant_tsc` (the rate does
//! not follow the core's frequency) and `nonstop_tsc` (it keeps counting in
//! deep sleep states), and the current clocksource
//! (`/sys/devices/system/clocksource/clocksource0/current_clocksource`) is
//! `tsc`, which the kernel only selects after checking that the counters of
//! all CPUs agree: the loop's thread may migrate between CPUs, and its times
//! must still only go forward.

use std::time::Instant;

/// Where the ticks come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// `rdtsc`.
    Tsc,
    /// Nanoseconds of `Instant` since `TraceClock::base`.
    Monotonic,
}

/// A TSC reading and a `CLOCK_MONOTONIC` reading (ns since `base`) taken
/// together.
#[derive(Clone, Copy, Debug)]
struct Pair {
    ticks: u64,
    ns: u64,
}

/// The recorder's clock (see the module doc).
pub(crate) struct TraceClock {
    source: Source,
    base: Instant,
    start: Pair,
    /// Why the TSC is not used, for `otherData` (empty when it is).
    fallback: String,
}

/// Ticks to nanoseconds since the trace began, with the rate measured over
/// the trace (see [`TraceClock::calibrate`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ToNanos {
    start_ticks: u64,
    span_ticks: u64,
    span_ns: u64,
}

impl ToNanos {
    /// Nanoseconds since the trace began at `ticks`; monotonic in `ticks`
    /// (integer arithmetic, one rate), and 0 for a tick before the start.
    #[inline]
    pub(crate) fn ns(&self, ticks: u64) -> u64 {
        let dt = ticks.saturating_sub(self.start_ticks);
        (u128::from(dt) * u128::from(self.span_ns) / u128::from(self.span_ticks.max(1))) as u64
    }
}

/// What [`TraceClock::calibrate`] found: the conversion and a description
/// for the trace's `otherData`.
pub(crate) struct Calibration {
    pub(crate) to_ns: ToNanos,
    pub(crate) description: String,
}

impl TraceClock {
    /// The TSC if it is usable here (module doc), else `CLOCK_MONOTONIC`.
    pub(crate) fn new() -> TraceClock {
        match tsc_unusable() {
            None => TraceClock::with_source(Source::Tsc, String::new()),
            Some(why) => TraceClock::with_source(Source::Monotonic, why),
        }
    }

    /// `CLOCK_MONOTONIC` whatever the machine has (the fallback, for tests).
    #[cfg(test)]
    pub(crate) fn monotonic() -> TraceClock {
        TraceClock::with_source(Source::Monotonic, "asked for".into())
    }

    fn with_source(source: Source, fallback: String) -> TraceClock {
        let base = Instant::now();
        let mut clock = TraceClock {
            source,
            base,
            start: Pair { ticks: 0, ns: 0 },
            fallback,
        };
        clock.start = clock.pair();
        clock
    }

    /// The current time in ticks: one `rdtsc`, or `Instant::elapsed`.
    #[inline(always)]
    pub(crate) fn now(&self) -> u64 {
        match self.source {
            Source::Tsc => rdtsc().unwrap_or(0),
            Source::Monotonic => self.base.elapsed().as_nanos() as u64,
        }
    }

    /// Ticks and `CLOCK_MONOTONIC` read together: of five tries, the one
    /// whose two TSC reads around the `clock_gettime` are closest, with the
    /// TSC taken at their midpoint.
    fn pair(&self) -> Pair {
        if self.source == Source::Monotonic {
            let ns = self.base.elapsed().as_nanos() as u64;
            return Pair { ticks: ns, ns };
        }
        let mut best: Option<(u64, Pair)> = None;
        for _ in 0..5 {
            let a = self.now();
            let ns = self.base.elapsed().as_nanos() as u64;
            let b = self.now();
            let gap = b.wrapping_sub(a);
            let pair = Pair {
                ticks: a + gap / 2,
                ns,
            };
            if best.is_none_or(|(g, _)| gap < g) {
                best = Some((gap, pair));
            }
        }
        best.map_or(Pair { ticks: 0, ns: 0 }, |(_, p)| p)
    }

    /// Reads the clocks again and returns the conversion of ticks to
    /// nanoseconds with the rate measured since [`new`](Self::new). A trace
    /// shorter than a millisecond is calibrated over a millisecond more of
    /// waiting, so that the rate comes from a span much longer than the
    /// pairing's jitter.
    pub(crate) fn calibrate(&self) -> Calibration {
        let mut end = self.pair();
        if self.source == Source::Tsc && end.ns.saturating_sub(self.start.ns) < 1_000_000 {
            std::thread::sleep(std::time::Duration::from_millis(1));
            end = self.pair();
        }
        let to_ns = ToNanos {
            start_ticks: self.start.ticks,
            span_ticks: end.ticks.saturating_sub(self.start.ticks),
            span_ns: end.ns.saturating_sub(self.start.ns),
        };
        let description = match self.source {
            Source::Tsc => format!(
                "rdtsc, {:.4} GHz measured against CLOCK_MONOTONIC over {:.1} ms",
                to_ns.span_ticks as f64 / to_ns.span_ns.max(1) as f64,
                to_ns.span_ns as f64 / 1e6
            ),
            Source::Monotonic => format!("CLOCK_MONOTONIC (Instant), not rdtsc: {}", self.fallback),
        };
        Calibration { to_ns, description }
    }
}

/// One `rdtsc`, where the instruction exists.
#[inline(always)]
fn rdtsc() -> Option<u64> {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: `rdtsc` exists on every x86-64 CPU and only reads the
        // time-stamp counter (it is unprivileged unless the kernel sets
        // CR4.TSD, which Linux does only for seccomp-strict or
        // PR_SET_TSC processes; `tsc_unusable` is the guard against using
        // it where it is not a clock).
        Some(unsafe { core::arch::x86_64::_rdtsc() })
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        None
    }
}

/// Why the TSC cannot serve as the trace's clock here, or `None` if it can
/// (module doc).
fn tsc_unusable() -> Option<String> {
    if cfg!(miri) {
        // Interpreted: no /proc to read (isolation) and no real counter.
        return Some("under Miri".into());
    }
    if !cfg!(target_arch = "x86_64") {
        return Some(format!("no TSC on {}", std::env::consts::ARCH));
    }
    let cpuinfo = match std::fs::read_to_string("/proc/cpuinfo") {
        Ok(text) => text,
        Err(e) => return Some(format!("cannot read /proc/cpuinfo: {e}")),
    };
    let flags = cpuinfo
        .lines()
        .find(|l| l.starts_with("flags"))
        .and_then(|l| l.split_once(':'))
        .map_or("", |(_, f)| f);
    for needed in ["constant_tsc", "nonstop_tsc"] {
        if !flags.split_whitespace().any(|f| f == needed) {
            return Some(format!("/proc/cpuinfo lacks the flag {needed}"));
        }
    }
    let path = "/sys/devices/system/clocksource/clocksource0/current_clocksource";
    match std::fs::read_to_string(path) {
        Ok(source) if source.trim() == "tsc" => None,
        Ok(source) => Some(format!(
            "the kernel's clocksource is {:?}, not tsc (it does not trust the TSC across CPUs)",
            source.trim()
        )),
        Err(e) => Some(format!("cannot read {path}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_convert_to_nanoseconds_that_follow_the_monotonic_clock() {
        for clock in [TraceClock::new(), TraceClock::monotonic()] {
            let t0 = clock.now();
            let wall = Instant::now();
            std::thread::sleep(std::time::Duration::from_millis(5));
            let t1 = clock.now();
            let took = wall.elapsed().as_nanos() as u64;
            let cal = clock.calibrate();
            let (n0, n1) = (cal.to_ns.ns(t0), cal.to_ns.ns(t1));
            assert!(n1 > n0, "{}: {n0} then {n1}", cal.description);
            // The converted span is the slept span, within what a loaded
            // machine adds on either side (generous: only the scale is
            // checked, not the machine's speed).
            let span = n1 - n0;
            assert!(
                span >= 4_900_000 && span <= took + 2_000_000,
                "{}: {span} ns converted, {took} ns measured",
                cal.description
            );
        }
    }

    #[test]
    fn the_fallback_says_why() {
        let cal = TraceClock::monotonic().calibrate();
        assert!(
            cal.description.starts_with("CLOCK_MONOTONIC"),
            "{}",
            cal.description
        );
        assert!(cal.description.contains("asked for"), "{}", cal.description);
    }

    #[test]
    fn conversion_is_monotonic_and_starts_at_zero() {
        let to = ToNanos {
            start_ticks: 1000,
            span_ticks: 3_000,
            span_ns: 1_000,
        };
        assert_eq!(to.ns(0), 0);
        assert_eq!(to.ns(1000), 0);
        assert_eq!(to.ns(4000), 1000);
        let mut last = 0;
        for t in (1000..10_000).step_by(7) {
            let n = to.ns(t);
            assert!(n >= last);
            last = n;
        }
    }
}
