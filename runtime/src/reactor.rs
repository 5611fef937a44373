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
//!    of its slot and wakes the stored waker(s);
//! 4. the task is polled again and retries the syscall.
//!
//! Everything here runs on the loop's thread, so no event can slip in
//! between step 1 and step 2: with edge-triggered epoll the only way to lose
//! a wakeup would be to clear the ready bit *after* an event arrived, and
//! events only arrive in step 3. A spurious wake (or readiness another task
//! consumed first) just leads to another `WouldBlock` and another wait.

use std::cell::RefCell;
use std::io;
use std::os::fd::RawFd;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use mio::event::Source;
use mio::{Events, Interest, Token};
use slab::Slab;

use crate::executor::Executor;
use crate::inspect::{Wait, WaitReason};
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

/// What the reactor knows about one registered fd.
struct IoSlot {
    #[allow(
        dead_code,
        reason = "read in gdb (`p *slot`) to tell which fd a slot is"
    )]
    fd: RawFd,
    read_ready: bool,
    write_ready: bool,
    read_waker: Option<Waker>,
    write_waker: Option<Waker>,
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
                slot.read_ready = true;
                wake.extend(slot.read_waker.take());
            }
            if event.is_writable() || event.is_write_closed() || event.is_error() {
                slot.write_ready = true;
                wake.extend(slot.write_waker.take());
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
            read_ready: true,
            write_ready: true,
            read_waker: None,
            write_waker: None,
        });
        Ok(key)
    }

    fn deregister(&self, source: &mut impl Source, key: usize) {
        // `epoll_ctl(EPOLL_CTL_DEL)`; closing the fd would remove it anyway,
        // so an error here changes nothing.
        let _ = self.poll.borrow().registry().deregister(source);
        let slot = self.sources.borrow_mut().try_remove(key);
        drop(slot); // its wakers drop outside the borrow
    }
}

/// An fd's registration with the current runtime's reactor; the I/O types in
/// `net` hold one beside their `mio` socket.
pub(crate) struct Registration {
    exec: Rc<Executor>,
    key: usize,
    /// The fd, for task dumps ("waits on: fd 7 readable").
    fd: RawFd,
}

impl Registration {
    /// Registers `source` with the reactor of the runtime on this thread.
    ///
    /// # Errors
    /// Outside a runtime (`ErrorKind::Other`, saying so), or if
    /// `epoll_ctl(2)` fails.
    pub(crate) fn new(source: &mut impl Source, fd: RawFd) -> io::Result<Registration> {
        let exec = crate::context::current().ok_or_else(|| {
            io::Error::other("this I/O object must be created inside a runtime (inside block_on or a task it runs)")
        })?;
        let key = exec.reactor.register(source, fd)?;
        bump(&exec.counters.io_registrations);
        Ok(Registration { exec, key, fd })
    }

    /// Removes `source` from epoll; call from the owner's `Drop` with the
    /// source this registration was made for.
    pub(crate) fn deregister(&self, source: &mut impl Source) {
        self.exec.reactor.deregister(source, self.key);
    }

    /// Runs the non-blocking `op` until it succeeds, fails, or would block;
    /// on `WouldBlock` stores the task's waker for `dir` and returns
    /// `Pending` (steps 1 and 2 of the module doc).
    ///
    /// Each completed `op` spends one unit of the task's coop budget; with
    /// the budget spent, `op` is not tried and the task yields (`coop.rs`).
    pub(crate) fn poll_io<R>(
        &self,
        dir: Direction,
        cx: &mut Context<'_>,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        if crate::coop::poll_proceed(&self.exec, cx).is_pending() {
            return Poll::Pending;
        }
        loop {
            if !self.is_ready(dir) {
                self.set_waker(dir, cx.waker());
                return Poll::Pending;
            }
            match op() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.clear_ready(dir);
                    let counters = &self.exec.counters;
                    bump(match dir {
                        Direction::Read => &counters.read_would_block,
                        Direction::Write => &counters.write_would_block,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                result => {
                    crate::coop::spend(&self.exec);
                    return Poll::Ready(result);
                }
            }
        }
    }

    /// Waits until the fd is reported ready for `dir` (without an operation).
    pub(crate) fn poll_ready(&self, dir: Direction, cx: &mut Context<'_>) -> Poll<()> {
        if self.is_ready(dir) {
            Poll::Ready(())
        } else {
            self.set_waker(dir, cx.waker());
            Poll::Pending
        }
    }

    /// Forgets readiness for `dir` (the last operation hit `WouldBlock`).
    pub(crate) fn clear_ready(&self, dir: Direction) {
        if let Some(slot) = self.exec.reactor.sources.borrow_mut().get_mut(self.key) {
            match dir {
                Direction::Read => slot.read_ready = false,
                Direction::Write => slot.write_ready = false,
            }
        }
    }

    /// The executor this registration belongs to (for stats and timers).
    pub(crate) fn executor(&self) -> &Rc<Executor> {
        &self.exec
    }

    fn is_ready(&self, dir: Direction) -> bool {
        let sources = self.exec.reactor.sources.borrow();
        sources.get(self.key).is_some_and(|slot| match dir {
            Direction::Read => slot.read_ready,
            Direction::Write => slot.write_ready,
        })
    }

    fn set_waker(&self, dir: Direction, waker: &Waker) {
        let fd = self.fd;
        self.exec.note_wait(Wait::Other(match dir {
            Direction::Read => WaitReason::Readable { fd },
            Direction::Write => WaitReason::Writable { fd },
        }));
        let old = {
            let mut sources = self.exec.reactor.sources.borrow_mut();
            let Some(slot) = sources.get_mut(self.key) else {
                return;
            };
            let place = match dir {
                Direction::Read => &mut slot.read_waker,
                Direction::Write => &mut slot.write_waker,
            };
            match place {
                Some(w) if w.will_wake(waker) => None,
                _ => place.replace(waker.clone()),
            }
        };
        drop(old); // outside the borrow: dropping a waker may run user code
    }
}
