//! The receiving half: reads the latest value ([`Receiver::borrow`],
//! [`Receiver::borrow_and_update`]) and waits for a new one
//! ([`Receiver::changed`], [`Receiver::wait_for`]).

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use super::notify::Waiter;
use super::{RecvError, Ref, STEP, Shared};

/// The receiving half of a [`watch`](super) channel: it reads the latest
/// value and remembers the version it has seen.
///
/// A clone is a new receiver that has seen what this one has. `Send +
/// Sync` when `T` is.
pub struct Receiver<T> {
    pub(super) shared: Arc<Shared<T>>,
    /// The version this receiver has seen (without the `CLOSED` bit).
    version: u64,
}

impl<T> Receiver<T> {
    /// A receiver of `shared` that has seen `version`; the caller has
    /// counted it in `shared.receivers`.
    pub(super) fn new(shared: Arc<Shared<T>>, version: u64) -> Self {
        Receiver { shared, version }
    }

    /// Borrows the latest value without marking it seen (a read lock: see
    /// [`Ref`], and do not hold it across an `.await`).
    /// [`Ref::has_changed`] says whether it was unseen.
    pub fn borrow(&self) -> Ref<'_, T> {
        let guard = self.shared.read();
        // Under the read lock the version cannot move: it is this value's.
        let (version, _) = self.shared.state();
        Ref {
            guard,
            has_changed: version != self.version,
        }
    }

    /// Borrows the latest value and marks it seen: the next
    /// [`changed`](Receiver::changed) waits for a newer one.
    ///
    /// ```
    /// use runtime::sync::watch;
    ///
    /// let (tx, mut rx) = watch::channel(1);
    /// tx.send(2).unwrap();
    /// assert!(rx.borrow().has_changed()); // not marked
    /// assert!(rx.borrow_and_update().has_changed()); // marked now
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let guard = self.shared.read();
        let (version, _) = self.shared.state();
        let has_changed = version != self.version;
        self.version = version;
        Ref { guard, has_changed }
    }

    /// Whether the latest value is unseen; does not mark it. Fails with
    /// [`RecvError`] once the sender is gone (even with a value unseen; as
    /// tokio: [`changed`](Receiver::changed) would still give that value).
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        let (version, closed) = self.shared.state();
        if closed {
            return Err(RecvError(()));
        }
        Ok(version != self.version)
    }

    /// Marks the latest value unseen, whatever it is: the next
    /// [`changed`](Receiver::changed) completes at once.
    pub fn mark_changed(&mut self) {
        // Versions only grow, so `version - STEP` (wrapping at the first
        // version, 0) is neither the latest version nor any later one.
        self.version = self.version.wrapping_sub(STEP);
    }

    /// Marks the latest value seen without borrowing it.
    pub fn mark_unchanged(&mut self) {
        self.version = self.shared.state().0;
    }

    /// Waits for a value this receiver has not seen, and marks it seen.
    /// Completes at once if the latest value is unseen; fails with
    /// [`RecvError`] if the sender is gone and the latest value was seen.
    ///
    /// Cancel-safe: dropped before it completes, it marks nothing seen.
    /// While it waits, the task's wait reason is
    /// [`WaitReason::ChannelRecv`](crate::inspect::WaitReason::ChannelRecv)
    /// and its await site is the line that called `changed`.
    ///
    /// ```
    /// use runtime::sync::watch;
    ///
    /// runtime::block_on(async {
    ///     let (tx, mut rx) = watch::channel(0);
    ///     runtime::spawn(async move { tx.send(1).unwrap() });
    ///     rx.changed().await.unwrap();
    ///     assert_eq!(*rx.borrow(), 1);
    ///     // The sender is gone and 1 was seen:
    ///     assert!(rx.changed().await.is_err());
    /// });
    /// ```
    #[track_caller]
    pub fn changed(&mut self) -> Changed<'_, T> {
        Changed {
            shared: &self.shared,
            version: &mut self.version,
            waiter: Waiter::new(),
            at: Location::caller(),
        }
    }

    /// Waits for a value for which `f` returns `true`, and returns it
    /// borrowed (a [`Ref`]: let it go before the next `.await`), marked
    /// seen. `f` is called on the latest value first (seen or not), then on
    /// each value that [`changed`](Receiver::changed) would give, so values
    /// replaced before this task ran are skipped. Fails with [`RecvError`]
    /// once the sender is gone and `f` returned `false` on the last value.
    ///
    /// Cancel-safe: the last value it marked seen failed `f`.
    ///
    /// ```
    /// use runtime::sync::watch;
    ///
    /// runtime::block_on(async {
    ///     let (tx, mut rx) = watch::channel(0);
    ///     runtime::spawn(async move {
    ///         for i in 1..=5 {
    ///             tx.send(i).unwrap();
    ///             runtime::yield_now().await;
    ///         }
    ///     });
    ///     let value = *rx.wait_for(|v| *v >= 3).await.unwrap();
    ///     assert!(value >= 3);
    /// });
    /// ```
    #[track_caller]
    pub fn wait_for<F: FnMut(&T) -> bool>(&mut self, f: F) -> WaitFor<'_, T, F> {
        WaitFor {
            shared: &self.shared,
            version: &mut self.version,
            f,
            closed: false,
            waiting: false,
            waiter: Waiter::new(),
            at: Location::caller(),
        }
    }

    /// Whether both receivers belong to the same channel.
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        self.shared.receivers.fetch_add(1, Ordering::Relaxed);
        Receiver::new(self.shared.clone(), self.version)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        // The count first, then the wake, as `notify.rs` requires.
        if self.shared.receivers.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.shared.notify_tx.notify_all();
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("seen", &(self.version / STEP))
            .field("shared", &self.shared)
            .finish()
    }
}

/// `Some` if the receiver that has seen `version` need not wait: a newer
/// version (now marked seen) or a closed channel.
fn maybe_changed<T>(shared: &Shared<T>, version: &mut u64) -> Option<Result<(), RecvError>> {
    let (latest, closed) = shared.state();
    if latest != *version {
        *version = latest;
        Some(Ok(()))
    } else if closed {
        Some(Err(RecvError(())))
    } else {
        None
    }
}

/// [`Receiver::changed`]'s poll, shared with [`WaitFor`]: check, queue,
/// check again under the waiter list's lock (`notify.rs`).
fn poll_changed<T>(
    shared: &Shared<T>,
    version: &mut u64,
    waiter: &mut Waiter,
    cx: &mut Context<'_>,
    at: &'static Location<'static>,
) -> Poll<Result<(), RecvError>> {
    loop {
        if let Some(result) = maybe_changed(shared, version) {
            waiter.cancel(&shared.notify_rx);
            return Poll::Ready(result);
        }
        let seen = *version;
        let news = || {
            let (latest, closed) = shared.state();
            latest != seen || closed
        };
        if waiter.poll(&shared.notify_rx, cx, news).is_pending() {
            crate::inspect::note_at(crate::inspect::WaitReason::ChannelRecv, at);
            return Poll::Pending;
        }
    }
}

/// The future returned by [`Receiver::changed`].
#[must_use = "futures do nothing unless polled"]
pub struct Changed<'a, T> {
    shared: &'a Shared<T>,
    version: &'a mut u64,
    waiter: Waiter,
    at: &'static Location<'static>,
}

impl<T> Future for Changed<'_, T> {
    type Output = Result<(), RecvError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        poll_changed(this.shared, this.version, &mut this.waiter, cx, this.at)
    }
}

impl<T> Drop for Changed<'_, T> {
    fn drop(&mut self) {
        self.waiter.cancel(&self.shared.notify_rx);
    }
}

impl<T> fmt::Debug for Changed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Changed").finish_non_exhaustive()
    }
}

/// The future returned by [`Receiver::wait_for`].
#[must_use = "futures do nothing unless polled"]
pub struct WaitFor<'a, T, F> {
    shared: &'a Shared<T>,
    version: &'a mut u64,
    f: F,
    /// The sender is gone: `f` gets one last look at an unseen value.
    closed: bool,
    /// `f` rejected the latest value: wait for a change before calling it.
    waiting: bool,
    waiter: Waiter,
    at: &'static Location<'static>,
}

// Nothing in the future is pinned: `f` is only called through `&mut`.
impl<T, F> Unpin for WaitFor<'_, T, F> {}

impl<'a, T, F: FnMut(&T) -> bool> Future for WaitFor<'a, T, F> {
    type Output = Result<Ref<'a, T>, RecvError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let shared: &'a Shared<T> = this.shared;
        loop {
            if this.waiting {
                let changed = poll_changed(shared, this.version, &mut this.waiter, cx, this.at);
                let Poll::Ready(result) = changed else {
                    return Poll::Pending;
                };
                this.waiting = false;
                this.closed = result.is_err();
            }
            // As `borrow_and_update`: the version read under the read lock
            // is this value's. A panic in `f` drops the read guard, which
            // does not poison the lock.
            let guard = shared.read();
            let (latest, _) = shared.state();
            let has_changed = latest != *this.version;
            *this.version = latest;
            if (!this.closed || has_changed) && (this.f)(&guard) {
                return Poll::Ready(Ok(Ref { guard, has_changed }));
            }
            drop(guard);
            if this.closed {
                return Poll::Ready(Err(RecvError(())));
            }
            this.waiting = true;
        }
    }
}

impl<T, F> Drop for WaitFor<'_, T, F> {
    fn drop(&mut self) {
        self.waiter.cancel(&self.shared.notify_rx);
    }
}

impl<T, F> fmt::Debug for WaitFor<'_, T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitFor")
            .field("waiting", &self.waiting)
            .finish_non_exhaustive()
    }
}
