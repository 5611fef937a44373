//! Context switches (`switch`, `compare`): a thread switch is the
//! kernel's work, a task switch is not.

use crate::support::measure::Spread;
use crate::support::verdict::{Holds, Verdict};

/// The claim of the context-switch row and of `demo switch`.
pub const SWITCH_CLAIM: &str = "thread context switches are costly (kernel-managed); event-loop switches are lightweight (user-managed)";

/// `switch`, `compare`: a thread switch costs more than a task switch.
pub fn switch_cost(loop_ns: &Spread, thread_ns: &Spread) -> Verdict {
    let criterion = "every thread run's ns per switch above every loop run's (threads' min > loop's max); a time <= 0 is a measurement error";
    let detail = format!(
        "loop {}, threads {}; a thread switch costs {:.1}x a task switch (medians)",
        loop_ns.text(1, " ns"),
        thread_ns.text(0, " ns"),
        thread_ns.median / loop_ns.median
    );
    let holds = if loop_ns.min <= 0.0 || thread_ns.min <= 0.0 {
        Holds::MeasurementError("a switch took no time".into())
    } else if thread_ns.min > loop_ns.max {
        Holds::Yes
    } else {
        Holds::No
    };
    Verdict::new(SWITCH_CLAIM, criterion, holds, detail)
}

/// [`switch_cost`] when both models ran; else not run.
pub fn switch_cost_if_both((loop_ns, thread_ns): (Option<&Spread>, Option<&Spread>)) -> Verdict {
    match (loop_ns, thread_ns) {
        (Some(l), Some(t)) => switch_cost(l, t),
        _ => super::needs_both(SWITCH_CLAIM),
    }
}

/// The claim of `compare`'s syscalls row.
pub const SYSCALLS_CLAIM: &str = "threads are switched by the kernel; async tasks in user space";

/// `compare`: a task switch makes no syscall, a thread switch makes the
/// kernel do it. Each side: syscalls per switch, or why it could not be
/// counted.
pub fn syscalls_per_switch(
    loop_side: &Result<f64, String>,
    threads: &Result<f64, String>,
) -> Verdict {
    let criterion = "syscalls per switch (ptrace count of the ping-pong, two run lengths subtracted): loop < 0.1, threads >= 1; a negative count is a measurement error";
    let claim = SYSCALLS_CLAIM;
    let (l, t) = match (loop_side, threads) {
        (Ok(l), Ok(t)) => (*l, *t),
        (Err(e), _) | (_, Err(e)) => {
            return Verdict::new(claim, criterion, Holds::MeasurementError(e.clone()), "");
        }
    };
    let detail = format!("loop {l:.2}, threads {t:.2} syscalls per switch");
    let holds = if l < 0.0 || t < 0.0 {
        Holds::MeasurementError("a negative syscall count".into())
    } else if l < 0.1 && t >= 1.0 {
        Holds::Yes
    } else {
        Holds::No
    };
    Verdict::new(claim, criterion, holds, detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::claims::testing::{is_error, s};

    #[test]
    fn switch_cost_needs_separated_ranges() {
        assert_eq!(
            switch_cost(&s(&[60.0, 70.0]), &s(&[9000.0, 12000.0])).holds,
            Holds::Yes
        );
        assert_eq!(
            switch_cost(&s(&[60.0, 9500.0]), &s(&[9000.0, 12000.0])).holds,
            Holds::No,
            "overlapping ranges"
        );
        assert_eq!(switch_cost(&s(&[900.0]), &s(&[800.0])).holds, Holds::No);
        assert!(is_error(&switch_cost(&s(&[0.0]), &s(&[800.0]))));
        assert!(is_error(&switch_cost(&s(&[10.0]), &s(&[-5.0]))));
    }

    #[test]
    fn syscalls_per_switch_both_sides() {
        assert_eq!(syscalls_per_switch(&Ok(0.02), &Ok(2.2)).holds, Holds::Yes);
        assert_eq!(syscalls_per_switch(&Ok(0.5), &Ok(2.2)).holds, Holds::No);
        assert_eq!(syscalls_per_switch(&Ok(0.02), &Ok(0.9)).holds, Holds::No);
        assert!(is_error(&syscalls_per_switch(&Ok(-0.1), &Ok(2.0))));
        let v = syscalls_per_switch(&Err("ptrace: EPERM".into()), &Ok(2.0));
        assert_eq!(v.holds, Holds::MeasurementError("ptrace: EPERM".into()));
    }
}
