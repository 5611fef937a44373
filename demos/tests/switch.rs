//! `demo switch` measures a task switch on the loop and a thread switch,
//! and prints both in ns with the ratio and a verdict.

mod common;

#[test]
fn prints_ns_per_switch_for_both_models() {
    let out = common::demo_ok(&["switch", "--quick"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let ns: Vec<f64> = text
        .lines()
        .filter_map(|l| {
            l.split(" ns per switch")
                .next()
                .filter(|_| l.contains(" ns per switch"))
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse().ok())
        .collect();
    assert_eq!(ns.len(), 2, "{text}");
    assert!(ns.iter().all(|&n| n > 0.0), "{text}");
    assert!(
        text.contains("event loop") && text.contains("threads"),
        "{text}"
    );
    assert!(text.contains("ratio:"), "{text}");
    // The loop's switches are wakes without syscalls; the threads' are the
    // kernel's.
    assert!(text.contains("local wakes (no syscall)"), "{text}");
    assert!(text.contains("kernel context switches"), "{text}");
    assert!(
        text.lines().last().unwrap_or("").starts_with("claim:"),
        "{text}"
    );
}
