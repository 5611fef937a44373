//! `#[runtime::test]` used the way a user does: tests that must pass, and
//! tests that must fail, checked from the outside.
//!
//! The tests that must fail (a panic without `#[should_panic]`, a `Result`
//! test returning `Err`) are `#[ignore]`d, so `cargo test` does not count
//! them as failures; `expected_failures_fail` re-runs this test binary on
//! each one alone (`--exact NAME --ignored`) and checks that it fails, and
//! how. Run with `--include-ignored`, they fail: that is their job.

use std::cell::Cell;
use std::process::Command;
use std::rc::Rc;
use std::time::{Duration, Instant};

use runtime::time::sleep;

// ---------------------------------------------------------------------------
// Tests that must pass

#[runtime::test]
async fn a_plain_async_test_runs_its_body() {
    let ran = Rc::new(Cell::new(false));
    let r = Rc::clone(&ran);
    runtime::spawn(async move { r.set(true) }).await.unwrap();
    assert!(ran.get());
}

/// The default clock is paused: an hour of sleep takes no wall time.
#[runtime::test]
async fn the_clock_is_paused_by_default() {
    let wall = Instant::now();
    let virtual_start = runtime::time::Instant::now();
    sleep(Duration::from_secs(3600)).await;
    assert!(virtual_start.elapsed() >= Duration::from_secs(3600));
    assert!(
        wall.elapsed() < Duration::from_secs(60),
        "an hour of virtual sleep took {:?} of wall time",
        wall.elapsed()
    );
}

/// `paused` is the default and still accepted.
#[runtime::test(paused)]
async fn paused_is_accepted() {
    let wall = Instant::now();
    sleep(Duration::from_secs(3600)).await;
    assert!(wall.elapsed() < Duration::from_secs(60));
}

/// `real_clock`: a sleep takes at least its real time (a lower bound only).
#[runtime::test(real_clock)]
async fn real_clock_sleeps_in_real_time() {
    let wall = Instant::now();
    sleep(Duration::from_millis(20)).await;
    assert!(wall.elapsed() >= Duration::from_millis(20));
}

#[runtime::test(seed = 7, explore = 3, timeout = "10s", allow_pending)]
async fn every_option_together() {
    // A task left pending at the end, which `allow_pending` allows.
    drop(runtime::spawn(sleep(Duration::from_secs(3600 * 24))));
    runtime::yield_now().await;
}

#[runtime::test(seed = 0xdead_beef_u64, timeout = "1.5s")]
async fn hex_seed_and_fractional_timeout() {}

#[runtime::test]
#[should_panic(expected = "boom from the body")]
async fn should_panic_sees_the_body_panic() {
    runtime::yield_now().await;
    panic!("boom from the body");
}

#[runtime::test]
#[should_panic(expected = "boom from a task")]
async fn should_panic_sees_a_task_panic_through_join() {
    let task = runtime::spawn(async { panic!("boom from a task") });
    let e = task.await.expect_err("the task panicked");
    std::panic::resume_unwind(e.into_panic());
}

#[runtime::test]
async fn a_result_test_passes_on_ok() -> Result<(), String> {
    let n: u32 = "42".parse().map_err(|e| format!("{e}"))?;
    assert_eq!(n, 42);
    Ok(())
}

/// `return` in the body returns from the body.
#[runtime::test]
async fn return_in_the_body() -> Result<(), Box<dyn std::error::Error>> {
    if true {
        return Ok(());
    }
    Err("unreachable".into())
}

#[runtime::test(threaded)]
fn a_threaded_test_runs_a_blocking_body() {
    let handle = runtime::threaded::spawn(|| 6 * 7);
    assert_eq!(handle.join().unwrap(), 42);
}

#[runtime::test(threaded, timeout = "30s")]
fn a_threaded_test_returning_result() -> Result<(), String> {
    runtime::threaded::sleep(Duration::from_millis(1));
    Ok(())
}

#[runtime::test(threaded)]
#[should_panic(expected = "threaded boom")]
fn a_threaded_should_panic() {
    panic!("threaded boom");
}

/// Visibility and a raw identifier as the name.
#[runtime::test]
pub(crate) async fn r#async() {}

mod nested {
    /// The expansion works inside modules and sees the module's `use`s.
    use std::time::Duration;

    #[runtime::test(timeout = "2m")]
    async fn uses_the_modules_imports() {
        runtime::time::sleep(Duration::from_millis(5)).await;
    }
}

/// `crate = "..."`: the runtime reached under another path.
mod renamed {
    pub(crate) use runtime as rt;

    #[rt::test(crate = "crate::renamed::rt")]
    async fn through_a_reexport() {
        rt::yield_now().await;
    }
}

/// Values arriving through `macro_rules!` fragments (wrapped in invisible
/// groups).
macro_rules! seeded_test {
    ($name:ident, $seed:literal, $timeout:literal) => {
        #[runtime::test(seed = $seed, timeout = $timeout)]
        async fn $name() {}
    };
}
seeded_test!(options_from_macro_rules_fragments, 42, "3s");

/// Kept `#[ignore]`: listed as ignored (checked below), never run here.
#[runtime::test]
#[ignore = "checks that #[ignore] survives the attribute"]
async fn ignored_stays_ignored() {
    panic!("an #[ignore]d test ran");
}

// ---------------------------------------------------------------------------
// Tests that must fail (run by `expected_failures_fail`)

#[runtime::test]
#[ignore = "must fail: run by expected_failures_fail"]
async fn must_fail_on_err() -> Result<(), String> {
    runtime::yield_now().await;
    Err("the error this test returns".to_owned())
}

#[runtime::test]
#[ignore = "must fail: run by expected_failures_fail"]
async fn must_fail_on_panic() {
    sleep(Duration::from_secs(1)).await;
    panic!("the panic this test raises");
}

#[runtime::test(threaded)]
#[ignore = "must fail: run by expected_failures_fail"]
fn must_fail_threaded_on_err() -> Result<(), String> {
    Err("the threaded error".to_owned())
}

/// Runs `args` on this test binary; (exit success, stdout + stderr).
fn rerun(args: &[&str]) -> (bool, String) {
    let exe = std::env::current_exe().expect("the test binary's path");
    let out = Command::new(exe)
        .args(args)
        .output()
        .expect("re-running the test binary");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn expected_failures_fail() {
    for (name, says) in [
        ("must_fail_on_err", "Error: \"the error this test returns\""),
        ("must_fail_on_panic", "the panic this test raises"),
        ("must_fail_threaded_on_err", "Error: \"the threaded error\""),
    ] {
        let (ok, text) = rerun(&["--exact", name, "--ignored", "--test-threads=1"]);
        assert!(!ok, "{name} passed:\n{text}");
        assert!(
            text.contains(&format!("test {name} ... FAILED")),
            "{name}:\n{text}"
        );
        assert!(text.contains(says), "{name} does not say {says:?}:\n{text}");
    }
}

#[test]
fn ignore_is_kept_and_other_tests_are_listed() {
    let (ok, ignored) = rerun(&["--list", "--ignored"]);
    assert!(ok, "{ignored}");
    assert!(ignored.contains("ignored_stays_ignored: test"), "{ignored}");
    let (ok, all) = rerun(&["--list"]);
    assert!(ok, "{all}");
    for name in [
        "a_plain_async_test_runs_its_body: test",
        "r#async: test",
        "nested::uses_the_modules_imports: test",
        "renamed::through_a_reexport: test",
        "a_threaded_test_runs_a_blocking_body: test",
    ] {
        assert!(all.contains(name), "{name} not listed:\n{all}");
    }
    // The body function is nested inside the test, never a test itself.
    assert!(!all.contains("__runtime_test_body"), "{all}");
}
