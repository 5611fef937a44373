//! `demo switch` measures a task switch on the loop and a thread switch,
//! repeated and interleaved, and prints both (median and range) with a
//! verdict and its criterion.

mod common;

#[test]
fn prints_ns_per_switch_for_both_models() {
    let out = common::demo_ok(&["switch", "--quick"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let ns: Vec<f64> = text
        .lines()
        .filter(|l| l.contains(" ns per switch (range "))
        .filter_map(|l| {
            let before = l.split(" ns per switch").next()?;
            before.rsplit(' ').next()?.parse().ok()
        })
        .collect();
    assert_eq!(ns.len(), 2, "{text}");
    assert!(ns.iter().all(|&n| n > 0.0), "{text}");
    // The loop's switches are wakes without syscalls; the threads' are the
    // kernel's.
    assert!(text.contains("local wakes (no syscall)"), "{text}");
    assert!(text.contains("kernel context switches"), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[lines.len() - 2].starts_with("claim: "), "{text}");
    assert!(
        lines[lines.len() - 1].starts_with("  criterion: "),
        "{text}"
    );
}
