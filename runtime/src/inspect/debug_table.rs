//! What a debugger reads from memory (live, or a core dump).
//!
//! `runtime/gdb/runtime_gdb.py` (`info async-tasks`) reads these structs by
//! offset, without calling into the process. **Their layout is the contract
//! with that script: `#[repr(C)]`, fixed-width fields, offsets as commented.
//! Change both together.**
//!
//! The process-wide list of live runtimes starts at the exported symbol
//! `RUNTIME_DEBUG_HEAD`, a pointer to the first [`DebugRuntime`]. Each one
//! points at its runtime's task table (`task/table.rs`): `len` slots of
//! `stride` bytes, each starting with a [`DebugTask`]. There is no copy: the
//! executor keeps a task's poll count, state and wait reason in these very
//! fields.

use std::ptr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicPtr, Ordering};

use std::panic::Location;
use std::time::Duration;

use super::dump::DumpState;
use super::wait::{WaitNote, WaitReason};
use crate::time::wheel::NEVER;

/// `b"RTDEBUG2"` as a little-endian integer: the script checks it.
pub(crate) const MAGIC: u64 = u64::from_le_bytes(*b"RTDEBUG2");

/// The first 64 bytes of every task slot.
///
/// | offset | field        | meaning |
/// |--------|--------------|---------|
/// | 0      | `id: u64`    | task id, 0 for a free slot |
/// | 8      | `polls: u64` | polls so far |
/// | 16     | `state: u32` | 1 waiting, 2 runnable (queued), 3 running, 4 finished |
/// | 20     | `line: u32`  | spawn site line |
/// | 24     | `file: *const u8` | spawn site file (UTF-8, not NUL-terminated) |
/// | 32     | `file_len: u32` | its length |
/// | 36     | `column: u32` | spawn site column |
/// | 40     | `wait_kind: u32` | what it waits on (0 unknown, 1 timer, 2 readable, 3 writable, 4 join, 5 blocking, 6 semaphore, 7 mutex, 8 event, 9 channel recv, 10 channel send) |
/// | 44     | `wait_fd: i32` | the fd for kinds 2 and 3 |
/// | 48     | `wait_arg: u64` | timer: deadline tick (ms since the runtime's start; `u64::MAX`: never); join: task id |
/// | 56     | `last_poll_ms: u64` | the loop's clock at its last poll (ms since start) |
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub(crate) struct DebugTask {
    pub(crate) id: u64,
    pub(crate) polls: u64,
    pub(crate) state: u32,
    pub(crate) line: u32,
    pub(crate) file: *const u8,
    pub(crate) file_len: u32,
    pub(crate) column: u32,
    pub(crate) wait_kind: u32,
    pub(crate) wait_fd: i32,
    pub(crate) wait_arg: u64,
    pub(crate) last_poll_ms: u64,
}

// `wait_kind` values (the table above; `runtime_gdb.py` names them too).
const KIND_UNKNOWN: u32 = 0;
const KIND_TIMER: u32 = 1;
const KIND_READABLE: u32 = 2;
const KIND_WRITABLE: u32 = 3;
const KIND_JOIN: u32 = 4;
const KIND_BLOCKING: u32 = 5;
const KIND_SEMAPHORE: u32 = 6;
const KIND_MUTEX: u32 = 7;
const KIND_EVENT: u32 = 8;
const KIND_CHANNEL_RECV: u32 = 9;
const KIND_CHANNEL_SEND: u32 = 10;

impl DebugTask {
    /// A free slot.
    pub(crate) const FREE: DebugTask = DebugTask {
        id: 0,
        polls: 0,
        state: 0,
        line: 0,
        file: ptr::null(),
        file_len: 0,
        column: 0,
        wait_kind: 0,
        wait_fd: -1,
        wait_arg: 0,
        last_poll_ms: 0,
    };

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

    /// Moves the task to `state` (encoded as its `u32` discriminant).
    #[inline]
    pub(crate) fn set_state(&mut self, state: DumpState) {
        self.state = state as u32;
    }

    /// Files what the task waits on, in the record's encoding (the table
    /// above: `wait_kind`, `wait_fd`, `wait_arg`).
    pub(crate) fn set_wait(&mut self, wait: WaitNote) {
        let (kind, fd, arg) = match wait {
            WaitNote::Unknown => (KIND_UNKNOWN, -1, 0),
            WaitNote::Timer(tick) => (KIND_TIMER, -1, tick),
            WaitNote::Other(reason) => match reason {
                WaitReason::Unknown => (KIND_UNKNOWN, -1, 0),
                WaitReason::Timer { .. } => (KIND_TIMER, -1, 0),
                WaitReason::Readable { fd } => (KIND_READABLE, fd, 0),
                WaitReason::Writable { fd } => (KIND_WRITABLE, fd, 0),
                WaitReason::Join { task } => (KIND_JOIN, -1, task),
                WaitReason::Blocking => (KIND_BLOCKING, -1, 0),
                WaitReason::Semaphore => (KIND_SEMAPHORE, -1, 0),
                WaitReason::Mutex => (KIND_MUTEX, -1, 0),
                WaitReason::Event => (KIND_EVENT, -1, 0),
                WaitReason::ChannelRecv => (KIND_CHANNEL_RECV, -1, 0),
                WaitReason::ChannelSend => (KIND_CHANNEL_SEND, -1, 0),
            },
        };
        self.wait_kind = kind;
        self.wait_fd = fd;
        self.wait_arg = arg;
    }

    /// What the record says the task waits on; `now_ms` is the loop's clock
    /// (a timer's deadline becomes "fires in").
    pub(crate) fn wait(&self, now_ms: u64) -> WaitReason {
        match self.wait_kind {
            KIND_TIMER if self.wait_arg == NEVER => WaitReason::Timer {
                remaining: Duration::MAX,
            },
            KIND_TIMER => WaitReason::Timer {
                remaining: Duration::from_millis(self.wait_arg.saturating_sub(now_ms)),
            },
            KIND_READABLE => WaitReason::Readable { fd: self.wait_fd },
            KIND_WRITABLE => WaitReason::Writable { fd: self.wait_fd },
            KIND_JOIN => WaitReason::Join {
                task: self.wait_arg,
            },
            KIND_BLOCKING => WaitReason::Blocking,
            KIND_SEMAPHORE => WaitReason::Semaphore,
            KIND_MUTEX => WaitReason::Mutex,
            KIND_EVENT => WaitReason::Event,
            KIND_CHANNEL_RECV => WaitReason::ChannelRecv,
            KIND_CHANNEL_SEND => WaitReason::ChannelSend,
            _ => WaitReason::Unknown,
        }
    }

    /// A task just spawned at `at`.
    pub(crate) fn spawned(id: u64, at: &'static Location<'static>) -> DebugTask {
        DebugTask {
            id,
            state: DumpState::Runnable as u32,
            line: at.line(),
            file: at.file().as_ptr(),
            file_len: u32::try_from(at.file().len()).unwrap_or(u32::MAX),
            column: at.column(),
            ..DebugTask::FREE
        }
    }
}

/// One runtime (56 bytes).
///
/// | offset | field | meaning |
/// |--------|-------|---------|
/// | 0  | `magic: u64` | `b"RTDEBUG2"` |
/// | 8  | `slots: *const u8` | the task table's first slot |
/// | 16 | `len: u64` | slots in the table (free ones have `id == 0`) |
/// | 24 | `stride: u64` | bytes from one slot to the next |
/// | 32 | `next: *const DebugRuntime` | the next live runtime, or null |
/// | 40 | `thread: u64` | the Linux thread id (`gettid`) that built it |
/// | 48 | `now_ms: u64` | the loop's clock at its last turn (ms since start) |
///
/// Public only so that the exported [`RUNTIME_DEBUG_HEAD`] can name it; its
/// fields are for debuggers, not for Rust code.
#[repr(C)]
pub struct DebugRuntime {
    magic: u64,
    slots: *const u8,
    len: u64,
    stride: u64,
    next: AtomicPtr<DebugRuntime>,
    thread: u64,
    now_ms: u64,
}

/// The head of the list of live runtimes, for debuggers (`info async-tasks`
/// in `runtime/gdb/runtime_gdb.py` starts here).
#[unsafe(no_mangle)]
pub static RUNTIME_DEBUG_HEAD: AtomicPtr<DebugRuntime> = AtomicPtr::new(ptr::null_mut());

/// Serialises changes to the list (runtimes on several threads).
static LIST_LOCK: Mutex<()> = Mutex::new(());

/// A runtime's entry in the list: a boxed header (stable address) that the
/// task table keeps pointing at its slots.
pub(crate) struct DebugHeader {
    header: Box<DebugRuntime>,
}

impl DebugHeader {
    pub(crate) fn new(stride: usize) -> DebugHeader {
        // SAFETY: `gettid` has no preconditions and cannot fail.
        let thread = unsafe { libc::syscall(libc::SYS_gettid) } as u64;
        let mut header = Box::new(DebugRuntime {
            magic: MAGIC,
            slots: ptr::null(),
            len: 0,
            stride: stride as u64,
            next: AtomicPtr::new(ptr::null_mut()),
            thread,
            now_ms: 0,
        });
        let _guard = LIST_LOCK
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        header.next.store(
            RUNTIME_DEBUG_HEAD.load(Ordering::Acquire),
            Ordering::Release,
        );
        RUNTIME_DEBUG_HEAD.store(&mut *header, Ordering::Release);
        DebugHeader { header }
    }

    /// Records where the slots are now (after the table grew).
    #[inline]
    pub(crate) fn set_slots(&mut self, slots: *const u8, len: usize) {
        self.header.slots = slots;
        self.header.len = len as u64;
    }

    pub(crate) fn set_now(&mut self, now_ms: u64) {
        self.header.now_ms = now_ms;
    }
}

impl Drop for DebugHeader {
    fn drop(&mut self) {
        let _guard = LIST_LOCK
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let me: *mut DebugRuntime = &mut *self.header;
        let mut link: &AtomicPtr<DebugRuntime> = &RUNTIME_DEBUG_HEAD;
        // Walk the list to the pointer that points at us and unlink.
        loop {
            let current = link.load(Ordering::Acquire);
            if current.is_null() {
                return;
            }
            if current == me {
                link.store(self.header.next.load(Ordering::Acquire), Ordering::Release);
                return;
            }
            // SAFETY: every node in the list is the boxed header of a live
            // `DebugHeader`: a node unlinks itself, under LIST_LOCK (held
            // here), before its box is freed.
            link = unsafe { &(*current).next };
        }
    }
}
