//! A starting gate for threads: each started thread waits at it until
//! all have arrived and the timer is running; then all go at once (or, if
//! one could not be started, all leave). Unlike `std::sync::Barrier`, the
//! main thread starts the clock *before* it opens the gate, so that no
//! work runs before the clock does (with a barrier, a descheduled main
//! thread may read the clock after the workers finished), and a thread
//! the OS refused does not leave the others waiting forever.

use std::sync::{Condvar, Mutex};

/// Where started threads wait until every one is there, then all go (or,
/// if one could not be started, all leave).
#[derive(Default)]
pub struct Gate {
    state: Mutex<(usize, Option<bool>)>,
    cond: Condvar,
}

impl Gate {
    /// A thread arrives; returns whether to run (`false`: leave).
    pub fn arrive_and_wait(&self) -> bool {
        let Ok(mut s) = self.state.lock() else {
            return false;
        };
        s.0 += 1;
        self.cond.notify_all();
        loop {
            if let Some(go) = s.1 {
                return go;
            }
            s = match self.cond.wait(s) {
                Ok(s) => s,
                Err(_) => return false,
            };
        }
    }

    /// Waits until `n` threads arrived.
    pub fn wait_for(&self, n: usize) {
        let Ok(mut s) = self.state.lock() else { return };
        while s.0 < n {
            s = match self.cond.wait(s) {
                Ok(s) => s,
                Err(_) => return,
            };
        }
    }

    /// Lets every thread go (`true`) or leave (`false`).
    pub fn open(&self, go: bool) {
        if let Ok(mut s) = self.state.lock() {
            s.1 = Some(go);
        }
        self.cond.notify_all();
    }
}
