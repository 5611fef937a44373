//! A lock for critical sections of a few instructions that never run user
//! code: one compare-and-swap to take it, one plain store to give it back.
//!
//! [`std::sync::Mutex`] costs two atomic read-modify-writes per critical
//! section on Linux: a `cmpxchg` to lock and an `xchg` to unlock, the
//! unlock's swap telling it whether a sleeping thread must be woken with
//! `futex(FUTEX_WAKE)`. On the single-threaded event loop nobody ever
//! contends, so the second one buys nothing. This lock never sleeps in the
//! kernel: a thread that finds it taken spins briefly (`pause`) and then
//! yields its time slice (`sched_yield`) until it is free, so the owner can
//! release it with a plain `Release` store, which on x86-64 is an ordinary
//! `mov`.
//!
//! That trade is sound only because what runs under the lock is short and
//! bounded: the callers (see [`super::event`]) clone, wake and drop wakers
//! outside it and hold it for a few list operations. A thread preempted
//! while holding it makes the others yield, not deadlock.

use std::cell::UnsafeCell;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};

/// A spin-then-yield lock around a `T`; see the module documentation for
/// when it is the right choice.
pub(crate) struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the lock hands out access to `value` to one thread at a time (a
// `SpinGuard` exists only while `locked` was turned from false to true by its
// creator), so sharing the lock moves `T`s between threads but never shares
// one: `T: Send` suffices, as for `std::sync::Mutex`.
unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    /// An unlocked lock around `value`.
    pub(crate) const fn new(value: T) -> Self {
        SpinLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    /// Takes the lock, waiting (spinning, then yielding) while another thread
    /// holds it.
    #[inline]
    pub(crate) fn lock(&self) -> SpinGuard<'_, T> {
        // Acquire: what the previous owner wrote before its Release store is
        // visible to us.
        if self
            .locked
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.lock_contended();
        }
        SpinGuard { lock: self }
    }

    #[cold]
    fn lock_contended(&self) {
        let mut spins = 0u32;
        loop {
            // Wait with plain loads until it looks free, so that waiting
            // threads do not keep stealing the cache line from the owner.
            while self.locked.load(Ordering::Relaxed) {
                if spins < 6 {
                    for _ in 0..1u32 << spins {
                        std::hint::spin_loop();
                    }
                    spins += 1;
                } else {
                    std::thread::yield_now();
                }
            }
            if self
                .locked
                .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                return;
            }
        }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for SpinLock<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpinLock").finish_non_exhaustive()
    }
}

/// Access to the value of a [`SpinLock`]; unlocks when dropped.
pub(crate) struct SpinGuard<'a, T> {
    lock: &'a SpinLock<T>,
}

impl<T> Deref for SpinGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: this guard exists only while its creator holds the lock
        // (`lock` set `locked` from false to true and only our `Drop` sets it
        // back), so no other reference to `value` exists; the Acquire in
        // `lock` ordered the previous owner's writes before this read.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> DerefMut for SpinGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, and `&mut self` makes this the only
        // reference derived from this guard.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> Drop for SpinGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // Release: our writes to `value` happen before the next owner's
        // Acquire in `lock`. Nobody else writes `locked` while we hold it,
        // so a store (not a swap) suffices.
        self.lock.locked.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn threads_take_turns() {
        let lock = Arc::new(SpinLock::new(0u64));
        let per_thread = if cfg!(miri) { 50 } else { 20_000 };
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let lock = lock.clone();
                std::thread::spawn(move || {
                    for _ in 0..per_thread {
                        // A non-atomic read-modify-write: a lost update (or,
                        // under Miri, a data race) if two threads got in.
                        let mut guard = lock.lock();
                        let v = *guard;
                        std::hint::spin_loop();
                        *guard = v + 1;
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        assert_eq!(*lock.lock(), 4 * per_thread);
    }

    #[test]
    fn send_sync_bounds() {
        fn check<T: Send + Sync>() {}
        check::<SpinLock<Vec<u8>>>();
    }
}
