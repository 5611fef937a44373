//! What `#[runtime::test]` runs: a fresh runtime per test (and per explored
//! schedule), the options of the attribute, and the failures a test can
//! have besides its own panics: a timeout, tasks left pending, a failing
//! schedule among many.
//!
//! The attribute (crate `runtime-macros`) expands a test into a call of
//! [`run`] (or [`run_threaded`]) with an [`Options`] and the test's body as
//! a function; everything that decides what happens is here, in ordinary
//! Rust (TESTING.md walks through it):
//!
//! - **Which schedules.** `RUNTIME_SEED=<n or 0xhex>` in the environment
//!   replays one; otherwise `explore = N` runs N seeded schedules (seeds
//!   derived from the test's name, so each test explores its own and a run
//!   is reproducible); otherwise `seed = n` runs that one; otherwise FIFO.
//!   What a seed changes is in `scheduler/explore.rs`.
//! - **A timeout** races the body against a timer: on the paused clock that
//!   is virtual time (a test that sleeps an hour is not cut by
//!   `timeout = "5s"`... unless the hour comes first), and the failure lists
//!   every pending task and what it waits on.
//! - **Tasks left pending** when the body returns fail the test, listed
//!   with their spawn sites and what each waits on (`allow_pending` turns
//!   that off).

use std::fmt::{Debug, Write as _};
use std::future::Future;
use std::panic::{AssertUnwindSafe, Location, catch_unwind, resume_unwind};
use std::time::Duration;

use crate::Runtime;
use crate::inspect::{DumpState, TaskDump};

/// The options of `#[runtime::test(...)]`, as the attribute passes them.
#[derive(Clone, Debug)]
pub struct Options {
    /// The test function's name.
    pub name: &'static str,
    /// Its module path (`module_path!()`), for the replay command.
    pub module_path: &'static str,
    /// The file and line of the test, for messages.
    pub file: &'static str,
    /// See `file`.
    pub line: u32,
    /// Virtual time (`Builder::paused_clock`).
    pub paused: bool,
    /// One seeded schedule.
    pub seed: Option<u64>,
    /// This many seeded schedules.
    pub explore: Option<u32>,
    /// Fail (instead of hanging) after this long: virtual time when paused.
    pub timeout: Option<Duration>,
    /// Do not fail when tasks are still pending at the end.
    pub allow_pending: bool,
    /// The body uses `runtime::threaded` (no event loop).
    pub threaded: bool,
}

/// What a test body may return: `()`, or a `Result` whose `Err` is a
/// failure (as `#[test]` accepts).
pub trait Outcome {
    /// The failure this outcome is, if it is one.
    fn failure(&self) -> Option<String>;
}

impl Outcome for () {
    fn failure(&self) -> Option<String> {
        None
    }
}

impl<T, E: Debug> Outcome for Result<T, E> {
    fn failure(&self) -> Option<String> {
        self.as_ref()
            .err()
            .map(|e| format!("the test returned Err({e:?})"))
    }
}

/// The seed to replay, from `RUNTIME_SEED` (decimal or `0x` hex).
///
/// # Panics
/// If the variable is set but is not a number.
fn replay_seed() -> Option<u64> {
    let value = std::env::var("RUNTIME_SEED").ok()?;
    let value = value.trim();
    let parsed = match value
        .strip_prefix("0x")
        .or_else(|| value.strip_prefix("0X"))
    {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => value.parse(),
    };
    match parsed {
        Ok(seed) => Some(seed),
        Err(_) => panic!("RUNTIME_SEED={value:?} is not a seed: give a number, e.g. 42 or 0x2a"),
    }
}

/// The `i`-th seed explored for the test named `name`: distinct per test,
/// the same on every run.
pub(crate) fn explored_seed(name: &str, i: u32) -> u64 {
    // FNV-1a of the name, then splitmix64 of (hash + i).
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for byte in name.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut z = hash.wrapping_add(u64::from(i).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Runs an `async` test body as the options say (see the module doc).
///
/// # Panics
/// When the test fails: its own panic, an `Err` it returned, a timeout,
/// tasks left pending, or (exploring) the first failing schedule, with the
/// command that replays it. The panic's location is the test's.
#[track_caller]
pub fn run<F, Fut>(opts: Options, body: F) -> Fut::Output
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: Outcome,
{
    let test = format!("{}::{}", opts.module_path, opts.name);
    if let Some(seed) = replay_seed() {
        eprintln!("runtime::test: {test}: replaying schedule RUNTIME_SEED={seed:#x}");
        return once(&opts, Some(seed), &body);
    }
    let Some(schedules) = opts.explore else {
        return once(&opts, opts.seed, &body);
    };
    let mut last = None;
    for i in 0..schedules {
        let seed = explored_seed(&test, i);
        let outcome = catch_unwind(AssertUnwindSafe(|| once(&opts, Some(seed), &body)));
        let failure = match &outcome {
            Ok(output) => output.failure(),
            Err(panic) => Some(panic_text(panic.as_ref())),
        };
        if let Some(failure) = failure {
            let crate_test = test
                .split_once("::")
                .map_or(test.as_str(), |(_, rest)| rest);
            panic!(
                "{failure}\n\nschedule exploration of {test}: schedule {} of {schedules} \
                 (seed {seed:#x}) failed; the {i} before it passed.\n\
                 replay exactly this schedule with:\n    RUNTIME_SEED={seed:#x} cargo test {crate_test} -- --exact",
                i + 1
            );
        }
        last = outcome.ok();
    }
    match last {
        Some(output) => output,
        None => panic!("#[runtime::test(explore = 0)]: no schedule ran"),
    }
}

/// One run on a fresh runtime: the body, raced against the timeout; then
/// the check for tasks left pending.
#[track_caller]
fn once<F, Fut>(opts: &Options, seed: Option<u64>, body: &F) -> Fut::Output
where
    F: Fn() -> Fut,
    Fut: Future,
{
    let mut builder = Runtime::builder().paused_clock(opts.paused);
    if let Some(seed) = seed {
        builder = builder.seed(seed);
    }
    let rt = match builder.build() {
        Ok(rt) => rt,
        Err(e) => panic!("runtime::test: cannot build a runtime: {e}"),
    };
    let output = match opts.timeout {
        None => rt.block_on(body()),
        Some(limit) => match rt.block_on(crate::time::timeout(limit, body())) {
            Ok(output) => output,
            Err(_) => panic!("{}", timed_out(opts, limit, &rt.dump(), seed)),
        },
    };
    if !opts.allow_pending {
        let dump = rt.dump();
        let pending: Vec<_> = dump
            .tasks
            .iter()
            .filter(|t| t.state != DumpState::Finished)
            .collect();
        if !pending.is_empty() {
            let mut msg = format!(
                "{}::{} left {} task{} pending when its body returned \
                 (they would be dropped unfinished; await them, abort them, \
                 or add `allow_pending` to the attribute):",
                opts.module_path,
                opts.name,
                pending.len(),
                if pending.len() == 1 { "" } else { "s" }
            );
            for task in pending {
                let _ = write!(
                    msg,
                    "\n  task {} spawned at {}: {}, waiting on {}",
                    task.id, task.spawned_at, task.state, task.waiting_on
                );
            }
            panic!("{msg}");
        }
    }
    output
}

fn timed_out(opts: &Options, limit: Duration, dump: &TaskDump, seed: Option<u64>) -> String {
    let mut msg = format!(
        "{}::{} timed out after {limit:?} of {} time{}; the body was still waiting.",
        opts.module_path,
        opts.name,
        if opts.paused { "virtual" } else { "real" },
        seed.map(|s| format!(" (schedule seed {s:#x})"))
            .unwrap_or_default(),
    );
    let live: Vec<_> = dump
        .tasks
        .iter()
        .filter(|t| t.state != DumpState::Finished)
        .collect();
    if live.is_empty() {
        msg.push_str(" No spawned task was pending.");
    }
    for task in live {
        let _ = write!(
            msg,
            "\n  task {} spawned at {}: {}, waiting on {}",
            task.id, task.spawned_at, task.state, task.waiting_on
        );
    }
    msg
}

/// Runs a blocking test body (`#[runtime::test(threaded)]`) on a thread of
/// its own, with the timeout in real time.
///
/// # Panics
/// When the body panics (with its payload) or the timeout passes.
#[track_caller]
pub fn run_threaded<F, R>(opts: Options, body: F) -> R
where
    F: Fn() -> R + Send + 'static,
    R: Send + 'static,
{
    let Some(limit) = opts.timeout else {
        return body();
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let name = format!("test {}", opts.name);
    let spawned = std::thread::Builder::new().name(name).spawn(move || {
        let _ = tx.send(catch_unwind(AssertUnwindSafe(body)));
    });
    if let Err(e) = spawned {
        panic!("runtime::test: cannot start the test's thread: {e}");
    }
    match rx.recv_timeout(limit) {
        Ok(Ok(output)) => output,
        Ok(Err(panic)) => resume_unwind(panic),
        Err(_) => panic!(
            "{}::{} timed out after {limit:?} (real time); its threads are left running",
            opts.module_path, opts.name
        ),
    }
}

/// The text of a panic payload.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    crate::task::panic_message(payload)
        .map(str::to_owned)
        .unwrap_or_else(|| "the test panicked (with a payload that is not a string)".into())
}

/// The result of [`explore`]: how many schedules ran, and the first that
/// failed, if one did.
#[derive(Debug)]
pub struct Exploration {
    /// Schedules that ran (all of them, or up to and including the failure).
    pub schedules: u32,
    /// The first failing schedule.
    pub failure: Option<ExploredFailure>,
}

/// One failing schedule found by [`explore`].
#[derive(Debug, Clone)]
pub struct ExploredFailure {
    /// The seed that replays it (`Builder::seed`, or `RUNTIME_SEED`).
    pub seed: u64,
    /// Schedules that passed before it.
    pub passed_before: u32,
    /// What the failure said (its panic message).
    pub message: String,
}

/// The function form of `#[runtime::test(explore = N)]`: runs `body` on a
/// fresh paused-clock runtime under `schedules` seeded schedules (the seeds
/// derived from `name`), and reports the first that panics instead of
/// panicking itself.
#[track_caller]
pub fn explore<F, Fut>(name: &str, schedules: u32, body: F) -> Exploration
where
    F: Fn() -> Fut,
    Fut: Future,
    Fut::Output: Outcome,
{
    let opts = Options {
        name: "explore",
        module_path: "runtime::testing",
        file: Location::caller().file(),
        line: Location::caller().line(),
        paused: true,
        seed: None,
        explore: None,
        timeout: None,
        allow_pending: true,
        threaded: false,
    };
    for i in 0..schedules {
        let seed = explored_seed(name, i);
        let outcome = catch_unwind(AssertUnwindSafe(|| once(&opts, Some(seed), &body)));
        let failure = match &outcome {
            Ok(output) => output.failure(),
            Err(panic) => Some(panic_text(panic.as_ref())),
        };
        if let Some(message) = failure {
            return Exploration {
                schedules: i + 1,
                failure: Some(ExploredFailure {
                    seed,
                    passed_before: i,
                    message,
                }),
            };
        }
    }
    Exploration {
        schedules,
        failure: None,
    }
}
