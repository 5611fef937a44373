//! How the demos time things so that a number survives a noisy, shared
//! 2-core machine.
//!
//! A single timing taken once, cold, first, says more about the cache and
//! the neighbours than about the code. So every timed comparison here is:
//!
//! 1. a **warm-up**: each side runs once and its time is thrown away (page
//!    faults, lazy allocations, the CPU's frequency ramp);
//! 2. **interleaved repetitions**: the sides take turns, A B C, then C B A,
//!    and so on, so that a slow spell of the machine lands on every side
//!    rather than on whichever ran first or last;
//! 3. a **summary** of the repetitions: the median (robust to one bad
//!    run) and the spread, min..max, printed beside it so that a reader
//!    sees how far one run is from the next.
//!
//! A ratio between two sides (a speed-up) is taken per repetition, from
//! the two runs of the same turn, and then summarised: a pair run a few
//! milliseconds apart shares the machine's state.
//!
//! The number of cores is the process's CPU affinity
//! (`sched_getaffinity(2)`), not the machine's count: a process pinned to
//! one core of eight can run one thread at a time.

use crate::support::json;

/// The median and range of some repeated measurements.
#[derive(Clone, Debug, PartialEq)]
pub struct Spread {
    /// The middle value (the mean of the two middle ones for an even n).
    pub median: f64,
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
    /// Every value, in the order measured.
    pub samples: Vec<f64>,
}

impl Spread {
    /// The summary of `samples`; `None` if there are none or one is not a
    /// finite number (NaN, infinity: a broken measurement, not a value).
    pub fn of(samples: &[f64]) -> Option<Spread> {
        if samples.is_empty() || samples.iter().any(|x| !x.is_finite()) {
            return None;
        }
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        Some(Spread {
            median,
            min: sorted[0],
            max: sorted[n - 1],
            samples: samples.to_vec(),
        })
    }

    /// The number of repetitions.
    pub fn n(&self) -> usize {
        self.samples.len()
    }

    /// `median (min..max, n runs)` with `decimals` digits and a unit
    /// suffix, e.g. `1.93x (1.85..1.97, 5 runs)`.
    pub fn text(&self, decimals: usize, unit: &str) -> String {
        format!(
            "{:.d$}{unit} (range {:.d$}..{:.d$}, {} runs)",
            self.median,
            self.min,
            self.max,
            self.n(),
            d = decimals
        )
    }

    /// As a JSON object: median, min, max and the samples.
    pub fn json(&self) -> json::Object {
        json::Object::new()
            .num("median", self.median)
            .num("min", self.min)
            .num("max", self.max)
            .value(
                "samples",
                json::array(self.samples.iter().map(|&x| json::number(x))),
            )
    }
}

/// Runs every side once as a warm-up (results discarded), then
/// `repetitions` turns in which each side runs once, in an order that
/// reverses every turn; returns each side's values, in the sides' order.
///
/// A side returns its measurement (a time in ms, ns per switch...) or an
/// error, which ends the whole run.
pub fn interleaved(
    repetitions: usize,
    sides: &mut [&mut dyn FnMut() -> Result<f64, String>],
) -> Result<Vec<Vec<f64>>, String> {
    for side in sides.iter_mut() {
        side()?; // warm-up
    }
    let mut values = vec![Vec::with_capacity(repetitions); sides.len()];
    for turn in 0..repetitions {
        let order: Vec<usize> = if turn % 2 == 0 {
            (0..sides.len()).collect()
        } else {
            (0..sides.len()).rev().collect()
        };
        for i in order {
            values[i].push(sides[i]()?);
        }
    }
    Ok(values)
}

/// A side of [`interleaved_boxed`]: one configuration's measurement, a
/// closure that may borrow what it fills.
pub type Side<'a> = Box<dyn FnMut() -> Result<f64, String> + 'a>;

/// [`interleaved`] over sides built one per configuration (boxed, in a
/// `Vec`), which it consumes: what they borrow is free again when it
/// returns.
pub fn interleaved_boxed(
    repetitions: usize,
    mut sides: Vec<Side<'_>>,
) -> Result<Vec<Vec<f64>>, String> {
    let mut refs: Vec<&mut dyn FnMut() -> Result<f64, String>> =
        sides.iter_mut().map(|s| s.as_mut() as _).collect();
    interleaved(repetitions, &mut refs)
}

/// Per-turn ratios `numerator[i] / denominator[i]` (e.g. a speed-up:
/// sequential time over parallel time of the same turn). A zero or
/// negative denominator gives a non-finite or negative ratio, which the
/// verdicts report as a measurement error.
pub fn ratios(numerator: &[f64], denominator: &[f64]) -> Vec<f64> {
    numerator
        .iter()
        .zip(denominator)
        .map(|(n, d)| if *d == 0.0 { f64::INFINITY } else { n / d })
        .collect()
}

/// The CPUs this process may run on: `sched_getaffinity(2)` counted with
/// `CPU_COUNT`. Falls back to `available_parallelism` (which reads the
/// same mask, and cgroup quotas) if the call fails.
pub fn cores() -> usize {
    // SAFETY: cpu_set_t is a plain bit array; all zeros is a valid value.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a valid, writable cpu_set_t of the size passed, for
    // the duration of the call; pid 0 is this thread.
    let rc =
        unsafe { libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) };
    if rc == 0 {
        // SAFETY: `set` was filled in by the successful call above.
        let n = unsafe { libc::CPU_COUNT(&set) };
        if n > 0 {
            return n as usize;
        }
    }
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The 1-minute load average (`/proc/loadavg`): how many threads of the
/// whole machine wanted a CPU, on average. Printed beside the timings: a
/// parallel speed-up needs idle cores, and a shared machine may have none.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// `load average L on N core(s)`, or `load average unknown`.
pub fn load_text(cores: usize) -> String {
    load_average().map_or("load average unknown".to_string(), |l| {
        format!("machine load average {l:.2} (/proc/loadavg) on {cores} core(s)")
    })
}

/// Milliseconds in a duration, as a float.
pub fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        let s = Spread::of(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.median, s.min, s.max, s.n()), (2.0, 1.0, 3.0, 3));
        let s = Spread::of(&[4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!(s.median, 2.5);
        assert_eq!(s.samples, vec![4.0, 1.0, 3.0, 2.0], "kept in order");
    }

    #[test]
    fn no_summary_of_nothing_or_of_a_broken_value() {
        assert!(Spread::of(&[]).is_none());
        assert!(Spread::of(&[1.0, f64::NAN]).is_none());
        assert!(Spread::of(&[f64::INFINITY]).is_none());
    }

    #[test]
    fn the_median_ignores_one_outlier() {
        let s = Spread::of(&[1.0, 1.1, 0.9, 50.0, 1.0]).unwrap();
        assert_eq!(s.median, 1.0);
        assert_eq!(s.max, 50.0, "but the range shows it");
    }

    #[test]
    fn sides_take_turns_after_one_warm_up_each() {
        let log = std::cell::RefCell::new(Vec::new());
        let mut a = || {
            log.borrow_mut().push('a');
            Ok(1.0)
        };
        let mut b = || {
            log.borrow_mut().push('b');
            Ok(2.0)
        };
        let values = interleaved(3, &mut [&mut a, &mut b]).unwrap();
        assert_eq!(values, vec![vec![1.0; 3], vec![2.0; 3]]);
        // warm-up a b, then ab, ba, ab.
        assert_eq!(log.into_inner(), "ababbaab".chars().collect::<Vec<_>>());
    }

    #[test]
    fn boxed_sides_take_turns_and_free_what_they_borrow() {
        let log = std::cell::RefCell::new(Vec::new());
        let sides: Vec<Side> = ['a', 'b']
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let log = &log;
                Box::new(move || {
                    log.borrow_mut().push(c);
                    Ok(i as f64)
                }) as Side
            })
            .collect();
        let values = interleaved_boxed(2, sides).unwrap();
        assert_eq!(values, vec![vec![0.0; 2], vec![1.0; 2]]);
        // Moving the log out compiles only if the sides' borrows ended.
        assert_eq!(log.into_inner(), "ababba".chars().collect::<Vec<_>>());
    }

    #[test]
    fn an_error_ends_the_run() {
        let mut ok = || Ok(1.0);
        let mut bad = || Err("broke".to_string());
        assert_eq!(
            interleaved(3, &mut [&mut ok, &mut bad]),
            Err("broke".to_string())
        );
    }

    #[test]
    fn ratios_pair_the_same_turn() {
        assert_eq!(ratios(&[4.0, 9.0], &[2.0, 3.0]), vec![2.0, 3.0]);
        assert!(ratios(&[1.0], &[0.0])[0].is_infinite());
    }

    #[test]
    fn the_load_average_is_a_number() {
        assert!(load_average().is_some_and(|l| l >= 0.0));
    }

    #[test]
    fn cores_come_from_the_affinity_mask() {
        // available_parallelism reads the same mask and may lower it further
        // by a cgroup quota; never higher.
        let n = cores();
        assert!(n >= std::thread::available_parallelism().map_or(1, |n| n.get()));
    }
}
