//! The futures of a stream's two hottest calls, [`Read`] (`read`) and
//! [`WriteAll`] (`write_all`), written by hand.
//!
//! As `async fn`s each was three nested state machines (the public
//! method's `async move`, `Stream::read`, its `poll_fn`), every layer with
//! its own state word and its own copy of the arguments, spread over two
//! or three cache lines of the task's allocation. Here each is one struct
//! holding the [`Waiter`], the fd and the buffer, whose `poll` makes the
//! syscall directly: what the operation does, its await site and its wait
//! reason are unchanged.

use std::future::Future;
use std::io;
use std::marker::PhantomData;
use std::os::fd::RawFd;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::registration::Waiter;
use super::stream::{StreamSocket, drained};
use super::sys;

/// The future of `read`: one `recv(2)` into `buf`, waiting for data, EOF or
/// an error (see `Stream::read`).
pub(crate) struct Read<'s, 'b, S: StreamSocket> {
    waiter: Waiter<'s>,
    fd: RawFd,
    buf: &'b mut [u8],
    /// Whether a short read drains the socket is `S`'s.
    socket: PhantomData<fn() -> S>,
}

impl<'s, 'b, S: StreamSocket> Read<'s, 'b, S> {
    pub(crate) fn new(waiter: Waiter<'s>, fd: RawFd, buf: &'b mut [u8]) -> Read<'s, 'b, S> {
        Read {
            waiter,
            fd,
            buf,
            socket: PhantomData,
        }
    }
}

impl<S: StreamSocket> Future for Read<'_, '_, S> {
    type Output = io::Result<usize>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        // Every field is `Unpin`: the future may be moved between polls.
        let this = self.get_mut();
        let (fd, asked) = (this.fd, this.buf.len());
        if asked == 0 {
            // Nothing to read into: 0 at once, whatever the readiness.
            return Poll::Ready(Ok(0));
        }
        let buf = &mut *this.buf;
        let polled =
            this.waiter
                .poll_io_drain(cx, || sys::recv(fd, buf, 0), |&n| drained::<S>(asked, n));
        if polled.is_ready() {
            this.waiter.release();
        }
        polled
    }
}

/// The future of `write_all`: `send(2)` until all of `buf` is taken,
/// waiting for room in between (see `Stream::write_all`).
pub(crate) struct WriteAll<'s, 'b> {
    waiter: Waiter<'s>,
    fd: RawFd,
    /// What is left to send.
    buf: &'b [u8],
}

impl<'s, 'b> WriteAll<'s, 'b> {
    pub(crate) fn new(waiter: Waiter<'s>, fd: RawFd, buf: &'b [u8]) -> WriteAll<'s, 'b> {
        WriteAll { waiter, fd, buf }
    }
}

impl Future for WriteAll<'_, '_> {
    type Output = io::Result<()>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Every field is `Unpin`: the future may be moved between polls.
        let this = self.get_mut();
        let fd = this.fd;
        let done = loop {
            if this.buf.is_empty() {
                break Ok(());
            }
            let buf = this.buf;
            let written = match this.waiter.poll_io(cx, || sys::send(fd, buf)) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(written) => written,
            };
            match written {
                Ok(0) => {
                    break Err(io::Error::new(
                        io::ErrorKind::WriteZero,
                        "send(2) took no bytes",
                    ));
                }
                Ok(n) => this.buf = &buf[n..],
                Err(e) => break Err(e),
            }
        };
        this.waiter.release();
        Poll::Ready(done)
    }
}
