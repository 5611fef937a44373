//! The reactor: `epoll(7)` through `mio`, and who is waiting on which fd.
//!
//! Every I/O object registers its fd once (`epoll_ctl(EPOLL_CTL_ADD)`,
//! edge-triggered, for both directions) and gets a slot here keyed by its
//! `mio::Token`. The slot remembers, per direction, whether the fd is known
//! to be ready and which task waits for it:
//!
//! 1. a task tries the syscall (`read(2)`, `accept4(2)`, ...) while the slot
//!    says "ready" (it starts out ready, so the first try costs nothing
//!    extra);
//! 2. on `WouldBlock` it clears the bit and stores its waker
//!    ([`Registration::poll_io`]), then returns `Pending`;
//! 3. [`Reactor::turn`] calls `epoll_wait(2)`; each event sets the ready bits
//!    of its slot and wakes *every* waker stored for that direction;
//! 4. the tasks are polled again and retry the syscall; the first to find
//!    data takes it, the others see `WouldBlock` and wait again.
//!
//! Several tasks may wait on one direction of one fd: two tasks calling
//! `recv_from` on one shared `UdpSocket`, two `accept`s on one listener, a
//! reader and a `poll_read` on one stream. Each direction therefore keeps a
//! list, not a single waker (a single one, replaced by each new waiter, lost
//! the earlier waiter's wakeup: it hung with data in the socket). The async
//! methods hold a [`Waiter`], whose entry leaves the list when the future is
//! dropped (a cancelled `read` leaves nothing behind); the `poll_*` methods,
//! which have no future to own an entry, keep one waker per task until the
//! next event.
//!
//! Everything here runs on the loop's thread, so no event can slip in
//! between step 1 and step 2: with edge-triggered epoll the only way to lose
//! a wakeup would be to clear the ready bit *after* an event arrived, and
//! events only arrive in step 3. A spurious wake (or readiness another task
//! consumed first) just leads to another `WouldBlock` and another wait.

use std::cell::RefCell;
use std::io;
use std::os::fd::RawFd;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use mio::event::Source;
use mio::{Events, Interest, Token};
use slab::Slab;

use crate::executor::Executor;
use crate::handle::{RuntimeId, io_not_here};
use crate::inspect::{Wait, WaitReason};
use crate::remote::Deferred;
use crate::stats::bump;

/// The token of the runtime's `mio::Waker` (its eventfd).
pub(crate) const WAKER_TOKEN: Token = Token(usize::MAX - 1);

/// A direction of readiness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Readable: data, a connection to accept, EOF, or an error.
    Read,
    /// Writable: room in the send buffer, a finished `connect`, or an error.
    Write,
}

/// One direction of one registered fd: is it known to be ready, and who
/// waits for it.
#[derive(Default)]
struct Readiness {
    ready: bool,
    /// Wakers stored by the `poll_*` methods, one per task (a task polling
    /// again replaces nothing: `will_wake` finds its waker). All are woken,
    /// and the list emptied, by the next event.
    polled: Vec<Waker>,
    /// Wakers of the async methods, each entry owned by a [`Waiter`] that
    /// removes it when dropped. The next event wakes and removes them all.
    waiters: Slab<Waker>,
    /// Counts the events that emptied `waiters`: a [`Waiter`] whose entry
    /// an event took sees a newer generation and adds a fresh entry.
    generation: u64,
}

impl Readiness {
    fn fresh() -> Readiness {
        Readiness {
            ready: true,
            ..Readiness::default()
        }
    }

    /// An event for this direction: ready, and every waiter to be woken.
    fn fire(&mut self, wake: &mut Vec<Waker>) {
        self.ready = true;
        wake.append(&mut self.polled);
        if !self.waiters.is_empty() {
            wake.extend(self.waiters.drain());
            self.generation += 1;
        }
    }
}

/// What the reactor knows about one registered fd.
struct IoSlot {
    #[allow(
        dead_code,
        reason = "read in gdb (`p *slot`) to tell which fd a slot is"
    )]
    fd: RawFd,
    read: Readiness,
    write: Readiness,
}

impl IoSlot {
    fn dir(&mut self, dir: Direction) -> &mut Readiness {
        match dir {
            Direction::Read => &mut self.read,
            Direction::Write => &mut self.write,
        }
    }
}

/// The loop's epoll instance and its registrations.
pub(crate) struct Reactor {
    poll: RefCell<mio::Poll>,
    events: RefCell<Events>,
    sources: RefCell<Slab<IoSlot>>,
}

/// What one [`Reactor::turn`] saw.
pub(crate) struct Turn {
    /// Events returned by `epoll_wait`.
    pub(crate) events: usize,
    /// Whether the eventfd (remote wakes) was among them.
    pub(crate) remote: bool,
}

impl Reactor {
    /// Creates the epoll instance (`epoll_create1(2)`) and the eventfd
    /// behind the returned `mio::Waker` (`eventfd(2)`, registered with it).
    pub(crate) fn new() -> io::Result<(Reactor, mio::Waker)> {
        let poll = mio::Poll::new()?;
        let waker = mio::Waker::new(poll.registry(), WAKER_TOKEN)?;
        let reactor = Reactor {
            poll: RefCell::new(poll),
            events: RefCell::new(Events::with_capacity(1024)),
            sources: RefCell::new(Slab::new()),
        };
        Ok((reactor, waker))
    }

    /// Whether any fd is registered (for the deadlock detector: a registered
    /// socket may still become ready).
    pub(crate) fn has_sources(&self) -> bool {
        !self.sources.borrow().is_empty()
    }

    /// `epoll_wait(2)` for at most `timeout` (`None`: until an event), then
    /// marks readiness and collects the wakers to wake into `wake`.
    pub(crate) fn turn(
        &self,
        timeout: Option<Duration>,
        wake: &mut Vec<Waker>,
    ) -> io::Result<Turn> {
        let mut events = self.events.borrow_mut();
        match self.poll.borrow_mut().poll(&mut events, timeout) {
            Ok(()) => {}
            // A signal arrived: a turn with no events, the loop goes round.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => events.clear(),
            Err(e) => return Err(e),
        }
        let mut turn = Turn {
            events: 0,
            remote: false,
        };
        let mut sources = self.sources.borrow_mut();
        for event in events.iter() {
            turn.events += 1;
            if event.token() == WAKER_TOKEN {
                turn.remote = true;
                continue;
            }
            let Some(slot) = sources.get_mut(event.token().0) else {
                continue; // deregistered since
            };
            if event.is_readable() || event.is_read_closed() || event.is_error() {
                slot.read.fire(wake);
            }
            if event.is_writable() || event.is_write_closed() || event.is_error() {
                slot.write.fire(wake);
            }
        }
        Ok(turn)
    }

    fn register(&self, source: &mut impl Source, fd: RawFd) -> io::Result<usize> {
        let mut sources = self.sources.borrow_mut();
        let entry = sources.vacant_entry();
        let key = entry.key();
        self.poll.borrow().registry().register(
            source,
            Token(key),
            Interest::READABLE | Interest::WRITABLE,
        )?;
        entry.insert(IoSlot {
            fd,
            read: Readiness::fresh(),
            write: Readiness::fresh(),
        });
        Ok(key)
    }

    fn deregister(&self, source: &mut impl Source, key: usize) {
        // `epoll_ctl(EPOLL_CTL_DEL)`; closing the fd would remove it anyway,
        // so an error here changes nothing.
        let _ = self.poll.borrow().registry().deregister(source);
        self.forget(key);
    }

    /// Frees a slot whose fd is closed (or about to be): a socket dropped
    /// off the loop, whose `close(2)` already took it out of epoll's
    /// interest list.
    pub(crate) fn forget(&self, key: usize) {
        let slot = self.sources.borrow_mut().try_remove(key);
        drop(slot); // its wakers drop outside the borrow
    }
}

/// An fd's registration with a runtime's reactor; the I/O types in `net`
/// hold one beside their `mio` socket. It names its runtime by id
/// (`handle.rs`), so sockets may be sent to, and dropped on, other threads;
/// they can only be used on the thread running that runtime.
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
    /// An async method's wait, owned by its [`Waiter`].
    Waiter(&'a mut Option<(usize, u64)>),
}

impl Registration {
    /// Registers `source` with the reactor of the runtime on this thread.
    ///
    /// # Errors
    /// Outside a runtime (`ErrorKind::Other`, saying so), or if
    /// `epoll_ctl(2)` fails.
    pub(crate) fn new(source: &mut impl Source, fd: RawFd) -> io::Result<Registration> {
        crate::context::with_current(|exec| {
            let key = exec.reactor.register(source, fd)?;
            bump(&exec.counters.io_registrations);
            Ok(Registration {
                rt: exec.id(),
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
        if self
            .rt
            .with(|exec| exec.reactor.deregister(source, key))
            .is_none()
        {
            self.rt.run_or_defer(Deferred::Deregister(key));
        }
    }

    /// Runs the non-blocking `op` until it succeeds, fails, or would block;
    /// on `WouldBlock` stores the task's waker for `dir` and returns
    /// `Pending` (steps 1 and 2 of the module doc). For the `poll_*`
    /// methods: the waker is kept until the next event on `dir`.
    ///
    /// Each completed `op` spends one unit of the task's coop budget; with
    /// the budget spent, `op` is not tried and the task yields (`coop.rs`).
    pub(crate) fn poll_io<R>(
        &self,
        dir: Direction,
        cx: &mut Context<'_>,
        op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_io_as(Who::Polled, dir, cx, op)
    }

    fn poll_io_as<R>(
        &self,
        mut who: Who<'_>,
        dir: Direction,
        cx: &mut Context<'_>,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let polled = self.rt.with(|exec| {
            if crate::coop::poll_proceed(exec, cx).is_pending() {
                return Poll::Pending;
            }
            loop {
                if !self.is_ready(exec, dir) {
                    self.set_waker(exec, &mut who, dir, cx.waker());
                    return Poll::Pending;
                }
                match op() {
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        self.clear_ready_in(exec, dir);
                        let counters = &exec.counters;
                        bump(match dir {
                            Direction::Read => &counters.read_would_block,
                            Direction::Write => &counters.write_would_block,
                        });
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    result => {
                        crate::coop::spend(exec);
                        return Poll::Ready(result);
                    }
                }
            }
        });
        polled.unwrap_or_else(|| Poll::Ready(Err(io_not_here(self.rt))))
    }

    /// Waits until the fd is reported ready for `dir` (without an operation).
    fn poll_ready_as(
        &self,
        mut who: Who<'_>,
        dir: Direction,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        let polled = self.rt.with(|exec| {
            if self.is_ready(exec, dir) {
                Poll::Ready(Ok(()))
            } else {
                self.set_waker(exec, &mut who, dir, cx.waker());
                Poll::Pending
            }
        });
        polled.unwrap_or_else(|| Poll::Ready(Err(io_not_here(self.rt))))
    }

    /// Forgets readiness for `dir` (the last operation hit `WouldBlock`, or
    /// a `connect` has yet to finish).
    pub(crate) fn clear_ready(&self, dir: Direction) {
        self.rt.with(|exec| self.clear_ready_in(exec, dir));
    }

    fn clear_ready_in(&self, exec: &Executor, dir: Direction) {
        if let Some(slot) = exec.reactor.sources.borrow_mut().get_mut(self.key) {
            slot.dir(dir).ready = false;
        }
    }

    fn is_ready(&self, exec: &Executor, dir: Direction) -> bool {
        let sources = exec.reactor.sources.borrow();
        sources.get(self.key).is_some_and(|slot| match dir {
            Direction::Read => slot.read.ready,
            Direction::Write => slot.write.ready,
        })
    }

    fn set_waker(&self, exec: &Executor, who: &mut Who<'_>, dir: Direction, waker: &Waker) {
        let fd = self.fd;
        exec.note_wait(Wait::Other(match dir {
            Direction::Read => WaitReason::Readable { fd },
            Direction::Write => WaitReason::Writable { fd },
        }));
        let old = {
            let mut sources = exec.reactor.sources.borrow_mut();
            let Some(slot) = sources.get_mut(self.key) else {
                return;
            };
            let readiness = slot.dir(dir);
            match who {
                Who::Polled => {
                    if !readiness.polled.iter().any(|w| w.will_wake(waker)) {
                        readiness.polled.push(waker.clone());
                    }
                    None
                }
                Who::Waiter(entry) => match **entry {
                    Some((key, generation)) if generation == readiness.generation => {
                        let stored = &mut readiness.waiters[key];
                        if stored.will_wake(waker) {
                            None
                        } else {
                            Some(std::mem::replace(stored, waker.clone()))
                        }
                    }
                    _ => {
                        let key = readiness.waiters.insert(waker.clone());
                        **entry = Some((key, readiness.generation));
                        None
                    }
                },
            }
        };
        drop(old); // outside the borrow: dropping a waker may run user code
    }
}

/// One async operation's place among the waiters of one direction of an fd
/// (see the module doc). Made at the start of the operation, dropped with
/// it: a cancelled `accept` or `read` takes its waker out of the list.
pub(crate) struct Waiter<'a> {
    reg: &'a Registration,
    dir: Direction,
    /// The waker's key in the direction's list and the list's generation
    /// when it was added; `None` until the operation first waits.
    entry: Option<(usize, u64)>,
}

impl<'a> Waiter<'a> {
    pub(crate) fn new(reg: &'a Registration, dir: Direction) -> Waiter<'a> {
        Waiter {
            reg,
            dir,
            entry: None,
        }
    }

    /// [`Registration::poll_io`] for this waiter.
    pub(crate) fn poll_io<R>(
        &mut self,
        cx: &mut Context<'_>,
        op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.reg
            .poll_io_as(Who::Waiter(&mut self.entry), self.dir, cx, op)
    }

    /// Waits until the fd is reported ready for this waiter's direction.
    pub(crate) fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.reg
            .poll_ready_as(Who::Waiter(&mut self.entry), self.dir, cx)
    }
}

impl Drop for Waiter<'_> {
    fn drop(&mut self) {
        let Some((key, generation)) = self.entry else {
            return;
        };
        let (reg, dir) = (self.reg, self.dir);
        // Off the loop the entry stays until the next event on this fd
        // empties the list (a spurious wake of a task that moved on).
        let removed = reg.rt.with(|exec| {
            let mut sources = exec.reactor.sources.borrow_mut();
            let readiness = sources.get_mut(reg.key)?.dir(dir);
            if readiness.generation == generation {
                readiness.waiters.try_remove(key)
            } else {
                None
            }
        });
        drop(removed); // the waker drops outside the borrow
    }
}
