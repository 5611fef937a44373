//! A set/clear flag that tasks can wait on, like `asyncio.Event`.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};

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
    /// Mirrors `inner.set`, so `is_set` needs no lock.
    flag: AtomicBool,
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    set: bool,
    /// Bumped by every `set` that changes the flag; each waiter records the
    /// generation it queued in, so a `set` releases only earlier waiters.
    generation: u64,
    waiters: Waiters<u64>,
}

impl Event {
    /// Creates an event that is not set.
    pub const fn new() -> Self {
        Event {
            flag: AtomicBool::new(false),
            inner: Mutex::new(Inner {
                set: false,
                generation: 0,
                waiters: Waiters::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets the flag and wakes every task waiting on it.
    pub fn set(&self) {
        let mut wake = WakeList::new();
        let generation = {
            let mut inner = self.lock();
            if inner.set {
                return;
            }
            inner.set = true;
            self.flag.store(true, Ordering::Release);
            inner.generation += 1;
            inner.generation
        };
        // Release the waiters in batches, never waking under the lock. Stop at
        // a waiter that queued after this `set` (possible if the event was
        // cleared in between).
        loop {
            let mut done = false;
            {
                let mut inner = self.lock();
                while wake.can_push() {
                    match inner.waiters.front_mut() {
                        Some(&mut queued_in) if queued_in < generation => {
                            if let Some((_, waker)) = inner.waiters.pop_front() {
                                wake.push(waker);
                            }
                        }
                        _ => {
                            done = true;
                            break;
                        }
                    }
                }
            }
            wake.wake_all();
            if done {
                return;
            }
        }
    }

    /// Resets the flag; later calls to [`wait`](Event::wait) wait again.
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.set = false;
        self.flag.store(false, Ordering::Release);
    }

    /// Whether the flag is set.
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
}

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
    Queued(usize),
    Done,
}

impl Future for Wait<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut inner = self.event.lock();
        match self.state {
            WaitState::Init => {
                if inner.set {
                    self.state = WaitState::Done;
                    return Poll::Ready(());
                }
                let generation = inner.generation;
                let key = inner.waiters.push_back(cx.waker().clone(), generation);
                self.state = WaitState::Queued(key);
                crate::inspect::note_at(crate::inspect::WaitReason::Event, self.at);
                Poll::Pending
            }
            WaitState::Queued(key) => {
                if inner.waiters.is_linked(key) {
                    inner.waiters.set_waker(key, cx.waker());
                    crate::inspect::note_at(crate::inspect::WaitReason::Event, self.at);
                    return Poll::Pending;
                }
                inner.waiters.remove(key);
                self.state = WaitState::Done;
                Poll::Ready(())
            }
            WaitState::Done => Poll::Ready(()),
        }
    }
}

impl Drop for Wait<'_> {
    fn drop(&mut self) {
        if let WaitState::Queued(key) = self.state {
            self.event.lock().waiters.remove(key);
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
mod tests {
    use super::*;
    use std::task::Waker;

    fn poll(w: &mut Wait<'_>) -> Poll<()> {
        Pin::new(w).poll(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn waiter_released_by_set_completes_even_after_clear() {
        let event = Event::new();
        let mut w = event.wait();
        assert!(poll(&mut w).is_pending());
        event.set();
        event.clear();
        assert!(poll(&mut w).is_ready());
    }

    #[test]
    fn waiter_queued_after_clear_keeps_waiting() {
        let event = Event::new();
        event.set();
        event.clear();
        let mut w = event.wait();
        assert!(poll(&mut w).is_pending());
        assert!(poll(&mut w).is_pending());
        event.set();
        assert!(poll(&mut w).is_ready());
    }

    #[test]
    fn is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Event>();
        check::<Wait<'_>>();
    }
}
