//! [`crate::io::AsyncRead`]/[`AsyncWrite`](crate::io::AsyncWrite) (and,
//! with the `futures-io` feature, `futures_io`'s) for the stream sockets
//! and their halves, so that protocol code generic over them runs on a
//! socket as on a test [`Mock`](crate::testing::io::Mock).
//!
//! Each forwards to the stream core's `&self` poll methods (`stream.rs`):
//! `recv(2)`, `recv(2)` into a [`ReadBuf`](crate::io::ReadBuf)'s
//! uninitialised memory (no zeroing), `readv(2)`, `send(2)`, `sendmsg(2)`;
//! `Pending` on `EAGAIN` until the reactor's next event. Flushing does
//! nothing (a socket buffers nothing of its own); shutting down is
//! `shutdown(SHUT_WR)`.

use std::io::{self, IoSlice, IoSliceMut};
use std::net::Shutdown;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::TcpStream;
use super::tcp_stream::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};
use super::unix::{self, UnixStream};
use crate::io::{AsyncRead, AsyncWrite, ReadBuf};

// `$this => $stream`: how to reach the stream (`&TcpStream`,
// `&UnixStream`) from `&mut Self`.
macro_rules! async_read {
    ($t:ty, $s:ty, $this:ident => $stream:expr) => {
        impl AsyncRead for $t {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                let $this = self.get_mut();
                let stream: &$s = $stream;
                stream.inner.poll_read(cx, buf)
            }

            fn poll_read_buf(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                let $this = self.get_mut();
                let stream: &$s = $stream;
                stream.inner.poll_read_buf(cx, buf)
            }

            fn poll_read_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &mut [IoSliceMut<'_>],
            ) -> Poll<io::Result<usize>> {
                let $this = self.get_mut();
                let stream: &$s = $stream;
                stream.inner.poll_read_vectored(cx, bufs)
            }
        }

        #[cfg(feature = "futures-io")]
        impl futures_io::AsyncRead for $t {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                AsyncRead::poll_read(self, cx, buf)
            }

            fn poll_read_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &mut [IoSliceMut<'_>],
            ) -> Poll<io::Result<usize>> {
                AsyncRead::poll_read_vectored(self, cx, bufs)
            }
        }
    };
}

macro_rules! async_write {
    ($t:ty, $s:ty, $this:ident => $stream:expr) => {
        impl AsyncWrite for $t {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                let $this = self.get_mut();
                let stream: &$s = $stream;
                stream.inner.poll_write(cx, buf)
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                let $this = self.get_mut();
                let stream: &$s = $stream;
                stream.inner.poll_write_vectored(cx, bufs)
            }

            fn is_write_vectored(&self) -> bool {
                true
            }

            fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(Ok(()))
            }

            fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                let $this = self.get_mut();
                let stream: &$s = $stream;
                Poll::Ready(stream.shutdown(Shutdown::Write))
            }
        }

        #[cfg(feature = "futures-io")]
        impl futures_io::AsyncWrite for $t {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                AsyncWrite::poll_write(self, cx, buf)
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                AsyncWrite::poll_write_vectored(self, cx, bufs)
            }

            /// Nothing to flush: every write goes straight to `send(2)`.
            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                AsyncWrite::poll_flush(self, cx)
            }

            /// `shutdown(2)` of the write direction.
            fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                AsyncWrite::poll_shutdown(self, cx)
            }
        }
    };
}

async_read!(TcpStream, TcpStream, this => this);
async_write!(TcpStream, TcpStream, this => this);
async_read!(ReadHalf<'_>, TcpStream, this => this.0);
async_write!(WriteHalf<'_>, TcpStream, this => this.0);
async_read!(OwnedReadHalf, TcpStream, this => &this.0);
async_write!(OwnedWriteHalf, TcpStream, this => &this.stream);

async_read!(UnixStream, UnixStream, this => this);
async_write!(UnixStream, UnixStream, this => this);
async_read!(unix::ReadHalf<'_>, UnixStream, this => this.0);
async_write!(unix::WriteHalf<'_>, UnixStream, this => this.0);
async_read!(unix::OwnedReadHalf, UnixStream, this => &this.0);
async_write!(unix::OwnedWriteHalf, UnixStream, this => &this.stream);

#[cfg(all(test, feature = "futures-io"))]
mod futures_io_tests {
    use futures::{AsyncReadExt, AsyncWriteExt};

    use crate::net::UnixStream;

    /// The `futures` traits on a Unix stream and on owned halves: the
    /// vectored write is one `sendmsg(2)`, the close a `shutdown(SHUT_WR)`.
    #[test]
    fn unix_streams_and_halves_through_futures_io() {
        crate::block_on(async {
            let (a, b) = UnixStream::pair().unwrap();
            let (mut rx, mut tx) = b.into_split();
            let mut a = a;
            let bufs = [
                std::io::IoSlice::new(b"futures"),
                std::io::IoSlice::new(b"-io"),
            ];
            let n = AsyncWriteExt::write_vectored(&mut a, &bufs).await.unwrap();
            assert_eq!(n, 10);
            AsyncWriteExt::close(&mut a).await.unwrap();
            let mut got = Vec::new();
            AsyncReadExt::read_to_end(&mut rx, &mut got).await.unwrap();
            assert_eq!(got, b"futures-io");
            AsyncWriteExt::write_all(&mut tx, b"back").await.unwrap();
            let mut back = [0u8; 4];
            AsyncReadExt::read_exact(&mut a, &mut back).await.unwrap();
            assert_eq!(&back, b"back");
        });
    }
}
