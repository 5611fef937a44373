//! `demo compare --quick --json` prints seed 000's Key Differences table as
//! JSON: every row, measured on both models.

use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn quick_json_has_every_row_for_both_models() {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_demo"))
        .args(["compare", "--quick", "--json"])
        .output()
        .unwrap();
    let took = start.elapsed();
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}\n{err}");
    // Generous: --quick targets < 10 s; the test machine is busy.
    assert!(took < Duration::from_secs(60), "took {took:?}");
    assert!(err.contains("compare: "), "progress goes to stderr: {err}");
    let json: serde_json::Value = serde_json::from_str(&text).expect("stdout is JSON");
    let rows = json["rows"].as_array().expect("rows");
    for aspect in [
        "scheduling",
        "context switch",
        "syscalls per switch",
        "memory footprint",
        "blocking call handling",
        "threads used",
        "wall time",
    ] {
        let row = rows
            .iter()
            .find(|r| r["aspect"] == aspect)
            .unwrap_or_else(|| panic!("no row {aspect}: {text}"));
        for column in ["event_loop", "threads", "claim", "agrees"] {
            let cell = row[column].as_str().unwrap_or("");
            assert!(
                !cell.is_empty() && cell != "not run",
                "{aspect}/{column}: {text}"
            );
        }
    }
    for model in ["event_loop", "threads"] {
        let side = &json[model];
        for number in [
            "switch_ns",
            "rss_per_unit_bytes",
            "max_tick_gap_ms",
            "wall_ms",
        ] {
            assert!(
                side[number].as_f64().is_some_and(|n| n > 0.0),
                "{model}.{number}: {text}"
            );
        }
    }
    assert_eq!(json["event_loop"]["threads_used"], 1, "{text}");
    // Switching tasks needs no syscall (bar the loop's periodic epoll
    // check); switching threads needs the kernel (futex wake + wait).
    let per_switch = |model: &str| json[model]["syscalls_per_switch"].as_f64();
    assert!(per_switch("event_loop").is_some_and(|n| n < 0.5), "{text}");
    assert!(per_switch("threads").is_some_and(|n| n >= 1.0), "{text}");
    assert!(
        json["threads"]["threads_used"].as_u64().unwrap_or(0) >= 1000,
        "{text}"
    );
    // The loop stalls under a blocking call; the thread model does not.
    assert!(
        json["event_loop"]["max_tick_gap_ms"]
            .as_f64()
            .unwrap_or(0.0)
            >= 100.0,
        "{text}"
    );
    assert!(
        json["threads"]["max_tick_gap_ms"].as_f64().unwrap_or(1e9) < 100.0,
        "{text}"
    );
}
