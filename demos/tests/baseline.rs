//! `demo baseline`: the synchronous program measured beside both models
//! on the fetch (with and without a wait) and files workloads; one
//! verdict with its criterion. Small sizes; no speed is asserted.

mod common;

#[test]
fn three_workloads_each_against_its_synchronous_run() {
    let json = common::demo_json(&[
        "baseline",
        "--quick",
        "--requests",
        "10",
        "--files",
        "40",
        "--json",
    ]);
    let words = common::assert_report(&json, "baseline");
    assert_eq!(words.len(), 1, "{json}");
    let workloads = json["workloads"].as_array().expect("workloads");
    assert_eq!(workloads.len(), 3, "{json}");
    for w in workloads {
        assert!(
            w["synchronous_ms"]["median"].as_f64().unwrap_or(0.0) > 0.0,
            "{json}"
        );
        assert!(
            w["speedup"]["median"].as_f64().unwrap_or(0.0) > 0.0,
            "{json}"
        );
    }
    assert!(
        workloads[1]["workload"]
            .as_str()
            .unwrap_or("")
            .contains("wait"),
        "{json}"
    );
}
