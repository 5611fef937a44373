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
//! `stride` bytes, each starting with a `DebugTask` (`debug_task.rs`). There
//! is no copy: the scheduler keeps a task's poll count, state and wait
//! reason in those very fields.

use std::ptr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicPtr, Ordering};

use std::panic::Location;
use std::task::RawWakerVTable;

/// `b"RTDEBUG5"` as a little-endian integer: the script checks it (3: the
/// task record of `debug_task.rs` and `location`; 4: `slot`, `queue`,
/// `sched`, `vtable`; 5: the slot's flags inside the record, the fd in
/// `wait_arg`, a 32-bit count in the waker cell, 8-byte run-queue entries).
pub(crate) const MAGIC: u64 = u64::from_le_bytes(*b"RTDEBUG5");

/// One runtime (96 bytes).
///
/// | offset | field | meaning |
/// |--------|-------|---------|
/// | 0  | `magic: u64` | `b"RTDEBUG5"` |
/// | 8  | `slots: *const u8` | the task table's first slot |
/// | 16 | `len: u64` | slots in the table (free ones have `id == 0`) |
/// | 24 | `stride: u64` | bytes from one slot to the next |
/// | 32 | `next: *const DebugRuntime` | the next live runtime, or null |
/// | 40 | `thread: u64` | the Linux thread id (`gettid`) that built it |
/// | 48 | `now_ms: u64` | the loop's clock at its last turn (ms since start) |
/// | 56 | `location: [u8; 8]` | how to read a `std::panic::Location` (a task's spawn and await sites): offsets of its file pointer, file length, line and column, then its size; all `0xff` if this build's layout could not be measured |
/// | 64 | `slot: [u8; 8]` | how to read a task slot past its record and the task's waker cell (`SlotLayout`, below) |
/// | 72 | `queue: *const RingDesc` | the run queue (`scheduler/run_queue.rs`), null until the scheduler is in place |
/// | 80 | `sched: *const Scheduler` | the scheduler, for a debugger with the build's type information (DWARF) to read the timer wheel and the cross-thread queue; null until in place |
/// | 88 | `vtable: *const RawWakerVTable` | the runtime's waker vtable (`waker::VTABLE`): a `Waker` whose vtable is this one points at a `WakerCell` |
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
    location: [u8; 8],
    slot: SlotLayout,
    queue: *const RingDesc,
    sched: *const (),
    vtable: *const RawWakerVTable,
}

/// The run queue's memory (`scheduler/run_queue.rs`) as a debugger reads it (`async-queue` in
/// `runtime/gdb/runtime_gdb.py`, also on a core dump and a release build):
/// `#[repr(C)]`, published by address in the runtime's debug header
/// (`inspect/debug_table.rs`). 32 bytes.
///
/// | offset | field | meaning |
/// |--------|-------|---------|
/// | 0  | `ptr: *const Entry` | the ring's slots, 8 bytes each (`run_queue::Entry`, `#[repr(C)]`: the key as `u32`, `u32::MAX` for a `block_on` future, then the low 32 bits of the task id); only the `len` from `head` are initialised |
/// | 8  | `cap: u64` | slots in the ring (a power of two) |
/// | 16 | `head: u64` | the slot of the next task to pop |
/// | 24 | `len: u64` | tasks queued: slots `head`, `head + 1`, ... modulo `cap` |
#[repr(C)]
pub(crate) struct RingDesc {
    pub(crate) ptr: *const u8,
    pub(crate) cap: u64,
    pub(crate) head: u64,
    pub(crate) len: u64,
}

/// Offsets, in bytes, that a debugger needs beyond the task record (8
/// bytes, measured with `offset_of!`, so they follow the code):
///
/// | byte | offset of |
/// |------|-----------|
/// | 0 | `TaskSlot::task` (the task's allocation, a thin pointer; null while it is polled) |
/// | 1 | the record's `queued` (`bool`) |
/// | 2 | the record's `aborted` (`bool`) |
/// | 3 | the record's `has_join_handle` (`bool`) |
/// | 4 | the record's `join_waiting` (`bool`: a `JoinHandle`'s waker is filed in the table's `JoinWakers`, a `HashMap`: read it with DWARF) |
/// | 5 | `WakerCell::refs` in the allocation (a `u32`: the waker's reference count) |
/// | 6 | `WakerCell::task` (a `TaskId`: key, then id) |
/// | 7 | `WakerCell::queued` (`bool`: in the cross-thread queue) |
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SlotLayout(pub(crate) [u8; 8]);

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
    /// A header for a table of `stride`-byte slots laid out as `slot`
    /// says, whose tasks' wakers use `vtable` (both given by `task/`, which
    /// this module does not name: it sits below the task table).
    pub(crate) fn new(
        stride: usize,
        slot: SlotLayout,
        vtable: &'static RawWakerVTable,
    ) -> DebugHeader {
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
            location: location_layout(),
            slot,
            queue: ptr::null(),
            sched: ptr::null(),
            vtable,
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

    /// Records where the scheduler and its run queue live, once they are
    /// in place (behind the runtime's `Rc`): both addresses stay valid
    /// until the header is dropped with the task table, which they own.
    pub(crate) fn set_scheduler(&mut self, sched: *const (), queue: *const RingDesc) {
        let node = self.node;
        // SAFETY: as in `set_slots`: our own live node, fields only we touch.
        unsafe {
            (*node).sched = sched;
            (*node).queue = queue;
        }
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

/// Where `std::panic::Location`'s fields sit in memory, for a debugger that
/// reads a spawn site by address (`&'static Location` is one pointer in the
/// task record; its layout is std's and not guaranteed, so it is measured
/// here instead of assumed): `[file_ptr, file_len, line, column, size, 0,
/// 0, 0]` in bytes, or all `0xff` if it cannot be measured soundly.
fn location_layout() -> [u8; 8] {
    const UNKNOWN: [u8; 8] = [0xff; 8];
    let loc: &'static Location<'static> = Location::caller();
    let size = std::mem::size_of::<Location<'static>>();
    // Only a layout made of a `&str` and two `u32`s, with no padding, is
    // probed: every byte is then initialised and may be read as integers.
    if size != std::mem::size_of::<&str>() + 8 {
        return UNKNOWN;
    }
    let base = (loc as *const Location<'static>).cast::<u8>();
    let word = |offset: usize| -> usize {
        // SAFETY: `offset + size_of::<usize>() <= size`, inside the
        // `'static` Location, whose bytes are all initialised (no padding:
        // checked above); an unaligned read of plain bytes.
        unsafe { base.add(offset).cast::<usize>().read_unaligned() }
    };
    let half = |offset: usize| -> u32 {
        // SAFETY: as above, with `offset + 4 <= size`.
        unsafe { base.add(offset).cast::<u32>().read_unaligned() }
    };
    let words = |want: usize| {
        (0..=size - std::mem::size_of::<usize>())
            .step_by(std::mem::size_of::<usize>())
            .filter(move |&o| word(o) == want)
            .collect::<Vec<_>>()
    };
    let halves = |want: u32| {
        (0..=size - 4)
            .step_by(4)
            .filter(move |&o| half(o) == want)
            .collect::<Vec<_>>()
    };
    let file = loc.file();
    match (
        words(file.as_ptr() as usize).as_slice(),
        words(file.len()).as_slice(),
        halves(loc.line()).as_slice(),
        halves(loc.column()).as_slice(),
    ) {
        // Each value found exactly once: the layout is unambiguous.
        ([p], [l], [line], [col]) => match (
            u8::try_from(*p),
            u8::try_from(*l),
            u8::try_from(*line),
            u8::try_from(*col),
            u8::try_from(size),
        ) {
            (Ok(p), Ok(l), Ok(line), Ok(col), Ok(size)) => [p, l, line, col, size, 0, 0, 0],
            _ => UNKNOWN,
        },
        _ => UNKNOWN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn the_header_is_96_bytes_with_the_tabled_offsets() {
        assert_eq!(std::mem::size_of::<DebugRuntime>(), 96);
        assert_eq!(std::mem::offset_of!(DebugRuntime, location), 56);
        assert_eq!(std::mem::offset_of!(DebugRuntime, slot), 64);
        assert_eq!(std::mem::offset_of!(DebugRuntime, queue), 72);
        assert_eq!(std::mem::offset_of!(DebugRuntime, sched), 80);
        assert_eq!(std::mem::offset_of!(DebugRuntime, vtable), 88);
    }

    #[test]
    fn the_location_layout_is_measured_and_reads_back() {
        let layout = location_layout();
        assert_ne!(layout, [0xff; 8], "std's Location is a &str and two u32s");
        let loc: &'static Location<'static> = Location::caller();
        let base = (loc as *const Location<'static>).cast::<u8>();
        // SAFETY: offsets measured above, within the Location.
        let (ptr, len, line, col) = unsafe {
            (
                base.add(usize::from(layout[0]))
                    .cast::<usize>()
                    .read_unaligned(),
                base.add(usize::from(layout[1]))
                    .cast::<usize>()
                    .read_unaligned(),
                base.add(usize::from(layout[2]))
                    .cast::<u32>()
                    .read_unaligned(),
                base.add(usize::from(layout[3]))
                    .cast::<u32>()
                    .read_unaligned(),
            )
        };
        assert_eq!((ptr, len), (loc.file().as_ptr() as usize, loc.file().len()));
        assert_eq!((line, col), (loc.line(), loc.column()));
    }
}
