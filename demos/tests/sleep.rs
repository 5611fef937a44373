//! `demo sleep` demonstrates seed 003's claim on both models: two sleeps
//! gathered take about as long as the longer one, not the sum.

mod common;

#[test]
fn sleeps_overlap_on_both_models() {
    let out = common::demo_ok(&["sleep", "--sleeps", "300,100"]);
    let text = String::from_utf8_lossy(&out.stdout);
    // The demo measures each model's total and states the verdict: the total
    // is below the sum of the sleeps (400 ms), i.e. they ran concurrently;
    // and counts the threads while the sleeps were pending.
    assert_eq!(
        text.matches("claim: tasks sleeping at the same time finish in about the longest sleep, not the sum -> yes").count(),
        2,
        "{text}"
    );
    assert!(
        text.contains("claim: the event loop runs every task on one thread -> yes: 1 thread(s)"),
        "{text}"
    );
    assert!(
        text.contains(
            "claim: the thread model runs each task on its own OS thread -> yes: 3 thread(s)"
        ),
        "{text}"
    );
    assert!(text.contains("2 spawned"), "{text}");
    assert_eq!(text.matches("\n  criterion: ").count(), 4, "{text}");
}

#[test]
fn bad_arguments_get_a_clear_error() {
    common::assert_bad_input(&["sleep", "--sleeps", "abc"], "invalid value");
}
