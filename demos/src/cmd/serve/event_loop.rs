//! `demo serve` on the event loop: an accept loop spawning one task per
//! connection, on one thread; with `--workers N`, N of them, each loop on
//! its own OS thread with its own `runtime::Runtime` and its own listener
//! bound to the same port with `SO_REUSEPORT` (`TcpSocket`), so that the
//! kernel spreads incoming connections over the listeners by a hash of
//! the connection's addresses, and no lock or queue is shared between the
//! loops (nginx's workers and thread-per-core runtimes work this way).
//!
//! Threads, not processes: the loops share nothing but the counters and
//! the connection cap (atomics), one process is one `/proc/<pid>/task` to
//! count and one `listening on` line to read, and a loop's `!Send` tasks
//! stay on its thread anyway. Processes (nginx's choice) would add crash
//! isolation and separate heaps, which this demo does not need. Scaling
//! past one machine is not a server's job: a load balancer in front of
//! several hosts is (HAProxy, nginx, a cloud load balancer, DNS).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::conn::{After, Conn, Step};
use super::{Args, Counts, LINGER, LINGER_BYTES, announce, cannot_listen};
use crate::support::http::{self, Status};

/// What a connection needs to know of the server's options.
#[derive(Clone, Copy)]
struct How {
    latency: Duration,
    offload: bool,
}

/// Binds every listener, starts the loops (the first on this thread, so
/// that one loop is one thread), announces the address once all listen,
/// and runs until `--for` is up (or forever).
pub(super) fn serve(args: &Args, counts: &Arc<Counts>) -> Result<(), String> {
    let mut sockets = Vec::with_capacity(args.workers);
    let mut addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    for _ in 0..args.workers {
        let socket = runtime::net::TcpSocket::new_v4().map_err(|e| format!("socket: {e}"))?;
        socket
            .set_reuseaddr(true)
            .map_err(|e| format!("SO_REUSEADDR: {e}"))?;
        if args.workers > 1 {
            socket
                .set_reuseport(true)
                .map_err(|e| format!("SO_REUSEPORT: {e}"))?;
        }
        socket
            .bind(addr)
            .map_err(|e| cannot_listen(args.port, &e))?;
        // Port 0: the first socket got a free port; the others join it.
        addr = socket.local_addr().map_err(|e| e.to_string())?;
        sockets.push(socket);
    }
    let active = Arc::new(AtomicUsize::new(0));
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<(), String>>();
    let mut sockets = sockets.into_iter().enumerate();
    let first = sockets.next().ok_or("no listener")?;
    let mut workers = Vec::new();
    for (i, socket) in sockets {
        let (active, counts, ready) = (active.clone(), counts.clone(), ready_tx.clone());
        let (args_copy, timeouts) = (Options::of(args), args.timeouts());
        let spawned = std::thread::Builder::new()
            .name(format!("loop-{i}"))
            .spawn(move || {
                run_loop(i, socket, args_copy, timeouts, &active, &counts, |r| {
                    let _ = ready.send(r.clone());
                    r
                })
            });
        match spawned {
            Ok(h) => workers.push(h),
            Err(e) => return Err(format!("cannot start event loop {i}: {e}")),
        }
    }
    drop(ready_tx);
    let others = workers.len();
    let result = run_loop(
        first.0,
        first.1,
        Options::of(args),
        args.timeouts(),
        &active,
        counts,
        |r| {
            // This loop listens: wait for the others, then say where.
            let all = r.and_then(|()| {
                (0..others).try_for_each(|_| {
                    ready_rx
                        .recv()
                        .map_err(|_| "an event loop ended before listening".to_string())?
                })
            });
            if all.is_ok() {
                announce(addr);
            }
            all
        },
    );
    // A loop that failed ends the process now, the others with it.
    result?;
    for w in workers {
        match w.join() {
            Ok(r) => r?,
            Err(_) => return Err("an event loop panicked".into()),
        }
    }
    Ok(())
}

/// The options a loop needs, copied to its thread.
#[derive(Clone, Copy)]
struct Options {
    max_conns: usize,
    how: How,
    run_for: Option<Duration>,
}

impl Options {
    fn of(args: &Args) -> Options {
        Options {
            max_conns: args.max_conns,
            how: How {
                latency: args.latency,
                offload: args.offload,
            },
            run_for: args.run_for,
        }
    }
}

/// One event loop: a runtime on this thread, listening on `socket`
/// (`ready` is told whether it could), accepting until `--for` is up.
fn run_loop(
    index: usize,
    socket: runtime::net::TcpSocket,
    o: Options,
    timeouts: super::conn::Timeouts,
    active: &Arc<AtomicUsize>,
    counts: &Arc<Counts>,
    ready: impl FnOnce(Result<(), String>) -> Result<(), String>,
) -> Result<(), String> {
    let mut builder = runtime::Runtime::builder();
    if o.how.offload {
        // A pool the size of the CPUs: CPU-bound jobs gain nothing from more.
        builder = builder.max_blocking_threads(crate::support::measure::cores());
    }
    let rt = match builder.build() {
        Ok(rt) => rt,
        Err(e) => return ready(Err(format!("cannot start the runtime: {e}"))),
    };
    rt.block_on(async {
        let listener = match socket.listen(1024) {
            Ok(l) => l,
            Err(e) => return ready(Err(format!("listen: {e}"))),
        };
        ready(Ok(()))?;
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
                if let Some(n) = counts.per_loop.get(index) {
                    n.fetch_add(1, Ordering::Relaxed);
                }
                if active.fetch_add(1, Ordering::SeqCst) >= o.max_conns {
                    active.fetch_sub(1, Ordering::SeqCst);
                    counts.refused.fetch_add(1, Ordering::Relaxed);
                    runtime::spawn(async move {
                        let reply = http::response(Status::UNAVAILABLE, b"busy\n", false, "loop");
                        let _ = stream.write_all(&reply).await;
                    });
                    continue;
                }
                let conn = Conn::new(timeouts, runtime::time::Instant::now().into_std(), "loop");
                let (active, counts) = (active.clone(), counts.clone());
                runtime::spawn(async move {
                    let _ = connection_loop(stream, conn, o.how, &counts).await;
                    active.fetch_sub(1, Ordering::SeqCst);
                });
            }
        };
        match o.run_for {
            Some(d) => {
                let _ = runtime::time::timeout(d, accept_loop).await;
            }
            None => accept_loop.await,
        }
        Ok(())
    })
}

/// A `/cpu` request's work: in this task, holding the loop until it is
/// done, or on the blocking pool while the loop serves the others.
async fn run_cpu(iters: u64, offload: bool) {
    if offload {
        let _ = runtime::spawn_blocking(move || crate::workloads::cpu::work(0, iters)).await;
    } else {
        std::hint::black_box(crate::workloads::cpu::work(0, iters));
    }
}

/// One connection on the loop: the steps [`Conn`] gives, a read waiting
/// until its deadline at most (`timeout_at`, a timer in the wheel).
async fn connection_loop(
    mut stream: runtime::net::TcpStream,
    mut conn: Conn,
    how: How,
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
                cpu,
                then,
            } => {
                if cpu > 0 {
                    run_cpu(cpu, how.offload).await;
                }
                (reply, delayed, then)
            }
        };
        if delayed && !how.latency.is_zero() {
            runtime::time::sleep(how.latency).await;
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
