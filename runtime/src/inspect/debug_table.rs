//! The task table a debugger reads from memory (live, or a core dump).
//!
//! `runtime/gdb/runtime_gdb.py` (`info async-tasks`) reads these structs by
//! offset, without calling into the process. **Their layout is the contract
//! with that script: `#[repr(C)]`, fixed-width fields, offsets as commented.
//! Change both together.**
//!
//! The process-wide list of live runtimes starts at the exported symbol
//! `RUNTIME_DEBUG_HEAD` (a pointer to the first [`DebugRuntime`]); each
//! runtime's `tasks` points to `len` [`DebugTask`]s indexed by slab key.

use std::ptr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicPtr, Ordering};

use std::panic::Location;

/// `b"RTDEBUG1"` as a little-endian integer: the script checks it.
pub(crate) const MAGIC: u64 = u64::from_le_bytes(*b"RTDEBUG1");

/// One task (40 + 16 + 16 = 64 bytes).
///
/// | offset | field        | meaning |
/// |--------|--------------|---------|
/// | 0      | `id: u64`    | task id, 0 for a free slot |
/// | 8      | `polls: u64` | polls so far |
/// | 16     | `state: u32` | 1 idle, 2 runnable (queued), 3 running, 4 finished |
/// | 20     | `line: u32`  | spawn site line |
/// | 24     | `file: *const u8` | spawn site file (UTF-8, not NUL-terminated) |
/// | 32     | `file_len: u64` | its length |
/// | 40     | `wait_kind: u32` | `WaitReason` kind (0 unknown, 1 timer, 2 readable, 3 writable, 4 join, 5 blocking, 6 semaphore, 7 mutex, 8 event, 9 channel recv, 10 channel send) |
/// | 44     | `wait_fd: i32` | the fd for kinds 2 and 3 |
/// | 48     | `wait_arg: u64` | timer: deadline tick (ms since the runtime's start); join: task id |
/// | 56     | `last_poll_ms: u64` | the loop's clock at its last poll (ms since start) |
#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct DebugTask {
    pub(crate) id: u64,
    pub(crate) polls: u64,
    pub(crate) state: u32,
    pub(crate) line: u32,
    pub(crate) file: *const u8,
    pub(crate) file_len: u64,
    pub(crate) wait_kind: u32,
    pub(crate) wait_fd: i32,
    pub(crate) wait_arg: u64,
    pub(crate) last_poll_ms: u64,
}

pub(crate) const STATE_FREE: u32 = 0;
pub(crate) const STATE_IDLE: u32 = 1;
pub(crate) const STATE_RUNNABLE: u32 = 2;
pub(crate) const STATE_RUNNING: u32 = 3;
pub(crate) const STATE_FINISHED: u32 = 4;

impl DebugTask {
    const FREE: DebugTask = DebugTask {
        id: 0,
        polls: 0,
        state: STATE_FREE,
        line: 0,
        file: ptr::null(),
        file_len: 0,
        wait_kind: 0,
        wait_fd: -1,
        wait_arg: 0,
        last_poll_ms: 0,
    };
}

/// One runtime (48 bytes).
///
/// | offset | field | meaning |
/// |--------|-------|---------|
/// | 0  | `magic: u64` | [`MAGIC`] |
/// | 8  | `tasks: *const DebugTask` | the table |
/// | 16 | `len: u64` | entries in the table |
/// | 24 | `next: *const DebugRuntime` | the next live runtime, or null |
/// | 32 | `thread: u64` | the Linux thread id (`gettid`) that built it |
/// | 40 | `now_ms: u64` | the loop's clock at its last turn (ms since start) |
///
/// Public only so that the exported [`RUNTIME_DEBUG_HEAD`] can name it; its
/// fields are for debuggers, not for Rust code.
#[repr(C)]
pub struct DebugRuntime {
    magic: u64,
    tasks: *const DebugTask,
    len: u64,
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

/// A runtime's table: a `Vec` mirrored into a boxed, registered header.
pub(crate) struct DebugTable {
    tasks: Vec<DebugTask>,
    header: Box<DebugRuntime>,
}

impl DebugTable {
    pub(crate) fn new() -> DebugTable {
        // SAFETY: `gettid` has no preconditions and cannot fail.
        let thread = unsafe { libc::syscall(libc::SYS_gettid) } as u64;
        let mut table = DebugTable {
            tasks: Vec::new(),
            header: Box::new(DebugRuntime {
                magic: MAGIC,
                tasks: ptr::null(),
                len: 0,
                next: AtomicPtr::new(ptr::null_mut()),
                thread,
                now_ms: 0,
            }),
        };
        let _guard = LIST_LOCK
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        table.header.next.store(
            RUNTIME_DEBUG_HEAD.load(Ordering::Acquire),
            Ordering::Release,
        );
        RUNTIME_DEBUG_HEAD.store(&mut *table.header, Ordering::Release);
        table
    }

    /// The entry of slab key `key`, growing the table as the slab grows.
    #[inline]
    pub(crate) fn entry(&mut self, key: usize) -> &mut DebugTask {
        if key >= self.tasks.len() {
            self.grow(key);
        }
        &mut self.tasks[key]
    }

    #[cold]
    fn grow(&mut self, key: usize) {
        let len = (key + 1).max(self.tasks.len() * 2).max(64);
        self.tasks.resize(len, DebugTask::FREE);
        self.header.tasks = self.tasks.as_ptr();
        self.header.len = len as u64;
    }

    pub(crate) fn get(&self, key: usize) -> Option<&DebugTask> {
        self.tasks.get(key)
    }

    pub(crate) fn spawned(&mut self, key: usize, id: u64, at: &'static Location<'static>) {
        let file = at.file();
        *self.entry(key) = DebugTask {
            id,
            state: STATE_RUNNABLE,
            line: at.line(),
            file: file.as_ptr(),
            file_len: file.len() as u64,
            ..DebugTask::FREE
        };
    }

    pub(crate) fn freed(&mut self, key: usize) {
        if let Some(entry) = self.tasks.get_mut(key) {
            *entry = DebugTask::FREE;
        }
    }

    pub(crate) fn set_now(&mut self, now_ms: u64) {
        self.header.now_ms = now_ms;
    }
}

impl Drop for DebugTable {
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
            // `DebugTable`: a node unlinks itself, under LIST_LOCK (held
            // here), before its box is freed.
            link = unsafe { &(*current).next };
        }
    }
}
