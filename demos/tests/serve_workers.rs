//! `demo serve --workers N`: N event loops, each with its own listener on
//! the same port (SO_REUSEPORT), sharing the connections; `/cpu?iters=N`
//! answered after CPU work (inline or `--offload`), a bad count with 400;
//! `--workers` refused on the thread model; `load --workers 2` counts two
//! loop threads in the server.

mod common;
#[path = "common/http.rs"]
mod http;

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

/// Sends `GET target` on `s` (keep-alive) and returns the status.
fn get(s: &mut TcpStream, target: &str) -> u16 {
    s.write_all(format!("GET {target} HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes())
        .expect("write");
    http::read_response(s).0
}

fn two_loops_share_the_port(extra: &[&str]) {
    let mut server = Command::new(env!("CARGO_BIN_EXE_demo"))
        .args([
            "serve",
            "--model",
            "loop",
            "--workers",
            "2",
            "--port",
            "0",
            "--for",
            "3s",
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start demo serve");
    let mut out = BufReader::new(server.stdout.take().expect("stdout"));
    let addr = http::listening_addr(&mut out);
    for _ in 0..8 {
        let mut s = http::connect(&addr);
        assert_eq!(get(&mut s, "/"), 200);
        assert_eq!(get(&mut s, "/cpu?iters=1000"), 200);
    }
    let mut s = http::connect(&addr);
    assert_eq!(get(&mut s, "/cpu?iters=0"), 400);
    drop(s);
    let mut rest = String::new();
    out.read_to_string(&mut rest)
        .expect("the server's last lines");
    assert!(server.wait().expect("exit").success(), "{rest}");
    let per_loop: Vec<u64> = rest
        .lines()
        .find_map(|l| l.strip_prefix("connections per event loop: "))
        .unwrap_or_else(|| panic!("no per-loop counts in {rest:?}"))
        .split(", ")
        .map(|n| n.parse().expect("a count"))
        .collect();
    assert_eq!(per_loop.len(), 2, "{rest}");
    assert_eq!(per_loop.iter().sum::<u64>(), 9, "{rest}");
    assert!(
        rest.contains("served 16 requests on 9 connections"),
        "{rest}"
    );
}

#[test]
fn two_loops_share_one_port_and_answer_cpu_requests() {
    two_loops_share_the_port(&[]);
}

#[test]
fn offloaded_cpu_requests_are_answered_too() {
    two_loops_share_the_port(&["--offload"]);
}

#[test]
fn workers_and_offload_are_for_the_loop_only() {
    let out = common::demo(&[
        "serve",
        "--model",
        "threads",
        "--workers",
        "2",
        "--port",
        "0",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("loop model"));
    common::assert_bad_input(&["serve", "--workers", "0"], "must be at least 1");
}

#[test]
fn load_counts_two_loop_threads_in_a_two_loop_server() {
    let out = common::demo_ok(&[
        "load",
        "--model",
        "loop",
        "--workers",
        "2",
        "--connections",
        "4",
        "--duration",
        "300ms",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("claim: 2 event-loop threads (serve --workers 2) serve 4 keep-alive connections -> yes: 2 thread(s)"),
        "{text}"
    );
    common::assert_bad_input(
        &["load", "--model", "threads", "--workers", "2"],
        "event loops",
    );
    common::assert_bad_input(&["load", "--path", "no-slash"], "starts with /");
}
