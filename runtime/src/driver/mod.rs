//! The driver: everything the loop waits on, and what wakes it.
//!
//! The scheduler (`scheduler/`) decides *what* runs; the driver owns *what
//! a task can wait for* and the one place where the thread sleeps, as
//! tokio's driver sits under its scheduler:
//!
//! - the reactor (`reactor.rs`): `epoll(7)` through `mio`, and who waits on
//!   which fd;
//! - the timer wheel (`time/wheel.rs`) and the clock, real or paused
//!   (`time/clock.rs`);
//! - the cross-thread queue (`remote.rs`): remote wakes and the clean-ups of
//!   objects dropped off the loop, behind one `eventfd`;
//! - the blocking pool and the count of jobs whose result the loop has yet
//!   to see (a job in flight can still wake a task).
//!
//! [`Driver::park`] is the loop's only wait: one `epoll_wait(2)` with the
//! next timer as its timeout, then the wakes it caused, handed to the
//! scheduler through the [`Tasks`] trait (so this module never names the
//! scheduler: the import graph runs one way, scheduler → driver).

pub(crate) mod reactor;
mod readiness;
pub(crate) mod remote;

use std::cell::{Cell, OnceCell, RefCell};
use std::io;
use std::os::fd::RawFd;
use std::task::Waker;
use std::time::Duration;

use mio::event::Source as IoSource;

use crate::blocking::pool::Pool;
use crate::builder::Config;
use crate::inspect::trace::{Source, Trace};
use crate::loom_shim::{Arc, Ordering};
use crate::stats::Stats;
use crate::task::TaskId;
use crate::time::clock::Clock;
use crate::time::wheel::Wheel;
use reactor::{Direction, Reactor, Wake};
use remote::{Deferred, Shared};

/// What the driver needs from the scheduler above it while it parks.
pub(crate) trait Tasks {
    /// Whether some task is ready to run, or will (then the loop must not sleep).
    fn has_ready(&self) -> bool;
    /// Wakes (and empties) `wakers`; `from` says where the wakes came from,
    /// for the trace's flow arrows.
    fn wake(&self, from: Source, wakers: &mut Vec<Waker>);
    /// Wakes (and empties) what the reactor's events named: tasks of this
    /// runtime by id, other wakers by `wake` (see `reactor::Wake`).
    fn wake_io(&self, wakes: &mut Vec<Wake>);
    /// Schedules (and empties) `tasks`, woken from other threads.
    fn schedule_remote(&self, tasks: &mut Vec<TaskId>);
    /// Applies a clean-up that concerns tasks (`Detach`, `Abort`).
    fn apply(&self, op: Deferred);
}

/// What [`Driver::park`] found under the paused clock when nothing could run:
/// no timer to jump to, no fd that may become ready, no blocking job in
/// flight. Nothing can ever happen again; the caller reports the deadlock.
#[derive(Debug)]
pub(crate) struct Stalled;

/// Counters of what the driver did (part of [`Stats`]).
#[derive(Default)]
pub(crate) struct Counters {
    epoll_waits: Cell<u64>,
    epoll_waits_blocking: Cell<u64>,
    epoll_events: Cell<u64>,
    timers_registered: Cell<u64>,
    timers_fired: Cell<u64>,
    timers_cancelled: Cell<u64>,
    clock_jumps: Cell<u64>,
    io_registrations: Cell<u64>,
    read_would_block: Cell<u64>,
    write_would_block: Cell<u64>,
    accepts: Cell<u64>,
}

fn bump(counter: &Cell<u64>, by: u64) {
    counter.set(counter.get() + by);
}

impl Counters {
    /// An I/O operation hit `WouldBlock` in direction `dir`.
    pub(crate) fn would_block(&self, dir: Direction) {
        bump(
            match dir {
                Direction::Read => &self.read_would_block,
                Direction::Write => &self.write_would_block,
            },
            1,
        );
    }

    /// A listener accepted a connection.
    pub(crate) fn accepted(&self) {
        bump(&self.accepts, 1);
    }
}

/// The driver of one runtime (see the module doc).
pub(crate) struct Driver {
    reactor: Reactor,
    timers: RefCell<Wheel>,
    clock: Clock,
    shared: Arc<Shared>,
    /// The blocking pool, started by the first `spawn_blocking` or `fs`
    /// call, with the builder's limits.
    blocking: OnceCell<Pool>,
    max_blocking_threads: usize,
    blocking_keep_alive: Duration,
    /// Blocking-pool jobs submitted whose result the loop has not yet seen:
    /// they can still wake a task, so the paused clock holds still for them.
    blocking_pending: Cell<usize>,
    counters: Counters,
    /// Reused buffers (no allocation per loop turn).
    wakers: RefCell<Vec<Waker>>,
    io_wakes: RefCell<Vec<Wake>>,
    remote: RefCell<Vec<TaskId>>,
    deferred: RefCell<Vec<Deferred>>,
}

impl Driver {
    /// The epoll instance, its eventfd, an empty wheel and the clock.
    ///
    /// # Errors
    /// If `epoll_create1(2)` or `eventfd(2)` fails (`EMFILE`, ...).
    pub(crate) fn new(config: &Config) -> io::Result<Driver> {
        let (reactor, eventfd) = Reactor::new()?;
        Ok(Driver {
            reactor,
            timers: RefCell::new(Wheel::new()),
            clock: Clock::new(config.paused_clock),
            shared: Arc::new(Shared::new(remote::eventfd(eventfd))),
            blocking: OnceCell::new(),
            max_blocking_threads: config.max_blocking_threads,
            blocking_keep_alive: config.blocking_keep_alive,
            blocking_pending: Cell::new(0),
            counters: Counters::default(),
            wakers: RefCell::new(Vec::new()),
            io_wakes: RefCell::new(Vec::new()),
            remote: RefCell::new(Vec::new()),
            deferred: RefCell::new(Vec::new()),
        })
    }

    /// The cross-thread half: what every waker of this runtime points at.
    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// The runtime's clock.
    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The reactor, for `net/registration.rs`.
    pub(crate) fn reactor(&self) -> &Reactor {
        &self.reactor
    }

    /// The counters, for the I/O types.
    pub(crate) fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Registers an fd with the reactor; returns its key.
    pub(crate) fn register_io(&self, source: &mut impl IoSource, fd: RawFd) -> io::Result<usize> {
        let key = self.reactor.register(source, fd)?;
        bump(&self.counters.io_registrations, 1);
        Ok(key)
    }

    // ---- Timers (the life of a timer, `time/sleep.rs`) -------------------

    /// Registers a timer for `tick` with `waker`; `Err(())` if the tick has
    /// already passed.
    pub(crate) fn insert_timer(&self, tick: u64, waker: &Waker) -> Result<usize, ()> {
        let key = self.timers.borrow_mut().insert(tick, waker.clone())?;
        bump(&self.counters.timers_registered, 1);
        Ok(key)
    }

    /// A registered timer's poll: `None` once it fired (its entry is then
    /// removed), else its tick, with `waker` stored for the fire.
    pub(crate) fn poll_timer(&self, key: usize, waker: &Waker) -> Option<u64> {
        let mut wheel = self.timers.borrow_mut();
        if wheel.is_fired(key) {
            let (_, waker) = wheel.remove(key);
            drop(wheel);
            drop(waker);
            return None;
        }
        let old = wheel.set_waker(key, waker);
        let tick = wheel.tick_of(key).unwrap_or(0);
        drop(wheel);
        drop(old); // outside the wheel's borrow: it may run user code
        Some(tick)
    }

    /// Removes a timer (its `Sleep` was dropped or reset).
    pub(crate) fn cancel_timer(&self, key: usize) {
        let (cancelled, waker) = self.timers.borrow_mut().remove(key);
        if cancelled {
            bump(&self.counters.timers_cancelled, 1);
        }
        drop(waker);
    }

    // ---- The blocking pool (`blocking/`) ----------------------------------

    /// The blocking pool, started on first use.
    pub(crate) fn blocking_pool(&self) -> &Pool {
        self.blocking
            .get_or_init(|| Pool::new(self.max_blocking_threads, self.blocking_keep_alive))
    }

    /// A job was submitted: until its result is seen, it may wake a task.
    pub(crate) fn blocking_started(&self) {
        self.blocking_pending.set(self.blocking_pending.get() + 1);
    }

    /// A job's result was seen (or its waiter dropped).
    pub(crate) fn blocking_done(&self) {
        let pending = &self.blocking_pending;
        pending.set(pending.get().saturating_sub(1));
    }

    // ---- Clean-ups from objects dropped off the loop (`handle.rs`) --------

    /// Applies a clean-up; gives back the ones that concern tasks.
    pub(crate) fn apply(&self, op: Deferred) -> Option<Deferred> {
        match op {
            Deferred::CancelTimer(key) => self.cancel_timer(key),
            Deferred::Deregister(key) => self.reactor.forget(key),
            Deferred::BlockingDone => self.blocking_done(),
            Deferred::Detach(_) | Deferred::Abort(_) => return Some(op),
        }
        None
    }

    // ---- The loop's wait ---------------------------------------------------

    /// Waits for something to do: events, remote wakes, timers.
    ///
    /// `idle`: no task is ready. Then the next timer's tick becomes the
    /// `epoll_wait` timeout (rounded up to a whole millisecond); otherwise
    /// the wait is a zero-timeout poll, so that a busy run queue never
    /// starves I/O and timers. With the paused clock, a loop with nothing
    /// to run looks for ready I/O first, then jumps the clock to the next
    /// timer; with no timer, no fd and no blocking job left, nothing can
    /// ever happen again: [`Stalled`].
    pub(crate) fn park(
        &self,
        idle: bool,
        tasks: &dyn Tasks,
        trace: Option<&RefCell<Trace>>,
    ) -> Result<(), Stalled> {
        if !idle {
            self.turn(Some(Duration::ZERO), tasks, trace);
            return Ok(());
        }
        if !self.clock.is_paused() {
            let next = self.timers.borrow_mut().next_deadline();
            self.turn(next.map(|tick| self.clock.until_tick(tick)), tasks, trace);
            return Ok(());
        }
        self.turn(Some(Duration::ZERO), tasks, trace);
        if tasks.has_ready() {
            return Ok(());
        }
        if self.blocking_pending.get() > 0 {
            // A blocking job will wake someone; time stands still until then.
            self.turn(None, tasks, trace);
            return Ok(());
        }
        if self.jump_to_next_timer(tasks, trace) {
            return Ok(());
        }
        if self.reactor.has_sources() {
            self.turn(None, tasks, trace);
            return Ok(());
        }
        Err(Stalled)
    }

    /// Paused clock: moves it to the next timer's tick and fires what is
    /// due; `false` if there is no timer.
    pub(crate) fn jump_to_next_timer(
        &self,
        tasks: &dyn Tasks,
        trace: Option<&RefCell<Trace>>,
    ) -> bool {
        let next = self.timers.borrow_mut().next_deadline();
        let Some(tick) = next else {
            return false;
        };
        self.clock.jump_to_tick(tick);
        bump(&self.counters.clock_jumps, 1);
        self.fire_timers(tasks, trace);
        true
    }

    /// Fires the timers due by the clock (after `time::advance` moved it).
    pub(crate) fn fire_due_timers(&self, tasks: &dyn Tasks, trace: Option<&RefCell<Trace>>) {
        self.fire_timers(tasks, trace);
    }

    /// One look without waiting: ready I/O, remote wakes, due timers (for
    /// `Runtime::tick`).
    pub(crate) fn poll_events(&self, tasks: &dyn Tasks, trace: Option<&RefCell<Trace>>) {
        self.turn(Some(Duration::ZERO), tasks, trace);
    }

    /// One `epoll_wait`, then the wakes it caused, then the due timers.
    fn turn(&self, timeout: Option<Duration>, tasks: &dyn Tasks, trace: Option<&RefCell<Trace>>) {
        bump(&self.counters.epoll_waits, 1);
        if timeout != Some(Duration::ZERO) {
            bump(&self.counters.epoll_waits_blocking, 1);
        }
        let t0 = trace.map(|t| t.borrow().now());
        let mut wakes = std::mem::take(&mut *self.io_wakes.borrow_mut());
        let turn = match self.reactor.turn(timeout, &mut wakes) {
            Ok(turn) => turn,
            // epoll_wait only fails for EBADF/EFAULT/EINVAL: a bug, not a
            // condition the loop can run on through.
            Err(e) => panic!("runtime: epoll_wait failed: {e}"),
        };
        bump(&self.counters.epoll_events, turn.events as u64);
        if let (Some(trace), Some(t0)) = (trace, t0) {
            trace.borrow_mut().epoll(t0, timeout, turn.events);
        }
        tasks.wake_io(&mut wakes);
        *self.io_wakes.borrow_mut() = wakes;
        if turn.remote {
            self.drain_remote(tasks);
        }
        self.fire_timers(tasks, trace);
        if let (Some(trace), Some(t0)) = (trace, t0) {
            trace.borrow_mut().turn(t0);
        }
    }

    /// Applies the clean-ups and schedules the tasks queued by other threads
    /// since the last drain (the life of a remote wake, `remote.rs`).
    fn drain_remote(&self, tasks: &dyn Tasks) {
        let mut remote = std::mem::take(&mut *self.remote.borrow_mut());
        let mut deferred = std::mem::take(&mut *self.deferred.borrow_mut());
        self.shared.drain(&mut remote, &mut deferred);
        self.hand_up(tasks, remote, deferred);
    }

    /// Schedule exploration's early look, between two polls: the tasks
    /// other threads woke so far and the clean-ups they queued, taken
    /// without an `epoll_wait` (`Shared::take_queued`; `scheduler/explore.rs`).
    pub(crate) fn take_remote_early(&self, tasks: &dyn Tasks) {
        let mut remote = std::mem::take(&mut *self.remote.borrow_mut());
        let mut deferred = std::mem::take(&mut *self.deferred.borrow_mut());
        self.shared.take_queued(&mut remote, &mut deferred);
        self.hand_up(tasks, remote, deferred);
    }

    /// Applies the clean-ups and hands the woken tasks up to be scheduled;
    /// the emptied buffers are kept for the next drain.
    fn hand_up(&self, tasks: &dyn Tasks, mut remote: Vec<TaskId>, mut deferred: Vec<Deferred>) {
        for op in deferred.drain(..) {
            if let Some(op) = self.apply(op) {
                tasks.apply(op);
            }
        }
        tasks.schedule_remote(&mut remote);
        *self.remote.borrow_mut() = remote;
        *self.deferred.borrow_mut() = deferred;
    }

    /// Fires the timers that are due by the clock.
    fn fire_timers(&self, tasks: &dyn Tasks, trace: Option<&RefCell<Trace>>) {
        let now = self.clock.now_tick();
        let mut fired = std::mem::take(&mut *self.wakers.borrow_mut());
        let n = {
            let mut wheel = self.timers.borrow_mut();
            match wheel.next_expiration() {
                Some(next) if next <= now => wheel.advance(now, &mut fired),
                _ => 0,
            }
        };
        if n > 0 {
            bump(&self.counters.timers_fired, n as u64);
            if let Some(trace) = trace {
                trace.borrow_mut().timers(n);
            }
            tasks.wake(Source::Timer, &mut fired);
        }
        *self.wakers.borrow_mut() = fired;
    }

    /// The runtime is being dropped: stop accepting remote wakes, apply the
    /// clean-ups still queued, and let the blocking pool go (jobs still
    /// queued are dropped, running ones detached: `blocking/pool.rs`).
    pub(crate) fn close(&self, tasks: &dyn Tasks) {
        for op in self.shared.close() {
            if let Some(op) = self.apply(op) {
                tasks.apply(op);
            }
        }
    }

    /// After the tasks are gone: the blocking pool stops taking jobs.
    pub(crate) fn shutdown_pool(&self) {
        if let Some(pool) = self.blocking.get() {
            pool.shutdown();
        }
    }

    /// Fills the driver's part of `stats`.
    pub(crate) fn fill_stats(&self, stats: &mut Stats) {
        let c = &self.counters;
        let pool = self.blocking.get().map(Pool::stats).unwrap_or_default();
        stats.remote_wakes = self.shared.remote_wakes.load(Ordering::Relaxed);
        stats.eventfd_writes = self.shared.eventfd_writes.load(Ordering::Relaxed);
        stats.epoll_waits = c.epoll_waits.get();
        stats.epoll_waits_blocking = c.epoll_waits_blocking.get();
        stats.epoll_events = c.epoll_events.get();
        stats.timers_registered = c.timers_registered.get();
        stats.timers_fired = c.timers_fired.get();
        stats.timers_cancelled = c.timers_cancelled.get();
        stats.clock_jumps = c.clock_jumps.get();
        stats.io_registrations = c.io_registrations.get();
        stats.read_would_block = c.read_would_block.get();
        stats.write_would_block = c.write_would_block.get();
        stats.accepts = c.accepts.get();
        stats.blocking_jobs = pool.jobs_run;
        stats.blocking_threads_alive = pool.threads_alive;
        stats.blocking_threads_peak = pool.threads_peak;
    }
}
