//! `demo unbounded`: without a bound, N holders of a buffer run out of a
//! lowered address space; behind a semaphore they complete. Both outcomes
//! follow from the sizes (200 MiB wanted against 64 MiB allowed; 8 MiB at
//! a time), not from timing, so the verdicts are asserted.

mod common;

#[test]
fn no_bound_runs_out_and_a_semaphore_completes_on_both_models() {
    let json = common::demo_json(&["unbounded", "--quick", "--json"]);
    assert_eq!(
        common::assert_report(&json, "unbounded"),
        ["yes", "yes"],
        "{json}"
    );
    for m in json["models"].as_array().expect("models") {
        assert_eq!(m["unbounded"]["ran_out"], true, "{json}");
        assert_eq!(m["bounded"]["ran_out"], false, "{json}");
        assert_eq!(m["bounded"]["completed"], 200, "{json}");
        assert!(
            m["bounded"]["peak_held"].as_u64().unwrap_or(99) <= 8,
            "{json}"
        );
        let limit = m["limit_mib"].as_f64().unwrap_or(0.0);
        assert!(
            m["unbounded"]["peak_rss_mib"].as_f64().unwrap_or(f64::MAX) <= limit,
            "{json}"
        );
    }
}

#[test]
fn enough_memory_for_everything_is_a_no() {
    // 20 buffers of 1 MiB fit in 64 MiB: nothing runs out, the claim is not shown.
    let out = common::demo_ok(&["unbounded", "--quick", "--model", "loop", "--tasks", "20"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("(event loop) -> no: "), "{text}");
    assert!(text.contains("criterion: under RLIMIT_AS"), "{text}");
}

#[test]
fn a_semaphore_too_wide_for_the_budget_is_bad_input() {
    common::assert_bad_input(
        &["unbounded", "--permits", "100", "--budget-mib", "64"],
        "must stay under half",
    );
    common::assert_bad_input(&["unbounded", "--tasks", "0"], "must be at least 1");
}
