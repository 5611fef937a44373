//! `demo blocking`: seed 000, "a blocking call in a coroutine stalls the
//! loop; a thread only blocks itself". A 10 ms ticker runs beside a task
//! that calls `std::thread::sleep`; the longest gap between ticks shows the
//! stall.

use std::time::{Duration, Instant};

use clap::Args as ClapArgs;

use crate::support::claims::{self, TickGaps};
use crate::support::cli::Common;
use crate::support::cli::Model;
use crate::support::json::Object;
use crate::support::measure::ms;
use crate::support::verdict::{self, Outcome};

/// Arguments of `demo blocking`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub(crate) common: Common,
    /// How long the blocking call blocks, in milliseconds, at least 50 (5
    /// ticks: a shorter stall is lost in the ticker's jitter) [default: 200].
    #[arg(long, value_parser = block_ms)]
    block_ms: Option<u64>,
}

/// `--block-ms`: a whole number of milliseconds, at least 50.
fn block_ms(text: &str) -> Result<u64, String> {
    let n = crate::support::cli::positive_u64(text)?;
    if n < 50 {
        return Err("must be at least 50 (5 ticks of 10 ms)".into());
    }
    Ok(n)
}

/// The ticker's period.
pub const TICK: Duration = Duration::from_millis(10);
/// When the blocking call starts, after the ticker.
const BLOCK_AFTER: Duration = Duration::from_millis(50);

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

/// Runs the demo.
pub fn run(args: &Args) -> Outcome {
    let c = &args.common;
    let block = Duration::from_millis(args.block_ms.unwrap_or(200));
    let run_for = if c.quick {
        Duration::from_millis(400)
    } else {
        Duration::from_secs(1)
    }
    .max(block + BLOCK_AFTER + Duration::from_millis(100));
    if !c.json {
        println!(
            "seed 000: a {} ms ticker runs {} ms beside a call blocking {} ms (std::thread::sleep)",
            TICK.as_millis(),
            run_for.as_millis(),
            block.as_millis()
        );
    }
    let m = match measure(c.model, block, run_for) {
        Ok(m) => m,
        Err(e) => return verdict::failed("blocking", &e),
    };
    let gaps = TickGaps {
        block_ms: ms(block),
        tick_ms: ms(TICK),
        loop_blocked: m.loop_blocked.map(ms),
        loop_offloaded: m.loop_spawn_blocking.map(ms),
        threads: m.threads.map(ms),
    };
    let v = claims::blocking_call(&gaps);
    if c.json {
        println!(
            "{}",
            Object::new()
                .num("tick_ms", gaps.tick_ms)
                .num("block_ms", gaps.block_ms)
                .num("run_for_ms", ms(run_for))
                .opt_num("loop_blocked_gap_ms", gaps.loop_blocked)
                .opt_num("loop_spawn_blocking_gap_ms", gaps.loop_offloaded)
                .opt_num("threads_gap_ms", gaps.threads)
                .raw("verdicts", verdict::json_array(std::slice::from_ref(&v)))
                .finish()
        );
    } else {
        if let Some(d) = gaps.loop_blocked {
            println!("event loop, blocking call inside a task: longest tick gap {d:.1} ms");
        }
        if let Some(d) = gaps.loop_offloaded {
            println!("event loop, same call via spawn_blocking: longest tick gap {d:.1} ms");
        }
        if let Some(d) = gaps.threads {
            println!("threads, blocking call in another thread: longest tick gap {d:.1} ms");
        }
        v.print();
    }
    Outcome::Ran(vec![v])
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
