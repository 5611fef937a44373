//! **semaphore**: a semaphore of 10 permits, 1,000 tasks each acquiring it
//! K times and holding the permit across one `yield_now` (so that the other
//! 990 really wait). Reported per acquire (ns/acquire): queueing behind the
//! semaphore, the wake of the next waiter on release, and the two switches.
//!
//! Our event loop: `runtime::sync::Semaphore`; our thread model:
//! `runtime::threaded::Semaphore` (1,000 threads, `thread::yield_now` while
//! holding); tokio: `tokio::sync::Semaphore`; smol: `async_lock::Semaphore`
//! (what `smol::lock` re-exports); threads: a `Mutex<usize>` + `Condvar`.
//! Both thread implementations do a tenth of the acquires each (they are
//! ~100× slower). (The thread model used to do a hundredth, one acquire per
//! thread, so its figure was mostly thread creation; see RESULTS.md.)

use std::rc::Rc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use super::Workload;
use crate::measure::{Sample, Stopwatch};
use crate::peers;

/// See the module doc.
pub const WORKLOAD: Workload = Workload {
    name: "semaphore",
    metrics: &["semaphore"],
    impls: &["ours", "threaded", "tokio", "smol", "threads"],
    run,
};

const TASKS: usize = 1_000;
const PERMITS: usize = 10;

fn run(imp: &str, quick: bool) -> Result<Vec<Sample>, String> {
    let k = if quick { 20 } else { 100 };
    let (f, k): (fn(usize) -> Duration, usize) = match imp {
        "ours" => (ours, k),
        "tokio" => (tokio, k),
        "smol" => (smol, k),
        "threaded" => (threaded, k / 10),
        "threads" => (threads, k / 10),
        _ => return Err(super::unknown("semaphore", imp)),
    };
    f(k.div_ceil(10));
    Ok(vec![Sample::per_op(
        "semaphore",
        imp,
        f(k),
        TASKS * k,
        "ns/acquire",
    )])
}

/// Our event loop: `runtime::sync::Semaphore` in spawned tasks.
pub fn ours(k: usize) -> Duration {
    peers::ours(async move {
        let sem = Rc::new(runtime::sync::Semaphore::new(PERMITS));
        let start = Stopwatch::start();
        let handles: Vec<_> = (0..TASKS)
            .map(|_| {
                let sem = sem.clone();
                runtime::spawn(async move {
                    for _ in 0..k {
                        let _permit = sem.acquire().await;
                        runtime::yield_now().await;
                    }
                })
            })
            .collect();
        for h in handles {
            h.await.expect("semaphore task");
        }
        start.elapsed()
    })
}

/// tokio: `tokio::sync::Semaphore` in `spawn_local` tasks.
pub fn tokio(k: usize) -> Duration {
    peers::tokio(async move {
        let sem = Rc::new(tokio::sync::Semaphore::new(PERMITS));
        let start = Stopwatch::start();
        let handles: Vec<_> = (0..TASKS)
            .map(|_| {
                let sem = sem.clone();
                tokio::task::spawn_local(async move {
                    for _ in 0..k {
                        let _permit = sem.acquire().await.expect("never closed");
                        tokio::task::yield_now().await;
                    }
                })
            })
            .collect();
        for h in handles {
            h.await.expect("semaphore task");
        }
        start.elapsed()
    })
}

/// smol: `async_lock::Semaphore` in `LocalExecutor` tasks.
pub fn smol(k: usize) -> Duration {
    peers::smol(|ex| async move {
        let sem = Rc::new(async_lock::Semaphore::new(PERMITS));
        let start = Stopwatch::start();
        let handles: Vec<_> = (0..TASKS)
            .map(|_| {
                let sem = sem.clone();
                ex.spawn(async move {
                    for _ in 0..k {
                        let _permit = sem.acquire().await;
                        futures_lite::future::yield_now().await;
                    }
                })
            })
            .collect();
        for h in handles {
            h.await;
        }
        start.elapsed()
    })
}

/// Our thread model: `runtime::threaded::spawn` + `threaded::Semaphore`.
pub fn threaded(k: usize) -> Duration {
    let sem = Arc::new(runtime::threaded::Semaphore::new(PERMITS));
    let start = Stopwatch::start();
    let handles: Vec<_> = (0..TASKS)
        .map(|_| {
            let sem = sem.clone();
            runtime::threaded::spawn(move || {
                for _ in 0..k {
                    let _permit = sem.acquire();
                    std::thread::yield_now();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("semaphore thread");
    }
    start.elapsed()
}

/// A counting semaphore from a `Mutex<usize>` and a `Condvar`.
struct CondvarSemaphore {
    permits: Mutex<usize>,
    cv: Condvar,
}

impl CondvarSemaphore {
    fn acquire(&self) {
        let mut p = self.permits.lock().unwrap_or_else(|e| e.into_inner());
        while *p == 0 {
            p = self.cv.wait(p).unwrap_or_else(|e| e.into_inner());
        }
        *p -= 1;
    }

    fn release(&self) {
        *self.permits.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.cv.notify_one();
    }
}

/// `std::thread` per task and a [`CondvarSemaphore`].
pub fn threads(k: usize) -> Duration {
    let sem = Arc::new(CondvarSemaphore {
        permits: Mutex::new(PERMITS),
        cv: Condvar::new(),
    });
    let start = Stopwatch::start();
    let handles: Vec<_> = (0..TASKS)
        .map(|_| {
            let sem = sem.clone();
            std::thread::spawn(move || {
                for _ in 0..k {
                    sem.acquire();
                    std::thread::yield_now();
                    sem.release();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("semaphore thread");
    }
    start.elapsed()
}
