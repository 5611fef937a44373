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

use crate::measure::Sample;

pub mod channel;
pub mod echo;
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

/// The error for an implementation a workload does not have.
pub(crate) fn unknown(workload: &str, imp: &str) -> String {
    format!("workload {workload} has no implementation {imp:?}")
}
