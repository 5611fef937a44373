//! The channel's shared state and the operations every handle is built
//! from: [`Tx`] (one counted sender, bounded or not), [`Rx`] (the
//! receiver), the slot protocol of blocked senders ([`poll_slot`],
//! [`cancel_slot`]) and the slots held by permits.
//!
//! # Slots
//!
//! A bounded channel has `capacity` slots. A slot is either free, holds a
//! buffered message, is *granted* to a blocked `send`/`reserve` future that
//! has not collected it yet, or is *reserved* by a [`Permit`] the user
//! holds. So `buffer.len() + granted + reserved <= capacity`, and a sender
//! queues in `blocked` only while that sum is `capacity`: the receiver
//! grants each slot it frees to the first blocked sender at once. A granted
//! or reserved slot that is given up (the future or permit dropped) passes
//! to the next blocked sender, so no slot is ever lost.
//!
//! # Closing
//!
//! `closed` is set by [`Receiver::close`] or by dropping the receiver. From
//! then on no send starts and every blocked `send`/`reserve` fails (granted
//! slots are forgotten: `granted` drops to 0), but permits already handed
//! out still deliver (while the receiver is alive), and the receiver sees
//! `None` only once the buffer is empty and no permit is outstanding.
//!
//! [`Permit`]: super::Permit
//! [`Receiver::close`]: super::Receiver::close

use std::collections::VecDeque;
use std::panic::Location;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use crate::sync::waiters::{Waiters, WakeList};

/// The state behind every handle of one channel.
pub(super) struct Chan<T> {
    pub(super) buffer: VecDeque<T>,
    /// `usize::MAX` for an unbounded channel (nobody ever blocks).
    pub(super) capacity: usize,
    /// Slots granted to blocked futures that have not collected them.
    pub(super) granted: usize,
    /// Slots held by `Permit`s and `OwnedPermit`s.
    pub(super) reserved: usize,
    /// Strong senders (a `WeakSender` is not counted).
    pub(super) senders: usize,
    /// No new message may be sent: `Receiver::close` or receiver dropped.
    pub(super) closed: bool,
    pub(super) receiver_alive: bool,
    pub(super) recv_waker: Option<Waker>,
    /// Senders waiting for a slot; their values stay in their futures.
    pub(super) blocked: Waiters<()>,
    /// `Sender::closed` futures, released all at once by the close.
    pub(super) closed_waiters: Waiters<()>,
}

/// A counted reference to one channel's state: every handle holds one
/// (a weak sender too: only strong senders are counted in `senders`).
pub(super) type ChanRef<T> = Arc<Mutex<Chan<T>>>;

/// A new channel's state, with one sender.
pub(super) fn new_chan<T>(capacity: usize) -> ChanRef<T> {
    Arc::new(Mutex::new(Chan {
        buffer: VecDeque::new(),
        capacity,
        granted: 0,
        reserved: 0,
        senders: 1,
        closed: false,
        receiver_alive: true,
        recv_waker: None,
        blocked: Waiters::new(),
        closed_waiters: Waiters::new(),
    }))
}

#[inline]
pub(super) fn lock<T>(chan: &ChanRef<T>) -> MutexGuard<'_, Chan<T>> {
    chan.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<T> Chan<T> {
    /// Slots in use: buffered, granted or reserved.
    #[inline]
    fn occupied(&self) -> usize {
        self.buffer.len() + self.granted + self.reserved
    }

    /// Free slots right now (tokio's `capacity`).
    pub(super) fn free(&self) -> usize {
        self.capacity.saturating_sub(self.occupied())
    }

    /// Whether a new message may go in now without passing anyone.
    #[inline]
    pub(super) fn has_room(&self) -> bool {
        self.occupied() < self.capacity && self.blocked.is_empty()
    }

    /// Grants a free slot to the first blocked sender, if there is both;
    /// returns its waker, to wake once the lock is released. (A queued
    /// waiter always has a waker, so `None` means nothing was granted.)
    #[inline]
    pub(super) fn grant_next(&mut self) -> Option<Waker> {
        if self.occupied() >= self.capacity || self.closed {
            return None;
        }
        let (_, waker) = self.blocked.pop_front()?;
        self.granted += 1;
        waker
    }

    /// Grants free slots to blocked senders until one or the other runs
    /// out, or `wake` is full; returns whether it stopped because `wake`
    /// was full (call again after waking them).
    fn grant_into(&mut self, wake: &mut WakeList) -> bool {
        while self.occupied() < self.capacity && !self.closed {
            if !wake.can_push() {
                return true;
            }
            match self.blocked.pop_front() {
                Some((_, waker)) => {
                    self.granted += 1;
                    wake.push(waker);
                }
                None => return false,
            }
        }
        false
    }

    /// Whether the receiver has seen the last message: nothing buffered,
    /// and no message can come (every sender gone, or closed with no
    /// permit outstanding).
    #[inline]
    fn finished(&self) -> bool {
        self.buffer.is_empty() && (self.senders == 0 || (self.closed && self.reserved == 0))
    }

    /// Appends a message and takes the receiver's waker.
    #[inline]
    pub(super) fn push(&mut self, value: T) -> Option<Waker> {
        self.buffer.push_back(value);
        self.recv_waker.take()
    }
}

/// Wakes `waker`, if any (after the caller released the lock).
#[inline]
pub(super) fn wake(waker: Option<Waker>) {
    if let Some(waker) = waker {
        waker.wake();
    }
}

/// Waits for a slot for a `send` or `reserve` future whose queue node is
/// `key`. `Ready(Ok(guard))`: the caller owns one slot that is not counted
/// anywhere yet, and holds the lock to fill or reserve it.
/// `Ready(Err(()))`: the channel is closed.
#[inline]
pub(super) fn poll_slot<'c, T>(
    shared: &'c ChanRef<T>,
    key: &mut Option<usize>,
    cx: &mut Context<'_>,
    at: &'static Location<'static>,
) -> Poll<Result<MutexGuard<'c, Chan<T>>, ()>> {
    let mut chan = lock(shared);
    if chan.closed {
        // A slot granted before the close was forgotten by it.
        if let Some(key) = key.take() {
            chan.blocked.remove(key);
        }
        return Poll::Ready(Err(()));
    }
    match *key {
        None if chan.has_room() => {}
        None => {
            *key = Some(chan.blocked.push_back(cx.waker().clone(), ()));
            crate::inspect::note_at(crate::inspect::WaitReason::ChannelSend, at);
            return Poll::Pending;
        }
        Some(k) if chan.blocked.is_linked(k) => {
            chan.blocked.set_waker(k, cx.waker());
            crate::inspect::note_at(crate::inspect::WaitReason::ChannelSend, at);
            return Poll::Pending;
        }
        Some(k) => {
            // Unlinked on an open channel: a slot was granted to us.
            chan.blocked.remove_unlinked(k);
            *key = None;
            chan.granted -= 1;
        }
    }
    Poll::Ready(Ok(chan))
}

/// A `send`/`reserve` future queued under `key` was dropped: leave the
/// queue, and pass a slot granted to it (never collected) to the next
/// blocked sender.
///
/// Out of line and cold: then the futures' `Drop`, which calls this only
/// when the future is still queued, inlines down to one test (most sends
/// complete, and the channel benchmark paid 17 instructions a message for
/// the call frame of a `Drop` that did nothing).
#[cold]
#[inline(never)]
pub(super) fn cancel_slot<T>(shared: &ChanRef<T>, key: usize) {
    let mut chan = lock(shared);
    let (_, linked) = chan.blocked.remove(key);
    let next = if !linked && !chan.closed {
        chan.granted -= 1;
        chan.grant_next()
    } else {
        None
    };
    drop(chan);
    wake(next);
}

/// A permit's slot comes back unused: to the next blocked sender, or (on a
/// closed channel) the receiver may now see the end.
pub(super) fn release_reserved<T>(shared: &ChanRef<T>) {
    let mut chan = lock(shared);
    chan.reserved -= 1;
    let waker = if chan.closed {
        chan.recv_waker.take()
    } else {
        chan.grant_next()
    };
    drop(chan);
    wake(waker);
}

/// A permit's slot is filled with `value` (dropped instead if the receiver
/// is gone: nobody could ever receive it).
pub(super) fn send_reserved<T>(shared: &ChanRef<T>, value: T) {
    let mut chan = lock(shared);
    chan.reserved -= 1;
    if !chan.receiver_alive {
        drop(chan);
        drop(value);
        return;
    }
    let waker = chan.push(value);
    drop(chan);
    wake(waker);
}

/// One counted sender: what `Sender` and `UnboundedSender` hold. Cloning
/// and dropping keep `senders` up to date; the last drop wakes the
/// receiver, which then sees `None` after the buffer.
pub(super) struct Tx<T> {
    pub(super) shared: ChanRef<T>,
}

impl<T> Tx<T> {
    /// Whether no message can be sent any more (receiver closed or gone).
    pub(super) fn is_closed(&self) -> bool {
        lock(&self.shared).closed
    }

    /// Sends without waiting (an unbounded send, or a bounded `try_send`).
    pub(super) fn try_send(&self, value: T) -> Result<(), (T, bool)> {
        let mut chan = lock(&self.shared);
        if chan.closed {
            return Err((value, true));
        }
        if !chan.has_room() {
            return Err((value, false));
        }
        let waker = chan.push(value);
        drop(chan);
        wake(waker);
        Ok(())
    }

    /// A new counted sender for the same channel, if any strong one is
    /// left (for `WeakSender::upgrade`).
    pub(super) fn upgrade(shared: &ChanRef<T>) -> Option<Tx<T>> {
        let mut chan = lock(shared);
        if chan.senders == 0 {
            return None;
        }
        chan.senders += 1;
        Some(Tx {
            shared: Arc::clone(shared),
        })
    }

    pub(super) fn same_channel(&self, other: &Tx<T>) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Clone for Tx<T> {
    fn clone(&self) -> Self {
        lock(&self.shared).senders += 1;
        Tx {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> Drop for Tx<T> {
    fn drop(&mut self) {
        let mut chan = lock(&self.shared);
        chan.senders -= 1;
        if chan.senders == 0 {
            let waker = chan.recv_waker.take();
            drop(chan);
            wake(waker);
        }
    }
}

/// The receiving end: what `Receiver` and `UnboundedReceiver` hold.
pub(super) struct Rx<T> {
    pub(super) shared: ChanRef<T>,
}

impl<T> Rx<T> {
    /// Takes the next message, or registers `cx`'s waker.
    /// `at`: the `recv` call that made the future, if any (the task's
    /// await site while it waits).
    #[inline]
    pub(super) fn poll_recv(
        &mut self,
        cx: &mut Context<'_>,
        at: Option<&'static Location<'static>>,
    ) -> Poll<Option<T>> {
        let mut chan = lock(&self.shared);
        if let Some(value) = chan.buffer.pop_front() {
            let waker = chan.grant_next();
            drop(chan);
            wake(waker);
            return Poll::Ready(Some(value));
        }
        if chan.finished() {
            return Poll::Ready(None);
        }
        match &chan.recv_waker {
            Some(old) if old.will_wake(cx.waker()) => {}
            _ => chan.recv_waker = Some(cx.waker().clone()),
        }
        crate::inspect::note_maybe_at(crate::inspect::WaitReason::ChannelRecv, at);
        Poll::Pending
    }

    /// Takes the next message if one is buffered: `Err(true)` when the
    /// channel is finished, `Err(false)` when it is only empty for now.
    pub(super) fn try_recv(&mut self) -> Result<T, bool> {
        let mut chan = lock(&self.shared);
        if let Some(value) = chan.buffer.pop_front() {
            let waker = chan.grant_next();
            drop(chan);
            wake(waker);
            return Ok(value);
        }
        Err(chan.finished())
    }

    /// Moves up to `limit` buffered messages into `out`, waiting for at
    /// least one; `Ready(0)` once the channel is finished (or `limit` is 0).
    pub(super) fn poll_recv_many(
        &mut self,
        cx: &mut Context<'_>,
        out: &mut Vec<T>,
        limit: usize,
        at: Option<&'static Location<'static>>,
    ) -> Poll<usize> {
        if limit == 0 {
            return Poll::Ready(0);
        }
        let mut chan = lock(&self.shared);
        if chan.buffer.is_empty() {
            if chan.finished() {
                return Poll::Ready(0);
            }
            match &chan.recv_waker {
                Some(old) if old.will_wake(cx.waker()) => {}
                _ => chan.recv_waker = Some(cx.waker().clone()),
            }
            crate::inspect::note_maybe_at(crate::inspect::WaitReason::ChannelRecv, at);
            return Poll::Pending;
        }
        let n = limit.min(chan.buffer.len());
        out.extend(chan.buffer.drain(..n));
        // Each freed slot goes to a blocked sender, in batches of wakers
        // woken outside the lock.
        let mut wake = WakeList::new();
        loop {
            let more = chan.grant_into(&mut wake);
            drop(chan);
            wake.wake_all();
            if !more {
                return Poll::Ready(n);
            }
            chan = lock(&self.shared);
        }
    }

    /// Closes the channel: no message may be sent from now on; blocked
    /// senders and `Sender::closed` futures are woken (the senders fail
    /// with their values back).
    pub(super) fn close(&mut self) {
        let mut wake = WakeList::new();
        loop {
            let done = {
                let mut chan = lock(&self.shared);
                chan.closed = true;
                chan.granted = 0;
                while wake.can_push() {
                    match chan.blocked.pop_front() {
                        Some((_, waker)) => wake.push(waker),
                        None => break,
                    }
                }
                while wake.can_push() {
                    match chan.closed_waiters.pop_front() {
                        Some((_, waker)) => wake.push(waker),
                        None => break,
                    }
                }
                chan.blocked.is_empty() && chan.closed_waiters.is_empty()
            };
            wake.wake_all();
            if done {
                return;
            }
        }
    }

    /// Whether the channel is closed: by `close`, or because every sender
    /// is gone (messages may still be buffered).
    pub(super) fn is_closed(&self) -> bool {
        let chan = lock(&self.shared);
        chan.closed || chan.senders == 0
    }

    pub(super) fn len(&self) -> usize {
        lock(&self.shared).buffer.len()
    }
}

impl<T> Drop for Rx<T> {
    fn drop(&mut self) {
        self.close();
        // Buffered values, and the waker of our last `recv` (which holds its
        // task's allocation), are dropped after the lock: their destructors
        // may do anything, even use this channel.
        let (buffered, waker) = {
            let mut chan = lock(&self.shared);
            chan.receiver_alive = false;
            (std::mem::take(&mut chan.buffer), chan.recv_waker.take())
        };
        drop(buffered);
        drop(waker);
    }
}

/// Waits until the channel is closed (`Sender::closed`): `key` is this
/// future's node in `closed_waiters`.
pub(super) fn poll_closed<T>(
    shared: &ChanRef<T>,
    key: &mut Option<usize>,
    cx: &mut Context<'_>,
) -> Poll<()> {
    let mut chan = lock(shared);
    if chan.closed {
        if let Some(key) = key.take() {
            chan.closed_waiters.remove(key);
        }
        return Poll::Ready(());
    }
    match *key {
        Some(k) => chan.closed_waiters.set_waker(k, cx.waker()),
        None => *key = Some(chan.closed_waiters.push_back(cx.waker().clone(), ())),
    }
    Poll::Pending
}

/// A `Sender::closed` future was dropped while queued.
pub(super) fn cancel_closed<T>(shared: &ChanRef<T>, key: usize) {
    lock(shared).closed_waiters.remove(key);
}
