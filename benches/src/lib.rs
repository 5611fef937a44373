//! Benchmarks of this project's event loop (crate `runtime`) against the
//! runtimes a user would pick instead: tokio's current-thread runtime, smol's
//! `LocalExecutor`, a raw `mio` loop (echo only) and `std::thread` per task.
//!
//! Every workload lives in its own file under [`workloads`], with every
//! implementation of it side by side. The binary (`src/main.rs`) runs each
//! `(workload, implementation)` pair in its own process, interleaved, and
//! prints medians and ratios; `benches/micro.rs` runs the micro workloads
//! under criterion.
//!
//! All of it needs the feature `peers` (`cargo run --release -p benches
//! --features peers -- table`); without it this library is empty, so that
//! `cargo test --workspace` does not build tokio and smol.

#[cfg(feature = "peers")]
pub mod measure;
#[cfg(feature = "peers")]
pub mod peers;
#[cfg(feature = "peers")]
pub mod scale;
#[cfg(feature = "peers")]
pub mod signal;
#[cfg(feature = "peers")]
pub mod workloads;
