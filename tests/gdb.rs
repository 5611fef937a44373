//! The debugger story, tested: gdb in batch mode stops `gdb-target` inside a
//! task, and both `call runtime_dump_tasks()` (the process prints its dump,
//! also through the script's `async-dump`)
//! and `info async-tasks` (runtime/gdb/runtime_gdb.py reads memory) name the
//! spawn sites of the live tasks.

use std::path::Path;
use std::process::Command;

fn gdb_available() -> bool {
    Command::new("gdb")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn gdb_shows_live_tasks_with_their_spawn_sites() {
    if !gdb_available() {
        // CI installs gdb (.ci/run); elsewhere, say why this test did nothing.
        assert!(
            std::env::var_os("CI").is_none(),
            "gdb is missing in CI: .ci/run should install it"
        );
        eprintln!("SKIPPED: gdb is not installed (apt-get install -y gdb)");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime/gdb/runtime_gdb.py");
    let target = env!("CARGO_BIN_EXE_gdb-target");
    let output = Command::new("gdb")
        .args(["-batch", "-nx"])
        .args(["-ex", &format!("source {}", script.display())])
        .args(["-ex", "break gdb_breakpoint_here", "-ex", "run"])
        .args(["-ex", "info async-tasks"])
        // The script's shorthand, then the call by hand: in a Rust frame gdb
        // resolves names relative to the current crate, so switch to C to
        // call the exported symbol.
        .args(["-ex", "async-dump"])
        .args(["-ex", "set language c", "-ex", "call runtime_dump_tasks()"])
        .args(["-ex", "kill"])
        .arg(target)
        .output()
        .expect("gdb runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // `info async-tasks` lines come from the script (gdb's stdout); the
    // process's own dump (`runtime_dump_tasks`, printed twice: once per
    // call) goes to the inferior's stderr and carries "last poll".
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
            2,
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
}
