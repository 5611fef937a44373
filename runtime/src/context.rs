//! Which runtime is running on this thread, if any.
//!
//! `block_on` sets a thread-local pointer to its scheduler for as long as it
//! runs; `spawn`, `sleep`, the I/O types, `inspect::note` and `handle.rs`
//! read it. The pointer is only ever set by [`enter`], whose guard restores
//! the previous value when dropped (also on unwind), and the guard's creator
//! keeps the scheduler alive for the guard's whole life.
//!
//! `enter` also installs the waker's local path (`waker::LocalLoop`): how a
//! wake on this thread recognises a task of this runtime and schedules it
//! without a lock. The waker module thereby never names the scheduler.

use std::cell::Cell;
use std::ptr;
use std::rc::Rc;

use crate::driver::remote::Deferred;
use crate::handle::RuntimeId;
use crate::scheduler::Scheduler;
use crate::task::TaskId;
use crate::waker::{self, LocalLoop};

thread_local! {
    static CURRENT: Cell<*const Scheduler> = const { Cell::new(ptr::null()) };
}

/// Runs `f` with the scheduler running on this thread, if there is one.
#[inline]
pub(crate) fn with_current<R>(f: impl FnOnce(&Scheduler) -> R) -> Option<R> {
    let ptr = CURRENT.try_with(Cell::get).unwrap_or(ptr::null());
    if ptr.is_null() {
        return None;
    }
    // SAFETY: a non-null CURRENT was set by `enter`, whose guard is still
    // alive (it resets CURRENT when dropped) and whose caller holds an
    // `Rc<Scheduler>` to this scheduler for the guard's whole life.
    Some(f(unsafe { &*ptr }))
}

impl RuntimeId {
    /// Runs `f` with the scheduler if this thread is running this runtime
    /// right now; `None` otherwise (one thread-local read and a compare).
    #[inline]
    pub(crate) fn with<R>(self, f: impl FnOnce(&Scheduler) -> R) -> Option<R> {
        with_current(|sched| {
            if sched.id() == self {
                Some(f(sched))
            } else {
                None
            }
        })
        .flatten()
    }

    /// Applies `op` now if this thread runs the runtime, or sends it to the
    /// runtime's loop (`handle.rs`); nothing if the runtime is gone.
    pub(crate) fn run_or_defer(self, op: Deferred) {
        if self.with(|sched| sched.apply(op)).is_none() {
            self.defer(op);
        }
    }
}

/// Whether some runtime is running on this thread.
pub(crate) fn is_entered() -> bool {
    !CURRENT.try_with(Cell::get).unwrap_or(ptr::null()).is_null()
}

/// Makes `sched` the current scheduler, and its tasks' wakes local, until
/// the guard is dropped.
pub(crate) fn enter(sched: &Rc<Scheduler>) -> EnterGuard {
    let data = Rc::as_ptr(sched);
    let prev = CURRENT.with(|c| c.replace(data));
    let prev_local = waker::set_local(Some(LocalLoop {
        shared: &**sched.driver().shared(),
        data: data.cast(),
        schedule: schedule_local,
    }));
    EnterGuard { prev, prev_local }
}

/// The waker's local path into the scheduler.
///
/// # Safety
/// `data` is the `Scheduler` of a live [`EnterGuard`] (the waker only calls
/// this while the `LocalLoop` that `enter` installed is in place).
unsafe fn schedule_local(data: *const (), task: TaskId) {
    // SAFETY: see the function's contract: the guard's creator keeps the
    // scheduler alive while the hook is installed.
    let sched = unsafe { &*data.cast::<Scheduler>() };
    sched.schedule_local(task);
}

/// Restores the previous current scheduler on drop.
pub(crate) struct EnterGuard {
    prev: *const Scheduler,
    prev_local: Option<LocalLoop>,
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let _ = CURRENT.try_with(|c| c.set(self.prev));
        waker::set_local(self.prev_local);
    }
}
