//! `demo serve`: a minimal HTTP/1.1 server on either model (`support/http/` parses
//! the requests).
//!
//! Loop: one `runtime` task per connection on one thread. Threads: one OS
//! thread per connection (`runtime::threaded`), blocking reads and writes.
//! Both answer `200 hello` with `Content-Length` and keep the connection
//! for more requests (HTTP/1.1 keep-alive), answer a bad request with its
//! status (400, 413, 501, 505) and close, and answer a connection over
//! `--max-conns` with 503 and close. `--latency` delays every response (a
//! backend's think time, for `demo fetch`).
//!
//! Slow clients cannot hold a slot forever: a request head due within
//! `--header-timeout`, a body within `--body-timeout` (else 408 and close),
//! and the next request on a keep-alive connection within `--idle-timeout`
//! (else a silent close). What a connection does next, timeouts included,
//! is decided in one place for both models: [`conn`].

mod conn;

use std::cell::Cell;
use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::Args as ClapArgs;

use crate::support::child::report_line;
use crate::support::cli::parse_duration;
use crate::support::http::{self, Status};
use conn::{After, Conn, Step, Timeouts};

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
    let counts = Arc::new(Counts::default());
    let result = match args.model {
        ServerModel::Loop => serve_loop(args, &counts),
        ServerModel::Threads => serve_threads(args, &counts),
    };
    match result {
        Ok(()) => {
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

fn announce(addr: SocketAddr) {
    report_line(&format!("listening on http://{addr}"));
}

fn cannot_listen(port: u16, e: &std::io::Error) -> String {
    format!("cannot listen on 127.0.0.1:{port}: {e}")
}

/// The event loop: an accept loop spawning one task per connection.
fn serve_loop(args: &Args, counts: &Arc<Counts>) -> Result<(), String> {
    let rt = runtime::Runtime::new().map_err(|e| format!("cannot start the runtime: {e}"))?;
    rt.block_on(async {
        let listener = runtime::net::TcpListener::bind(("127.0.0.1", args.port))
            .map_err(|e| cannot_listen(args.port, &e))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        announce(addr);
        let active = Rc::new(Cell::new(0usize));
        let accept_loop = async {
            loop {
                let (mut stream, _) = match listener.accept().await {
                    Ok(conn) => conn,
                    Err(e) => {
                        // EMFILE and friends: say so, let descriptors free up.
                        eprintln!("demo serve: accept: {e}");
                        runtime::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                };
                counts.connections.fetch_add(1, Ordering::Relaxed);
                if active.get() >= args.max_conns {
                    counts.refused.fetch_add(1, Ordering::Relaxed);
                    runtime::spawn(async move {
                        let reply = http::response(Status::UNAVAILABLE, b"busy\n", false, "loop");
                        let _ = stream.write_all(&reply).await;
                    });
                    continue;
                }
                active.set(active.get() + 1);
                let conn = Conn::new(
                    args.timeouts(),
                    runtime::time::Instant::now().into_std(),
                    "loop",
                );
                let (active, counts, latency) = (active.clone(), counts.clone(), args.latency);
                runtime::spawn(async move {
                    let _ = connection_loop(stream, conn, latency, &counts).await;
                    active.set(active.get() - 1);
                });
            }
        };
        match args.run_for {
            Some(d) => {
                let _ = runtime::time::timeout(d, accept_loop).await;
            }
            None => accept_loop.await,
        }
        Ok(())
    })
}

/// One connection on the loop: the steps [`Conn`] gives, a read waiting
/// until its deadline at most (`timeout_at`, a timer in the wheel).
async fn connection_loop(
    mut stream: runtime::net::TcpStream,
    mut conn: Conn,
    latency: Duration,
    counts: &Counts,
) -> std::io::Result<()> {
    let mut buf = vec![0u8; 4096];
    loop {
        let now = runtime::time::Instant::now().into_std();
        let (reply, delayed, then) = match conn.next_step(now, counts) {
            Step::Read { deadline } => {
                let deadline = runtime::time::Instant::from_std(deadline);
                // Nothing by the deadline: ask `conn` again, it decides.
                if let Ok(read) = runtime::time::timeout_at(deadline, stream.read(&mut buf)).await {
                    match read? {
                        0 => return Ok(()), // the client closed
                        n => conn.feed(&buf[..n]),
                    }
                }
                continue;
            }
            Step::Close => return Ok(()),
            Step::Reply {
                reply,
                delayed,
                then,
            } => (reply, delayed, then),
        };
        if delayed && !latency.is_zero() {
            runtime::time::sleep(latency).await;
        }
        stream.write_all(&reply).await?;
        match then {
            After::Continue => {}
            After::Close => return Ok(()),
            After::Linger => {
                stream.shutdown(std::net::Shutdown::Write)?;
                let _ = runtime::time::timeout(LINGER, async {
                    let mut left = LINGER_BYTES;
                    while left > 0 {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => left = left.saturating_sub(n),
                        }
                    }
                })
                .await;
                return Ok(());
            }
        }
    }
}

/// Thread per connection: the accept loop runs on its own thread so that
/// `--for` can end the process from this one.
fn serve_threads(args: &Args, counts: &Arc<Counts>) -> Result<(), String> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", args.port))
        .map_err(|e| cannot_listen(args.port, &e))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    announce(addr);
    let (max, latency, counts_in) = (args.max_conns, args.latency, counts.clone());
    let timeouts = args.timeouts();
    let acceptor = runtime::threaded::Builder::new()
        .name("accept")
        .spawn(move || accept_threads(&listener, max, latency, timeouts, &counts_in))
        .map_err(|e| format!("cannot start the accept thread: {e}"))?;
    match args.run_for {
        Some(d) => std::thread::sleep(d), // the process exits after, with the acceptor
        None => {
            let _ = acceptor.join();
        }
    }
    Ok(())
}

fn accept_threads(
    listener: &std::net::TcpListener,
    max: usize,
    latency: Duration,
    timeouts: Timeouts,
    counts: &Arc<Counts>,
) {
    let active = Arc::new(AtomicUsize::new(0));
    loop {
        let mut stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) => {
                eprintln!("demo serve: accept: {e}");
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        counts.connections.fetch_add(1, Ordering::Relaxed);
        if active.load(Ordering::SeqCst) >= max {
            counts.refused.fetch_add(1, Ordering::Relaxed);
            // A few bytes into a fresh socket's buffer: this does not block.
            let _ = stream.write_all(&http::response(
                Status::UNAVAILABLE,
                b"busy\n",
                false,
                "threads",
            ));
            continue;
        }
        active.fetch_add(1, Ordering::SeqCst);
        let conn = Conn::new(timeouts, Instant::now(), "threads");
        let (active_in, counts_in) = (active.clone(), counts.clone());
        let spawned = runtime::threaded::Builder::new()
            .name("conn")
            .stack_size(64 * 1024)
            .spawn(move || {
                let _ = connection_thread(stream, conn, latency, &counts_in);
                active_in.fetch_sub(1, Ordering::SeqCst);
            });
        if let Err(e) = spawned {
            // The stream went with the closure and is closed: the client
            // sees a reset. Say why.
            active.fetch_sub(1, Ordering::SeqCst);
            counts.refused.fetch_add(1, Ordering::Relaxed);
            eprintln!("demo serve: cannot start a connection thread: {e}");
        }
    }
}

/// One connection on its own thread, with blocking calls: the steps
/// [`Conn`] gives, each read bounded by `SO_RCVTIMEO` (see [`read_until`]).
fn connection_thread(
    mut stream: std::net::TcpStream,
    mut conn: Conn,
    latency: Duration,
    counts: &Counts,
) -> std::io::Result<()> {
    let mut buf = vec![0u8; 4096];
    loop {
        let (reply, delayed, then) = match conn.next_step(Instant::now(), counts) {
            Step::Read { deadline } => {
                // Nothing by the deadline: ask `conn` again, it decides.
                match read_until(&mut stream, &mut buf, deadline)? {
                    Some(0) => return Ok(()),
                    Some(n) => conn.feed(&buf[..n]),
                    None => {}
                }
                continue;
            }
            Step::Close => return Ok(()),
            Step::Reply {
                reply,
                delayed,
                then,
            } => (reply, delayed, then),
        };
        if delayed && !latency.is_zero() {
            std::thread::sleep(latency);
        }
        stream.write_all(&reply)?;
        match then {
            After::Continue => {}
            After::Close => return Ok(()),
            After::Linger => {
                stream.shutdown(std::net::Shutdown::Write)?;
                stream.set_read_timeout(Some(LINGER))?;
                let mut left = LINGER_BYTES;
                while left > 0 {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => left = left.saturating_sub(n),
                    }
                }
                return Ok(());
            }
        }
    }
}

/// A blocking `read(2)` that gives up at `deadline`: `SO_RCVTIMEO` set to
/// the time left (`setsockopt(2)` before every read, as the deadline is for
/// a whole head or body, not for one read). `None`: no bytes by then.
fn read_until(
    stream: &mut std::net::TcpStream,
    buf: &mut [u8],
    deadline: Instant,
) -> std::io::Result<Option<usize>> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(None); // and `set_read_timeout` refuses a zero
        }
        stream.set_read_timeout(Some(left))?;
        match stream.read(buf) {
            Ok(n) => return Ok(Some(n)),
            // EAGAIN when SO_RCVTIMEO expired (WouldBlock; TimedOut on some
            // systems), EINTR: check the time again.
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) => {}
            Err(e) => return Err(e),
        }
    }
}
