//! A one-slot wake-up signal for single-threaded executors: a `Cell<bool>`
//! and the waiting task's `Waker`. Used by the ping-pong workload for our
//! runtime and smol, so that what is measured is the executor's switch, not
//! a channel's bookkeeping.

use std::cell::Cell;
use std::future::{Future, poll_fn};
use std::task::{Poll, Waker};

/// See the module doc.
#[derive(Default)]
pub struct Signal {
    set: Cell<bool>,
    waker: Cell<Option<Waker>>,
}

impl Signal {
    /// Sets the signal and wakes the waiter, if any. The waker stays
    /// registered (the same task waits again), so it is not cloned per wait.
    pub fn notify(&self) {
        self.set.set(true);
        if let Some(w) = self.waker.take() {
            w.wake_by_ref();
            self.waker.set(Some(w));
        }
    }

    /// Waits until the signal is set, and clears it.
    pub fn wait(&self) -> impl Future<Output = ()> + '_ {
        poll_fn(move |cx| {
            if self.set.replace(false) {
                return Poll::Ready(());
            }
            let w = match self.waker.take() {
                Some(w) if w.will_wake(cx.waker()) => w,
                _ => cx.waker().clone(),
            };
            self.waker.set(Some(w));
            Poll::Pending
        })
    }
}
