//! Shared helpers for the integration tests.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

pub mod tools;

/// A waker that counts how often it was woken.
#[derive(Debug, Default)]
pub struct CountingWaker {
    wakes: AtomicUsize,
}

impl CountingWaker {
    /// A new counter and a `Waker` feeding it.
    pub fn new() -> (Arc<CountingWaker>, Waker) {
        let counter = Arc::new(CountingWaker::default());
        let waker = Waker::from(Arc::clone(&counter));
        (counter, waker)
    }

    /// How many times the waker was woken so far.
    pub fn wakes(&self) -> usize {
        self.wakes.load(Ordering::SeqCst)
    }
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
    }
}

/// Polls `fut` once with `waker`.
pub fn poll_with<F: Future + Unpin>(fut: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(fut).poll(&mut Context::from_waker(waker))
}

/// Polls `fut` once with a waker that does nothing.
pub fn poll_once<F: Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    poll_with(fut, Waker::noop())
}

/// Returns `Pending` once (waking itself), then `Ready`: lets other tasks
/// run. The runtime's own, which works on any executor.
pub use runtime::yield_now;

/// Runs the calling test binary again as a child process, running only its
/// `child_process_entry` test with `env_var=scenario` set, and returns the
/// child's stderr. Fails unless the child printed `CHILD-OK` and exited 0
/// (a death by signal included). For scenarios that change process-wide
/// state: signal dispositions, the fd limit, the fd count.
pub fn run_child(env_var: &str, scenario: &str) -> String {
    let exe = std::env::current_exe().expect("the test binary's path");
    let out = std::process::Command::new(exe)
        .args([
            "--exact",
            "child_process_entry",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(env_var, scenario)
        .output()
        .expect("the test binary runs again");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success() && stdout.contains("CHILD-OK"),
        "child {scenario} failed: {:?}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    stderr
}

/// `SIGPIPE` back to "terminate" (the Rust runtime ignores it): a write
/// that raised it would kill the child, and the parent would see a signal
/// instead of success. Only for a child process running one test.
pub fn default_sigpipe() {
    // SAFETY: setting a signal disposition to SIG_DFL installs no handler;
    // the caller is a child process running one test on one thread.
    let old = unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    assert_ne!(old, libc::SIG_ERR);
}

/// Runs `f` on a thread of its own and returns its result, or fails the
/// test if it has not finished within `limit`: a hang becomes a failure
/// that names `what` (the hung thread is left behind; the test binary ends
/// it when it exits).
pub fn within<T: Send + 'static>(
    limit: std::time::Duration,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    let worker = std::thread::Builder::new()
        .name(format!("within: {what}"))
        .spawn(move || {
            let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
        })
        .expect("a thread for the watchdog");
    match rx.recv_timeout(limit) {
        Ok(Ok(value)) => {
            let _ = worker.join();
            value
        }
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => panic!("{what}: still running after {limit:?} (hung)"),
    }
}

/// TESTING.md, whose ```` ```rust ```` blocks run as this crate's doctests
/// (`cargo test -p integration-tests --doc`); its `#[runtime::test]`
/// examples and quoted failures are checked by `tests/testing_md.rs`.
#[doc = include_str!("../TESTING.md")]
#[cfg(doctest)]
pub struct TestingMd;
