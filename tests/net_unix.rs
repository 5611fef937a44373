//! `runtime::net::{UnixListener, UnixStream, UnixDatagram}`: bind, accept,
//! connect, read and write on pathname and abstract addresses, socket
//! pairs, split halves in two tasks, several waiters on one socket, the
//! errors a user meets (no such file, nothing listening, a closed peer
//! without SIGPIPE), and use off the loop's thread.
//!
//! The SIGPIPE test runs in a child process (this binary again, with
//! `NET_UNIX_CHILD` set): `std` writes Unix streams with plain `write(2)`,
//! which raises SIGPIPE; ours use `send(2)` with `MSG_NOSIGNAL`.

use std::io::{ErrorKind, IoSlice};
use std::mem::MaybeUninit;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::SocketAddr;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;

use integration_tests::{default_sigpipe, run_child};
use runtime::io::{AsyncReadExt, AsyncWriteExt, ReadBuf};
use runtime::net::{UnixDatagram, UnixListener, UnixStream};
use runtime::time::timeout;

const LIMIT: Duration = Duration::from_secs(20);

/// A fresh directory for one test's socket files, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("net-unix-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        TempDir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn echo(mut conn: UnixStream) {
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

#[test]
fn echo_over_a_path_with_many_clients() {
    let dir = TempDir::new("echo");
    let path = dir.path("echo.sock");
    runtime::block_on(async {
        let listener = UnixListener::bind(&path).unwrap();
        assert_eq!(listener.local_addr().unwrap().as_pathname(), Some(&*path));
        let server = runtime::spawn(async move {
            loop {
                let (conn, from) = listener.accept().await.unwrap();
                assert!(from.is_unnamed(), "a connecting end has no name");
                drop(runtime::spawn(echo(conn)));
            }
        });
        let clients: Vec<_> = (0..50)
            .map(|i| {
                let path = path.clone();
                runtime::spawn(async move {
                    let mut conn = UnixStream::connect(&path).await.unwrap();
                    let msg = format!("client {i}").into_bytes();
                    conn.write_all(&msg).await.unwrap();
                    AsyncWriteExt::shutdown(&mut conn).await.unwrap();
                    let mut got = Vec::new();
                    conn.read_to_end(&mut got).await.unwrap();
                    assert_eq!(got, msg);
                })
            })
            .collect();
        timeout(LIMIT, async {
            for c in clients {
                c.await.unwrap();
            }
        })
        .await
        .expect("unix echo hung");
        server.abort();
    });
}

#[test]
fn abstract_addresses_need_no_file() {
    runtime::block_on(async {
        let name = format!("runtime-net-unix-{}", std::process::id());
        let addr = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let listener = UnixListener::bind_addr(&addr).unwrap();
        let local = listener.local_addr().unwrap();
        assert_eq!(local.as_abstract_name(), Some(name.as_bytes()));
        let mut client = UnixStream::connect_addr(&addr).await.unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        client.write_all(b"abstract").await.unwrap();
        let mut got = [0u8; 8];
        server.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"abstract");
    });
}

#[test]
fn connect_errors_are_prompt_and_named() {
    let dir = TempDir::new("errors");
    runtime::block_on(async {
        let missing = UnixStream::connect(dir.path("nobody.sock")).await;
        assert_eq!(missing.unwrap_err().kind(), ErrorKind::NotFound);
        // A socket file whose listener is gone: refused.
        let path = dir.path("gone.sock");
        drop(UnixListener::bind(&path).unwrap());
        let refused = UnixStream::connect(&path).await;
        assert_eq!(refused.unwrap_err().kind(), ErrorKind::ConnectionRefused);
        // Binding a path that exists: AddrInUse.
        let again = UnixListener::bind(&path);
        assert_eq!(again.unwrap_err().kind(), ErrorKind::AddrInUse);
    });
}

/// The stream core is shared with TCP: `read_buf` into never-written
/// memory, vectored writes, `peek`.
#[test]
fn read_buf_vectored_and_peek_on_a_socketpair() {
    runtime::block_on(async {
        let (mut a, mut b) = UnixStream::pair().unwrap();
        let n = a
            .write_vectored(&[IoSlice::new(b"head "), IoSlice::new(b"body")])
            .await
            .unwrap();
        assert_eq!(n, 9);
        let mut peeked = [0u8; 4];
        assert_eq!(b.peek(&mut peeked).await.unwrap(), 4);
        assert_eq!(&peeked, b"head");
        let mut storage = [MaybeUninit::<u8>::uninit(); 256];
        let mut buf = ReadBuf::uninit(&mut storage);
        let n = b.read_buf(&mut buf).await.unwrap();
        assert_eq!((n, buf.filled()), (9, &b"head body"[..]));
        assert_eq!(buf.initialized().len(), 9, "nothing zeroed");
    });
}

/// One task reads while another writes, through owned halves; dropping the
/// write half sends EOF.
#[test]
fn owned_halves_in_two_tasks() {
    runtime::block_on(async {
        let (a, b) = UnixStream::pair().unwrap();
        let echo = runtime::spawn(echo(b));
        let (mut rx, mut tx) = a.into_split();
        let reader = runtime::spawn(async move {
            let mut got = Vec::new();
            rx.read_to_end(&mut got).await.unwrap();
            got
        });
        runtime::yield_now().await;
        let data = (0..=252u8).collect::<Vec<u8>>().repeat(8000);
        let writer = runtime::spawn({
            let data = data.clone();
            async move { tx.write_all(&data).await.unwrap() }
        });
        let got = timeout(LIMIT, async {
            writer.await.unwrap();
            reader.await.unwrap()
        })
        .await
        .expect("the halves stalled");
        assert!(got == data, "{} of {} bytes", got.len(), data.len());
        echo.await.unwrap();
    });
}

#[test]
fn datagrams_keep_their_boundaries_and_senders() {
    let dir = TempDir::new("dgram");
    runtime::block_on(async {
        let server = UnixDatagram::bind(dir.path("server.sock")).unwrap();
        let client = UnixDatagram::bind(dir.path("client.sock")).unwrap();
        client
            .send_to(b"one", dir.path("server.sock"))
            .await
            .unwrap();
        client
            .send_to(b"two", dir.path("server.sock"))
            .await
            .unwrap();
        let mut buf = [0u8; 16];
        let (n, from) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"one");
        assert_eq!(from.as_pathname(), Some(&*dir.path("client.sock")));
        let (n, _) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"two");

        let unbound = UnixDatagram::unbound().unwrap();
        unbound.connect(dir.path("server.sock")).unwrap();
        unbound.send(b"connected").await.unwrap();
        let n = server.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"connected");
    });
}

/// Two tasks receiving on one shared datagram socket: both get one.
#[test]
fn two_receivers_on_one_datagram_socket_both_get_one() {
    runtime::block_on(async {
        let (a, b) = UnixDatagram::pair().unwrap();
        let b = Rc::new(b);
        let receivers: Vec<_> = (0..2)
            .map(|_| {
                let b = b.clone();
                runtime::spawn(async move {
                    let mut buf = [0u8; 8];
                    let n = b.recv(&mut buf).await.unwrap();
                    buf[..n].to_vec()
                })
            })
            .collect();
        runtime::yield_now().await;
        a.send(b"first").await.unwrap();
        runtime::yield_now().await;
        a.send(b"second").await.unwrap();
        let mut got = Vec::new();
        for r in receivers {
            got.push(timeout(LIMIT, r).await.expect("a receiver hung").unwrap());
        }
        got.sort();
        assert_eq!(got, [b"first".to_vec(), b"second".to_vec()]);
    });
}

/// Moved to another thread, a stream is an error there, not a panic or a
/// hang; moved back, it works.
#[test]
fn a_stream_used_off_its_loop_is_an_error() {
    runtime::block_on(async {
        let (mut a, mut b) = UnixStream::pair().unwrap();
        let (a_back, err) = std::thread::spawn(move || {
            let err = futures::executor::block_on(a.write_all(b"x")).unwrap_err();
            (a, err)
        })
        .join()
        .unwrap();
        assert!(err.to_string().contains("runtime"), "{err}");
        let mut a = a_back;
        a.write_all(b"y").await.unwrap();
        let mut got = [0u8; 1];
        b.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"y");
    });
}

#[test]
fn child_process_entry() {
    match std::env::var("NET_UNIX_CHILD").as_deref() {
        Ok("closed_peer") => closed_peer_scenario(),
        _ => return,
    }
    println!("CHILD-OK");
}

#[test]
fn writing_to_a_closed_peer_is_broken_pipe_without_sigpipe() {
    run_child("NET_UNIX_CHILD", "closed_peer");
}

fn closed_peer_scenario() {
    default_sigpipe();
    runtime::block_on(async {
        let (mut a, b) = UnixStream::pair().unwrap();
        drop(b);
        let err = a.write_all(b"nobody reads").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe, "{err:?}");
        let bufs = [IoSlice::new(b"nor"), IoSlice::new(b" this")];
        let err = a.write_vectored(&bufs).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe, "{err:?}");
    });
}
