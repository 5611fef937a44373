//! The bounded channel's handles: [`Sender`] (with [`Send`],
//! [`SendTimeout`], [`Closed`]), [`WeakSender`] and [`Receiver`] (with
//! [`Recv`](super::Recv)). The reservation API is in `permit.rs`.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use super::chan::{self, ChanRef, Rx, Tx};
use super::{SendError, SendTimeoutError, TrySendError};
use crate::time::Sleep;

/// Creates a bounded channel holding at most `capacity` messages.
///
/// # Panics
///
/// If `capacity` is zero (a rendezvous channel is not supported).
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(
        capacity > 0,
        "mpsc::channel: capacity must be at least 1 (got 0)"
    );
    let shared = chan::new_chan(capacity);
    (
        Sender {
            tx: Tx {
                shared: Arc::clone(&shared),
            },
        },
        Receiver { rx: Rx { shared } },
    )
}

/// The sending half of a [`channel`]; clone it for more producers.
pub struct Sender<T> {
    pub(super) tx: Tx<T>,
}

impl<T> Sender<T> {
    /// Sends `value`, waiting while the buffer is full.
    ///
    /// Fails with the value back if the receiver is closed or gone. The
    /// message is sent exactly when the future returns `Ready(Ok(()))`:
    /// dropping it before then withdraws the value (it is dropped with the
    /// future) and passes its place to the next waiting sender. Cancel-safe.
    #[track_caller]
    pub fn send(&self, value: T) -> Send<'_, T> {
        Send {
            shared: &self.tx.shared,
            value: Some(value),
            key: None,
            at: Location::caller(),
        }
    }

    /// Sends `value` if there is room right now (and no earlier sender is
    /// waiting for it).
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        self.tx.try_send(value).map_err(|(value, closed)| {
            if closed {
                TrySendError::Closed(value)
            } else {
                TrySendError::Full(value)
            }
        })
    }

    /// Sends `value`, waiting at most `timeout` for room; on timeout the
    /// value comes back in [`SendTimeoutError::Timeout`].
    ///
    /// Uses the runtime's timers ([`crate::time::sleep`]): await it inside
    /// [`crate::block_on`]. The same guarantee as [`send`](Sender::send):
    /// the message is sent if and only if this returns `Ok`. If room is
    /// granted at the moment the deadline passes, the send wins.
    ///
    /// ```
    /// use std::time::Duration;
    /// use runtime::sync::mpsc::{self, error::SendTimeoutError};
    ///
    /// runtime::block_on(async {
    ///     let (tx, _rx) = mpsc::channel(1);
    ///     tx.send(1).await.unwrap();
    ///     let err = tx.send_timeout(2, Duration::from_millis(10)).await;
    ///     assert_eq!(err, Err(SendTimeoutError::Timeout(2)));
    /// });
    /// ```
    #[track_caller]
    pub fn send_timeout(&self, value: T, timeout: Duration) -> SendTimeout<'_, T> {
        SendTimeout {
            send: self.send(value),
            sleep: crate::time::sleep(timeout),
        }
    }

    /// Completes when the receiver is closed or dropped: a producer can
    /// stop computing values nobody will receive.
    pub fn closed(&self) -> Closed<'_, T> {
        Closed {
            shared: &self.tx.shared,
            key: None,
        }
    }

    /// Whether the receiver is closed or gone (every later send will fail).
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// The number of messages that can be sent right now without waiting
    /// (slots neither buffered, reserved nor granted to a waiting sender).
    pub fn capacity(&self) -> usize {
        chan::lock(&self.tx.shared).free()
    }

    /// The capacity the channel was created with.
    pub fn max_capacity(&self) -> usize {
        chan::lock(&self.tx.shared).capacity
    }

    /// A sender that does not keep the channel open; see [`WeakSender`].
    pub fn downgrade(&self) -> WeakSender<T> {
        WeakSender {
            shared: Arc::clone(&self.tx.shared),
        }
    }

    /// Whether both senders feed the same channel.
    pub fn same_channel(&self, other: &Sender<T>) -> bool {
        self.tx.same_channel(&other.tx)
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Sender {
            tx: self.tx.clone(),
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

/// A sender that does not count: once every [`Sender`] is dropped the
/// receiver sees the end of the channel, and [`upgrade`](Self::upgrade)
/// gives `None`. For a task that must be able to send without keeping the
/// channel alive (a registry of subscribers, a cache that reports back).
pub struct WeakSender<T> {
    shared: ChanRef<T>,
}

impl<T> WeakSender<T> {
    /// A counted [`Sender`] again, if one still exists.
    pub fn upgrade(&self) -> Option<Sender<T>> {
        Tx::upgrade(&self.shared).map(|tx| Sender { tx })
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> Self {
        WeakSender {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> fmt::Debug for WeakSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakSender").finish_non_exhaustive()
    }
}

/// The future returned by [`Sender::send`].
///
/// Its name shadows the `Send` marker trait under a glob import of this
/// module; write `std::marker::Send` there.
#[must_use = "futures do nothing unless polled"]
pub struct Send<'a, T> {
    shared: &'a ChanRef<T>,
    /// The message, until it is in the buffer (or handed back).
    value: Option<T>,
    /// Its node in `blocked` while it waits (linked) or once a slot was
    /// granted to it (unlinked).
    key: Option<usize>,
    /// Where `send` was called: the task's await site while it waits.
    at: &'static Location<'static>,
}

// The value is only ever moved, never pinned, so `Send` may move freely.
impl<T> Unpin for Send<'_, T> {}

impl<T> Future for Send<'_, T> {
    type Output = Result<(), SendError<T>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if this.value.is_none() {
            panic!("`Send` polled after completion");
        }
        let result = std::task::ready!(chan::poll_slot(this.shared, &mut this.key, cx, this.at));
        let Some(value) = this.value.take() else {
            unreachable!("checked at the top of poll");
        };
        let Ok(mut chan) = result else {
            return Poll::Ready(Err(SendError(value)));
        };
        let waker = chan.push(value);
        drop(chan);
        chan::wake(waker);
        Poll::Ready(Ok(()))
    }
}

impl<T> Drop for Send<'_, T> {
    #[inline]
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            chan::cancel_slot(self.shared, key);
        }
        // The withdrawn value drops with `self`, after the lock.
    }
}

impl<T> fmt::Debug for Send<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Send").finish_non_exhaustive()
    }
}

/// The future returned by [`Sender::send_timeout`].
#[must_use = "futures do nothing unless polled"]
pub struct SendTimeout<'a, T> {
    send: Send<'a, T>,
    sleep: Sleep,
}

impl<T> Future for SendTimeout<'_, T> {
    type Output = Result<(), SendTimeoutError<T>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        // The send first: a slot granted at the deadline is used.
        if let Poll::Ready(result) = Pin::new(&mut this.send).poll(cx) {
            return Poll::Ready(result.map_err(|SendError(v)| SendTimeoutError::Closed(v)));
        }
        if Pin::new(&mut this.sleep).poll(cx).is_pending() {
            // The timer noted itself last; what the task waits for is room
            // on the channel (the deadline only ends the wait), so that is
            // what the dump and the debugger show.
            crate::inspect::note_at(crate::inspect::WaitReason::ChannelSend, this.send.at);
            return Poll::Pending;
        }
        // Timed out: take the value back and leave the queue (passing on a
        // slot granted since the poll above, as a dropped `send` does).
        let value = this.send.value.take();
        if let Some(key) = this.send.key.take() {
            chan::cancel_slot(this.send.shared, key);
        }
        match value {
            Some(value) => Poll::Ready(Err(SendTimeoutError::Timeout(value))),
            None => panic!("`SendTimeout` polled after completion"),
        }
    }
}

impl<T> fmt::Debug for SendTimeout<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendTimeout")
            .field("deadline", &self.sleep.deadline())
            .finish_non_exhaustive()
    }
}

/// The future returned by [`Sender::closed`] (and the unbounded one).
#[must_use = "futures do nothing unless polled"]
pub struct Closed<'a, T> {
    pub(super) shared: &'a ChanRef<T>,
    pub(super) key: Option<usize>,
}

impl<T> Future for Closed<'_, T> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        chan::poll_closed(this.shared, &mut this.key, cx)
    }
}

impl<T> Drop for Closed<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            chan::cancel_closed(self.shared, key);
        }
    }
}

impl<T> fmt::Debug for Closed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Closed").finish_non_exhaustive()
    }
}

/// The receiving half of a [`channel`].
pub struct Receiver<T> {
    pub(super) rx: Rx<T>,
}

super::receiver::receiver_methods! {
    Receiver;

    /// Receives the next message, waiting while the buffer is empty.
    ///
    /// Gives `None` once the buffer is drained and no message can come:
    /// every [`Sender`] is dropped, or the channel was
    /// [closed](Receiver::close) and no [`Permit`](super::Permit) is
    /// outstanding. Cancel-safe: a dropped `recv` takes no message.
    fn recv;

    /// Receives up to `limit` messages into `buffer` (appended), waiting
    /// until there is at least one; returns how many it added. Returns 0
    /// at once if `limit` is 0, and 0 once the channel is finished (as
    /// [`recv`](Receiver::recv) gives `None`). Cancel-safe.
    ///
    /// ```
    /// use runtime::sync::mpsc;
    ///
    /// futures::executor::block_on(async {
    ///     let (tx, mut rx) = mpsc::channel(8);
    ///     for i in 0..5 {
    ///         tx.send(i).await.unwrap();
    ///     }
    ///     let mut got = Vec::new();
    ///     assert_eq!(rx.recv_many(&mut got, 3).await, 3);
    ///     assert_eq!(rx.recv_many(&mut got, 3).await, 2);
    ///     assert_eq!(got, [0, 1, 2, 3, 4]);
    /// });
    /// ```
    fn recv_many;

    /// Receives a message if one is buffered right now.
    fn try_recv;

    /// Polls for the next message: the building block of
    /// [`recv`](Receiver::recv), for hand-written futures.
    fn poll_recv;

    /// Polls [`recv_many`](Receiver::recv_many).
    fn poll_recv_many;

    /// Closes the channel without dropping the receiver: every later send
    /// fails and blocked senders fail with their values back, while the
    /// messages already buffered (and those sent through permits already
    /// reserved) can still be received. Receive until `None` to see them
    /// all.
    fn close;

    /// Whether the channel is closed: by [`close`](Receiver::close), or
    /// because every sender is gone. Messages may still be buffered.
    fn is_closed;

    /// The number of messages buffered.
    fn len;

    /// Whether no message is buffered.
    fn is_empty;
}

impl<T> Receiver<T> {
    /// The number of messages that could be sent right now without waiting.
    pub fn capacity(&self) -> usize {
        chan::lock(&self.rx.shared).free()
    }

    /// The capacity the channel was created with.
    pub fn max_capacity(&self) -> usize {
        chan::lock(&self.rx.shared).capacity
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}
