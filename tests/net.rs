//! `runtime::net`: TCP and UDP on 127.0.0.1.
//!
//! The `#[runtime::test]`s here say `real_clock`: their timeouts guard
//! against hangs in real time, and on the paused clock a timeout fires as
//! soon as the loop finds nothing ready, which a socket waiting on the
//! kernel (a handshake, a delayed ACK) can look like. The tests that read
//! `Runtime::stats()` afterwards, flood from a `std::thread` against a
//! wall-clock bound, or run in a child process build their runtime by hand.
//!
//! Two tests run their scenario in a child process (this same test binary,
//! re-executed with `--exact child_process_entry` and `NET_TEST_CHILD` set):
//! the EMFILE test, because it lowers `RLIMIT_NOFILE` for the whole process,
//! and the SIGPIPE tests, because they put `SIGPIPE` back to its default
//! action (kill the process) to prove that writes never raise it.

use std::cell::Cell;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::os::fd::AsRawFd;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use integration_tests::{default_sigpipe, run_child};
use runtime::Runtime;
use runtime::net::{TcpListener, TcpStream, UdpSocket};
use runtime::time::timeout;

/// Every test's upper bound: a hang fails instead of stalling CI. A hang
/// guard, not a speed target: `.ci/run` runs this suite under valgrind
/// (~50x slower) on a loaded 2-core machine, where moving 16 MiB took more
/// than 30 s; natively every test here takes about a second.
const LIMIT: Duration = Duration::from_secs(240);

fn pattern(seed: usize, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| ((i * 31 + seed * 7) % 251) as u8)
        .collect()
}

async fn echo(mut conn: TcpStream) {
    let mut buf = [0u8; 4096];
    loop {
        match conn.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if conn.write_all(&buf[..n]).await.is_err() {
                    return;
                }
            }
        }
    }
}

async fn echo_server(listener: TcpListener) {
    loop {
        match listener.accept().await {
            Ok((conn, _)) => drop(runtime::spawn(echo(conn))),
            Err(e) => panic!("accept failed: {e}"),
        }
    }
}

#[test]
fn echo_200_connections_with_eof() {
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = runtime::spawn(echo_server(listener));
        let clients: Vec<_> = (0..200)
            .map(|i| {
                runtime::spawn(async move {
                    let mut conn = TcpStream::connect(addr).await.unwrap();
                    conn.set_nodelay(true).unwrap();
                    assert_eq!(conn.peer_addr().unwrap(), addr);
                    let sent = pattern(i, 1000 + 37 * i);
                    conn.write_all(&sent).await.unwrap();
                    conn.shutdown(Shutdown::Write).unwrap();
                    let mut got = Vec::new();
                    let mut buf = [0u8; 1500];
                    loop {
                        let n = conn.read(&mut buf).await.unwrap();
                        if n == 0 {
                            break; // the server saw our EOF, echoed all, closed
                        }
                        got.extend_from_slice(&buf[..n]);
                    }
                    assert_eq!(got, sent, "connection {i}");
                })
            })
            .collect();
        timeout(LIMIT, async {
            for c in clients {
                c.await.unwrap();
            }
        })
        .await
        .expect("echo test timed out");
        server.abort();
    });
    let stats = rt.stats();
    assert_eq!(stats.accepts, 200);
    // listener + 200 clients + 200 accepted
    assert!(stats.io_registrations >= 401, "{stats:?}");
}

#[test]
fn eight_megabytes_both_ways_at_once() {
    const TOTAL: usize = 8 << 20;
    async fn send(mut w: runtime::net::OwnedWriteHalf, seed: usize) {
        let data = pattern(seed, 64 * 1024 + 3); // odd size: chunks straddle
        let mut sent = 0;
        while sent < TOTAL {
            let n = data.len().min(TOTAL - sent);
            w.write_all(&data[..n]).await.unwrap();
            sent += n;
        }
        w.shutdown().unwrap();
    }
    async fn receive(mut r: runtime::net::OwnedReadHalf, seed: usize) {
        let data = pattern(seed, 64 * 1024 + 3);
        let mut got = 0;
        let mut buf = vec![0u8; 50_000];
        loop {
            let n = r.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            for (k, &b) in buf[..n].iter().enumerate() {
                let at = (got + k) % data.len();
                assert_eq!(b, data[at], "byte {} differs", got + k);
            }
            got += n;
        }
        assert_eq!(got, TOTAL);
    }
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let accept = runtime::spawn(async move { listener.accept().await.unwrap().0 });
        let client = TcpStream::connect(addr).await.unwrap();
        let server = accept.await.unwrap();
        let (cr, cw) = client.into_split();
        let (sr, sw) = server.into_split();
        let tasks = [
            runtime::spawn(send(cw, 1)),
            runtime::spawn(send(sw, 2)),
            runtime::spawn(receive(sr, 1)),
            runtime::spawn(receive(cr, 2)),
        ];
        timeout(LIMIT, async {
            for t in tasks {
                t.await.unwrap();
            }
        })
        .await
        .expect("8 MB transfer timed out");
    });
    let stats = rt.stats();
    assert!(
        stats.write_would_block > 0,
        "8 MB must fill the send buffer"
    );
}

/// Many 7-byte writes race many 13-byte reads on the same two sockets
/// (a reader task and a writer task per connection end, through `split`):
/// a lost wakeup would hang, a busy loop would show in the poll count.
#[test]
fn small_writes_race_small_reads() {
    use std::future::Future;
    const MESSAGES: usize = 20_000;
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = runtime::spawn(async move {
            let (conn, _) = listener.accept().await.unwrap();
            // Echo in small pieces.
            let (mut r, mut w) = conn.into_split();
            let mut buf = [0u8; 13];
            loop {
                let n = r.read(&mut buf).await.unwrap();
                if n == 0 {
                    w.shutdown().unwrap();
                    return;
                }
                w.write_all(&buf[..n]).await.unwrap();
            }
        });
        let mut client = TcpStream::connect(addr).await.unwrap();
        client.set_nodelay(true).unwrap();
        let (mut r, mut w) = client.split();
        let writer = async {
            for i in 0..MESSAGES {
                let msg = (i as u64).to_le_bytes();
                w.write_all(&msg[..7]).await.unwrap();
                if i % 3 == 0 {
                    // Let the readers drain the socket now and then, so
                    // that they hit WouldBlock and wait on the reactor.
                    runtime::yield_now().await;
                }
            }
            w.shutdown().unwrap();
        };
        let reader = async {
            let mut all = Vec::with_capacity(MESSAGES * 7);
            let mut buf = [0u8; 13];
            loop {
                let n = r.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                all.extend_from_slice(&buf[..n]);
            }
            all
        };
        // How often the reader found the socket drained and waited for the
        // reactor (a short read forgets readiness without the EAGAIN, so
        // `Stats::read_would_block` no longer counts every such wait).
        let mut reader = std::pin::pin!(reader);
        let mut reader_waits = 0u64;
        let reader = std::future::poll_fn(|cx| {
            let polled = reader.as_mut().poll(cx);
            reader_waits += u64::from(polled.is_pending());
            polled
        });
        let (_, all) = timeout(LIMIT, futures::future::join(writer, reader))
            .await
            .expect("lost wakeup: the race test hung");
        assert!(
            reader_waits > 20,
            "the reader should have waited on the reactor often: {reader_waits} waits"
        );
        assert_eq!(all.len(), MESSAGES * 7);
        for (i, chunk) in all.chunks(7).enumerate() {
            assert_eq!(chunk, &(i as u64).to_le_bytes()[..7], "message {i}");
        }
        server.await.unwrap();
    });
    let stats = rt.stats();
    // Each message costs the two tasks a handful of polls at most; a busy
    // loop would cost many more.
    assert!(
        stats.polls < 10 * MESSAGES as u64,
        "too many polls for {MESSAGES} messages: {stats:?}"
    );
}

#[runtime::test(real_clock)]
async fn udp_round_trips() {
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    let server_addr = server.local_addr().unwrap();
    let echo = runtime::spawn(async move {
        let mut buf = [0u8; 1500];
        for _ in 0..100 {
            let (n, from) = server.recv_from(&mut buf).await.unwrap();
            server.send_to(&buf[..n], from).await.unwrap();
        }
    });
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut buf = [0u8; 1500];
    timeout(LIMIT, async {
        for i in 0..100usize {
            let msg = pattern(i, 1 + i * 10);
            assert_eq!(client.send_to(&msg, server_addr).await.unwrap(), msg.len());
            let (n, from) = client.recv_from(&mut buf).await.unwrap();
            assert_eq!(from, server_addr);
            assert_eq!(&buf[..n], &msg[..]);
        }
    })
    .await
    .expect("UDP round trips timed out");
    echo.await.unwrap();
}

#[runtime::test(real_clock)]
async fn connect_refused_is_an_error_not_a_hang() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let err = timeout(LIMIT, TcpStream::connect(("127.0.0.1", port)))
        .await
        .expect("connect to a closed port hung")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err}");
}

#[runtime::test(real_clock)]
async fn connect_tries_each_address() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let good = listener.local_addr().unwrap();
    let dead: SocketAddr = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let addrs = [dead, good];
    let conn = timeout(LIMIT, TcpStream::connect(&addrs[..]))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(conn.peer_addr().unwrap(), good);
}

#[runtime::test(real_clock)]
async fn read_exact_on_early_close_is_unexpected_eof() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = runtime::spawn(async move {
        let (mut conn, _) = listener.accept().await.unwrap();
        conn.write_all(b"abc").await.unwrap();
        // dropped: FIN after three bytes
    });
    let mut conn = TcpStream::connect(addr).await.unwrap();
    let mut buf = [0u8; 10];
    let err = timeout(LIMIT, conn.read_exact(&mut buf))
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
    assert_eq!(&buf[..3], b"abc");
    server.await.unwrap();
}

/// A connection that always has data (a thread floods it) must not starve
/// a ping-pong on another connection: the coop budget makes its reader
/// yield every 128 reads.
#[test]
fn a_flooding_connection_does_not_starve_another() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    let stop = Arc::new(AtomicBool::new(false));
    let rt = Runtime::new().unwrap();
    let flooder_done = rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop2 = stop.clone();
        let flooder = std::thread::spawn(move || {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            let chunk = vec![7u8; 256 * 1024];
            // Bounded, so that a regression (a reader that never yields)
            // fails the timeout below instead of hanging the test forever.
            let started = std::time::Instant::now();
            while !stop2.load(Ordering::Relaxed) && started.elapsed() < Duration::from_secs(70) {
                if s.write_all(&chunk).is_err() {
                    break;
                }
            }
        });
        let (mut flooded, _) = listener.accept().await.unwrap();
        let flood_bytes = Rc::new(Cell::new(0u64));
        let counted = flood_bytes.clone();
        // Reads forever, with a small buffer: always data, never WouldBlock.
        let reader = runtime::spawn(async move {
            let mut buf = [0u8; 64];
            loop {
                match flooded.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => counted.set(counted.get() + n as u64),
                }
            }
        });
        // Wait until the flood is running.
        while flood_bytes.get() < 1 << 20 {
            runtime::yield_now().await;
        }
        let server = runtime::spawn(echo_server(listener));
        let mut conn = TcpStream::connect(addr).await.unwrap();
        let before = flood_bytes.get();
        // A hang guard, not a speed target: starvation means the ping-pong
        // never finishes. 60 s leaves room for a loaded 2-core machine (the
        // flood reader makes 128 reads per poll, in a debug build).
        timeout(Duration::from_secs(60), async {
            for i in 0..100u8 {
                conn.write_all(&[i; 10]).await.unwrap();
                let mut buf = [0u8; 10];
                conn.read_exact(&mut buf).await.unwrap();
                assert_eq!(buf, [i; 10]);
            }
        })
        .await
        .expect("the ping-pong starved behind the flooding connection");
        assert!(
            flood_bytes.get() > before,
            "the flood reader must keep running too"
        );
        stop.store(true, Ordering::Relaxed);
        reader.abort();
        server.abort();
        flooder
    });
    drop(rt); // closes the flooded socket: the flooder's write fails
    flooder_done.join().unwrap();
}

/// The test binary re-executed as a child process: runs the scenario named
/// by `NET_TEST_CHILD`, if any (does nothing in a normal test run).
#[test]
fn child_process_entry() {
    match std::env::var("NET_TEST_CHILD").as_deref() {
        Ok("emfile") => emfile_scenario(),
        Ok("peer_reset") => peer_reset_scenario(),
        Ok("write_after_shutdown") => write_after_shutdown_scenario(),
        _ => return,
    }
    println!("CHILD-OK");
}

#[test]
fn write_all_to_a_reset_peer_errors_without_sigpipe() {
    run_child("NET_TEST_CHILD", "peer_reset");
}

fn peer_reset_scenario() {
    default_sigpipe();
    runtime::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mut conn = TcpStream::connect(addr).await.unwrap();
        let (peer, _) = listener.accept().await.unwrap();
        conn.write_all(b"first").await.unwrap();
        // The peer closes with SO_LINGER 0: an RST instead of a FIN.
        let linger = libc::linger {
            l_onoff: 1,
            l_linger: 0,
        };
        // SAFETY: a valid socket fd, a pointer to a live `linger` and its size.
        let rc = unsafe {
            libc::setsockopt(
                peer.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_LINGER,
                (&linger as *const libc::linger).cast(),
                std::mem::size_of::<libc::linger>() as libc::socklen_t,
            )
        };
        assert_eq!(rc, 0);
        drop(peer);
        let big = vec![1u8; 8 << 20];
        let err = timeout(LIMIT, async {
            loop {
                if let Err(e) = conn.write_all(&big).await {
                    return e;
                }
            }
        })
        .await
        .expect("write_all to a reset peer hung");
        assert!(
            matches!(
                err.kind(),
                ErrorKind::BrokenPipe | ErrorKind::ConnectionReset
            ),
            "{err:?}"
        );
    });
}

#[test]
fn write_after_own_shutdown_is_broken_pipe_without_sigpipe() {
    run_child("NET_TEST_CHILD", "write_after_shutdown");
}

fn write_after_shutdown_scenario() {
    default_sigpipe();
    runtime::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut conn = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let _peer = listener.accept().await.unwrap();
        conn.shutdown(Shutdown::Write).unwrap();
        // send(2) on a shut-down socket is EPIPE: SIGPIPE without MSG_NOSIGNAL.
        let err = conn.write_all(b"too late").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe, "{err:?}");
    });
}

#[test]
fn accept_backs_off_under_emfile_and_recovers() {
    run_child("NET_TEST_CHILD", "emfile");
}

/// Highest open fd number + 1.
fn fd_ceiling() -> u64 {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u64>().ok())
        .max()
        .unwrap_or(2)
        + 1
}

/// Five clients queue in the backlog while the process has room for two
/// accepted sockets only: the listener must back off (not spin, not fail)
/// while the accepted connections keep being served, and accept the rest
/// as fds free up.
fn emfile_scenario() {
    let rt = Runtime::new().unwrap();
    let listener = rt.block_on(async { TcpListener::bind("127.0.0.1:0").unwrap() });
    let addr = listener.local_addr().unwrap();
    // Connected through the backlog before the limit goes down.
    let mut clients: Vec<std::net::TcpStream> = (0..5)
        .map(|_| {
            let c = std::net::TcpStream::connect(addr).unwrap();
            c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            c
        })
        .collect();

    // Lower the soft limit a little above the highest fd, fill every free
    // number with /dev/null, then free exactly two.
    let limit = fd_ceiling() + 8;
    let mut rl = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `rl` is a valid, writable `rlimit`.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut rl) }, 0);
    rl.rlim_cur = limit.min(rl.rlim_max);
    // SAFETY: `rl` is a valid `rlimit`; lowering the soft limit is allowed.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &rl) }, 0);
    let mut fillers = Vec::new();
    loop {
        match std::fs::File::open("/dev/null") {
            Ok(f) => fillers.push(f),
            Err(e) if e.raw_os_error() == Some(libc::EMFILE) => break,
            Err(e) => panic!("unexpected error filling the fd table: {e}"),
        }
    }
    assert!(fillers.len() >= 2);
    fillers.truncate(fillers.len() - 2);

    let served = rt.block_on(async move {
        let server = runtime::spawn(echo_server(listener));
        // The clients are blocking sockets: drive them from the pool.
        let done = runtime::spawn_blocking(move || {
            let ping = |c: &mut std::net::TcpStream, msg: &[u8]| -> std::io::Result<()> {
                c.write_all(msg)?;
                let mut buf = vec![0u8; msg.len()];
                c.read_exact(&mut buf)?;
                assert_eq!(buf, msg);
                Ok(())
            };
            // Two fit: they are accepted and served.
            ping(&mut clients[0], b"zero").unwrap();
            ping(&mut clients[1], b"one").unwrap();
            // The third waits in the backlog (EMFILE): no echo yet...
            clients[2]
                .set_read_timeout(Some(Duration::from_millis(300)))
                .unwrap();
            clients[2].write_all(b"two").unwrap();
            let mut buf = [0u8; 3];
            let early = clients[2].read(&mut buf);
            assert!(early.is_err(), "accepted with no fd to spare: {early:?}");
            clients[2]
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            // ...while the accepted ones keep being served.
            ping(&mut clients[0], b"zero again").unwrap();
            ping(&mut clients[1], b"one again").unwrap();
            // Closing one frees an fd: the backed-off accept gets the third.
            drop(clients.remove(0)); // now: [1, 2, 3, 4]
            clients[1].read_exact(&mut buf).unwrap();
            assert_eq!(&buf, b"two");
            drop(clients.remove(0)); // now: [2, 3, 4]
            ping(&mut clients[1], b"three").unwrap();
            drop(clients.remove(0)); // now: [3, 4]
            ping(&mut clients[1], b"four").unwrap();
            5
        });
        let served = timeout(LIMIT, done)
            .await
            .expect("EMFILE scenario timed out")
            .unwrap();
        server.abort();
        served
    });
    drop(fillers);
    let stats = rt.stats();
    assert_eq!(served, 5);
    assert_eq!(stats.accepts, 5, "{stats:?}");
    // A listener spinning on EMFILE for the ~0.5 s above would poll
    // hundreds of thousands of times; backing off, a few dozen.
    assert!(stats.polls < 2_000, "the listener spun: {stats:?}");
}

// ---- Several waiters on one socket (issue #13, item 1) ---------------------
//
// The reactor kept one waker per direction and replaced it: of two tasks
// waiting on one socket, the first was never woken and hung with data (or
// a connection) waiting in the kernel.

/// Two tasks in `recv_from` on one shared `UdpSocket`; two datagrams 50 ms
/// apart: each task gets one.
#[runtime::test(real_clock, timeout = "20s")]
async fn two_receivers_on_one_udp_socket_both_get_a_datagram() {
    let socket = Rc::new(UdpSocket::bind("127.0.0.1:0").unwrap());
    let addr = socket.local_addr().unwrap();
    let receivers: Vec<_> = (0..2)
        .map(|_| {
            let socket = socket.clone();
            runtime::spawn(async move {
                let mut buf = [0u8; 16];
                let (n, _) = socket.recv_from(&mut buf).await.unwrap();
                buf[..n].to_vec()
            })
        })
        .collect();
    runtime::yield_now().await; // both wait now
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    sender.send_to(b"one", addr).await.unwrap();
    runtime::time::sleep(Duration::from_millis(50)).await;
    sender.send_to(b"two", addr).await.unwrap();
    let mut got = Vec::new();
    for receiver in receivers {
        got.push(
            timeout(Duration::from_secs(5), receiver)
                .await
                .expect("a receiver hung with a datagram in the socket")
                .unwrap(),
        );
    }
    got.sort();
    assert_eq!(got, [b"one".to_vec(), b"two".to_vec()]);
}

/// Two tasks in `accept` on one listener; two connections 50 ms apart.
#[runtime::test(real_clock, timeout = "20s")]
async fn two_accepts_on_one_listener_both_get_a_connection() {
    let listener = Rc::new(TcpListener::bind("127.0.0.1:0").unwrap());
    let addr = listener.local_addr().unwrap();
    let acceptors: Vec<_> = (0..2)
        .map(|_| {
            let listener = listener.clone();
            runtime::spawn(async move { listener.accept().await.unwrap().1 })
        })
        .collect();
    runtime::yield_now().await;
    let a = TcpStream::connect(addr).await.unwrap();
    runtime::time::sleep(Duration::from_millis(50)).await;
    let b = TcpStream::connect(addr).await.unwrap();
    let mut peers = Vec::new();
    for acceptor in acceptors {
        peers.push(
            timeout(Duration::from_secs(5), acceptor)
                .await
                .expect("an accept hung with a connection in the backlog")
                .unwrap(),
        );
    }
    peers.sort();
    let mut expected = vec![a.local_addr().unwrap(), b.local_addr().unwrap()];
    expected.sort();
    assert_eq!(peers, expected);
}

/// Two tasks reading one shared stream with `poll_read`; two bytes 50 ms
/// apart: each task reads one.
#[runtime::test(real_clock, timeout = "20s")]
async fn two_readers_of_one_stream_both_get_a_byte() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let client = Rc::new(TcpStream::connect(addr).await.unwrap());
    let (mut server, _) = listener.accept().await.unwrap();
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let client = client.clone();
            runtime::spawn(async move {
                let mut byte = [0u8; 1];
                let n = std::future::poll_fn(|cx| client.poll_read(cx, &mut byte))
                    .await
                    .unwrap();
                (n, byte[0])
            })
        })
        .collect();
    runtime::yield_now().await;
    server.write_all(b"a").await.unwrap();
    runtime::time::sleep(Duration::from_millis(50)).await;
    server.write_all(b"b").await.unwrap();
    let mut got = Vec::new();
    for reader in readers {
        got.push(
            timeout(Duration::from_secs(5), reader)
                .await
                .expect("a reader hung with a byte in the socket")
                .unwrap(),
        );
    }
    got.sort();
    assert_eq!(got, [(1, b'a'), (1, b'b')]);
}

/// A cancelled `recv_from` takes its waker out of the socket's list: the
/// task's allocation is not held by the socket afterwards (checked with a
/// waker of our own, whose reference count we can read).
#[runtime::test]
async fn a_cancelled_recv_leaves_no_waker_behind() {
    use std::future::Future;
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let (counter, waker) = integration_tests::CountingWaker::new();
    {
        let mut buf = [0u8; 8];
        let mut recv = std::pin::pin!(socket.recv_from(&mut buf));
        let mut cx = std::task::Context::from_waker(&waker);
        assert!(recv.as_mut().poll(&mut cx).is_pending());
        assert!(
            std::sync::Arc::strong_count(&counter) > 2,
            "the socket holds a clone"
        );
    }
    drop(waker);
    assert_eq!(
        std::sync::Arc::strong_count(&counter),
        1,
        "the dropped recv left its waker"
    );
}

/// A read that fills less than its buffer forgets readiness without the
/// `recv(2)` that would say `EAGAIN` (the queue is empty), except after the
/// peer's FIN: here the FIN arrives with the data and the loop sees both in
/// one event before the first read, so no later edge would come; the second
/// read must still return EOF, not wait forever.
#[runtime::test(real_clock, timeout = "20s")]
async fn a_short_read_before_a_seen_fin_still_gets_eof() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut peer = std::net::TcpStream::connect(addr).unwrap();
    let (mut conn, _) = listener.accept().await.unwrap();
    peer.write_all(b"abc").unwrap();
    drop(peer); // FIN right behind the three bytes
    // Turns of the loop with the data and the FIN already queued: the
    // reactor takes their one edge-triggered event now.
    runtime::time::sleep(Duration::from_millis(50)).await;
    let mut buf = [0u8; 64];
    let n = timeout(Duration::from_secs(5), conn.read(&mut buf))
        .await
        .expect("the first read hung")
        .unwrap();
    assert_eq!(&buf[..n], b"abc");
    let eof = timeout(Duration::from_secs(5), conn.read(&mut buf))
        .await
        .expect("the read after a short read hung with a FIN already seen")
        .unwrap();
    assert_eq!(eof, 0);
}

/// Data that arrives after a short read forgot readiness makes a new edge:
/// a lockstep ping-pong of 64-byte messages (a blocking client on a
/// `std::thread`) into a 4 KiB buffer, every read short, completes every
/// round trip, and the server's reads never see `EAGAIN` (without the
/// shortcut, each message would cost a second `recv(2)` that says so).
#[test]
fn short_reads_wait_for_the_next_edge() {
    const TRIPS: u64 = 200;
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let client = std::thread::spawn(move || {
            let mut conn = std::net::TcpStream::connect(addr).unwrap();
            conn.set_read_timeout(Some(LIMIT)).unwrap();
            let msg = [7u8; 64];
            let mut back = [0u8; 64];
            for _ in 0..TRIPS {
                conn.write_all(&msg).unwrap();
                conn.read_exact(&mut back)
                    .expect("a round trip hung after a short read");
                assert_eq!(back, msg);
            }
        });
        let (mut conn, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        loop {
            let n = timeout(LIMIT, conn.read(&mut buf)).await.unwrap().unwrap();
            if n == 0 {
                break;
            }
            conn.write_all(&buf[..n]).await.unwrap();
        }
        client.join().unwrap();
    });
    let stats = rt.stats();
    assert!(
        stats.read_would_block < TRIPS / 2,
        "short reads still paid an EAGAIN each: {} read_would_block in {TRIPS} round trips",
        stats.read_would_block
    );
}

// ---- Connected UDP: connect, send, recv, peer_addr, peek_from --------------
//
// `connect(2)` on a UDP socket gives it a default peer for `send(2)` and
// makes the kernel drop datagrams from anyone else; on Linux an ICMP "port
// unreachable" for a datagram it sent comes back as `ECONNREFUSED` on the
// socket's next call.

/// A UDP socket on 127.0.0.1, on a free port.
fn udp() -> UdpSocket {
    UdpSocket::bind("127.0.0.1:0").unwrap()
}

/// An address on 127.0.0.1 where no UDP socket listens (a port bound and
/// closed again).
fn closed_udp_addr() -> SocketAddr {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.local_addr().unwrap()
}

#[runtime::test(real_clock)]
async fn udp_connect_send_recv_round_trips() {
    let (a, b) = (udp(), udp());
    a.connect(b.local_addr().unwrap()).unwrap();
    b.connect(a.local_addr().unwrap()).unwrap();
    let mut buf = [0u8; 1500];
    timeout(LIMIT, async {
        for i in 0..50usize {
            let msg = pattern(i, 1 + i * 20);
            assert_eq!(a.send(&msg).await.unwrap(), msg.len());
            let n = b.recv(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], &msg[..]);
            assert_eq!(b.send(&buf[..n]).await.unwrap(), n);
            let n = a.recv(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], &msg[..]);
        }
    })
    .await
    .expect("connected UDP round trips timed out");
}

/// A third socket's datagram to a connected socket is dropped by the
/// kernel: the peer's two datagrams, sent after it, are the only ones
/// received, and nothing else is queued.
#[runtime::test(real_clock)]
async fn udp_connect_filters_datagrams_from_others() {
    let (a, peer, third) = (udp(), udp(), udp());
    let (a_addr, peer_addr) = (a.local_addr().unwrap(), peer.local_addr().unwrap());
    a.connect(peer_addr).unwrap();
    third.send_to(b"third", a_addr).await.unwrap();
    peer.send_to(b"one", a_addr).await.unwrap();
    peer.send_to(b"two", a_addr).await.unwrap();
    let mut buf = [0u8; 16];
    timeout(LIMIT, async {
        let (n, from) = a.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"one"[..], peer_addr));
        let n = a.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"two");
    })
    .await
    .expect("the peer's datagrams never came");
    let mut rest = Box::pin(a.recv(&mut buf));
    assert!(
        integration_tests::poll_once(&mut rest).is_pending(),
        "a datagram from a third party was queued"
    );
}

/// `connect` does not purge the queue: a datagram from another socket that
/// was queued before it is still received (Linux).
#[runtime::test(real_clock)]
async fn udp_connect_keeps_datagrams_queued_before_it() {
    let (a, peer, third) = (udp(), udp(), udp());
    let third_addr = third.local_addr().unwrap();
    third
        .send_to(b"early", a.local_addr().unwrap())
        .await
        .unwrap();
    let mut buf = [0u8; 16];
    // Wait until it is queued, without taking it.
    let (n, from) = timeout(LIMIT, a.peek_from(&mut buf))
        .await
        .expect("the datagram never came")
        .unwrap();
    assert_eq!((&buf[..n], from), (&b"early"[..], third_addr));
    a.connect(peer.local_addr().unwrap()).unwrap();
    let (n, from) = a.recv_from(&mut buf).await.unwrap();
    assert_eq!((&buf[..n], from), (&b"early"[..], third_addr));
}

/// `peer_addr` is `NotConnected` until `connect`; `connect` tries each
/// address in turn (an IPv6 one fails on an IPv4 socket) and a second one
/// replaces the peer.
#[runtime::test]
async fn udp_peer_addr_before_and_after_connect() {
    let (a, b, c) = (udp(), udp(), udp());
    let (b_addr, c_addr) = (b.local_addr().unwrap(), c.local_addr().unwrap());
    let err = a.peer_addr().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotConnected, "{err}");
    a.connect(b_addr).unwrap();
    assert_eq!(a.peer_addr().unwrap(), b_addr);
    a.connect(c_addr).unwrap();
    assert_eq!(a.peer_addr().unwrap(), c_addr);

    let v6: SocketAddr = "[::1]:9".parse().unwrap();
    let err = a.connect(v6).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EAFNOSUPPORT), "{err}");
    a.connect(&[v6, b_addr][..]).unwrap();
    assert_eq!(a.peer_addr().unwrap(), b_addr);
    let none: &[SocketAddr] = &[];
    let err = a.connect(none).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
}

/// A second `connect` moves the filter as well as the default peer: the
/// old peer's datagrams are dropped by the kernel, the new one's arrive,
/// and `send` goes to the new one. Before any `connect`, `recv` takes a
/// datagram from anyone.
#[runtime::test(real_clock)]
async fn udp_reconnect_moves_the_filter_and_recv_unconnected_takes_anyone() {
    let (a, old, new) = (udp(), udp(), udp());
    let a_addr = a.local_addr().unwrap();
    let mut buf = [0u8; 16];
    timeout(LIMIT, async {
        old.send_to(b"anyone", a_addr).await.unwrap();
        let n = a.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"anyone", "unconnected recv takes any sender's");

        a.connect(old.local_addr().unwrap()).unwrap();
        a.connect(new.local_addr().unwrap()).unwrap();
        old.send_to(b"old", a_addr).await.unwrap();
        new.send_to(b"new", a_addr).await.unwrap();
        let (n, from) = a.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"new"[..], new.local_addr().unwrap()));
        a.send(b"to new").await.unwrap();
        let (n, from) = new.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"to new"[..], a_addr));
    })
    .await
    .expect("a datagram never came");
    let mut rest = Box::pin(a.recv(&mut buf));
    assert!(
        integration_tests::poll_once(&mut rest).is_pending(),
        "the old peer's datagram was dropped, not queued"
    );
}

/// The edges of one datagram on a connected pair: a zero-length datagram
/// is sent and received as 0 bytes (not mistaken for an end), one longer
/// than the buffer is truncated to `buf.len()` and its rest lost, and a
/// peeked datagram is the next one received.
#[runtime::test(real_clock)]
async fn udp_connected_zero_length_truncated_and_peeked_datagrams() {
    let (a, b) = (udp(), udp());
    a.connect(b.local_addr().unwrap()).unwrap();
    b.connect(a.local_addr().unwrap()).unwrap();
    let mut buf = [0xAAu8; 4];
    timeout(LIMIT, async {
        assert_eq!(a.send(b"").await.unwrap(), 0);
        assert_eq!(b.recv(&mut buf).await.unwrap(), 0);

        assert_eq!(a.send(b"0123456789").await.unwrap(), 10);
        assert_eq!(b.recv(&mut buf).await.unwrap(), buf.len());
        assert_eq!(&buf, b"0123");

        a.send(b"xy").await.unwrap();
        let (n, from) = b.peek_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"xy"[..], a.local_addr().unwrap()));
        buf = [0; 4];
        let n = b.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"xy", "the peeked datagram is received");
    })
    .await
    .expect("a datagram never came");
    let mut rest = Box::pin(b.recv(&mut buf));
    assert!(
        integration_tests::poll_once(&mut rest).is_pending(),
        "the truncated datagram's rest is not a datagram of its own"
    );
}

/// Connected UDP over IPv6 loopback. `::1` is read from
/// `/proc/net/if_inet6`: a machine without it fails this test unless
/// `NET_TEST_NO_IPV6=1` says to expect that.
#[runtime::test(real_clock)]
async fn udp_connected_over_ipv6_loopback() {
    let has_loopback = std::fs::read_to_string("/proc/net/if_inet6")
        .map(|table| {
            table
                .lines()
                .any(|line| line.starts_with("00000000000000000000000000000001"))
        })
        .unwrap_or(false);
    if !has_loopback {
        assert!(
            std::env::var_os("NET_TEST_NO_IPV6").is_some(),
            "no ::1 in /proc/net/if_inet6: set NET_TEST_NO_IPV6=1 to accept that"
        );
        return;
    }
    let a = UdpSocket::bind("[::1]:0").unwrap();
    let b = UdpSocket::bind("[::1]:0").unwrap();
    a.connect(b.local_addr().unwrap()).unwrap();
    assert_eq!(a.peer_addr().unwrap(), b.local_addr().unwrap());
    let mut buf = [0u8; 16];
    timeout(LIMIT, async {
        a.send(b"six").await.unwrap();
        let (n, from) = b.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"six"[..], a.local_addr().unwrap()));
    })
    .await
    .expect("the IPv6 datagram never came");
}

/// `send` without a peer is the OS's error (`EDESTADDRREQ` on Linux),
/// returned at once, from the async and the poll form alike.
#[runtime::test]
async fn udp_send_without_connect_is_an_error() {
    let a = udp();
    let unconnected = |err: &io::Error| {
        matches!(
            err.raw_os_error(),
            Some(libc::EDESTADDRREQ | libc::ENOTCONN)
        )
    };
    let err = a.send(b"to whom?").await.unwrap_err();
    assert!(unconnected(&err), "{err:?}");
    let err = std::future::poll_fn(|cx| a.poll_send(cx, b"to whom?"))
        .await
        .unwrap_err();
    assert!(unconnected(&err), "{err:?}");
}

/// A datagram to a port where nobody listens draws an ICMP "port
/// unreachable"; on a connected socket the next `recv` reports it as
/// `ConnectionRefused` (the wait ends on the error event), once.
#[runtime::test(real_clock)]
async fn udp_recv_after_sending_to_a_closed_port_is_connection_refused() {
    let a = udp();
    a.connect(closed_udp_addr()).unwrap();
    assert_eq!(a.send(b"anyone?").await.unwrap(), 7);
    let mut buf = [0u8; 16];
    let err = timeout(LIMIT, a.recv(&mut buf))
        .await
        .expect("recv hung: the ICMP error was never reported")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err}");
    // Reported once: the next receive waits again.
    let mut again = Box::pin(a.recv(&mut buf));
    assert!(integration_tests::poll_once(&mut again).is_pending());
}

/// A hand-written future over the `poll_*` forms: sends `ping` to the
/// connected peer (`poll_send`), peeks at the reply (`poll_peek_from`),
/// then takes it (`poll_recv`); counts the times it returned `Pending`.
struct PingThenPeekAndRecv<'a> {
    socket: &'a UdpSocket,
    sent: bool,
    peeked: Option<(Vec<u8>, SocketAddr)>,
    buf: [u8; 16],
    pendings: u32,
}

impl PingThenPeekAndRecv<'_> {
    fn step(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Vec<u8>>> {
        if !self.sent {
            let n = ready!(self.socket.poll_send(cx, b"ping"))?;
            assert_eq!(n, 4);
            self.sent = true;
        }
        if self.peeked.is_none() {
            let (n, from) = ready!(self.socket.poll_peek_from(cx, &mut self.buf))?;
            self.peeked = Some((self.buf[..n].to_vec(), from));
        }
        let n = ready!(self.socket.poll_recv(cx, &mut self.buf))?;
        Poll::Ready(Ok(self.buf[..n].to_vec()))
    }
}

impl std::future::Future for PingThenPeekAndRecv<'_> {
    type Output = io::Result<Vec<u8>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let poll = this.step(cx);
        if poll.is_pending() {
            this.pendings += 1;
        }
        poll
    }
}

#[runtime::test(real_clock)]
async fn udp_poll_forms_drive_a_hand_written_future() {
    let (a, peer) = (udp(), udp());
    let (a_addr, peer_addr) = (a.local_addr().unwrap(), peer.local_addr().unwrap());
    a.connect(peer_addr).unwrap();
    // The peer answers with the poll forms of the unconnected calls.
    let answer = runtime::spawn(async move {
        let mut buf = [0u8; 16];
        let (n, from) = std::future::poll_fn(|cx| peer.poll_recv_from(cx, &mut buf))
            .await
            .unwrap();
        assert_eq!((&buf[..n], from), (&b"ping"[..], a_addr));
        std::future::poll_fn(|cx| peer.poll_send_to(cx, b"pong", from))
            .await
            .unwrap();
    });
    let mut ping = PingThenPeekAndRecv {
        socket: &a,
        sent: false,
        peeked: None,
        buf: [0; 16],
        pendings: 0,
    };
    let reply = timeout(LIMIT, &mut ping)
        .await
        .expect("the hand-written future hung")
        .unwrap();
    assert_eq!(reply, b"pong");
    assert_eq!(ping.peeked, Some((b"pong".to_vec(), peer_addr)));
    // The answering task cannot have run before the first poll: the
    // future waited at least once, and a wake brought it back.
    assert!(ping.pendings >= 1, "never waited: {}", ping.pendings);
    answer.await.unwrap();
}

#[runtime::test]
async fn udp_broadcast_and_ttl_read_back() {
    let a = udp();
    assert!(!a.broadcast().unwrap());
    a.set_broadcast(true).unwrap();
    assert!(a.broadcast().unwrap());
    a.set_broadcast(false).unwrap();
    assert!(!a.broadcast().unwrap());
    a.set_ttl(7).unwrap();
    assert_eq!(a.ttl().unwrap(), 7);
    for bad in [0, 256] {
        let err = a.set_ttl(bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "ttl {bad}: {err}");
    }
    assert_eq!(a.ttl().unwrap(), 7);
}
