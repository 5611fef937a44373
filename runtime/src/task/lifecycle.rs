//! The life of a task, as the task table walks it.
//!
//! Each method below is one transition of the diagram in `task/mod.rs`; the
//! scheduler calls them with the table borrowed, and drops whatever they
//! hand back (a future, an output, a waker: user code) after the borrow.
//!
//! ```text
//!  wake        Waiting ─► Runnable      (queued; a running task stays
//!                                         Running, queued for one more poll)
//!  begin_poll  Runnable ─► Running      (the future leaves the slot)
//!  end_pending Running ─► Waiting       (the future goes back; Runnable if
//!                                         woken during the poll)
//!  retire      Running ─► Finished      (the output stays for the
//!                                         JoinHandle, or the slot goes)
//!  abort       any ─► queued, aborted   (the next begin_poll cancels it)
//!  poll_join   Finished ─► removed      (the JoinHandle takes the output)
//!  detach      JoinHandle dropped       (a finished slot goes now, a live
//!                                         one when it finishes)
//! ```

use std::panic::Location;
use std::task::Waker;

use super::{TaskId, TaskPtr, TaskSlot, TaskTable};
use crate::inspect::dump::DumpState;
use crate::inspect::frame::Frame;
use crate::inspect::wait::WaitNote;

/// What [`TaskTable::retire`] hands back, to be dropped or woken by the
/// caller once the table is no longer borrowed.
pub(crate) struct Retired {
    /// The `JoinHandle`'s waker, to wake.
    pub(crate) join_waker: Option<Waker>,
    /// A detached task's allocation (holding its output): nobody will ever
    /// take the output, so it is dropped now.
    pub(crate) detached: Option<TaskPtr>,
}

/// What [`TaskTable::poll_join`] found.
pub(crate) enum JoinPoll {
    /// Still running; the previous join waker, if replaced, to drop.
    Pending(Option<Waker>),
    /// Finished: the task's allocation, which holds the output (its slot
    /// is free again).
    Ready(Option<TaskPtr>),
    /// No such task (the runtime dropped it): cancelled.
    Gone,
}

impl TaskTable {
    /// Adds a task, runnable, and returns its reference.
    pub(crate) fn spawn(
        &mut self,
        id: u64,
        at: &'static Location<'static>,
        make: impl FnOnce(TaskId) -> TaskPtr,
    ) -> TaskId {
        let task = TaskId {
            key: self.next_key(),
            id,
        };
        self.insert(TaskSlot::new(id, make(task), at));
        task
    }

    /// A wake of `task`: whether to push it onto the run queue (it is
    /// alive, unfinished and not queued already; a stale reference to a
    /// freed or reused slot is ignored).
    pub(crate) fn wake(&mut self, task: TaskId) -> bool {
        match self.get_mut(task.key) {
            Some(slot)
                if slot.id() == task.id
                    && !slot.info.queued
                    && slot.info.state() != DumpState::Finished =>
            {
                slot.info.queued = true;
                if slot.info.state() == DumpState::Waiting {
                    slot.info.set_state(DumpState::Runnable);
                }
                true
            }
            _ => false,
        }
    }

    /// Takes the future of a task popped from the run queue, for a poll:
    /// `None` if the entry is stale (the task finished or was removed since
    /// it was queued). With it, whether the task was aborted (then it is to
    /// be cancelled, not polled).
    pub(crate) fn begin_poll(&mut self, task: TaskId, now_ms: u64) -> Option<(TaskPtr, bool)> {
        let slot = self.get_mut(task.key)?;
        if slot.id() != task.id || !slot.info.queued {
            return None;
        }
        slot.info.queued = false;
        if slot.info.state() != DumpState::Runnable {
            return None;
        }
        let ptr = slot.task.take()?;
        slot.info.set_state(DumpState::Running);
        slot.info.count_poll(now_ms);
        Some((ptr, slot.info.aborted))
    }

    /// The poll returned `Pending`: the future goes back into its slot, with
    /// what it said it waits on. `Err(ptr)` if the task was aborted during
    /// the poll (the caller cancels it, then retires it).
    pub(crate) fn end_pending(
        &mut self,
        task: TaskId,
        ptr: TaskPtr,
        wait: WaitNote,
        at: Option<&'static Location<'static>>,
        frame: *const Frame,
    ) -> Result<(), TaskPtr> {
        let Some(slot) = self.get_mut(task.key) else {
            return Err(ptr); // unreachable: only the scheduler frees slots
        };
        if slot.info.aborted {
            return Err(ptr);
        }
        slot.task = Some(ptr);
        slot.info.set_state(if slot.info.queued {
            DumpState::Runnable
        } else {
            DumpState::Waiting
        });
        slot.info.set_wait(wait);
        slot.info.set_await_at(at, frame);
        Ok(())
    }

    /// The task is done (returned, panicked, or was cancelled).
    pub(crate) fn retire(&mut self, task: TaskId, ptr: TaskPtr) -> Retired {
        let Some(slot) = self.get_mut(task.key) else {
            return Retired {
                join_waker: None,
                detached: None,
            };
        };
        slot.info.set_state(DumpState::Finished);
        let join_waker = slot.join_waker.take();
        if slot.info.has_join_handle {
            slot.task = Some(ptr); // it holds the output now
            return Retired {
                join_waker,
                detached: None,
            };
        }
        let (_, waker) = self.release(task.key);
        debug_assert!(waker.is_none(), "the join waker was taken above");
        Retired {
            join_waker,
            detached: Some(ptr),
        }
    }

    /// `JoinHandle::abort`: marks the task; whether to push it onto the run
    /// queue (an idle task is cancelled at its next turn; a running one when
    /// its poll ends).
    pub(crate) fn abort(&mut self, task: TaskId) -> bool {
        let Some(slot) = self.get_mut(task.key) else {
            return false;
        };
        if slot.id() != task.id || slot.info.state() == DumpState::Finished {
            return false;
        }
        slot.info.aborted = true;
        if slot.info.state() == DumpState::Waiting {
            slot.info.queued = true;
            slot.info.set_state(DumpState::Runnable);
            return true;
        }
        false
    }

    /// `JoinHandle::is_finished`: a task no longer in the table is finished.
    pub(crate) fn is_finished(&self, task: TaskId) -> bool {
        match self.get(task.key) {
            Some(slot) if slot.id() == task.id => slot.info.state() == DumpState::Finished,
            _ => true,
        }
    }

    /// `JoinHandle::poll`: the slot if the task finished, else stores the
    /// join waker.
    pub(crate) fn poll_join(&mut self, task: TaskId, waker: &Waker) -> JoinPoll {
        match self.get_mut(task.key) {
            Some(slot) if slot.id() == task.id => {
                if slot.info.state() == DumpState::Finished {
                    let (ptr, _) = self.release(task.key);
                    return JoinPoll::Ready(ptr);
                }
                JoinPoll::Pending(match &slot.join_waker {
                    Some(w) if w.will_wake(waker) => None,
                    _ => slot.join_waker.replace(waker.clone()),
                })
            }
            _ => JoinPoll::Gone,
        }
    }

    /// `JoinHandle::drop`: a finished task's slot (with its unclaimed
    /// output) goes now; a live task runs on detached, and goes when it
    /// finishes. Hands back what to drop outside the borrow.
    pub(crate) fn detach(&mut self, task: TaskId) -> (Option<TaskPtr>, Option<Waker>) {
        match self.get_mut(task.key) {
            Some(slot) if slot.id() == task.id => {
                if slot.info.state() == DumpState::Finished {
                    self.release(task.key)
                } else {
                    slot.info.has_join_handle = false;
                    (None, slot.join_waker.take())
                }
            }
            _ => (None, None),
        }
    }
}
