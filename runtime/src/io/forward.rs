//! The forwarding impls: `&mut T`, `Box<T>` and `Pin<P>` read and write as
//! what they point to, so that `fn f(io: &mut impl AsyncRead)` and
//! `Box<dyn AsyncRead + Unpin>` work.
//!
//! The three impls of each trait differ only in how they reach the pinned
//! target: a fresh `Pin::new` of it for `&mut T` and `Box<T>` (`T: Unpin`),
//! the pin it already is for `Pin<P>`. So each trait's methods are written
//! once, by [`forward_read!`] and [`forward_write!`], given that way in.

use std::io::{self, IoSliceMut};
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{AsyncRead, AsyncWrite, ReadBuf};

/// `&mut T` and `Box<T>`, for an `Unpin` target: pin the target afresh.
fn repin<P>(this: Pin<&mut P>) -> Pin<&mut P::Target>
where
    P: DerefMut + Unpin,
    P::Target: Unpin,
{
    Pin::new(&mut **this.get_mut())
}

/// `Pin<P>`: the target is pinned already.
fn unwrap_pin<P: DerefMut + Unpin>(this: Pin<&mut Pin<P>>) -> Pin<&mut P::Target> {
    this.get_mut().as_mut()
}

/// `AsyncRead`'s methods, each a call on `$pin(self)`.
macro_rules! forward_read {
    ($pin:ident) => {
        fn poll_read(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut [u8],
        ) -> Poll<io::Result<usize>> {
            $pin(self).poll_read(cx, buf)
        }

        fn poll_read_buf(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            $pin(self).poll_read_buf(cx, buf)
        }

        fn poll_read_vectored(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            bufs: &mut [IoSliceMut<'_>],
        ) -> Poll<io::Result<usize>> {
            $pin(self).poll_read_vectored(cx, bufs)
        }
    };
}

/// `AsyncWrite`'s methods, each a call on `$pin(self)`, a pinned target
/// (`is_write_vectored` on `$target(self)`, a shared one). Also used by
/// `compat/hyper.rs`, whose `hyper::rt::Write` has the same five methods.
macro_rules! forward_write {
    ($pin:path, $target:path) => {
        fn poll_write(
            self: ::std::pin::Pin<&mut Self>,
            cx: &mut ::std::task::Context<'_>,
            buf: &[u8],
        ) -> ::std::task::Poll<::std::io::Result<usize>> {
            $pin(self).poll_write(cx, buf)
        }

        fn poll_write_vectored(
            self: ::std::pin::Pin<&mut Self>,
            cx: &mut ::std::task::Context<'_>,
            bufs: &[::std::io::IoSlice<'_>],
        ) -> ::std::task::Poll<::std::io::Result<usize>> {
            $pin(self).poll_write_vectored(cx, bufs)
        }

        fn is_write_vectored(&self) -> bool {
            $target(self).is_write_vectored()
        }

        fn poll_flush(
            self: ::std::pin::Pin<&mut Self>,
            cx: &mut ::std::task::Context<'_>,
        ) -> ::std::task::Poll<::std::io::Result<()>> {
            $pin(self).poll_flush(cx)
        }

        fn poll_shutdown(
            self: ::std::pin::Pin<&mut Self>,
            cx: &mut ::std::task::Context<'_>,
        ) -> ::std::task::Poll<::std::io::Result<()>> {
            $pin(self).poll_shutdown(cx)
        }
    };
}

#[cfg(feature = "hyper")]
pub(crate) use forward_write;

impl<T: AsyncRead + Unpin + ?Sized> AsyncRead for &mut T {
    forward_read!(repin);
}

impl<T: AsyncRead + Unpin + ?Sized> AsyncRead for Box<T> {
    forward_read!(repin);
}

impl<P> AsyncRead for Pin<P>
where
    P: DerefMut + Unpin,
    P::Target: AsyncRead,
{
    forward_read!(unwrap_pin);
}

impl<T: AsyncWrite + Unpin + ?Sized> AsyncWrite for &mut T {
    forward_write!(repin, Deref::deref);
}

impl<T: AsyncWrite + Unpin + ?Sized> AsyncWrite for Box<T> {
    forward_write!(repin, Deref::deref);
}

impl<P> AsyncWrite for Pin<P>
where
    P: DerefMut + Unpin,
    P::Target: AsyncWrite,
{
    forward_write!(unwrap_pin, Deref::deref);
}
