//! `runtime/examples/hyper_server.rs` does what README ("What is here") and
//! DESIGN.md ("Coming from tokio") say: started on a free port it prints
//! `listening on http://ADDR`, answers a `GET` from a plain TCP client (as
//! `curl` would send it) with `200`, `hello` and `X-Model: loop`, and
//! `demo load --addr ADDR` loads it without an error and reads its model
//! from that header.
//!
//! The example is a target of the `runtime` package (feature `hyper`), not
//! of this one: the test asks cargo for it (`cargo build --workspace
//! --example hyper_server`, the workspace's features, as `cargo test
//! --workspace` builds it, so there it is already fresh) and runs the
//! executable cargo names. The server is killed on every path.

mod common;
// Not `read_response`: the test reads the whole response, head included.
#[allow(dead_code)]
#[path = "common/http.rs"]
mod http;

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{OnceLock, mpsc};
use std::time::Duration;

/// How long the server may take to say where it listens.
const STARTUP: Duration = Duration::from_secs(30);

/// The example's executable, built by cargo (once per test process) in
/// the profile this test was built in (the directory the `demo` binary is
/// in: `debug` is cargo's `dev`).
fn example_binary() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(build_example)
}

fn build_example() -> PathBuf {
    let demo = Path::new(env!("CARGO_BIN_EXE_demo"));
    let profile = match demo.parent().and_then(Path::file_name) {
        Some(dir) if dir == "debug" => "dev".to_string(),
        Some(dir) => dir.to_string_lossy().into_owned(),
        None => panic!("the demo binary {} has no directory", demo.display()),
    };
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("demos/ is in the workspace");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(workspace)
        .args(["build", "--workspace", "--example", "hyper_server"])
        .args(["--profile", &profile, "--message-format=json"])
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "cargo build --example hyper_server failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "hyper_server")
        .and_then(|m| m["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo named no hyper_server executable:\n{stdout}"))
}

/// The server, killed and reaped when dropped (on every path, panics
/// included).
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the example on port 0; the server and the address it printed.
fn start() -> (Server, String) {
    let binary = example_binary();
    let mut server = Server(
        Command::new(binary)
            .arg("0")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display())),
    );
    let stdout = server.0.stdout.take().expect("its stdout");
    // Read on a thread, so a server that never prints fails the test
    // instead of hanging it.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(http::listening_addr(&mut BufReader::new(stdout)));
    });
    let addr = rx
        .recv_timeout(STARTUP)
        .unwrap_or_else(|e| panic!("no `listening on` line within {STARTUP:?}: {e}"));
    (server, addr)
}

#[test]
fn the_hyper_example_serves_a_plain_get_and_demo_load() {
    let (server, addr) = start();

    // What `curl http://ADDR/` sends; the server closes after answering.
    let mut s = http::connect(&addr);
    s.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .expect("send the request");
    let mut response = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        match http::read_retrying(&mut s, &mut chunk).expect("read the response") {
            0 => break,
            n => response.extend_from_slice(&chunk[..n]),
        }
    }
    let response = String::from_utf8_lossy(&response);
    let (head, body) = response
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no complete head: {response:?}"));
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{response:?}");
    assert!(
        head.lines()
            .any(|l| l.eq_ignore_ascii_case("x-model: loop")),
        "{response:?}"
    );
    assert_eq!(body, "hello\n", "{response:?}");

    let json = common::demo_json(&[
        "load",
        "--addr",
        &addr,
        "--connections",
        "4",
        "--duration",
        "300ms",
        "--json",
    ]);
    let run = &json["runs"][0];
    assert_eq!(json["runs"].as_array().map(Vec::len), Some(1), "{json}");
    assert_eq!(run["addr"], addr.as_str(), "{json}");
    assert!(run["requests"].as_u64().is_some_and(|n| n > 0), "{json}");
    assert_eq!(run["errors"], 0, "{json}");
    assert_eq!(run["server_says"], "loop", "{json}");
    // The model it says, but a server this demo did not start cannot have
    // its threads counted: that verdict is "not run", not a guess.
    assert!(run["started_model"].is_null(), "{json}");
    drop(server);
}

/// A port that is not a number is refused with exit 2 and says so.
#[test]
fn the_hyper_example_refuses_a_bad_port() {
    let out = Command::new(example_binary())
        .arg("http")
        .output()
        .expect("the example runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("\"http\" is not a port"), "{stderr}");
}
