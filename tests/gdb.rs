//! The debugger story, tested: gdb in batch mode stops `gdb-target` inside a
//! task, and both `call runtime::runtime_dump_tasks()` (the process prints
//! its dump; also through the script's `async-dump`) and `info async-tasks`
//! (runtime/gdb/runtime_gdb.py reads memory) name the spawn sites of the
//! live tasks. And every binary that links the runtime exports
//! `runtime_dump_tasks`, whether or not it calls it.
//!
//! gdb missing fails these tests with the install command, unless
//! `RUNTIME_TEST_SKIP_TOOLS` lists `gdb` (README, "Run the tests").

use std::path::{Path, PathBuf};
use std::process::Command;

use integration_tests::tools::{SKIP_TOOLS, debug_binaries, defined_symbols, require_tool};

fn gdb_installed() -> bool {
    require_tool("gdb", "--version", "apt-get install -y gdb")
}

/// gdb -batch on `binary` with `commands`; stdout and stderr together (the
/// inferior's own stderr, where `runtime_dump_tasks` prints, included).
fn gdb_batch(binary: &Path, commands: &[&str]) -> String {
    let mut gdb = Command::new("gdb");
    gdb.args(["-batch", "-nx"]);
    for c in commands {
        gdb.args(["-ex", c]);
    }
    let output = gdb.arg(binary).output().expect("gdb runs");
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn gdb_shows_live_tasks_with_their_spawn_sites() {
    if !gdb_installed() {
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime/gdb/runtime_gdb.py");
    let text = gdb_batch(
        Path::new(env!("CARGO_BIN_EXE_gdb-target")),
        &[
            &format!("source {}", script.display()),
            "break gdb_breakpoint_here",
            "run",
            "info async-tasks",
            // The script's shorthand, then the call by hand in gdb's default
            // (Rust) language mode, then in C mode: three dumps.
            "async-dump",
            "call runtime::runtime_dump_tasks()",
            "set language c",
            "call runtime_dump_tasks()",
            "kill",
        ],
    );
    // `info async-tasks` lines come from the script (gdb's stdout); the
    // process's own dump (`runtime_dump_tasks`, once per call) goes to the
    // inferior's stderr and carries "last poll".
    let script_lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("spawned at") && !l.contains("last poll"))
        .collect();
    let process_lines: Vec<&str> = text.lines().filter(|l| l.contains("last poll")).collect();
    // The three tasks of gdb_target.rs, by spawn line.
    for line in [23, 24, 25] {
        let site = format!("gdb_target.rs:{line}");
        assert_eq!(
            script_lines.iter().filter(|l| l.contains(&site)).count(),
            1,
            "info async-tasks lacks {site}:\n{text}"
        );
        assert_eq!(
            process_lines.iter().filter(|l| l.contains(&site)).count(),
            3,
            "each runtime_dump_tasks call should print {site}:\n{text}"
        );
    }
    let info = script_lines.join("\n");
    assert!(info.contains("timer (fires in 30000 ms)"), "{info}");
    assert!(info.contains("join of task"), "{info}");
    assert!(info.contains("running"), "{info}");
    assert!(
        process_lines.iter().any(|l| l.contains("waits on: timer")),
        "{text}"
    );
    assert!(!text.contains("No symbol"), "{text}");
}

/// `runtime_dump_tasks` is in every binary that links the runtime, though
/// none of these calls it (the demo, an example, `gdb-target`, and this test
/// binary, of another crate that depends on `runtime` by path). Without the
/// `#[used]` static in runtime/src/lib.rs the linker drops it from all four.
#[test]
fn every_binary_linking_the_runtime_exports_runtime_dump_tasks() {
    let debug = debug_binaries();
    let binaries: Vec<PathBuf> = vec![
        debug.join("demo"),
        debug.join("examples/wakeup"),
        PathBuf::from(env!("CARGO_BIN_EXE_gdb-target")),
        std::env::current_exe().expect("this test binary"),
    ];
    // This binary links the runtime: make sure it does (a test binary that
    // used nothing of it would not link it at all).
    assert!(runtime::Runtime::new().is_ok());
    for binary in &binaries {
        let symbols = defined_symbols(binary);
        for wanted in ["runtime_dump_tasks", "RUNTIME_DEBUG_HEAD"] {
            assert!(
                symbols.iter().any(|s| s == wanted),
                "{} does not define {wanted}: gdb cannot reach it there",
                binary.display()
            );
        }
    }
}

/// In a binary that never mentions it (the demo), the documented call works
/// in gdb's default language mode while the loop waits in `epoll_wait`.
#[test]
fn runtime_dump_tasks_is_callable_from_gdb_in_the_demo() {
    if !gdb_installed() {
        return;
    }
    let demo = debug_binaries().join("demo");
    let demo_args = "sleep --model loop --sleeps 200,100";
    let text = gdb_batch(
        &demo,
        &[
            &format!("set args {demo_args}"),
            "break runtime::driver::reactor::Reactor::turn",
            "run",
            "show language",
            "call runtime::runtime_dump_tasks()",
            "kill",
        ],
    );
    assert!(text.contains("currently rust"), "{text}");
    assert!(text.contains("2 live tasks"), "{text}");
    assert_eq!(
        text.lines()
            .filter(|l| l.contains("spawned at demos/src/cmd/sleep.rs:") && l.contains("timer"))
            .count(),
        2,
        "{text}"
    );
}

/// The first test, run again in a child process that cannot find gdb (empty
/// `PATH`): it fails with the install command, or passes with
/// `RUNTIME_TEST_SKIP_TOOLS=gdb`.
#[test]
fn without_gdb_the_test_fails_unless_skipped() {
    let exe = std::env::current_exe().expect("this test binary");
    let run = |skip: Option<&str>| {
        let mut child = Command::new(&exe);
        child
            .args(["--exact", "gdb_shows_live_tasks_with_their_spawn_sites"])
            .env("PATH", "/nonexistent")
            .env_remove(SKIP_TOOLS);
        if let Some(skip) = skip {
            child.env(SKIP_TOOLS, skip);
        }
        child.output().expect("the test binary runs again")
    };
    let failed = run(None);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&failed.stdout),
        String::from_utf8_lossy(&failed.stderr)
    );
    assert!(!failed.status.success(), "a test that did not run passed");
    assert!(said.contains("apt-get install -y gdb"), "{said}");
    let skipped = run(Some("strace,gdb"));
    assert!(
        skipped.status.success(),
        "{}",
        String::from_utf8_lossy(&skipped.stdout)
    );
}
