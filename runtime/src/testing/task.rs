//! [`spawn`]: a future (or reader, or writer) polled by hand, with a waker
//! that counts its wakes.
//!
//! **Why.** Whether a future returns `Pending` or `Ready` at a given point,
//! and whether something wakes it afterwards, is the whole contract of a
//! leaf future (a channel, a lock, a timer, a socket). `.await` hides both:
//! a future that forgets to store its waker still passes every `.await`
//! test that happens to poll it again for another reason. Polling by hand
//! shows each step: poll → `Pending`; make the event happen → assert it
//! woke the task; poll → `Ready` with the right value.
//!
//! **What.** [`spawn`] pins its argument on the heap beside a counting
//! waker; [`Spawned::poll`] polls it once with that waker. Nothing else
//! polls it: no runtime, no executor. (Polling inside a runtime works too,
//! for futures that need one, such as timers and sockets; the runtime does
//! not see these wakes, the counter does.)
//!
//! The `assert_*!` macros ([`assert_pending!`](crate::assert_pending),
//! [`assert_ready!`](crate::assert_ready), [`assert_ready_eq!`](crate::assert_ready_eq),
//! [`assert_ready_ok!`](crate::assert_ready_ok),
//! [`assert_ready_err!`](crate::assert_ready_err)) check a `Poll` and say
//! what they found when it is something else.
//!
//! ```
//! use runtime::sync::oneshot;
//! use runtime::testing::task;
//! use runtime::{assert_pending, assert_ready_eq};
//!
//! let (tx, rx) = oneshot::channel();
//! let mut rx = task::spawn(rx);
//! assert_pending!(rx.poll()); // nothing sent yet: Pending, waker kept
//! assert!(!rx.is_woken());
//! tx.send(7).unwrap();
//! assert!(rx.is_woken()); // the send woke the receiver
//! assert_ready_eq!(rx.poll(), Ok(7));
//! ```

use std::fmt;
use std::future::Future;
use std::io;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use crate::io::{AsyncRead, AsyncWrite};

/// Pins `task` (usually a future; also a reader or writer) beside a counting
/// waker, to be polled by hand. See the [module docs](self).
pub fn spawn<T>(task: T) -> Spawned<T> {
    Spawned {
        task: Box::pin(task),
        waker: Arc::new(WakeCounter::default()),
    }
}

/// A future (or reader, or writer) polled by hand; made by [`spawn`].
///
/// Derefs to the task, so its own methods stay callable
/// (`spawned.try_recv()` on a spawned `oneshot::Receiver`).
pub struct Spawned<T> {
    task: Pin<Box<T>>,
    waker: Arc<WakeCounter>,
}

/// The waker behind every poll of a [`Spawned`]: counts wakes, and records
/// whether one came since the last poll.
#[derive(Default)]
struct WakeCounter {
    woken: AtomicBool,
    count: AtomicUsize,
}

impl Wake for WakeCounter {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        self.count.fetch_add(1, Ordering::SeqCst);
    }
}

impl<T> Spawned<T> {
    /// Calls `f` with a context holding the counting waker and the pinned
    /// task: for poll methods the wrappers below do not cover
    /// (`spawned.enter(|cx, rx| rx.poll_recv(cx))`). Clears
    /// [`is_woken`](Self::is_woken) first, as every poll does.
    pub fn enter<R>(&mut self, f: impl FnOnce(&mut Context<'_>, Pin<&mut T>) -> R) -> R {
        self.waker.woken.store(false, Ordering::SeqCst);
        let waker = Waker::from(self.waker.clone());
        let mut cx = Context::from_waker(&waker);
        f(&mut cx, self.task.as_mut())
    }

    /// Whether the task was woken since it was last polled.
    pub fn is_woken(&self) -> bool {
        self.waker.woken.load(Ordering::SeqCst)
    }

    /// How many times the task was woken since it was spawned (a wake that
    /// comes twice before the next poll counts twice).
    pub fn woken_count(&self) -> usize {
        self.waker.count.load(Ordering::SeqCst)
    }

    /// How many clones of the task's waker exist outside this harness: what
    /// the task left behind to be woken by. `0` after `Pending` means nothing
    /// can ever wake it (a lost-wakeup bug); a count that grows with each
    /// poll means a waker leak.
    pub fn waker_ref_count(&self) -> usize {
        Arc::strong_count(&self.waker) - 1
    }

    /// The pinned task.
    pub fn as_pin_mut(&mut self) -> Pin<&mut T> {
        self.task.as_mut()
    }
}

impl<F: Future> Spawned<F> {
    /// Polls the future once with the counting waker; clears
    /// [`is_woken`](Self::is_woken) first.
    pub fn poll(&mut self) -> Poll<F::Output> {
        self.enter(|cx, future| future.poll(cx))
    }
}

impl<R: AsyncRead> Spawned<R> {
    /// One [`AsyncRead::poll_read`] with the counting waker.
    pub fn poll_read(&mut self, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.enter(|cx, reader| reader.poll_read(cx, buf))
    }
}

impl<W: AsyncWrite> Spawned<W> {
    /// One [`AsyncWrite::poll_write`] with the counting waker.
    pub fn poll_write(&mut self, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.enter(|cx, writer| writer.poll_write(cx, buf))
    }

    /// One [`AsyncWrite::poll_flush`] with the counting waker.
    pub fn poll_flush(&mut self) -> Poll<io::Result<()>> {
        self.enter(|cx, writer| writer.poll_flush(cx))
    }

    /// One [`AsyncWrite::poll_shutdown`] with the counting waker.
    pub fn poll_shutdown(&mut self) -> Poll<io::Result<()>> {
        self.enter(|cx, writer| writer.poll_shutdown(cx))
    }
}

impl<T> Deref for Spawned<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.task
    }
}

impl<T: Unpin> DerefMut for Spawned<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.task
    }
}

impl<T> fmt::Debug for Spawned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spawned")
            .field("task", &std::any::type_name::<T>())
            .field("is_woken", &self.is_woken())
            .field("woken_count", &self.woken_count())
            .field("waker_ref_count", &self.waker_ref_count())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::task::Waker;

    use super::*;

    /// Pending until `slot` holds `Some`, keeping the latest waker in
    /// `waker` (or not, when `forgetful`).
    struct Flag {
        slot: Slot<u32>,
        waker: Slot<Waker>,
        forgetful: bool,
    }

    impl Future for Flag {
        type Output = u32;
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
            if let Some(v) = *self.slot.borrow() {
                return Poll::Ready(v);
            }
            if !self.forgetful {
                *self.waker.borrow_mut() = Some(cx.waker().clone());
            }
            Poll::Pending
        }
    }

    /// A value the test and the future both see: set by one, read by the
    /// other.
    type Slot<T> = Rc<RefCell<Option<T>>>;

    fn flag(forgetful: bool) -> (Spawned<Flag>, Slot<u32>, Slot<Waker>) {
        let slot = Rc::new(RefCell::new(None));
        let waker = Rc::new(RefCell::new(None));
        let f = Flag {
            slot: slot.clone(),
            waker: waker.clone(),
            forgetful,
        };
        (spawn(f), slot, waker)
    }

    #[test]
    fn counts_wakes_and_clears_the_flag_on_poll() {
        let (mut f, slot, waker) = flag(false);
        assert!(f.poll().is_pending());
        assert_eq!(f.waker_ref_count(), 1);
        let w = waker.borrow_mut().take().unwrap();
        w.wake_by_ref();
        w.wake_by_ref();
        assert!(f.is_woken());
        assert_eq!(f.woken_count(), 2);
        drop(w);
        assert_eq!(f.waker_ref_count(), 0);
        *slot.borrow_mut() = Some(5);
        assert_eq!(f.poll(), Poll::Ready(5));
        assert!(!f.is_woken());
        assert_eq!(f.woken_count(), 2);
    }

    #[test]
    fn a_future_that_keeps_no_waker_shows_zero_refs() {
        let (mut f, _slot, _waker) = flag(true);
        assert!(f.poll().is_pending());
        assert_eq!(f.waker_ref_count(), 0);
    }
}
