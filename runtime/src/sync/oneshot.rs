//! A channel for exactly one value, from one task (or thread) to another.
//!
//! Either side can give up early: the receiver by [`Receiver::close`] or by
//! being dropped (the sender learns it from [`Sender::is_closed`] or by
//! awaiting [`Sender::closed`], and stops computing a value nobody wants);
//! the sender by being dropped (the receiver gets [`RecvError`]).
//!
//! ```
//! use runtime::sync::oneshot;
//!
//! let (tx, rx) = oneshot::channel();
//! std::thread::spawn(move || tx.send(42).unwrap());
//! assert_eq!(futures::executor::block_on(rx), Ok(42));
//! ```

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

/// Creates a one-shot channel.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Mutex::new(State {
        value: None,
        sender_alive: true,
        receiver_alive: true,
        waker: None,
        tx_waker: None,
    }));
    (
        Sender {
            shared: Arc::clone(&shared),
        },
        Receiver {
            shared,
            terminated: false,
        },
    )
}

struct State<T> {
    value: Option<T>,
    sender_alive: bool,
    /// False once the receiver is closed or dropped: no value may be sent.
    receiver_alive: bool,
    /// The receiver's waker.
    waker: Option<Waker>,
    /// The sender's waker, while it waits in [`Sender::closed`].
    tx_waker: Option<Waker>,
}

impl<T> State<T> {
    /// Marks the receiver closed; returns the sender's waker to wake.
    fn close_rx(&mut self) -> Option<Waker> {
        self.receiver_alive = false;
        self.tx_waker.take()
    }
}

fn lock<T>(shared: &Arc<Mutex<State<T>>>) -> MutexGuard<'_, State<T>> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The sending half of a one-shot [`channel`].
pub struct Sender<T> {
    shared: Arc<Mutex<State<T>>>,
}

impl<T> Sender<T> {
    /// Sends the value, waking the receiver; gives it back if the receiver
    /// is gone.
    pub fn send(self, value: T) -> Result<(), T> {
        let mut state = lock(&self.shared);
        if !state.receiver_alive {
            return Err(value);
        }
        state.value = Some(value);
        let waker = state.waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }

    /// Whether the receiver is closed or gone (a send would fail).
    pub fn is_closed(&self) -> bool {
        !lock(&self.shared).receiver_alive
    }

    /// Completes when the receiver is closed or dropped: race it against
    /// the work that computes the value, and stop when nobody wants it.
    ///
    /// ```
    /// use runtime::sync::oneshot;
    ///
    /// let (mut tx, rx) = oneshot::channel::<u32>();
    /// std::thread::spawn(move || drop(rx));
    /// futures::executor::block_on(tx.closed());
    /// assert!(tx.send(1).is_err());
    /// ```
    pub fn closed(&mut self) -> Closed<'_, T> {
        Closed { sender: self }
    }

    /// Polls [`closed`](Sender::closed): `Ready(())` once the receiver is
    /// closed or dropped; otherwise keeps `cx`'s waker (only the last
    /// poll's waker is woken).
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = lock(&self.shared);
        if !state.receiver_alive {
            return Poll::Ready(());
        }
        match &state.tx_waker {
            Some(old) if old.will_wake(cx.waker()) => {}
            _ => state.tx_waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

/// The future returned by [`Sender::closed`].
#[must_use = "futures do nothing unless polled"]
pub struct Closed<'a, T> {
    sender: &'a mut Sender<T>,
}

impl<T> Future for Closed<'_, T> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.sender.poll_closed(cx)
    }
}

impl<T> fmt::Debug for Closed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Closed").finish_non_exhaustive()
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut state = lock(&self.shared);
        state.sender_alive = false;
        let waker = state.waker.take();
        // A waker left by `closed` holds its task's allocation: drop it
        // after the lock, too.
        let tx_waker = state.tx_waker.take();
        drop(state);
        drop(tx_waker);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

/// The receiving half of a one-shot [`channel`]; await it for the value.
///
/// Resolves to `Err(RecvError)` if the [`Sender`] is dropped without sending
/// (and also if polled again after it already gave the value).
pub struct Receiver<T> {
    shared: Arc<Mutex<State<T>>>,
    /// It gave its result (a value or an error): polling it again gives
    /// `Err(RecvError)`.
    terminated: bool,
}

impl<T> Receiver<T> {
    /// Takes the value if it has arrived. After `Ok` or `Closed` the
    /// receiver is [terminated](Receiver::is_terminated).
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut state = lock(&self.shared);
        let result = match state.value.take() {
            Some(value) => Ok(value),
            None if state.sender_alive && !self.terminated => return Err(TryRecvError::Empty),
            None => Err(TryRecvError::Closed),
        };
        self.terminated = true;
        result
    }

    /// Stops the sender from sending: every later [`Sender::send`] fails
    /// with the value back, and [`Sender::closed`] completes. A value sent
    /// before the close can still be taken with
    /// [`try_recv`](Receiver::try_recv) (or by awaiting the receiver).
    ///
    /// ```
    /// use runtime::sync::oneshot;
    ///
    /// let (tx, mut rx) = oneshot::channel();
    /// rx.close();
    /// assert_eq!(tx.send(1), Err(1));
    /// ```
    pub fn close(&mut self) {
        let tx_waker = lock(&self.shared).close_rx();
        if let Some(waker) = tx_waker {
            waker.wake();
        }
    }

    /// Whether no value is waiting to be taken: not sent yet, sender
    /// dropped, or already received. (Not a sign that polling is safe: see
    /// [`is_terminated`](Receiver::is_terminated).)
    pub fn is_empty(&self) -> bool {
        lock(&self.shared).value.is_none()
    }

    /// Whether the receiver already gave its result (`Ready` from a poll,
    /// or `Ok`/`Closed` from `try_recv`); it should not be polled again.
    pub fn is_terminated(&self) -> bool {
        self.terminated
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    /// `#[track_caller]`: `rx.await` calls `poll` from the `.await`
    /// expression, so the caller's location is the await site a task dump
    /// shows (a combinator's call when one polls it).
    #[track_caller]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let mut state = lock(&this.shared);
        if let Some(value) = state.value.take() {
            this.terminated = true;
            return Poll::Ready(Ok(value));
        }
        if !state.sender_alive || this.terminated {
            this.terminated = true;
            return Poll::Ready(Err(RecvError(())));
        }
        match &state.waker {
            Some(old) if old.will_wake(cx.waker()) => {}
            _ => state.waker = Some(cx.waker().clone()),
        }
        crate::inspect::note_at(
            crate::inspect::WaitReason::ChannelRecv,
            std::panic::Location::caller(),
        );
        Poll::Pending
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        // An unreceived value, and our old waker, are dropped after the
        // lock is released; the sender waiting in `closed` is woken.
        let (_value, _waker, tx_waker) = {
            let mut state = lock(&self.shared);
            let tx_waker = state.close_rx();
            (state.value.take(), state.waker.take(), tx_waker)
        };
        if let Some(waker) = tx_waker {
            waker.wake();
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}

/// The [`Sender`] was dropped without sending a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecvError(());

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the oneshot sender was dropped without sending")
    }
}

impl Error for RecvError {}

/// [`Receiver::try_recv`] found no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryRecvError {
    /// The value has not been sent yet.
    Empty,
    /// The sender was dropped without sending (or the value was taken).
    Closed,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("no value sent yet"),
            TryRecvError::Closed => f.write_str("the oneshot sender is gone"),
        }
    }
}

impl Error for TryRecvError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn try_recv_states() {
        let (tx, mut rx) = channel();
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
        tx.send(1).expect("receiver alive");
        assert_eq!(rx.try_recv(), Ok(1));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    }

    #[test]
    fn send_sync_bounds() {
        fn check<T: Send + Sync>() {}
        check::<Sender<std::cell::Cell<u8>>>();
        check::<Receiver<std::cell::Cell<u8>>>();
    }
}
