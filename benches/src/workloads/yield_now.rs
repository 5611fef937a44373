//! **yield**: one task yields N times (`yield_now`: wake itself, return
//! `Pending`, get polled again). Reported per yield (ns): the executor's
//! round trip for a task that is immediately ready again, i.e. the floor of
//! any cooperative scheduling. Threads: `std::thread::yield_now`
//! (`sched_yield(2)`).

use std::time::Duration;

use super::Workload;
use crate::measure::{Sample, Stopwatch};
use crate::peers;

/// See the module doc.
pub const WORKLOAD: Workload = Workload {
    name: "yield",
    metrics: &["yield"],
    impls: &["ours", "tokio", "smol", "threads"],
    run,
};

fn run(imp: &str, quick: bool) -> Result<Vec<Sample>, String> {
    let n = if quick { 100_000 } else { 1_000_000 };
    let f: fn(usize) -> Duration = match imp {
        "ours" => ours,
        "tokio" => tokio,
        "smol" => smol,
        "threads" => threads,
        _ => return Err(super::unknown("yield", imp)),
    };
    f(n / 10);
    Ok(vec![Sample::per_op("yield", imp, f(n), n, "ns/yield")])
}

/// Our event loop: a spawned task calling `runtime::yield_now`.
pub fn ours(n: usize) -> Duration {
    peers::ours(async move {
        runtime::spawn(async move {
            let start = Stopwatch::start();
            for _ in 0..n {
                runtime::yield_now().await;
            }
            start.elapsed()
        })
        .await
        .expect("yield task")
    })
}

/// tokio: a `spawn_local` task calling `tokio::task::yield_now`.
pub fn tokio(n: usize) -> Duration {
    peers::tokio(async move {
        tokio::task::spawn_local(async move {
            let start = Stopwatch::start();
            for _ in 0..n {
                tokio::task::yield_now().await;
            }
            start.elapsed()
        })
        .await
        .expect("yield task")
    })
}

/// smol: a `LocalExecutor` task calling `futures_lite::future::yield_now`.
pub fn smol(n: usize) -> Duration {
    peers::smol(|ex| async move {
        ex.spawn(async move {
            let start = Stopwatch::start();
            for _ in 0..n {
                futures_lite::future::yield_now().await;
            }
            start.elapsed()
        })
        .await
    })
}

/// One OS thread calling `std::thread::yield_now`.
pub fn threads(n: usize) -> Duration {
    let start = Stopwatch::start();
    for _ in 0..n {
        std::thread::yield_now();
    }
    start.elapsed()
}
