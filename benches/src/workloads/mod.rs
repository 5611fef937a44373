//! The workloads. Each file defines one workload once and implements it for
//! every implementation that has it, side by side, so the code being
//! compared can be read together.
//!
//! Implementation names: `ours` (the event loop, crate `runtime`),
//! `ours+trace` (the same with `Builder::trace` on), `tokio`
//! (current-thread runtime + `LocalSet`), `smol` (`LocalExecutor` under
//! `async_io::block_on`), `mio` (a hand-written loop, echo only) and
//! `threads` (`std::thread` per task, blocking calls) and `threaded` (this
//! project's thread model, `runtime::threaded`).

use std::time::Duration;

use crate::measure::Sample;

/// Declares a workload that reports one cost per operation, from one
/// table: its name (also its one metric), the unit, `n` (normal, quick),
/// the operations in each unit of `n`, and each implementation's function
/// (`fn(usize) -> Duration`). Defines `IMPLS` (the table; `benches/micro.rs`
/// reuses it), `WORKLOAD` (`impls` in the table's order) and its run,
/// [`per_op`].
macro_rules! per_op_workload {
    (
        name: $name:literal,
        unit: $unit:literal,
        n: ($normal:expr, $quick:expr),
        ops_per_n: $ops:expr,
        impls: [$($imp:literal => $f:path),+ $(,)?] $(,)?
    ) => {
        /// Each implementation's function.
        pub const IMPLS: &[$crate::workloads::Imp] = &[$(($imp, $f)),+];

        /// See the module doc.
        pub const WORKLOAD: $crate::workloads::Workload = $crate::workloads::Workload {
            name: $name,
            metrics: &[$name],
            impls: &[$($imp),+],
            run: |imp, quick| {
                let n = if quick { $quick } else { $normal };
                $crate::workloads::per_op($name, imp, IMPLS, n, $ops, $unit)
            },
        };
    };
}
pub(crate) use per_op_workload;

pub mod channel;
pub mod echo;
pub mod event;
pub mod loadgen;
pub mod memory;
pub mod pingpong;
pub mod run_queue;
pub mod semaphore;
pub mod spawn;
pub mod timer_cancel;
pub mod timers;
pub mod yield_now;

/// One workload: its name, who implements it, and how one run goes.
pub struct Workload {
    /// The name given to `run <workload> <impl>`.
    pub name: &'static str,
    /// The table rows (metrics) one run reports, each for every impl.
    pub metrics: &'static [&'static str],
    /// The implementations, in table order.
    pub impls: &'static [&'static str],
    /// One measurement: `(impl, quick)` to the samples it reports.
    pub run: fn(&str, bool) -> Result<Vec<Sample>, String>,
}

/// The implementations that are this project's (the rest are peers).
pub const OURS: &[&str] = &["ours", "ours+trace", "threaded"];

/// Every workload, in table order.
pub fn all() -> Vec<Workload> {
    vec![
        spawn::WORKLOAD,
        pingpong::WORKLOAD,
        event::WORKLOAD,
        yield_now::WORKLOAD,
        timers::WORKLOAD,
        timer_cancel::WORKLOAD,
        semaphore::WORKLOAD,
        channel::WORKLOAD,
        memory::WORKLOAD,
        echo::WORKLOAD_100,
        echo::WORKLOAD_1000,
    ]
}

/// The workload named `name`.
pub fn find(name: &str) -> Option<Workload> {
    all().into_iter().find(|w| w.name == name)
}

/// One implementation of a per-operation workload: its name, and the
/// function that runs `n` operations and returns the time they took (what
/// criterion's `iter_custom` wants too: `benches/micro.rs`).
pub type Imp = (&'static str, fn(usize) -> Duration);

/// The run of a workload that reports one cost per operation: the
/// implementation named `imp` in `table` runs a tenth of `n` as a warm-up
/// (the allocator's arenas, the first growth of every table), then `n`,
/// which make `ops_per_n * n` operations of `unit`.
pub(crate) fn per_op(
    workload: &str,
    imp: &str,
    table: &[Imp],
    n: usize,
    ops_per_n: usize,
    unit: &str,
) -> Result<Vec<Sample>, String> {
    let f = table
        .iter()
        .find(|(name, _)| *name == imp)
        .map(|&(_, f)| f)
        .ok_or_else(|| unknown(workload, imp))?;
    f(n / 10);
    Ok(vec![Sample::per_op(
        workload,
        imp,
        f(n),
        ops_per_n * n,
        unit,
    )])
}

/// The error for an implementation a workload does not have.
pub(crate) fn unknown(workload: &str, imp: &str) -> String {
    format!("workload {workload} has no implementation {imp:?}")
}
