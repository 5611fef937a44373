//! **spawn**: spawn N tasks that do nothing, then join every one of them, in
//! the spawning order. Reported per task (ns/task): the cost of a task's
//! whole life (allocation, queueing, one poll, completion, join) when tasks
//! are short, which is what a server spawning per request pays.
//!
//! Threads spawn a tenth as many (an OS thread costs ~100x a task; the
//! per-task figure is what matters).

use std::time::Duration;

use super::{Imp, Workload};
use crate::measure::{Sample, Stopwatch};
use crate::peers;

/// See the module doc.
pub const WORKLOAD: Workload = Workload {
    name: "spawn",
    metrics: &["spawn"],
    impls: &["ours", "ours+trace", "threaded", "tokio", "smol", "threads"],
    run,
};

/// The executors' functions (the thread models spawn a tenth as many, and
/// without a warm-up: `run`).
pub const IMPLS: &[Imp] = &[
    ("ours", ours),
    ("ours+trace", ours_traced),
    ("tokio", tokio),
    ("smol", smol),
];

fn run(imp: &str, quick: bool) -> Result<Vec<Sample>, String> {
    let n = if quick { 20_000 } else { 100_000 };
    let os_threads: fn(usize) -> Duration = match imp {
        "threads" => threads,
        "threaded" => threaded,
        _ => return super::per_op("spawn", imp, IMPLS, n, 1, "ns/task"),
    };
    let took = os_threads(n / 10);
    Ok(vec![Sample::per_op("spawn", imp, took, n / 10, "ns/task")])
}

/// Our event loop: `runtime::spawn`, then `.await` each `JoinHandle`.
pub fn ours(n: usize) -> Duration {
    peers::ours(body_ours(n))
}

/// Ours with tracing on (the same body).
pub fn ours_traced(n: usize) -> Duration {
    peers::ours_traced(body_ours(n))
}

async fn body_ours(n: usize) -> Duration {
    let start = Stopwatch::start();
    let handles: Vec<_> = (0..n).map(|_| runtime::spawn(async {})).collect();
    for h in handles {
        h.await.expect("a task of nothing cannot fail");
    }
    start.elapsed()
}

/// tokio: `spawn_local` on a `LocalSet`.
pub fn tokio(n: usize) -> Duration {
    peers::tokio(async move {
        let start = Stopwatch::start();
        let handles: Vec<_> = (0..n).map(|_| tokio::task::spawn_local(async {})).collect();
        for h in handles {
            h.await.expect("a task of nothing cannot fail");
        }
        start.elapsed()
    })
}

/// smol: `LocalExecutor::spawn`.
pub fn smol(n: usize) -> Duration {
    peers::smol(|ex| async move {
        let start = Stopwatch::start();
        let handles: Vec<_> = (0..n).map(|_| ex.spawn(async {})).collect();
        for h in handles {
            h.await;
        }
        start.elapsed()
    })
}

/// `std::thread::spawn`, then `join` each.
pub fn threads(n: usize) -> Duration {
    let start = Stopwatch::start();
    let handles: Vec<_> = (0..n).map(|_| std::thread::spawn(|| {})).collect();
    for h in handles {
        h.join().expect("an empty thread cannot panic");
    }
    start.elapsed()
}

/// Our thread model: `runtime::threaded::spawn`, then `join` each.
pub fn threaded(n: usize) -> Duration {
    let start = Stopwatch::start();
    let handles: Vec<_> = (0..n).map(|_| runtime::threaded::spawn(|| {})).collect();
    for h in handles {
        h.join().expect("an empty thread cannot panic");
    }
    start.elapsed()
}
