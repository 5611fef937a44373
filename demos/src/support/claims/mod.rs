//! Every claim a demo checks, as a pure function from measured numbers to
//! a [`Verdict`], with its criterion written next to it.
//!
//! Each function first applies the physical bounds of what it is given (a
//! speed-up cannot exceed the cores used; a time cannot be negative; a
//! thread cannot tick while the loop's only thread sleeps): a number
//! outside them is a measurement error, whatever the claim. Then it
//! applies the criterion. The tests beside each function feed it
//! numbers on both sides of its line, and out of bounds, so that each
//! verdict is shown to be able to come out either way.
//!
//! One file per subject; the functions are re-exported here, so a demo
//! writes `claims::switch_cost`.

use crate::support::verdict::{Holds, Verdict};

mod baseline;
mod blocking;
mod connections;
mod cpu;
mod errors;
mod footprint;
mod latency;
mod memory;
mod scaling;
mod sharing;
mod switching;
mod waits;

pub use baseline::*;
pub use blocking::*;
pub use connections::*;
pub use cpu::*;
pub use errors::*;
pub use footprint::*;
pub use latency::*;
pub use memory::*;
pub use scaling::*;
pub use sharing::*;
pub use switching::*;
pub use waits::*;

/// The speed-up threads must reach to count as parallel (on >= 2 cores).
pub const MIN_PARALLEL_SPEEDUP: f64 = 1.5;
/// How far above a physical bound a median may go before it is called a
/// measurement error rather than timer noise: 10 %.
pub const BOUND_SLACK: f64 = 1.1;
/// The range of speed-ups that one thread can show against itself.
pub const ONE_THREAD_RANGE: (f64, f64) = (0.8, 1.25);

/// A claim made of parts: a measurement error in any part is the whole's;
/// then "not run" if a part was not run; "yes" if every part holds; else
/// "no". The criteria and details are joined.
pub fn all_of(claim: &str, parts: &[Verdict]) -> Verdict {
    let criterion = parts
        .iter()
        .map(|p| format!("[{}] {}", p.claim, p.criterion))
        .collect::<Vec<_>>()
        .join("; and ");
    let detail = parts
        .iter()
        .map(|p| format!("{} ({})", p.detail, p.holds.word()))
        .collect::<Vec<_>>()
        .join("; ");
    let first = |f: fn(&Holds) -> bool| parts.iter().map(|p| &p.holds).find(|h| f(h)).cloned();
    let holds = if let Some(e) = first(|h| matches!(h, Holds::MeasurementError(_))) {
        e
    } else if let Some(n) = first(|h| matches!(h, Holds::NotRun(_))) {
        n
    } else if parts.iter().all(|p| p.holds == Holds::Yes) && !parts.is_empty() {
        Holds::Yes
    } else {
        Holds::No
    };
    Verdict::new(claim, criterion, holds, detail)
}

/// A claim that compares the two models, when one of them was not run.
pub fn needs_both(claim: &str) -> Verdict {
    not_run_without_both(claim, "compares the two models")
}

/// [`needs_both`] with the claim's own criterion.
fn not_run_without_both(claim: &str, criterion: impl Into<String>) -> Verdict {
    Verdict::new(
        claim,
        criterion,
        Holds::NotRun("needs both models (--model both)".into()),
        "",
    )
}

#[cfg(test)]
mod testing {
    use crate::support::measure::Spread;
    use crate::support::verdict::{Holds, Verdict};

    /// A claim for the tests.
    pub const THREADS: &str = "threads give true parallelism";

    /// The spread of `values`.
    pub fn s(values: &[f64]) -> Spread {
        Spread::of(values).unwrap()
    }

    /// Whether `v` is a measurement error.
    pub fn is_error(v: &Verdict) -> bool {
        matches!(v.holds, Holds::MeasurementError(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use testing::{THREADS, is_error, s};

    #[test]
    fn all_of_is_as_weak_as_its_weakest_part() {
        let yes = one_thread_speedup(&s(&[1.0]));
        let no = parallel_speedup(THREADS, &s(&[1.1]), 4, 2);
        let err = parallel_speedup(THREADS, &s(&[8.77]), 4, 2);
        let not_run = parallel_speedup(THREADS, &s(&[1.0]), 4, 1);
        assert_eq!(all_of("c", &[yes.clone(), yes.clone()]).holds, Holds::Yes);
        assert_eq!(all_of("c", &[yes.clone(), no.clone()]).holds, Holds::No);
        assert!(is_error(&all_of("c", &[no.clone(), err])));
        assert!(matches!(
            all_of("c", &[yes.clone(), not_run]).holds,
            Holds::NotRun(_)
        ));
        assert_eq!(all_of("c", &[]).holds, Holds::No);
        let both = all_of("c", &[yes, no]);
        assert!(both.criterion.contains("; and "), "{both:?}");
    }
}
