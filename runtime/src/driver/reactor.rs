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
//!    (`net/registration.rs`, `Registration::poll_io`), then returns
//!    `Pending`. A stream read that fills less than its buffer clears the
//!    bit too ([`Reactor::drained`]): the queue is empty, and the `recv(2)`
//!    that would only say `EAGAIN` is saved (as tokio does); the next
//!    read waits for the next edge;
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
//! methods hold a `Waiter` (`net/registration.rs`), whose entry leaves the list when the future is
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
use std::task::Waker;
use std::time::Duration;

use mio::event::Source;
use mio::{Events, Interest, Token};
use slab::Slab;

pub(crate) use super::readiness::Wake;
use super::readiness::{Overflow, Readiness};
use crate::task::TaskId;

/// The token of the runtime's `mio::Waker` (its eventfd).
pub(crate) const WAKER_TOKEN: Token = Token(usize::MAX - 1);

/// A direction of readiness.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Direction {
    /// Readable: data, a connection to accept, EOF, or an error.
    Read,
    /// Writable: room in the send buffer, a finished `connect`, or an error.
    Write,
}

/// What the reactor knows about one registered fd: one cache line (the
/// fd is in each half, for gdb's `p *slot`).
#[repr(align(64))]
struct IoSlot {
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
    /// The wakers beyond each direction's inline one (rare).
    overflow: RefCell<Overflow>,
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
            overflow: RefCell::new(Overflow::default()),
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
    pub(crate) fn turn(&self, timeout: Option<Duration>, wake: &mut Vec<Wake>) -> io::Result<Turn> {
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
        let mut overflow = self.overflow.borrow_mut();
        for event in events.iter() {
            turn.events += 1;
            if event.token() == WAKER_TOKEN {
                turn.remote = true;
                continue;
            }
            let key = event.token().0;
            let Some(slot) = sources.get_mut(key) else {
                continue; // deregistered since
            };
            let error = event.is_error();
            if event.is_readable() || event.is_read_closed() || error {
                slot.read.closed |= event.is_read_closed() || error;
                slot.read.fire(wake, &mut overflow, (key, Direction::Read));
            }
            if event.is_writable() || event.is_write_closed() || error {
                slot.write.closed |= event.is_write_closed() || error;
                slot.write
                    .fire(wake, &mut overflow, (key, Direction::Write));
            }
        }
        Ok(turn)
    }

    /// Registers `source` (`epoll_ctl(EPOLL_CTL_ADD)`, edge-triggered, both
    /// directions) and returns its slot's key (its `mio::Token`).
    pub(crate) fn register(&self, source: &mut impl Source, fd: RawFd) -> io::Result<usize> {
        let mut sources = self.sources.borrow_mut();
        let entry = sources.vacant_entry();
        let key = entry.key();
        self.poll.borrow().registry().register(
            source,
            Token(key),
            Interest::READABLE | Interest::WRITABLE,
        )?;
        entry.insert(IoSlot {
            read: Readiness::fresh(fd),
            write: Readiness::fresh(fd),
        });
        Ok(key)
    }

    /// Removes `source` from epoll and frees its slot.
    pub(crate) fn deregister(&self, source: &mut impl Source, key: usize) {
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
        let more = self.overflow.borrow_mut().forget(key);
        drop((slot, more)); // its wakers drop outside the borrows
    }

    /// Whether slot `key` is known to be ready for `dir`.
    pub(crate) fn is_ready(&self, key: usize, dir: Direction) -> bool {
        self.sources
            .borrow()
            .get(key)
            .is_some_and(|slot| match dir {
                Direction::Read => slot.read.ready,
                Direction::Write => slot.write.ready,
            })
    }

    /// For a waiter: whether `dir` is known to be ready (when it is, the
    /// waiter's `entry` is forgotten if an event already took it: its
    /// generation is past, and dropping the waiter has nothing to look up);
    /// when it is not, stores `waker` in the waiter's entry in the same
    /// look-up of the slot (the entry `entry` names if it is still there,
    /// its generation current, else a new one, whose key and generation are
    /// written back to `entry`: `Readiness::set_waiter`). `local` names the
    /// waker's task (`waker::local_task`, see [`Wake`]), asked only when it
    /// waits.
    #[inline(always)]
    pub(crate) fn ready_or_wait(
        &self,
        key: usize,
        dir: Direction,
        entry: &mut Option<(usize, u64)>,
        waker: &Waker,
        local: impl FnOnce() -> Option<TaskId>,
    ) -> bool {
        let old = {
            let mut sources = self.sources.borrow_mut();
            let Some(slot) = sources.get_mut(key) else {
                return false;
            };
            let readiness = slot.dir(dir);
            if readiness.is_ready_for(entry) {
                return true;
            }
            readiness.set_waiter(entry, waker, local(), &self.overflow, (key, dir))
        };
        drop(old); // outside the borrow: dropping a waker may run user code
        false
    }

    /// Forgets readiness for `dir` (an operation hit `WouldBlock`).
    pub(crate) fn clear_ready(&self, key: usize, dir: Direction) {
        if let Some(slot) = self.sources.borrow_mut().get_mut(key) {
            slot.dir(dir).ready = false;
        }
    }

    /// A successful operation proved `dir` drained (a stream `recv(2)` that
    /// filled less than its buffer: the receive queue is empty): forgets
    /// readiness as `WouldBlock` would, without the syscall that returns it,
    /// unless the direction is closed (EOF and errors are final, and no new
    /// edge would report them again). Any byte that arrives later makes a
    /// new edge, which the next `epoll_wait` reports.
    #[inline]
    pub(crate) fn drained(&self, key: usize, dir: Direction) {
        if let Some(slot) = self.sources.borrow_mut().get_mut(key) {
            let readiness = slot.dir(dir);
            if !readiness.closed {
                readiness.ready = false;
            }
        }
    }

    /// Keeps `waker` until the next event on `dir` (the `poll_*` methods):
    /// one per task. `local`: its task, if it is one of this runtime's
    /// (see [`Wake`]).
    pub(crate) fn add_polled(
        &self,
        key: usize,
        dir: Direction,
        waker: &Waker,
        local: Option<TaskId>,
    ) {
        if let Some(slot) = self.sources.borrow_mut().get_mut(key) {
            let mut overflow = self.overflow.borrow_mut();
            slot.dir(dir)
                .add_polled(waker, local, &mut overflow, (key, dir));
        }
    }

    /// Takes a waiter's entry out of the list for `dir`, unless an event
    /// already did (the entry's generation is past).
    pub(crate) fn remove_waiter(&self, key: usize, dir: Direction, entry: (usize, u64)) {
        let removed = match self.sources.borrow_mut().get_mut(key) {
            Some(slot) => slot
                .dir(dir)
                .remove_waiter(entry, &self.overflow, (key, dir)),
            None => None,
        };
        drop(removed); // the waker drops outside the borrow
    }
}
