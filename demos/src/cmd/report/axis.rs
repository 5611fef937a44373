//! A chart's axis: the range it shows, linear or logarithmic, and its
//! ticks.
//!
//! Ticks fall on round numbers (1, 2 or 5 times a power of ten). An axis
//! whose values are all positive and span more than two decades (or that
//! the data asks to be logarithmic, `x_log`) is logarithmic, with a tick
//! per decade: a thread switch at 20 µs and a task switch at 200 ns stay
//! readable on one chart.

/// One axis: the range shown, linear or logarithmic.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Axis {
    pub lo: f64,
    pub hi: f64,
    pub log: bool,
}

impl Axis {
    /// An axis that shows every finite value (and 0 when `zero`, unless it
    /// comes out logarithmic; `log` asks for logarithmic when every value
    /// is positive); `None` if there is no finite value.
    pub fn fit(values: impl IntoIterator<Item = f64>, zero: bool, log: bool) -> Option<Axis> {
        let v: Vec<f64> = values.into_iter().filter(|v| v.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        let min = v.iter().copied().fold(f64::INFINITY, f64::min);
        let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if min > 0.0 && (log || max / min > 100.0) {
            // A decade below a minimum that is a power of ten, so that its
            // bar is seen.
            let lo = 10f64.powf((min.log10() - 0.01).floor());
            let hi = 10f64.powf(max.log10().ceil()).max(lo * 10.0);
            return Some(Axis { lo, hi, log: true });
        }
        let (min, max) = if zero {
            (min.min(0.0), max.max(0.0))
        } else {
            (min, max)
        };
        let (min, max) = if max - min > 0.0 {
            (min, max)
        } else {
            (min - 1.0, max + 1.0)
        };
        let step = step(max - min);
        Some(Axis {
            lo: (min / step).floor() * step,
            hi: (max / step).ceil() * step,
            log: false,
        })
    }

    /// Where `v` falls, 0 at `lo` and 1 at `hi` (clamped).
    pub fn at(&self, v: f64) -> f64 {
        let f = if self.log {
            (v.max(self.lo).log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        };
        f.clamp(0.0, 1.0)
    }

    /// The ticks: every decade (every other past 6), or every round step.
    pub fn ticks(&self) -> Vec<f64> {
        if self.log {
            let (a, b) = (
                self.lo.log10().round() as i32,
                self.hi.log10().round() as i32,
            );
            let every = if b - a > 6 { 2 } else { 1 };
            return (a..=b).step_by(every).map(|e| 10f64.powi(e)).collect();
        }
        let step = step(self.hi - self.lo);
        let n = ((self.hi - self.lo) / step).round() as i64;
        (0..=n).map(|i| self.lo + i as f64 * step).collect()
    }
}

/// A round step (1, 2 or 5 times a power of ten) giving 3 to 7 ticks.
fn step(span: f64) -> f64 {
    let raw = span / 5.0;
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|s| span / s <= 6.0)
        .unwrap_or(10.0 * p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_are_logarithmic_past_two_decades_or_when_asked() {
        let a = Axis::fit([150.0, 20_000.0], true, false).unwrap();
        assert_eq!((a.lo, a.hi, a.log), (100.0, 100_000.0, true));
        assert_eq!(a.ticks(), [100.0, 1000.0, 10_000.0, 100_000.0]);
        let one = Axis::fit([1.0, 1001.0], true, false).unwrap();
        assert_eq!((one.lo, one.hi), (0.1, 10_000.0), "a bar at 1 is seen");
        let b = Axis::fit([3.0, 97.0], true, false).unwrap();
        assert!(!b.log);
        assert_eq!((b.lo, b.hi), (0.0, 100.0));
        assert_eq!(b.ticks().len(), 6);
        let asked = Axis::fit([2.0, 64.0], false, true).unwrap();
        assert_eq!((asked.lo, asked.hi, asked.log), (1.0, 100.0, true));
        assert!(
            !Axis::fit([0.0, 64.0], false, true).unwrap().log,
            "0 has no log"
        );
        assert!(Axis::fit([f64::NAN], true, false).is_none());
        let flat = Axis::fit([5.0, 5.0], false, false).unwrap();
        assert!(flat.hi > flat.lo);
        assert_eq!(flat.at(5.0), 0.5);
    }
}
