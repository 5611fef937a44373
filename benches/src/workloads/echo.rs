//! **echo**: a TCP echo server on 127.0.0.1 under load from a separate
//! client process ([`loadgen`](super::loadgen): `conns` connections, one
//! 64-byte message in flight on each). Two rows per size:
//!
//! - `echo-N-rate`: round trips per second the pair achieved (rt/s). On two
//!   cores the client competes with the server, so this partly measures the
//!   client;
//! - `echo-N-cpu`: the server process's CPU time (user + system, from
//!   `getrusage(RUSAGE_SELF)`) per round trip (ns/rt) over the same window.
//!   This compares servers even when the client is the bottleneck; the raw
//!   `mio` loop is the floor (read, write, `epoll_wait`, nothing else).
//!
//! Every server: accept, then per connection read up to 4 KiB and write it
//! all back, until EOF. `TCP_NODELAY` on every socket.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::Workload;
use crate::measure::{Sample, cpu_time, raise_nofile};
use crate::peers;

const IMPLS: &[&str] = &["ours", "tokio", "smol", "mio", "threads"];

/// Echo at 100 connections.
pub const WORKLOAD_100: Workload = Workload {
    name: "echo-100",
    metrics: &["echo-100-rate", "echo-100-cpu"],
    impls: IMPLS,
    run: |imp, quick| run(imp, 100, quick),
};

/// Echo at 1,000 connections.
pub const WORKLOAD_1000: Workload = Workload {
    name: "echo-1000",
    metrics: &["echo-1000-rate", "echo-1000-cpu"],
    impls: IMPLS,
    run: |imp, quick| run(imp, 1000, quick),
};

type AddrTx = mpsc::Sender<io::Result<SocketAddr>>;

/// Calls `listen(2)` again with a backlog of 4,096 (Linux allows resizing
/// the accept queue of a listening socket). The libraries' defaults (128 for
/// std and async-io, 1,024 for mio and tokio) overflow while 1,000 clients
/// connect at once, and each dropped SYN costs the client a 1 s retransmit:
/// every server gets the same queue so that none is penalised for its
/// library's default.
fn widen_backlog(fd: std::os::fd::RawFd) -> io::Result<()> {
    // SAFETY: `listen` on a descriptor we own; it fails cleanly otherwise.
    if unsafe { libc::listen(fd, 4096) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Reports the listener's address, after widening its backlog.
fn report(addr: &AddrTx, fd: std::os::fd::RawFd, local: io::Result<SocketAddr>) {
    let _ = addr.send(widen_backlog(fd).and(local));
}

fn run(imp: &str, conns: usize, quick: bool) -> Result<Vec<Sample>, String> {
    let serve: fn(AddrTx) = match imp {
        "ours" => serve_ours,
        "tokio" => serve_tokio,
        "smol" => serve_smol,
        "mio" => serve_mio,
        "threads" => serve_threads,
        _ => return Err(super::unknown("echo", imp)),
    };
    let limit = raise_nofile(conns as u64 + 64)?;
    if limit < conns as u64 + 32 {
        return Err(format!(
            "skipped: RLIMIT_NOFILE is {limit}, {conns} connections need ~{}",
            conns + 32
        ));
    }
    let (warm, dur) = if quick { (100, 300) } else { (300, 2000) };

    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("echo-server".into())
        .spawn(move || serve(tx))
        .map_err(|e| format!("echo: cannot start the server thread: {e}"))?;
    let addr = rx
        .recv_timeout(Duration::from_secs(10))
        .map_err(|_| "echo: the server did not report its address within 10 s".to_string())?
        .map_err(|e| format!("echo: server cannot bind 127.0.0.1:0: {e}"))?;

    let exe = std::env::current_exe().map_err(|e| format!("echo: current_exe: {e}"))?;
    let mut child = Command::new(exe)
        .args(["loadgen", &addr.to_string(), &conns.to_string()])
        .args([warm.to_string(), dur.to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("echo: cannot start the load generator: {e}"))?;
    let stdout = child.stdout.take().ok_or("echo: no stdout from loadgen")?;
    let mut cpu_start = None;
    let mut result = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("echo: reading loadgen: {e}"))?;
        let mut f = line.split_whitespace();
        match f.next() {
            Some("START") => cpu_start = Some(cpu_time()),
            Some("DONE") => {
                let cpu = cpu_time();
                let trips: u64 = f.next().and_then(|t| t.parse().ok()).unwrap_or(0);
                let ns: u64 = f.next().and_then(|t| t.parse().ok()).unwrap_or(0);
                result = Some((cpu, trips, ns));
            }
            _ => {}
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("echo: waiting for loadgen: {e}"))?;
    let (Some(c0), Some((c1, trips, ns))) = (cpu_start, result) else {
        return Err(format!("echo: the load generator failed ({status})"));
    };
    if trips == 0 || ns == 0 {
        return Err("echo: no round trip completed".into());
    }
    let name = format!("echo-{conns}");
    Ok(vec![
        Sample::new(
            format!("{name}-rate"),
            imp,
            trips as f64 * 1e9 / ns as f64,
            "rt/s",
        ),
        Sample::per_op(
            &format!("{name}-cpu"),
            imp,
            c1 - c0,
            trips as usize,
            "ns/rt",
        ),
    ])
}

/// Our event loop: `runtime::net::TcpListener::accept`, a spawned task per
/// connection, `TcpStream::read` + `write_all`.
fn serve_ours(addr: AddrTx) {
    peers::ours(async move {
        let listener = match runtime::net::TcpListener::bind("127.0.0.1:0") {
            Ok(l) => l,
            Err(e) => return drop(addr.send(Err(e))),
        };
        report(&addr, listener.as_raw_fd(), listener.local_addr());
        loop {
            let (mut s, _) = match listener.accept().await {
                Ok(x) => x,
                Err(e) => return eprintln!("echo/ours: accept: {e}"),
            };
            let _ = s.set_nodelay(true);
            drop(runtime::spawn(async move {
                let mut buf = [0u8; 4096];
                loop {
                    let n = match s.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    if s.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                }
            }));
        }
    })
}

/// tokio: `TcpListener::accept`, a `spawn_local` task per connection,
/// `AsyncReadExt::read` + `AsyncWriteExt::write_all`.
fn serve_tokio(addr: AddrTx) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    peers::tokio(async move {
        let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
            Ok(l) => l,
            Err(e) => return drop(addr.send(Err(e))),
        };
        report(&addr, listener.as_raw_fd(), listener.local_addr());
        loop {
            let (mut s, _) = match listener.accept().await {
                Ok(x) => x,
                Err(e) => return eprintln!("echo/tokio: accept: {e}"),
            };
            let _ = s.set_nodelay(true);
            tokio::task::spawn_local(async move {
                let mut buf = [0u8; 4096];
                loop {
                    let n = match s.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    if s.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                }
            });
        }
    })
}

/// smol: `Async<TcpListener>`, a detached `LocalExecutor` task per
/// connection, `futures_lite` read + `write_all`.
fn serve_smol(addr: AddrTx) {
    use async_io::Async;
    use futures_lite::{AsyncReadExt, AsyncWriteExt};
    peers::smol(|ex| async move {
        let listener = match Async::<std::net::TcpListener>::bind(([127, 0, 0, 1], 0)) {
            Ok(l) => l,
            Err(e) => return drop(addr.send(Err(e))),
        };
        report(&addr, listener.as_raw_fd(), listener.get_ref().local_addr());
        loop {
            let (mut s, _) = match listener.accept().await {
                Ok(x) => x,
                Err(e) => return eprintln!("echo/smol: accept: {e}"),
            };
            let _ = s.get_ref().set_nodelay(true);
            ex.spawn(async move {
                let mut buf = [0u8; 4096];
                loop {
                    let n = match s.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    if s.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                }
            })
            .detach();
        }
    })
}

/// One OS thread per connection, blocking `read` + `write_all`.
fn serve_threads(addr: AddrTx) {
    let listener = match std::net::TcpListener::bind("127.0.0.1:0") {
        Ok(l) => l,
        Err(e) => return drop(addr.send(Err(e))),
    };
    report(&addr, listener.as_raw_fd(), listener.local_addr());
    loop {
        let (mut s, _) = match listener.accept() {
            Ok(x) => x,
            Err(e) => return eprintln!("echo/threads: accept: {e}"),
        };
        let _ = s.set_nodelay(true);
        let spawned = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(move || {
                let mut buf = [0u8; 4096];
                loop {
                    let n = match s.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    if s.write_all(&buf[..n]).is_err() {
                        return;
                    }
                }
            });
        if let Err(e) = spawned {
            return eprintln!("echo/threads: cannot spawn a connection thread: {e}");
        }
    }
}

/// The floor: a hand-written `mio` loop, one state machine per connection
/// (its socket and the bytes it still owes the peer), no runtime, no tasks,
/// no wakers.
fn serve_mio(addr: AddrTx) {
    if let Err(e) = mio_loop(&addr) {
        eprintln!("echo/mio: {e}");
        let _ = addr.send(Err(e));
    }
}

struct MioConn {
    stream: mio::net::TcpStream,
    /// Read but not yet written back (only non-empty after a short write).
    owed: Vec<u8>,
}

fn mio_loop(addr: &AddrTx) -> io::Result<()> {
    use mio::{Events, Interest, Poll, Token};
    const LISTENER: Token = Token(usize::MAX);
    let mut poll = Poll::new()?;
    let mut listener = mio::net::TcpListener::bind(([127, 0, 0, 1], 0).into())?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    report(addr, listener.as_raw_fd(), listener.local_addr());
    let mut conns: Vec<Option<MioConn>> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    let mut events = Events::with_capacity(1024);
    let mut buf = [0u8; 4096];
    loop {
        if let Err(e) = poll.poll(&mut events, None) {
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        for ev in events.iter() {
            if ev.token() == LISTENER {
                loop {
                    match listener.accept() {
                        Ok((mut stream, _)) => {
                            let _ = stream.set_nodelay(true);
                            let key = free.pop().unwrap_or_else(|| {
                                conns.push(None);
                                conns.len() - 1
                            });
                            poll.registry().register(
                                &mut stream,
                                Token(key),
                                Interest::READABLE | Interest::WRITABLE,
                            )?;
                            conns[key] = Some(MioConn {
                                stream,
                                owed: Vec::new(),
                            });
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                        Err(e) => return Err(e),
                    }
                }
                continue;
            }
            let key = ev.token().0;
            let Some(conn) = conns.get_mut(key).and_then(Option::as_mut) else {
                continue;
            };
            if !echo_ready(conn, &mut buf) {
                if let Some(mut c) = conns[key].take() {
                    let _ = poll.registry().deregister(&mut c.stream);
                }
                free.push(key);
            }
        }
    }
}

/// Drives one connection as far as it goes without blocking: first pays
/// what it owes, then reads and writes back until `WouldBlock`. `false`
/// when the connection is finished (EOF or error).
fn echo_ready(conn: &mut MioConn, buf: &mut [u8]) -> bool {
    let MioConn { stream, owed } = conn;
    if !owed.is_empty() {
        match write_some(stream, owed) {
            Ok(n) => drop(owed.drain(..n)),
            Err(_) => return false,
        }
        if !owed.is_empty() {
            return true; // wait for writable
        }
    }
    loop {
        let n = match stream.read(buf) {
            Ok(0) => return false,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        };
        match write_some(stream, &buf[..n]) {
            Ok(w) if w == n => {}
            Ok(w) => {
                owed.extend_from_slice(&buf[w..n]);
                return true;
            }
            Err(_) => return false,
        }
    }
}

/// Writes as much of `data` as the socket takes now.
fn write_some(stream: &mut mio::net::TcpStream, data: &[u8]) -> io::Result<usize> {
    let mut done = 0;
    while done < data.len() {
        match stream.write(&data[done..]) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}
