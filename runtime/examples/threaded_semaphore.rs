//! Measures `runtime::threaded::Semaphore` under contention: 1,000 threads
//! share 10 permits, each acquiring K times and holding the permit across
//! one `thread::yield_now`, so ~990 threads are queued at any moment.
//! Thread creation is outside the timed region (every thread waits on a
//! barrier first), unlike `benches run semaphore threaded`, whose figure
//! is dominated by spawning 1,000 threads for one acquire each.
//!
//! Run with `cargo run --release -p runtime --example threaded_semaphore`.
//! Prints ns per acquire for the semaphore and for a plain
//! `Mutex<usize>` + `Condvar` (`notify_one`) doing the same.

use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::time::{Duration, Instant};

use runtime::threaded::Semaphore;

const THREADS: usize = 1_000;
const PERMITS: usize = 10;
const K: usize = 20;

/// Spawns the threads, lines them up on a barrier, then times `body`.
fn timed(body: impl Fn() + Send + Sync + 'static) -> Duration {
    let body = Arc::new(body);
    let barrier = Arc::new(Barrier::new(THREADS + 1));
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (body, barrier) = (Arc::clone(&body), Arc::clone(&barrier));
            std::thread::Builder::new()
                .stack_size(64 * 1024)
                .spawn(move || {
                    barrier.wait();
                    body();
                })
                .expect("spawn")
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    for h in handles {
        h.join().expect("no panic");
    }
    start.elapsed()
}

fn ours() -> Duration {
    let sem = Arc::new(Semaphore::new(PERMITS));
    timed(move || {
        for _ in 0..K {
            let _permit = sem.acquire();
            std::thread::yield_now();
        }
    })
}

fn condvar() -> Duration {
    let state = Arc::new((Mutex::new(PERMITS), Condvar::new()));
    timed(move || {
        let (permits, cv) = &*state;
        for _ in 0..K {
            let mut p = permits.lock().unwrap_or_else(|e| e.into_inner());
            while *p == 0 {
                p = cv.wait(p).unwrap_or_else(|e| e.into_inner());
            }
            *p -= 1;
            drop(p);
            std::thread::yield_now();
            *permits.lock().unwrap_or_else(|e| e.into_inner()) += 1;
            cv.notify_one();
        }
    })
}

fn main() {
    let per = |d: Duration| d.as_nanos() as f64 / (THREADS * K) as f64;
    for round in 1..=3 {
        println!(
            "round {round}: threaded::Semaphore {:>8.0} ns/acquire   Mutex+Condvar {:>8.0} ns/acquire",
            per(ours()),
            per(condvar())
        );
    }
}
