//! Shared by the demo tests: run the `demo` binary and insist it succeeded.

use std::process::{Command, Output};

/// Runs `demo args...`, asserts a zero exit (showing both streams if not),
/// and returns the whole output.
pub fn demo_ok(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_demo"))
        .args(args)
        .output()
        .expect("the demo binary runs");
    assert!(
        out.status.success(),
        "demo {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
