//! The record of one task that a debugger reads from memory (live, or a
//! core dump). (Its wait fields are encoded and decoded in one place,
//! `WaitNote` in `inspect/wait.rs`.)
//!
//! Every slot of the task table (`task/table.rs`) starts with a
//! [`DebugTask`]. It is not a copy: it *is* the scheduler's record of the
//! task's state, poll count and wait reason, so reading it costs the running
//! program nothing. `runtime/gdb/runtime_gdb.py` reads it by offset; **the
//! layout below is the contract with that script: `#[repr(C)]`, fixed-width
//! fields, offsets as tabled. Change both together** (`tests/gdb.rs` reads
//! it from gdb).
//!
//! 56 bytes: a spawn site is one pointer to its `std::panic::Location`
//! (whose own layout the runtime header describes, `debug_table.rs`), the
//! counters are 32 bits, the state and the wait kind a byte each, an fd
//! shares the wait argument's word, and the scheduler's four flags of the
//! slot (`queued`, `aborted`, `has_join_handle`, `join_waiting`) sit in
//! what would be the record's padding. An earlier record was 64 bytes with the site spelled
//! out (file pointer, length, line, column) next to a second copy of the
//! same `&Location` in the slot, and the slot kept its flags past it.

use super::dump::DumpState;
use super::frame::Frame;
use super::wait::{WaitNote, WaitReason};
use std::panic::Location;
use std::ptr;

/// The first 56 bytes of every task slot.
///
/// | offset | field | meaning |
/// |--------|-------|---------|
/// | 0  | `id: u64` | task id, 0 for a free slot |
/// | 8  | `spawned_at: *const Location` | the user's call to `spawn` |
/// | 16 | `await_at: *const Location` | where the task is suspended, if known (null: not recorded) |
/// | 24 | `frame: *const Frame` | the innermost `inspect::framed` frame it is suspended in (null: none); each frame links to its parent (`frame.rs`) |
/// | 32 | `wait_arg: u64` | timer: deadline tick (ms since the runtime's start; `u64::MAX`: never); join: task id; join set: its task count; readable/writable: the fd (low 32 bits, signed); a free slot: the next free key |
/// | 40 | `polls: u32` | polls so far (saturating) |
/// | 44 | `last_poll_ms: u32` | the loop's clock at its last poll (ms since start, saturating) |
/// | 48 | `queued: bool` | in the run queue (the scheduler's flag, `task/mod.rs`) |
/// | 49 | `aborted: bool` | `JoinHandle::abort` was called |
/// | 50 | `has_join_handle: bool` | a `JoinHandle` still exists |
/// | 51 | `join_waiting: bool` | a `JoinHandle` waits: its waker is filed beside the table (`task/join_wakers.rs`) |
/// | 52 | `state: u8` | 1 waiting, 2 runnable (queued), 3 running, 4 finished (`DumpState`) |
/// | 53 | `wait_kind: u8` | 0 unknown, 1 timer, 2 readable, 3 writable, 4 join, 5 blocking, 6 semaphore, 7 mutex, 8 event, 9 channel recv, 10 channel send, 11 join set, 12 rwlock read, 13 rwlock write |
/// | 54 | `_reserved2: [u8; 2]` | zero |
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub(crate) struct DebugTask {
    id: u64,
    spawned_at: *const Location<'static>,
    await_at: *const Location<'static>,
    frame: *const Frame,
    wait_arg: u64,
    polls: u32,
    last_poll_ms: u32,
    /// In the run queue (set by a wake, cleared when popped). A runnable
    /// task is queued; a running one is queued if it was woken during its
    /// poll (it is polled once more).
    pub(crate) queued: bool,
    /// `JoinHandle::abort` was called: drop the future at the next chance.
    pub(crate) aborted: bool,
    /// A `JoinHandle` still exists; without one, a finished task is removed.
    pub(crate) has_join_handle: bool,
    /// The `JoinHandle` waits: the table's `JoinWakers` holds its waker.
    pub(crate) join_waiting: bool,
    state: u8,
    wait_kind: u8,
    _reserved2: [u8; 2],
}

impl DebugTask {
    /// A free slot, `next` the next one in the table's free list.
    pub(crate) const fn free(next: u32) -> DebugTask {
        DebugTask {
            id: 0,
            spawned_at: ptr::null(),
            await_at: ptr::null(),
            frame: ptr::null(),
            wait_arg: next as u64,
            polls: 0,
            last_poll_ms: 0,
            queued: false,
            aborted: false,
            has_join_handle: false,
            join_waiting: false,
            state: 0,
            wait_kind: 0, // `WaitNote::UNKNOWN`
            _reserved2: [0; 2],
        }
    }

    /// A task just spawned at `at`: runnable and queued, never polled, with
    /// a `JoinHandle`.
    pub(crate) fn spawned(id: u64, at: &'static Location<'static>) -> DebugTask {
        DebugTask {
            id,
            spawned_at: at,
            queued: true,
            has_join_handle: true,
            state: DumpState::Runnable as u8,
            ..DebugTask::free(0) // `wait_arg` 0: no wait yet
        }
    }

    /// The next free key, in a free slot (`free`'s argument).
    pub(crate) fn next_free(&self) -> u32 {
        debug_assert_eq!(self.id, 0, "asking an occupied slot for the free list");
        self.wait_arg as u32
    }

    /// The task's id (0: a free slot).
    #[inline]
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// The user's call to `spawn`.
    pub(crate) fn spawned_at(&self) -> &'static Location<'static> {
        // SAFETY: an occupied record's `spawned_at` is the `&'static
        // Location` given to `spawned`; a free record is never asked (the
        // table only hands out occupied slots).
        unsafe { &*self.spawned_at }
    }

    /// Polls so far.
    pub(crate) fn polls(&self) -> u32 {
        self.polls
    }

    /// The loop's clock at the last poll, in ms since the runtime started.
    pub(crate) fn last_poll_ms(&self) -> u64 {
        u64::from(self.last_poll_ms)
    }

    /// A poll begins at `now_ms` (the loop's clock, already saturated to
    /// the record's 32 bits by the caller, once a turn).
    #[inline]
    pub(crate) fn count_poll(&mut self, now_ms: u32) {
        self.polls = self.polls.saturating_add(1);
        self.last_poll_ms = now_ms;
    }

    /// Where the task is suspended: the site that created the leaf future
    /// it waits on, when that future records one.
    pub(crate) fn await_at(&self) -> Option<&'static Location<'static>> {
        // SAFETY: `await_at` is null or a `&'static Location` given to
        // `set_await_at`.
        unsafe { self.await_at.as_ref() }
    }

    /// Records (or clears) where the task is suspended: the leaf's site
    /// and the innermost `framed` frame around it.
    #[inline]
    pub(crate) fn set_await_at(
        &mut self,
        at: Option<&'static Location<'static>>,
        frame: *const Frame,
    ) {
        self.await_at = at.map_or(ptr::null(), |at| at);
        self.frame = frame;
    }

    /// The innermost frame the task is suspended in (null: none).
    pub(crate) fn frame(&self) -> *const Frame {
        self.frame
    }

    /// Where the task is in its life (a free slot reads as finished).
    #[inline]
    pub(crate) fn state(&self) -> DumpState {
        match self.state {
            1 => DumpState::Waiting,
            2 => DumpState::Runnable,
            3 => DumpState::Running,
            _ => DumpState::Finished,
        }
    }

    /// Moves the task to `state` (encoded as its discriminant).
    #[inline]
    pub(crate) fn set_state(&mut self, state: DumpState) {
        self.state = state as u8;
    }

    /// Files what the task waits on: the note is in the record's encoding
    /// already (`inspect/wait.rs`), two stores.
    #[inline]
    pub(crate) fn set_wait(&mut self, wait: WaitNote) {
        self.wait_kind = wait.kind();
        self.wait_arg = wait.arg();
    }

    /// What the record says the task waits on; `now_ms` is the loop's clock
    /// (a timer's deadline becomes "fires in").
    pub(crate) fn wait(&self, now_ms: u64) -> WaitReason {
        WaitNote::from_parts(self.wait_kind, self.wait_arg).reason(now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::wheel::NEVER;
    use std::time::Duration;

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn the_record_is_56_bytes_with_the_tabled_offsets() {
        assert_eq!(std::mem::size_of::<DebugTask>(), 56);
        assert_eq!(std::mem::offset_of!(DebugTask, spawned_at), 8);
        assert_eq!(std::mem::offset_of!(DebugTask, await_at), 16);
        assert_eq!(std::mem::offset_of!(DebugTask, frame), 24);
        assert_eq!(std::mem::offset_of!(DebugTask, wait_arg), 32);
        assert_eq!(std::mem::offset_of!(DebugTask, polls), 40);
        assert_eq!(std::mem::offset_of!(DebugTask, last_poll_ms), 44);
        assert_eq!(std::mem::offset_of!(DebugTask, queued), 48);
        assert_eq!(std::mem::offset_of!(DebugTask, aborted), 49);
        assert_eq!(std::mem::offset_of!(DebugTask, has_join_handle), 50);
        assert_eq!(std::mem::offset_of!(DebugTask, join_waiting), 51);
        assert_eq!(std::mem::offset_of!(DebugTask, state), 52);
        assert_eq!(std::mem::offset_of!(DebugTask, wait_kind), 53);
    }

    #[test]
    fn every_wait_reason_round_trips() {
        let mut record = DebugTask::spawned(1, Location::caller());
        let reasons = [
            WaitReason::Unknown,
            WaitReason::Readable { fd: 7 },
            WaitReason::Readable { fd: -1 },
            WaitReason::Writable { fd: i32::MAX },
            WaitReason::Writable { fd: 8 },
            WaitReason::Join { task: 9 },
            WaitReason::Blocking,
            WaitReason::Semaphore,
            WaitReason::Mutex,
            WaitReason::Event,
            WaitReason::ChannelRecv,
            WaitReason::ChannelSend,
            WaitReason::JoinSet { tasks: 3 },
            WaitReason::RwLockRead,
            WaitReason::RwLockWrite,
        ];
        for reason in reasons {
            record.set_wait(WaitNote::other(reason));
            assert_eq!(record.wait(0), reason);
        }
        record.set_wait(WaitNote::timer(150));
        assert_eq!(
            record.wait(100),
            WaitReason::Timer {
                remaining: Duration::from_millis(50)
            }
        );
        record.set_wait(WaitNote::timer(NEVER));
        assert_eq!(
            record.wait(100),
            WaitReason::Timer {
                remaining: Duration::MAX
            }
        );
    }

    #[test]
    fn states_round_trip() {
        let mut record = DebugTask::spawned(1, Location::caller());
        assert_eq!(record.state(), DumpState::Runnable);
        for state in [
            DumpState::Waiting,
            DumpState::Running,
            DumpState::Finished,
            DumpState::Runnable,
        ] {
            record.set_state(state);
            assert_eq!(record.state(), state);
        }
    }
}
