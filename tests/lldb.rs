//! lldb, tested: `runtime/lldb/runtime_lldb.py` lists the tasks of
//! `gdb-target` (the same purpose-built target as tests/gdb.rs) from memory
//! in lldb's batch mode: their await sites, the worker's async backtrace,
//! `async-where`, and the thread model's blocked threads; and the same from
//! a core dump (written by gdb: lldb 14 cannot write one on Linux).
//!
//! lldb missing fails these tests with the install command, unless
//! `RUNTIME_TEST_SKIP_TOOLS` lists `lldb` (README, "Run the tests").

use std::path::{Path, PathBuf};
use std::process::Command;

use integration_tests::tools::{
    Scratch, check_a_missing_tool_fails_unless_skipped, line_of, lldb_command, require_tool,
};

fn lldb_installed() -> bool {
    require_tool("lldb", "--version", "apt-get install -y lldb")
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime/lldb/runtime_lldb.py")
}

fn target() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_gdb-target"))
}

/// `lldb -b` with `commands` (each `-o`), stdout and stderr together.
fn lldb_batch(before: &[&str], commands: &[&str]) -> String {
    let mut lldb = lldb_command();
    lldb.arg("-b").args(before);
    for c in commands {
        lldb.args(["-o", c]);
    }
    let output = lldb.arg(target()).output().expect("lldb runs");
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn site(needle: &str) -> String {
    format!(
        "tests/gdb_target.rs:{}:",
        line_of("tests/gdb_target.rs", needle)
    )
}

/// What the listing must show, live or from a core.
fn check_listing(text: &str, live: bool) {
    assert!(!text.contains("Traceback"), "{text}");
    assert!(!text.contains("error: "), "{text}");
    assert!(text.contains("6 live tasks"), "{text}");
    let acquire = site("semaphore.acquire().await");
    assert!(
        text.contains(&format!("waits on: semaphore permit at {acquire}")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "waits on: timer (fires in 30000 ms) at {}",
            site("runtime::time::sleep(Duration::from_secs(30))")
        )),
        "{text}"
    );
    for (depth, name) in ["handler", "route", "query"].into_iter().enumerate() {
        let want = format!("#{depth} {name} at {}", site(&format!("framed(\"{name}\"")));
        assert!(text.contains(&want), "{want}:\n{text}");
    }
    for want in [
        "task 4: waiting, polled 1 time",
        &format!("suspended at {acquire}"),
        "waker: 2 references (the task table's and 1 waker)",
        "run queue: not queued",
        "4 threaded tasks",
    ] {
        assert!(text.contains(want), "{want:?}:\n{text}");
    }
    for what in ["semaphore", "join", "sleep", "I/O"] {
        let want = if live {
            format!("blocked on {what} for ")
        } else {
            format!("blocked on {what} since ")
        };
        assert!(text.contains(&want), "{want}:\n{text}");
    }
}

#[test]
fn lldb_lists_tasks_await_sites_and_frames() {
    if !lldb_installed() {
        return;
    }
    let text = lldb_batch(
        &[],
        &[
            &format!("command script import {}", script().display()),
            "breakpoint set -n gdb_breakpoint_here",
            "process launch",
            "async-tasks",
            "async-where 4",
            "threaded-tasks",
            "process kill",
        ],
    );
    check_listing(&text, true);
}

#[test]
fn lldb_reads_a_core_dump() {
    if !lldb_installed() || !require_tool("gdb", "--version", "apt-get install -y gdb") {
        return;
    }
    // Holds the core file; removed on every path (a failed assertion too).
    let scratch = Scratch::new("runtime-lldb-core");
    let core = scratch.path().join("target.core");
    let made = Command::new("gdb")
        .args([
            "-batch",
            "-nx",
            "-ex",
            "break gdb_breakpoint_here",
            "-ex",
            "run",
        ])
        .args(["-ex", &format!("generate-core-file {}", core.display())])
        .arg(target())
        .output()
        .expect("gdb runs");
    assert!(
        String::from_utf8_lossy(&made.stdout).contains("Saved corefile"),
        "{}",
        String::from_utf8_lossy(&made.stdout)
    );
    let core_arg = core.display().to_string();
    let text = lldb_batch(
        &["-c", &core_arg],
        &[
            &format!("command script import {}", script().display()),
            "async-tasks",
            "async-where 4",
            "threaded-tasks",
        ],
    );
    check_listing(&text, false);
}

/// Without lldb on `PATH` the first test fails with the install command,
/// or passes with `RUNTIME_TEST_SKIP_TOOLS=lldb`.
#[test]
fn without_lldb_the_test_fails_unless_skipped() {
    check_a_missing_tool_fails_unless_skipped(
        "lldb_lists_tasks_await_sites_and_frames",
        "lldb",
        "gdb,lldb",
    );
}
