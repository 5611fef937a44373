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
/// | 48     | `wait_arg: u64` | timer: deadline tick (ms since the runtime's start); join: task id |
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

pub(crate) const STATE_IDLE: u32 = 1;
pub(crate) const STATE_RUNNABLE: u32 = 2;
pub(crate) const STATE_RUNNING: u32 = 3;
pub(crate) const STATE_FINISHED: u32 = 4;

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

    /// A task just spawned at `at`.
    pub(crate) fn spawned(id: u64, at: &'static Location<'static>) -> DebugTask {
        DebugTask {
            id,
            state: STATE_RUNNABLE,
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

/// Serialises changes to the list (runtimes on several threads), and every
/// dereference of a node that is not the caller's own.
static LIST_LOCK: Mutex<()> = Mutex::new(());

/// A runtime's entry in the list: a heap-allocated header at a stable
/// address, which the task table keeps pointing at its slots.
///
/// The node is owned through the raw pointer that `Box::into_raw` returned
/// and is freed with `Box::from_raw` only after it was unlinked. It is never
/// held as a `Box` or reached through a `&mut DebugRuntime` while linked:
/// the list and other threads hold copies of this very pointer, and a `Box`
/// (retagged unique whenever it moves) or a `&mut` to the whole struct would
/// invalidate those copies under Rust's aliasing rules (the bug Miri found:
/// unlinking a runtime that was not the head read the next node through a
/// stale pointer). The owner writes its own plain fields through the raw
/// pointer; other threads touch only `next`, atomically, under [`LIST_LOCK`].
pub(crate) struct DebugHeader {
    node: *mut DebugRuntime,
}

impl DebugHeader {
    pub(crate) fn new(stride: usize) -> DebugHeader {
        // SAFETY: `gettid` has no preconditions and cannot fail.
        let thread = unsafe { libc::syscall(libc::SYS_gettid) } as u64;
        let node = Box::into_raw(Box::new(DebugRuntime {
            magic: MAGIC,
            slots: ptr::null(),
            len: 0,
            stride: stride as u64,
            next: AtomicPtr::new(ptr::null_mut()),
            thread,
            now_ms: 0,
        }));
        let _guard = LIST_LOCK
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // SAFETY: `node` came from `Box::into_raw` above and is not yet
        // linked, so nothing else can reach it; a shared reference to its
        // atomic `next` field is valid.
        let next = unsafe { &(*node).next };
        next.store(
            RUNTIME_DEBUG_HEAD.load(Ordering::Acquire),
            Ordering::Release,
        );
        RUNTIME_DEBUG_HEAD.store(node, Ordering::Release);
        DebugHeader { node }
    }

    /// Records where the slots are now (after the table grew).
    #[inline]
    pub(crate) fn set_slots(&mut self, slots: *const u8, len: usize) {
        let node = self.node;
        // SAFETY: `node` is live until `drop` (we own it). Only this owner
        // writes `slots` and `len`; other threads read only `next`, a
        // different field, so these field writes through the raw pointer
        // (no reference to the whole struct is made) race with nothing.
        unsafe {
            (*node).slots = slots;
            (*node).len = len as u64;
        }
    }

    pub(crate) fn set_now(&mut self, now_ms: u64) {
        // SAFETY: as in `set_slots`: our own live node, a field only we touch.
        unsafe { (*self.node).now_ms = now_ms };
    }
}

impl Drop for DebugHeader {
    fn drop(&mut self) {
        let me = self.node;
        {
            let _guard = LIST_LOCK
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let mut link: &AtomicPtr<DebugRuntime> = &RUNTIME_DEBUG_HEAD;
            // Walk the list to the pointer that points at us and unlink.
            loop {
                let current = link.load(Ordering::Acquire);
                if current.is_null() {
                    debug_assert!(false, "a runtime's debug node was not in the list");
                    break;
                }
                // SAFETY: every node in the list is the live node of a
                // `DebugHeader`: a node is unlinked, under LIST_LOCK (held
                // here), before it is freed. A shared reference to its
                // atomic `next` field overlaps no field its owner writes.
                let current_next = unsafe { &(*current).next };
                if current == me {
                    link.store(current_next.load(Ordering::Acquire), Ordering::Release);
                    break;
                }
                link = current_next;
            }
        }
        // SAFETY: `me` came from `Box::into_raw` in `new` and is freed only
        // here, once. It is unlinked, so no list pointer leads to it; other
        // threads dereference nodes only under LIST_LOCK, and the lock orders
        // every such walk either before our unlink or after it, when our
        // node is no longer reachable.
        drop(unsafe { Box::from_raw(me) });
    }
}
