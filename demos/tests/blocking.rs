//! `demo blocking`: a blocking call inside a task stalls the loop's ticker
//! (and the slow-poll warning names the task's spawn site); the same call
//! via spawn_blocking, or in another thread, does not.

use std::process::Command;

fn gap_ms(text: &str, label: &str) -> f64 {
    let line = text
        .lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no line {label:?} in\n{text}"));
    line.split("longest tick gap ")
        .nth(1)
        .and_then(|rest| rest.trim_end_matches(" ms").parse().ok())
        .unwrap_or_else(|| panic!("no gap in {line:?}"))
}

#[test]
fn blocking_stalls_the_loop_only() {
    let out = Command::new(env!("CARGO_BIN_EXE_demo"))
        .args(["blocking", "--quick"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}\n{err}");
    assert!(
        gap_ms(&text, "event loop, blocking call inside a task") >= 100.0,
        "{text}"
    );
    assert!(
        gap_ms(&text, "event loop, same call via spawn_blocking") < 100.0,
        "{text}"
    );
    assert!(gap_ms(&text, "threads, blocking call") < 100.0, "{text}");
    assert!(
        err.contains("slow poll") && err.contains("blocking.rs:"),
        "{err}"
    );
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[lines.len() - 2]
            .starts_with("claim: a blocking call in a coroutine stalls the whole loop"),
        "{text}"
    );
    assert!(
        lines[lines.len() - 1].starts_with("  criterion: "),
        "{text}"
    );
}
