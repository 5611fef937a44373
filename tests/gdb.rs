//! The debugger story, tested: gdb in batch mode stops `gdb-target` inside a
//! task, and both `call runtime_dump_tasks()` (the process prints its dump)
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
        .args(["-ex", "echo ==info==\\n", "-ex", "info async-tasks"])
        .args([
            "-ex",
            "echo ==call==\\n",
            "-ex",
            "call runtime::runtime_dump_tasks()",
        ])
        .args([
            "-ex",
            "set language c",
            "-ex",
            "echo ==callc==\\n",
            "-ex",
            "call runtime_dump_tasks()",
        ])
        .args(["-ex", "echo ==end==\\n", "-ex", "kill"])
        .arg(target)
        .output()
        .expect("gdb runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let section = |from: &str, to: &str| -> String {
        let start = text
            .find(from)
            .unwrap_or_else(|| panic!("no {from} in gdb output:\n{text}"));
        let end = text[start..].find(to).map_or(text.len(), |e| start + e);
        text[start..end].to_string()
    };
    let info = section("==info==", "==call==");
    let call = section("==call==", "==callc==");
    let call_c = section("==callc==", "==end==");
    // The three tasks of gdb_target.rs, by spawn line.
    for line in [23, 24, 25] {
        let site = format!("gdb_target.rs:{line}");
        assert!(
            info.contains(&site),
            "info async-tasks lacks {site}:\n{text}"
        );
        assert!(
            call.contains(&site),
            "runtime_dump_tasks lacks {site}:\n{text}"
        );
        assert!(
            call_c.contains(&site),
            "runtime_dump_tasks (language c) lacks {site}:\n{text}"
        );
    }
    assert!(info.contains("timer (fires in 30000 ms)"), "{info}");
    assert!(info.contains("join of task"), "{info}");
    assert!(info.contains("running"), "{info}");
    assert!(call.contains("waits on: timer"), "{call}");
}
