//! The cross-thread half of a runtime: what a waker on another thread touches.
//!
//! A remote wake pushes the task's [`WakerCell`] onto a mutex-guarded `Vec`
//! and then, only if no wake-up is already in flight, writes the `eventfd`
//! behind [`mio::Waker`] (`write(2)` of 8 bytes), which makes the loop's
//! `epoll_wait(2)` return with the [`WAKER_TOKEN`](crate::reactor::WAKER_TOKEN).
//!
//! The `notified` flag is what coalesces: it is set by the first remote wake
//! and cleared by the loop only when it *consumes* the eventfd event, right
//! before it drains the queue. Whoever finds it already set knows an event is
//! on its way and that the drain that follows it will see its push. A burst of
//! 1,000 remote wakes while the loop is busy therefore costs one `write(2)`.
//!
//! The flag and the queue use `SeqCst` and a mutex; `tests/remote_wake.rs`
//! hammers the lost-wakeup window (a wake that races the loop going to sleep).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::waker::WakerCell;

/// Shared between the loop and every waker of its tasks (behind an `Arc`).
pub(crate) struct Shared {
    queue: Mutex<Remote>,
    notified: AtomicBool,
    waker: mio::Waker,
    /// Remote wakes accepted (after per-task de-duplication).
    pub(crate) remote_wakes: AtomicU64,
    /// `eventfd` writes made: at most one per loop turn.
    pub(crate) eventfd_writes: AtomicU64,
}

struct Remote {
    cells: Vec<Arc<WakerCell>>,
    /// Set when the runtime is dropped: later wakes are ignored, and the
    /// queue can no longer hold cells (which would keep `Shared` alive in a
    /// reference cycle).
    closed: bool,
}

impl Shared {
    pub(crate) fn new(waker: mio::Waker) -> Shared {
        Shared {
            queue: Mutex::new(Remote {
                cells: Vec::new(),
                closed: false,
            }),
            notified: AtomicBool::new(false),
            waker,
            remote_wakes: AtomicU64::new(0),
            eventfd_writes: AtomicU64::new(0),
        }
    }

    /// The remote path of `Waker::wake` (see the module doc).
    pub(crate) fn wake_remote(&self, cell: &WakerCell) {
        if cell.queued.swap(true, Ordering::AcqRel) {
            return; // already in the queue: the loop will see it
        }
        {
            let mut remote = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            if remote.closed {
                return;
            }
            // The queue holds a counted reference; `cell` lives in an `Arc`
            // because every `WakerCell` is created by `waker::new_waker`.
            // SAFETY: `cell` points into an `Arc<WakerCell>` allocation (see
            // `new_waker`), whose count is held by the caller's waker, so
            // adding one count and rebuilding an `Arc` from it is sound.
            let arc = unsafe {
                let ptr: *const WakerCell = cell;
                Arc::increment_strong_count(ptr);
                Arc::from_raw(ptr)
            };
            remote.cells.push(arc);
        }
        self.remote_wakes.fetch_add(1, Ordering::Relaxed);
        self.notify();
    }

    /// Makes the loop's `epoll_wait` return, unless a wake-up is in flight.
    pub(crate) fn notify(&self) {
        if !self.notified.swap(true, Ordering::SeqCst) {
            self.eventfd_writes.fetch_add(1, Ordering::Relaxed);
            // An error here means the eventfd is gone, which only happens
            // while the runtime is being torn down: nothing is left to wake.
            let _ = self.waker.wake();
        }
    }

    /// Called by the loop when `epoll_wait` reported the waker token: clears
    /// the flag first, then takes everything queued (order matters: a wake
    /// after the clear writes the eventfd again, a wake before it is drained).
    pub(crate) fn drain(&self, out: &mut Vec<Arc<WakerCell>>) {
        self.notified.store(false, Ordering::SeqCst);
        let mut remote = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        out.append(&mut remote.cells);
    }

    /// Stops accepting remote wakes (the runtime is being dropped).
    pub(crate) fn close(&self) {
        let cells = {
            let mut remote = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            remote.closed = true;
            std::mem::take(&mut remote.cells)
        };
        drop(cells);
    }
}
