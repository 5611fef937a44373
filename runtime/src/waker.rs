//! The runtime's own [`Waker`]: a hand-written [`RawWakerVTable`].
//!
//! Every task owns one [`WakerCell`], allocated once at spawn and shared by
//! reference count (the same counting an `Arc` does, through
//! `Arc::into_raw`/`from_raw`). A [`Waker`] is a pointer to that cell plus
//! [`VTABLE`]; cloning it bumps the count, dropping it lowers the count.
//!
//! `wake` decides between two paths:
//!
//! - **local**: the calling thread is running this task's runtime right now
//!   (the thread-local in `context.rs` points at it). The task is pushed onto
//!   the run queue directly: no lock, no atomic read-modify-write, no syscall.
//! - **remote**: any other thread, or this thread when the runtime is not
//!   running. The cell goes onto the runtime's cross-thread queue and, at most
//!   once per loop turn, an `eventfd` write (`mio::Waker`) ends the loop's
//!   `epoll_wait(2)`. See `remote.rs`.
//!
//! A cell names its task by [`TaskRef`] (slab key plus spawn sequence
//! number). When the task is gone, its slot is empty or holds another task
//! with another sequence number, and the wake is ignored: a waker may outlive
//! its task and its runtime, be woken twice, or be woken while its task runs,
//! and none of that does harm.

use std::task::{RawWaker, RawWakerVTable, Waker};

use crate::loom_shim::{Arc, AtomicBool};

use crate::context;
use crate::remote::Shared;
use crate::task::TaskRef;

/// What a [`Waker`] built by this runtime points at.
pub(crate) struct WakerCell {
    /// The runtime's cross-thread half: its queue and its `eventfd`.
    pub(crate) shared: Arc<Shared>,
    /// The task this cell wakes.
    pub(crate) task: TaskRef,
    /// Set while this cell sits in the cross-thread queue, so that a burst of
    /// remote wakes of one task costs one queue entry.
    pub(crate) queued: AtomicBool,
}

/// The four functions every [`Waker`] of this runtime dispatches to.
pub(crate) static VTABLE: RawWakerVTable =
    RawWakerVTable::new(clone_raw, wake_raw, wake_by_ref_raw, drop_raw);

/// Builds the waker of a task: one reference to `cell` moves into it.
pub(crate) fn new_waker(shared: Arc<Shared>, task: TaskRef) -> Waker {
    let cell = Arc::new(WakerCell {
        shared,
        task,
        queued: AtomicBool::new(false),
    });
    let data = Arc::into_raw(cell).cast::<()>();
    // SAFETY: `data` comes from `Arc::into_raw` of a `WakerCell` and carries
    // one strong count, which the new `Waker` owns; every VTABLE function
    // treats `data` as exactly that pointer (see their SAFETY comments).
    unsafe { Waker::from_raw(RawWaker::new(data, &VTABLE)) }
}

/// A waker over an existing cell (for the loom models).
#[cfg(all(test, loom))]
pub(crate) fn waker_for_model(cell: Arc<WakerCell>) -> Waker {
    let data = Arc::into_raw(cell).cast::<()>();
    // SAFETY: as in `new_waker`: `data` carries the one count the waker owns.
    unsafe { Waker::from_raw(RawWaker::new(data, &VTABLE)) }
}

unsafe fn clone_raw(data: *const ()) -> RawWaker {
    // SAFETY: `data` is a pointer from `Arc::into_raw::<WakerCell>` whose
    // count is at least one (the waker being cloned owns it); the new
    // `RawWaker` owns the count we add here.
    unsafe { Arc::increment_strong_count(data.cast::<WakerCell>()) };
    RawWaker::new(data, &VTABLE)
}

unsafe fn wake_raw(data: *const ()) {
    // SAFETY: `wake` consumes the waker, so the count it owned is ours to
    // release; `from_raw` takes it back and drops it at the end of the scope.
    let cell = unsafe { Arc::from_raw(data.cast::<WakerCell>()) };
    wake_cell(&cell);
}

unsafe fn wake_by_ref_raw(data: *const ()) {
    // SAFETY: the caller's waker owns a count for the duration of this call,
    // so the cell is alive; we only borrow it.
    let cell = unsafe { &*data.cast::<WakerCell>() };
    wake_cell(cell);
}

unsafe fn drop_raw(data: *const ()) {
    // SAFETY: the waker being dropped owned exactly this one count.
    unsafe { Arc::decrement_strong_count(data.cast::<WakerCell>()) };
}

/// The decision between the local and the remote path (see the module doc).
fn wake_cell(cell: &WakerCell) {
    let done_locally = context::with_current(|exec| {
        if Arc::ptr_eq(&exec.shared, &cell.shared) {
            exec.schedule_local(cell.task);
            true
        } else {
            false
        }
    });
    if done_locally != Some(true) {
        cell.shared.wake_remote(cell);
    }
}
