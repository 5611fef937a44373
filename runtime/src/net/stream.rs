//! [`Stream`]: what every connected stream socket does, TCP or Unix: the
//! reads and writes on its fd, each as a `poll_*` method (for hand-written
//! futures and the `io` traits) and as an `async` method.
//!
//! The two forms differ only in where a waiting task's waker goes (see
//! `registration.rs`): a `poll_*` call leaves it in the direction's
//! per-task list until the next event; an `async` method owns a [`Waiter`]
//! for the whole operation, whose entry is removed when the future is
//! dropped. Both keep every waiter, so several tasks may wait on one
//! direction of one socket (two readers of a shared stream both get data).
//!
//! The syscalls are in `sys.rs`: `recv(2)` (into uninitialised memory for
//! [`ReadBuf`], with `MSG_PEEK` for `peek`), `send(2)` with `MSG_NOSIGNAL`,
//! `readv(2)`, `sendmsg(2)`.

use std::future::poll_fn;
use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, RawFd};
use std::panic::Location;
use std::task::{Context, Poll};

use mio::event::Source;

use super::registered::Registered;
use super::registration::Waiter;
use super::stream_futures::{Read, WriteAll};
use super::sys;
use crate::driver::reactor::Direction;
use crate::io::ReadBuf;

/// A connected stream socket type, and what one of its reads proves.
pub(crate) trait StreamSocket: Source + AsRawFd {
    /// Whether a `recv(2)` that returns more than 0 but fewer bytes than
    /// asked proves the receive queue empty, so that the next read can wait
    /// for the next edge without first getting `EAGAIN` from the kernel.
    ///
    /// True for TCP: `tcp_recvmsg` copies until the buffer is full or the
    /// queue is empty, and bytes that arrive during or after the call make
    /// a new `EPOLLIN` edge. False for Unix streams: `unix_stream_read`
    /// also stops early at a message carrying file descriptors
    /// (`SCM_RIGHTS`) or, with `SO_PASSCRED`, another writer's credentials,
    /// with more bytes queued behind it and no new edge to come.
    const SHORT_READ_DRAINS: bool;
}

impl StreamSocket for mio::net::TcpStream {
    const SHORT_READ_DRAINS: bool = true;
}

impl StreamSocket for mio::net::UnixStream {
    const SHORT_READ_DRAINS: bool = false;
}

/// Whether a read that asked for `asked` bytes and got `got` proves the
/// receive queue of an `S` empty (see [`StreamSocket::SHORT_READ_DRAINS`]).
#[inline]
pub(super) fn drained<S: StreamSocket>(asked: usize, got: usize) -> bool {
    S::SHORT_READ_DRAINS && got > 0 && got < asked
}

/// A connected stream socket (`mio::net::TcpStream`, `mio::net::UnixStream`)
/// registered with its runtime's reactor; deregistered when dropped.
pub(crate) struct Stream<S: StreamSocket> {
    sock: Registered<S>,
}

impl<S: StreamSocket> Stream<S> {
    /// Registers `io` with the reactor of the runtime on this thread.
    pub(crate) fn new(io: S) -> io::Result<Stream<S>> {
        Ok(Stream {
            sock: Registered::new(io)?,
        })
    }

    /// The `mio` socket, for its option and address methods.
    pub(crate) fn io(&self) -> &S {
        self.sock.io()
    }

    pub(crate) fn fd(&self) -> RawFd {
        self.sock.fd()
    }

    /// Waits for the outcome of a non-blocking `connect(2)` that returned
    /// `EINPROGRESS` (or completed at once): until the socket is writable,
    /// then `take_error` (`getsockopt(SO_ERROR)`) gives the refusal, if any.
    pub(crate) async fn finish_connect(
        &self,
        take_error: impl Fn(&S) -> io::Result<Option<io::Error>>,
        is_connected: impl Fn(&S) -> io::Result<()>,
        at: &'static Location<'static>,
    ) -> io::Result<()> {
        // The slot starts out "ready"; for a connect in progress, wait for
        // the real EPOLLOUT (epoll reports it even if it came before the
        // registration).
        self.sock.reg().clear_ready(Direction::Write);
        let mut waiter = Waiter::new(self.sock.reg(), Direction::Write, at);
        loop {
            poll_fn(|cx| waiter.poll_ready(cx)).await?;
            if let Some(e) = take_error(self.sock.io())? {
                return Err(e);
            }
            match is_connected(self.sock.io()) {
                Ok(()) => return Ok(()),
                // Not connected yet (a spurious wake): wait for the next edge.
                Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                    self.sock.reg().clear_ready(Direction::Write);
                }
                Err(e) => return Err(e),
            }
        }
    }

    // The poll forms: the waker is kept in the direction's per-task list.

    pub(crate) fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            // Nothing to read into: 0 at once, whatever the readiness.
            return Poll::Ready(Ok(0));
        }
        let (fd, asked) = (self.fd(), buf.len());
        self.sock.reg().poll_io_drain(
            Direction::Read,
            cx,
            || sys::recv(fd, buf, 0),
            |&n| drained::<S>(asked, n),
        )
    }

    pub(crate) fn poll_read_buf(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        let (fd, asked) = (self.fd(), buf.remaining());
        self.sock
            .reg()
            .poll_io_drain(
                Direction::Read,
                cx,
                || sys::recv_buf(fd, buf, 0),
                |&n| drained::<S>(asked, n),
            )
            .map_ok(drop)
    }

    pub(crate) fn poll_read_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        let (fd, asked) = (self.fd(), sys::readv_len(bufs));
        self.sock.reg().poll_io_drain(
            Direction::Read,
            cx,
            || sys::readv(fd, bufs),
            |&n| drained::<S>(asked, n),
        )
    }

    pub(crate) fn poll_peek(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<usize>> {
        let fd = self.fd();
        self.sock.reg().poll_io(Direction::Read, cx, || {
            sys::recv_buf(fd, buf, libc::MSG_PEEK)
        })
    }

    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let fd = self.fd();
        self.sock
            .reg()
            .poll_io(Direction::Write, cx, || sys::send(fd, buf))
    }

    pub(crate) fn poll_write_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let fd = self.fd();
        self.sock
            .reg()
            .poll_io(Direction::Write, cx, || sys::send_vectored(fd, bufs))
    }

    // The async forms: each holds a `Waiter` for the whole operation
    // (`Registered::io_at`, or its own for the loops); `at` is the user's call (`#[track_caller]` on the public method), the
    // task's await site while it waits.

    /// One `recv(2)` into `buf`: a hand-written future (`stream_futures.rs`).
    pub(crate) fn read<'s, 'b>(
        &'s self,
        buf: &'b mut [u8],
        at: &'static Location<'static>,
    ) -> Read<'s, 'b, S> {
        Read::new(
            Waiter::new(self.sock.reg(), Direction::Read, at),
            self.fd(),
            buf,
        )
    }

    pub(crate) async fn read_buf(
        &self,
        buf: &mut ReadBuf<'_>,
        at: &'static Location<'static>,
    ) -> io::Result<usize> {
        if buf.remaining() == 0 {
            return Ok(0);
        }
        let (fd, asked) = (self.fd(), buf.remaining());
        self.read_at(at, || sys::recv_buf(fd, buf, 0), asked).await
    }

    pub(crate) async fn read_vectored(
        &self,
        bufs: &mut [IoSliceMut<'_>],
        at: &'static Location<'static>,
    ) -> io::Result<usize> {
        let (fd, asked) = (self.fd(), sys::readv_len(bufs));
        self.read_at(at, || sys::readv(fd, bufs), asked).await
    }

    /// One read of up to `asked` bytes by `op`, with a [`Waiter`] for the
    /// operation; a short read forgets readiness (see
    /// [`StreamSocket::SHORT_READ_DRAINS`]).
    async fn read_at(
        &self,
        at: &'static Location<'static>,
        mut op: impl FnMut() -> io::Result<usize>,
        asked: usize,
    ) -> io::Result<usize> {
        let mut waiter = Waiter::new(self.sock.reg(), Direction::Read, at);
        poll_fn(|cx| waiter.poll_io_drain(cx, &mut op, |&n| drained::<S>(asked, n))).await
    }

    pub(crate) async fn peek(
        &self,
        buf: &mut [u8],
        at: &'static Location<'static>,
    ) -> io::Result<usize> {
        self.sock
            .io_at(Direction::Read, at, |io| {
                sys::recv(io.as_raw_fd(), buf, libc::MSG_PEEK)
            })
            .await
    }

    pub(crate) async fn read_exact(
        &self,
        mut buf: &mut [u8],
        at: &'static Location<'static>,
    ) -> io::Result<()> {
        let fd = self.fd();
        let mut waiter = Waiter::new(self.sock.reg(), Direction::Read, at);
        while !buf.is_empty() {
            let asked = buf.len();
            let read = poll_fn(|cx| {
                waiter.poll_io_drain(cx, || sys::recv(fd, buf, 0), |&n| drained::<S>(asked, n))
            })
            .await;
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

    pub(crate) async fn write(
        &self,
        buf: &[u8],
        at: &'static Location<'static>,
    ) -> io::Result<usize> {
        self.sock
            .io_at(Direction::Write, at, |io| sys::send(io.as_raw_fd(), buf))
            .await
    }

    pub(crate) async fn write_vectored(
        &self,
        bufs: &[IoSlice<'_>],
        at: &'static Location<'static>,
    ) -> io::Result<usize> {
        self.sock
            .io_at(Direction::Write, at, |io| {
                sys::send_vectored(io.as_raw_fd(), bufs)
            })
            .await
    }

    /// `send(2)` until all of `buf` is taken: a hand-written future
    /// (`stream_futures.rs`).
    pub(crate) fn write_all<'s, 'b>(
        &'s self,
        buf: &'b [u8],
        at: &'static Location<'static>,
    ) -> WriteAll<'s, 'b> {
        WriteAll::new(
            Waiter::new(self.sock.reg(), Direction::Write, at),
            self.fd(),
            buf,
        )
    }
}
