//! [`AsyncReadExt`] and [`AsyncWriteExt`]: the `async` methods over
//! [`AsyncRead`] and [`AsyncWrite`], each a small named future that loops
//! over `poll_read`/`poll_write` until its job is done.
//!
//! Every future here borrows its reader or writer mutably and needs it to be
//! `Unpin` (a `TcpStream`, a `Mock`, `&mut T`, `Box<T>`, or `Pin<&mut T>`
//! for anything else): then the future itself is `Unpin` and needs no
//! pinning projection.
//!
//! Cancellation (dropping the future before it is `Ready`): [`Read`],
//! [`Write`], [`Flush`] and [`Shutdown`] lose nothing (each is one operation
//! that either happened or did not). [`ReadExact`] and [`WriteAll`] may have
//! done part of their job: the bytes read stay in the buffer, the bytes
//! written are gone, and the caller cannot tell how many. [`ReadToEnd`] keeps
//! in its `Vec` everything read so far.

use std::future::Future;
use std::io::{self, IoSlice, IoSliceMut};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::ext_buf::{ReadBufFuture, ReadVectored, WriteVectored};
use super::{AsyncRead, AsyncWrite, ReadBuf};

/// The `async` methods of every [`AsyncRead`].
///
/// ```
/// use runtime::io::AsyncReadExt;
///
/// let mut src: &[u8] = b"header:body";
/// let mut head = [0u8; 7];
/// let mut rest = Vec::new();
/// runtime::block_on(async {
///     src.read_exact(&mut head).await.unwrap();
///     src.read_to_end(&mut rest).await.unwrap();
/// });
/// assert_eq!((&head, &rest[..]), (b"header:", &b"body"[..]));
/// ```
pub trait AsyncReadExt: AsyncRead {
    /// Reads some bytes into `buf` (one `poll_read` that is `Ready`):
    /// `Ok(0)` is end of stream (or an empty `buf`).
    fn read<'a>(&'a mut self, buf: &'a mut [u8]) -> Read<'a, Self>
    where
        Self: Unpin,
    {
        Read { reader: self, buf }
    }

    /// Fills all of `buf`, with as many reads as it takes; an end of stream
    /// before that is an [`io::ErrorKind::UnexpectedEof`] error (what was
    /// read stays in `buf`).
    fn read_exact<'a>(&'a mut self, buf: &'a mut [u8]) -> ReadExact<'a, Self>
    where
        Self: Unpin,
    {
        ReadExact {
            reader: self,
            buf,
            filled: 0,
        }
    }

    /// Appends everything up to end of stream to `buf`; returns how many
    /// bytes were appended.
    fn read_to_end<'a>(&'a mut self, buf: &'a mut Vec<u8>) -> ReadToEnd<'a, Self>
    where
        Self: Unpin,
    {
        let start = buf.len();
        ReadToEnd {
            reader: self,
            buf,
            start,
        }
    }

    /// Reads some bytes into the unfilled part of `buf` (one
    /// [`poll_read_buf`](AsyncRead::poll_read_buf) that is `Ready`), which
    /// may be uninitialised memory; returns how many were appended to
    /// `buf.filled()`: `0` is end of stream (or a full `buf`).
    fn read_buf<'a, 'b>(&'a mut self, buf: &'a mut ReadBuf<'b>) -> ReadBufFuture<'a, 'b, Self>
    where
        Self: Unpin,
    {
        ReadBufFuture { reader: self, buf }
    }

    /// Reads some bytes into `bufs`, front to back (one
    /// [`poll_read_vectored`](AsyncRead::poll_read_vectored) that is
    /// `Ready`: `readv(2)` on a socket).
    fn read_vectored<'a, 'b>(
        &'a mut self,
        bufs: &'a mut [IoSliceMut<'b>],
    ) -> ReadVectored<'a, 'b, Self>
    where
        Self: Unpin,
    {
        ReadVectored { reader: self, bufs }
    }
}

impl<R: AsyncRead + ?Sized> AsyncReadExt for R {}

/// The `async` methods of every [`AsyncWrite`].
///
/// ```
/// use runtime::io::AsyncWriteExt;
///
/// let mut sink = Vec::new();
/// runtime::block_on(async {
///     sink.write_all(b"hello ").await.unwrap();
///     sink.write_all(b"world").await.unwrap();
///     sink.flush().await.unwrap();
///     sink.shutdown().await.unwrap();
/// });
/// assert_eq!(sink, b"hello world");
/// ```
pub trait AsyncWriteExt: AsyncWrite {
    /// Writes some of `buf` (one `poll_write` that is `Ready`); returns how
    /// many bytes were taken, which may be fewer than `buf.len()`.
    fn write<'a>(&'a mut self, buf: &'a [u8]) -> Write<'a, Self>
    where
        Self: Unpin,
    {
        Write { writer: self, buf }
    }

    /// Writes all of `buf`, with as many writes as it takes; a write that
    /// takes nothing is an [`io::ErrorKind::WriteZero`] error.
    fn write_all<'a>(&'a mut self, buf: &'a [u8]) -> WriteAll<'a, Self>
    where
        Self: Unpin,
    {
        WriteAll { writer: self, buf }
    }

    /// Writes some of `bufs`, front to back (one
    /// [`poll_write_vectored`](AsyncWrite::poll_write_vectored) that is
    /// `Ready`: `sendmsg(2)` on a socket); returns how many bytes were
    /// taken.
    fn write_vectored<'a, 'b>(&'a mut self, bufs: &'a [IoSlice<'b>]) -> WriteVectored<'a, 'b, Self>
    where
        Self: Unpin,
    {
        WriteVectored { writer: self, bufs }
    }

    /// Pushes out what the writer buffered ([`AsyncWrite::poll_flush`]).
    fn flush(&mut self) -> Flush<'_, Self>
    where
        Self: Unpin,
    {
        Flush { writer: self }
    }

    /// Ends the write direction ([`AsyncWrite::poll_shutdown`]): for a
    /// socket, `shutdown(SHUT_WR)`, after which the peer reads end of stream.
    fn shutdown(&mut self) -> Shutdown<'_, Self>
    where
        Self: Unpin,
    {
        Shutdown { writer: self }
    }
}

impl<W: AsyncWrite + ?Sized> AsyncWriteExt for W {}

/// The future of [`AsyncReadExt::read`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Read<'a, R: ?Sized> {
    reader: &'a mut R,
    buf: &'a mut [u8],
}

impl<R: AsyncRead + Unpin + ?Sized> Future for Read<'_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        Pin::new(&mut *this.reader).poll_read(cx, this.buf)
    }
}

/// The future of [`AsyncReadExt::read_exact`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct ReadExact<'a, R: ?Sized> {
    reader: &'a mut R,
    buf: &'a mut [u8],
    filled: usize,
}

impl<R: AsyncRead + Unpin + ?Sized> Future for ReadExact<'_, R> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        while this.filled < this.buf.len() {
            let want = this.buf.len() - this.filled;
            let rest = &mut this.buf[this.filled..];
            let n = ready!(Pin::new(&mut *this.reader).poll_read(cx, rest))?;
            if n == 0 {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "end of stream after {} of the {} bytes read_exact wanted",
                        this.filled,
                        this.buf.len()
                    ),
                )));
            }
            // A reader that claims more than it was given is buggy; never
            // step past the end of the buffer because of it.
            this.filled += n.min(want);
        }
        Poll::Ready(Ok(()))
    }
}

/// The future of [`AsyncReadExt::read_to_end`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct ReadToEnd<'a, R: ?Sized> {
    reader: &'a mut R,
    buf: &'a mut Vec<u8>,
    /// `buf.len()` when the future was made: the output is the growth.
    start: usize,
}

/// Bytes offered to each `poll_read` of `read_to_end` at least (more when
/// the `Vec` has spare capacity already).
const READ_TO_END_CHUNK: usize = 4096;

impl<R: AsyncRead + Unpin + ?Sized> Future for ReadToEnd<'_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        loop {
            let len = this.buf.len();
            if this.buf.capacity() - len < READ_TO_END_CHUNK {
                this.buf.reserve(READ_TO_END_CHUNK.max(len));
            }
            // Into the spare capacity as it is, uninitialised: a socket's
            // `poll_read_buf` `recv(2)`s into it directly; the default one
            // zeroes it first.
            let mut spare = ReadBuf::uninit(this.buf.spare_capacity_mut());
            let base = spare.filled().as_ptr();
            let polled = Pin::new(&mut *this.reader).poll_read_buf(cx, &mut spare);
            // Safe code can swap in another `ReadBuf`; its counts would say
            // nothing about this `Vec` (tokio checks the same way).
            assert!(
                std::ptr::eq(base, spare.filled().as_ptr()),
                "poll_read_buf replaced the ReadBuf it was given"
            );
            let n = spare.filled().len();
            match polled {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
            // SAFETY: the `ReadBuf` is still the one over
            // `spare_capacity_mut()` (checked above), which starts at `len`;
            // its first `n` bytes are filled, and filled bytes are
            // initialised (the `ReadBuf` invariant), so
            // `len + n ≤ capacity` bytes of the `Vec` are initialised.
            unsafe { this.buf.set_len(len + n) };
            if n == 0 {
                return Poll::Ready(Ok(len - this.start));
            }
        }
    }
}

/// The future of [`AsyncWriteExt::write`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Write<'a, W: ?Sized> {
    writer: &'a mut W,
    buf: &'a [u8],
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for Write<'_, W> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        Pin::new(&mut *this.writer).poll_write(cx, this.buf)
    }
}

/// The future of [`AsyncWriteExt::write_all`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct WriteAll<'a, W: ?Sized> {
    writer: &'a mut W,
    /// What is left to write.
    buf: &'a [u8],
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for WriteAll<'_, W> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        while !this.buf.is_empty() {
            let n = ready!(Pin::new(&mut *this.writer).poll_write(cx, this.buf))?;
            if n == 0 {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    format!(
                        "the writer took nothing with {} bytes left to write",
                        this.buf.len()
                    ),
                )));
            }
            this.buf = &this.buf[n.min(this.buf.len())..];
        }
        Poll::Ready(Ok(()))
    }
}

/// The future of [`AsyncWriteExt::flush`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Flush<'a, W: ?Sized> {
    writer: &'a mut W,
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for Flush<'_, W> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.get_mut().writer).poll_flush(cx)
    }
}

/// The future of [`AsyncWriteExt::shutdown`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Shutdown<'a, W: ?Sized> {
    writer: &'a mut W,
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for Shutdown<'_, W> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.get_mut().writer).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use super::*;

    /// Hands out its data `step` bytes at a time, `Pending` (and a wake)
    /// before every other read: the ext futures must loop and resume.
    struct Trickle {
        data: Vec<u8>,
        step: usize,
        pending_next: bool,
        written: Vec<u8>,
    }

    impl AsyncRead for Trickle {
        fn poll_read(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut [u8],
        ) -> Poll<io::Result<usize>> {
            let this = self.get_mut();
            this.pending_next = !this.pending_next;
            if this.pending_next {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            let n = this.step.min(buf.len()).min(this.data.len());
            buf[..n].copy_from_slice(&this.data[..n]);
            this.data.drain(..n);
            Poll::Ready(Ok(n))
        }
    }

    impl AsyncWrite for Trickle {
        fn poll_write(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            let this = self.get_mut();
            this.pending_next = !this.pending_next;
            if this.pending_next {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            let n = this.step.min(buf.len());
            this.written.extend_from_slice(&buf[..n]);
            Poll::Ready(Ok(n))
        }

        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    fn trickle(data: &[u8]) -> Trickle {
        Trickle {
            data: data.to_vec(),
            step: 3,
            pending_next: false,
            written: Vec::new(),
        }
    }

    #[test]
    fn read_exact_loops_over_short_reads_and_pending() {
        let mut t = trickle(b"0123456789");
        let mut buf = [0u8; 8];
        futures::executor::block_on(t.read_exact(&mut buf)).unwrap();
        assert_eq!(&buf, b"01234567");
        assert_eq!(t.data, b"89");
    }

    #[test]
    fn read_exact_reports_how_much_it_got_before_eof() {
        let mut t = trickle(b"abcd");
        let mut buf = [0u8; 8];
        let err = futures::executor::block_on(t.read_exact(&mut buf)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert!(err.to_string().contains("after 4 of the 8 bytes"), "{err}");
        assert_eq!(&buf[..4], b"abcd");
    }

    #[test]
    fn read_to_end_appends_everything_and_counts_it() {
        // Interpreted, 10,000 bytes take most of a minute; 3,000 still
        // span four reads of 777.
        let len = if cfg!(miri) { 3_000u32 } else { 10_000 };
        let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let mut t = trickle(&data);
        t.step = 777;
        let mut out = b"prefix".to_vec();
        let n = futures::executor::block_on(t.read_to_end(&mut out)).unwrap();
        assert_eq!(n, data.len());
        assert_eq!(&out[..6], b"prefix");
        assert_eq!(&out[6..], &data[..]);
    }

    #[test]
    fn write_all_loops_and_a_zero_write_is_an_error() {
        let mut t = trickle(b"");
        futures::executor::block_on(t.write_all(b"hello world")).unwrap();
        assert_eq!(t.written, b"hello world");
        t.step = 0;
        let err = futures::executor::block_on(t.write_all(b"x")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WriteZero);
    }

    #[test]
    fn slices_read_and_vecs_write() {
        let mut src: &[u8] = b"abc";
        let mut buf = [0u8; 2];
        let n = futures::executor::block_on(src.read(&mut buf)).unwrap();
        assert_eq!((n, &buf, src), (2, b"ab", &b"c"[..]));
        let mut sink = Vec::new();
        let mut boxed: Box<dyn AsyncWrite + Unpin> = Box::new(&mut sink);
        futures::executor::block_on(boxed.write_all(b"via box")).unwrap();
        drop(boxed);
        assert_eq!(sink, b"via box");
    }
}
