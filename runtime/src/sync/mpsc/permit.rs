//! Reserving a slot before producing the message: [`Sender::reserve`] waits
//! for a slot (in the same FIFO queue as `send`) and returns a [`Permit`];
//! [`Permit::send`] then fills it without waiting and without failing.
//! [`OwnedPermit`] is the same holding the [`Sender`] by value.
//!
//! A reservation keeps the guarantee of `send`: a slot is used only by a
//! message actually sent. A `reserve` dropped before it completed leaves
//! the queue (a slot granted to it passes to the next blocked sender), and
//! a permit dropped unused gives its slot back the same way.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::chan::{self, ChanRef};
use super::{SendError, Sender, TrySendError};

impl<T> Sender<T> {
    /// Waits for a slot and reserves it: the returned [`Permit`] sends one
    /// message without waiting. Fails if the receiver is closed or gone.
    /// Cancel-safe, and in FIFO order with blocked [`send`](Sender::send)s.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = mpsc::channel(1);
    ///     let permit = tx.reserve().await.unwrap();
    ///     assert!(tx.try_send(0).is_err(), "the only slot is reserved");
    ///     permit.send(1);
    ///     assert_eq!(rx.recv().await, Some(1));
    ///     drop(tx.reserve().await.unwrap()); // unused: the slot comes back
    ///     assert_eq!(tx.capacity(), 1);
    /// });
    /// ```
    #[track_caller]
    pub fn reserve(&self) -> Reserve<'_, T> {
        Reserve {
            sender: self,
            key: None,
            at: Location::caller(),
        }
    }

    /// Reserves a slot if one is free right now and nobody waits for it.
    pub fn try_reserve(&self) -> Result<Permit<'_, T>, TrySendError<()>> {
        try_reserve_slot(&self.tx.shared)?;
        Ok(Permit { sender: self })
    }

    /// Like [`reserve`](Sender::reserve), but the permit holds the sender
    /// by value: it can be stored or moved into another task. The sender
    /// comes back from [`OwnedPermit::send`] or [`OwnedPermit::release`].
    #[track_caller]
    pub fn reserve_owned(self) -> ReserveOwned<T> {
        ReserveOwned {
            sender: Some(self),
            key: None,
            at: Location::caller(),
        }
    }

    /// Like [`try_reserve`](Sender::try_reserve), holding the sender by
    /// value; on failure the sender comes back inside the error.
    pub fn try_reserve_owned(self) -> Result<OwnedPermit<T>, TrySendError<Sender<T>>> {
        match try_reserve_slot(&self.tx.shared) {
            Ok(()) => Ok(OwnedPermit { sender: Some(self) }),
            Err(TrySendError::Full(())) => Err(TrySendError::Full(self)),
            Err(TrySendError::Closed(())) => Err(TrySendError::Closed(self)),
        }
    }
}

fn try_reserve_slot<T>(shared: &ChanRef<T>) -> Result<(), TrySendError<()>> {
    let mut chan = chan::lock(shared);
    if chan.closed {
        return Err(TrySendError::Closed(()));
    }
    if !chan.has_room() {
        return Err(TrySendError::Full(()));
    }
    chan.reserved += 1;
    Ok(())
}

/// Polls for a slot and counts it as reserved.
fn poll_reserve<T>(
    shared: &ChanRef<T>,
    key: &mut Option<usize>,
    cx: &mut Context<'_>,
    at: &'static Location<'static>,
) -> Poll<Result<(), SendError<()>>> {
    match std::task::ready!(chan::poll_slot(shared, key, cx, at)) {
        Ok(mut chan) => {
            chan.reserved += 1;
            Poll::Ready(Ok(()))
        }
        Err(()) => Poll::Ready(Err(SendError(()))),
    }
}

/// The future returned by [`Sender::reserve`].
#[must_use = "futures do nothing unless polled"]
pub struct Reserve<'a, T> {
    sender: &'a Sender<T>,
    key: Option<usize>,
    /// Where `reserve` was called: the task's await site while it waits.
    at: &'static Location<'static>,
}

impl<'a, T> Future for Reserve<'a, T> {
    type Output = Result<Permit<'a, T>, SendError<()>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let sender = this.sender;
        poll_reserve(&sender.tx.shared, &mut this.key, cx, this.at).map_ok(|()| Permit { sender })
    }
}

impl<T> Drop for Reserve<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            chan::cancel_slot(&self.sender.tx.shared, key);
        }
    }
}

impl<T> fmt::Debug for Reserve<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reserve").finish_non_exhaustive()
    }
}

/// The future returned by [`Sender::reserve_owned`].
#[must_use = "futures do nothing unless polled"]
pub struct ReserveOwned<T> {
    /// `None` once it moved into the permit (or was dropped on failure).
    sender: Option<Sender<T>>,
    key: Option<usize>,
    /// Where `reserve_owned` was called: the await site while it waits.
    at: &'static Location<'static>,
}

// Nothing is pinned: the sender is only moved out.
impl<T> Unpin for ReserveOwned<T> {}

impl<T> Future for ReserveOwned<T> {
    type Output = Result<OwnedPermit<T>, SendError<()>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let Some(sender) = this.sender.as_ref() else {
            panic!("`ReserveOwned` polled after completion");
        };
        let result = std::task::ready!(poll_reserve(&sender.tx.shared, &mut this.key, cx, this.at));
        let sender = this.sender.take();
        Poll::Ready(result.map(|()| OwnedPermit { sender }))
    }
}

impl<T> Drop for ReserveOwned<T> {
    fn drop(&mut self) {
        if let (Some(sender), Some(key)) = (&self.sender, self.key.take()) {
            chan::cancel_slot(&sender.tx.shared, key);
        }
    }
}

impl<T> fmt::Debug for ReserveOwned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReserveOwned").finish_non_exhaustive()
    }
}

/// One reserved slot; [`send`](Permit::send) fills it, dropping it unused
/// gives it back (to the next blocked sender).
#[must_use = "the reserved slot is given back as soon as the permit is dropped"]
pub struct Permit<'a, T> {
    sender: &'a Sender<T>,
}

impl<T> Permit<'_, T> {
    /// Sends `value` into the reserved slot, without waiting. If the
    /// receiver was closed after the reservation, the message is still
    /// delivered; if it was dropped, the value is dropped.
    pub fn send(self, value: T) {
        let shared = &self.sender.tx.shared;
        std::mem::forget(self);
        chan::send_reserved(shared, value);
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        chan::release_reserved(&self.sender.tx.shared);
    }
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").finish_non_exhaustive()
    }
}

/// One reserved slot holding its [`Sender`] by value.
#[must_use = "the reserved slot is given back as soon as the permit is dropped"]
pub struct OwnedPermit<T> {
    /// Always `Some` until `send` or `release` takes it.
    sender: Option<Sender<T>>,
}

impl<T> OwnedPermit<T> {
    /// Sends `value` into the reserved slot and gives the sender back.
    pub fn send(mut self, value: T) -> Sender<T> {
        let sender = self.take_sender();
        chan::send_reserved(&sender.tx.shared, value);
        sender
    }

    /// Gives the slot back unused, and the sender with it.
    pub fn release(mut self) -> Sender<T> {
        let sender = self.take_sender();
        chan::release_reserved(&sender.tx.shared);
        sender
    }

    fn take_sender(&mut self) -> Sender<T> {
        match self.sender.take() {
            Some(sender) => sender,
            None => unreachable!("an OwnedPermit holds its sender until consumed"),
        }
    }
}

impl<T> Drop for OwnedPermit<T> {
    fn drop(&mut self) {
        if let Some(sender) = &self.sender {
            chan::release_reserved(&sender.tx.shared);
        }
    }
}

impl<T> fmt::Debug for OwnedPermit<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedPermit").finish_non_exhaustive()
    }
}
