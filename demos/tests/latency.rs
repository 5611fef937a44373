//! `demo latency`: the loop and thread servers' percentiles with I/O
//! only, with a CPU-heavy request inline, and on spawn_blocking; three
//! verdicts with their criteria. Short runs; no latency is asserted.

mod common;

#[test]
fn five_configurations_and_three_verdicts() {
    let json = common::demo_json(&[
        "latency",
        "--quick",
        "--duration",
        "300ms",
        "--connections",
        "4",
        "--json",
    ]);
    let words = common::assert_report(&json, "latency");
    assert_eq!(words.len(), 3, "{json}");
    let configs = json["configs"].as_array().expect("configs");
    assert_eq!(configs.len(), 5, "{json}");
    for c in configs {
        assert!(
            c["p99_ms"]["median"].as_f64().unwrap_or(0.0) > 0.0,
            "{json}"
        );
    }
    // The CPU-heavy request was answered where it was sent.
    assert!(
        configs[2]["cpu_request_p50_ms"]["median"].is_number(),
        "{json}"
    );
    assert!(configs[0]["cpu_request_p50_ms"].is_null(), "{json}");
    assert_eq!(json["series"].as_array().map(Vec::len), Some(3), "{json}");
}

#[test]
fn the_thread_server_alone_makes_no_comparison() {
    let out = common::demo_ok(&[
        "latency",
        "--quick",
        "--model",
        "threads",
        "--duration",
        "200ms",
        "--connections",
        "2",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("threads, CPU request"), "{text}");
    assert!(!text.contains("loop, I/O only"), "{text}");
    assert_eq!(
        text.matches("-> not run (needs both models").count(),
        2,
        "{text}"
    );
}
