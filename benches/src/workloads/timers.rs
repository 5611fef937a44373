//! **timers**: N tasks each sleep 1..=10 ms (task `i` sleeps `1 + i % 10`
//! ms) on the real clock; all are spawned, then all joined. Reported as the
//! total wall time divided by N (ns/timer): registering, keeping and firing
//! N timers (plus the spawn each needs, and a 10 ms floor shared by all).
//!
//! Real time because not every peer has a virtual clock (tokio's needs the
//! `test-util` feature, smol has none), and all must run the same thing.
//! Threads have no timer to compare (a sleeping thread per timer is the
//! spawn workload again), so they are left out.

use std::time::Duration;

use crate::measure::Stopwatch;
use crate::peers;

super::per_op_workload! {
    name: "timers",
    unit: "ns/timer",
    n: (100_000, 20_000),
    ops_per_n: 1,
    impls: [
        "ours" => ours,
        "tokio" => tokio,
        "smol" => smol,
    ],
}

/// The table's spread: deadlines 1..=10 ms, all in the wheel's first level.
const SPREAD_MS: u64 = 10;

/// Task `i`'s sleep: `1 + i % spread_ms` ms.
fn delay(i: usize, spread_ms: u64) -> Duration {
    Duration::from_millis(1 + (i as u64) % spread_ms.max(1))
}

/// Our event loop: `runtime::time::sleep` in spawned tasks.
pub fn ours(n: usize) -> Duration {
    ours_spread(n, SPREAD_MS)
}

/// [`ours`] with deadlines spread over `1..=spread_ms` ms (`benches scale`).
pub fn ours_spread(n: usize, spread_ms: u64) -> Duration {
    peers::ours(async move {
        let start = Stopwatch::start();
        let handles: Vec<_> = (0..n)
            .map(|i| runtime::spawn(runtime::time::sleep(delay(i, spread_ms))))
            .collect();
        for h in handles {
            h.await.expect("sleep task");
        }
        start.elapsed()
    })
}

/// tokio: `tokio::time::sleep` in `spawn_local` tasks.
pub fn tokio(n: usize) -> Duration {
    tokio_spread(n, SPREAD_MS)
}

/// [`tokio`] with deadlines spread over `1..=spread_ms` ms (`benches scale`).
pub fn tokio_spread(n: usize, spread_ms: u64) -> Duration {
    peers::tokio(async move {
        let start = Stopwatch::start();
        let handles: Vec<_> = (0..n)
            .map(|i| tokio::task::spawn_local(tokio::time::sleep(delay(i, spread_ms))))
            .collect();
        for h in handles {
            h.await.expect("sleep task");
        }
        start.elapsed()
    })
}

/// smol: `async_io::Timer::after` in `LocalExecutor` tasks.
pub fn smol(n: usize) -> Duration {
    smol_spread(n, SPREAD_MS)
}

/// [`smol`] with deadlines spread over `1..=spread_ms` ms (`benches scale`).
pub fn smol_spread(n: usize, spread_ms: u64) -> Duration {
    peers::smol(|ex| async move {
        let start = Stopwatch::start();
        let handles: Vec<_> = (0..n)
            .map(|i| {
                ex.spawn(async move {
                    async_io::Timer::after(delay(i, spread_ms)).await;
                })
            })
            .collect();
        for h in handles {
            h.await;
        }
        start.elapsed()
    })
}
