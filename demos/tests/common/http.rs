//! A client just large enough for the tests of `demo serve` (`serve.rs`,
//! `serve_workers.rs`): the address the server says it listens on, a
//! connection with a read timeout, one response read whole.

use std::io::{BufRead, ErrorKind, Read};
use std::net::TcpStream;
use std::time::Duration;

/// The address of `demo serve`'s first line on `stdout`, `listening on
/// http://<addr>`.
pub fn listening_addr(stdout: &mut impl BufRead) -> String {
    let mut line = String::new();
    stdout
        .read_line(&mut line)
        .expect("read the listening line");
    line.trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string()
}

/// A connection to `addr` whose reads give up after 20 s (a hung server
/// fails the test instead of hanging it).
pub fn connect(addr: &str) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s
}

/// Reads one response (head + Content-Length body): its status and body.
pub fn read_response(s: &mut TcpStream) -> (u16, String) {
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
                let n = read_retrying(s, &mut chunk).expect("read body");
                assert!(n > 0, "closed inside the body");
                buf.extend_from_slice(&chunk[..n]);
            }
            let body = String::from_utf8_lossy(&buf[end + 4..end + 4 + len]).to_string();
            return (status, body);
        }
        let n = read_retrying(s, &mut chunk).expect("read head");
        assert!(
            n > 0,
            "closed before a response: {:?}",
            String::from_utf8_lossy(&buf)
        );
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// `read(2)`, retried when a signal interrupts it (`EINTR`: std does not
/// retry; this test process gets signals, e.g. when a child it spawned
/// exits).
pub fn read_retrying(s: &mut TcpStream, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match s.read(buf) {
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}
