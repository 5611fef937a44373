//! `demo serve`: a minimal HTTP/1.1 server on either model (`http.rs` parses
//! the requests).
//!
//! Loop: one `runtime` task per connection on one thread. Threads: one OS
//! thread per connection (`runtime::threaded`), blocking reads and writes.
//! Both answer `200 hello` with `Content-Length` and keep the connection
//! for more requests (HTTP/1.1 keep-alive), answer a bad request with its
//! status (400, 413, 501, 505) and close, and answer a connection over
//! `--max-conns` with 503 and close. `--latency` delays every response (a
//! backend's think time, for `demo fetch`).

use std::cell::Cell;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use clap::Args as ClapArgs;

use crate::Model;
use crate::http::{self, Parse, Parser, Status};

/// Arguments of `demo serve`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Which model serves: `loop` or `threads` (a server runs one).
    #[arg(long, value_enum, default_value = "loop")]
    pub(crate) model: Model,
    /// The port on 127.0.0.1 (0: any free port, printed at start).
    #[arg(long, default_value_t = 8080)]
    pub(crate) port: u16,
    /// Connections served at once; more get a 503.
    #[arg(long, default_value_t = 1000)]
    pub(crate) max_conns: usize,
    /// A delay before every response (e.g. 50ms).
    #[arg(long, value_parser = http::parse_duration, default_value = "0")]
    pub(crate) latency: Duration,
    /// Stop after this long (default: run until killed).
    #[arg(long = "for", value_parser = http::parse_duration)]
    pub(crate) run_for: Option<Duration>,
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
}

/// Runs the demo; returns the process exit code.
pub fn run(args: &Args) -> i32 {
    if args.max_conns == 0 {
        eprintln!("demo serve: --max-conns must be at least 1");
        return 2;
    }
    let counts = Arc::new(Counts::default());
    let result = match args.model {
        Model::Loop => serve_loop(args, &counts),
        Model::Threads => serve_threads(args, &counts),
        Model::Both => {
            eprintln!("demo serve: a server runs one model: --model loop or --model threads");
            return 2;
        }
    };
    match result {
        Ok(()) => {
            println!(
                "served {} requests on {} connections ({} refused over the cap, {} bad requests)",
                counts.requests.load(Ordering::SeqCst),
                counts.connections.load(Ordering::SeqCst),
                counts.refused.load(Ordering::SeqCst),
                counts.bad.load(Ordering::SeqCst),
            );
            0
        }
        Err(e) => {
            eprintln!("demo serve: {e}");
            2
        }
    }
}

fn announce(addr: SocketAddr) {
    println!("listening on http://{addr}");
    let _ = std::io::stdout().flush();
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
                        let reply = http::response(Status::UNAVAILABLE, b"busy\n", false);
                        let _ = stream.write_all(&reply).await;
                    });
                    continue;
                }
                active.set(active.get() + 1);
                let (active, counts, latency) = (active.clone(), counts.clone(), args.latency);
                runtime::spawn(async move {
                    let _ = connection_loop(stream, latency, &counts).await;
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

/// What a connection does next, decided from the parser alone: the same
/// on both models, which differ only in how they read, wait and write.
enum Step {
    /// Read more bytes.
    Read,
    /// Send `reply`, after the `--latency` if `delayed`; then keep going, or
    /// close (after a lingering close if the request was bad).
    Reply {
        reply: Vec<u8>,
        delayed: bool,
        then: After,
    },
}

/// What follows a reply.
#[derive(Clone, Copy, PartialEq, Eq)]
enum After {
    /// Keep-alive: the next request.
    Continue,
    /// The client asked to close.
    Close,
    /// A bad request: half-close, discard what the client still sends
    /// (bounded), then close. Closing with unread request bytes would send
    /// a reset that can destroy the answer in the client's buffer.
    Linger,
}

fn next_step(parser: &mut Parser, counts: &Counts) -> Step {
    match parser.next() {
        Parse::Incomplete => Step::Read,
        Parse::Request(request) => {
            counts.requests.fetch_add(1, Ordering::Relaxed);
            Step::Reply {
                reply: http::response(Status::OK, BODY, request.keep_alive),
                delayed: true,
                then: if request.keep_alive {
                    After::Continue
                } else {
                    After::Close
                },
            }
        }
        Parse::Error(status) => {
            counts.bad.fetch_add(1, Ordering::Relaxed);
            Step::Reply {
                reply: http::response(status, status.reason().as_bytes(), false),
                delayed: false,
                then: After::Linger,
            }
        }
    }
}

/// One connection on the loop: parse, answer, repeat while keep-alive.
async fn connection_loop(
    mut stream: runtime::net::TcpStream,
    latency: Duration,
    counts: &Counts,
) -> std::io::Result<()> {
    let mut parser = Parser::new();
    let mut buf = vec![0u8; 4096];
    loop {
        let (reply, delayed, then) = match next_step(&mut parser, counts) {
            Step::Read => {
                let n = stream.read(&mut buf).await?;
                if n == 0 {
                    return Ok(()); // the client closed
                }
                parser.feed(&buf[..n]);
                continue;
            }
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
    let acceptor = runtime::threaded::Builder::new()
        .name("accept")
        .spawn(move || accept_threads(&listener, max, latency, &counts_in))
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
            let _ = stream.write_all(&http::response(Status::UNAVAILABLE, b"busy\n", false));
            continue;
        }
        active.fetch_add(1, Ordering::SeqCst);
        let (active_in, counts_in) = (active.clone(), counts.clone());
        let spawned = runtime::threaded::Builder::new()
            .name("conn")
            .stack_size(64 * 1024)
            .spawn(move || {
                let _ = connection_thread(stream, latency, &counts_in);
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

/// One connection on its own thread, with blocking calls.
fn connection_thread(
    mut stream: std::net::TcpStream,
    latency: Duration,
    counts: &Counts,
) -> std::io::Result<()> {
    let mut parser = Parser::new();
    let mut buf = vec![0u8; 4096];
    loop {
        let (reply, delayed, then) = match next_step(&mut parser, counts) {
            Step::Read => {
                let n = stream.read(&mut buf)?;
                if n == 0 {
                    return Ok(());
                }
                parser.feed(&buf[..n]);
                continue;
            }
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
