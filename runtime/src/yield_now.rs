//! [`yield_now`]: let the other ready tasks run.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Gives the loop back for one round: the task goes to the back of the run
/// queue, behind every task already ready. Since the loop checks the reactor
/// at least every 61 polls, a task that yields in a loop cannot starve I/O or
/// timers either.
///
/// ```
/// runtime::block_on(async {
///     runtime::yield_now().await;
/// });
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future returned by [`yield_now`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
