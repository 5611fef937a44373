//! `demo serve` on threads: an accept thread, and one OS thread per
//! connection (64 KiB stacks) making blocking calls; a `/cpu` request's
//! work runs in its connection's thread, which the kernel preempts like
//! any other.

use std::io::{ErrorKind, Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::conn::{After, Conn, Step, Timeouts};
use super::{Args, Counts, LINGER, LINGER_BYTES, announce, cannot_listen};
use crate::support::http::{self, Status};

/// Thread per connection: the accept loop runs on its own thread so that
/// `--for` can end the process from this one.
pub(super) fn serve(args: &Args, counts: &Arc<Counts>) -> Result<(), String> {
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
                cpu,
                then,
            } => {
                if cpu > 0 {
                    // The kernel preempts this thread like any other.
                    std::hint::black_box(crate::workloads::cpu::work(0, cpu));
                }
                (reply, delayed, then)
            }
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
