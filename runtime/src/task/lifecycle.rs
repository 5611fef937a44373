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

use super::{ShortId, TaskId, TaskPtr, TaskSlot, TaskTable};
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
        match self.slot_of(task) {
            Some(slot) if !slot.info.queued && slot.info.state() != DumpState::Finished => {
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
    /// it was queued). With it, the task's full id (the entry keeps 32 bits
    /// of it) and whether it was aborted (then it is to be cancelled, not
    /// polled).
    pub(crate) fn begin_poll(
        &mut self,
        queued: ShortId,
        now_ms: u32,
    ) -> Option<(TaskId, TaskPtr, bool)> {
        let key = queued.slot_key();
        // A free slot is never `queued` (`DebugTask::free`): one test
        // rejects it and a task that was popped already.
        let slot = self.any_slot_mut(key)?;
        if !slot.info.queued || !queued.is_for(slot.id()) {
            return None;
        }
        debug_assert_ne!(slot.id(), 0, "a queued slot is occupied");
        slot.info.queued = false;
        if slot.info.state() != DumpState::Runnable {
            return None;
        }
        let ptr = slot.task.take()?;
        slot.info.set_state(DumpState::Running);
        slot.info.count_poll(now_ms);
        let task = TaskId { key, id: slot.id() };
        Some((task, ptr, slot.info.aborted))
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
        let Some(slot) = self.slot_of(task) else {
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
        if slot.info.has_join_handle {
            slot.task = Some(ptr); // it holds the output now
            let waiting = std::mem::take(&mut slot.info.join_waiting);
            return Retired {
                join_waker: self.join_waker(waiting, task.key),
                detached: None,
            };
        }
        let (_, join_waker) = self.release(task.key);
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
        let waiting = match self.get_mut(task.key) {
            Some(slot) if slot.id() == task.id => {
                if slot.info.state() == DumpState::Finished {
                    let (ptr, _) = self.release(task.key);
                    return JoinPoll::Ready(ptr);
                }
                std::mem::replace(&mut slot.info.join_waiting, true)
            }
            _ => return JoinPoll::Gone,
        };
        // The handle's waker, filed beside the table (`join_wakers.rs`)
        // unless the one there will do. `key < u32::MAX` (`table.rs`).
        let key = task.key as u32;
        if waiting
            && self
                .join_wakers
                .get(key)
                .is_some_and(|w| w.will_wake(waker))
        {
            return JoinPoll::Pending(None);
        }
        JoinPoll::Pending(self.join_wakers.insert(key, waker.clone()))
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
                    let waiting = std::mem::take(&mut slot.info.join_waiting);
                    (None, self.join_waker(waiting, task.key))
                }
            }
            _ => (None, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::task::{Poll, Wake};

    struct Nop;
    impl Wake for Nop {
        fn wake(self: Arc<Self>) {}
    }

    fn table_with_one_task() -> (TaskTable, TaskId) {
        let (_, waker) = mio::Poll::new()
            .and_then(|p| mio::Waker::new(p.registry(), mio::Token(0)).map(|w| (p, w)))
            .expect("an eventfd");
        let shared = crate::loom_shim::Arc::new(crate::driver::remote::Shared::new(
            crate::driver::remote::eventfd(waker),
        ));
        let mut table = TaskTable::new();
        let task = table.spawn(1, Location::caller(), |task| {
            TaskPtr::new(async {}, shared, task)
        });
        (table, task)
    }

    /// Pops the task and runs it to completion, as the scheduler would.
    fn run_to_end(table: &mut TaskTable, task: TaskId) -> Retired {
        let (_, ptr, _) = table.begin_poll(ShortId::new(task), 0).expect("runnable");
        assert_eq!(ptr.poll(), Poll::Ready(()));
        table.retire(task, ptr)
    }

    #[test]
    fn a_waiting_handles_waker_is_filed_once_and_handed_back_when_the_task_ends() {
        let (mut table, task) = table_with_one_task();
        let (a, b) = (Waker::from(Arc::new(Nop)), Waker::from(Arc::new(Nop)));
        assert!(matches!(table.poll_join(task, &a), JoinPoll::Pending(None)));
        let again = table.poll_join(task, &a);
        // `will_wake` is best effort: under Miri a std waker's vtable may
        // have another address in each use, and then it is filed again.
        if a.will_wake(&a.clone()) {
            assert!(matches!(again, JoinPoll::Pending(None)), "not filed twice");
        }
        assert_eq!(table.join_wakers.len(), 1);
        let JoinPoll::Pending(Some(old)) = table.poll_join(task, &b) else {
            panic!("another waker replaces the first, which is handed back");
        };
        // Compared by data pointer (the `Arc`), which Miri keeps too.
        assert_eq!(old.data(), a.data());
        let retired = run_to_end(&mut table, task);
        assert!(retired.join_waker.is_some_and(|w| w.data() == b.data()));
        assert_eq!(table.join_wakers.len(), 0);
        assert!(matches!(
            table.poll_join(task, &a),
            JoinPoll::Ready(Some(_))
        ));
        assert_eq!((table.len(), table.join_wakers.len()), (0, 0));
    }

    #[test]
    fn a_dropped_or_freed_handle_leaves_no_waker_behind() {
        // Dropped while waiting: the waker comes back with the detach.
        let (mut table, task) = table_with_one_task();
        let waker = Waker::from(Arc::new(Nop));
        let _ = table.poll_join(task, &waker);
        assert!(table.detach(task).1.is_some());
        assert_eq!(table.join_wakers.len(), 0);
        let retired = run_to_end(&mut table, task);
        assert!(retired.join_waker.is_none() && retired.detached.is_some());
        // Freed by the runtime's shutdown while waiting.
        let (mut table, task) = table_with_one_task();
        let _ = table.poll_join(task, &waker);
        let held = table.drain();
        assert!(held.len() == 1 && held[0].1.is_some());
        assert_eq!(table.join_wakers.len(), 0);
    }
}
