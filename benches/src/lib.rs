//! Benchmarks of this project's event loop (crate `runtime`) against the
//! runtimes a user would pick instead: tokio's current-thread runtime, smol's
//! `LocalExecutor`, a raw `mio` loop (echo only) and `std::thread` per task.
//!
//! Every workload lives in its own file under [`workloads`], with every
//! implementation of it side by side. The binary (`src/main.rs`) runs each
//! `(workload, implementation)` pair in its own process, interleaved, and
//! prints medians and ratios; `benches/micro.rs` runs the micro workloads
//! under criterion.

pub mod measure;
pub mod peers;
pub mod signal;
pub mod workloads;
