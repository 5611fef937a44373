//! `#[runtime::test]`: runs an `async fn` test on a fresh runtime; and the
//! parser behind `runtime::select!`.
//!
//! Use it through the `runtime` crate (`#[runtime::test]`), which re-exports
//! it, as tokio re-exports tokio-macros. The attribute only rewrites the
//! function; the runner it calls, `runtime::__private::test::run`, builds
//! the runtime, applies the options and reports failures.
//!
//! This crate has no dependencies: the attribute and the function are parsed
//! by hand from `proc_macro`'s token trees. One file per step:
//!
//! - `args.rs`: the options (`paused, seed = 7, ...`), and which combine;
//! - `literal.rs`, `duration.rs`: the values of `7`, `0x2a`, `"1.5s"`;
//! - `item.rs`: the function, split into attributes, signature and body;
//! - `expand.rs`: the `#[test] fn` that calls the runner;
//! - `error.rs`: `compile_error!`s pointing at the offending tokens;
//! - `select/`: `runtime::select!`'s branches, parsed and expanded (its
//!   module doc lists its own steps).

mod args;
mod duration;
mod error;
mod expand;
mod item;
mod literal;
mod select;

use proc_macro::TokenStream;

/// Marks an `async fn` as a test that runs on a fresh runtime.
///
/// ```ignore
/// #[runtime::test]
/// async fn a_timeout_fires() {
///     let slow = runtime::time::sleep(std::time::Duration::from_secs(3600));
///     let result = runtime::time::timeout(std::time::Duration::from_secs(1), slow).await;
///     assert!(result.is_err()); // instantly: the clock is virtual
/// }
/// ```
///
/// The function becomes a plain `#[test]`; other attributes (`#[should_panic]`,
/// `#[ignore]`, doc comments) stay on it, and a test returning `Result` fails
/// on `Err` as usual. Each run builds its own runtime, so tests share no
/// tasks, timers or sockets.
///
/// # Options
///
/// They combine: `#[runtime::test(explore = 50, timeout = "10s")]`.
///
/// | option | meaning | default |
/// |---|---|---|
/// | `paused` | virtual clock that jumps to the next timer when nothing can run | **on** |
/// | `real_clock` | the OS clock instead: sleeps take their real time | off |
/// | `seed = N` | one seeded schedule: the run queue is shuffled by a generator seeded with `N` (`7`, `0x2a`); with `explore`, the first of the seeds | FIFO order |
/// | `explore = N` | run the body under `N` seeded schedules; a failure names its seed | one run |
/// | `timeout = "5s"` | fail, naming the pending tasks, if the body takes longer: virtual time when paused; `"250ms"`, `"5s"`, `"1.5s"`, `"2m"`, `"1h"` | none |
/// | `allow_pending` | do not fail when tasks are left pending at the end | fail |
/// | `threaded` | the body is a plain `fn` that uses `runtime::threaded` (real clock, OS scheduling) | event loop |
/// | `crate = "path"` | the path to the runtime crate, when it is not reachable as `::runtime` (renamed dependency, re-export) | `::runtime` |
///
/// `RUNTIME_SEED=<u64 or 0x hex>` in the environment replays one schedule
/// of any test; that is the runner's job (see TESTING.md).
///
/// # Why the clock is paused by default
///
/// tokio's `#[tokio::test]` defaults to the real clock (`start_paused = true`
/// opts in); Go's `testing/synctest` bubbles always run on virtual time. We
/// side with Go: on the paused clock every time-dependent test is
/// deterministic and instant. A one-hour `sleep`, or a `timeout` that must
/// fire, takes no wall time and cannot flake on a loaded machine.
///
/// It does not freeze I/O. The clock jumps to the next timer only when no
/// task is ready, a zero-timeout `epoll_wait` finds no ready I/O and no
/// blocking-pool job is running, so a test whose sockets talk to each other
/// on the same runtime (loopback TCP, UDP) runs as on the real clock, minus
/// the waiting for timers.
///
/// Why `timeout` defaults to none: a test that can never finish, with no
/// timer and no socket left to wait on, fails at once with a deadlock
/// report naming the pending tasks. Only a test blocked on a socket nobody
/// will write to waits forever (as it would on the real clock); a `timeout`
/// catches it, in virtual time, so it fails as soon as the loop is idle.
///
/// Use `real_clock` when the wakes come from outside the runtime: a
/// `std::thread` holding a waker, another process, a remote peer. The
/// paused clock cannot know they are coming, so a `timeout` or `sleep`
/// racing them fires as soon as the loop is idle. With `real_clock`, a test
/// that waits forever hangs; give it a `timeout`.
///
/// # Requirements and errors
///
/// The function must be `async fn name()` with no parameters, generics or
/// `self` (or a plain `fn` with `threaded`); anything else, an unknown or
/// repeated option, a bad value (`seed = "x"`, `explore = 0`,
/// `timeout = "5"`) or options that cannot combine (`threaded` with
/// `paused`, `seed` or `explore`: threads have no virtual clock and no
/// schedule to control) is a compile error at the offending token.
///
/// The expansion names the runtime as `::runtime`. If your crate depends on
/// it under another name (`rt = { package = "runtime", ... }`) or reaches it
/// through a re-export, say where: `#[rt::test(crate = "rt")]`.
#[proc_macro_attribute]
pub fn test(attr: TokenStream, item: TokenStream) -> TokenStream {
    let args = args::parse(attr);
    let test_fn = item::parse(item);
    let expanded = match (args, test_fn) {
        (Ok(args), Ok(test_fn)) => expand::expand(&args, test_fn),
        (args, test_fn) => {
            let mut errors = args.err().unwrap_or_default();
            errors.extend(test_fn.err().unwrap_or_default());
            Err(errors)
        }
    };
    // On an error, only the errors: the body is not type-checked until the
    // attribute is right, so rustc shows the attribute's problems alone.
    expanded.unwrap_or_else(|errors| error::to_compile_errors(&errors))
}

/// The expansion of `runtime::select!`, which calls this with `$crate;` in
/// front of the user's branches. Not meant to be called directly: use
/// `runtime::select!` (documented there).
#[doc(hidden)]
#[proc_macro]
pub fn select_internal(input: TokenStream) -> TokenStream {
    select::select(input)
}
