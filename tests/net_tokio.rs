//! What a user coming from tokio reaches for on a `TcpStream` (issue #20),
//! each test pinning the semantics tokio documents: `read_buf` into
//! uninitialised memory, vectored reads and writes, `peek`, the socket
//! options, split halves in two tasks (and `reunite`, and the write half's
//! shutdown on drop), and `TcpSocket` with `SO_REUSEPORT`.
//!
//! The SIGPIPE test runs in a child process (this binary again, with
//! `NET_TOKIO_CHILD` set), because it puts `SIGPIPE` back to its default
//! action to prove that the vectored write never raises it.

use std::io::{ErrorKind, IoSlice, IoSliceMut};
use std::mem::MaybeUninit;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

use integration_tests::{default_sigpipe, run_child};
use runtime::io::{AsyncReadExt, ReadBuf};
use runtime::net::{TcpListener, TcpSocket, TcpStream};
use runtime::time::timeout;

/// Every wait's upper bound: a hang fails instead of stalling CI.
const LIMIT: Duration = Duration::from_secs(20);

/// A connected (client, server) pair on 127.0.0.1.
async fn pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    (client, server)
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

// ---- read_buf: reads into uninitialised memory -------------------------

/// The bytes of a fresh allocation are never written by us: `recv(2)`
/// writes into them, and only what it wrote counts as initialised (the
/// default `poll_read_buf` would have zeroed the whole buffer first).
/// Under valgrind (CI's memcheck step), reading an uninitialised byte
/// here would be reported.
#[test]
fn read_buf_reads_into_never_written_memory_without_zeroing_it() {
    runtime::block_on(async {
        let (mut client, mut server) = pair().await;
        let data = pattern(3000);
        client.write_all(&data).await.unwrap();
        client.shutdown(std::net::Shutdown::Write).unwrap();

        let mut storage: Vec<u8> = Vec::with_capacity(64 * 1024);
        let mut buf = ReadBuf::uninit(storage.spare_capacity_mut());
        loop {
            let before = buf.filled().len();
            let n = server.read_buf(&mut buf).await.unwrap();
            assert_eq!(buf.filled().len(), before + n);
            // Nothing beyond what recv(2) wrote was touched.
            assert_eq!(buf.initialized().len(), buf.filled().len());
            if n == 0 {
                break;
            }
        }
        assert_eq!(buf.filled(), &data[..]);
    });
}

/// The `AsyncRead` route (`poll_read_buf`, which `read_to_end` uses) is
/// the same `recv(2)`, on the stream and on a read half.
#[test]
fn poll_read_buf_through_the_trait_and_read_to_end_on_a_half() {
    runtime::block_on(async {
        let (mut client, server) = pair().await;
        let data = pattern(100_000);
        let writer = runtime::spawn(async move {
            client.write_all(&data).await.unwrap();
            data
        });
        let (mut rx, _tx) = server.into_split();
        let mut storage = [MaybeUninit::<u8>::uninit(); 10];
        let mut small = ReadBuf::uninit(&mut storage);
        let n = AsyncReadExt::read_buf(&mut rx, &mut small).await.unwrap();
        assert!(n > 0 && small.initialized().len() == n);
        let mut rest = Vec::new();
        let writer_data = {
            let reading = AsyncReadExt::read_to_end(&mut rx, &mut rest);
            // The writer drops its stream when done: EOF ends read_to_end.
            let (read, data) = runtime::gather!(reading, writer);
            read.unwrap();
            data.unwrap()
        };
        let mut got = small.filled().to_vec();
        got.extend_from_slice(&rest);
        assert_eq!(got, writer_data);
    });
}

/// tokio: a `read_buf` into a full buffer returns `Ok(0)` at once.
#[test]
fn read_buf_into_a_full_buffer_is_zero_at_once() {
    runtime::block_on(async {
        let (_client, mut server) = pair().await;
        let mut storage = [0u8; 0];
        let mut buf = ReadBuf::new(&mut storage);
        let n = timeout(LIMIT, server.read_buf(&mut buf)).await.unwrap();
        assert_eq!(n.unwrap(), 0);
    });
}

// ---- vectored reads and writes -----------------------------------------

#[test]
fn write_vectored_gathers_and_read_vectored_scatters() {
    runtime::block_on(async {
        let (mut client, mut server) = pair().await;
        let bufs = [
            IoSlice::new(b"GET / "),
            IoSlice::new(b""),
            IoSlice::new(b"HTTP/1.1\r\n\r\n"),
        ];
        let n = client.write_vectored(&bufs).await.unwrap();
        assert_eq!(n, 18, "a small gather write is taken whole");
        let (mut method, mut rest) = ([0u8; 4], [0u8; 32]);
        {
            let mut storage = [IoSliceMut::new(&mut method), IoSliceMut::new(&mut rest)];
            let mut bufs = &mut storage[..];
            let mut got = 0;
            while got < 18 {
                let n = server.read_vectored(bufs).await.unwrap();
                assert!(n > 0, "EOF after {got} bytes");
                got += n;
                // Past what this (possibly short) read filled.
                IoSliceMut::advance_slices(&mut bufs, n);
            }
        }
        assert_eq!(&method, b"GET ");
        assert_eq!(&rest[..14], b"/ HTTP/1.1\r\n\r\n");
    });
}

/// A gather write larger than the send buffer: `write_vectored` takes a
/// prefix (possibly ending inside a buffer) and the peer receives exactly
/// that prefix of the concatenation, in order.
#[test]
fn a_partial_vectored_write_sends_a_prefix_of_the_concatenation() {
    runtime::block_on(async {
        let (mut client, mut server) = pair().await;
        // 8 MB each (Linux takes about 4 MB in one go on loopback), made
        // by copying rather than byte by byte: quick under valgrind too.
        let a = pattern(4093).repeat((8 << 20) / 4093);
        let b = vec![7u8; 8 << 20];
        let n = client
            .write_vectored(&[IoSlice::new(&a), IoSlice::new(&b)])
            .await
            .unwrap();
        assert!(
            n > 0 && n < a.len() + b.len(),
            "16 MB fit the socket buffers? n = {n}"
        );
        drop(client);
        let mut got = Vec::new();
        timeout(LIMIT, server.read_to_end(&mut got))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got.len(), n);
        let (in_a, in_b) = got.split_at(n.min(a.len()));
        assert!(
            in_a == &a[..in_a.len()],
            "the bytes received are not the prefix"
        );
        assert!(
            in_b == &b[..in_b.len()],
            "the bytes received are not the prefix"
        );
    });
}

#[test]
fn child_process_entry() {
    match std::env::var("NET_TOKIO_CHILD").as_deref() {
        Ok("vectored_to_a_closed_peer") => vectored_to_a_closed_peer_scenario(),
        _ => return,
    }
    println!("CHILD-OK");
}

/// `writev(2)` would raise SIGPIPE here; `sendmsg(2)` with `MSG_NOSIGNAL`
/// gives `BrokenPipe`/`ConnectionReset` instead.
#[test]
fn write_vectored_to_a_closed_peer_errors_without_sigpipe() {
    run_child("NET_TOKIO_CHILD", "vectored_to_a_closed_peer");
}

fn vectored_to_a_closed_peer_scenario() {
    default_sigpipe();
    runtime::block_on(async {
        let (mut client, server) = pair().await;
        server.set_linger(Some(Duration::ZERO)).unwrap();
        drop(server); // an RST: the next writes fail
        let chunk = vec![1u8; 1 << 20];
        let err = timeout(LIMIT, async {
            loop {
                let bufs = [IoSlice::new(&chunk), IoSlice::new(&chunk)];
                if let Err(e) = client.write_vectored(&bufs).await {
                    return e;
                }
            }
        })
        .await
        .expect("write_vectored to a closed peer hung");
        assert!(
            matches!(
                err.kind(),
                ErrorKind::BrokenPipe | ErrorKind::ConnectionReset
            ),
            "{err:?}"
        );
        // The reset is reported once; the writes after it are EPIPE, the
        // error that comes with SIGPIPE unless MSG_NOSIGNAL is given.
        let bufs = [IoSlice::new(b"after"), IoSlice::new(b" the reset")];
        let err = client.write_vectored(&bufs).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe, "{err:?}");
        // And after our own shutdown(SHUT_WR).
        let (mut client, _server) = pair().await;
        client.shutdown(std::net::Shutdown::Write).unwrap();
        let err = client.write_vectored(&bufs).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe, "{err:?}");
    });
}

// ---- peek --------------------------------------------------------------

/// tokio: "successive calls return the same data"; the next read returns
/// it again; at EOF, `peek` returns 0.
#[test]
fn peek_leaves_the_data_for_the_next_read_and_sees_eof() {
    runtime::block_on(async {
        let (mut client, mut server) = pair().await;
        // A peek waits for data like a read does.
        let peeker = runtime::spawn(async move {
            let mut first = [0u8; 16];
            let n = server.peek(&mut first).await.unwrap();
            let mut again = [0u8; 16];
            let m = server.peek(&mut again).await.unwrap();
            assert_eq!(&first[..n], &again[..m]);
            let mut read = [0u8; 5];
            server.read_exact(&mut read).await.unwrap();
            assert_eq!(&read, b"hello");
            assert_eq!(server.peek(&mut first).await.unwrap(), 0, "EOF");
            first[..n].to_vec()
        });
        runtime::yield_now().await;
        client.write_all(b"hello").await.unwrap();
        client.shutdown(std::net::Shutdown::Write).unwrap();
        let peeked = timeout(LIMIT, peeker).await.unwrap().unwrap();
        assert_eq!(peeked, b"hello");
    });
}

// ---- socket options ----------------------------------------------------

#[test]
fn nodelay_linger_and_ttl_read_back_what_was_set() {
    runtime::block_on(async {
        let (client, _server) = pair().await;
        assert!(!client.nodelay().unwrap(), "Nagle is on by default");
        client.set_nodelay(true).unwrap();
        assert!(client.nodelay().unwrap());
        assert_eq!(client.linger().unwrap(), None);
        client.set_linger(Some(Duration::from_secs(3))).unwrap();
        assert_eq!(client.linger().unwrap(), Some(Duration::from_secs(3)));
        client.set_linger(None).unwrap();
        assert_eq!(client.linger().unwrap(), None);
        client.set_ttl(17).unwrap();
        assert_eq!(client.ttl().unwrap(), 17);
    });
}

/// `SO_LINGER` of zero: dropping the stream resets the connection, and
/// the peer's read fails with `ConnectionReset` instead of reading EOF.
#[test]
fn linger_zero_makes_the_close_a_reset() {
    runtime::block_on(async {
        let (client, mut server) = pair().await;
        client.set_linger(Some(Duration::ZERO)).unwrap();
        drop(client);
        let mut buf = [0u8; 8];
        let got = timeout(LIMIT, server.read(&mut buf)).await.unwrap();
        assert_eq!(got.unwrap_err().kind(), ErrorKind::ConnectionReset);
    });
}

// ---- split halves in two tasks -----------------------------------------

/// The reader task waits on the read direction first; the writer task
/// then pushes 4 MB (more than the socket buffers hold, so it waits on the
/// write direction too) while the reader still waits; the peer echoes.
/// Neither half holds the other up.
#[test]
fn owned_halves_read_and_write_from_two_tasks_at_once() {
    runtime::block_on(async {
        let (client, server) = pair().await;
        let echo = runtime::spawn(async move {
            let (mut rx, mut tx) = server.into_split();
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                match rx.read(&mut buf).await.unwrap() {
                    0 => return,
                    n => tx.write_all(&buf[..n]).await.unwrap(),
                }
            }
        });
        let data = pattern(4093).repeat((4 << 20) / 4093);
        let (mut rx, mut tx) = client.into_split();
        let reader = runtime::spawn(async move {
            let mut got = Vec::new();
            rx.read_to_end(&mut got).await.unwrap();
            got
        });
        runtime::yield_now().await; // the reader is waiting now
        let writer = runtime::spawn({
            let data = data.clone();
            async move {
                tx.write_all(&data).await.unwrap();
                // Dropping the owned write half shuts the write direction
                // down: the echo sees EOF and closes, the reader sees EOF.
            }
        });
        let got = timeout(LIMIT, async {
            writer.await.unwrap();
            reader.await.unwrap()
        })
        .await
        .expect("the split halves stalled each other");
        assert_eq!(got.len(), data.len());
        assert!(got == data);
        echo.await.unwrap();
    });
}

/// tokio: dropping an `OwnedWriteHalf` shuts the write direction down even
/// while the read half lives; `forget` drops it without that.
#[test]
fn dropping_the_owned_write_half_sends_eof_and_forget_does_not() {
    runtime::block_on(async {
        let (client, mut server) = pair().await;
        let (_rx, tx) = client.into_split();
        drop(tx);
        let mut buf = [0u8; 1];
        let n = timeout(LIMIT, server.read(&mut buf)).await.unwrap();
        assert_eq!(n.unwrap(), 0, "EOF after the write half dropped");

        let (client, mut server) = pair().await;
        let (rx, tx) = client.into_split();
        tx.forget();
        // No FIN was sent: the read times out (a FIN cannot arrive late on
        // loopback, so the short bound only makes the test quick).
        let read = timeout(Duration::from_millis(200), server.read(&mut buf)).await;
        assert!(read.is_err(), "a forgotten write half shut down: {read:?}");
        drop(rx); // now the socket closes
        let n = timeout(LIMIT, server.read(&mut buf)).await.unwrap();
        assert_eq!(n.unwrap(), 0);
    });
}

#[test]
fn reunite_gives_the_stream_back_only_from_its_own_halves() {
    runtime::block_on(async {
        let (a, mut peer) = pair().await;
        let (b, _peer_b) = pair().await;
        let (a_rx, a_tx) = a.into_split();
        let (b_rx, b_tx) = b.into_split();
        let err = a_rx.reunite(b_tx).unwrap_err();
        assert!(err.to_string().contains("not from the same socket"));
        let runtime::net::tcp::ReuniteError(a_rx, b_tx) = err;
        let mut a = a_rx.reunite(a_tx).unwrap();
        b_rx.reunite(b_tx).unwrap();
        // Reuniting did not shut the write direction down.
        a.write_all(b"still open").await.unwrap();
        let mut got = [0u8; 10];
        peer.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"still open");
    });
}

/// Two tasks peeking one shared stream: both are woken by one arrival.
#[test]
fn two_peekers_of_one_stream_are_both_woken() {
    runtime::block_on(async {
        let (client, mut server) = pair().await;
        let client = Rc::new(client);
        let peekers: Vec<_> = (0..2)
            .map(|_| {
                let client = client.clone();
                runtime::spawn(async move {
                    let mut byte = [0u8; 1];
                    client.peek(&mut byte).await.unwrap();
                    byte[0]
                })
            })
            .collect();
        runtime::yield_now().await;
        server.write_all(b"x").await.unwrap();
        for peeker in peekers {
            assert_eq!(timeout(LIMIT, peeker).await.unwrap().unwrap(), b'x');
        }
    });
}

// ---- TcpSocket ---------------------------------------------------------

fn reuseport_listener(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseport(true)?;
    assert!(socket.reuseport()?);
    socket.bind(addr)?;
    socket.listen(128)
}

/// Two listeners with `SO_REUSEPORT` on one port: the kernel spreads
/// connections over both, so each accepts some (what `serve --workers N`
/// builds on). Clients connect until both have accepted one: the hash of
/// 4-tuples puts all of 200 on one side with probability 2^-199.
#[test]
fn two_reuseport_listeners_on_one_port_both_accept() {
    runtime::block_on(async {
        let first = reuseport_listener("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = first.local_addr().unwrap();
        let second = reuseport_listener(addr).unwrap();
        assert_eq!(second.local_addr().unwrap(), addr);
        let counts = Rc::new([std::cell::Cell::new(0u32), std::cell::Cell::new(0u32)]);
        let mut acceptors = Vec::new();
        for (i, listener) in [first, second].into_iter().enumerate() {
            let counts = counts.clone();
            acceptors.push(runtime::spawn(async move {
                let mut held = Vec::new();
                loop {
                    let (conn, _) = listener.accept().await.unwrap();
                    held.push(conn);
                    counts[i].set(counts[i].get() + 1);
                }
            }));
        }
        let mut clients = Vec::new();
        for _ in 0..200 {
            clients.push(TcpStream::connect(addr).await.unwrap());
            // Let the acceptors take what arrived.
            for _ in 0..4 {
                runtime::yield_now().await;
            }
            if counts[0].get() > 0 && counts[1].get() > 0 {
                break;
            }
        }
        let (a, b) = (counts[0].get(), counts[1].get());
        assert!(
            a > 0 && b > 0,
            "one listener took every connection: {a} / {b}"
        );
        for acceptor in acceptors {
            acceptor.abort();
        }
    });
}

/// Without `SO_REUSEPORT` on both, the second bind fails.
#[test]
fn a_second_bind_without_reuseport_is_addr_in_use() {
    runtime::block_on(async {
        let first = TcpSocket::new_v4().unwrap();
        first.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = first.local_addr().unwrap();
        let _listener = first.listen(16).unwrap();
        let second = TcpSocket::new_v4().unwrap();
        second.set_reuseport(true).unwrap(); // only one side: not enough
        let err = second.bind(addr).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
    });
}

#[test]
fn tcp_socket_options_and_connect() {
    runtime::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        assert!(socket.reuseaddr().unwrap());
        socket.set_recv_buffer_size(64 * 1024).unwrap();
        assert!(socket.recv_buffer_size().unwrap() >= 64 * 1024);
        socket.set_send_buffer_size(64 * 1024).unwrap();
        assert!(socket.send_buffer_size().unwrap() >= 64 * 1024);
        socket.set_keepalive(true).unwrap();
        assert!(socket.keepalive().unwrap());
        socket.set_nodelay(true).unwrap();
        socket.set_linger(Some(Duration::from_secs(1))).unwrap();
        assert_eq!(socket.linger().unwrap(), Some(Duration::from_secs(1)));
        let mut stream = socket.connect(addr).await.unwrap();
        assert!(stream.nodelay().unwrap(), "options set before connect stay");
        let (mut peer, from) = listener.accept().await.unwrap();
        assert_eq!(from, stream.local_addr().unwrap());
        stream.write_all(b"hi").await.unwrap();
        let mut got = [0u8; 2];
        peer.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"hi");
    });
}

#[test]
fn tcp_socket_connect_refused_and_outside_a_runtime() {
    // Made and configured outside a runtime; listen needs one.
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_reuseaddr(true).unwrap();
    let err = socket.listen(8).unwrap_err();
    assert!(err.to_string().contains("inside a runtime"), "{err}");
    runtime::block_on(async {
        // A port with nothing on it: bind one, note it, close it.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let err = TcpSocket::new_v4()
            .unwrap()
            .connect(port)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    });
}

#[test]
fn new_types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<TcpSocket>();
    send_sync::<runtime::net::tcp::ReuniteError>();
    send_sync::<runtime::net::UnixListener>();
    send_sync::<runtime::net::UnixStream>();
    send_sync::<runtime::net::UnixDatagram>();
    send_sync::<runtime::net::unix::OwnedReadHalf>();
    send_sync::<runtime::net::unix::OwnedWriteHalf>();
    send_sync::<runtime::net::unix::ReadHalf<'static>>();
    send_sync::<runtime::net::unix::WriteHalf<'static>>();
}
