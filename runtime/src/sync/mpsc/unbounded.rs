//! The unbounded channel: [`unbounded_channel`], whose sender never waits.
//!
//! It is the bounded channel's state with a capacity of `usize::MAX`, so
//! nobody ever queues for a slot. There is no backpressure: a producer
//! faster than its consumer grows the buffer without limit. Prefer
//! [`channel`](super::channel) unless the producer cannot wait (it is not
//! async, or it must never block on the consumer).

use std::fmt;
use std::sync::Arc;

use super::SendError;
use super::bounded::Closed;
use super::chan::{self, ChanRef, Rx, Tx};

/// Creates a channel without a bound: [`UnboundedSender::send`] never
/// waits.
///
/// ```
/// use runtime::sync::mpsc;
///
/// let (tx, mut rx) = mpsc::unbounded_channel();
/// for i in 0..1000 {
///     tx.send(i).unwrap(); // not async: never waits
/// }
/// drop(tx);
/// futures::executor::block_on(async {
///     let mut n = 0;
///     while let Some(_) = rx.recv().await {
///         n += 1;
///     }
///     assert_eq!(n, 1000);
/// });
/// ```
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let shared = chan::new_chan(usize::MAX);
    (
        UnboundedSender {
            tx: Tx {
                shared: Arc::clone(&shared),
            },
        },
        UnboundedReceiver { rx: Rx { shared } },
    )
}

/// The sending half of an [`unbounded_channel`]; clone it for more
/// producers.
pub struct UnboundedSender<T> {
    tx: Tx<T>,
}

impl<T> UnboundedSender<T> {
    /// Sends `value` at once; fails with the value back if the receiver is
    /// closed or gone.
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.tx
            .try_send(value)
            .map_err(|(value, _)| SendError(value))
    }

    /// Completes when the receiver is closed or dropped.
    pub fn closed(&self) -> Closed<'_, T> {
        Closed {
            shared: &self.tx.shared,
            key: None,
        }
    }

    /// Whether the receiver is closed or gone.
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// A sender that does not keep the channel open.
    pub fn downgrade(&self) -> WeakUnboundedSender<T> {
        WeakUnboundedSender {
            shared: Arc::clone(&self.tx.shared),
        }
    }

    /// Whether both senders feed the same channel.
    pub fn same_channel(&self, other: &UnboundedSender<T>) -> bool {
        self.tx.same_channel(&other.tx)
    }
}

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> Self {
        UnboundedSender {
            tx: self.tx.clone(),
        }
    }
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedSender").finish_non_exhaustive()
    }
}

/// An [`UnboundedSender`] that does not keep the channel open; see
/// [`WeakSender`](super::WeakSender).
pub struct WeakUnboundedSender<T> {
    shared: ChanRef<T>,
}

impl<T> WeakUnboundedSender<T> {
    /// A counted sender again, if one still exists.
    pub fn upgrade(&self) -> Option<UnboundedSender<T>> {
        Tx::upgrade(&self.shared).map(|tx| UnboundedSender { tx })
    }
}

impl<T> Clone for WeakUnboundedSender<T> {
    fn clone(&self) -> Self {
        WeakUnboundedSender {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> fmt::Debug for WeakUnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakUnboundedSender")
            .finish_non_exhaustive()
    }
}

/// The receiving half of an [`unbounded_channel`]; the same methods as
/// [`Receiver`](super::Receiver).
pub struct UnboundedReceiver<T> {
    pub(super) rx: Rx<T>,
}

super::receiver::receiver_methods! {
    UnboundedReceiver;

    /// Receives the next message; `None` once every sender is gone (or the
    /// channel is closed) and the buffer is drained. Cancel-safe.
    fn recv;

    /// Receives up to `limit` messages into `buffer`, waiting for at least
    /// one; see [`Receiver::recv_many`](super::Receiver::recv_many).
    fn recv_many;

    /// Receives a message if one is buffered right now.
    fn try_recv;

    /// Polls for the next message.
    fn poll_recv;

    /// Polls [`recv_many`](UnboundedReceiver::recv_many).
    fn poll_recv_many;

    /// Closes the channel without dropping the receiver; buffered messages
    /// can still be received.
    fn close;

    /// Whether the channel is closed, by `close` or because every sender
    /// is gone.
    fn is_closed;

    /// The number of messages buffered.
    fn len;

    /// Whether no message is buffered.
    fn is_empty;
}

impl<T> fmt::Debug for UnboundedReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedReceiver").finish_non_exhaustive()
    }
}
