//! `demo serve` on both models: 200 and keep-alive for good requests, 400
//! and 413 for bad ones, 503 over the connection cap, 408 for heads and
//! bodies that come too slowly, a silent close of idle connections, and a
//! clear exit 2 when the port is taken or a flag is bad.
//!
//! The timeout tests run the server with short real timeouts (300 ms to
//! 1 s) and assert only loose bounds: a cut never comes before its timeout
//! (counted from a moment the server's own clock cannot precede) and comes
//! within 10 times it.

#[path = "common/http.rs"]
mod http;

use std::io::{BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use http::{read_response, read_retrying};

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
        let addr = http::listening_addr(&mut BufReader::new(stdout));
        Server { child, addr }
    }

    fn connect(&self) -> TcpStream {
        http::connect(&self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether the server closed the connection (EOF, or a reset).
fn closed(s: &mut TcpStream) -> bool {
    let mut byte = [0u8; 1];
    matches!(read_retrying(s, &mut byte), Ok(0) | Err(_))
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
fn a_port_in_use_is_a_clear_error_and_exit_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    for model in ["loop", "threads"] {
        let out = Command::new(env!("CARGO_BIN_EXE_demo"))
            .args(["serve", "--model", model, "--port", &port])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        // The arguments were fine; the server could not run (demo --help).
        assert_eq!(out.status.code(), Some(1), "{model}: {err}");
        assert!(
            err.contains("cannot listen on 127.0.0.1:"),
            "{model}: {err}"
        );
        assert!(!err.contains("panicked"), "{model}: {err}");
    }
}

#[test]
fn both_models_at_once_is_refused_and_not_offered() {
    let out = Command::new(env!("CARGO_BIN_EXE_demo"))
        .args(["serve", "--model", "both", "--port", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("possible values: loop, threads"), "{err}");
    let help = Command::new(env!("CARGO_BIN_EXE_demo"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("- loop:") && help.contains("- threads:"),
        "{help}"
    );
    assert!(!help.contains("- both"), "{help}");
}

#[test]
fn every_response_names_the_model_that_served_it() {
    for model in ["loop", "threads"] {
        let server = Server::start(model, &[]);
        let mut conn = server.connect();
        conn.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut reply = String::new();
        conn.read_to_string(&mut reply).unwrap();
        assert!(
            reply.contains(&format!("X-Model: {model}\r\n")),
            "{model}: {reply}"
        );
    }
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

/// What a slow client saw.
#[derive(Debug)]
struct Cut {
    /// Bytes it sent before the server answered or closed.
    sent: usize,
    /// The answer's status; `None`: closed without one.
    status: Option<u16>,
    /// When, from `start`.
    after: Duration,
}

/// Sends `bytes` one at a time, one every `every`, watching between bytes
/// for the server's answer or close; if all were sent, waits for either.
/// `start`: taken before whatever starts the server's deadline (the
/// connect, the head), so that the server's clock cannot start earlier.
fn trickle(s: &mut TcpStream, start: Instant, bytes: &[u8], every: Duration) -> Cut {
    let mut sent = 0;
    let mut byte = [0u8; 1];
    while sent < bytes.len() {
        if s.write_all(&bytes[sent..=sent]).is_err() {
            break; // closed by the server: its answer may still be readable
        }
        sent += 1;
        s.set_read_timeout(Some(every)).unwrap();
        match s.peek(&mut byte) {
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) => {}
            _ => break, // bytes, EOF or a reset
        }
    }
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let peeked = loop {
        match s.peek(&mut byte) {
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            other => break other,
        }
    };
    let status = match peeked {
        Ok(n) if n > 0 => Some(read_response(s).0),
        _ => None,
    };
    Cut {
        sent,
        status,
        after: start.elapsed(),
    }
}

/// Whether `after` is past `timeout` and within 10 times it.
fn within(after: Duration, timeout: Duration) -> bool {
    after >= timeout && after < timeout * 10
}

/// Reads until the server closes: the bytes it sent before, and when.
fn until_closed(s: &mut TcpStream, start: Instant) -> (Vec<u8>, Duration) {
    let mut got = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        match read_retrying(s, &mut chunk) {
            Ok(0) => return (got, start.elapsed()),
            Ok(n) => got.extend_from_slice(&chunk[..n]),
            Err(e) => panic!("not closed (or reset) after {:?}: {e}", start.elapsed()),
        }
    }
}

const MS300: Duration = Duration::from_millis(300);
const SLOW_HEAD: &[u8] =
    b"GET / HTTP/1.1\r\nHost: example.test\r\nUser-Agent: one byte every 50 ms\r\n\r\n";

fn slow_heads_get_408_and_silent_ones_a_close(model: &str) {
    let server = Server::start(model, &["--header-timeout", "300ms"]);
    // A slowloris: each byte arrives well within 300 ms of the previous one;
    // the whole head would take 3.5 s.
    let start = Instant::now();
    let mut s = server.connect();
    let cut = trickle(&mut s, start, SLOW_HEAD, Duration::from_millis(50));
    assert_eq!(cut.status, Some(408), "{cut:?}");
    assert!(cut.sent < SLOW_HEAD.len(), "{cut:?}");
    assert!(within(cut.after, MS300), "{cut:?}");
    assert!(closed(&mut s));

    // A connection that sends nothing is closed at the same deadline, with
    // no response.
    let start = Instant::now();
    let mut s = server.connect();
    let (got, after) = until_closed(&mut s, start);
    assert!(got.is_empty(), "{:?}", String::from_utf8_lossy(&got));
    assert!(within(after, MS300), "{after:?}");

    // The server is still fine, and a head that comes whole is served.
    let mut s = server.connect();
    s.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(read_response(&mut s).0, 200);
}

fn idle_keep_alive_is_closed_and_busy_keep_alive_is_not(model: &str) {
    let idle = Duration::from_secs(1);
    let server = Server::start(model, &["--idle-timeout", "1s"]);
    let mut s = server.connect();
    // Requests 300 ms apart, 1.5 s in all: each restarts the idle wait.
    let start = Instant::now();
    for _ in 0..5 {
        s.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
        assert_eq!(read_response(&mut s).0, 200);
        std::thread::sleep(MS300);
    }
    assert!(start.elapsed() > idle);
    // Then nothing: closed without a word, not before `idle` after the
    // last request was sent.
    let sent = Instant::now();
    s.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(read_response(&mut s).0, 200);
    let (got, after) = until_closed(&mut s, sent);
    assert!(got.is_empty(), "{:?}", String::from_utf8_lossy(&got));
    assert!(within(after, idle), "{after:?}");
}

fn slow_bodies_get_408(model: &str) {
    let server = Server::start(model, &["--body-timeout", "300ms"]);
    let mut s = server.connect();
    let start = Instant::now();
    s.write_all(b"POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n")
        .unwrap();
    let cut = trickle(&mut s, start, &[b'a'; 100], Duration::from_millis(50));
    assert_eq!(cut.status, Some(408), "{cut:?}");
    assert!(cut.sent < 100, "{cut:?}");
    assert!(within(cut.after, MS300), "{cut:?}");
    assert!(closed(&mut s));
}

fn slow_clients_over_the_cap_are_cut_and_free_their_slots(model: &str) {
    let timeout = Duration::from_secs(1);
    let server = Server::start(model, &["--max-conns", "2", "--header-timeout", "1s"]);
    let start = Instant::now();
    let mut slow: Vec<TcpStream> = (0..2).map(|_| server.connect()).collect();
    for s in &mut slow {
        s.write_all(b"GET / HTTP/1.1\r\nHost: ").unwrap();
    }
    // Both slots are held: a normal client is refused.
    let mut normal = server.connect();
    normal.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    assert_eq!(read_response(&mut normal).0, 503);
    // The slow ones are cut...
    for s in &mut slow {
        assert_eq!(read_response(s).0, 408);
        assert!(closed(s));
    }
    assert!(within(start.elapsed(), timeout), "{:?}", start.elapsed());
    drop(slow);
    // ...and a normal client is served once their slots are free (the
    // server frees a slot when the lingering close ends: retry a while).
    let give_up = Instant::now() + Duration::from_secs(10);
    loop {
        let mut normal = server.connect();
        normal.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
        match read_response(&mut normal).0 {
            200 => break,
            503 if Instant::now() < give_up => std::thread::sleep(Duration::from_millis(20)),
            other => panic!("{other} after {:?}", start.elapsed()),
        }
    }
}

#[test]
fn loop_cuts_slow_heads() {
    slow_heads_get_408_and_silent_ones_a_close("loop");
}

#[test]
fn threads_cut_slow_heads() {
    slow_heads_get_408_and_silent_ones_a_close("threads");
}

#[test]
fn loop_closes_idle_keep_alive() {
    idle_keep_alive_is_closed_and_busy_keep_alive_is_not("loop");
}

#[test]
fn threads_close_idle_keep_alive() {
    idle_keep_alive_is_closed_and_busy_keep_alive_is_not("threads");
}

#[test]
fn loop_cuts_slow_bodies() {
    slow_bodies_get_408("loop");
}

#[test]
fn threads_cut_slow_bodies() {
    slow_bodies_get_408("threads");
}

#[test]
fn loop_frees_slots_held_by_slow_clients() {
    slow_clients_over_the_cap_are_cut_and_free_their_slots("loop");
}

#[test]
fn threads_free_slots_held_by_slow_clients() {
    slow_clients_over_the_cap_are_cut_and_free_their_slots("threads");
}

#[test]
fn zero_or_garbage_timeouts_are_refused_with_exit_2() {
    for (flag, value, says) in [
        ("--header-timeout", "0", "above 0"),
        ("--idle-timeout", "0ms", "above 0"),
        ("--body-timeout", "soon", "not a duration"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_demo"))
            .args(["serve", "--port", "0", flag, value])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}: {err}");
        assert!(
            err.contains(flag) && err.contains(says),
            "{flag} {value}: {err}"
        );
    }
}
