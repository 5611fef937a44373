//! [`TcpStream`]: a TCP connection on the loop's reactor. Its halves are in
//! `tcp_stream/split.rs`, its socket options in `tcp_stream/options.rs`; the
//! reads and writes themselves are the shared stream core's (`stream.rs`).

mod options;
mod split;

use std::future::Future;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::panic::Location;

pub use split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};

use super::stream::Stream;

/// A TCP connection, registered with the reactor of the runtime it was made
/// in.
///
/// Made by [`TcpStream::connect`],
/// [`TcpListener::accept`](super::TcpListener::accept) or
/// [`TcpSocket::connect`](super::TcpSocket::connect). Reads and writes are
/// `recv(2)` and `send(2)` on a non-blocking socket (`readv(2)` and
/// `sendmsg(2)` for the vectored forms); when one reports `EAGAIN` the task
/// waits for the reactor's next readiness event for that direction. Writes
/// use `MSG_NOSIGNAL` (as `std` does on Linux), so writing to a connection
/// the peer has closed gives `BrokenPipe` or `ConnectionReset`, never
/// `SIGPIPE`. [`read_buf`](TcpStream::read_buf) reads into uninitialised
/// memory ([`ReadBuf`](crate::io::ReadBuf)), so a fresh buffer need not be zeroed first.
///
/// To read in one task and write in another, split it:
/// [`into_split`](TcpStream::into_split) (owned halves sharing an `Arc`, to
/// move into two tasks) or [`split`](TcpStream::split) (borrowed halves,
/// for two futures of one task); or share an `Rc<TcpStream>` and use the
/// `&self` methods [`poll_read`](TcpStream::poll_read)/[`poll_write`](TcpStream::poll_write).
/// Read and write readiness are tracked apart, so a reader waiting for data
/// never delays a writer, and the other way round.
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
    pub(super) inner: Stream<mio::net::TcpStream>,
}

impl TcpStream {
    /// Registers an already connected (or connecting) `mio` stream.
    pub(crate) fn from_mio(io: mio::net::TcpStream) -> io::Result<TcpStream> {
        Ok(TcpStream {
            inner: Stream::new(io)?,
        })
    }

    /// Opens a connection to `addr`, trying each address it resolves to in
    /// turn until one accepts.
    ///
    /// Non-blocking `connect(2)`: the call returns `EINPROGRESS`, the task
    /// waits until the socket is writable, then reads the outcome with
    /// `getsockopt(SO_ERROR)` (`take_error`). A refused connection therefore
    /// gives [`io::ErrorKind::ConnectionRefused`] promptly, not a hang.
    /// To set options before connecting, use [`TcpSocket`](super::TcpSocket).
    ///
    /// # Errors
    /// The last address's error (`ConnectionRefused`, `TimedOut`, ...), or
    /// `InvalidInput` if `addr` resolves to nothing; `Other` outside a
    /// runtime.
    #[track_caller]
    pub fn connect<A: ToSocketAddrs>(addr: A) -> impl Future<Output = io::Result<TcpStream>> {
        // Not an `async fn`, to be `#[track_caller]`: the caller's site is
        // the task's await site while it waits (`inspect::note_at`).
        let at = Location::caller();
        async move {
            let mut last = None;
            for addr in addr.to_socket_addrs()? {
                match TcpStream::connect_one(addr, at).await {
                    Ok(stream) => return Ok(stream),
                    Err(e) => last = Some(e),
                }
            }
            Err(last.unwrap_or_else(super::no_addresses))
        }
    }

    async fn connect_one(
        addr: SocketAddr,
        at: &'static Location<'static>,
    ) -> io::Result<TcpStream> {
        let stream = TcpStream::from_mio(mio::net::TcpStream::connect(addr)?)?;
        stream.finish_connect(at).await?;
        Ok(stream)
    }

    /// Waits for a `connect(2)` in progress to succeed or fail.
    pub(super) async fn finish_connect(&self, at: &'static Location<'static>) -> io::Result<()> {
        self.inner
            .finish_connect(
                mio::net::TcpStream::take_error,
                |io| io.peer_addr().map(drop),
                at,
            )
            .await
    }
}

crate::net::stream_methods::stream_methods! {
    TcpStream, SocketAddr;

    /// Reads into `buf` (one `recv(2)`), waiting until data, EOF or an
    /// error is there. `Ok(0)` means the peer closed its side (EOF), or
    /// `buf` is empty.
    ///
    /// # Errors
    /// The OS's (`ConnectionReset`, ...).
    fn read;

    /// Fills all of `buf`, with as many `recv(2)`s as it takes.
    ///
    /// # Errors
    /// [`io::ErrorKind::UnexpectedEof`] if the peer closes before `buf` is
    /// full (what was read stays in `buf`), or the OS's.
    fn read_exact;

    /// Reads into the unfilled part of `buf` (one `recv(2)` into its raw
    /// pointer), which may be uninitialised memory: nothing is zeroed
    /// first. Returns how many bytes were appended to `buf.filled()`; `0`
    /// is EOF (or a full `buf`).
    ///
    /// ```
    /// use runtime::io::ReadBuf;
    /// use runtime::net::{TcpListener, TcpStream};
    ///
    /// runtime::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    ///     let mut client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     let (mut server, _) = listener.accept().await.unwrap();
    ///     client.write_all(b"hello").await.unwrap();
    ///
    ///     // Read into a Vec's spare capacity, never initialised.
    ///     let mut data: Vec<u8> = Vec::with_capacity(4096);
    ///     let mut buf = ReadBuf::uninit(data.spare_capacity_mut());
    ///     let n = server.read_buf(&mut buf).await.unwrap();
    ///     assert_eq!(buf.filled(), b"hello");
    ///     // Only what recv(2) wrote counts as initialised.
    ///     assert_eq!(buf.initialized().len(), n);
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS's (`ConnectionReset`, ...).
    fn read_buf;

    /// Reads into `bufs`, front to back, with one `readv(2)`. Returns how
    /// many bytes were read in all; `Ok(0)` is EOF.
    ///
    /// # Errors
    /// The OS's.
    fn read_vectored;

    /// Copies the next bytes into `buf` without taking them off the socket
    /// (`recv(2)` with `MSG_PEEK`), waiting until there are some: the next
    /// read returns them again. `Ok(0)` is EOF. Takes `&self`.
    ///
    /// # Errors
    /// The OS's.
    fn peek;

    /// Writes some of `buf` (one `send(2)`), waiting until there is room in
    /// the send buffer. Returns how many bytes were taken.
    ///
    /// # Errors
    /// The OS's: `BrokenPipe` or `ConnectionReset` if the peer is gone.
    fn write;

    /// Writes all of `buf`, with as many `send(2)`s as it takes.
    ///
    /// # Errors
    /// The OS's: `BrokenPipe` or `ConnectionReset` if the peer is gone
    /// (part of `buf` may have been sent); `WriteZero` if a `send(2)` took
    /// nothing.
    fn write_all;

    /// Writes some of `bufs`, front to back, with one `sendmsg(2)` (a
    /// gather write with `MSG_NOSIGNAL`: `writev(2)` could raise
    /// `SIGPIPE`). Returns how many bytes were taken, which may end inside
    /// any of the buffers.
    ///
    /// ```
    /// use std::io::IoSlice;
    /// use runtime::net::{TcpListener, TcpStream};
    ///
    /// runtime::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    ///     let mut client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     let (mut server, _) = listener.accept().await.unwrap();
    ///     let header = b"HTTP/1.1 200 OK\r\n\r\n";
    ///     let n = client
    ///         .write_vectored(&[IoSlice::new(header), IoSlice::new(b"body")])
    ///         .await
    ///         .unwrap();
    ///     assert_eq!(n, header.len() + 4); // a small write is taken whole
    ///     let mut got = vec![0u8; n];
    ///     server.read_exact(&mut got).await.unwrap();
    ///     assert!(got.ends_with(b"\r\n\r\nbody"));
    /// });
    /// ```
    ///
    /// # Errors
    /// As [`write`](TcpStream::write).
    fn write_vectored;

    /// The `&self` form of [`read`](TcpStream::read), for hand-written
    /// futures and for sharing one stream between a reader and a writer
    /// task: `Ready` with the bytes read, or `Pending` with the task's waker
    /// stored for the read direction until the next readiness event (every
    /// task that polls it is woken then, not only the last).
    fn poll_read;

    /// The `&self` form of [`read_buf`](TcpStream::read_buf) (see
    /// [`poll_read`](TcpStream::poll_read)): `Ready(Ok(()))` with the bytes
    /// appended to `buf.filled()`.
    fn poll_read_buf;

    /// The `&self` form of [`read_vectored`](TcpStream::read_vectored).
    fn poll_read_vectored;

    /// The poll form of [`peek`](TcpStream::peek), into a [`ReadBuf`](crate::io::ReadBuf)
    /// (tokio's signature): the bytes peeked are appended to
    /// `buf.filled()`, and their count returned.
    fn poll_peek;

    /// The `&self` form of [`write`](TcpStream::write) (see
    /// [`poll_read`](TcpStream::poll_read)).
    fn poll_write;

    /// The `&self` form of [`write_vectored`](TcpStream::write_vectored).
    fn poll_write_vectored;

    /// Shuts down the read, write or both halves (`shutdown(2)`). After
    /// `Shutdown::Write` the peer reads EOF once it has read everything
    /// sent before.
    ///
    /// # Errors
    /// The OS's (`NotConnected`, ...).
    fn shutdown;

    /// The remote address (`getpeername(2)`).
    ///
    /// # Errors
    /// `NotConnected` if the connection is gone.
    fn peer_addr;

    /// The local address (`getsockname(2)`).
    ///
    /// # Errors
    /// The OS's.
    fn local_addr;

    /// Borrowed read and write halves, usable from two futures at once (for
    /// example joined in one task with `gather!`). Each half is `Send` and
    /// `Sync`, like the stream.
    fn split;

    /// Owned read and write halves sharing the stream through an `Arc`, to
    /// move into two tasks: one may wait for data while the other writes
    /// (read and write readiness are tracked apart). The socket closes when
    /// both are dropped; [`OwnedReadHalf::reunite`] puts them back together.
    ///
    /// ```
    /// use runtime::net::{TcpListener, TcpStream};
    ///
    /// runtime::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    ///     let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     let (mut server, _) = listener.accept().await.unwrap();
    ///     let (mut rx, mut tx) = client.into_split();
    ///     // The reader waits first; the writer is not held up by it.
    ///     let reader = runtime::spawn(async move {
    ///         let mut echo = [0u8; 4];
    ///         rx.read_exact(&mut echo).await.unwrap();
    ///         echo
    ///     });
    ///     let writer = runtime::spawn(async move { tx.write_all(b"ping").await.unwrap() });
    ///     let mut got = [0u8; 4];
    ///     server.read_exact(&mut got).await.unwrap();
    ///     server.write_all(&got).await.unwrap();
    ///     writer.await.unwrap();
    ///     assert_eq!(&reader.await.unwrap(), b"ping");
    /// });
    /// ```
    fn into_split;
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
