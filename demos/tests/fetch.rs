//! `demo fetch --quick`: both models fetch every request, overlapping the
//! server's latency (wall well under N x latency).

mod common;

#[test]
fn quick_fetch_overlaps_the_waits_on_both_models() {
    let out = common::demo_ok(&["fetch", "--quick"]);
    let text = String::from_utf8_lossy(&out.stdout);
    // --quick: 40 requests, 10 at a time, 20 ms each: 800 ms one at a time.
    for label in ["event loop: tasks + Semaphore", "threads: ThreadPool"] {
        let row = text
            .lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no row {label:?}:\n{text}"));
        let cols: Vec<&str> = row[row.find(label).unwrap() + label.len()..]
            .split_whitespace()
            .collect();
        let wall_ms: f64 = cols[0].parse().unwrap();
        let (ok, errors): (u32, u32) = (cols[2].parse().unwrap(), cols[3].parse().unwrap());
        assert_eq!((ok, errors), (40, 0), "{row}");
        assert!(wall_ms < 400.0, "no overlap: {row}\n{text}");
    }
    assert_eq!(
        text.matches("claim: network-bound requests overlap their waits")
            .count(),
        2,
        "{text}"
    );
    assert_eq!(text.matches("not N x latency -> yes").count(), 2, "{text}");
}

#[test]
fn zero_requests_is_refused() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_demo"))
        .args(["fetch", "--requests", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 1"));
}
