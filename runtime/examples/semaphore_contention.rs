//! Measures `Semaphore::acquire` under contention: 1,000 tasks share 10
//! permits on one thread (`futures`' `LocalPool`), and each task holds its
//! permit across a yield, so ~990 tasks are queued at any moment.
//!
//! Run with `cargo run --release -p runtime --example semaphore_contention`.
//! The figure is the whole cost per acquire: queueing, the hand-off on
//! release, the wake, and the executor's re-poll of the waiter.

use std::rc::Rc;
use std::time::Instant;

use futures::executor::LocalPool;
use futures::task::LocalSpawnExt;
use runtime::sync::Semaphore;

const PERMITS: usize = 10;
const TASKS: usize = 1_000;
const ROUNDS: usize = 200;

use runtime::yield_now; // wakes itself and returns Pending once: any executor

/// Runs the workload once and returns nanoseconds per acquire.
fn run(rounds: usize) -> f64 {
    let mut pool = LocalPool::new();
    let sem = Rc::new(Semaphore::new(PERMITS));
    for _ in 0..TASKS {
        let sem = Rc::clone(&sem);
        pool.spawner()
            .spawn_local(async move {
                for _ in 0..rounds {
                    let _permit = sem.acquire().await;
                    yield_now().await;
                }
            })
            .expect("the pool is alive");
    }
    let start = Instant::now();
    pool.run();
    let elapsed = start.elapsed();
    assert_eq!(sem.available_permits(), PERMITS);
    elapsed.as_nanos() as f64 / (TASKS * rounds) as f64
}

/// The same workload with no semaphore: what the executor and the yields
/// cost on their own.
fn baseline(rounds: usize) -> f64 {
    let mut pool = LocalPool::new();
    for _ in 0..TASKS {
        pool.spawner()
            .spawn_local(async move {
                for _ in 0..rounds {
                    yield_now().await;
                }
            })
            .expect("the pool is alive");
    }
    let start = Instant::now();
    pool.run();
    start.elapsed().as_nanos() as f64 / (TASKS * rounds) as f64
}

fn main() {
    run(10); // warm up
    let mut best = f64::MAX;
    for _ in 0..5 {
        best = best.min(run(ROUNDS));
    }
    let base = baseline(ROUNDS);
    println!(
        "semaphore: {PERMITS} permits, {TASKS} tasks, {} acquires per run",
        TASKS * ROUNDS
    );
    println!(
        "  {best:.0} ns per acquire (best of 5), of which executor + yield alone: {base:.0} ns"
    );
}
