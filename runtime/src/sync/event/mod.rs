//! A set/clear flag that tasks can wait on, like `asyncio.Event`.
//!
//! # How it works
//!
//! Three pieces of state, each touched as little as the operation allows:
//!
//! - `flag` (an atomic bool) is the flag itself. [`Event::set`] raises it
//!   under the lock; [`Event::clear`] lowers it with one plain store and no
//!   lock; [`Event::wait`] and [`Event::is_set`] read it.
//! - `generation` (an atomic counter) counts the `set`s that raised the flag.
//!   Only `set` bumps it, under the lock. A waiter records the generation it
//!   queued in; once the counter has moved past it, the waiter was released,
//!   whether or not the flag has been cleared since (`asyncio.Event`'s rule).
//! - `waiters` (a FIFO under a [`SpinLock`]) holds the wakers of the tasks
//!   waiting, each tagged with its generation. Wakers are cloned, woken and
//!   dropped outside the lock, so it is held for a few list operations: one
//!   compare-and-swap to take, one plain store to release, where a
//!   `std::sync::Mutex` costs two read-modify-writes.
//!
//! A `set` that raises the flag bumps the generation and then *removes* every
//! node queued before the bump from the list ([`Waiters::take_front`]), and
//! wakes it once the lock is released. The released waiter never looks at
//! its node again: it learns that it was released from `generation`, with
//! one atomic load and no lock. Its node's key therefore stays valid exactly
//! as long as `generation` still equals the waiter's own; that is the test
//! both the spurious re-poll and [`Drop`] make (under the lock) before they
//! touch the node.
//!
//! A round of ping-pong (one task sets, the other wakes, waits again, clears)
//! thus takes the lock twice, once in `set` and once when the waiter queues;
//! the wake-up poll, the drop of the finished future and `clear` take none.
//! A `wait` on a set event and a `set` on a set event take no lock either.
//! Counted in atomic read-modify-writes, the instructions that cost here, a
//! round is four: the two lock acquisitions, the waker's clone and its
//! consuming wake. (tokio's `Notify`, read in its `notify.rs`, spends about
//! nine on the same round: a `std::sync::Mutex` locked and unlocked on both
//! sides, compare-and-swaps on its state word, the same waker handling.)

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll, Waker};

use super::spin_lock::{SpinGuard, SpinLock};
use super::waiters::{Waiters, WakeList};

/// A flag that tasks wait on until another task (or thread) sets it.
///
/// [`set`](Event::set) wakes every waiter, and [`wait`](Event::wait) on a set
/// event completes at once. [`clear`](Event::clear) resets the flag; a waiter
/// already released by a `set` still completes even if the flag is cleared
/// before it runs, as in `asyncio.Event`.
///
/// ```
/// use runtime::sync::Event;
///
/// let event = Event::new();
/// futures::executor::block_on(async {
///     event.set();
///     event.wait().await; // already set: returns at once
///     event.clear();
///     assert!(!event.is_set());
/// });
/// ```
pub struct Event {
    /// The flag. Raised only under the `waiters` lock (so that a waiter that
    /// saw it lowered under the lock is queued before the `set` that raises
    /// it looks at the queue); lowered by `clear` without the lock.
    flag: AtomicBool,
    /// How many `set`s raised the flag. Written only under the lock; read
    /// without it by a queued waiter to learn whether it was released.
    generation: AtomicU64,
    /// The waiting tasks, each with the generation it queued in. A node
    /// whose generation is below `generation` belongs to `set`, which
    /// removes it; any other node belongs to its waiter.
    waiters: SpinLock<Waiters<u64>>,
}

impl Event {
    /// Creates an event that is not set.
    pub const fn new() -> Self {
        Event {
            flag: AtomicBool::new(false),
            generation: AtomicU64::new(0),
            waiters: SpinLock::new(Waiters::new()),
        }
    }

    fn lock(&self) -> SpinGuard<'_, Waiters<u64>> {
        self.waiters.lock()
    }

    /// Sets the flag and wakes every task waiting on it.
    ///
    /// On a set event this is one atomic load.
    #[inline]
    pub fn set(&self) {
        if self.flag.load(Ordering::Acquire) {
            return;
        }
        self.raise();
    }

    /// [`Event::set`] on an event that looked clear: raise the flag under
    /// the lock and release the waiters queued so far.
    #[inline(never)]
    fn raise(&self) {
        let mut waiters = self.lock();
        // Raised meanwhile by another `set`, which releases the waiters.
        if self.flag.load(Ordering::Relaxed) {
            return;
        }
        self.flag.store(true, Ordering::Release);
        // Only `set` writes the generation, always under the lock.
        let generation = self.generation.load(Ordering::Relaxed) + 1;
        // Release: a waiter that loads this generation sees everything done
        // before this `set`.
        self.generation.store(generation, Ordering::Release);
        // Release the waiters queued before this `set`, never waking under
        // the lock. Stop at one that queued after it (possible if the event
        // was cleared and waited on while a batch was being woken).
        let Some(first) = take_released(&mut waiters, generation) else {
            return;
        };
        if !has_released(&mut waiters, generation) {
            // One waiter, the common case: no batch to fill.
            drop(waiters);
            if let Some(waker) = first {
                waker.wake();
            }
            return;
        }
        let mut wake = WakeList::new();
        wake.push(first);
        loop {
            let mut done = true;
            while has_released(&mut waiters, generation) {
                if !wake.can_push() {
                    done = false;
                    break;
                }
                if let Some(waker) = take_released(&mut waiters, generation) {
                    wake.push(waker);
                }
            }
            drop(waiters);
            wake.wake_all();
            if done {
                return;
            }
            waiters = self.lock();
        }
    }

    /// Resets the flag; later calls to [`wait`](Event::wait) wait again.
    ///
    /// One atomic store; takes no lock. A waiter already released by a
    /// [`set`](Event::set) still completes.
    #[inline]
    pub fn clear(&self) {
        self.flag.store(false, Ordering::Release);
    }

    /// Whether the flag is set.
    #[inline]
    pub fn is_set(&self) -> bool {
        self.flag.load(Ordering::Acquire)
    }

    /// Waits until the flag is set; completes at once if it already is.
    #[track_caller]
    pub fn wait(&self) -> Wait<'_> {
        Wait {
            event: self,
            state: WaitState::Init,
            at: Location::caller(),
        }
    }

    /// Whether a waiter that queued in `queued_in` has been released.
    #[inline]
    fn released(&self, queued_in: u64) -> bool {
        self.generation.load(Ordering::Acquire) != queued_in
    }
}

/// Whether the first waiter queued before the `set` of `generation`.
fn has_released(waiters: &mut Waiters<u64>, generation: u64) -> bool {
    matches!(waiters.front_mut(), Some(&mut queued_in) if queued_in < generation)
}

/// Removes the first waiter if it queued before the `set` of `generation`,
/// and returns its waker for the caller to wake once the lock is released.
fn take_released(waiters: &mut Waiters<u64>, generation: u64) -> Option<Option<Waker>> {
    if !has_released(waiters, generation) {
        return None;
    }
    waiters.take_front().map(|(_, waker)| waker)
}

// `std::sync::Mutex`, which `Event` used before, is unwind-safe; the spin
// lock (an `UnsafeCell`) is not by itself. It holds only the waiter queue,
// changed by list operations that call no user code (wakers are cloned,
// woken and dropped outside it), so a panic that unwinds past an `Event`
// cannot leave the queue half-updated.
impl std::panic::RefUnwindSafe for Event {}
impl std::panic::UnwindSafe for Event {}

impl Default for Event {
    fn default() -> Self {
        Event::new()
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("set", &self.is_set())
            .finish_non_exhaustive()
    }
}

/// The future returned by [`Event::wait`].
#[must_use = "futures do nothing unless polled"]
pub struct Wait<'a> {
    event: &'a Event,
    state: WaitState,
    /// Where `wait` was called: the task's await site while it waits.
    at: &'static Location<'static>,
}

#[derive(Debug, Clone, Copy)]
enum WaitState {
    Init,
    /// Queued as node `key` while the generation was `generation`.
    Queued {
        key: usize,
        generation: u64,
    },
    Done,
}

impl Future for Wait<'_> {
    type Output = ();

    /// The two common outcomes are inlined into the caller: the event is
    /// already set, or a `set` released this waiter (one load each, no
    /// lock). Queueing and re-registering are out of line.
    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let done = match this.state {
            WaitState::Init => this.event.flag.load(Ordering::Acquire),
            // Released: the node is no longer ours to touch.
            WaitState::Queued { generation, .. } => this.event.released(generation),
            WaitState::Done => true,
        };
        if done {
            this.state = WaitState::Done;
            return Poll::Ready(());
        }
        this.poll_locked(cx)
    }
}

impl Wait<'_> {
    /// Not set and not released: queue (first poll) or store the current
    /// waker (a later one), under the lock. The waker is cloned before
    /// locking, and a replaced one dropped after: no waker code runs under
    /// the lock.
    #[inline(never)]
    fn poll_locked(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let event = self.event;
        let waker = cx.waker().clone();
        let mut waiters = event.lock();
        match self.state {
            WaitState::Init => {
                // Under the lock, the flag cannot be raised without this
                // node being seen by the `set` that raises it.
                if event.flag.load(Ordering::Acquire) {
                    drop(waiters);
                    self.state = WaitState::Done;
                    return Poll::Ready(());
                }
                let generation = event.generation.load(Ordering::Relaxed);
                let key = waiters.push_back(waker, generation);
                drop(waiters);
                self.state = WaitState::Queued { key, generation };
            }
            WaitState::Queued { key, generation } => {
                // Woken by something else, or polled by hand. `generation`
                // moves only under the lock: if it has not moved, the node
                // is still queued and still ours.
                if event.released(generation) {
                    drop(waiters);
                    self.state = WaitState::Done;
                    return Poll::Ready(());
                }
                let old = waiters.replace_waker(key, waker);
                drop(waiters);
                drop(old);
            }
            WaitState::Done => unreachable!("a finished Wait is not polled under the lock"),
        }
        crate::inspect::note_at(crate::inspect::WaitReason::Event, self.at);
        Poll::Pending
    }

    /// Dropped while queued and not released: take the node out, unless a
    /// `set` released it meanwhile (then that `set` removes it).
    #[inline(never)]
    fn cancel(&mut self, key: usize, generation: u64) {
        let mut waiters = self.event.lock();
        if !self.event.released(generation) {
            let (_, waker) = waiters.take(key);
            drop(waiters);
            // Dropped once the lock is released: it may run any code.
            drop(waker);
        }
    }
}

impl Drop for Wait<'_> {
    #[inline]
    fn drop(&mut self) {
        if let WaitState::Queued { key, generation } = self.state {
            // Released: the `set` that released us removes the node.
            if !self.event.released(generation) {
                self.cancel(key, generation);
            }
        }
    }
}

impl fmt::Debug for Wait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
