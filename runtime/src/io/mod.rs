//! The read/write vocabulary: [`AsyncRead`], [`AsyncWrite`] and their
//! extension traits [`AsyncReadExt`], [`AsyncWriteExt`].
//!
//! **Why.** Protocol code (parse a request, write a reply) should not care
//! whether its bytes come from a socket or from a script. Written against
//! these traits instead of [`net::TcpStream`](crate::net::TcpStream), the
//! same function runs on a real connection in production and on a
//! [`testing::io::Mock`](crate::testing::io::Mock) in a test, which checks
//! every byte it writes and feeds it every byte it reads, without a socket.
//!
//! **What.** Two poll-level traits, shaped like `futures-io`'s (and tokio's,
//! with [`ReadBuf`] as a provided method rather than the one way to read):
//!
//! - [`AsyncRead::poll_read`] fills some of a buffer: `Ready(Ok(n))` with
//!   `n > 0` bytes, `Ready(Ok(0))` at end of stream (or for an empty
//!   buffer), `Ready(Err(_))`, or `Pending` with the task's waker kept until
//!   reading may make progress (for a socket: the reactor's next readiness
//!   event after `read(2)` said `EAGAIN`);
//! - [`AsyncWrite::poll_write`] takes some of a buffer (`send(2)`);
//!   [`poll_flush`](AsyncWrite::poll_flush) pushes out what a writer
//!   buffered (nothing, for a socket); [`poll_shutdown`](AsyncWrite::poll_shutdown)
//!   ends the write direction (`shutdown(SHUT_WR)`: the peer reads EOF).
//!
//! Three provided methods carry what a plain slice cannot, each with a
//! default that works for any reader or writer and an override on sockets:
//!
//! - [`AsyncRead::poll_read_buf`] reads into a [`ReadBuf`], which may wrap
//!   uninitialised memory: a socket `recv(2)`s straight into it, the
//!   default zero-fills it once and calls `poll_read`;
//! - [`AsyncRead::poll_read_vectored`] and
//!   [`AsyncWrite::poll_write_vectored`] scatter and gather over several
//!   buffers: a socket does it in one `readv(2)`/`sendmsg(2)`, the default
//!   uses the first non-empty buffer.
//!
//! On top, [`AsyncReadExt`] and [`AsyncWriteExt`] give the `async` methods
//! one actually calls (`read`, `read_exact`, `read_to_end`, `read_buf`,
//! `read_vectored`, `write`, `write_all`, `write_vectored`, `flush`,
//! `shutdown`), as named futures (`ext.rs`, `ext_buf.rs`) on any `Unpin`
//! reader or writer. `read_to_end` reads into the `Vec`'s spare capacity
//! through `poll_read_buf`: from a socket, without zeroing it first.
//!
//! Implemented for [`TcpStream`](crate::net::TcpStream), its halves
//! ([`ReadHalf`](crate::net::ReadHalf), [`WriteHalf`](crate::net::WriteHalf),
//! [`OwnedReadHalf`](crate::net::OwnedReadHalf),
//! [`OwnedWriteHalf`](crate::net::OwnedWriteHalf)), the same for
//! [`UnixStream`](crate::net::UnixStream) (halves in
//! [`net::unix`](crate::net::unix)), the test
//! [`Mock`](crate::testing::io::Mock), `&[u8]` (reads the slice),
//! `Vec<u8>` (appends), and through `&mut T`, `Box<T>` and `Pin<P>`.
//!
//! `TcpStream`'s own `read`/`write_all`/... methods stay as they are; with
//! these traits in scope a call on a `TcpStream` still picks its inherent
//! method (Rust prefers inherent methods), and generic code picks the trait's.
//! One consequence: `stream.shutdown()` on a `TcpStream` (or a `Mock`) finds
//! the inherent `shutdown(how)` first and asks for its argument; say
//! `AsyncWriteExt::shutdown(&mut stream)` for the trait's.
//!
//! ```
//! use runtime::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
//!
//! /// A line echo: reads one `\n`-terminated line, writes it back upper-cased.
//! async fn shout<S: AsyncRead + AsyncWrite + Unpin>(io: &mut S) -> std::io::Result<()> {
//!     let mut line = Vec::new();
//!     let mut byte = [0u8; 1];
//!     while io.read(&mut byte).await? == 1 && byte[0] != b'\n' {
//!         line.push(byte[0]);
//!     }
//!     line.make_ascii_uppercase();
//!     line.push(b'\n');
//!     io.write_all(&line).await
//! }
//!
//! // Against a script (no socket):
//! let mut mock = runtime::testing::io::Builder::new()
//!     .read(b"hello\n")
//!     .write(b"HELLO\n")
//!     .build();
//! runtime::block_on(shout(&mut mock)).unwrap();
//! ```

mod ext;
mod ext_buf;
mod forward;
mod read_buf;

use std::io::{self, IoSlice, IoSliceMut};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

pub use ext::{
    AsyncReadExt, AsyncWriteExt, Flush, Read, ReadExact, ReadToEnd, Shutdown, Write, WriteAll,
};
pub use ext_buf::{ReadBufFuture, ReadVectored, WriteVectored};
pub use read_buf::ReadBuf;

// For `compat/hyper.rs`.
#[cfg(feature = "hyper")]
pub(crate) use forward::forward_write;

/// A source of bytes that may make the task wait.
///
/// The same contract as `futures_io::AsyncRead::poll_read`: see the module
/// docs. Call it through [`AsyncReadExt`] unless you are writing a future by
/// hand.
pub trait AsyncRead {
    /// Reads into `buf`: `Ready(Ok(n))` with the `n` bytes put at the start
    /// of `buf` (`0` only at end of stream or for an empty `buf`),
    /// `Ready(Err(e))`, or `Pending` after arranging for `cx`'s waker to be
    /// woken when a retry may make progress.
    ///
    /// # Errors
    /// The source's: for a socket, the OS's (`ConnectionReset`, ...).
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>>;

    /// Reads into the unfilled part of `buf`, which may be uninitialised
    /// memory ([`ReadBuf`]): `Ready(Ok(()))` with the bytes read appended
    /// to `buf.filled()` (none appended, with room left, is end of stream),
    /// `Ready(Err(e))` or `Pending` as for `poll_read`, with `buf`
    /// unchanged.
    ///
    /// The default zero-fills the part of `buf` never initialised (once)
    /// and calls [`poll_read`](Self::poll_read). A reader that can write
    /// into uninitialised memory overrides it: a `TcpStream` passes the
    /// buffer's raw pointer to `recv(2)`, so reading into a fresh
    /// allocation costs no `memset`.
    ///
    /// # Errors
    /// As [`poll_read`](Self::poll_read).
    fn poll_read_buf(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let unfilled = buf.initialize_unfilled();
        let room = unfilled.len();
        let n = ready!(self.poll_read(cx, unfilled))?;
        // A reader that claims more than it was given is buggy; never count
        // past the slice it was handed.
        buf.advance(n.min(room));
        Poll::Ready(Ok(()))
    }

    /// Reads into several buffers in order (a scatter read):
    /// `Ready(Ok(n))` with `n` bytes spread over `bufs` front to back.
    ///
    /// The default reads into the first non-empty buffer only (as
    /// `futures-io`'s does); a socket overrides it with one `readv(2)`.
    ///
    /// # Errors
    /// As [`poll_read`](Self::poll_read).
    fn poll_read_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        match bufs.iter_mut().find(|b| !b.is_empty()) {
            Some(buf) => self.poll_read(cx, buf),
            None => self.poll_read(cx, &mut []),
        }
    }
}

/// A sink of bytes that may make the task wait.
///
/// The same contract as `futures_io::AsyncWrite` (with `poll_close` named
/// `poll_shutdown`, as in tokio): see the module docs. Call it through
/// [`AsyncWriteExt`] unless you are writing a future by hand.
pub trait AsyncWrite {
    /// Writes some of `buf`: `Ready(Ok(n))` with how many bytes were taken
    /// (`0` only for an empty `buf`, or a sink that can take nothing more),
    /// `Ready(Err(e))`, or `Pending` after arranging for `cx`'s waker to be
    /// woken when a retry may make progress.
    ///
    /// # Errors
    /// The sink's: for a socket, `BrokenPipe` or `ConnectionReset` once the
    /// peer is gone.
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>>;

    /// Writes from several buffers in order (a gather write):
    /// `Ready(Ok(n))` with how many bytes were taken, front to back.
    ///
    /// The default writes the first non-empty buffer only (as `futures-io`'s
    /// does); a socket overrides it with one `sendmsg(2)`, so a header and a
    /// body leave in one syscall without being copied together first.
    ///
    /// # Errors
    /// As [`poll_write`](Self::poll_write).
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match bufs.iter().find(|b| !b.is_empty()) {
            Some(buf) => self.poll_write(cx, buf),
            None => self.poll_write(cx, &[]),
        }
    }

    /// Whether [`poll_write_vectored`](Self::poll_write_vectored) writes
    /// more than the first buffer (so that an adapter knows gathering is
    /// worth it). The default says no.
    fn is_write_vectored(&self) -> bool {
        false
    }

    /// Pushes out whatever this writer buffered. A socket buffers nothing of
    /// its own (each write is a `send(2)`), so it is `Ready(Ok(()))` at once.
    ///
    /// # Errors
    /// The sink's.
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>>;

    /// Ends the write direction once what was written is flushed; the peer
    /// then reads end of stream. For a socket: `shutdown(SHUT_WR)`.
    ///
    /// # Errors
    /// The sink's (`NotConnected`, ...).
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>>;
}

// The forwarding impls (`&mut T`, `Box<T>`, `Pin<P>`) are in `forward.rs`.

/// Reading a byte slice takes bytes from its front (`&[u8]` is a cursor, as
/// with [`std::io::Read`]); an empty slice is end of stream. Never `Pending`.
impl AsyncRead for &[u8] {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(io::Read::read(self.get_mut(), buf))
    }

    /// Copies straight into `buf`, initialised or not: no zeroing.
    fn poll_read_buf(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let n = this.len().min(buf.remaining());
        buf.put_slice(&this[..n]);
        *this = &this[n..];
        Poll::Ready(Ok(()))
    }
}

/// Writing to a `Vec<u8>` appends to it; never `Pending`, never fails.
impl AsyncWrite for Vec<u8> {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    /// Appends every buffer.
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let before = this.len();
        for buf in bufs {
            this.extend_from_slice(buf);
        }
        Poll::Ready(Ok(this.len() - before))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
