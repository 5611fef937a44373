//! The runtime's own [`Waker`]: a hand-written [`RawWakerVTable`] over a
//! reference-counted [`WakerCell`].
//!
//! Every task's allocation starts with a [`WakerCell`] (see `task/raw.rs`:
//! the cell, then the future, in one allocation, as async-task does). A
//! [`Waker`] is a pointer to that cell plus [`VTABLE`]; cloning it bumps the
//! cell's count, dropping it lowers the count, and the last reference frees
//! the allocation through the cell's `release` function, the one place that
//! knows the allocation's real type.
//!
//! `wake` decides between two paths:
//!
//! - **local**: the calling thread is running this task's runtime right now
//!   (the [`LocalLoop`] that `context::enter` installed names it). The task
//!   is pushed onto the run queue directly: no lock, no atomic
//!   read-modify-write, no syscall.
//! - **remote**: any other thread, or this thread when the runtime is not
//!   running. A counted reference to the cell goes onto the runtime's
//!   cross-thread queue and, at most once per loop turn, an `eventfd` write
//!   (`mio::Waker`) ends the loop's `epoll_wait(2)`. See `driver/remote.rs`.
//!
//! A cell names its task by [`TaskId`] (slab key plus spawn sequence
//! number). When the task is gone, its slot is empty or holds another task
//! with another sequence number, and the wake is ignored: a waker may outlive
//! its task and its runtime, be woken twice, or be woken while its task runs,
//! and none of that does harm. The allocation outlives the task for as long
//! as a waker holds it, but its future and output are dropped by the loop
//! when the task ends (`task/raw.rs`): a waker on another thread never runs a
//! task's destructors.

use std::mem::ManuallyDrop;
use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable, Waker};

use std::cell::Cell;

use crate::driver::remote::Shared;
use crate::loom_shim::{Arc, AtomicBool, AtomicU32, Ordering, fence};
use crate::task::TaskId;

/// What a [`Waker`] built by this runtime points at: the head of a task's
/// allocation (or, for the `block_on` future, an allocation of its own).
///
/// `#[repr(C)]` so that it can sit at offset 0 of the task allocation and a
/// pointer to one is a pointer to the other. 40 bytes: the count and the
/// queued flag share a word, and one vtable pointer serves the cell
/// (`release`) and the task (`task/raw.rs` extends [`CellVTable`]).
#[repr(C)]
pub(crate) struct WakerCell {
    /// References: the task's owner in the task table, every `Waker`, and
    /// every entry in the cross-thread queue. 32 bits: a clone past
    /// `i32::MAX` aborts, as `Arc`'s past `isize::MAX` does.
    refs: AtomicU32,
    /// Set while this cell sits in the cross-thread queue, so that a burst of
    /// remote wakes of one task costs one queue entry.
    pub(crate) queued: AtomicBool,
    /// The runtime's cross-thread half: its queue and its `eventfd`.
    pub(crate) shared: Arc<Shared>,
    /// The task this cell wakes.
    pub(crate) task: TaskId,
    /// How to free the allocation this cell heads (and, for a task, the
    /// rest of its functions: the pointer is to a `TaskVTable`).
    vtable: *const CellVTable,
}

/// The functions of a cell's allocation that do not depend on what else it
/// holds; a task's vtable starts with one (`#[repr(C)]`, `task/raw.rs`).
#[repr(C)]
pub(crate) struct CellVTable {
    /// Frees the whole allocation the cell heads; called once, by whoever
    /// drops the last reference.
    pub(crate) release: unsafe fn(NonNull<WakerCell>),
}

/// The offsets of a cell's `refs`, `task` and `queued`, for debuggers
/// (`SlotLayout` in `inspect/debug_table.rs`).
pub(crate) fn cell_layout() -> [u8; 3] {
    use std::mem::offset_of;
    let byte = |offset: usize| u8::try_from(offset).unwrap_or(u8::MAX);
    [
        byte(offset_of!(WakerCell, refs)),
        byte(offset_of!(WakerCell, task)),
        byte(offset_of!(WakerCell, queued)),
    ]
}

impl WakerCell {
    /// A cell with one reference, to be placed at the head of an allocation
    /// that `release` frees.
    ///
    /// `vtable` points to a `'static` table whose `release` frees that
    /// allocation (and which may go on past the `CellVTable`: a task's does).
    pub(crate) fn new(shared: Arc<Shared>, task: TaskId, vtable: *const CellVTable) -> WakerCell {
        WakerCell {
            refs: AtomicU32::new(1),
            queued: AtomicBool::new(false),
            shared,
            task,
            vtable,
        }
    }

    /// The vtable pointer given to [`new`](Self::new), with the provenance
    /// it was given (a task reads its whole `TaskVTable` through it).
    pub(crate) fn vtable(&self) -> *const CellVTable {
        self.vtable
    }
}

/// A counted reference to a [`WakerCell`]: what the remote queue holds and
/// what a [`Waker`] is made of. The same counting `Arc` does, written out so
/// that one allocation can hold both the cell and a task's future.
pub(crate) struct CellRef(NonNull<WakerCell>);

// SAFETY: a `CellRef` only reads the cell's `Send + Sync` fields (an
// `Arc<Shared>`, a `TaskId`, atomics, and a pointer to a `'static` vtable
// that is never written) and changes its count atomically; the task's
// future, which may be neither, is never touched through it (the
// allocation is freed by `release` only after the loop has dropped the
// future in place, see `task/raw.rs`).
unsafe impl Send for CellRef {}
// SAFETY: as above: every access through `&CellRef` is atomic or read-only.
unsafe impl Sync for CellRef {}

impl CellRef {
    /// A cell in an allocation of its own (the `block_on` future's waker, and
    /// the loom models).
    pub(crate) fn new_bare(shared: Arc<Shared>, task: TaskId) -> CellRef {
        /// Frees a `Box<WakerCell>`.
        ///
        /// # Safety
        /// `cell` came from `Box::into_raw` in `new_bare` and no reference is left.
        unsafe fn release_bare(cell: NonNull<WakerCell>) {
            // SAFETY: see the function's contract.
            drop(unsafe { Box::from_raw(cell.as_ptr()) });
        }
        static BARE: CellVTable = CellVTable {
            release: release_bare,
        };
        let cell = Box::new(WakerCell::new(shared, task, &BARE));
        // SAFETY: `Box::into_raw` never returns null; the new `CellRef` owns
        // the one reference the cell was created with.
        unsafe { CellRef::from_raw(NonNull::new_unchecked(Box::into_raw(cell))) }
    }

    /// Takes over one reference that the caller owns.
    ///
    /// # Safety
    /// `cell` points to a live `WakerCell`, and the caller gives up one
    /// counted reference to it.
    pub(crate) unsafe fn from_raw(cell: NonNull<WakerCell>) -> CellRef {
        CellRef(cell)
    }

    /// The pointer, without giving up the reference.
    pub(crate) fn as_ptr(&self) -> NonNull<WakerCell> {
        self.0
    }

    /// A reference that the caller lends for the length of a call: its
    /// count is neither taken nor given back.
    ///
    /// # Safety
    /// `cell` points to a live `WakerCell` on which the caller holds a
    /// reference for as long as the result is used.
    unsafe fn borrowed(cell: NonNull<WakerCell>) -> ManuallyDrop<CellRef> {
        ManuallyDrop::new(CellRef(cell))
    }

    /// Turns this reference into a [`Waker`] (which then owns it).
    pub(crate) fn into_waker(self) -> Waker {
        let data = ManuallyDrop::new(self).0.as_ptr().cast_const().cast::<()>();
        // SAFETY: `data` points to a live `WakerCell` and carries the count
        // this `CellRef` owned; every VTABLE function treats it as exactly
        // that (see their SAFETY comments).
        unsafe { Waker::from_raw(RawWaker::new(data, &VTABLE)) }
    }

    /// The number of references (for the loom models).
    #[cfg(all(test, loom))]
    pub(crate) fn ref_count(&self) -> usize {
        self.refs.load(Ordering::SeqCst) as usize
    }
}

impl std::ops::Deref for CellRef {
    type Target = WakerCell;

    fn deref(&self) -> &WakerCell {
        // SAFETY: this reference keeps the cell alive.
        unsafe { self.0.as_ref() }
    }
}

impl Clone for CellRef {
    fn clone(&self) -> CellRef {
        // Relaxed, as `Arc::clone`: our reference keeps the cell alive, and
        // nothing is published by taking another one. (The new reference
        // keeps the original pointer, with its provenance over the whole
        // allocation, which `release` needs.)
        let old = self.refs.fetch_add(1, Ordering::Relaxed);
        if old > i32::MAX as u32 {
            // Billions of leaked wakers: give up rather than overflow.
            std::process::abort();
        }
        CellRef(self.0)
    }
}

impl Drop for CellRef {
    fn drop(&mut self) {
        // Release, then Acquire on the last one, as `Arc::drop`: every use of
        // the cell through other references happens before it is freed.
        if self.refs.fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        fence(Ordering::Acquire);
        // SAFETY: the vtable pointer is `'static` (`WakerCell::new`'s
        // contract).
        let release = unsafe { (*self.vtable).release };
        // SAFETY: that was the last reference: nobody else can reach the
        // cell, and `release` is the function that matches its allocation.
        unsafe { release(self.0) };
    }
}

/// The four functions every [`Waker`] of this runtime dispatches to. `data`
/// is always a `*const WakerCell` that owns (or, for `wake_by_ref`, borrows)
/// one reference.
pub(crate) static VTABLE: RawWakerVTable =
    RawWakerVTable::new(clone_raw, wake_raw, wake_by_ref_raw, drop_raw);

/// A waker borrowing the reference of whoever holds `cell`, for one poll:
/// no count is taken, and the caller must not let it outlive that reference
/// (it is `ManuallyDrop`, so dropping it gives nothing back).
///
/// # Safety
/// The caller holds a reference to `cell` for as long as the waker is used.
pub(crate) unsafe fn borrowed_waker(cell: NonNull<WakerCell>) -> ManuallyDrop<Waker> {
    let data = cell.as_ptr().cast_const().cast::<()>();
    // SAFETY: the cell is alive (the caller's reference), and the waker is
    // never dropped, so it never gives back a count it did not take. Its
    // clones go through `clone_raw` and take their own.
    ManuallyDrop::new(unsafe { Waker::from_raw(RawWaker::new(data, &VTABLE)) })
}

/// The task `waker` wakes, if it is a waker of the runtime whose
/// cross-thread half is `shared` (made by this module, its cell pointing at
/// `shared`): then waking it on that runtime's thread is exactly
/// `schedule_local` of this id (see `wake_cell`), which the reactor does
/// without keeping the waker (`driver/reactor.rs`, `Wake`). `None` for any
/// other waker.
pub(crate) fn local_task(waker: &Waker, shared: &Shared) -> Option<TaskId> {
    if !std::ptr::eq(waker.vtable(), &VTABLE) {
        return None;
    }
    // SAFETY: every waker with this module's VTABLE has a `*const
    // WakerCell` as its data (`into_waker`, `borrowed_waker`, `clone_raw`),
    // and `waker` holds (or borrows from its creator) a reference that keeps
    // the cell alive while we read it.
    let cell = unsafe { &*waker.data().cast::<WakerCell>() };
    std::ptr::eq(&*cell.shared, shared).then_some(cell.task)
}

unsafe fn clone_raw(data: *const ()) -> RawWaker {
    // SAFETY: `data` is a live `WakerCell` (the waker being cloned holds a
    // reference); the new `RawWaker` owns the reference the clone takes.
    let cell = unsafe { CellRef::borrowed(NonNull::new_unchecked(data.cast_mut().cast())) };
    let _ = ManuallyDrop::new(CellRef::clone(&cell));
    RawWaker::new(data, &VTABLE)
}

unsafe fn wake_raw(data: *const ()) {
    // SAFETY: `wake` consumes the waker, so the reference it owned is ours to
    // release: the `CellRef` gives it back at the end of the scope.
    let cell = unsafe { CellRef::from_raw(NonNull::new_unchecked(data.cast_mut().cast())) };
    wake_cell(&cell);
}

unsafe fn wake_by_ref_raw(data: *const ()) {
    // SAFETY: the caller's waker holds a reference for the duration of this
    // call, which we borrow.
    let cell = unsafe { CellRef::borrowed(NonNull::new_unchecked(data.cast_mut().cast())) };
    wake_cell(&cell);
}

unsafe fn drop_raw(data: *const ()) {
    // SAFETY: the waker being dropped owned exactly this one reference.
    drop(unsafe { CellRef::from_raw(NonNull::new_unchecked(data.cast_mut().cast())) });
}

/// What the local path of a wake needs to know about the runtime running on
/// this thread: which runtime it is (its cross-thread half, which every
/// cell of its tasks points at) and how to schedule one of its tasks.
/// Installed by `context::enter` for as long as `block_on` runs; this module
/// thereby never names the scheduler.
#[derive(Clone, Copy)]
pub(crate) struct LocalLoop {
    /// The runtime's `Shared`, compared by address with a cell's.
    pub(crate) shared: *const Shared,
    /// The scheduler, passed back to `schedule`.
    pub(crate) data: *const (),
    /// Pushes a task of this runtime onto its run queue.
    ///
    /// # Safety
    /// Called with `data`, while this `LocalLoop` is installed.
    pub(crate) schedule: unsafe fn(*const (), TaskId),
}

thread_local! {
    static LOCAL: Cell<Option<LocalLoop>> = const { Cell::new(None) };
}

/// Installs (or, with `None`, removes) this thread's local path; returns
/// the previous one, for the caller to restore.
pub(crate) fn set_local(local: Option<LocalLoop>) -> Option<LocalLoop> {
    LOCAL.try_with(|l| l.replace(local)).unwrap_or(None)
}

/// The decision between the local and the remote path (see the module doc).
/// Inlined into the vtable entries: it is the whole of a local wake.
#[inline(always)]
fn wake_cell(cell: &CellRef) {
    let local = LOCAL.try_with(Cell::get).unwrap_or(None);
    match local {
        Some(local) if std::ptr::eq(local.shared, &*cell.shared) => {
            // SAFETY: the hook is installed, so `data` is its scheduler,
            // alive for as long as it stays installed (`context::enter`).
            unsafe { (local.schedule)(local.data, cell.task) };
        }
        _ => cell.shared.wake_remote(cell),
    }
}
