//! Where concurrency stops paying (`baseline`): seed 002's "if your
//! application isn't heavily reliant on external resources ...,
//! synchronous code may suffice", measured against a synchronous program,
//! not computed from a formula.

use crate::support::measure::Spread;
use crate::support::verdict::{Holds, Verdict};

/// Seed 002's claim.
pub const SYNC_CLAIM: &str = "where the work does not wait on external resources, synchronous code may suffice; where it waits, concurrency pays";
/// Below this speed-up over the synchronous run, concurrency did not pay.
pub const SUFFICES_BELOW: f64 = 1.5;
/// From this speed-up on, it did.
pub const PAYS_FROM: f64 = 2.0;

/// One workload measured against its synchronous run.
#[derive(Clone, Debug)]
pub struct Against {
    /// What was run (`fetch, no wait`).
    pub name: String,
    /// Whether each unit of work waits on something outside (a server's
    /// latency) or not (a local answer, a file in the page cache).
    pub waits: bool,
    /// The best concurrent model's speed-up over the synchronous run
    /// (per-turn ratios).
    pub speedup: Spread,
    /// The most it can physically be (cores, for reads of cached files:
    /// CPU work), before the 10 % slack; infinite where no bound holds.
    pub bound: f64,
}

/// `baseline`: the workloads without waits gain little from concurrency;
/// the one with waits gains a lot.
pub fn synchronous_suffices(points: &[Against]) -> Verdict {
    let criterion = format!(
        "speed-up of the better concurrent model over the synchronous run (per-turn ratios, median): \
         every workload without waits < {SUFFICES_BELOW}x (synchronous suffices) and every workload with waits >= {PAYS_FROM}x \
         (concurrency pays): yes; one of the two: partly; neither: no; a speed-up <= 0, or for reads of cached files (CPU work) \
         above the cores x 1.1, is a measurement error"
    );
    let detail = points
        .iter()
        .map(|p| format!("{}: {}", p.name, p.speedup.text(2, "x")))
        .collect::<Vec<_>>()
        .join("; ");
    let error = points.iter().find_map(|p| {
        if p.speedup.min <= 0.0 {
            Some(format!("{}: a speed-up of {:.2}x", p.name, p.speedup.min))
        } else if p.speedup.median > p.bound * super::BOUND_SLACK {
            Some(format!(
                "{}: {:.2}x is more than {:.0} at once can give",
                p.name, p.speedup.median, p.bound
            ))
        } else {
            None
        }
    });
    let (waiting, not): (Vec<&Against>, Vec<&Against>) = points.iter().partition(|p| p.waits);
    let holds = if let Some(e) = error {
        Holds::MeasurementError(e)
    } else if waiting.is_empty() || not.is_empty() {
        Holds::NotRun("needs a workload with waits and one without".into())
    } else {
        let suffices = not.iter().all(|p| p.speedup.median < SUFFICES_BELOW);
        let pays = waiting.iter().all(|p| p.speedup.median >= PAYS_FROM);
        match (suffices, pays) {
            (true, true) => Holds::Yes,
            (false, false) => Holds::No,
            _ => Holds::Partly,
        }
    };
    Verdict::new(SYNC_CLAIM, criterion, holds, detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::claims::testing::{is_error, s};

    fn at(name: &str, waits: bool, x: f64) -> Against {
        Against {
            name: name.into(),
            waits,
            speedup: s(&[x]),
            bound: 10.0,
        }
    }

    #[test]
    fn both_sides_of_both_lines() {
        let v = |a: f64, b: f64, c: f64| {
            synchronous_suffices(&[
                at("fetch, no wait", false, a),
                at("files", false, b),
                at("fetch, 20 ms", true, c),
            ])
            .holds
        };
        assert_eq!(v(1.2, 0.8, 8.0), Holds::Yes);
        assert_eq!(
            v(1.6, 0.8, 8.0),
            Holds::Partly,
            "concurrency paid without waits"
        );
        assert_eq!(v(1.2, 0.8, 1.9), Holds::Partly, "it did not pay with waits");
        assert_eq!(v(1.6, 0.8, 1.9), Holds::No);
        assert_eq!(v(1.49, 0.8, 2.0), Holds::Yes, "the lines themselves");
    }

    #[test]
    fn bounds_and_missing_sides() {
        assert!(is_error(&synchronous_suffices(&[
            at("a", false, 1.0),
            at("b", true, 12.0)
        ])));
        assert!(is_error(&synchronous_suffices(&[
            at("a", false, 0.0),
            at("b", true, 5.0)
        ])));
        assert!(matches!(
            synchronous_suffices(&[at("a", false, 1.0)]).holds,
            Holds::NotRun(_)
        ));
    }
}
