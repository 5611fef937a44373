//! `demo cpu` runs the same CPU-bound job on every model, interleaved and
//! repeated; the thread model uses 4 threads, every model computes the same
//! results, and each verdict comes with its criterion. (No speed-up is
//! asserted: the test machine is noisy; `src/support/claims/cpu.rs` tests the bounds.)

mod common;

#[test]
fn thread_model_uses_four_threads_and_results_match() {
    let out = common::demo_ok(&["cpu", "--quick"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("core(s) in this process's affinity mask"),
        "{text}"
    );
    assert!(text.contains("1 warm-up run, then 3 runs"), "{text}");
    assert!(text.contains("threaded::gather (4 threads)"), "{text}");
    assert!(text.contains("spawn_blocking (4 jobs"), "{text}");
    assert!(text.contains("gather (1 thread)"), "{text}");
    assert!(text.contains("(range "), "the spread is printed: {text}");
    assert!(text.contains("results equal on every model: yes"), "{text}");
    let claims: Vec<&str> = text.lines().filter(|l| l.starts_with("claim: ")).collect();
    assert_eq!(claims.len(), 3, "{text}");
    assert_eq!(text.matches("\n  criterion: ").count(), 3, "{text}");
    assert!(
        claims
            .iter()
            .any(|l| l.starts_with("claim: threads give true parallelism") && l.contains("GIL")),
        "{text}"
    );
    // The GIL, said plainly: what carries over to Rust and what does not.
    assert!(
        text.contains("what of the seeds' GIL claim carries over to Rust:"),
        "{text}"
    );
    assert!(
        text.contains("  does not carry over: CPU-bound threads get no speed-up"),
        "{text}"
    );
    assert!(
        text.contains("  carries over: an event loop runs CPU-bound work"),
        "{text}"
    );
}

#[test]
fn json_has_the_spreads_and_verdicts() {
    let json = common::demo_json(&[
        "cpu",
        "--model",
        "threads",
        "--iterations",
        "400000",
        "--repetitions",
        "2",
        "--json",
    ]);
    assert_eq!(json["threads"]["workers"], 4, "{json}");
    assert_eq!(
        json["threads"]["speedup"]["samples"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    assert!(json["loop_gather"].is_null(), "{json}");
    let v = &json["verdicts"][0];
    assert!(
        v["criterion"].as_str().unwrap_or("").contains(">= 1.5x"),
        "{json}"
    );
    assert!(v["holds"].is_string(), "{json}");
    let gil = json["gil"].as_array().expect("gil");
    assert_eq!(gil.len(), 3, "{json}");
    assert_eq!(gil[0]["measured"], "not run (--model)", "{json}");
}
