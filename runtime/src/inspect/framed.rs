//! [`framed`]: marking a future as a frame of its task's async backtrace
//! (the record and how a chain is read: `frame.rs`).

use std::cell::Cell;
use std::fmt;
use std::future::Future;
use std::marker::PhantomPinned;
use std::panic::Location;
use std::pin::Pin;
use std::ptr;
use std::task::{Context, Poll};

use super::frame::Frame;
use crate::context;

/// Marks `future` as a frame named `name` in its task's async backtrace.
///
/// ```
/// use std::time::Duration;
/// use runtime::inspect::framed;
///
/// async fn fetch() {
///     framed("fetch", async {
///         runtime::time::sleep(Duration::from_secs(1)).await;
///     })
///     .await
/// }
///
/// let rt = runtime::Runtime::builder().paused_clock(true).build().unwrap();
/// rt.block_on(async {
///     let task = runtime::spawn(framed("handler", fetch()));
///     runtime::yield_now().await;
///     let dump = runtime::inspect::dump();
///     let names: Vec<_> = dump.tasks[0].frames.iter().map(|f| f.0).collect();
///     assert_eq!(names, ["handler", "fetch"]); // outermost first
///     task.await.unwrap();
/// });
/// ```
#[track_caller]
pub fn framed<F: Future>(name: &'static str, future: F) -> Framed<F> {
    Framed {
        frame: Frame::new(name, Location::caller()),
        future,
        _pinned: PhantomPinned,
    }
}

/// The future returned by [`framed`].
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Framed<F> {
    frame: Frame,
    future: F,
    /// The frame's address is linked into the task's chain while polled.
    _pinned: PhantomPinned,
}

impl<F: Future> Future for Framed<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned (never moved out); `frame`
        // is not pinned-projected, but it is `!Unpin` through `_pinned`, so
        // its address is stable for as long as the chain may point at it.
        let this = unsafe { self.get_unchecked_mut() };
        let me: *const Frame = &this.frame;
        let parent = context::with_current(|sched| sched.enter_frame(me)).unwrap_or(ptr::null());
        this.frame.set_parent(parent);
        // SAFETY: see above.
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        let poll = future.poll(cx);
        context::with_current(|sched| sched.leave_frame(me, parent));
        poll
    }
}

impl<F> Drop for Framed<F> {
    fn drop(&mut self) {
        // A frame that goes away must not stay noted as where the task
        // waits (a losing branch of a select, dropped mid-poll).
        let me: *const Frame = &self.frame;
        context::with_current(|sched| sched.forget_frame(me));
        let _ = DROPS.try_with(|drops| drops.set(drops.get().wrapping_add(1)));
    }
}

thread_local! {
    /// How many `Framed` futures this thread has dropped: a frame pointer
    /// taken before a stretch of code may still be followed after it only
    /// if this has not changed (`select!`'s `Waits`, `select.rs`).
    static DROPS: Cell<u64> = const { Cell::new(0) };
}

/// The count of [`DROPS`] (0 in a thread-local's destructor, where no
/// frame is filed).
pub(crate) fn drops() -> u64 {
    DROPS.try_with(Cell::get).unwrap_or(0)
}

impl<F> fmt::Debug for Framed<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Framed")
            .field("frame", &self.frame)
            .finish()
    }
}
