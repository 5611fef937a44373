//! A waker that counts its wakes, for the unit tests of the primitives
//! that hold wakers (the ready list of a `JoinSet`, `Event`, `RwLock`,
//! `watch`): which waiter a release wakes, and how many times.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Wake, Waker};

/// The count behind a [`counter`] waker.
pub(crate) struct WakeCount(AtomicUsize);

impl WakeCount {
    /// How many times the waker (or a clone) was woken so far.
    pub(crate) fn wakes(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl Wake for WakeCount {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A fresh waker and the count of its wakes (woken from any thread).
pub(crate) fn counter() -> (Arc<WakeCount>, Waker) {
    let count = Arc::new(WakeCount(AtomicUsize::new(0)));
    (Arc::clone(&count), Waker::from(count))
}
