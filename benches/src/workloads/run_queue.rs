//! **run queue**: N tasks are spawned (not timed), then the `block_on`
//! future awaits them; each task yields once (`yield_now`: it wakes itself
//! and goes to the back of a run queue holding the other ready tasks) and
//! returns. Reported per task (ns/task), timed from the end of the spawning
//! to the last join: two polls per task, one trip through a queue of up to
//! N ready tasks, the completion and the join. At N = 10⁶ the queue holds a
//! million ready tasks and every poll touches a task that has left the
//! cache since its last one.
//!
//! Used by `benches scale` (at N = 10³ … 10⁶), not by the table.

use std::time::Duration;

use crate::measure::Stopwatch;
use crate::peers;

/// Our event loop: `runtime::spawn` + `runtime::yield_now`.
pub fn ours(n: usize) -> Duration {
    peers::ours(async move {
        let handles: Vec<_> = (0..n)
            .map(|_| runtime::spawn(runtime::yield_now()))
            .collect();
        let start = Stopwatch::start();
        for h in handles {
            h.await.expect("a yielding task cannot fail");
        }
        start.elapsed()
    })
}

/// tokio: `spawn_local` + `tokio::task::yield_now`.
pub fn tokio(n: usize) -> Duration {
    peers::tokio(async move {
        let handles: Vec<_> = (0..n)
            .map(|_| tokio::task::spawn_local(tokio::task::yield_now()))
            .collect();
        let start = Stopwatch::start();
        for h in handles {
            h.await.expect("a yielding task cannot fail");
        }
        start.elapsed()
    })
}

/// smol: `LocalExecutor::spawn` + `futures_lite::future::yield_now`.
pub fn smol(n: usize) -> Duration {
    peers::smol(|ex| async move {
        let handles: Vec<_> = (0..n)
            .map(|_| ex.spawn(futures_lite::future::yield_now()))
            .collect();
        let start = Stopwatch::start();
        for h in handles {
            h.await;
        }
        start.elapsed()
    })
}
