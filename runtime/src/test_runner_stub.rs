//! TEMPORARY stand-in for the runner behind `#[runtime::test]`
//! (`runtime::__private::test`), so the attribute (crate `runtime-macros`,
//! folder `macros/`) can be built and tested before the real runner lands.
//! It honours `paused` and `seed` and runs the body once; `explore`,
//! `timeout`, `allow_pending` and `RUNTIME_SEED` are ignored. Replace this
//! file (and the `pub use` in `lib.rs`'s `__private::test`) with the runner;
//! keep `Options` field for field: it is the interface the macro expands to.

use std::future::Future;
use std::time::Duration;

use crate::Runtime;

/// What `#[runtime::test(...)]` asked for, plus where the test is. The
/// macro builds one of these per test; see `macros/src/expand.rs`.
#[derive(Debug, Clone)]
pub struct Options {
    /// The test function's name (`r#` stripped).
    pub name: &'static str,
    /// `module_path!()` at the test.
    pub module_path: &'static str,
    /// `file!()` at the test.
    pub file: &'static str,
    /// The line of the test function's name.
    pub line: u32,
    /// Virtual clock (on unless `real_clock` or `threaded`).
    pub paused: bool,
    /// `seed = N`: one seeded schedule (with `explore`, the first seed).
    pub seed: Option<u64>,
    /// `explore = N`: run the body under `N` seeded schedules.
    pub explore: Option<u32>,
    /// `timeout = "..."`: virtual time when `paused`.
    pub timeout: Option<Duration>,
    /// `allow_pending`: do not fail on tasks left pending at the end.
    pub allow_pending: bool,
    /// `threaded`: the body is a blocking `fn` using `runtime::threaded`.
    pub threaded: bool,
}

/// Runs an `async` test body on a fresh runtime (stub: once).
///
/// # Panics
/// If the runtime cannot be built, or the body panics.
pub fn run<F, Fut>(opts: Options, body: F) -> Fut::Output
where
    F: Fn() -> Fut,
    Fut: Future,
{
    let mut builder = Runtime::builder().paused_clock(opts.paused);
    if let Some(seed) = opts.seed {
        builder = builder.seed(seed);
    }
    let rt = builder
        .build()
        .unwrap_or_else(|e| panic!("{}: cannot build the runtime: {e}", opts.name));
    rt.block_on(body())
}

/// Runs a `threaded` test body on the calling thread (stub: once).
pub fn run_threaded<F, R>(_opts: Options, body: F) -> R
where
    F: Fn() -> R,
{
    body()
}
