//! [`UnixStream`]: a Unix stream connection on the loop's reactor.

use std::future::Future;
use std::io;
use std::os::unix::net::SocketAddr;
use std::panic::Location;
use std::path::Path;

use super::split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};
use crate::net::stream::Stream;

/// A Unix stream connection, registered with the reactor of the runtime it
/// was made in: the same methods as [`TcpStream`](crate::net::TcpStream)'s
/// (reads, writes, `read_buf` into uninitialised memory, vectored I/O,
/// `peek`, `split`/`into_split`), on an `AF_UNIX` socket.
///
/// ```
/// use runtime::io::{AsyncReadExt, AsyncWriteExt};
/// use runtime::net::UnixStream;
///
/// runtime::block_on(async {
///     // socketpair(2): two connected ends, no file.
///     let (mut a, mut b) = UnixStream::pair().unwrap();
///     a.write_all(b"over a socketpair").await.unwrap();
///     AsyncWriteExt::shutdown(&mut a).await.unwrap();
///     let mut got = Vec::new();
///     b.read_to_end(&mut got).await.unwrap();
///     assert_eq!(got, b"over a socketpair");
/// });
/// ```
pub struct UnixStream {
    pub(crate) inner: Stream<mio::net::UnixStream>,
}

impl UnixStream {
    pub(crate) fn from_mio(io: mio::net::UnixStream) -> io::Result<UnixStream> {
        Ok(UnixStream {
            inner: Stream::new(io)?,
        })
    }

    /// Connects to the socket bound to the file `path`: a non-blocking
    /// `connect(2)`, then a wait until the socket is writable and
    /// `getsockopt(SO_ERROR)` says how it went.
    ///
    /// # Errors
    /// `NotFound` if no file is there, `ConnectionRefused` if nothing
    /// listens on it, `WouldBlock` if the listener's backlog is full (Linux
    /// fails a non-blocking Unix connect at once then); `Other` outside a
    /// runtime.
    #[track_caller]
    pub fn connect<P: AsRef<Path>>(path: P) -> impl Future<Output = io::Result<UnixStream>> {
        // Not an `async fn`, to be `#[track_caller]`: the caller's site is
        // the task's await site while it waits (`inspect::note_at`).
        let at = Location::caller();
        async move { UnixStream::connect_addr_at(&SocketAddr::from_pathname(path)?, at).await }
    }

    /// As [`connect`](UnixStream::connect), to any address (an abstract name
    /// on Linux).
    ///
    /// # Errors
    /// As [`connect`](UnixStream::connect).
    #[track_caller]
    pub fn connect_addr(addr: &SocketAddr) -> impl Future<Output = io::Result<UnixStream>> {
        // Not an `async fn`, to be `#[track_caller]` (the await site).
        UnixStream::connect_addr_at(addr, Location::caller())
    }

    /// [`connect_addr`](UnixStream::connect_addr), waiting at `at`.
    async fn connect_addr_at(
        addr: &SocketAddr,
        at: &'static Location<'static>,
    ) -> io::Result<UnixStream> {
        let stream = UnixStream::from_mio(mio::net::UnixStream::connect_addr(addr)?)?;
        stream
            .inner
            .finish_connect(
                mio::net::UnixStream::take_error,
                |io| io.peer_addr().map(drop),
                at,
            )
            .await?;
        Ok(stream)
    }

    /// Two connected ends (`socketpair(AF_UNIX, SOCK_STREAM)`), both
    /// registered with the runtime on this thread.
    ///
    /// # Errors
    /// The OS's; `Other` outside a runtime.
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = mio::net::UnixStream::pair()?;
        Ok((UnixStream::from_mio(a)?, UnixStream::from_mio(b)?))
    }
}

crate::net::stream_methods::stream_methods! {
    UnixStream, SocketAddr;

    /// As [`TcpStream::read`](crate::net::TcpStream::read): one `recv(2)`;
    /// `Ok(0)` is EOF.
    ///
    /// # Errors
    /// The OS's.
    fn read;

    /// Fills all of `buf`.
    ///
    /// # Errors
    /// `UnexpectedEof` if the peer closes first, or the OS's.
    fn read_exact;

    /// As [`TcpStream::read_buf`](crate::net::TcpStream::read_buf): one
    /// `recv(2)` into possibly uninitialised memory, nothing zeroed.
    ///
    /// # Errors
    /// The OS's.
    fn read_buf;

    /// One `readv(2)` into `bufs`, front to back.
    ///
    /// # Errors
    /// The OS's.
    fn read_vectored;

    /// Copies the next bytes without taking them (`MSG_PEEK`).
    ///
    /// # Errors
    /// The OS's.
    fn peek;

    /// One `send(2)` with `MSG_NOSIGNAL`.
    ///
    /// # Errors
    /// `BrokenPipe` if the peer is gone, or the OS's.
    fn write;

    /// Writes all of `buf`.
    ///
    /// # Errors
    /// `BrokenPipe` if the peer is gone, `WriteZero`, or the OS's.
    fn write_all;

    /// One `sendmsg(2)` gathering `bufs`, with `MSG_NOSIGNAL`.
    ///
    /// # Errors
    /// As [`write`](UnixStream::write).
    fn write_vectored;

    /// The `&self` form of [`read`](UnixStream::read), as
    /// [`TcpStream::poll_read`](crate::net::TcpStream::poll_read).
    fn poll_read;

    /// The `&self` form of [`read_buf`](UnixStream::read_buf).
    fn poll_read_buf;

    /// The `&self` form of [`read_vectored`](UnixStream::read_vectored).
    fn poll_read_vectored;

    /// The `&self` form of [`write_vectored`](UnixStream::write_vectored).
    fn poll_write_vectored;

    /// The poll form of [`peek`](UnixStream::peek), into a [`ReadBuf`](crate::io::ReadBuf).
    fn poll_peek;

    /// The `&self` form of [`write`](UnixStream::write).
    fn poll_write;

    /// Shuts down the read, write or both directions (`shutdown(2)`).
    ///
    /// # Errors
    /// The OS's.
    fn shutdown;

    /// The local address (`getsockname(2)`): unnamed for a connecting end.
    ///
    /// # Errors
    /// The OS's.
    fn local_addr;

    /// The peer's address (`getpeername(2)`).
    ///
    /// # Errors
    /// The OS's.
    fn peer_addr;

    /// Borrowed read and write halves (see `TcpStream::split`).
    fn split;

    /// Owned halves to move into two tasks (see `TcpStream::into_split`):
    /// dropping the write half shuts the write direction down.
    fn into_split;
}
