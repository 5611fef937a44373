//! The unbounded channel: [`unbounded_channel`], whose sender never waits.
//!
//! It is the bounded channel's state with a capacity of `usize::MAX`, so
//! nobody ever queues for a slot. There is no backpressure: a producer
//! faster than its consumer grows the buffer without limit. Prefer
//! [`channel`](super::channel) unless the producer cannot wait (it is not
//! async, or it must never block on the consumer).

use std::fmt;
use std::future::{Future, poll_fn};
use std::panic::Location;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::bounded::{Closed, Recv};
use super::chan::{self, Rx, Shared, Tx};
use super::{SendError, TryRecvError};

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
    let shared = chan::new_shared(usize::MAX);
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
    shared: Shared<T>,
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

impl<T> UnboundedReceiver<T> {
    /// Receives the next message; `None` once every sender is gone (or the
    /// channel is closed) and the buffer is drained. Cancel-safe.
    #[track_caller]
    pub fn recv(&mut self) -> Recv<'_, T> {
        Recv {
            rx: &mut self.rx,
            at: Location::caller(),
        }
    }

    /// Receives up to `limit` messages into `buffer`, waiting for at least
    /// one; see [`Receiver::recv_many`](super::Receiver::recv_many).
    #[track_caller]
    pub fn recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> impl Future<Output = usize> {
        // Not an `async fn`, to be `#[track_caller]` (see `Receiver::recv_many`).
        let at = Location::caller();
        let rx = &mut self.rx;
        poll_fn(move |cx| rx.poll_recv_many(cx, buffer, limit, Some(at)))
    }

    /// Receives a message if one is buffered right now.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.rx.try_recv().map_err(|finished| {
            if finished {
                TryRecvError::Disconnected
            } else {
                TryRecvError::Empty
            }
        })
    }

    /// Polls for the next message.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.rx.poll_recv(cx, None)
    }

    /// Polls [`recv_many`](UnboundedReceiver::recv_many).
    pub fn poll_recv_many(
        &mut self,
        cx: &mut Context<'_>,
        buffer: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        self.rx.poll_recv_many(cx, buffer, limit, None)
    }

    /// Closes the channel without dropping the receiver; buffered messages
    /// can still be received.
    pub fn close(&mut self) {
        self.rx.close();
    }

    /// Whether the channel is closed, by `close` or because every sender
    /// is gone.
    pub fn is_closed(&self) -> bool {
        self.rx.is_closed()
    }

    /// The number of messages buffered.
    pub fn len(&self) -> usize {
        self.rx.len()
    }

    /// Whether no message is buffered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> fmt::Debug for UnboundedReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedReceiver").finish_non_exhaustive()
    }
}
