//! `demo ... --syscalls` against `strace -f -c` on the same workload.
//!
//! Tolerance: strace starts tracing before `execve` and counts it, while our
//! tracer starts right after it and counts the final `exit_group`, which
//! strace's table leaves out; those two rows are excluded. Rows that depend
//! on timing (how often `epoll_wait` or `futex` returns early) may differ by
//! a few calls between two runs, so each row may differ by at most 2 calls or
//! 10 %, and the totals by at most 10 %. Everything else is the same program
//! doing the same thing.
//!
//! strace missing fails the test with the install command, unless
//! `RUNTIME_TEST_SKIP_TOOLS` lists `strace` (README, "Run the tests").

use std::collections::BTreeMap;
use std::process::Command;

#[path = "common/tool.rs"]
mod tool;

use tool::{Scratch, require_tool};

fn demo() -> Command {
    Command::new(env!("CARGO_BIN_EXE_demo"))
}

fn parse_ours(text: &str) -> BTreeMap<String, u64> {
    text.lines()
        .skip_while(|l| !l.starts_with("syscall "))
        .skip(1)
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let name = parts.next()?;
            let n = parts.next()?.parse().ok()?;
            (name != "total" && name != "threads").then(|| (name.to_string(), n))
        })
        .collect()
}

fn parse_strace(text: &str) -> BTreeMap<String, u64> {
    text.lines()
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            // % time, seconds, usecs/call, calls, [errors], syscall
            if cols.len() < 5 || cols[0].starts_with('%') || cols[0].starts_with('-') {
                return None;
            }
            let name = *cols.last()?;
            let calls = cols[3].parse().ok()?;
            (name != "total").then(|| (name.to_string(), calls))
        })
        .collect()
}

#[test]
fn syscall_counts_agree_with_strace() {
    let Some(strace) = require_tool("strace", &["strace"], "-V", "apt-get install -y strace")
    else {
        return;
    };
    let workload = ["sleep", "--sleeps", "30,10", "--model", "loop"];
    let ours = demo().args(workload).arg("--syscalls").output().unwrap();
    assert!(
        ours.status.success(),
        "{}",
        String::from_utf8_lossy(&ours.stderr)
    );
    let ours = parse_ours(&String::from_utf8_lossy(&ours.stdout));

    // strace's table; removed on every path.
    let scratch = Scratch::new("demo-syscalls-test");
    let out = scratch.path().join("strace.txt");
    let status = Command::new(strace)
        .args(["-f", "-c", "-o"])
        .arg(&out)
        .arg(env!("CARGO_BIN_EXE_demo"))
        .args(workload)
        .output()
        .unwrap();
    assert!(status.status.success());
    let theirs = parse_strace(&std::fs::read_to_string(&out).unwrap());

    assert!(
        ours.contains_key("epoll_wait") && ours.contains_key("eventfd2"),
        "{ours:?}"
    );
    let close = |a: u64, b: u64| a.abs_diff(b) <= 2.max(a.max(b) / 10);
    for (name, &n) in theirs.iter().filter(|(n, _)| *n != "execve") {
        let mine = ours.get(name).copied().unwrap_or(0);
        assert!(
            close(mine, n),
            "{name}: ours {mine}, strace {n}\nours {ours:?}\nstrace {theirs:?}"
        );
    }
    let total_ours: u64 = ours
        .iter()
        .filter(|(n, _)| *n != "exit_group")
        .map(|(_, n)| n)
        .sum();
    let total_theirs: u64 = theirs
        .iter()
        .filter(|(n, _)| *n != "execve")
        .map(|(_, n)| n)
        .sum();
    assert!(
        close(total_ours, total_theirs),
        "totals: ours {total_ours}, strace {total_theirs}"
    );
}
