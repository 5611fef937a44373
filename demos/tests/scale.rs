//! `demo scale`: CPU-bound requests served by 1 and 2 event loops
//! (`serve --workers`, SO_REUSEPORT) and by threads; throughput and two
//! verdicts with their criteria, and where to go past one machine. Short
//! runs; no throughput is asserted.

mod common;

#[test]
fn three_servers_two_verdicts_and_the_way_past_one_machine() {
    let json = common::demo_json(&[
        "scale",
        "--quick",
        "--duration",
        "300ms",
        "--connections",
        "4",
        "--cpu",
        "200us",
        "--json",
    ]);
    let words = common::assert_report(&json, "scale");
    assert_eq!(words.len(), 2, "{json}");
    let servers = json["servers"].as_array().expect("servers");
    assert_eq!(servers.len(), 3, "{json}");
    for s in servers {
        assert!(
            s["requests_per_s"]["median"].as_f64().unwrap_or(0.0) > 0.0,
            "{json}"
        );
    }
    assert_eq!(servers[1]["event_loops"], 2, "{json}");
    assert!(
        json["notes"][0]
            .as_str()
            .unwrap_or("")
            .contains("load balancer"),
        "{json}"
    );
}
