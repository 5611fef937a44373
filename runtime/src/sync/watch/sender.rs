//! The sending half: publishes values ([`Sender::send`] and its variants),
//! hands out receivers ([`Sender::subscribe`]) and waits for the last one
//! to go ([`Sender::closed`]).

use std::fmt;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe, Location};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use super::notify::Waiter;
use super::{CLOSED, Receiver, Ref, STEP, SendError, Shared};

/// The sending half of a [`watch`](super) channel. `Send + Sync` when `T`
/// is: a plain thread may send, and the tasks waiting on the loop are woken
/// through the loop's remote queue.
///
/// Dropping it closes the channel: receivers keep the last value, and their
/// [`changed`](Receiver::changed) fails once they have seen it.
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    /// A sender with no receiver yet ([`send`](Sender::send) fails until
    /// [`subscribe`](Sender::subscribe) makes one; the other sends store
    /// the value).
    pub fn new(init: T) -> Self {
        super::channel(init).0
    }

    pub(super) fn from_shared(shared: Arc<Shared<T>>) -> Self {
        Sender { shared }
    }

    /// Stores `value` as the latest and wakes every receiver waiting in
    /// [`changed`](Receiver::changed); or, if no receiver is left, hands
    /// the value back in a [`SendError`] and stores nothing.
    ///
    /// ```
    /// use runtime::sync::watch;
    ///
    /// let (tx, rx) = watch::channel(0);
    /// tx.send(1).unwrap();
    /// assert_eq!(*rx.borrow(), 1);
    /// drop(rx);
    /// assert_eq!(tx.send(2).unwrap_err().0, 2);
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        // A hint, as in tokio: a receiver subscribed or dropped right now
        // may or may not be counted.
        if self.receiver_count() == 0 {
            return Err(SendError(value));
        }
        self.send_replace(value);
        Ok(())
    }

    /// Stores `value` as the latest whether or not a receiver is left,
    /// notifies the receivers, and returns the value it replaced.
    pub fn send_replace(&self, mut value: T) -> T {
        self.send_modify(|old| std::mem::swap(old, &mut value));
        value
    }

    /// Modifies the value in place (under the write lock) and notifies
    /// the receivers, whether or not a receiver is left.
    pub fn send_modify<F: FnOnce(&mut T)>(&self, modify: F) {
        self.send_if_modified(|value| {
            modify(value);
            true
        });
    }

    /// Modifies the value in place; if `modify` returns `true`, makes a new
    /// version and notifies the receivers, and returns `true`. If it returns
    /// `false`, nobody is notified and no receiver sees a change (so it
    /// must not have changed anything a receiver would care about).
    ///
    /// If `modify` panics, the panic is passed on, the lock is released
    /// unpoisoned, and nobody is notified (what it changed before the panic
    /// stays), as tokio.
    ///
    /// ```
    /// use runtime::sync::watch;
    ///
    /// let (tx, rx) = watch::channel(vec![1]);
    /// // Adds 2 unless it is there already.
    /// let add_two = |v: &mut Vec<i32>| !v.contains(&2) && { v.push(2); true };
    /// assert!(tx.send_if_modified(add_two));
    /// assert!(rx.has_changed().unwrap());
    /// let mut rx = rx;
    /// rx.mark_unchanged();
    /// assert!(!tx.send_if_modified(add_two)); // nothing to do: nobody woken
    /// assert!(!rx.has_changed().unwrap());
    /// assert_eq!(*rx.borrow(), [1, 2]);
    /// ```
    pub fn send_if_modified<F: FnOnce(&mut T) -> bool>(&self, modify: F) -> bool {
        let mut value = self.shared.write();
        match panic::catch_unwind(AssertUnwindSafe(|| modify(&mut value))) {
            Ok(true) => {}
            Ok(false) => return false,
            Err(payload) => {
                // Released before the panic resumes: not poisoned.
                drop(value);
                panic::resume_unwind(payload);
            }
        }
        // Bumped under the write lock, so a reader holding the read lock
        // knows which version it reads. Release: a receiver that loads the
        // new version (Acquire) sees the new value.
        self.shared.state.fetch_add(STEP, Ordering::Release);
        drop(value);
        // After the change, as `notify.rs` requires.
        self.shared.notify_rx.notify_all();
        true
    }

    /// Borrows the latest value (a read lock; see [`Ref`]). Its
    /// [`has_changed`](Ref::has_changed) is `false`.
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            guard: self.shared.read(),
            has_changed: false,
        }
    }

    /// A new receiver that has seen the current value.
    pub fn subscribe(&self) -> Receiver<T> {
        // Counted before it exists: `Receiver::new` does not count.
        self.shared.receivers.fetch_add(1, Ordering::Relaxed);
        let (version, _) = self.shared.state();
        Receiver::new(self.shared.clone(), version)
    }

    /// How many receivers are alive.
    pub fn receiver_count(&self) -> usize {
        self.shared.receivers.load(Ordering::Acquire)
    }

    /// Whether no receiver is alive (a [`subscribe`](Sender::subscribe)
    /// can make one again).
    pub fn is_closed(&self) -> bool {
        self.receiver_count() == 0
    }

    /// Waits until no receiver is alive; completes at once if none is.
    /// While it waits, the task's await site is the line that called
    /// `closed` (its wait reason is `-`: no kind names it).
    ///
    /// ```
    /// use runtime::sync::watch;
    ///
    /// runtime::block_on(async {
    ///     let (tx, rx) = watch::channel(());
    ///     runtime::spawn(async move { drop(rx) });
    ///     tx.closed().await;
    ///     assert!(tx.is_closed());
    /// });
    /// ```
    #[track_caller]
    pub fn closed(&self) -> Closed<'_, T> {
        Closed {
            shared: &self.shared,
            waiter: Waiter::new(),
            at: Location::caller(),
        }
    }

    /// Whether both senders belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        // Release: a receiver that sees CLOSED sees every version before.
        self.shared.state.fetch_or(CLOSED, Ordering::Release);
        self.shared.notify_rx.notify_all();
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("shared", &self.shared)
            .finish()
    }
}

/// The future returned by [`Sender::closed`].
#[must_use = "futures do nothing unless polled"]
pub struct Closed<'a, T> {
    shared: &'a Shared<T>,
    waiter: Waiter,
    at: &'static Location<'static>,
}

impl<T> Future for Closed<'_, T> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let shared = this.shared;
        let none_left = || shared.receivers.load(Ordering::Acquire) == 0;
        loop {
            if none_left() {
                this.waiter.cancel(&shared.notify_tx);
                return Poll::Ready(());
            }
            // Released (or none left under the lock): check again, since a
            // `subscribe` may have made a receiver since.
            if this
                .waiter
                .poll(&shared.notify_tx, cx, none_left)
                .is_pending()
            {
                crate::inspect::note_at(crate::inspect::WaitReason::Unknown, this.at);
                return Poll::Pending;
            }
        }
    }
}

impl<T> Drop for Closed<'_, T> {
    fn drop(&mut self) {
        self.waiter.cancel(&self.shared.notify_tx);
    }
}

impl<T> fmt::Debug for Closed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Closed").finish_non_exhaustive()
    }
}
