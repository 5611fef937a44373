//! Shared by the demo tests: run the `demo` binary, insist it succeeded,
//! or look at how it failed.

#![allow(dead_code)] // each test file uses some of these

use std::process::{Command, Output};

/// Runs `demo args...` and returns the whole output, whatever the exit.
pub fn demo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_demo"))
        .args(args)
        .output()
        .expect("the demo binary runs")
}

/// Runs `demo args...`, asserts a zero exit (showing both streams if not),
/// and returns the whole output.
pub fn demo_ok(args: &[&str]) -> Output {
    let out = demo(args);
    assert!(
        out.status.success(),
        "demo {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `demo args...` and parses its stdout as JSON (asserting a zero
/// exit).
pub fn demo_json(args: &[&str]) -> serde_json::Value {
    let out = demo_ok(args);
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("demo {args:?}: not JSON ({e}):\n{text}"))
}

/// The `holds` word of every verdict in a `--json` output.
pub fn holds(json: &serde_json::Value) -> Vec<String> {
    json["verdicts"]
        .as_array()
        .unwrap_or_else(|| panic!("no verdicts in {json}"))
        .iter()
        .map(|v| v["holds"].as_str().unwrap_or("?").to_string())
        .collect()
}

/// Asserts that `demo args...` is refused as bad input: exit 2, a message
/// on stderr containing `says`, nothing on stdout (no work done).
pub fn assert_bad_input(args: &[&str], says: &str) {
    let out = demo(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "demo {args:?}: {err}");
    assert!(err.contains(says), "demo {args:?}: {err:?} lacks {says:?}");
    assert!(
        out.stdout.is_empty(),
        "demo {args:?} printed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Asserts the self-describing shape of a claim's `--json`
/// (`src/support/report.rs`): its keys, series whose `x` and `y` (and
/// ranges) have the same length, and verdicts with a claim, a criterion
/// and one of the five words. Returns the verdicts' words.
pub fn assert_report(json: &serde_json::Value, command: &str) -> Vec<String> {
    for key in [
        "command", "seeds", "title", "params", "machine", "series", "verdicts", "notes",
    ] {
        assert!(json.get(key).is_some(), "no {key:?} in {json}");
    }
    assert_eq!(json["command"], command, "{json}");
    assert!(
        json["machine"]["cores"].as_u64().unwrap_or(0) >= 1,
        "{json}"
    );
    let series = json["series"].as_array().expect("series");
    assert!(!series.is_empty(), "no series to plot: {json}");
    for s in series {
        for key in ["plot", "label", "x_label", "y_label"] {
            assert!(s[key].is_string(), "series without {key}: {s}");
        }
        let n = s["x"].as_array().expect("x").len();
        assert!(n > 0, "an empty series: {s}");
        for key in ["y", "y_min", "y_max"] {
            if let Some(v) = s.get(key) {
                assert_eq!(v.as_array().map(Vec::len), Some(n), "{key} of {s}");
            }
        }
    }
    let words = holds(json);
    assert!(!words.is_empty(), "no verdict: {json}");
    for v in json["verdicts"].as_array().expect("verdicts") {
        assert!(!v["claim"].as_str().unwrap_or("").is_empty(), "{v}");
        assert!(!v["criterion"].as_str().unwrap_or("").is_empty(), "{v}");
    }
    for w in &words {
        assert!(
            ["yes", "no", "partly", "measurement error", "not run"].contains(&w.as_str()),
            "{w}"
        );
    }
    words
}
