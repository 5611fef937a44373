//! The ready list of a [`JoinSet`](super::JoinSet): which of its entries
//! were woken since the set last looked, so that `join_next` polls only
//! those (the idea of tokio's `IdleNotifiedSet`, written small).
//!
//! Each entry of the set has its own [`Waker`], made here by
//! [`ReadyList::waker`]: the set polls the entry's `JoinHandle` with it, and
//! the task table keeps it until the task finishes. Waking it files the
//! entry's index at the back of the list (once: a second wake before the set
//! looks is a no-op) and wakes the set's *waiter*, the waker of the task
//! that last awaited `join_next`. The set pops indices one at a time and
//! polls only those entries. Joining `n` tasks that each finish once costs
//! about `2n` handle polls in all (one to file the entry's waker, one to
//! take the output), not `n` polls per wake.
//!
//! ```text
//!   task 7 finishes ──► entry waker 3 ──► list: [.., 3]   (queued[3] = true)
//!                                     └─► waiter.wake()   (the joining task)
//!   join_next ──► pop 3 (queued[3] = false) ──► poll entry 3's JoinHandle
//! ```
//!
//! The wakers are `Send + Sync` (a `Waker` must be, and a `JoinHandle` may
//! be moved to another thread), so the list sits behind a `Mutex`; it is
//! held only to push or pop an index, and never while a waker runs.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Wake, Waker};

/// Indices of the entries to poll, shared by the set and its entry wakers.
pub(super) struct ReadyList {
    inner: Mutex<Inner>,
}

struct Inner {
    /// Entries woken (or newly added) since the set last looked, in wake
    /// order.
    queue: VecDeque<usize>,
    /// `queued[i]`: entry `i` is in `queue` already (dedupes double wakes).
    queued: Vec<bool>,
    /// The task awaiting `join_next`, woken when an index is filed.
    waiter: Option<Waker>,
}

impl ReadyList {
    pub(super) fn new() -> Arc<ReadyList> {
        Arc::new(ReadyList {
            inner: Mutex::new(Inner {
                queue: VecDeque::new(),
                queued: Vec::new(),
                waiter: None,
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while the lock is held leaves the list consistent (each
        // step is one push, pop or flag write), so a poisoned lock is used.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The waker of entry `index`: files `index` and wakes the waiter.
    pub(super) fn waker(self: &Arc<Self>, index: usize) -> Waker {
        Waker::from(Arc::new(EntryWaker {
            index,
            list: Arc::clone(self),
        }))
    }

    /// Files `index` (if it is not filed already) and returns the waiter to
    /// wake, which the caller wakes after the lock is released: a waker may
    /// run arbitrary code.
    fn file(&self, index: usize) -> Option<Waker> {
        let mut inner = self.lock();
        if index >= inner.queued.len() {
            inner.queued.resize(index + 1, false);
        }
        if inner.queued[index] {
            return None; // already filed, and the waiter already woken
        }
        inner.queued[index] = true;
        inner.queue.push_back(index);
        inner.waiter.clone()
    }

    /// Files a new entry for its first poll (the poll that hands its waker to
    /// the task table). The set is not waiting on it yet, so nobody is woken.
    pub(super) fn push_new(&self, index: usize) {
        drop(self.file(index));
    }

    /// Records `waiter` as the task to wake on the next filing.
    pub(super) fn set_waiter(&self, waiter: &Waker) {
        let old = {
            let mut inner = self.lock();
            match &inner.waiter {
                Some(old) if old.will_wake(waiter) => None,
                _ => inner.waiter.replace(waiter.clone()),
            }
        };
        drop(old); // outside the lock: dropping a waker may run code
    }

    /// The oldest filed index, unfiled; `None` when the list is empty.
    pub(super) fn pop(&self) -> Option<usize> {
        let mut inner = self.lock();
        let index = inner.queue.pop_front()?;
        inner.queued[index] = false;
        Some(index)
    }

    /// Forgets every filed index and the waiter (the set is emptied or
    /// dropped; an entry waker the task table still holds then files an
    /// index the set skips, and wakes nobody).
    pub(super) fn clear(&self) {
        let waiter = {
            let mut inner = self.lock();
            inner.queue.clear();
            inner.queued.iter_mut().for_each(|q| *q = false);
            inner.waiter.take()
        };
        drop(waiter);
    }

    /// How many indices are filed (for tests).
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.lock().queue.len()
    }
}

/// The waker of one entry of a set.
struct EntryWaker {
    index: usize,
    list: Arc<ReadyList>,
}

impl Wake for EntryWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if let Some(waiter) = self.list.file(self.index) {
            waiter.wake();
        }
    }
}
