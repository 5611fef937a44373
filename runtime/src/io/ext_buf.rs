//! The futures of [`AsyncReadExt::read_buf`](super::AsyncReadExt::read_buf),
//! [`read_vectored`](super::AsyncReadExt::read_vectored) and
//! [`AsyncWriteExt::write_vectored`](super::AsyncWriteExt::write_vectored):
//! each one `Ready` poll of the provided method it names. All three are
//! cancel-safe (one operation that either happened or did not).

use std::future::Future;
use std::io::{self, IoSlice, IoSliceMut};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use super::{AsyncRead, AsyncWrite, ReadBuf};

/// The future of [`AsyncReadExt::read_buf`](super::AsyncReadExt::read_buf):
/// how many bytes were appended to the buffer's filled part.
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct ReadBufFuture<'a, 'b, R: ?Sized> {
    pub(super) reader: &'a mut R,
    pub(super) buf: &'a mut ReadBuf<'b>,
}

impl<R: AsyncRead + Unpin + ?Sized> Future for ReadBufFuture<'_, '_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let before = this.buf.filled().len();
        ready!(Pin::new(&mut *this.reader).poll_read_buf(cx, this.buf))?;
        Poll::Ready(Ok(this.buf.filled().len().saturating_sub(before)))
    }
}

/// The future of [`AsyncReadExt::read_vectored`](super::AsyncReadExt::read_vectored).
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct ReadVectored<'a, 'b, R: ?Sized> {
    pub(super) reader: &'a mut R,
    pub(super) bufs: &'a mut [IoSliceMut<'b>],
}

impl<R: AsyncRead + Unpin + ?Sized> Future for ReadVectored<'_, '_, R> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        Pin::new(&mut *this.reader).poll_read_vectored(cx, this.bufs)
    }
}

/// The future of [`AsyncWriteExt::write_vectored`](super::AsyncWriteExt::write_vectored).
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct WriteVectored<'a, 'b, W: ?Sized> {
    pub(super) writer: &'a mut W,
    pub(super) bufs: &'a [IoSlice<'b>],
}

impl<W: AsyncWrite + Unpin + ?Sized> Future for WriteVectored<'_, '_, W> {
    type Output = io::Result<usize>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        Pin::new(&mut *this.writer).poll_write_vectored(cx, this.bufs)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{IoSlice, IoSliceMut};
    use std::mem::MaybeUninit;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use crate::io::{AsyncRead, AsyncReadExt, AsyncWriteExt, ReadBuf};

    /// Implements only `poll_read`: the provided methods' defaults.
    struct Plain<'a>(&'a [u8]);

    impl AsyncRead for Plain<'_> {
        fn poll_read(
            self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
            buf: &mut [u8],
        ) -> Poll<std::io::Result<usize>> {
            let this = self.get_mut();
            let n = this.0.len().min(buf.len());
            buf[..n].copy_from_slice(&this.0[..n]);
            this.0 = &this.0[n..];
            Poll::Ready(Ok(n))
        }
    }

    #[test]
    fn the_default_read_buf_zero_fills_once_then_reads() {
        let mut storage = [MaybeUninit::<u8>::uninit(); 8];
        let mut buf = ReadBuf::uninit(&mut storage);
        let mut r = Plain(b"abc");
        let n = futures::executor::block_on(r.read_buf(&mut buf)).unwrap();
        assert_eq!((n, buf.filled()), (3, &b"abc"[..]));
        // The default made the whole buffer initialised (zeroed) to call
        // `poll_read`; a socket's override would leave it at 3.
        assert_eq!(buf.initialized(), b"abc\0\0\0\0\0");
    }

    #[test]
    fn a_slice_reads_into_uninitialised_memory_without_zeroing() {
        let mut storage = [MaybeUninit::<u8>::uninit(); 8];
        let mut buf = ReadBuf::uninit(&mut storage);
        let mut src: &[u8] = b"abc";
        futures::executor::block_on(src.read_buf(&mut buf)).unwrap();
        assert_eq!(buf.initialized(), b"abc");
    }

    #[test]
    fn default_vectored_reads_and_writes_use_the_first_non_empty_buffer() {
        let mut r = Plain(b"abcdef");
        let (mut a, mut b) = ([0u8; 0], [0u8; 4]);
        let mut c = [0u8; 4];
        let mut bufs = [
            IoSliceMut::new(&mut a),
            IoSliceMut::new(&mut b),
            IoSliceMut::new(&mut c),
        ];
        let n = futures::executor::block_on(r.read_vectored(&mut bufs)).unwrap();
        assert_eq!((n, &b, &c), (4, b"abcd", &[0u8; 4]));

        // `Vec<u8>` overrides: every buffer appended.
        let mut sink = Vec::new();
        let bufs = [
            IoSlice::new(b"head "),
            IoSlice::new(b""),
            IoSlice::new(b"body"),
        ];
        let n = futures::executor::block_on(sink.write_vectored(&bufs)).unwrap();
        assert_eq!((n, &sink[..]), (9, &b"head body"[..]));
    }
}
