//! [`TcpStream`]: a TCP connection on the loop's reactor.

use std::fmt;
use std::future::poll_fn;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, ToSocketAddrs};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::Arc;
use std::task::{Context, Poll};

use super::registration::{Registration, Waiter};
use crate::driver::reactor::Direction;

/// A TCP connection, registered with the reactor of the runtime it was made
/// in.
///
/// Made by [`TcpStream::connect`] or
/// [`TcpListener::accept`](super::TcpListener::accept). Reads and writes are
/// `read(2)` and `send(2)` on a non-blocking socket; when one reports
/// `EAGAIN` the task waits for the reactor's next readiness event for that
/// direction. Writes use `MSG_NOSIGNAL` (as `std` does on Linux), so writing
/// to a connection the peer has closed gives `BrokenPipe` or
/// `ConnectionReset`, never `SIGPIPE`.
///
/// To read in one task and write in another, split it:
/// [`into_split`](TcpStream::into_split) (owned halves sharing an `Arc`) or
/// [`split`](TcpStream::split) (borrowed halves); or share an
/// `Rc<TcpStream>` and use the `&self` methods
/// [`poll_read`](TcpStream::poll_read)/[`poll_write`](TcpStream::poll_write).
///
/// A `TcpStream` is `Send` and `Sync`: it may be moved to another thread or
/// dropped there (its reactor slot is then freed by the loop), but reads and
/// writes only work on the thread running the runtime it was made in;
/// elsewhere they return an error that says so.
///
/// ```
/// use runtime::net::{TcpListener, TcpStream};
///
/// runtime::block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").unwrap();
///     let addr = listener.local_addr().unwrap();
///     let server = runtime::spawn(async move {
///         let (mut conn, _) = listener.accept().await.unwrap();
///         let mut buf = [0u8; 5];
///         conn.read_exact(&mut buf).await.unwrap();
///         conn.write_all(&buf).await.unwrap();
///     });
///     let mut client = TcpStream::connect(addr).await.unwrap();
///     client.write_all(b"hello").await.unwrap();
///     let mut echo = [0u8; 5];
///     client.read_exact(&mut echo).await.unwrap();
///     assert_eq!(&echo, b"hello");
///     server.await.unwrap();
/// });
/// ```
pub struct TcpStream {
    io: mio::net::TcpStream,
    reg: Registration,
}

impl TcpStream {
    /// Registers an already connected (or connecting) `mio` stream.
    pub(crate) fn from_mio(mut io: mio::net::TcpStream) -> io::Result<TcpStream> {
        let fd = io.as_raw_fd();
        let reg = Registration::new(&mut io, fd)?;
        Ok(TcpStream { io, reg })
    }

    /// Opens a connection to `addr`, trying each address it resolves to in
    /// turn until one accepts.
    ///
    /// Non-blocking `connect(2)`: the call returns `EINPROGRESS`, the task
    /// waits until the socket is writable, then reads the outcome with
    /// `getsockopt(SO_ERROR)` (`take_error`). A refused connection therefore
    /// gives [`io::ErrorKind::ConnectionRefused`] promptly, not a hang.
    ///
    /// # Errors
    /// The last address's error (`ConnectionRefused`, `TimedOut`, ...), or
    /// `InvalidInput` if `addr` resolves to nothing; `Other` outside a
    /// runtime.
    pub async fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        let mut last = None;
        for addr in addr.to_socket_addrs()? {
            match TcpStream::connect_one(addr).await {
                Ok(stream) => return Ok(stream),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(super::no_addresses))
    }

    async fn connect_one(addr: SocketAddr) -> io::Result<TcpStream> {
        let stream = TcpStream::from_mio(mio::net::TcpStream::connect(addr)?)?;
        // The slot starts out "ready"; for a connect in progress, wait for
        // the real EPOLLOUT (epoll reports it even if it came before the
        // registration).
        stream.reg.clear_ready(Direction::Write);
        {
            let mut waiter = Waiter::new(&stream.reg, Direction::Write);
            loop {
                poll_fn(|cx| waiter.poll_ready(cx)).await?;
                if let Some(e) = stream.io.take_error()? {
                    return Err(e);
                }
                match stream.io.peer_addr() {
                    Ok(_) => break,
                    // Not connected yet (a spurious wake): wait for the next edge.
                    Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                        stream.reg.clear_ready(Direction::Write);
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(stream)
    }

    /// Reads into `buf` (one `read(2)`), waiting until data, EOF or an error
    /// is there. `Ok(0)` means the peer closed its side (EOF), or `buf` is
    /// empty.
    ///
    /// # Errors
    /// The OS's (`ConnectionReset`, ...).
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        read(self, buf).await
    }

    /// Fills all of `buf`, with as many `read(2)`s as it takes.
    ///
    /// # Errors
    /// [`io::ErrorKind::UnexpectedEof`] if the peer closes before `buf` is
    /// full (what was read stays in `buf`), or the OS's.
    pub async fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        read_exact(self, buf).await
    }

    /// Writes some of `buf` (one `send(2)`), waiting until there is room in
    /// the send buffer. Returns how many bytes were taken.
    ///
    /// # Errors
    /// The OS's: `BrokenPipe` or `ConnectionReset` if the peer is gone.
    pub async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        write(self, buf).await
    }

    /// Writes all of `buf`, with as many `send(2)`s as it takes.
    ///
    /// # Errors
    /// The OS's: `BrokenPipe` or `ConnectionReset` if the peer is gone
    /// (part of `buf` may have been sent); `WriteZero` if a `send(2)` took
    /// nothing.
    pub async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        write_all(self, buf).await
    }

    /// The `&self` form of [`read`](TcpStream::read), for hand-written
    /// futures and for sharing one stream between a reader and a writer
    /// task: `Ready` with the bytes read, or `Pending` with the task's waker
    /// stored for the read direction until the next readiness event (every
    /// task that polls it is woken then, not only the last).
    pub fn poll_read(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.reg
            .poll_io(Direction::Read, cx, || (&self.io).read(buf))
    }

    /// The `&self` form of [`write`](TcpStream::write) (see
    /// [`poll_read`](TcpStream::poll_read)).
    pub fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.reg
            .poll_io(Direction::Write, cx, || (&self.io).write(buf))
    }

    /// Shuts down the read, write or both halves (`shutdown(2)`). After
    /// `Shutdown::Write` the peer reads EOF once it has read everything
    /// sent before.
    ///
    /// # Errors
    /// The OS's (`NotConnected`, ...).
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.shutdown(how)
    }

    /// The remote address (`getpeername(2)`).
    ///
    /// # Errors
    /// `NotConnected` if the connection is gone.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.peer_addr()
    }

    /// The local address (`getsockname(2)`).
    ///
    /// # Errors
    /// The OS's.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.local_addr()
    }

    /// Turns Nagle's algorithm off (`true`) or on: `setsockopt(TCP_NODELAY)`.
    /// Small writes then leave at once instead of waiting to be coalesced.
    ///
    /// # Errors
    /// The OS's.
    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.io.set_nodelay(on)
    }

    /// Borrowed read and write halves, usable from two futures at once (for
    /// example joined in one task).
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        (ReadHalf(self), WriteHalf(self))
    }

    /// Owned read and write halves sharing the stream through an `Arc`, to
    /// move into two tasks. The socket closes when both are dropped.
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        let shared = Arc::new(self);
        (OwnedReadHalf(shared.clone()), OwnedWriteHalf(shared))
    }
}

async fn read(s: &TcpStream, buf: &mut [u8]) -> io::Result<usize> {
    let mut waiter = Waiter::new(&s.reg, Direction::Read);
    poll_fn(|cx| waiter.poll_io(cx, || (&s.io).read(buf))).await
}

async fn read_exact(s: &TcpStream, mut buf: &mut [u8]) -> io::Result<()> {
    let mut waiter = Waiter::new(&s.reg, Direction::Read);
    while !buf.is_empty() {
        let read = poll_fn(|cx| waiter.poll_io(cx, || (&s.io).read(buf))).await;
        match read? {
            0 => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the peer closed the connection before the buffer was full",
                ));
            }
            n => buf = &mut buf[n..],
        }
    }
    Ok(())
}

async fn write(s: &TcpStream, buf: &[u8]) -> io::Result<usize> {
    let mut waiter = Waiter::new(&s.reg, Direction::Write);
    poll_fn(|cx| waiter.poll_io(cx, || (&s.io).write(buf))).await
}

async fn write_all(s: &TcpStream, mut buf: &[u8]) -> io::Result<()> {
    let mut waiter = Waiter::new(&s.reg, Direction::Write);
    while !buf.is_empty() {
        let written = poll_fn(|cx| waiter.poll_io(cx, || (&s.io).write(buf))).await;
        match written? {
            0 => {
                return Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    "send(2) took no bytes",
                ));
            }
            n => buf = &buf[n..],
        }
    }
    Ok(())
}

impl Drop for TcpStream {
    fn drop(&mut self) {
        self.reg.deregister(&mut self.io);
    }
}

impl AsRawFd for TcpStream {
    fn as_raw_fd(&self) -> RawFd {
        self.io.as_raw_fd()
    }
}

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpStream")
            .field("fd", &self.io.as_raw_fd())
            .field("local", &self.io.local_addr().ok())
            .field("peer", &self.io.peer_addr().ok())
            .finish()
    }
}

/// The read half of [`TcpStream::split`].
#[derive(Debug)]
pub struct ReadHalf<'a>(&'a TcpStream);

/// The write half of [`TcpStream::split`].
#[derive(Debug)]
pub struct WriteHalf<'a>(&'a TcpStream);

/// The read half of [`TcpStream::into_split`].
#[derive(Debug)]
pub struct OwnedReadHalf(Arc<TcpStream>);

/// The write half of [`TcpStream::into_split`].
#[derive(Debug)]
pub struct OwnedWriteHalf(Arc<TcpStream>);

macro_rules! read_half {
    ($t:ty) => {
        impl $t {
            /// As [`TcpStream::read`].
            ///
            /// # Errors
            /// As [`TcpStream::read`].
            pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                read(&self.0, buf).await
            }

            /// As [`TcpStream::read_exact`].
            ///
            /// # Errors
            /// As [`TcpStream::read_exact`].
            pub async fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
                read_exact(&self.0, buf).await
            }
        }
    };
}

macro_rules! write_half {
    ($t:ty) => {
        impl $t {
            /// As [`TcpStream::write`].
            ///
            /// # Errors
            /// As [`TcpStream::write`].
            pub async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                write(&self.0, buf).await
            }

            /// As [`TcpStream::write_all`].
            ///
            /// # Errors
            /// As [`TcpStream::write_all`].
            pub async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
                write_all(&self.0, buf).await
            }

            /// `shutdown(2)` of the write direction: the peer reads EOF.
            ///
            /// # Errors
            /// As [`TcpStream::shutdown`].
            pub fn shutdown(&self) -> io::Result<()> {
                self.0.shutdown(Shutdown::Write)
            }
        }
    };
}

read_half!(ReadHalf<'_>);
read_half!(OwnedReadHalf);
write_half!(WriteHalf<'_>);
write_half!(OwnedWriteHalf);

#[cfg(feature = "futures-io")]
mod futures_io_impls {
    use std::io;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use super::TcpStream;

    impl futures_io::AsyncRead for TcpStream {
        fn poll_read(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut [u8],
        ) -> Poll<io::Result<usize>> {
            TcpStream::poll_read(&self, cx, buf)
        }
    }

    impl futures_io::AsyncWrite for TcpStream {
        fn poll_write(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            TcpStream::poll_write(&self, cx, buf)
        }

        /// Nothing to flush: every write goes straight to `send(2)`.
        fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        /// `shutdown(2)` of the write direction.
        fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(self.shutdown(std::net::Shutdown::Write))
        }
    }
}

#[cfg(all(test, feature = "futures-io"))]
mod futures_io_tests {
    use futures::{AsyncReadExt, AsyncWriteExt};

    use crate::net::{TcpListener, TcpStream};

    #[test]
    fn async_read_and_write_through_futures_io() {
        crate::block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            let server = crate::spawn(async move {
                let (mut conn, _) = listener.accept().await.unwrap();
                let mut got = Vec::new();
                AsyncReadExt::read_to_end(&mut conn, &mut got)
                    .await
                    .unwrap();
                got
            });
            let mut client = TcpStream::connect(addr).await.unwrap();
            AsyncWriteExt::write_all(&mut client, b"through futures-io")
                .await
                .unwrap();
            AsyncWriteExt::close(&mut client).await.unwrap();
            assert_eq!(server.await.unwrap(), b"through futures-io");
        });
    }
}

/// [`crate::io::AsyncRead`]/[`AsyncWrite`](crate::io::AsyncWrite) for the
/// stream and its halves, so that protocol code generic over them runs on a
/// socket as on a test [`Mock`](crate::testing::io::Mock). Each forwards to
/// the `&self` `poll_read`/`poll_write` (one `read(2)`/`send(2)`, `Pending`
/// on `EAGAIN` until the reactor's next event); flushing does nothing (a
/// socket buffers nothing of its own); shutting down is `shutdown(SHUT_WR)`.
mod io_impls {
    use std::io;
    use std::net::Shutdown;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use super::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, TcpStream, WriteHalf};
    use crate::io::{AsyncRead, AsyncWrite};

    // `$this => $stream`: how to reach the `TcpStream` from `&mut Self`.
    macro_rules! async_read {
        ($t:ty, $this:ident => $stream:expr) => {
            impl AsyncRead for $t {
                fn poll_read(
                    self: Pin<&mut Self>,
                    cx: &mut Context<'_>,
                    buf: &mut [u8],
                ) -> Poll<io::Result<usize>> {
                    let $this = self.get_mut();
                    let stream: &TcpStream = $stream;
                    stream.poll_read(cx, buf)
                }
            }
        };
    }

    macro_rules! async_write {
        ($t:ty, $this:ident => $stream:expr) => {
            impl AsyncWrite for $t {
                fn poll_write(
                    self: Pin<&mut Self>,
                    cx: &mut Context<'_>,
                    buf: &[u8],
                ) -> Poll<io::Result<usize>> {
                    let $this = self.get_mut();
                    let stream: &TcpStream = $stream;
                    stream.poll_write(cx, buf)
                }

                fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                    Poll::Ready(Ok(()))
                }

                fn poll_shutdown(
                    self: Pin<&mut Self>,
                    _cx: &mut Context<'_>,
                ) -> Poll<io::Result<()>> {
                    let $this = self.get_mut();
                    let stream: &TcpStream = $stream;
                    Poll::Ready(stream.shutdown(Shutdown::Write))
                }
            }
        };
    }

    async_read!(TcpStream, this => this);
    async_write!(TcpStream, this => this);
    async_read!(ReadHalf<'_>, this => this.0);
    async_write!(WriteHalf<'_>, this => this.0);
    async_read!(OwnedReadHalf, this => &this.0);
    async_write!(OwnedWriteHalf, this => &this.0);
}
