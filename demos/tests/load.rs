//! `demo load`: a closed-loop load against its own servers (each model's
//! thread count read from `/proc/<pid>/task`), and against a thread-model
//! server given by address (whose model it does not claim to know).

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn number_after(text: &str, label: &str) -> u64 {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(label))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no {label:?} in:\n{text}"))
}

#[test]
fn quick_load_on_its_own_server_has_requests_and_no_errors() {
    let out = common::demo_ok(&["load", "--quick", "--model", "loop", "--duration", "500ms"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(number_after(&text, "requests") > 0, "{text}");
    assert_eq!(number_after(&text, "errors"), 0, "{text}");
    assert!(text.contains("latency    p50"), "{text}");
    assert!(
        text.contains("claim: the server serves 10 keep-alive connections at once -> yes"),
        "{text}"
    );
    assert!(
        text.contains(
            "claim: one event-loop thread serves 10 keep-alive connections -> yes: 1 thread(s)"
        ),
        "{text}"
    );
    assert!(text.contains("/task of the server, sampled"), "{text}");
}

#[test]
fn the_thread_server_it_starts_is_claimed_as_one() {
    let json = common::demo_json(&[
        "load",
        "--model",
        "threads",
        "--connections",
        "4",
        "--duration",
        "300ms",
        "--json",
    ]);
    let run = &json["runs"][0];
    assert_eq!(run["started_model"], "threads", "{json}");
    assert!(
        run["server_threads_max"].as_u64().unwrap_or(0) >= 4,
        "{json}"
    );
    let claim = run["verdicts"][1]["claim"].as_str().unwrap_or("");
    assert!(claim.contains("a thread each"), "{json}");
    assert!(!claim.contains("event-loop"), "{json}");
    assert_eq!(common::holds(&json), ["yes", "yes"], "{json}");
}

#[test]
fn load_against_a_thread_per_connection_server() {
    let mut server = Command::new(env!("CARGO_BIN_EXE_demo"))
        .args(["serve", "--model", "threads", "--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap()
        .to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_demo"))
        .args([
            "load",
            "--addr",
            &addr,
            "--connections",
            "8",
            "--duration",
            "500ms",
        ])
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(number_after(&text, "requests") > 0, "{text}");
    assert_eq!(number_after(&text, "errors"), 0, "{text}");
    // The old demo said "one event-loop thread serves ..." of this server.
    assert!(!text.contains("event-loop thread"), "{text}");
    // It says which model it runs (X-Model), but a server this demo did
    // not start cannot have its threads counted: no claim is made.
    assert!(
        text.contains("claim: the server's model -> not run (the server says it runs \"threads\""),
        "{text}"
    );
}

#[test]
fn a_bad_duration_is_a_clap_error() {
    common::assert_bad_input(&["load", "--duration", "soon"], "not a duration");
}
