//! `demo blocking`: seed 000, "a blocking call in a coroutine stalls the
//! loop; a thread only blocks itself". A 10 ms ticker runs beside a task
//! that calls `std::thread::sleep`; the longest gap between ticks shows the
//! stall (measured by `workloads/blocking.rs`).

use std::time::Duration;

use clap::Args as ClapArgs;

use crate::support::claims;
use crate::support::cli::Common;
use crate::support::json::Object;
use crate::support::measure::ms;
use crate::support::verdict::{self, Outcome};
use crate::workloads::blocking::{BLOCK_AFTER, TICK, measure};

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
    let gaps = m.gaps(block);
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
                .value("verdicts", verdict::json_array(std::slice::from_ref(&v)))
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
