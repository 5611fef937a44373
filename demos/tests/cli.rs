//! The rules every subcommand follows (`demo --help` states them): one flag
//! vocabulary, explicit values beat `--quick`, bad input exits 2 before any
//! work, `--check` turns a claim not confirmed into exit 1, and a closed
//! stdout ends the program quietly. Runs are kept tiny.

mod common;

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

use common::{assert_bad_input, demo, demo_json, demo_ok, holds};

/// Every subcommand but `serve` (a server: one model, no verdict).
const DEMOS: [&str; 18] = [
    "sleep",
    "compare",
    "errors",
    "blocking",
    "cpu",
    "switch",
    "timeline",
    "files",
    "c10k",
    "load",
    "fetch",
    "switch-scale",
    "counter",
    "unbounded",
    "latency",
    "hybrid",
    "scale",
    "baseline",
];

#[test]
fn the_top_level_help_states_the_exit_codes_and_the_flags() {
    let out = demo_ok(&["--help"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "Exit codes",
        "0  the demo ran",
        "2  bad input",
        "--check",
        "--model loop|threads|both",
        "criterion",
    ] {
        assert!(text.contains(needle), "no {needle:?} in:\n{text}");
    }
}

#[test]
fn every_subcommand_takes_model_quick_and_json() {
    for cmd in DEMOS {
        let out = demo_ok(&[cmd, "--help"]);
        let text = String::from_utf8_lossy(&out.stdout);
        for flag in ["--model", "--quick", "--json", "--check"] {
            assert!(
                text.contains(flag),
                "demo {cmd} --help lacks {flag}:\n{text}"
            );
        }
    }
}

#[test]
fn zero_negative_and_nonsense_are_bad_input() {
    for (args, says) in [
        (&["switch", "--rounds", "0"][..], "must be at least 1"),
        (&["switch", "--repetitions", "0"], "must be at least 1"),
        (&["cpu", "--iterations", "0"], "must be at least 1"),
        (&["cpu", "--iterations", "3"], "at least 4"),
        (&["cpu", "--iterations", "-5"], "unexpected argument"),
        (&["blocking", "--block-ms", "10"], "at least 50"),
        (&["sleep", "--sleeps", "100"], "at least two"),
        (&["sleep", "--sleeps", "0,100"], "must be at least 1"),
        (&["fetch", "--latency", "0ms"], "must be above 0"),
        (&["fetch", "--concurrency", "0"], "must be at least 1"),
        (&["load", "--connections", "0"], "must be at least 1"),
        (&["load", "--duration", "0s"], "must be above 0"),
        (&["load", "--addr", "nonsense"], "not a host:port"),
        (
            &["load", "--addr", "127.0.0.1:1", "--model", "loop"],
            "--model",
        ),
        (&["c10k", "--max-threads", "0"], "must be at least 1"),
        (&["compare", "--model", "some"], "invalid value"),
    ] {
        assert_bad_input(args, says);
    }
}

#[test]
fn an_unreachable_address_is_bad_input() {
    // A port nothing listens on: bound, then released.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .to_string();
    assert_bad_input(&["load", "--addr", &addr], "cannot connect");
}

#[test]
fn an_unwritable_output_is_refused_before_any_work() {
    assert_bad_input(
        &["timeline", "--out", "/nonexistent-dir/page.html"],
        "cannot write",
    );
    assert_bad_input(
        &[
            "sleep",
            "--model",
            "loop",
            "--trace",
            "/nonexistent-dir/t.json",
        ],
        "cannot write",
    );
    // Two models cannot share one trace file.
    assert_bad_input(&["sleep", "--trace", "t.json"], "one model");
}

#[test]
fn explicit_values_beat_quick_presets() {
    let json = demo_json(&[
        "cpu",
        "--quick",
        "--iterations",
        "4000",
        "--repetitions",
        "1",
        "--json",
    ]);
    assert_eq!(json["iterations"], 4000, "{json}");
    assert_eq!(json["repetitions"], 1, "{json}");
    let json = demo_json(&[
        "switch",
        "--quick",
        "--rounds",
        "10",
        "--repetitions",
        "1",
        "--json",
    ]);
    assert_eq!(json["rounds"], 10, "{json}");
    let json = demo_json(&["sleep", "--quick", "--sleeps", "30,10", "--json"]);
    assert_eq!(json["sleeps_ms"], serde_json::json!([30, 10]), "{json}");
    let json = demo_json(&[
        "fetch",
        "--quick",
        "--requests",
        "5",
        "--latency",
        "5ms",
        "--json",
    ]);
    assert_eq!(json["requests"], 5, "{json}");
    assert_eq!(json["latency_ms"].as_f64(), Some(5.0), "{json}");
    assert_eq!(
        json["concurrency"], 10,
        "the quick preset where none is given"
    );
    let json = demo_json(&[
        "load",
        "--quick",
        "--connections",
        "3",
        "--duration",
        "200ms",
        "--model",
        "loop",
        "--json",
    ]);
    assert_eq!(json["connections"], 3, "{json}");
    assert_eq!(json["duration_ms"].as_f64(), Some(200.0), "{json}");
}

#[test]
fn the_sleeps_take_the_form_the_help_shows() {
    let out = demo_ok(&["sleep", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("[default: 2000,1000; quick: 300,100]"),
        "{help}"
    );
    // Both spellings parse.
    for args in [
        &["sleep", "--model", "loop", "--sleeps", "30,10", "--json"][..],
        &["sleep", "--model", "loop", "--sleeps", "30", "10", "--json"],
    ] {
        assert_eq!(demo_json(args)["sleeps_ms"], serde_json::json!([30, 10]));
    }
}

#[test]
fn check_turns_a_claim_not_confirmed_into_exit_1() {
    // 40 connections under a limit of 64 never hit EMFILE: the claim is
    // not demonstrated, deterministically.
    let args = [
        "files",
        "--model",
        "loop",
        "--files",
        "10",
        "--connections",
        "40",
        "--limit",
        "64",
        "--permits",
        "16",
        "--json",
    ];
    let out = demo(&args);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "it ran: exit 0\n{text}");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(holds(&json), ["no"], "{text}");
    assert!(
        json["verdicts"][0]["detail"]
            .as_str()
            .unwrap_or("")
            .contains("never hit")
    );
    let with_check: Vec<&str> = args.iter().copied().chain(["--check"]).collect();
    assert_eq!(demo(&with_check).status.code(), Some(1));
}

#[test]
fn check_passes_a_confirmed_claim_and_one_not_run() {
    // Deterministic checks: every error surfaces as expected.
    let out = demo(&["errors", "--quick", "--model", "loop", "--check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // One model of a comparison: "not run", which --check lets pass.
    let args = [
        "switch",
        "--model",
        "loop",
        "--rounds",
        "100",
        "--repetitions",
        "1",
        "--json",
        "--check",
    ];
    let out = demo(&args);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(holds(&json), ["not run"], "{json}");
}

#[test]
fn a_closed_stdout_ends_the_demo_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_demo"))
        .args(["sleep", "--model", "loop", "--sleeps", "20,10"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the demo binary runs");
    drop(child.stdout.take()); // `| head -0`: the reader is gone
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.contains("Broken pipe"), "{err}");
    assert!(
        out.status.signal() == Some(libc_sigpipe()) || out.status.success(),
        "ended by {:?}: {err}",
        out.status
    );
}

/// SIGPIPE's number on Linux.
fn libc_sigpipe() -> i32 {
    13
}
