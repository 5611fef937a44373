//! [`Registered`]: a `mio` socket together with its [`Registration`]: what
//! every socket type in `net` is underneath (the listeners, the stream core
//! `stream.rs`, [`UdpSocket`](super::UdpSocket),
//! [`UnixDatagram`](super::UnixDatagram)).
//!
//! Written once here, so that each socket type holds one field and says
//! only which syscall each of its methods makes: the registration with the
//! reactor when it is made (`epoll_ctl(EPOLL_CTL_ADD)`), the deregistration
//! when it is dropped, and the two ways to run a non-blocking syscall until
//! it stops saying `EAGAIN`: the `poll_*` form ([`Registered::poll_io`],
//! the waker kept in the direction's per-task list) and the `async` form
//! ([`Registered::io_at`], a [`Waiter`] owned by the future and noted with
//! the user's await site).

use std::fmt;
use std::future::{Future, poll_fn};
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::panic::Location;
use std::task::{Context, Poll};

use mio::event::Source;

use super::registration::{Registration, Waiter};
use crate::driver::reactor::Direction;

/// A `mio` socket registered with the reactor of the runtime on the thread
/// that made it; deregistered when dropped.
pub(crate) struct Registered<S: Source + AsRawFd> {
    io: S,
    reg: Registration,
}

impl<S: Source + AsRawFd> Registered<S> {
    /// Registers `io` with the reactor of the runtime on this thread.
    ///
    /// # Errors
    /// Outside a runtime, or if `epoll_ctl(2)` fails.
    pub(crate) fn new(mut io: S) -> io::Result<Registered<S>> {
        let fd = io.as_raw_fd();
        let reg = Registration::new(&mut io, fd)?;
        Ok(Registered { io, reg })
    }

    /// The `mio` socket, for its option and address methods.
    pub(crate) fn io(&self) -> &S {
        &self.io
    }

    /// Its registration, for waits of a shape of their own (`accept`'s
    /// backoff, `connect`'s completion, loops of `read_exact`).
    pub(crate) fn reg(&self) -> &Registration {
        &self.reg
    }

    pub(crate) fn fd(&self) -> RawFd {
        self.io.as_raw_fd()
    }

    /// Runs the non-blocking `op` on the socket until it does not say
    /// `WouldBlock`; in between, `Pending` with the task's waker kept for
    /// `dir` until the next event (see [`Registration::poll_io`]).
    pub(crate) fn poll_io<R>(
        &self,
        dir: Direction,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&S) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.reg.poll_io(dir, cx, || op(&self.io))
    }

    /// The `async` form of [`poll_io`](Registered::poll_io): the future owns
    /// a [`Waiter`] for `dir` (taken out of the list when it is dropped), and
    /// `at`, the user's call, is the task's await site while it waits.
    pub(crate) fn io_at<R>(
        &self,
        dir: Direction,
        at: &'static Location<'static>,
        mut op: impl FnMut(&S) -> io::Result<R>,
    ) -> impl Future<Output = io::Result<R>> {
        let mut waiter = Waiter::new(&self.reg, dir, at);
        poll_fn(move |cx| waiter.poll_io(cx, || op(&self.io)))
    }

    /// The `Debug` of a socket with a local address only: its type's
    /// `name`, the fd and `local`.
    pub(crate) fn fmt_local<A: fmt::Debug>(
        &self,
        f: &mut fmt::Formatter<'_>,
        name: &str,
        local: io::Result<A>,
    ) -> fmt::Result {
        f.debug_struct(name)
            .field("fd", &self.fd())
            .field("local", &local.ok())
            .finish()
    }
}

impl<S: Source + AsRawFd> Drop for Registered<S> {
    fn drop(&mut self) {
        self.reg.deregister(&mut self.io);
    }
}
