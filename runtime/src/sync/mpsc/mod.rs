//! A bounded multi-producer, single-consumer channel with backpressure.
//!
//! [`Sender::send`] waits while the buffer is full; blocked senders are served
//! in FIFO order. When the receiver frees a slot it *grants* it to the first
//! blocked sender: the slot is reserved for that sender (no later send can
//! take it, so messages are never reordered) and the sender is woken; its
//! next poll puts its value into the reserved slot and only then returns
//! `Ready(Ok(()))`. A blocked sender's value stays in its own future until
//! that moment, so a `send` dropped before it completed (a losing `select!`
//! arm, an aborted task) never delivers its message, and a granted slot it
//! leaves behind passes to the next blocked sender: no slot is lost either.
//! (An earlier version moved the value into the buffer at the grant, and a
//! cancelled send was delivered anyway: a retry then duplicated it.)
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
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use super::waiters::{Waiters, WakeList};

mod error;
pub use error::{SendError, TryRecvError, TrySendError};

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
        granted: 0,
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

/// Invariant: `buffer.len() + granted <= capacity`, and a sender is queued in
/// `blocked` only while that sum is `capacity`.
struct Chan<T> {
    buffer: VecDeque<T>,
    capacity: usize,
    /// Slots reserved for woken senders that have not yet put their value
    /// in (unlinked from `blocked`, node still theirs).
    granted: usize,
    senders: usize,
    receiver_alive: bool,
    recv_waker: Option<Waker>,
    /// Senders waiting for a slot; their values stay in their futures.
    blocked: Waiters<()>,
}

impl<T> Chan<T> {
    /// Whether a new message may go in now without passing anyone.
    fn has_room(&self) -> bool {
        self.buffer.len() + self.granted < self.capacity && self.blocked.is_empty()
    }

    /// Reserves a free slot for the first blocked sender, if there is both;
    /// returns its waker, to wake once the lock is released.
    fn grant_next(&mut self) -> Option<Waker> {
        if self.buffer.len() + self.granted >= self.capacity {
            return None;
        }
        let (_, waker) = self.blocked.pop_front()?;
        self.granted += 1;
        waker
    }
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
    /// Fails with the value back if the receiver is gone. The message is
    /// sent exactly when the future returns `Ready(Ok(()))`: dropping it
    /// before then withdraws the value (it is dropped with the future) and
    /// passes its place to the next waiting sender. Cancel-safe.
    pub fn send(&self, value: T) -> Send<'_, T> {
        Send {
            sender: self,
            value: Some(value),
            key: None,
        }
    }

    /// Sends `value` if there is room right now (and no earlier sender is
    /// waiting for it).
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let mut chan = lock(&self.chan);
        if !chan.receiver_alive {
            return Err(TrySendError::Closed(value));
        }
        if !chan.has_room() {
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
    /// The message, until it is in the buffer (or handed back).
    value: Option<T>,
    /// Its node in `blocked` while it waits (linked) or once a slot was
    /// granted to it (unlinked).
    key: Option<usize>,
}

// The value is only ever moved, never pinned, so `Send` may move freely.
impl<T> Unpin for Send<'_, T> {}

impl<T> Future for Send<'_, T> {
    type Output = Result<(), SendError<T>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let Some(value) = this.value.take() else {
            panic!("`Send` polled after completion");
        };
        let mut chan = lock(&this.sender.chan);
        if !chan.receiver_alive {
            if let Some(key) = this.key.take() {
                chan.blocked.remove(key);
            }
            return Poll::Ready(Err(SendError(value)));
        }
        match this.key {
            None if chan.has_room() => {}
            None => {
                this.key = Some(chan.blocked.push_back(cx.waker().clone(), ()));
                this.value = Some(value);
                crate::inspect::note(crate::inspect::WaitReason::ChannelSend);
                return Poll::Pending;
            }
            Some(key) if chan.blocked.is_linked(key) => {
                chan.blocked.set_waker(key, cx.waker());
                this.value = Some(value);
                crate::inspect::note(crate::inspect::WaitReason::ChannelSend);
                return Poll::Pending;
            }
            Some(key) => {
                // Unlinked with the receiver alive: a slot was granted to us.
                chan.blocked.remove(key);
                this.key = None;
                chan.granted -= 1;
            }
        }
        chan.buffer.push_back(value);
        let waker = chan.recv_waker.take();
        drop(chan);
        if let Some(waker) = waker {
            waker.wake();
        }
        Poll::Ready(Ok(()))
    }
}

impl<T> Drop for Send<'_, T> {
    fn drop(&mut self) {
        let Some(key) = self.key.take() else {
            return;
        };
        let mut chan = lock(&self.sender.chan);
        let (_, linked) = chan.blocked.remove(key);
        let next = if !linked && chan.receiver_alive {
            // A slot granted to this send, never used: pass it on.
            chan.granted -= 1;
            chan.grant_next()
        } else {
            None
        };
        drop(chan);
        if let Some(waker) = next {
            waker.wake();
        }
        // The withdrawn value drops with `self`, after the lock.
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

    /// Pops a message and grants the freed slot to the first blocked
    /// sender, returning that sender's waker.
    fn take(chan: &mut Chan<T>) -> Option<(T, Option<Waker>)> {
        let value = chan.buffer.pop_front()?;
        Some((value, chan.grant_next()))
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        // Buffered values, and the waker of our last `recv` (which holds its
        // task's allocation), are dropped after the lock: their destructors
        // may do anything, even use this channel.
        let (buffered, waker) = {
            let mut chan = lock(&self.chan);
            chan.receiver_alive = false;
            (std::mem::take(&mut chan.buffer), chan.recv_waker.take())
        };
        drop(buffered);
        drop(waker);
        // Release every blocked sender; each returns its value as a
        // `SendError`. No sender queues any more.
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
