//! Time: [`sleep`], [`timeout`], [`interval`] and the runtime's [`Instant`].
//!
//! Timers live in a hierarchical timing wheel (`wheel.rs`) with a resolution
//! of one millisecond, the unit of `epoll_wait`'s timeout. `sleep.rs` tells
//! the life of one timer from `sleep(d)` to the `poll` that completes it.
//!
//! With [`Builder::paused_clock(true)`](crate::Builder::paused_clock) the
//! clock is virtual: it only moves when no task can run and no I/O is ready,
//! and then it jumps straight to the next timer. Tests that sleep for an hour
//! finish at once, deterministically.

pub(crate) mod clock;
mod instant;
mod interval;
mod sleep;
mod timeout;
pub(crate) mod wheel;

pub use instant::Instant;
pub use interval::{Interval, MissedTickBehavior, interval, interval_at};
pub use sleep::{Sleep, sleep, sleep_until};
pub use timeout::{Elapsed, Timeout, timeout, timeout_at};

/// Moves the paused clock forward by `duration` (firing the timers it
/// passes on the loop's next turn), like `tokio::time::advance`.
///
/// # Panics
/// Outside a runtime, or if the runtime's clock is not paused.
#[track_caller]
pub fn advance(duration: std::time::Duration) {
    let done = crate::context::with_current(|sched| {
        let clock = sched.driver().clock();
        assert!(
            clock.is_paused(),
            "runtime::time::advance needs a runtime built with Builder::paused_clock(true)"
        );
        clock.advance(duration);
    });
    assert!(
        done.is_some(),
        "runtime::time::advance called outside a runtime"
    );
}
