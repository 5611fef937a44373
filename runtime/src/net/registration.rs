//! [`Registration`]: a socket's place in its runtime's reactor, seen from
//! the socket; [`Waiter`]: one async operation's place among the waiters of
//! one direction.
//!
//! The reactor itself (`driver/reactor.rs`) is the loop's: epoll, the slots,
//! their ready bits and waiter lists. This file is the socket's side of the
//! life of a read (DESIGN.md): try the syscall while the slot says ready; on
//! `WouldBlock` clear the bit and leave a waker; be woken by the next event
//! and try again. A registration names its runtime by id (`handle.rs`), so
//! the socket types are `Send` and `Sync`; an operation on a thread that is
//! not running that runtime returns an error that says why.

use std::io;
use std::os::fd::RawFd;
use std::panic::Location;
use std::task::{Context, Poll, Waker};

use mio::event::Source;

use crate::context;
use crate::driver::reactor::Direction;
use crate::driver::remote::Deferred;
use crate::handle::{RuntimeId, io_not_here};
use crate::inspect::wait::{WaitNote, WaitReason};
use crate::scheduler::Scheduler;
use crate::waker;

/// An fd's registration with a runtime's reactor; the I/O types in `net`
/// hold one beside their `mio` socket.
pub(crate) struct Registration {
    rt: RuntimeId,
    key: usize,
    /// The fd, for task dumps ("waits on: fd 7 readable").
    fd: RawFd,
}

/// Which list a waiting operation's waker goes to.
enum Who<'a> {
    /// A `poll_*` call: one waker per task, until the next event.
    Polled,
    /// An async method's wait, owned by its [`Waiter`], made by the user's
    /// call at this site (the task's await site while it waits).
    Waiter(&'a mut Option<(usize, u64)>, &'static Location<'static>),
}

impl Registration {
    /// Registers `source` with the reactor of the runtime on this thread
    /// (`epoll_ctl(EPOLL_CTL_ADD)`).
    ///
    /// # Errors
    /// Outside a runtime (`ErrorKind::Other`, saying so), or if
    /// `epoll_ctl(2)` fails.
    pub(crate) fn new(source: &mut impl Source, fd: RawFd) -> io::Result<Registration> {
        context::with_current(|sched| {
            let key = sched.driver().register_io(source, fd)?;
            Ok(Registration {
                rt: sched.id(),
                key,
                fd,
            })
        })
        .unwrap_or_else(|| {
            Err(io::Error::other(
                "this I/O object must be created inside a runtime (inside block_on or a task it runs)",
            ))
        })
    }

    /// The runtime this fd is registered with.
    pub(crate) fn runtime(&self) -> RuntimeId {
        self.rt
    }

    /// Removes `source` from epoll; call from the owner's `Drop` with the
    /// source this registration was made for. Off the loop (another thread,
    /// or outside `block_on`) the slot is forgotten by the loop later; the
    /// owner's `close(2)` takes the fd out of epoll.
    pub(crate) fn deregister(&self, source: &mut impl Source) {
        let key = self.key;
        let done = self
            .rt
            .with(|sched| sched.driver().reactor().deregister(source, key));
        if done.is_none() {
            self.rt.run_or_defer(Deferred::Deregister(key));
        }
    }

    /// Runs the non-blocking `op` until it succeeds, fails, or would block;
    /// on `WouldBlock` stores the task's waker for `dir` and returns
    /// `Pending`. For the `poll_*` methods: the waker is kept until the next
    /// event on `dir`.
    ///
    /// Each completed `op` spends one unit of the task's coop budget; with
    /// the budget spent, `op` is not tried and the task yields (`coop.rs`).
    pub(crate) fn poll_io<R>(
        &self,
        dir: Direction,
        cx: &mut Context<'_>,
        op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_io_drain(dir, cx, op, |_| false)
    }

    /// [`poll_io`](Registration::poll_io) for an operation whose success
    /// can prove `dir` drained: when `drained` says so of `op`'s result
    /// (a stream read that filled less than its buffer), readiness is
    /// forgotten at once ([`Reactor::drained`](crate::driver::reactor::Reactor::drained)),
    /// and the next operation waits for the next edge instead of making a
    /// syscall that would only return `EAGAIN`.
    pub(crate) fn poll_io_drain<R>(
        &self,
        dir: Direction,
        cx: &mut Context<'_>,
        op: impl FnMut() -> io::Result<R>,
        drained: impl Fn(&R) -> bool,
    ) -> Poll<io::Result<R>> {
        self.poll_io_as(Who::Polled, dir, cx, op, drained)
    }

    #[inline]
    fn poll_io_as<R>(
        &self,
        mut who: Who<'_>,
        dir: Direction,
        cx: &mut Context<'_>,
        mut op: impl FnMut() -> io::Result<R>,
        drained: impl Fn(&R) -> bool,
    ) -> Poll<io::Result<R>> {
        let polled = self.rt.with(|sched| {
            if sched.budget().poll_proceed(cx).is_pending() {
                return Poll::Pending;
            }
            let reactor = sched.driver().reactor();
            loop {
                if !self.ready_or_wait(sched, &mut who, dir, cx.waker()) {
                    return Poll::Pending;
                }
                match op() {
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        reactor.clear_ready(self.key, dir);
                        sched.driver().counters().would_block(dir);
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    result => {
                        if let Ok(done) = &result
                            && drained(done)
                        {
                            reactor.drained(self.key, dir);
                        }
                        sched.budget().spend();
                        return Poll::Ready(result);
                    }
                }
            }
        });
        polled.unwrap_or_else(|| Poll::Ready(Err(io_not_here(self.rt))))
    }

    fn poll_ready_as(
        &self,
        mut who: Who<'_>,
        dir: Direction,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        let polled = self.rt.with(|sched| {
            if self.ready_or_wait(sched, &mut who, dir, cx.waker()) {
                Poll::Ready(Ok(()))
            } else {
                Poll::Pending
            }
        });
        polled.unwrap_or_else(|| Poll::Ready(Err(io_not_here(self.rt))))
    }

    /// Forgets readiness for `dir` (a `connect` has yet to finish).
    pub(crate) fn clear_ready(&self, dir: Direction) {
        let key = self.key;
        self.rt
            .with(|sched| sched.driver().reactor().clear_ready(key, dir));
    }

    /// What a task waiting on `dir` of this fd waits on (task dumps: "fd 7
    /// readable").
    #[inline]
    fn wait_note(&self, dir: Direction) -> WaitNote {
        let fd = self.fd;
        WaitNote::other(match dir {
            Direction::Read => WaitReason::Readable { fd },
            Direction::Write => WaitReason::Writable { fd },
        })
    }

    /// Whether `dir` is known to be ready; if not, leaves the task's waker
    /// for it and notes what the task waits on. A waiter's waker is left in
    /// the same look-up of the reactor's slot (`Reactor::ready_or_wait`:
    /// the wait that ends most polls of an I/O task); `waker::local_task`
    /// is asked only when the task waits.
    #[inline(always)]
    fn ready_or_wait(
        &self,
        sched: &Scheduler,
        who: &mut Who<'_>,
        dir: Direction,
        waker: &Waker,
    ) -> bool {
        let driver = sched.driver();
        let reactor = driver.reactor();
        let local = || waker::local_task(waker, driver.shared());
        match who {
            Who::Polled => {
                if reactor.is_ready(self.key, dir) {
                    return true;
                }
                sched.note_wait(self.wait_note(dir));
                reactor.add_polled(self.key, dir, waker, local());
            }
            Who::Waiter(entry, at) => {
                if reactor.ready_or_wait(self.key, dir, entry, waker, local) {
                    return true;
                }
                sched.note_wait_at(self.wait_note(dir), at);
            }
        }
        false
    }
}

/// One async operation's place among the waiters of one direction of an fd
/// (see `driver/reactor.rs`). Made at the start of the operation, dropped
/// with it: a cancelled `accept` or `read` takes its waker out of the list.
pub(crate) struct Waiter<'a> {
    reg: &'a Registration,
    dir: Direction,
    /// The waker's key in the direction's list and the list's generation
    /// when it was added; `None` until the operation first waits.
    entry: Option<(usize, u64)>,
    /// The user's call that started the operation (its await site).
    at: &'static Location<'static>,
}

impl<'a> Waiter<'a> {
    pub(crate) fn new(
        reg: &'a Registration,
        dir: Direction,
        at: &'static Location<'static>,
    ) -> Waiter<'a> {
        Waiter {
            reg,
            dir,
            entry: None,
            at,
        }
    }

    /// [`Registration::poll_io`] for this waiter.
    pub(crate) fn poll_io<R>(
        &mut self,
        cx: &mut Context<'_>,
        op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_io_drain(cx, op, |_| false)
    }

    /// [`Registration::poll_io_drain`] for this waiter.
    pub(crate) fn poll_io_drain<R>(
        &mut self,
        cx: &mut Context<'_>,
        op: impl FnMut() -> io::Result<R>,
        drained: impl Fn(&R) -> bool,
    ) -> Poll<io::Result<R>> {
        self.reg.poll_io_as(
            Who::Waiter(&mut self.entry, self.at),
            self.dir,
            cx,
            op,
            drained,
        )
    }

    /// Waits until the fd is reported ready for this waiter's direction.
    pub(crate) fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.reg
            .poll_ready_as(Who::Waiter(&mut self.entry, self.at), self.dir, cx)
    }
}

impl Waiter<'_> {
    /// The operation is over: takes its entry out of the list, if it still
    /// has one there (usually an event took it already). Its `Drop` does
    /// the same; a hand-written future calls this when it completes, as an
    /// `async fn` drops its waiter on returning.
    #[inline]
    pub(crate) fn release(&mut self) {
        if self.entry.is_some() {
            self.remove();
        }
    }

    #[cold]
    #[inline(never)]
    fn remove(&mut self) {
        let Some(entry) = self.entry.take() else {
            return;
        };
        let (key, dir) = (self.reg.key, self.dir);
        // Off the loop the entry stays until the next event on this fd
        // empties the list (one spurious wake of a task that moved on).
        self.reg
            .rt
            .with(|sched| sched.driver().reactor().remove_waiter(key, dir, entry));
    }
}

impl Drop for Waiter<'_> {
    #[inline]
    fn drop(&mut self) {
        self.release();
    }
}
