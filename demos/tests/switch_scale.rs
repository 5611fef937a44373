//! `demo switch-scale`: the ping-pong among more and more threads (and
//! tasks): a curve per model, two verdicts with their criteria, counts
//! refused as bad input. Small sizes; no speed is asserted.

mod common;

#[test]
fn a_curve_per_model_and_two_verdicts() {
    let json = common::demo_json(&[
        "switch-scale",
        "--quick",
        "--counts",
        "2,8",
        "--switches",
        "2000",
        "--json",
    ]);
    let words = common::assert_report(&json, "switch-scale");
    assert_eq!(words.len(), 2, "{json}");
    assert_eq!(
        json["params"]["counts"],
        serde_json::json!([2, 8]),
        "{json}"
    );
    for model in ["event_loop", "threads"] {
        let points = json[model].as_array().expect("points");
        assert_eq!(points.len(), 2, "{json}");
        assert!(
            points[0]["cpu_ns_per_switch"]["median"].is_number(),
            "{json}"
        );
    }
    let cost = &json["series"][1];
    assert_eq!(cost["label"], "threads", "{json}");
    assert_eq!(cost["x"], serde_json::json!([2, 8]), "{json}");
    assert_eq!(cost["x_log"], true, "{json}");
}

#[test]
fn the_text_prints_the_table_and_each_criterion() {
    let out = common::demo_ok(&[
        "switch-scale",
        "--quick",
        "--model",
        "threads",
        "--counts",
        "2,4",
        "--switches",
        "1000",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("threads: CPU ns per switch"), "{text}");
    assert!(text.contains("claim: OS-level context switching"), "{text}");
    assert!(text.contains("-> not run (needs both models"), "{text}");
    assert_eq!(text.matches("\n  criterion: ").count(), 2, "{text}");
}

#[test]
fn odd_or_tiny_counts_are_bad_input() {
    common::assert_bad_input(&["switch-scale", "--counts", "2,3"], "must be even");
    common::assert_bad_input(&["switch-scale", "--counts", "0"], "must be even");
    common::assert_bad_input(&["switch-scale", "--switches", "0"], "must be at least 1");
}
