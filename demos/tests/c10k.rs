//! `demo c10k --quick --json`: 1,000 idle connections held on each model,
//! a positive memory cost per connection, one thread on the loop and a
//! thread per connection on the thread model. (No timing is asserted.)

mod common;

#[test]
fn both_models_hold_every_connection() {
    let json = common::demo_json(&["c10k", "--quick", "--json"]);
    // 1,000 unless this machine's hard RLIMIT_NOFILE forced fewer (the
    // demo then says so in a note).
    let n = json["connections"].as_u64().expect("connections");
    assert!(n > 0 && n <= 1000, "{json}");
    assert_eq!(
        json["event_loop"]["connections"].as_u64(),
        Some(n),
        "{json}"
    );
    for model in ["event_loop", "threads"] {
        let side = &json[model];
        let held = side["held"].as_u64().unwrap_or(0);
        assert!(held > 0, "{model}: {json}");
        assert_eq!(side["connections"].as_u64(), Some(held), "{model}: {json}");
        assert!(
            side["rss_per_conn_bytes"].as_f64().unwrap_or(0.0) > 0.0,
            "{model}: {json}"
        );
    }
    assert_eq!(json["event_loop"]["threads"], 1, "{json}");
    assert!(
        json["threads"]["threads"].as_u64().unwrap_or(0)
            > json["threads"]["held"].as_u64().unwrap_or(u64::MAX),
        "a thread per connection, plus the acceptor: {json}"
    );
    // Each thread reserves a stack: far more address space than it touches.
    let threads = &json["threads"];
    assert!(
        threads["vm_per_conn_bytes"].as_f64().unwrap_or(0.0)
            > threads["rss_per_conn_bytes"].as_f64().unwrap_or(f64::MAX),
        "{json}"
    );
    let verdict = &json["verdicts"][0];
    assert!(verdict["holds"].is_string(), "{json}");
    assert!(verdict["criterion"].is_string(), "{json}");
}

#[test]
fn zero_connections_is_rejected_with_exit_code_2() {
    common::assert_bad_input(&["c10k", "--connections", "0"], "--connections");
    common::assert_bad_input(&["c10k", "--connections", "0"], "must be at least 1");
}
