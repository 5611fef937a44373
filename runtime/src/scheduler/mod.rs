//! The scheduler: which task runs next, and the loop that runs them.
//!
//! One [`Scheduler`] per [`Runtime`](crate::Runtime), used from one thread
//! only (it sits behind an `Rc`). It owns the task table (`task/`), the run
//! queue (`run_queue.rs`) and the [`Driver`] below it (`driver/`: the
//! reactor, the timers, the clock, the cross-thread queue, the blocking
//! pool). Its loop, [`Scheduler::block_on`]:
//!
//! ```text
//! loop {
//!     pop and poll up to EVENT_INTERVAL (61) ready tasks     run_task
//!     if the queue is empty:  sleep in epoll_wait until      Driver::park
//!                             the next timer or an event
//!     else:                   epoll_wait with timeout 0      (fairness: I/O
//!                                                            and timers are
//!                                                            not starved)
//!     wake the tasks the events and fired timers name        Tasks::wake
//! }
//! ```
//!
//! The life of a wakeup from another thread, with the functions to break on
//! in gdb: `waker::wake_by_ref_raw` → `waker::wake_cell` (not the loop's
//! thread) → `remote::Shared::wake_remote` (push onto the queue) →
//! `Shared::notify` (the `eventfd` write) → the loop's `epoll_wait` returns
//! in `Reactor::turn` with `WAKER_TOKEN` → `Driver::drain_remote` →
//! `Scheduler::schedule` (push onto the run queue) → `Scheduler::run_task`
//! → the task's `poll`.
//!
//! Split by idea: `main_task.rs` (the future given to `block_on`),
//! `wakes.rs` (the wakes the driver hands up), `explore.rs` (seeded
//! schedules), `step.rs` (driving the loop by hand in tests), `tracing.rs`
//! (the trace hooks), `report.rs` (slow polls, deadlocks, tasks pending at
//! drop), `snapshot.rs` (counters and the task dump), `shutdown.rs` (the
//! runtime dropped), `waits.rs` (what the task being polled says it waits
//! on, and the frame it is in), `run_queue.rs`.

mod explore;
mod main_task;
mod report;
pub(crate) mod run_queue;
mod shutdown;
mod snapshot;
mod step;
mod tracing;
mod waits;
pub(crate) use waits::FiledWait;
mod wakes;

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::{AssertUnwindSafe, Location, catch_unwind};
use std::pin::pin;
use std::task::{Context, Poll};
use std::time::Instant;

use crate::builder::Config;
use crate::coop::Budget;
use crate::driver::remote::Deferred;
use crate::driver::{Driver, Stalled};
use crate::handle::RuntimeId;
use crate::inspect::frame::Frame;
use crate::inspect::trace::{Source, Trace};
use crate::inspect::wait::WaitNote;
use crate::task::{ShortId, TaskId, TaskPtr, TaskTable};
use crate::waker::CellRef;
use explore::Explorer;
use main_task::MainTask;
use run_queue::LocalQueue;
use snapshot::{Counters, bump};

/// Nothing can ever run again: the report of who waits on what, made
/// before the `block_on` future is dropped.
#[derive(Debug)]
pub(crate) struct Deadlock(pub(crate) String);

/// One runtime's scheduler (see the module doc).
pub(crate) struct Scheduler {
    /// This runtime's name for the leaf objects that point into it
    /// (`handle.rs`).
    id: RuntimeId,
    driver: Driver,
    tasks: RefCell<TaskTable>,
    queue: LocalQueue,
    next_id: Cell<u64>,
    /// The future of the running `block_on`.
    main: MainTask,
    /// What the `block_on` future said it waits on at its last poll (for
    /// the deadlock report).
    main_wait: Cell<(WaitNote, Option<&'static Location<'static>>)>,
    /// The seeded choices of schedule exploration (`explore.rs`).
    explorer: Explorer,
    /// I/O operations the task being polled may still complete before it
    /// must yield (`coop.rs`); refilled before every poll.
    budget: Budget,
    /// What the task being polled said it waits on (`inspect::note`), and
    /// where in its code (the leaf future's `#[track_caller]` site).
    wait_note: Cell<WaitNote>,
    await_at: Cell<Option<&'static Location<'static>>>,
    /// The `inspect::framed` frame being polled (innermost), and the one
    /// that was current when the task noted what it waits on (its async
    /// backtrace: `inspect/frame.rs`).
    current_frame: Cell<*const Frame>,
    noted_frame: Cell<*const Frame>,
    /// The loop's clock at its last turn, in ms since start, saturated to
    /// 32 bits: what each poll stamps as the task record's `last_poll_ms`,
    /// converted once a turn rather than once a poll.
    loop_tick: Cell<u32>,
    /// Whether each poll is timed (`Config::times_polls`), read once.
    times_polls: bool,
    counters: Counters,
    config: Config,
    /// Who is waking tasks right now (the trace's flow arrows).
    source: Cell<Source>,
    /// The recording, when `Builder::trace` is on. Boxed so that "is
    /// tracing on" is a null test of one pointer (`tracing.rs`).
    trace: Option<Box<RefCell<Trace>>>,
}

impl Scheduler {
    /// A scheduler and its driver.
    ///
    /// # Errors
    /// If the driver cannot be built (`epoll_create1`, `eventfd`), or the
    /// trace buffer cannot be allocated.
    pub(crate) fn new(config: Config) -> std::io::Result<Scheduler> {
        let driver = Driver::new(&config)?;
        let trace = match config.trace.clone() {
            Some(path) => Some(Box::new(RefCell::new(Trace::new(
                path,
                config.trace_capacity,
            )?))),
            None => None,
        };
        let id = RuntimeId::next();
        id.register(driver.shared());
        Ok(Scheduler {
            id,
            driver,
            tasks: RefCell::new(TaskTable::new()),
            queue: LocalQueue::new(config.seed),
            next_id: Cell::new(1),
            main: MainTask::new(),
            main_wait: Cell::new((WaitNote::UNKNOWN, None)),
            explorer: Explorer::new(config.seed),
            budget: Budget::new(),
            wait_note: Cell::new(WaitNote::UNKNOWN),
            await_at: Cell::new(None),
            current_frame: Cell::new(std::ptr::null()),
            noted_frame: Cell::new(std::ptr::null()),
            loop_tick: Cell::new(0),
            times_polls: config.times_polls(),
            counters: Counters::default(),
            config,
            source: Cell::new(Source::Loop),
            trace,
        })
    }

    /// Publishes the scheduler's and the run queue's addresses in the
    /// debug header (`inspect/debug_table.rs`): called once the scheduler
    /// is in its `Rc`, where it stays until dropped.
    pub(crate) fn publish(&self) {
        let queue = self.queue.desc();
        self.tasks
            .borrow_mut()
            .set_scheduler((self as *const Scheduler).cast(), queue);
    }

    /// This runtime's id (`handle.rs`).
    #[inline]
    pub(crate) fn id(&self) -> RuntimeId {
        self.id
    }

    /// The schedule's seed (`Builder::seed`), if any: `select!` draws its
    /// fair starts from it too (`select.rs`).
    pub(crate) fn seed(&self) -> Option<u64> {
        self.config.seed
    }

    /// The driver: reactor, timers, clock, remote queue, blocking pool.
    #[inline]
    pub(crate) fn driver(&self) -> &Driver {
        &self.driver
    }

    /// The running task's coop budget (`coop.rs`).
    #[inline]
    pub(crate) fn budget(&self) -> &Budget {
        &self.budget
    }

    /// Lends the task table (the `JoinHandle` operations, `task/join.rs`).
    /// Whatever `f` hands back that runs user code is dropped by the caller
    /// after this returns.
    pub(crate) fn with_tasks<R>(&self, f: impl FnOnce(&mut TaskTable) -> R) -> R {
        f(&mut self.tasks.borrow_mut())
    }

    fn next_id(&self) -> u64 {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        id
    }

    /// Puts a new task into the table and at the back of the run queue.
    pub(crate) fn spawn<F>(&self, future: F, at: &'static Location<'static>) -> TaskId
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let id = self.next_id();
        let shared = self.driver.shared();
        let task = self
            .tasks
            .borrow_mut()
            .spawn(id, at, |task| TaskPtr::new(future, shared.clone(), task));
        if let Some(trace) = self.tracer() {
            self.trace_spawn(trace, id, at);
        }
        self.queue.push(task);
        bump(&self.counters.tasks_spawned);
        task
    }

    /// The local path of `Waker::wake`: the waking thread runs this loop
    /// (`waker.rs` calls it through the hook `enter` installs).
    #[inline]
    pub(crate) fn schedule_local(&self, task: TaskId) {
        bump(&self.counters.local_wakes);
        self.schedule(task);
    }

    /// Pushes `task` onto the run queue unless it is already there, finished,
    /// or gone (a stale reference: its slot is empty or reused).
    pub(crate) fn schedule(&self, task: TaskId) {
        let queue_it = if MainTask::is_main(task) {
            self.main.wake(task)
        } else {
            self.tasks.borrow_mut().wake(task)
        };
        if queue_it {
            if let Some(trace) = self.tracer() {
                self.trace_wake(trace, task);
            }
            self.queue.push(task);
        }
    }

    /// `JoinHandle::abort`.
    fn abort(&self, task: TaskId) {
        if self.tasks.borrow_mut().abort(task) {
            self.queue.push(task);
        }
    }

    /// `JoinHandle::drop`: the slot or the waker it hands back drops here,
    /// after the table's borrow.
    fn detach(&self, task: TaskId) {
        let released = self.tasks.borrow_mut().detach(task);
        drop(released);
    }

    /// Polls the task a run-queue entry names, unless the entry is stale
    /// (its task finished, or was removed, since it was queued).
    fn run_queued(&self, queued: ShortId) {
        let begun = self
            .tasks
            .borrow_mut()
            .begin_poll(queued, self.loop_tick.get());
        if let Some((task, ptr, aborted)) = begun {
            self.run_task(task, ptr, aborted);
        }
    }

    /// Polls one task popped from the run queue, its future taken out of
    /// the table (`begin_poll`), or cancels it if it was aborted. (`task` is
    /// what `async-break` in `runtime/gdb/runtime_gdb.py` tests.)
    fn run_task(&self, task: TaskId, ptr: TaskPtr, aborted: bool) {
        let outer = self.source.replace(Source::Task(task.id));
        if aborted {
            self.cancel(task, ptr);
        } else {
            bump(&self.counters.polls);
            self.budget.refill();
            self.wait_note.set(WaitNote::UNKNOWN);
            self.await_at.set(None);
            self.current_frame.set(std::ptr::null());
            self.noted_frame.set(std::ptr::null());
            let started = self.times_polls.then(Instant::now);
            let poll = match self.tracer() {
                None => ptr.poll(),
                Some(trace) => self.traced_poll(trace, task, || ptr.poll()),
            };
            if let Some(started) = started {
                self.poll_took(started.elapsed(), Some(task));
            }
            if poll.is_pending() {
                let put_back = self.tasks.borrow_mut().end_pending(
                    task,
                    ptr,
                    self.wait_note.get(),
                    self.await_at.get(),
                    self.noted_frame.get(),
                );
                if let Err(ptr) = put_back {
                    // `abort` was called while the task ran (by itself, or
                    // by a task it woke synchronously).
                    self.cancel(task, ptr);
                }
            } else {
                if ptr.panicked() {
                    bump(&self.counters.tasks_panicked);
                }
                self.retire(task, ptr);
            }
        }
        self.source.set(outer);
    }

    /// Drops an aborted task's future (its destructors are user code, run
    /// outside the table's borrow), then retires the task.
    fn cancel(&self, task: TaskId, ptr: TaskPtr) {
        ptr.cancel();
        bump(&self.counters.tasks_cancelled);
        self.retire(task, ptr);
    }

    /// Marks a task finished, wakes its `JoinHandle`, and drops a detached
    /// task's output: nobody can receive a panic from that drop, so it is
    /// reported instead.
    fn retire(&self, task: TaskId, ptr: TaskPtr) {
        bump(&self.counters.tasks_completed);
        let retired = self.tasks.borrow_mut().retire(task, ptr);
        if let Some(ptr) = retired.detached {
            if catch_unwind(AssertUnwindSafe(|| drop(ptr))).is_err() {
                eprintln!(
                    "runtime: dropping the output of detached task {} panicked",
                    task.id
                );
            }
        }
        if let Some(waker) = retired.join_waker {
            waker.wake();
        }
    }

    /// Runs `future` to completion on this thread, running spawned tasks in
    /// between (see the module doc for the loop). The caller has made this
    /// scheduler current (`context::enter`, in `Runtime::block_on`).
    ///
    /// # Errors
    /// [`Deadlock`] when nothing can ever run again (the paused clock's
    /// deadlock), with the report made while the `block_on` future still
    /// exists (dropping it could wake tasks and change what the report
    /// shows): the caller panics with it, so that the panic points at the
    /// user's `block_on`, not at the runtime.
    pub(crate) fn block_on<F: Future>(&self, future: F) -> Result<F::Output, Deadlock> {
        let guard = self.main.start(self.next_id());
        let main = guard.task();
        if let Some(trace) = self.tracer() {
            trace.borrow_mut().block_on(main.id);
        }
        let waker = CellRef::new_bare(self.driver.shared().clone(), main).into_waker();
        let mut cx = Context::from_waker(&waker);
        let mut future = pin!(future);
        self.queue.push(main);
        self.main_wait.set((WaitNote::UNKNOWN, None));
        loop {
            for _ in 0..self.explorer.polls_before_turn(self.config.event_interval) {
                let Some(queued) = self.next_ready() else {
                    break;
                };
                let Some(task) = self.main.resolve(queued) else {
                    self.run_queued(queued);
                    continue;
                };
                if !self.main.begin_poll(task) {
                    continue; // left over from an earlier block_on
                }
                if let Poll::Ready(output) = self.poll_main(main, &mut future, &mut cx) {
                    return Ok(output);
                }
            }
            if let Err(Stalled) = self.turn() {
                return Err(Deadlock(self.deadlock_report()));
            }
        }
    }

    /// The loop's look at the driver between batches of polls: wakes held
    /// back by exploration are delivered, then `Driver::park` waits (or
    /// just polls, if tasks are ready).
    fn turn(&self) -> Result<(), Stalled> {
        let late = self.explorer.take_late();
        let idle = self.queue.is_empty() && late.is_empty();
        for task in late {
            self.schedule(task);
        }
        self.driver.park(idle, self, self.tracer())?;
        self.after_turn();
        Ok(())
    }

    /// Records the loop's clock after a look at the driver (for the
    /// debugger's view and the tasks' "last polled").
    fn after_turn(&self) {
        let tick = self.driver.clock().now_tick();
        self.loop_tick.set(u32::try_from(tick).unwrap_or(u32::MAX));
        if let Ok(mut tasks) = self.tasks.try_borrow_mut() {
            tasks.set_now(tick);
        }
    }

    fn poll_main<F: Future>(
        &self,
        main: TaskId,
        future: &mut std::pin::Pin<&mut F>,
        cx: &mut Context<'_>,
    ) -> Poll<F::Output> {
        bump(&self.counters.polls);
        self.budget.refill();
        let outer = self.source.replace(Source::Task(main.id));
        self.wait_note.set(WaitNote::UNKNOWN);
        self.await_at.set(None);
        self.current_frame.set(std::ptr::null());
        self.noted_frame.set(std::ptr::null());
        let started = self.times_polls.then(Instant::now);
        let poll = match self.tracer() {
            None => future.as_mut().poll(cx),
            Some(trace) => self.traced_poll(trace, main, || future.as_mut().poll(cx)),
        };
        if let Some(started) = started {
            self.poll_took(started.elapsed(), None);
        }
        self.main_wait
            .set((self.wait_note.get(), self.await_at.get()));
        self.source.set(outer);
        poll
    }
}

/// Applies a clean-up where the object was dropped on the loop's own thread
/// (`RuntimeId::run_or_defer`).
impl Scheduler {
    pub(crate) fn apply(&self, op: Deferred) {
        if let Some(op) = self.driver.apply(op) {
            self.apply_to_tasks(op);
        }
    }
}
