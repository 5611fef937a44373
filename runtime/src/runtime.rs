//! [`Runtime`], and the free functions `block_on` and `spawn`.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::rc::Rc;

use crate::builder::{Builder, Config};
use crate::context;
use crate::inspect::TaskDump;
use crate::scheduler::Deadlock;
use crate::scheduler::Scheduler;
use crate::stats::Stats;
use crate::task::JoinHandle;

/// A single-threaded event loop: tasks, a reactor on `epoll`, timers.
///
/// Tasks still pending when [`block_on`](Runtime::block_on) returns stay in
/// the runtime (a later `block_on` runs them again) until the runtime is
/// dropped, which drops them (their destructors run).
///
/// ```
/// let rt = runtime::Runtime::new().unwrap();
/// let sum = rt.block_on(async {
///     let a = runtime::spawn(async { 1 });
///     let b = runtime::spawn(async { 2 });
///     a.await.unwrap() + b.await.unwrap()
/// });
/// assert_eq!(sum, 3);
/// ```
pub struct Runtime {
    sched: Rc<Scheduler>,
}

impl Runtime {
    /// A runtime with the default configuration.
    ///
    /// # Errors
    /// If the kernel refuses an epoll instance or an eventfd.
    pub fn new() -> std::io::Result<Runtime> {
        Builder::new().build()
    }

    /// A [`Builder`] to configure one.
    pub fn builder() -> Builder {
        Builder::new()
    }

    pub(crate) fn from_config(config: Config) -> std::io::Result<Runtime> {
        let sched = Rc::new(Scheduler::new(config)?);
        sched.publish();
        Ok(Runtime { sched })
    }

    /// Runs `future` to completion on this thread, running spawned tasks
    /// while it waits. A panic in `future` propagates out of `block_on`
    /// (panics in spawned tasks do not: they reach their `JoinHandle`).
    ///
    /// # Panics
    /// When called from inside a running runtime (nested `block_on`): the
    /// inner loop would stall every task of the outer one. With the paused
    /// clock, when the program has deadlocked (see
    /// [`Builder::paused_clock`]).
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        if context::is_entered() {
            panic!(
                "block_on called inside a running runtime: this thread is already running an event loop, \
                 and blocking it would stall every task on it. Use `.await` (or `spawn`) instead."
            );
        }
        let _enter = context::enter(&self.sched);
        match self.sched.block_on(future) {
            Ok(output) => output,
            // Panics here, so that the report points at the caller's line.
            Err(Deadlock(report)) => panic!("{report}"),
        }
    }

    /// Spawns `future` on this runtime from outside it (between `block_on`
    /// calls, or in a test that drives the loop by hand with
    /// [`tick`](Runtime::tick) and
    /// [`run_until_stalled`](Runtime::run_until_stalled)).
    ///
    /// ```
    /// let rt = runtime::Runtime::new().unwrap();
    /// let handle = rt.spawn(async { 6 * 7 });
    /// assert_eq!(rt.block_on(handle).unwrap(), 42);
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let task = self.sched.spawn(future, Location::caller());
        JoinHandle::new(self.sched.id(), task)
    }

    /// Polls one ready task, after a look at I/O, remote wakes and due
    /// timers that does not wait and does not move the clock. Returns
    /// whether a task was polled: `false` means nothing is ready now.
    ///
    /// ```
    /// use std::cell::Cell;
    /// use std::rc::Rc;
    ///
    /// let rt = runtime::Runtime::new().unwrap();
    /// let steps = Rc::new(Cell::new(0));
    /// let s = steps.clone();
    /// rt.spawn(async move {
    ///     s.set(1);
    ///     runtime::yield_now().await;
    ///     s.set(2);
    /// });
    /// assert!(rt.tick());
    /// assert_eq!(steps.get(), 1);
    /// assert!(rt.tick());
    /// assert_eq!(steps.get(), 2);
    /// assert!(!rt.tick());
    /// ```
    ///
    /// # Panics
    /// Inside a running runtime (as `block_on`).
    #[track_caller]
    pub fn tick(&self) -> bool {
        let _enter = self.enter_by_hand("tick");
        self.sched.tick()
    }

    /// Polls tasks until none is ready, without advancing the clock (I/O
    /// and remote wakes are looked at without waiting).
    ///
    /// # Panics
    /// Inside a running runtime (as `block_on`).
    #[track_caller]
    pub fn run_until_stalled(&self) {
        let _enter = self.enter_by_hand("run_until_stalled");
        while self.sched.tick() {}
    }

    #[track_caller]
    fn enter_by_hand(&self, what: &str) -> context::EnterGuard {
        if context::is_entered() {
            panic!(
                "Runtime::{what} called inside a running runtime: drive a runtime by hand \
                 from outside block_on"
            );
        }
        context::enter(&self.sched)
    }

    /// A snapshot of the runtime's counters.
    pub fn stats(&self) -> Stats {
        self.sched.stats()
    }

    /// One line per live task: id, state, spawn site, polls, time since its
    /// last poll, and what it waits on when the runtime knows.
    pub fn dump(&self) -> TaskDump {
        self.sched.dump()
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        let _enter = context::enter(&self.sched);
        self.sched.shutdown();
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("stats", &self.stats())
            .finish()
    }
}

/// Builds a default [`Runtime`] and runs `future` on it to completion.
///
/// ```
/// assert_eq!(runtime::block_on(async { 1 + 1 }), 2);
/// ```
///
/// # Panics
/// If the runtime cannot be built (no epoll instance or eventfd could be
/// had), inside another runtime, or if `future` panics.
#[track_caller]
pub fn block_on<F: Future>(future: F) -> F::Output {
    match Runtime::new() {
        Ok(rt) => rt.block_on(future),
        Err(e) => panic!("runtime::block_on: cannot build a runtime: {e}"),
    }
}

/// Spawns `future` as a new task on the runtime running on this thread.
///
/// The task starts at the back of the run queue. The future need not be
/// `Send`: it never leaves this thread. The caller's `file:line` is recorded
/// for deadlock reports and slow-poll warnings.
///
/// # Panics
/// Outside a runtime (not inside `block_on` or a task it runs).
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let at = Location::caller();
    match context::with_current(|sched| JoinHandle::new(sched.id(), sched.spawn(future, at))) {
        Some(handle) => handle,
        None => panic!(
            "runtime::spawn called at {at} outside a runtime: \
             call it inside runtime::block_on (or a task it runs)"
        ),
    }
}
