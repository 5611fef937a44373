//! The I/O traits for the [`Mock`]: [`AsyncRead`] and [`AsyncWrite`] for
//! `Mock` and for `&Mock` (so that one future may read while another
//! writes: `let (mut r, mut w) = (&mock, &mock);`), and with the
//! `futures-io` feature `futures_io`'s for `Mock`. Each forwards to the
//! mock's `&self` steps (`poll_read_shared`, `poll_write_shared` in
//! `mod.rs`); flushing does nothing, shutting down is the mock's
//! `shutdown(Shutdown::Write)`.

use std::io;
use std::net::Shutdown;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::Mock;
use crate::io::{AsyncRead, AsyncWrite};

/// `AsyncRead` and `AsyncWrite` for `$t`, a `Mock` or a `&Mock`.
macro_rules! mock_io {
    ($t:ty) => {
        impl AsyncRead for $t {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                self.poll_read_shared(cx, buf)
            }
        }

        impl AsyncWrite for $t {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                self.poll_write_shared(cx, buf)
            }

            fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(Ok(()))
            }

            fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(Mock::shutdown(&self, Shutdown::Write))
            }
        }
    };
}

mock_io!(Mock);
mock_io!(&Mock);

#[cfg(feature = "futures-io")]
mod futures_io_impls {
    use std::io;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use super::Mock;

    impl futures_io::AsyncRead for Mock {
        fn poll_read(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut [u8],
        ) -> Poll<io::Result<usize>> {
            self.poll_read_shared(cx, buf)
        }
    }

    impl futures_io::AsyncWrite for Mock {
        fn poll_write(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            self.poll_write_shared(cx, buf)
        }

        fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Mock::shutdown(&self, std::net::Shutdown::Write))
        }
    }
}
