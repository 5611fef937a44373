//! The ticker of `demo blocking` and `demo compare`: a 10 ms ticker runs
//! beside a call blocking in `std::thread::sleep`, on the event loop (the
//! call inside a task, then via `spawn_blocking`) and on OS threads; the
//! longest gap between ticks shows a stall.

use std::time::{Duration, Instant};

use crate::support::claims::TickGaps;
use crate::support::cli::Model;
use crate::support::measure::ms;

/// The ticker's period.
pub const TICK: Duration = Duration::from_millis(10);
/// When the blocking call starts, after the ticker.
pub const BLOCK_AFTER: Duration = Duration::from_millis(50);

/// The longest gaps between ticks measured on each model.
#[derive(Default)]
pub struct Measured {
    /// On the loop, with the blocking call inside a task.
    pub loop_blocked: Option<Duration>,
    /// On the loop, with the blocking call moved to `spawn_blocking`.
    pub loop_spawn_blocking: Option<Duration>,
    /// On threads, the blocking call in another thread.
    pub threads: Option<Duration>,
}

impl Measured {
    /// The gaps in milliseconds, beside the block and the tick, as the
    /// claims take them.
    pub fn gaps(&self, block: Duration) -> TickGaps {
        TickGaps {
            block_ms: ms(block),
            tick_ms: ms(TICK),
            loop_blocked: self.loop_blocked.map(ms),
            loop_offloaded: self.loop_spawn_blocking.map(ms),
            threads: self.threads.map(ms),
        }
    }
}

/// Runs the ticker beside a blocking call on the models asked for.
pub fn measure(model: Model, block: Duration, run_for: Duration) -> Result<Measured, String> {
    let mut m = Measured::default();
    if model.has_loop() {
        m.loop_blocked = Some(run_loop(block, run_for, false)?);
        m.loop_spawn_blocking = Some(run_loop(block, run_for, true)?);
    }
    if model.has_threads() {
        m.threads = Some(run_threads(block, run_for)?);
    }
    Ok(m)
}
/// The loop, built with a 50 ms slow-poll threshold: a ticker task and a
/// task making the blocking call (directly, or via `spawn_blocking`).
fn run_loop(block: Duration, run_for: Duration, offload: bool) -> Result<Duration, String> {
    let rt = runtime::Runtime::builder()
        .slow_poll_threshold(Duration::from_millis(50))
        .build()
        .map_err(|e| format!("cannot build the runtime: {e}"))?;
    rt.block_on(async move {
        let ticker = runtime::spawn(async move {
            let mut interval = runtime::time::interval(TICK);
            interval.tick().await;
            let start = Instant::now();
            let mut last = start;
            let mut longest = Duration::ZERO;
            while start.elapsed() < run_for {
                interval.tick().await;
                let now = Instant::now();
                longest = longest.max(now - last);
                last = now;
            }
            longest
        });
        let blocker = runtime::spawn(async move {
            runtime::time::sleep(BLOCK_AFTER).await;
            if offload {
                runtime::spawn_blocking(move || std::thread::sleep(block))
                    .await
                    .map_err(|e| format!("the spawn_blocking job failed: {e}"))?;
            } else {
                std::thread::sleep(block); // blocks the loop's only thread
            }
            Ok::<(), String>(())
        });
        blocker
            .await
            .map_err(|e| format!("the blocking task failed: {e}"))??;
        ticker
            .await
            .map_err(|e| format!("the ticker task failed: {e}"))
    })
}

/// Two OS threads: a ticker sleeping 10 ms at a time, and one blocking.
fn run_threads(block: Duration, run_for: Duration) -> Result<Duration, String> {
    use runtime::threaded;
    let ticker = threaded::Builder::new()
        .name("ticker".to_string())
        .spawn(move || {
            let start = Instant::now();
            let mut last = start;
            let mut longest = Duration::ZERO;
            let mut next = start + TICK;
            while start.elapsed() < run_for {
                threaded::sleep(next.saturating_duration_since(Instant::now()));
                next += TICK;
                let now = Instant::now();
                longest = longest.max(now - last);
                last = now;
            }
            longest
        })
        .map_err(|e| format!("cannot start a thread: {e}"))?;
    let blocker = threaded::Builder::new()
        .name("blocker".to_string())
        .spawn(move || {
            threaded::sleep(BLOCK_AFTER);
            std::thread::sleep(block); // blocks this thread only
        })
        .map_err(|e| format!("cannot start a thread: {e}"))?;
    blocker
        .join()
        .map_err(|e| format!("the blocking thread failed: {e}"))?;
    ticker
        .join()
        .map_err(|e| format!("the ticker thread failed: {e}"))
}
