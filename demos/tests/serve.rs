//! `demo serve` on both models: 200 and keep-alive for good requests, 400
//! and 413 for bad ones, 503 over the connection cap, and a clear exit 2
//! when the port is taken.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `demo serve`, killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(model: &str, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_demo"))
            .args(["serve", "--model", model, "--port", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start demo serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the listening line");
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        Server { child, addr }
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(&self.addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads one response (head + Content-Length body): its status and body.
fn read_response(s: &mut TcpStream) -> (u16, String) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let status: u16 = head[9..12].parse().expect("status");
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .and_then(|v| v.trim().parse().ok())
                .expect("Content-Length");
            while buf.len() < end + 4 + len {
                let n = s.read(&mut chunk).expect("read body");
                assert!(n > 0, "closed inside the body");
                buf.extend_from_slice(&chunk[..n]);
            }
            let body = String::from_utf8_lossy(&buf[end + 4..end + 4 + len]).to_string();
            return (status, body);
        }
        let n = s.read(&mut chunk).expect("read head");
        assert!(
            n > 0,
            "closed before a response: {:?}",
            String::from_utf8_lossy(&buf)
        );
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Whether the server closed the connection (EOF, or a reset).
fn closed(s: &mut TcpStream) -> bool {
    let mut byte = [0u8; 1];
    matches!(s.read(&mut byte), Ok(0) | Err(_))
}

fn good_requests_get_200_with_keep_alive(model: &str) {
    let server = Server::start(model, &[]);
    let mut s = server.connect();
    for _ in 0..3 {
        s.write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
        assert_eq!(read_response(&mut s), (200, "hello\n".to_string()));
    }
    // A body is read by Content-Length, and Connection: close is honoured.
    s.write_all(b"POST /x HTTP/1.1\r\nContent-Length: 4\r\nConnection: close\r\n\r\nabcd")
        .unwrap();
    assert_eq!(read_response(&mut s).0, 200);
    assert!(closed(&mut s));
}

fn bad_requests_get_4xx_and_a_close(model: &str) {
    let server = Server::start(model, &[]);
    let mut s = server.connect();
    s.write_all(b"garbage\r\n\r\n").unwrap();
    assert_eq!(read_response(&mut s).0, 400);
    assert!(closed(&mut s));

    let mut s = server.connect();
    let mut big = b"GET / HTTP/1.1\r\n".to_vec();
    while big.len() < 20 * 1024 {
        big.extend_from_slice(b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
    }
    // The server may answer and close before it has read everything.
    let _ = s.write_all(&big);
    assert_eq!(read_response(&mut s).0, 413);

    // The server is still fine.
    let mut s = server.connect();
    s.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(read_response(&mut s).0, 200);
}

fn over_the_cap_gets_503(model: &str) {
    let server = Server::start(model, &["--max-conns", "1"]);
    let mut first = server.connect();
    first.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(read_response(&mut first).0, 200); // it is being served
    let mut second = server.connect();
    assert_eq!(read_response(&mut second).0, 503);
    assert!(closed(&mut second));
    // The first connection is unaffected.
    first.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(read_response(&mut first).0, 200);
}

#[test]
fn loop_serves_good_requests_with_keep_alive() {
    good_requests_get_200_with_keep_alive("loop");
}

#[test]
fn threads_serve_good_requests_with_keep_alive() {
    good_requests_get_200_with_keep_alive("threads");
}

#[test]
fn loop_answers_bad_requests() {
    bad_requests_get_4xx_and_a_close("loop");
}

#[test]
fn threads_answer_bad_requests() {
    bad_requests_get_4xx_and_a_close("threads");
}

#[test]
fn loop_refuses_over_the_cap() {
    over_the_cap_gets_503("loop");
}

#[test]
fn threads_refuse_over_the_cap() {
    over_the_cap_gets_503("threads");
}

#[test]
fn a_port_in_use_is_a_clear_error_and_exit_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    for model in ["loop", "threads"] {
        let out = Command::new(env!("CARGO_BIN_EXE_demo"))
            .args(["serve", "--model", model, "--port", &port])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{model}: {err}");
        assert!(
            err.contains("cannot listen on 127.0.0.1:"),
            "{model}: {err}"
        );
        assert!(!err.contains("panicked"), "{model}: {err}");
    }
}

#[test]
fn both_models_at_once_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_demo"))
        .args(["serve", "--model", "both", "--port", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("one model"));
}

#[test]
fn for_ends_the_server_by_itself() {
    for model in ["loop", "threads"] {
        let out = Command::new(env!("CARGO_BIN_EXE_demo"))
            .args(["serve", "--model", model, "--port", "0", "--for", "200ms"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{model}: {text}");
        assert!(text.contains("served 0 requests"), "{model}: {text}");
    }
}
