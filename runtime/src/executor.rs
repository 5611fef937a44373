//! The executor: the task slab, the run queue, and the loop that drives them.
//!
//! One [`Executor`] per [`Runtime`](crate::Runtime), used from one thread
//! only (it sits behind an `Rc`). Its loop, [`Executor::block_on`]:
//!
//! ```text
//! loop {
//!     pop and poll up to EVENT_INTERVAL (61) ready tasks     run_task
//!     if the queue is empty:  sleep in epoll_wait until      park
//!                             the next timer or an event
//!     else:                   epoll_wait with timeout 0      park (fairness:
//!                                                            I/O and timers
//!                                                            are not starved)
//!     wake the tasks the events and fired timers name        Reactor::turn,
//! }                                                          fire_timers
//! ```
//!
//! The life of a wakeup from another thread, with the functions to break on
//! in gdb: `waker::wake_by_ref_raw` → `waker::wake_cell` (not the loop's
//! thread) → `remote::Shared::wake_remote` (push onto the queue) →
//! `Shared::notify` (the `eventfd` write) → the loop's `epoll_wait` returns
//! in `Reactor::turn` with `WAKER_TOKEN` → `Executor::drain_remote` →
//! `Executor::schedule` (push onto the run queue) → `Executor::run_task` →
//! the task's `poll`.

use std::cell::{Cell, OnceCell, RefCell};
use std::fmt::Write as _;
use std::future::Future;
use std::panic::{AssertUnwindSafe, Location, catch_unwind};
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use crate::blocking::Pool;
use crate::builder::Config;
use crate::context;
use crate::coop;
use crate::handle::RuntimeId;
use crate::inspect::trace::{Source, Trace};
use crate::inspect::{
    DumpState, STATE_FINISHED, STATE_IDLE, STATE_RUNNABLE, STATE_RUNNING, TaskDump, TaskInfo, Wait,
    WaitReason,
};
use crate::loom_shim::{Arc, Ordering};
use crate::reactor::Reactor;
use crate::remote::{Deferred, Shared};
use crate::run_queue::RunQueue;
use crate::stats::{Counters, Stats, bump};
use crate::task::{
    JoinError, JoinHandle, MAIN_KEY, TaskPtr, TaskRef, TaskSlot, TaskState, TaskTable,
};
use crate::time::Clock;
use crate::time::wheel::Wheel;
use crate::waker::CellRef;

/// The state of one runtime (see the module doc).
pub(crate) struct Executor {
    /// This runtime's name for the leaf objects that point into it
    /// (`handle.rs`).
    id: RuntimeId,
    pub(crate) shared: Arc<Shared>,
    tasks: RefCell<TaskTable>,
    queue: RefCell<RunQueue>,
    next_seq: Cell<u64>,
    pub(crate) reactor: Reactor,
    pub(crate) timers: RefCell<Wheel>,
    pub(crate) clock: Clock,
    pub(crate) counters: Counters,
    config: Config,
    /// The future of the running `block_on`, if any.
    main: Cell<Option<TaskRef>>,
    main_scheduled: Cell<bool>,
    /// Blocking-pool jobs submitted whose result the loop has not yet seen:
    /// they can still wake a task, so the paused clock holds still for them.
    pub(crate) blocking_pending: Cell<usize>,
    /// The blocking pool, started by the first `spawn_blocking` or `fs` call.
    blocking: OnceCell<Pool>,
    /// I/O operations the task being polled may still complete before it
    /// must yield (`coop.rs`); refilled before every poll.
    pub(crate) coop_budget: Cell<u32>,
    /// Reused buffers (no allocation per loop turn).
    wake_scratch: RefCell<Vec<Waker>>,
    remote_scratch: RefCell<Vec<TaskRef>>,
    deferred_scratch: RefCell<Vec<Deferred>>,
    /// The loop's clock at its last turn, in ticks (ms since start).
    loop_tick: Cell<u64>,
    /// What the task being polled said it waits on (`inspect::note`).
    wait_note: Cell<Wait>,
    /// Who is waking tasks right now: the polled task, the reactor, the
    /// timers, or other threads (for the trace's flow arrows).
    source: Cell<Source>,
    /// The recording, when `Builder::trace` is on. Boxed so that "is
    /// tracing on" is a null test of one pointer (`tracer`), not a compare
    /// against a niche value hidden somewhere inside `Trace`.
    trace: Option<Box<RefCell<Trace>>>,
}

impl Executor {
    pub(crate) fn new(config: Config) -> std::io::Result<Executor> {
        let (reactor, mio_waker) = Reactor::new()?;
        let trace = match config.trace.clone() {
            Some(path) => Some(Box::new(RefCell::new(Trace::new(
                path,
                config.trace_capacity,
            )?))),
            None => None,
        };
        let id = RuntimeId::next();
        let shared = Arc::new(Shared::new(crate::remote::eventfd(mio_waker)));
        id.register(&shared);
        Ok(Executor {
            id,
            shared,
            tasks: RefCell::new(TaskTable::new()),
            queue: RefCell::new(RunQueue::new(config.seed)),
            next_seq: Cell::new(1),
            reactor,
            timers: RefCell::new(Wheel::new()),
            clock: Clock::new(config.paused_clock),
            counters: Counters::default(),
            config,
            main: Cell::new(None),
            main_scheduled: Cell::new(false),
            blocking_pending: Cell::new(0),
            blocking: OnceCell::new(),
            coop_budget: Cell::new(coop::BUDGET),
            wake_scratch: RefCell::new(Vec::new()),
            remote_scratch: RefCell::new(Vec::new()),
            deferred_scratch: RefCell::new(Vec::new()),
            loop_tick: Cell::new(0),
            wait_note: Cell::new(Wait::Unknown),
            source: Cell::new(Source::Remote),
            trace,
        })
    }

    /// This runtime's id (`handle.rs`).
    #[inline]
    pub(crate) fn id(&self) -> RuntimeId {
        self.id
    }

    /// Applies a clean-up sent by an object dropped off the loop (or made
    /// here directly, when the object is dropped on the loop: see
    /// `RuntimeId::run_or_defer`).
    pub(crate) fn apply(&self, op: Deferred) {
        match op {
            Deferred::CancelTimer(key) => self.cancel_timer(key),
            Deferred::Deregister(key) => self.reactor.forget(key),
            Deferred::Detach(task) => self.detach(task),
            Deferred::Abort(task) => self.abort(task),
            Deferred::BlockingDone => {
                let pending = &self.blocking_pending;
                pending.set(pending.get().saturating_sub(1));
            }
        }
    }

    /// Removes a timer from the wheel (its `Sleep` was dropped or reset).
    pub(crate) fn cancel_timer(&self, key: usize) {
        let (cancelled, waker) = self.timers.borrow_mut().remove(key);
        if cancelled {
            bump(&self.counters.timers_cancelled);
        }
        drop(waker); // outside the wheel's borrow: it may run user code
    }

    /// The trace recorder, if `Builder::trace` is on: every trace hook in
    /// the executor starts with this test, so with tracing off a hook costs
    /// one predictable branch. Built with `--cfg runtime_trace_compiled_out`
    /// it is a constant `None` and the hooks vanish: the benchmarks build
    /// that variant to measure what the branch costs (benches/RESULTS.md).
    #[inline(always)]
    fn tracer(&self) -> Option<&RefCell<Trace>> {
        if cfg!(runtime_trace_compiled_out) {
            None
        } else {
            self.trace.as_deref()
        }
    }

    // The trace hooks. The test of `tracer()` is at the call site; the work
    // is here, out of line and cold, so that with tracing off the hot paths
    // (spawn, wake, poll) carry one branch each and no trace code.

    #[cold]
    #[inline(never)]
    fn trace_spawn(&self, trace: &RefCell<Trace>, seq: u64, at: &'static Location<'static>) {
        let parent = match self.source.get() {
            Source::Task(id) => id,
            _ => 0,
        };
        trace.borrow_mut().spawn(seq, parent, at);
    }

    /// `track`: 0 for the `block_on` future, table key + 1 for a task.
    #[cold]
    #[inline(never)]
    fn trace_wake(&self, trace: &RefCell<Trace>, track: usize, seq: u64) {
        trace.borrow_mut().wake(track, seq, self.source.get());
    }

    /// A poll with tracing on: timed, recorded on the task's track with the
    /// flow arrow of the wake that caused it, and with the task as the
    /// source of the wakes it makes.
    #[cold]
    #[inline(never)]
    fn traced_poll<T>(
        &self,
        trace: &RefCell<Trace>,
        track: usize,
        seq: u64,
        poll: impl FnOnce() -> Poll<T>,
    ) -> Poll<T> {
        let t0 = trace.borrow().now();
        let outer = self.source.replace(Source::Task(seq));
        let result = poll();
        self.source.set(outer);
        let mut trace = trace.borrow_mut();
        let flow = trace.take_flow(track);
        trace.poll(t0, seq, flow, result.is_ready());
        result
    }

    fn next_seq(&self) -> u64 {
        let seq = self.next_seq.get();
        self.next_seq.set(seq + 1);
        seq
    }

    /// Puts a new task into the slab and at the back of the run queue.
    pub(crate) fn spawn<F>(
        &self,
        future: F,
        at: &'static Location<'static>,
    ) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let seq = self.next_seq();
        let task = {
            let mut tasks = self.tasks.borrow_mut();
            let task = TaskRef {
                key: tasks.next_key(),
                seq,
            };
            let ptr = TaskPtr::new(future, self.shared.clone(), task);
            tasks.insert(TaskSlot::new(seq, ptr, at));
            task
        };
        if let Some(trace) = self.tracer() {
            self.trace_spawn(trace, seq, at);
        }
        self.queue.borrow_mut().push(task);
        bump(&self.counters.tasks_spawned);
        JoinHandle::new(self.id, task)
    }

    /// The local path of `Waker::wake`: the waking thread runs this loop.
    #[inline]
    pub(crate) fn schedule_local(&self, task: TaskRef) {
        bump(&self.counters.local_wakes);
        self.schedule(task);
    }

    /// Pushes `task` onto the run queue unless it is already there, finished,
    /// or gone (a stale reference: its slot is empty or reused).
    pub(crate) fn schedule(&self, task: TaskRef) {
        if task.key == MAIN_KEY {
            if self.main.get() == Some(task) && !self.main_scheduled.get() {
                self.main_scheduled.set(true);
                if let Some(trace) = self.tracer() {
                    self.trace_wake(trace, 0, task.seq);
                }
                self.queue.borrow_mut().push(task);
            }
            return;
        }
        let mut tasks = self.tasks.borrow_mut();
        if let Some(slot) = tasks.get_mut(task.key)
            && slot.seq() == task.seq
            && !slot.scheduled
            && slot.state != TaskState::Finished
        {
            slot.scheduled = true;
            if slot.state != TaskState::Running {
                slot.info.state = STATE_RUNNABLE;
            }
            drop(tasks);
            if let Some(trace) = self.tracer() {
                // Table keys are shifted by one: key 0 is the block_on future.
                self.trace_wake(trace, task.key + 1, task.seq);
            }
            self.queue.borrow_mut().push(task);
        }
    }

    /// Files what the task being polled waits on (see `inspect/wait.rs`).
    #[inline]
    pub(crate) fn note_wait(&self, wait: Wait) {
        self.wait_note.set(wait);
    }

    /// Polls one task popped from the run queue.
    fn run_task(&self, task: TaskRef) {
        let (ptr, aborted) = {
            let mut tasks = self.tasks.borrow_mut();
            let Some(slot) = tasks.get_mut(task.key) else {
                return;
            };
            if slot.seq() != task.seq || !slot.scheduled {
                return;
            }
            slot.scheduled = false;
            if slot.state != TaskState::Idle {
                return;
            }
            let Some(ptr) = slot.task.take() else {
                return;
            };
            slot.state = TaskState::Running;
            slot.info.state = STATE_RUNNING;
            slot.info.polls += 1;
            slot.info.last_poll_ms = self.loop_tick.get();
            (ptr, slot.aborted)
        };

        if aborted {
            ptr.cancel(task.seq);
            bump(&self.counters.tasks_cancelled);
            self.finish_poll(task, ptr, true);
            return;
        }

        bump(&self.counters.polls);
        self.coop_budget.set(coop::BUDGET);
        let started = self.config.times_polls().then(Instant::now);
        self.wait_note.set(Wait::Unknown);
        let poll = match self.tracer() {
            None => ptr.poll(task.seq),
            Some(trace) => self.traced_poll(trace, task.key + 1, task.seq, || ptr.poll(task.seq)),
        };
        if let Some(started) = started {
            self.poll_took(started.elapsed(), Some(task));
        }

        let done = poll.is_ready();
        if done && ptr.panicked() {
            bump(&self.counters.tasks_panicked);
        }
        self.finish_poll(task, ptr, done);
    }

    /// Puts a polled task back, or retires it.
    fn finish_poll(&self, task: TaskRef, ptr: TaskPtr, done: bool) {
        let mut tasks = self.tasks.borrow_mut();
        let Some(slot) = tasks.get_mut(task.key) else {
            // Unreachable (only the executor frees slots, never mid-poll);
            // the task drops after the borrow ends.
            drop(tasks);
            return;
        };
        if !done && slot.aborted {
            // `abort` was called while the task ran (by itself, or by a task
            // it woke synchronously): drop the future now, outside the
            // borrow (its destructors are user code), then retire the task.
            drop(tasks);
            ptr.cancel(task.seq);
            bump(&self.counters.tasks_cancelled);
            return self.finish_poll(task, ptr, true);
        }
        if !done {
            slot.task = Some(ptr);
            slot.state = TaskState::Idle;
            slot.info.state = if slot.scheduled {
                STATE_RUNNABLE
            } else {
                STATE_IDLE
            };
            let entry = &mut slot.info;
            let wait = self.wait_note.get();
            let (kind, fd, arg) = match wait {
                Wait::Unknown => (0, -1, 0),
                Wait::Timer(tick) => (1, -1, tick),
                Wait::Other(reason) => match reason {
                    WaitReason::Readable { fd } | WaitReason::Writable { fd } => {
                        (reason.kind(), fd, 0)
                    }
                    WaitReason::Join { task } => (reason.kind(), -1, task),
                    _ => (reason.kind(), -1, 0),
                },
            };
            entry.wait_kind = kind;
            entry.wait_fd = fd;
            entry.wait_arg = arg;
            return;
        }
        slot.state = TaskState::Finished;
        bump(&self.counters.tasks_completed);
        let join_waker = slot.join_waker.take();
        if slot.has_join_handle {
            slot.task = Some(ptr); // it holds the output now
            slot.info.state = STATE_FINISHED;
            drop(tasks);
        } else {
            let slot = tasks.remove(task.key);
            drop(tasks);
            // Output and slot drop outside the borrow (user code). Nobody
            // can receive a panic from a detached task's output: report it.
            drop(slot);
            if catch_unwind(AssertUnwindSafe(|| drop(ptr))).is_err() {
                eprintln!(
                    "runtime: dropping the output of detached task {} panicked",
                    task.seq
                );
            }
        }
        if let Some(waker) = join_waker {
            waker.wake();
        }
    }

    /// Records how long a poll held the loop and warns if it was too long.
    #[cold]
    fn poll_took(&self, took: Duration, task: Option<TaskRef>) {
        if took > self.counters.longest_poll.get() {
            self.counters.longest_poll.set(took);
        }
        let Some(threshold) = self.config.slow_poll_threshold else {
            return;
        };
        if took <= threshold {
            return;
        }
        let who = match task {
            Some(task) => {
                let tasks = self.tasks.borrow();
                match tasks.get(task.key) {
                    Some(slot) => format!("task {} spawned at {}", task.seq, slot.spawned_at),
                    None => format!("task {}", task.seq),
                }
            }
            None => "the future given to block_on".to_string(),
        };
        eprintln!(
            "runtime: slow poll: {who} held the loop for {took:.1?} (threshold {threshold:?}); \
             move blocking work to spawn_blocking"
        );
    }

    /// `JoinHandle::poll`: the output if the task finished, else `Pending`
    /// with the join waker stored.
    pub(crate) fn poll_join<T>(
        &self,
        task: TaskRef,
        cx: &mut Context<'_>,
    ) -> Poll<Result<T, JoinError>> {
        let slot = {
            let mut tasks = self.tasks.borrow_mut();
            match tasks.get_mut(task.key) {
                Some(slot) if slot.seq() == task.seq => {
                    if slot.state != TaskState::Finished {
                        let old = match &slot.join_waker {
                            Some(w) if w.will_wake(cx.waker()) => None,
                            _ => slot.join_waker.replace(cx.waker().clone()),
                        };
                        drop(tasks);
                        drop(old);
                        self.note_wait(Wait::Other(WaitReason::Join { task: task.seq }));
                        return Poll::Pending;
                    }
                    tasks.remove(task.key)
                }
                // Gone: the runtime was dropped, or the output already taken.
                _ => return Poll::Ready(Err(JoinError::cancelled(task.seq))),
            }
        };
        let mut out: Option<Result<T, JoinError>> = None;
        if let Some(ptr) = slot.task.as_ref() {
            // SAFETY: `out` is an `Option<Result<T, JoinError>>`, and `T` is
            // this task's output type: the only caller is `JoinHandle<T>`,
            // made by `spawn` for a future with `Output = T`.
            unsafe { ptr.take_output((&mut out as *mut Option<Result<T, JoinError>>).cast()) };
        }
        drop(slot);
        Poll::Ready(out.unwrap_or_else(|| Err(JoinError::cancelled(task.seq))))
    }

    /// `JoinHandle::drop`: retire a finished task, or let it run detached.
    pub(crate) fn detach(&self, task: TaskRef) {
        let mut removed = None;
        let mut join_waker = None;
        {
            let mut tasks = self.tasks.borrow_mut();
            if let Some(slot) = tasks.get_mut(task.key)
                && slot.seq() == task.seq
            {
                if slot.state == TaskState::Finished {
                    removed = Some(tasks.remove(task.key));
                } else {
                    slot.has_join_handle = false;
                    join_waker = slot.join_waker.take();
                }
            }
        }
        // The unclaimed output and the waker drop outside the borrow.
        drop(removed);
        drop(join_waker);
    }

    /// `JoinHandle::abort`.
    pub(crate) fn abort(&self, task: TaskRef) {
        let mut tasks = self.tasks.borrow_mut();
        let Some(slot) = tasks.get_mut(task.key) else {
            return;
        };
        if slot.seq() != task.seq || slot.state == TaskState::Finished {
            return;
        }
        slot.aborted = true;
        if slot.state == TaskState::Idle && !slot.scheduled {
            slot.scheduled = true;
            drop(tasks);
            self.queue.borrow_mut().push(task);
        }
    }

    /// `JoinHandle::is_finished`.
    pub(crate) fn is_finished(&self, task: TaskRef) -> bool {
        match self.tasks.borrow().get(task.key) {
            Some(slot) if slot.seq() == task.seq => slot.state == TaskState::Finished,
            _ => true,
        }
    }

    /// Runs `future` to completion on this thread, running spawned tasks in
    /// between (see the module doc for the loop).
    pub(crate) fn block_on<F: Future>(self: &Rc<Self>, future: F) -> F::Output {
        if context::is_entered() {
            panic!(
                "block_on called inside a running runtime: this thread is already running an event loop, \
                 and blocking it would stall every task on it. Use `.await` (or `spawn`) instead."
            );
        }
        let _enter = context::enter(self);
        let main = TaskRef {
            key: MAIN_KEY,
            seq: self.next_seq(),
        };
        let _main = MainGuard::set(self, main);
        if let Some(trace) = self.tracer() {
            trace.borrow_mut().block_on(main.seq);
        }
        let waker = CellRef::new_bare(self.shared.clone(), main).into_waker();
        let mut cx = Context::from_waker(&waker);
        let mut future = pin!(future);

        self.main_scheduled.set(true);
        self.queue.borrow_mut().push(main);
        loop {
            for _ in 0..self.config.event_interval {
                let Some(task) = self.queue.borrow_mut().pop() else {
                    break;
                };
                if task.key != MAIN_KEY {
                    self.run_task(task);
                    continue;
                }
                if task != main {
                    continue; // left over from an earlier block_on
                }
                self.main_scheduled.set(false);
                bump(&self.counters.polls);
                self.coop_budget.set(coop::BUDGET);
                let started = self.config.times_polls().then(Instant::now);
                let poll = match self.tracer() {
                    None => future.as_mut().poll(&mut cx),
                    Some(trace) => {
                        self.traced_poll(trace, 0, main.seq, || future.as_mut().poll(&mut cx))
                    }
                };
                if let Some(started) = started {
                    self.poll_took(started.elapsed(), None);
                }
                if let Poll::Ready(output) = poll {
                    return output;
                }
            }
            let idle = self.queue.borrow().is_empty();
            self.park(idle);
        }
    }

    /// Waits for something to do: events, remote wakes, timers.
    ///
    /// The life of a timer ends here: with nothing to run, the next timer's
    /// tick becomes the `epoll_wait` timeout (rounded up to a whole
    /// millisecond), and `fire_timers` after it wakes the sleepers.
    fn park(&self, idle: bool) {
        if !idle {
            self.turn(Some(Duration::ZERO));
            return;
        }
        if !self.clock.is_paused() {
            let next = self.timers.borrow_mut().next_deadline();
            self.turn(next.map(|tick| self.clock.until_tick(tick)));
            return;
        }
        // The paused clock: look for ready I/O first, then jump.
        self.turn(Some(Duration::ZERO));
        if !self.queue.borrow().is_empty() {
            return;
        }
        if self.blocking_pending.get() > 0 {
            // A blocking job will wake someone; time stands still until then.
            self.turn(None);
            return;
        }
        let next = self.timers.borrow_mut().next_deadline();
        if let Some(tick) = next {
            self.clock.jump_to_tick(tick);
            bump(&self.counters.clock_jumps);
            self.fire_timers();
            return;
        }
        if self.reactor.has_sources() {
            self.turn(None);
            return;
        }
        self.deadlock();
    }

    /// One `epoll_wait`, then the wakes it caused, then the due timers.
    fn turn(&self, timeout: Option<Duration>) {
        bump(&self.counters.epoll_waits);
        if timeout != Some(Duration::ZERO) {
            bump(&self.counters.epoll_waits_blocking);
        }
        let traced_at = self.tracer().map(|t| t.borrow().now());
        let mut wakers = std::mem::take(&mut *self.wake_scratch.borrow_mut());
        let outer = self.source.replace(Source::Reactor);
        match self.reactor.turn(timeout, &mut wakers) {
            Ok(turn) => {
                let events = &self.counters.epoll_events;
                events.set(events.get() + turn.events as u64);
                if let (Some(trace), Some(t0)) = (self.tracer(), traced_at) {
                    trace.borrow_mut().epoll(t0, timeout, turn.events);
                }
                for waker in wakers.drain(..) {
                    waker.wake();
                }
                if turn.remote {
                    self.drain_remote();
                }
            }
            // epoll_wait only fails for EBADF/EFAULT/EINVAL: a bug, not a
            // condition the loop can run on through.
            Err(e) => panic!("runtime: epoll_wait failed: {e}"),
        }
        *self.wake_scratch.borrow_mut() = wakers;
        self.fire_timers();
        self.source.set(outer);
        let tick = self.clock.now_tick();
        self.loop_tick.set(tick);
        if let Ok(mut tasks) = self.tasks.try_borrow_mut() {
            tasks.set_now(tick);
        }
        if let (Some(trace), Some(t0)) = (self.tracer(), traced_at) {
            trace.borrow_mut().turn(t0);
        }
    }

    /// Schedules every task woken from another thread since the last drain.
    fn drain_remote(&self) {
        let mut tasks = std::mem::take(&mut *self.remote_scratch.borrow_mut());
        let mut deferred = std::mem::take(&mut *self.deferred_scratch.borrow_mut());
        self.shared.drain(&mut tasks, &mut deferred);
        for op in deferred.drain(..) {
            self.apply(op);
        }
        *self.deferred_scratch.borrow_mut() = deferred;
        self.source.set(Source::Remote);
        for task in tasks.drain(..) {
            self.schedule(task);
        }
        *self.remote_scratch.borrow_mut() = tasks;
    }

    /// Fires the timers that are due by the clock.
    fn fire_timers(&self) {
        let mut fired = std::mem::take(&mut *self.wake_scratch.borrow_mut());
        {
            let mut wheel = self.timers.borrow_mut();
            let Some(next) = wheel.next_expiration() else {
                return;
            };
            let now = self.clock.now_tick();
            if next > now {
                return;
            }
            let n = wheel.advance(now, &mut fired);
            let counter = &self.counters.timers_fired;
            counter.set(counter.get() + n as u64);
            if let Some(trace) = self.tracer() {
                trace.borrow_mut().timers(n);
            }
        }
        let outer = self.source.replace(Source::Timer);
        for waker in fired.drain(..) {
            waker.wake();
        }
        self.source.set(outer);
        *self.wake_scratch.borrow_mut() = fired;
    }

    /// Nothing can ever run again: report who is stuck, instead of hanging.
    #[cold]
    fn deadlock(&self) -> ! {
        let mut msg = String::from(
            "deadlock: every task is waiting and nothing can wake one up \
             (paused clock: no timer to jump to, no I/O source, no blocking job)\n  pending: the future given to block_on",
        );
        for task in self.dump().tasks {
            if task.state != DumpState::Finished {
                let _ = write!(
                    msg,
                    "\n  pending: task {} spawned at {} (polled {} time{}, waiting on {})",
                    task.id,
                    task.spawned_at,
                    task.polls,
                    if task.polls == 1 { "" } else { "s" },
                    task.waiting_on
                );
            }
        }
        panic!("{msg}");
    }

    /// One line per live task (`Runtime::dump`, `inspect::dump`).
    pub(crate) fn dump(&self) -> TaskDump {
        let Ok(tasks) = self.tasks.try_borrow() else {
            // Called from inside the executor's own bookkeeping (e.g. from a
            // debugger stopped there): nothing consistent to show.
            return TaskDump::default();
        };
        let now = self.clock.now_tick();
        let mut dump = TaskDump {
            tasks: Vec::with_capacity(tasks.len()),
        };
        for (_, slot) in tasks.iter() {
            let entry = Some(&slot.info);
            let polls = slot.info.polls;
            let state = match slot.state {
                TaskState::Running => DumpState::Running,
                TaskState::Finished => DumpState::Finished,
                TaskState::Idle if slot.scheduled => DumpState::Runnable,
                TaskState::Idle => DumpState::Waiting,
            };
            let waiting_on = match entry {
                Some(e) if state == DumpState::Waiting => match e.wait_kind {
                    1 if e.wait_arg == crate::time::wheel::NEVER => WaitReason::Timer {
                        remaining: Duration::MAX,
                    },
                    1 => WaitReason::Timer {
                        remaining: Duration::from_millis(e.wait_arg.saturating_sub(now)),
                    },
                    2 => WaitReason::Readable { fd: e.wait_fd },
                    3 => WaitReason::Writable { fd: e.wait_fd },
                    4 => WaitReason::Join { task: e.wait_arg },
                    5 => WaitReason::Blocking,
                    6 => WaitReason::Semaphore,
                    7 => WaitReason::Mutex,
                    8 => WaitReason::Event,
                    9 => WaitReason::ChannelRecv,
                    10 => WaitReason::ChannelSend,
                    _ => WaitReason::Unknown,
                },
                _ => WaitReason::Unknown,
            };
            dump.tasks.push(TaskInfo {
                id: slot.seq(),
                state,
                spawned_at: slot.spawned_at,
                polls,
                since_last_poll: entry
                    .filter(|e| e.polls > 0)
                    .map(|e| Duration::from_millis(now.saturating_sub(e.last_poll_ms))),
                waiting_on,
            });
        }
        dump.tasks.sort_by_key(|t| t.id);
        dump
    }

    /// The blocking pool, started on first use with the builder's limits.
    pub(crate) fn blocking_pool(&self) -> &Pool {
        self.blocking.get_or_init(|| {
            Pool::new(
                self.config.max_blocking_threads,
                self.config.blocking_keep_alive,
            )
        })
    }

    /// A snapshot of the counters.
    pub(crate) fn stats(&self) -> Stats {
        let c = &self.counters;
        let pool = self.blocking.get().map(Pool::stats).unwrap_or_default();
        Stats {
            tasks_spawned: c.tasks_spawned.get(),
            tasks_completed: c.tasks_completed.get(),
            tasks_panicked: c.tasks_panicked.get(),
            tasks_cancelled: c.tasks_cancelled.get(),
            tasks_live: self.tasks.borrow().len() as u64,
            polls: c.polls.get(),
            local_wakes: c.local_wakes.get(),
            remote_wakes: self.shared.remote_wakes.load(Ordering::Relaxed),
            eventfd_writes: self.shared.eventfd_writes.load(Ordering::Relaxed),
            epoll_waits: c.epoll_waits.get(),
            epoll_waits_blocking: c.epoll_waits_blocking.get(),
            epoll_events: c.epoll_events.get(),
            timers_registered: c.timers_registered.get(),
            timers_fired: c.timers_fired.get(),
            timers_cancelled: c.timers_cancelled.get(),
            clock_jumps: c.clock_jumps.get(),
            longest_poll: c.longest_poll.get(),
            io_registrations: c.io_registrations.get(),
            read_would_block: c.read_would_block.get(),
            write_would_block: c.write_would_block.get(),
            accepts: c.accepts.get(),
            blocking_jobs: pool.jobs_run,
            blocking_threads_alive: pool.threads_alive,
            blocking_threads_peak: pool.threads_peak,
        }
    }

    /// Drops every task (the `Runtime` is being dropped): their futures'
    /// destructors run now, with this runtime still current so that they can
    /// deregister timers and sockets.
    pub(crate) fn shutdown(self: &Rc<Self>) {
        let deferred = self.shared.close();
        self.id.unregister();
        if self.config.report_pending_on_drop {
            for task in self.dump().tasks {
                if task.state != DumpState::Finished {
                    eprintln!(
                        "runtime: task {} was destroyed but it is pending! (spawned at {}, polled {} times, waiting on {})",
                        task.id, task.spawned_at, task.polls, task.waiting_on
                    );
                }
            }
        }
        let _enter = context::enter(self);
        for op in deferred {
            self.apply(op);
        }
        // Dropping a task can drop JoinHandles or spawn (from a destructor):
        // go round until the slab stays empty, with a bound against a
        // destructor that spawns forever.
        for _ in 0..64 {
            let slots: Vec<TaskSlot> = self.tasks.borrow_mut().drain();
            if slots.is_empty() {
                break;
            }
            for slot in slots {
                if catch_unwind(AssertUnwindSafe(|| drop(slot))).is_err() {
                    eprintln!(
                        "runtime: a task's destructor panicked while the runtime was dropped"
                    );
                }
            }
        }
        self.queue.borrow_mut().clear();
        if let Some(trace) = self.tracer()
            && let Err(e) = trace.borrow().write()
        {
            eprintln!("runtime: cannot write the trace: {e}");
        }
        // Queued blocking jobs are dropped, running ones detached (see
        // `blocking/pool.rs`): never wait for a job that may never end.
        if let Some(pool) = self.blocking.get() {
            pool.shutdown();
        }
    }
}

/// Marks `main` as the running `block_on` future, and clears it on exit
/// (also when the future panics), so that late wakes of it are ignored.
struct MainGuard<'a> {
    exec: &'a Executor,
}

impl<'a> MainGuard<'a> {
    fn set(exec: &'a Executor, main: TaskRef) -> MainGuard<'a> {
        exec.main.set(Some(main));
        MainGuard { exec }
    }
}

impl Drop for MainGuard<'_> {
    fn drop(&mut self) {
        self.exec.main.set(None);
        self.exec.main_scheduled.set(false);
    }
}
