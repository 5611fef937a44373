//! The task table: a slab of [`TaskSlot`]s, written here rather than taken
//! from the `slab` crate so that its memory layout is known to debuggers.
//!
//! A `Vec` of slots; removed slots form a free list threaded through their
//! records (`DebugTask::next_free`) and are reused before the `Vec` grows. Each slot starts with
//! its `DebugTask` (`inspect/debug_task.rs`, `#[repr(C)]`, offset 0), and
//! the registered header records the `Vec`'s base pointer, length and
//! stride whenever it grows: that is all `info async-tasks` needs to list
//! the tasks of a stopped process or a core dump. A free slot has `id == 0`.

use std::mem;

use std::task::Waker;

use super::join_wakers::JoinWakers;
use super::{TaskId, TaskPtr, TaskSlot};
use crate::inspect::debug_table::DebugHeader;
use crate::inspect::debug_task::DebugTask;

/// The end of the free list. Keys are stored as `u32` in the free list
/// (4 bytes a slot saved, beside the slot's flags), so a table holds at most
/// `u32::MAX` tasks: hundreds of gigabytes of them.
const NIL: u32 = u32::MAX;

/// The offsets a debugger reads past the task record (the table in
/// `inspect/debug_table.rs`, `SlotLayout`).
fn slot_layout() -> crate::inspect::debug_table::SlotLayout {
    use std::mem::offset_of;
    let byte = |offset: usize| u8::try_from(offset).unwrap_or(u8::MAX);
    let cell = crate::waker::cell_layout();
    crate::inspect::debug_table::SlotLayout([
        byte(offset_of!(TaskSlot, task)),
        byte(offset_of!(TaskSlot, info) + offset_of!(DebugTask, queued)),
        byte(offset_of!(TaskSlot, info) + offset_of!(DebugTask, aborted)),
        byte(offset_of!(TaskSlot, info) + offset_of!(DebugTask, has_join_handle)),
        byte(offset_of!(TaskSlot, info) + offset_of!(DebugTask, join_waiting)),
        cell[0],
        cell[1],
        cell[2],
    ])
}

pub(crate) struct TaskTable {
    slots: Vec<TaskSlot>,
    free: u32,
    len: usize,
    header: DebugHeader,
    /// The wakers of `JoinHandle`s waiting on unfinished tasks, by key.
    pub(super) join_wakers: JoinWakers,
}

impl TaskTable {
    pub(crate) fn new() -> TaskTable {
        TaskTable {
            slots: Vec::new(),
            free: NIL,
            len: 0,
            header: DebugHeader::new(
                mem::size_of::<TaskSlot>(),
                slot_layout(),
                &crate::waker::VTABLE,
            ),
            join_wakers: JoinWakers::default(),
        }
    }

    /// The key the next insert will use.
    pub(crate) fn next_key(&self) -> usize {
        if self.free != NIL {
            self.free as usize
        } else {
            self.slots.len()
        }
    }

    /// Stores `slot` at [`next_key`](Self::next_key) and returns that key.
    pub(crate) fn insert(&mut self, slot: TaskSlot) -> usize {
        debug_assert!(slot.info.id() != 0, "an occupied slot has a non-zero id");
        self.len += 1;
        if self.free != NIL {
            let key = self.free as usize;
            self.free = self.slots[key].info.next_free();
            self.slots[key] = slot;
            key
        } else {
            assert!(
                self.slots.len() < NIL as usize,
                "more than u32::MAX - 1 tasks"
            );
            self.slots.push(slot);
            self.header
                .set_slots(self.slots.as_ptr().cast(), self.slots.len());
            self.slots.len() - 1
        }
    }

    #[inline]
    pub(crate) fn get(&self, key: usize) -> Option<&TaskSlot> {
        self.slots.get(key).filter(|s| s.info.id() != 0)
    }

    #[inline]
    pub(crate) fn get_mut(&mut self, key: usize) -> Option<&mut TaskSlot> {
        self.slots.get_mut(key).filter(|s| s.info.id() != 0)
    }

    /// The slot of `task`, if it still holds that task: one comparison,
    /// where [`get_mut`](Self::get_mut) then an id check made two (a task
    /// id is never 0, so a free slot never matches). The hot path's look-up
    /// (a wake, the end of a poll).
    #[inline]
    pub(crate) fn slot_of(&mut self, task: TaskId) -> Option<&mut TaskSlot> {
        debug_assert_ne!(task.id, 0, "task ids start at 1");
        self.slots
            .get_mut(task.key)
            .filter(|s| s.info.id() == task.id)
    }

    /// Slot `key`, free or occupied, for a caller that tells them apart by
    /// a field a free slot never sets (`begin_poll`: a free slot is never
    /// `queued`).
    #[inline]
    pub(super) fn any_slot_mut(&mut self, key: usize) -> Option<&mut TaskSlot> {
        self.slots.get_mut(key)
    }

    /// Frees slot `key` in place and hands back what it held (the task's
    /// allocation and a join waker), for the caller to drop outside its
    /// borrow (dropping a future or a waker runs user code).
    ///
    /// # Panics
    /// If the slot is free (a bug in the scheduler).
    pub(crate) fn release(&mut self, key: usize) -> (Option<TaskPtr>, Option<Waker>) {
        assert!(self.get(key).is_some(), "releasing a free task slot");
        let slot = &mut self.slots[key];
        let waiting = slot.info.join_waiting;
        let task = slot.task.take();
        slot.info = DebugTask::free(self.free);
        // `key < slots.len() < NIL`, checked when the slot was pushed.
        self.free = key as u32;
        self.len -= 1;
        (task, self.join_waker(waiting, key))
    }

    /// Takes the join waker of slot `key` out of the side map, if its record
    /// said it had one (`waiting`).
    #[inline]
    pub(super) fn join_waker(&mut self, waiting: bool, key: usize) -> Option<Waker> {
        if waiting {
            self.join_wakers.take(key as u32)
        } else {
            None
        }
    }

    /// Occupied slots with their keys.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (usize, &TaskSlot)> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.info.id() != 0)
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Removes every task (runtime shutdown): what each held, to be dropped
    /// by the caller outside the borrow.
    pub(crate) fn drain(&mut self) -> Vec<(Option<TaskPtr>, Option<Waker>)> {
        let keys: Vec<usize> = self.iter().map(|(k, _)| k).collect();
        keys.into_iter().map(|k| self.release(k)).collect()
    }

    /// Where the scheduler and its run queue live, for debuggers.
    pub(crate) fn set_scheduler(
        &mut self,
        sched: *const (),
        queue: *const crate::inspect::debug_table::RingDesc,
    ) {
        self.header.set_scheduler(sched, queue);
    }

    /// The loop's clock, for debuggers.
    pub(crate) fn set_now(&mut self, now_ms: u64) {
        self.header.set_now(now_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::Location;

    fn slot(id: u64) -> TaskSlot {
        let (_, waker) = mio::Poll::new()
            .and_then(|p| mio::Waker::new(p.registry(), mio::Token(0)).map(|w| (p, w)))
            .expect("an eventfd");
        let shared = crate::loom_shim::Arc::new(crate::driver::remote::Shared::new(
            crate::driver::remote::eventfd(waker),
        ));
        let key = id as usize;
        let task = crate::task::TaskPtr::new(async {}, shared, crate::task::TaskId { key, id });
        TaskSlot::new(id, task, Location::caller())
    }

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_slot_is_64_bytes() {
        // The 56-byte debugger record (with the scheduler's flags, and the
        // free-list link while free) and the task pointer: one cache line.
        // Memory per task is a benchmark target: grow this on purpose only.
        assert_eq!(mem::size_of::<TaskSlot>(), 64);
    }

    #[test]
    fn reuses_freed_slots_before_growing() {
        let mut table = TaskTable::new();
        let keys: Vec<usize> = (1..=600).map(|id| table.insert(slot(id))).collect();
        assert_eq!(keys, (0..600).collect::<Vec<_>>());
        drop(table.release(10));
        drop(table.release(300));
        assert_eq!(table.len(), 598);
        assert!(table.get(10).is_none());
        assert_eq!(table.next_key(), 300);
        assert_eq!(table.insert(slot(1000)), 300);
        assert_eq!(table.insert(slot(1001)), 10);
        assert_eq!(table.insert(slot(1002)), 600);
        assert_eq!(table.iter().count(), 601);
        assert_eq!(table.drain().len(), 601);
        assert_eq!(table.len(), 0);
    }
}
