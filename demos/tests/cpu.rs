//! `demo cpu` runs the same CPU-bound job on every model; the thread model
//! uses 4 threads and every model computes the same results. (No speed-up is
//! asserted: the test machine is noisy.)

mod common;

#[test]
fn thread_model_uses_four_threads_and_results_match() {
    let out = common::demo_ok(&["cpu", "--quick"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("core(s) available"), "{text}");
    assert!(text.contains("threaded::gather (4 threads)"), "{text}");
    assert!(text.contains("spawn_blocking (4 jobs"), "{text}");
    assert!(text.contains("gather (1 thread)"), "{text}");
    assert!(text.contains("results equal on every model: yes"), "{text}");
    let last = text.lines().last().unwrap_or("");
    assert!(
        last.starts_with("claim: threads give true parallelism -> "),
        "{text}"
    );
    assert!(last.contains("GIL"), "{text}");
}
