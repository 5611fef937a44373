//! **yield**: one task yields N times (`yield_now`: wake itself, return
//! `Pending`, get polled again). Reported per yield (ns): the executor's
//! round trip for a task that is immediately ready again, i.e. the floor of
//! any cooperative scheduling. Threads: `std::thread::yield_now`
//! (`sched_yield(2)`).

use std::time::Duration;

use crate::measure::Stopwatch;
use crate::peers;

super::per_op_workload! {
    name: "yield",
    unit: "ns/yield",
    n: (1_000_000, 100_000),
    ops_per_n: 1,
    impls: [
        "ours" => ours,
        "tokio" => tokio,
        "smol" => smol,
        "threads" => threads,
    ],
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
