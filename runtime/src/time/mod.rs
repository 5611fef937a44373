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

/// Moves the paused clock forward by `duration`, fires every timer due by
/// then, and returns once the tasks they woke (and the tasks those woke)
/// have run until none is ready: tokio's `time::advance`, awaited.
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use std::time::Duration;
/// use runtime::time::{advance, sleep};
///
/// let rt = runtime::Runtime::builder().paused_clock(true).build().unwrap();
/// rt.block_on(async {
///     let done = Rc::new(Cell::new(false));
///     let flag = done.clone();
///     runtime::spawn(async move {
///         sleep(Duration::from_secs(5)).await;
///         flag.set(true);
///     });
///     runtime::yield_now().await; // the task registers its timer
///     advance(Duration::from_secs(4)).await;
///     assert!(!done.get());
///     advance(Duration::from_secs(1)).await; // the timer fires, the task runs
///     assert!(done.get());
/// });
/// ```
///
/// The clock stops at its end (about 146 million years after the runtime
/// started): `advance(Duration::MAX)` moves it there.
///
/// # Panics
/// Outside a runtime, or if the runtime's clock is not paused.
#[track_caller]
pub fn advance(duration: std::time::Duration) -> Advance {
    Advance {
        duration: Some(duration),
    }
}

/// The future returned by [`advance`].
#[must_use = "advance does nothing unless awaited"]
#[derive(Debug)]
pub struct Advance {
    /// The step still to take (taken at the first poll).
    duration: Option<std::time::Duration>,
}

impl std::future::Future for Advance {
    type Output = ();

    #[track_caller]
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        let step = self.duration.take();
        let stalled = crate::context::with_current(|sched| {
            if let Some(by) = step {
                sched.advance_clock(by);
            }
            !sched.others_ready()
        });
        match stalled {
            None => panic!("runtime::time::advance awaited outside a runtime"),
            Some(true) => std::task::Poll::Ready(()),
            Some(false) => {
                // Let the woken tasks run first: back of the queue.
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            }
        }
    }
}
