//! A bounded multi-producer, single-consumer channel with backpressure.
//!
//! [`Sender::send`] waits while the buffer is full; blocked senders are served
//! in FIFO order. A blocked sender's value waits in its queue node, and the
//! receiver moves it into the buffer the moment it frees a slot, so a message
//! is never reordered behind a later one and no slot is ever lost to a
//! cancelled send.
//!
//! ```
//! use runtime::sync::mpsc;
//!
//! futures::executor::block_on(async {
//!     let (tx, mut rx) = mpsc::channel(8);
//!     let tx2 = tx.clone();
//!     tx.send(1).await.unwrap();
//!     tx2.send(2).await.unwrap();
//!     drop((tx, tx2));
//!     assert_eq!(rx.recv().await, Some(1));
//!     assert_eq!(rx.recv().await, Some(2));
//!     assert_eq!(rx.recv().await, None); // every sender is gone
//! });
//! ```

use std::collections::VecDeque;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use super::waiters::{Waiters, WakeList};

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
    let chan = Arc::new(Mutex::new(Chan {
        buffer: VecDeque::new(),
        capacity,
        senders: 1,
        receiver_alive: true,
        recv_waker: None,
        blocked: Waiters::new(),
    }));
    (
        Sender {
            chan: Arc::clone(&chan),
        },
        Receiver { chan },
    )
}

/// Invariant: a sender is queued in `blocked` only while the buffer is full.
struct Chan<T> {
    buffer: VecDeque<T>,
    capacity: usize,
    senders: usize,
    receiver_alive: bool,
    recv_waker: Option<Waker>,
    /// Senders waiting for a slot, with the value they want to send. The
    /// value is `None` once the receiver has moved it into the buffer.
    blocked: Waiters<Option<T>>,
}

type Shared<T> = Arc<Mutex<Chan<T>>>;

fn lock<T>(chan: &Shared<T>) -> MutexGuard<'_, Chan<T>> {
    chan.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The sending half of a [`channel`]; clone it for more producers.
pub struct Sender<T> {
    chan: Shared<T>,
}

impl<T> Sender<T> {
    /// Sends `value`, waiting while the buffer is full.
    ///
    /// Fails with the value back if the receiver is gone. Dropping the
    /// future before it completes withdraws the value (it is dropped with the
    /// future) without disturbing the other senders.
    pub fn send(&self, value: T) -> Send<'_, T> {
        Send {
            sender: self,
            state: SendState::Init(Some(value)),
        }
    }

    /// Sends `value` if there is room right now (and no earlier sender is
    /// waiting for it).
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let mut chan = lock(&self.chan);
        if !chan.receiver_alive {
            return Err(TrySendError::Closed(value));
        }
        if chan.buffer.len() >= chan.capacity || !chan.blocked.is_empty() {
            return Err(TrySendError::Full(value));
        }
        chan.buffer.push_back(value);
        let waker = chan.recv_waker.take();
        drop(chan);
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }

    /// Whether the receiver is gone (every later send will fail).
    pub fn is_closed(&self) -> bool {
        !lock(&self.chan).receiver_alive
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        lock(&self.chan).senders += 1;
        Sender {
            chan: Arc::clone(&self.chan),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut chan = lock(&self.chan);
        chan.senders -= 1;
        if chan.senders == 0 {
            let waker = chan.recv_waker.take();
            drop(chan);
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

/// The future returned by [`Sender::send`].
///
/// Its name shadows the `Send` marker trait under a glob import of this
/// module; write `std::marker::Send` there.
#[must_use = "futures do nothing unless polled"]
pub struct Send<'a, T> {
    sender: &'a Sender<T>,
    state: SendState<T>,
}

enum SendState<T> {
    /// Not polled yet: holds the value.
    Init(Option<T>),
    /// Blocked under this key; the value sits in the queue node.
    Queued(usize),
    Done,
}

// The value is only ever moved, never pinned, so `Send` may move freely.
impl<T> Unpin for Send<'_, T> {}

impl<T> Future for Send<'_, T> {
    type Output = Result<(), SendError<T>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let mut chan = lock(&this.sender.chan);
        match &mut this.state {
            SendState::Init(value) => {
                let Some(value) = value.take() else {
                    panic!("`Send` polled after completion");
                };
                if !chan.receiver_alive {
                    this.state = SendState::Done;
                    return Poll::Ready(Err(SendError(value)));
                }
                if chan.buffer.len() < chan.capacity && chan.blocked.is_empty() {
                    chan.buffer.push_back(value);
                    let waker = chan.recv_waker.take();
                    drop(chan);
                    this.state = SendState::Done;
                    if let Some(waker) = waker {
                        waker.wake();
                    }
                    return Poll::Ready(Ok(()));
                }
                let key = chan.blocked.push_back(cx.waker().clone(), Some(value));
                this.state = SendState::Queued(key);
                crate::inspect::note(crate::inspect::WaitReason::ChannelSend);
                Poll::Pending
            }
            SendState::Queued(key) => {
                let key = *key;
                if chan.blocked.is_linked(key) {
                    chan.blocked.set_waker(key, cx.waker());
                    crate::inspect::note(crate::inspect::WaitReason::ChannelSend);
                    return Poll::Pending;
                }
                // Unlinked: either the receiver took the value into the
                // buffer, or it was dropped and left the value with us.
                let (value, _) = chan.blocked.remove(key);
                drop(chan);
                this.state = SendState::Done;
                Poll::Ready(match value {
                    None => Ok(()),
                    Some(value) => Err(SendError(value)),
                })
            }
            SendState::Done => panic!("`Send` polled after completion"),
        }
    }
}

impl<T> Drop for Send<'_, T> {
    fn drop(&mut self) {
        if let SendState::Queued(key) = self.state {
            // The withdrawn value, if any, is dropped after the lock.
            let _value = lock(&self.sender.chan).blocked.remove(key);
        }
    }
}

impl<T> fmt::Debug for Send<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Send").finish_non_exhaustive()
    }
}

/// The receiving half of a [`channel`].
pub struct Receiver<T> {
    chan: Shared<T>,
}

impl<T> Receiver<T> {
    /// Receives the next message, waiting while the buffer is empty.
    ///
    /// Gives `None` once every [`Sender`] is dropped and the buffer is
    /// drained. Cancel-safe: a dropped `recv` takes no message.
    pub fn recv(&mut self) -> Recv<'_, T> {
        Recv { receiver: self }
    }

    /// Receives a message if one is buffered right now.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut chan = lock(&self.chan);
        match Self::take(&mut chan) {
            Some((value, waker)) => {
                drop(chan);
                if let Some(waker) = waker {
                    waker.wake();
                }
                Ok(value)
            }
            None if chan.senders == 0 => Err(TryRecvError::Disconnected),
            None => Err(TryRecvError::Empty),
        }
    }

    /// Pops a message and refills the freed slot from the first blocked
    /// sender, returning that sender's waker.
    fn take(chan: &mut Chan<T>) -> Option<(T, Option<Waker>)> {
        let value = chan.buffer.pop_front()?;
        let mut waker = None;
        if let Some(slot) = chan.blocked.front_mut() {
            let moved = slot.take();
            if let Some((_, w)) = chan.blocked.pop_front() {
                waker = w;
            }
            if let Some(moved) = moved {
                chan.buffer.push_back(moved);
            }
        }
        Some((value, waker))
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        // Buffered values are dropped after the lock: their destructors may
        // do anything, even use this channel.
        let buffered = {
            let mut chan = lock(&self.chan);
            chan.receiver_alive = false;
            std::mem::take(&mut chan.buffer)
        };
        drop(buffered);
        // Release every blocked sender; each finds its value still in its
        // node and returns it as a `SendError`. No sender queues any more.
        let mut wake = WakeList::new();
        loop {
            let mut chan = lock(&self.chan);
            while wake.can_push() {
                match chan.blocked.pop_front() {
                    Some((_, waker)) => wake.push(waker),
                    None => break,
                }
            }
            let done = chan.blocked.is_empty();
            drop(chan);
            wake.wake_all();
            if done {
                return;
            }
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}

/// The future returned by [`Receiver::recv`].
#[must_use = "futures do nothing unless polled"]
pub struct Recv<'a, T> {
    receiver: &'a mut Receiver<T>,
}

impl<T> Future for Recv<'_, T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut chan = lock(&self.receiver.chan);
        match Receiver::take(&mut chan) {
            Some((value, waker)) => {
                drop(chan);
                if let Some(waker) = waker {
                    waker.wake();
                }
                Poll::Ready(Some(value))
            }
            None if chan.senders == 0 => Poll::Ready(None),
            None => {
                match &chan.recv_waker {
                    Some(old) if old.will_wake(cx.waker()) => {}
                    _ => chan.recv_waker = Some(cx.waker().clone()),
                }
                crate::inspect::note(crate::inspect::WaitReason::ChannelRecv);
                Poll::Pending
            }
        }
    }
}

impl<T> fmt::Debug for Recv<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recv").finish_non_exhaustive()
    }
}

/// [`Sender::send`] failed because the receiver is gone; holds the value.
#[derive(PartialEq, Eq, Clone, Copy)]
pub struct SendError<T>(pub T);

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendError").finish_non_exhaustive()
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("channel closed: the receiver is gone")
    }
}

impl<T> Error for SendError<T> {}

/// [`Sender::try_send`] failed; holds the value.
#[derive(PartialEq, Eq, Clone, Copy)]
pub enum TrySendError<T> {
    /// The buffer is full (or earlier senders are waiting).
    Full(T),
    /// The receiver is gone.
    Closed(T),
}

impl<T> TrySendError<T> {
    /// Takes back the value that was not sent.
    pub fn into_inner(self) -> T {
        match self {
            TrySendError::Full(value) | TrySendError::Closed(value) => value,
        }
    }
}

impl<T> fmt::Debug for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("Full(..)"),
            TrySendError::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("channel full"),
            TrySendError::Closed(_) => f.write_str("channel closed: the receiver is gone"),
        }
    }
}

impl<T> Error for TrySendError<T> {}

/// [`Receiver::try_recv`] found no message.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum TryRecvError {
    /// Nothing buffered yet, but senders remain.
    Empty,
    /// Nothing buffered and every sender is gone.
    Disconnected,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("channel empty"),
            TryRecvError::Disconnected => f.write_str("channel empty and every sender is gone"),
        }
    }
}

impl Error for TryRecvError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll<F: Future + Unpin>(f: &mut F) -> Poll<F::Output> {
        Pin::new(f).poll(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn cancelled_send_frees_its_place() {
        let (tx, mut rx) = channel(1);
        tx.try_send(0).expect("room for one");
        let mut a = tx.send(1);
        let mut b = tx.send(2);
        assert!(poll(&mut a).is_pending());
        assert!(poll(&mut b).is_pending());
        drop(a);
        assert_eq!(rx.try_recv(), Ok(0));
        assert!(matches!(poll(&mut b), Poll::Ready(Ok(()))));
        assert_eq!(rx.try_recv(), Ok(2));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    }

    #[test]
    fn dropped_receiver_returns_blocked_values() {
        let (tx, rx) = channel(1);
        tx.try_send(0).expect("room for one");
        let mut a = tx.send(1);
        assert!(poll(&mut a).is_pending());
        drop(rx);
        assert!(matches!(poll(&mut a), Poll::Ready(Err(SendError(1)))));
        assert!(tx.is_closed());
    }

    #[test]
    fn send_sync_bounds() {
        fn check<T: std::marker::Send + Sync>() {}
        check::<Sender<std::cell::Cell<u8>>>();
        check::<Receiver<std::cell::Cell<u8>>>();
    }
}
