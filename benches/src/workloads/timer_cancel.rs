//! **timer cancel**: in one task, N timeouts of 60 s are created and each
//! polled once (which registers its timer), then all are dropped (which
//! cancels them). Reported per timeout (ns): insert plus remove, the life
//! of almost every timeout in a server (they guard operations that finish
//! in time). Each future is boxed (`Box::pin`) in every implementation.

use std::future::{Future, pending};
use std::pin::Pin;
use std::time::Duration;

use futures_lite::future::poll_once;

use crate::measure::Stopwatch;
use crate::peers;

super::per_op_workload! {
    name: "timer-cancel",
    unit: "ns/timeout",
    n: (100_000, 20_000),
    ops_per_n: 1,
    impls: [
        "ours" => ours,
        "tokio" => tokio,
        "smol" => smol,
    ],
}

const LONG: Duration = Duration::from_secs(60);

/// Registers each future (one poll, which must be `Pending`), then drops all.
async fn register_then_cancel<F: Future>(n: usize, make: impl Fn() -> F) -> Duration {
    let start = Stopwatch::start();
    let mut all: Vec<Pin<Box<F>>> = Vec::with_capacity(n);
    for _ in 0..n {
        let mut t = Box::pin(make());
        assert!(
            poll_once(t.as_mut()).await.is_none(),
            "a 60 s timeout completed at once"
        );
        all.push(t);
    }
    drop(all);
    start.elapsed()
}

/// Our event loop: `runtime::time::timeout`.
pub fn ours(n: usize) -> Duration {
    peers::ours(register_then_cancel(n, || {
        runtime::time::timeout(LONG, pending::<()>())
    }))
}

/// tokio: `tokio::time::timeout`.
pub fn tokio(n: usize) -> Duration {
    peers::tokio(register_then_cancel(n, || {
        tokio::time::timeout(LONG, pending::<()>())
    }))
}

/// smol: the operation raced against `async_io::Timer::after` (`or`), which
/// is how a timeout is written with smol.
pub fn smol(n: usize) -> Duration {
    use futures_lite::FutureExt;
    peers::smol(|_ex| {
        register_then_cancel(n, || {
            pending::<()>().or(async {
                async_io::Timer::after(LONG).await;
            })
        })
    })
}
