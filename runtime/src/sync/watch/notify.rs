//! Wake every task waiting for a condition: the waiter list under the
//! watch channel's two waits ([`Receiver::changed`] waits for a new
//! version, [`Sender::closed`] for the last receiver to go).
//!
//! [`Receiver::changed`]: super::Receiver::changed
//! [`Sender::closed`]: super::Sender::closed
//!
//! # The rule that loses no wakeup
//!
//! The condition lives outside this list, in an atomic (the channel's
//! version, its receiver count). The side that makes it true changes the
//! atomic **first** and calls [`Notify::notify_all`] **after**, which takes
//! the list's lock. A waiter checks the condition **under** that lock and
//! queues only if it is still false. So either the waiter's check came
//! first, and the notifier, locking after it, finds its node; or the
//! notifier's lock came first, and the waiter, locking after it, sees the
//! changed atomic (the notifier's change happens before its unlock, which
//! happens before the waiter's lock). Nothing else is needed: no atomic
//! read-modify-write on the waiter's side, no flag.
//!
//! The list is the crate's [`Waiters`] (FIFO, O(1) removal by key) under a
//! [`SpinLock`]: what runs under it is a few list operations and one atomic
//! load; wakers are cloned, woken and dropped outside it. Each node carries
//! the `epoch` of the `notify_all` calls made before it queued, and a
//! `notify_all` releases only nodes older than itself, so a waiter that
//! queues while a long batch is being woken waits for the next notification
//! instead of keeping the notifier looping. A released node stays in the
//! slab, unlinked, until its owner sees it and removes it (the
//! [`Waiters`] contract), so a key never changes owner while held.

use std::task::{Context, Poll};

use crate::sync::spin_lock::{SpinGuard, SpinLock};
use crate::sync::waiters::{Waiters, WakeList};

/// Tasks waiting for a condition, all released by [`Notify::notify_all`].
#[derive(Debug)]
pub(super) struct Notify {
    inner: SpinLock<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// How many `notify_all` calls have run; a node holds the value it saw
    /// when it queued.
    epoch: u64,
    waiters: Waiters<u64>,
}

impl Notify {
    pub(super) const fn new() -> Self {
        Notify {
            inner: SpinLock::new(Inner {
                epoch: 0,
                waiters: Waiters::new(),
            }),
        }
    }

    fn lock(&self) -> SpinGuard<'_, Inner> {
        self.inner.lock()
    }

    /// How many nodes the list holds, linked or not (a leak check).
    #[cfg(test)]
    pub(super) fn node_count(&self) -> usize {
        self.lock().waiters.node_count()
    }

    /// Releases every waiter queued so far and wakes it, never under the
    /// lock. Call it after making the waited-for condition true.
    pub(super) fn notify_all(&self) {
        let mut wake = WakeList::new();
        let mut inner = self.lock();
        inner.epoch += 1;
        let epoch = inner.epoch;
        loop {
            let mut done = true;
            while matches!(inner.waiters.front_mut(), Some(&mut queued) if queued < epoch) {
                if !wake.can_push() {
                    done = false;
                    break;
                }
                if let Some((_, waker)) = inner.waiters.pop_front() {
                    wake.push(waker);
                }
            }
            drop(inner);
            wake.wake_all();
            if done {
                return;
            }
            inner = self.lock();
        }
    }
}

/// One task's place in a [`Notify`]: not queued, or queued under a key.
#[derive(Debug, Default)]
pub(super) struct Waiter {
    key: Option<usize>,
}

impl Waiter {
    pub(super) const fn new() -> Self {
        Waiter { key: None }
    }

    /// `Ready` if this waiter was released by a `notify_all` since it
    /// queued, or if `ready()`, checked under the lock, holds; otherwise
    /// queues (or updates its waker) and returns `Pending`. After `Ready`
    /// the waiter is out of the list; the caller re-checks its condition.
    pub(super) fn poll(
        &mut self,
        notify: &Notify,
        cx: &mut Context<'_>,
        ready: impl FnOnce() -> bool,
    ) -> Poll<()> {
        // Cloned before locking: a waker's clone may run any code.
        let waker = cx.waker().clone();
        let mut inner = notify.lock();
        if let Some(key) = self.key {
            if !inner.waiters.is_linked(key) {
                // Released by a `notify_all`: our node, ours to free.
                inner.waiters.remove_unlinked(key);
                self.key = None;
                return Poll::Ready(());
            }
        }
        if ready() {
            let old = self.key.take().and_then(|key| inner.waiters.take(key).1);
            drop(inner);
            drop(old);
            return Poll::Ready(());
        }
        let old = match self.key {
            Some(key) => inner.waiters.replace_waker(key, waker),
            None => {
                let epoch = inner.epoch;
                self.key = Some(inner.waiters.push_back(waker, epoch));
                None
            }
        };
        drop(inner);
        // Dropped once the lock is released: it may run any code.
        drop(old);
        Poll::Pending
    }

    /// Leaves the list (the waiting future is dropped, or completed by a
    /// check of its own before the list was looked at).
    pub(super) fn cancel(&mut self, notify: &Notify) {
        if let Some(key) = self.key.take() {
            let (_, waker) = notify.lock().waiters.take(key);
            drop(waker);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::task::Waker;

    fn poll(w: &mut Waiter, n: &Notify, ready: bool) -> Poll<()> {
        w.poll(n, &mut Context::from_waker(Waker::noop()), || ready)
    }

    #[test]
    fn a_notify_releases_only_the_waiters_queued_before_it() {
        let n = Notify::new();
        let (mut a, mut b) = (Waiter::new(), Waiter::new());
        assert!(poll(&mut a, &n, false).is_pending());
        n.notify_all();
        assert!(poll(&mut b, &n, false).is_pending());
        assert!(poll(&mut a, &n, false).is_ready(), "released");
        assert!(poll(&mut b, &n, false).is_pending(), "queued after it");
        assert!(poll(&mut b, &n, true).is_ready(), "its condition holds");
        assert_eq!(n.lock().waiters.node_count(), 0, "both nodes freed");
    }

    #[test]
    fn a_cancelled_waiter_frees_its_node_released_or_not() {
        let n = Notify::new();
        let (mut a, mut b) = (Waiter::new(), Waiter::new());
        assert!(poll(&mut a, &n, false).is_pending());
        assert!(poll(&mut b, &n, false).is_pending());
        a.cancel(&n);
        n.notify_all();
        b.cancel(&n);
        assert_eq!(n.lock().waiters.node_count(), 0);
    }

    #[test]
    fn more_waiters_than_a_wake_batch_are_all_released() {
        let n = Notify::new();
        let mut ws: Vec<Waiter> = (0..3 * WakeList::CAPACITY + 1)
            .map(|_| Waiter::new())
            .collect();
        for w in &mut ws {
            assert!(poll(w, &n, false).is_pending());
        }
        n.notify_all();
        for w in &mut ws {
            assert!(poll(w, &n, false).is_ready());
        }
    }

    /// Wakes the thread that polls: records the wake and unparks it.
    struct Unpark {
        woken: AtomicBool,
        thread: std::thread::Thread,
    }
    impl std::task::Wake for Unpark {
        fn wake(self: std::sync::Arc<Self>) {
            self.woken.store(true, Ordering::Release);
            self.thread.unpark();
        }
    }

    #[test]
    fn a_condition_set_on_another_thread_is_never_missed() {
        // The notifier's rule (change, then notify) against the waiter's
        // (check under the lock): every round must end, whatever the
        // interleaving. A lost wakeup leaves the waiter parked: after 10 s
        // (far beyond any scheduling delay) the test fails instead of
        // hanging.
        let rounds = if cfg!(miri) { 20 } else { 2_000 };
        for round in 0..rounds {
            let n = std::sync::Arc::new(Notify::new());
            let flag = std::sync::Arc::new(AtomicBool::new(false));
            let t = {
                let (n, flag) = (n.clone(), flag.clone());
                std::thread::spawn(move || {
                    flag.store(true, Ordering::Release);
                    n.notify_all();
                })
            };
            let unpark = std::sync::Arc::new(Unpark {
                woken: AtomicBool::new(false),
                thread: std::thread::current(),
            });
            let waker = Waker::from(unpark.clone());
            let mut w = Waiter::new();
            while w
                .poll(&n, &mut Context::from_waker(&waker), || {
                    flag.load(Ordering::Acquire)
                })
                .is_pending()
            {
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
                while !unpark.woken.swap(false, Ordering::Acquire) {
                    let now = std::time::Instant::now();
                    assert!(now < deadline, "round {round}: a wakeup was lost");
                    std::thread::park_timeout(deadline - now);
                }
            }
            t.join().expect("notifier thread");
        }
    }
}
