//! How errors surface (`errors`).

use crate::support::verdict::{Holds, Verdict};

/// `errors`: each error kind surfaced where it was awaited or joined,
/// with its cause.
pub fn errors_surface(passed: usize, total: usize) -> Verdict {
    Verdict::new(
        "errors in concurrent tasks surface where they are awaited/joined, with their cause",
        format!("every one of the {total} checks behaved as expected (each is printed above)"),
        if total > 0 && passed == total {
            Holds::Yes
        } else if total == 0 {
            Holds::NotRun("no check run".into())
        } else {
            Holds::No
        },
        format!("{passed} of {total} as expected"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_surface_both_sides() {
        assert_eq!(errors_surface(8, 8).holds, Holds::Yes);
        assert_eq!(errors_surface(7, 8).holds, Holds::No);
        assert!(matches!(errors_surface(0, 0).holds, Holds::NotRun(_)));
    }
}
