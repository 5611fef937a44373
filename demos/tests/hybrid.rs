//! `demo hybrid`: the same mixed CPU + I/O workload on the loop alone,
//! threads alone and the loop with a pool; wall time and latency
//! verdicts with their criteria. Small sizes; no speed is asserted.

mod common;

#[test]
fn three_sides_and_two_verdicts() {
    let json = common::demo_json(&[
        "hybrid",
        "--quick",
        "--requests",
        "20",
        "--concurrency",
        "5",
        "--io",
        "5ms",
        "--cpu",
        "1ms",
        "--json",
    ]);
    let words = common::assert_report(&json, "hybrid");
    assert_eq!(words.len(), 2, "{json}");
    let sides = json["sides"].as_array().expect("sides");
    assert_eq!(sides.len(), 3, "{json}");
    for s in sides {
        // Every request waits 5 ms, 5 at a time: 4 waves at least.
        assert!(
            s["wall_ms"]["median"].as_f64().unwrap_or(0.0) >= 19.0,
            "{json}"
        );
    }
    assert_eq!(json["params"]["requests"], 20, "{json}");
}

#[test]
fn zero_sizes_are_bad_input() {
    common::assert_bad_input(&["hybrid", "--requests", "0"], "must be at least 1");
    common::assert_bad_input(&["hybrid", "--io", "0ms"], "must be above 0");
}
