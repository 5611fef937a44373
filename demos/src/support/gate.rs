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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn started(
        n: usize,
    ) -> (
        Arc<Gate>,
        Arc<AtomicUsize>,
        Vec<std::thread::JoinHandle<()>>,
    ) {
        let (gate, ran) = (Arc::new(Gate::default()), Arc::new(AtomicUsize::new(0)));
        let handles = (0..n)
            .map(|_| {
                let (g, r) = (gate.clone(), ran.clone());
                std::thread::spawn(move || {
                    if g.arrive_and_wait() {
                        r.fetch_add(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        (gate, ran, handles)
    }

    #[test]
    fn nobody_runs_before_the_gate_opens_then_all_do() {
        let (gate, ran, handles) = started(4);
        gate.wait_for(4);
        assert_eq!(ran.load(Ordering::SeqCst), 0);
        gate.open(true);
        handles.into_iter().for_each(|h| h.join().unwrap());
        assert_eq!(ran.load(Ordering::SeqCst), 4);
    }

    #[test]
    fn a_closed_gate_sends_everyone_home() {
        let (gate, ran, handles) = started(3);
        gate.wait_for(3);
        gate.open(false);
        handles.into_iter().for_each(|h| h.join().unwrap());
        assert_eq!(ran.load(Ordering::SeqCst), 0);
    }
}
