//! `demo serve`: a minimal HTTP/1.1 server on either model (`support/http/` parses
//! the requests).
//!
//! Loop: one `runtime` task per connection on one thread; with `--workers
//! N`, N such loops, each on its own thread with its own listener on the
//! same port (`SO_REUSEPORT`: the kernel spreads the connections over the
//! listeners), the way nginx and thread-per-core runtimes scale a
//! single-threaded loop (`event_loop.rs`). Threads: one OS thread per
//! connection (`runtime::threaded`), blocking reads and writes
//! (`thread_conn.rs`).
//! Both answer `200 hello` with `Content-Length` and keep the connection
//! for more requests (HTTP/1.1 keep-alive), answer a bad request with its
//! status (400, 413, 501, 505) and close, and answer a connection over
//! `--max-conns` with 503 and close. `--latency` delays every response (a
//! backend's think time, for `demo fetch`: I/O the handler awaits).
//! `GET /cpu?iters=N` is CPU-bound instead: N steps of the hash chain of
//! `workloads/cpu.rs` before the answer, in the connection's task (it
//! holds its loop: head-of-line blocking) or, with `--offload`, on the
//! loop's blocking pool (`spawn_blocking`); on threads, in the
//! connection's thread, which the kernel preempts like any other.
//!
//! Slow clients cannot hold a slot forever: a request head due within
//! `--header-timeout`, a body within `--body-timeout` (else 408 and close),
//! and the next request on a keep-alive connection within `--idle-timeout`
//! (else a silent close). What a connection does next, timeouts included,
//! is decided in one place for both models: [`conn`].

mod conn;
mod event_loop;
mod thread_conn;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use clap::Args as ClapArgs;

use crate::support::child::report_line;
use crate::support::cli::{parse_duration, positive_usize};
use conn::Timeouts;

/// The model a server runs: one, so `both` is not offered.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerModel {
    /// The single-threaded event loop (`runtime`).
    Loop,
    /// One OS thread per connection (`runtime::threaded`).
    Threads,
}

impl From<ServerModel> for crate::support::cli::Model {
    fn from(model: ServerModel) -> crate::support::cli::Model {
        match model {
            ServerModel::Loop => crate::support::cli::Model::Loop,
            ServerModel::Threads => crate::support::cli::Model::Threads,
        }
    }
}

/// Arguments of `demo serve`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Which model serves (a server runs one).
    #[arg(long, value_enum, default_value = "loop")]
    pub(crate) model: ServerModel,
    /// The port on 127.0.0.1 (0: any free port, printed at start).
    #[arg(long, default_value_t = 8080)]
    pub(crate) port: u16,
    /// Connections served at once; more get a 503.
    #[arg(long, default_value_t = 1000)]
    pub(crate) max_conns: usize,
    /// A delay before every response (e.g. 50ms).
    #[arg(long, value_parser = parse_duration, default_value = "0")]
    pub(crate) latency: Duration,
    /// Stop after this long (default: run until killed).
    #[arg(long = "for", value_parser = parse_duration)]
    pub(crate) run_for: Option<Duration>,
    /// A request head (request line and headers) must arrive whole within
    /// this, counted from the accept (first request) or from its first byte
    /// (later ones); else 408 and close: cuts slowloris clients. A new
    /// connection that sends nothing by then is closed without a response.
    #[arg(long, value_parser = parse_timeout, default_value = "30s")]
    pub(crate) header_timeout: Duration,
    /// A keep-alive connection with no new request within this after a
    /// response is closed (without a response).
    #[arg(long, value_parser = parse_timeout, default_value = "30s")]
    pub(crate) idle_timeout: Duration,
    /// A request body must arrive whole within this after its head; else
    /// 408 and close.
    #[arg(long, value_parser = parse_timeout, default_value = "60s")]
    pub(crate) body_timeout: Duration,
    /// Event loops, each on its own thread with its own listener on the
    /// port (SO_REUSEPORT); loop model only. --max-conns is for all of
    /// them together.
    #[arg(long, value_parser = positive_usize, default_value_t = 1)]
    pub(crate) workers: usize,
    /// Loop model: run the CPU work of `/cpu` requests on the blocking
    /// pool (spawn_blocking, at most one pool thread per core) instead of
    /// in the connection's task.
    #[arg(long)]
    pub(crate) offload: bool,
}

impl Args {
    fn timeouts(&self) -> Timeouts {
        Timeouts {
            header: self.header_timeout,
            idle: self.idle_timeout,
            body: self.body_timeout,
        }
    }
}

/// A duration as [`parse_duration`] reads it, above zero (a zero
/// timeout would cut every connection at once).
fn parse_timeout(text: &str) -> Result<Duration, String> {
    match parse_duration(text)? {
        d if d.is_zero() => Err(format!(
            "{text:?}: a timeout must be above 0 (e.g. 300ms, 30s)"
        )),
        d => Ok(d),
    }
}

/// The body of every 200.
const BODY: &[u8] = b"hello\n";
/// After a bad request: how long, and how many bytes, to keep reading
/// (and discarding) before closing.
const LINGER: Duration = Duration::from_secs(1);
const LINGER_BYTES: usize = 256 * 1024;

/// What a server counted.
#[derive(Default)]
struct Counts {
    /// Connections accepted by each event loop (`--workers`).
    per_loop: Vec<AtomicU64>,
    connections: AtomicU64,
    requests: AtomicU64,
    refused: AtomicU64,
    bad: AtomicU64,
    /// Heads and bodies too slow: answered 408.
    timed_out: AtomicU64,
    /// Connections closed idle (no request byte in time).
    idle_closed: AtomicU64,
}

/// Runs the demo; returns the process exit code.
pub fn run(args: &Args) -> i32 {
    if args.max_conns == 0 {
        eprintln!("demo serve: --max-conns must be at least 1");
        return 2;
    }
    if args.model == ServerModel::Threads && (args.workers > 1 || args.offload) {
        eprintln!(
            "demo serve: --workers and --offload are for the loop model (a thread server already runs a thread per connection)"
        );
        return 2;
    }
    let counts = Arc::new(Counts {
        per_loop: (0..args.workers).map(|_| AtomicU64::new(0)).collect(),
        ..Counts::default()
    });
    let result = match args.model {
        ServerModel::Loop => event_loop::serve(args, &counts),
        ServerModel::Threads => thread_conn::serve(args, &counts),
    };
    match result {
        Ok(()) => {
            let per_loop: Vec<String> = counts
                .per_loop
                .iter()
                .map(|n| n.load(Ordering::SeqCst).to_string())
                .collect();
            if args.workers > 1 {
                println!("connections per event loop: {}", per_loop.join(", "));
            }
            println!(
                "served {} requests on {} connections ({} refused over the cap, {} bad requests, \
                 {} too slow (408), {} closed idle)",
                counts.requests.load(Ordering::SeqCst),
                counts.connections.load(Ordering::SeqCst),
                counts.refused.load(Ordering::SeqCst),
                counts.bad.load(Ordering::SeqCst),
                counts.timed_out.load(Ordering::SeqCst),
                counts.idle_closed.load(Ordering::SeqCst),
            );
            0
        }
        // The demo's one exit-code rule (`demo --help`): the arguments were
        // fine, the server could not run (a port in use, no runtime).
        Err(e) => {
            eprintln!("demo serve: {e}");
            1
        }
    }
}

/// Prints the line the demos that start a server wait for.
fn announce(addr: SocketAddr) {
    report_line(&format!("listening on http://{addr}"));
}

/// The message when the port cannot be had.
fn cannot_listen(port: u16, e: &std::io::Error) -> String {
    format!("cannot listen on 127.0.0.1:{port}: {e}")
}
