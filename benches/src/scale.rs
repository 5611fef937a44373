//! `benches scale`: the cost per item as the work grows, N = 10³ … 10⁶.
//!
//! Four rows, each for ours, tokio (current-thread + `LocalSet`) and smol
//! (`LocalExecutor`), each `(row, impl, N)` in its own process:
//!
//! | row | what one item is | reused from |
//! |---|---|---|
//! | `spawn` | spawn a task that does nothing, then join it | `workloads/spawn.rs` |
//! | `memory` | one idle task (polled once, pending forever): RSS growth / N | `workloads/memory.rs` |
//! | `timers` | a task sleeping `1 + i % 128` ms: register, keep, fire, join | `workloads/timers.rs` |
//! | `runqueue` | a task that yields once, in a queue of up to N ready tasks | `workloads/run_queue.rs` |
//!
//! The timers' deadlines span 128 ms so that half of them land in the
//! wheel's first level (1 ms slots, 64 ms) and half in the second (64 ms
//! slots), which cascade once into the first before they fire.
//!
//! Times are **process CPU time** by default (`CLOCK_PROCESS_CPUTIME_ID`,
//! page faults included): this machine is shared, so wall time also counts
//! other processes' turns on the core, and the timers' wall time would be
//! mostly their sleeping (`--wall` measures wall time anyway). Each run
//! also reports the minor page faults per item (`getrusage` `ru_minflt`
//! before and after), the usual reason a per-item cost bends upward.
//!
//! Like the table, each process first runs the same workload at N / 10 (the
//! allocator's arenas, the task table's first growth), then the measured
//! run; `memory` has no warm-up (it measures growth from a fresh process).

use std::time::Duration;

use crate::measure::{Sample, minor_faults};
use crate::workloads::{memory, run_queue, spawn, timers};

/// The rows, in table order.
pub const ROWS: &[&str] = &["spawn", "memory", "timers", "runqueue"];

/// The implementations compared.
pub const IMPLS: &[&str] = &["ours", "tokio", "smol"];

/// The sizes, smallest first.
pub const SIZES: &[usize] = &[1_000, 10_000, 100_000, 1_000_000];

/// The timers' deadline spread (module doc).
const TIMER_SPREAD_MS: u64 = 128;

/// The metric name of `row` at `n`, as the RESULT lines carry it.
pub fn metric(row: &str, n: usize) -> String {
    format!("scale-{row}-{n}")
}

/// The metric name of the page faults of `row` at `n`.
pub fn faults_metric(row: &str, n: usize) -> String {
    format!("scale-{row}-{n}-faults")
}

/// One measurement of `row` by `imp` at `n` items: the cost per item and
/// the minor page faults per item.
pub fn run(row: &str, imp: &str, n: usize) -> Result<Vec<Sample>, String> {
    if n == 0 {
        return Err("scale: N must be at least 1".into());
    }
    if row == "memory" {
        let faults = minor_faults();
        let (_vm, rss) = match imp {
            "ours" => memory::ours(n)?,
            "tokio" => memory::tokio(n)?,
            "smol" => memory::smol(n)?,
            _ => return Err(unknown(row, imp)),
        };
        return Ok(vec![
            Sample::new(metric(row, n), imp, rss as f64 / n as f64, "B/task"),
            faults_sample(row, imp, n, faults),
        ]);
    }
    let f: Box<dyn Fn(usize) -> Duration> = match (row, imp) {
        ("spawn", "ours") => Box::new(spawn::ours),
        ("spawn", "tokio") => Box::new(spawn::tokio),
        ("spawn", "smol") => Box::new(spawn::smol),
        ("timers", "ours") => Box::new(|n| timers::ours_spread(n, TIMER_SPREAD_MS)),
        ("timers", "tokio") => Box::new(|n| timers::tokio_spread(n, TIMER_SPREAD_MS)),
        ("timers", "smol") => Box::new(|n| timers::smol_spread(n, TIMER_SPREAD_MS)),
        ("runqueue", "ours") => Box::new(run_queue::ours),
        ("runqueue", "tokio") => Box::new(run_queue::tokio),
        ("runqueue", "smol") => Box::new(run_queue::smol),
        _ => return Err(unknown(row, imp)),
    };
    f((n / 10).max(1));
    let faults = minor_faults();
    let took = f(n);
    let unit = match row {
        "timers" => "ns/timer",
        _ => "ns/task",
    };
    Ok(vec![
        Sample::per_op(&metric(row, n), imp, took, n, unit),
        faults_sample(row, imp, n, faults),
    ])
}

/// Minor page faults since `before`, per item.
fn faults_sample(row: &str, imp: &str, n: usize, before: u64) -> Sample {
    let faults = minor_faults().saturating_sub(before);
    Sample::new(
        faults_metric(row, n),
        imp,
        faults as f64 / n as f64,
        "faults/item",
    )
}

fn unknown(row: &str, imp: &str) -> String {
    format!(
        "scale: no row {row:?} for {imp:?} (rows: {}; impls: {})",
        ROWS.join(","),
        IMPLS.join(",")
    )
}
