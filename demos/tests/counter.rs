//! `demo counter`: one counter under a Mutex, atomics, per-thread counts
//! and a Cell on the loop; the cost of each, two verdicts. Small sizes; no
//! speed is asserted.

mod common;

#[test]
fn four_sides_and_two_verdicts() {
    let json = common::demo_json(&["counter", "--quick", "--increments", "20000", "--json"]);
    let words = common::assert_report(&json, "counter");
    assert_eq!(words.len(), 2, "{json}");
    let sides = json["sides"].as_array().expect("sides");
    assert_eq!(sides.len(), 4, "{json}");
    for s in sides {
        assert!(s["cpu_ns_per_increment"]["median"].is_number(), "{json}");
    }
    assert_eq!(
        json["series"][0]["x"].as_array().map(Vec::len),
        Some(4),
        "{json}"
    );
}

#[test]
fn the_loop_alone_cannot_compare() {
    let out = common::demo_ok(&[
        "counter",
        "--quick",
        "--model",
        "loop",
        "--increments",
        "10000",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("event loop: tasks sharing a Cell<u64>"),
        "{text}"
    );
    assert!(!text.contains("Mutex<u64>  "), "{text}");
    assert!(text.contains("-> not run (needs both models"), "{text}");
}
