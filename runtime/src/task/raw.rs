//! One allocation per task: its waker cell, then its future.
//!
//! ```text
//!  TaskAlloc<F>  (#[repr(C)], one Box)
//!  ┌────────────────────────────┐ ◄── every Waker of the task points here
//!  │ WakerCell  refs, queued,   │     (waker.rs)
//!  │            shared, task,   │
//!  │            vtable ─────────┼──► TaskVTable for this F: release (the
//!  ├────────────────────────────┤    cell's), poll, cancel, take_output…
//!  │ stage: TaskCell<F>         │ ◄── the future, then its output (cell.rs)
//!  └────────────────────────────┘
//! ```
//!
//! This is async-task's layout (smol's tasks): a spawn makes one heap
//! allocation, and a waker is a pointer into it, where a separate waker
//! object would cost a second allocation per task. The task table holds a
//! [`TaskPtr`] (one counted reference, a thin pointer); wakers hold the
//! others. The allocation is freed when the last reference goes, which may
//! be a waker on another thread long after the task ended.
//!
//! The one rule that makes that sound: **the stage (the future, or the
//! output) is only touched, and always dropped, by the loop thread through
//! the `TaskPtr`**. `TaskPtr` is `!Send`, and its `Drop` empties the stage
//! before giving up its reference; the stage is a `ManuallyDrop`, so the
//! final `release` (on whatever thread) frees memory and drops the waker
//! cell, never a task's destructors.

use std::cell::UnsafeCell;
use std::future::Future;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll};

use super::{TaskCell, TaskId};
use crate::driver::remote::Shared;
use crate::loom_shim::Arc;
use crate::waker::{CellRef, CellVTable, WakerCell, borrowed_waker};

/// What the scheduler can do with a task without knowing its future's type.
/// Every function takes the pointer to the allocation's head.
///
/// `#[repr(C)]` and starting with the cell's own [`CellVTable`]: the cell
/// keeps one pointer, to this, which serves both as the cell's `release`
/// and as the task's functions (one word per task where two were kept).
#[repr(C)]
struct TaskVTable {
    cell: CellVTable,
    poll: unsafe fn(NonNull<WakerCell>, &mut Context<'_>) -> Poll<()>,
    cancel: unsafe fn(NonNull<WakerCell>),
    take_output: unsafe fn(NonNull<WakerCell>, *mut ()),
    panicked: unsafe fn(NonNull<WakerCell>) -> bool,
    drop_stage: unsafe fn(NonNull<WakerCell>),
}

/// One task's allocation (see the module doc).
#[repr(C)]
struct TaskAlloc<F: Future> {
    cell: WakerCell,
    stage: UnsafeCell<ManuallyDrop<TaskCell<F>>>,
}

impl<F: Future> TaskAlloc<F> {
    const VTABLE: TaskVTable = TaskVTable {
        cell: CellVTable {
            release: Self::release,
        },
        poll: Self::poll,
        cancel: Self::cancel,
        take_output: Self::take_output,
        panicked: Self::panicked,
        drop_stage: Self::drop_stage,
    };

    /// The stage, pinned: it never moves (it lives in a heap allocation that
    /// is freed, not moved).
    ///
    /// # Safety
    /// `head` is the head of a live `TaskAlloc<F>`, and the caller is the
    /// loop thread's `TaskPtr`, which is the only code that touches the
    /// stage, and holds no other borrow of it.
    unsafe fn stage<'a>(head: NonNull<WakerCell>) -> Pin<&'a mut TaskCell<F>> {
        // SAFETY: see the function's contract; `TaskAlloc` is `repr(C)` with
        // the cell first, so the head pointer is the allocation pointer.
        unsafe {
            let alloc = head.cast::<TaskAlloc<F>>().as_ptr();
            Pin::new_unchecked(&mut **(*alloc).stage.get())
        }
    }

    unsafe fn poll(head: NonNull<WakerCell>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: called through `TaskPtr::poll` (the contract of `stage`).
        unsafe { Self::stage(head) }.poll_task(cx)
    }

    unsafe fn cancel(head: NonNull<WakerCell>) {
        // SAFETY: called through `TaskPtr::cancel` (the contract of `stage`).
        unsafe { Self::stage(head) }.cancel();
    }

    unsafe fn take_output(head: NonNull<WakerCell>, dst: *mut ()) {
        // SAFETY: called through `TaskPtr::take_output`, whose caller
        // guarantees `dst`'s type (the contract of `TaskCell::take_output`).
        unsafe { Self::stage(head).take_output(dst) };
    }

    unsafe fn panicked(head: NonNull<WakerCell>) -> bool {
        // SAFETY: called through `TaskPtr::panicked` (the contract of `stage`).
        unsafe { Self::stage(head) }.panicked()
    }

    unsafe fn drop_stage(head: NonNull<WakerCell>) {
        // SAFETY: called by `TaskPtr::drop` (the contract of `stage`).
        // `Pin::set` drops the old content in place; a panic in it
        // propagates, after `Consumed` has been written.
        unsafe { Self::stage(head) }.set(TaskCell::Consumed);
    }

    /// Frees the allocation: the cell's `release`, run by the last reference.
    ///
    /// # Safety
    /// `head` came from `TaskPtr::new::<F>` and no reference to it is left.
    unsafe fn release(head: NonNull<WakerCell>) {
        // SAFETY: the allocation is a `Box<TaskAlloc<F>>` (made in
        // `TaskPtr::new`). Its stage is `ManuallyDrop` and was emptied by
        // `TaskPtr::drop` on the loop thread; this drops the cell only.
        drop(unsafe { Box::from_raw(head.cast::<TaskAlloc<F>>().as_ptr()) });
    }
}

/// The task table's reference to a task: the only way to its future.
/// `!Send` (the future may not be), and its `Drop` drops the future or
/// output in place before letting the allocation go.
pub(crate) struct TaskPtr {
    head: CellRef,
    _not_send: PhantomData<*mut ()>,
}

impl TaskPtr {
    /// Allocates a task running `future` (the one allocation of a spawn).
    pub(crate) fn new<F: Future>(future: F, shared: Arc<Shared>, task: TaskId) -> TaskPtr {
        // A pointer to the whole vtable (not a reference to its first
        // field), so that `vtable()` may read the rest of it back.
        let vtable: *const TaskVTable = &TaskAlloc::<F>::VTABLE;
        let alloc = Box::new(TaskAlloc {
            cell: WakerCell::new(shared, task, vtable.cast::<CellVTable>()),
            stage: UnsafeCell::new(ManuallyDrop::new(TaskCell::Running(future))),
        });
        let head = NonNull::from(Box::leak(alloc)).cast::<WakerCell>();
        TaskPtr {
            // SAFETY: the cell was created with one reference, which the
            // `TaskPtr` owns from here on.
            head: unsafe { CellRef::from_raw(head) },
            _not_send: PhantomData,
        }
    }

    fn vtable(&self) -> &'static TaskVTable {
        // SAFETY: every `TaskPtr` heads a `TaskAlloc<F>`, whose cell was
        // given a pointer to `TaskAlloc::<F>::VTABLE` (a promoted constant,
        // `'static`) in `new`; `TaskVTable` is `repr(C)` with the
        // `CellVTable` first, so the pointer is to the whole table.
        unsafe { &*self.head.vtable().cast::<TaskVTable>() }
    }

    /// Polls the future with the task's own waker (borrowed: no reference
    /// count is taken for the poll). `Ready` once the task is finished.
    pub(crate) fn poll(&self) -> Poll<()> {
        let head = self.head.as_ptr();
        // SAFETY: `self` holds a reference for the whole poll.
        let waker = unsafe { borrowed_waker(head) };
        let mut cx = Context::from_waker(&waker);
        // SAFETY: the vtable is this allocation's, and `&self` on the loop
        // thread is the only access to the stage (`stage`'s contract): the
        // scheduler keeps the `TaskPtr` out of the table while it polls.
        unsafe { (self.vtable().poll)(head, &mut cx) }
    }

    /// Drops the future now and stores a cancelled (or panicked) output.
    pub(crate) fn cancel(&self) {
        // SAFETY: as in `poll`.
        unsafe { (self.vtable().cancel)(self.head.as_ptr()) }
    }

    /// Whether the task finished by panicking.
    pub(crate) fn panicked(&self) -> bool {
        // SAFETY: as in `poll`.
        unsafe { (self.vtable().panicked)(self.head.as_ptr()) }
    }

    /// Moves the output out into `*dst`, if the task finished and it is
    /// still there.
    ///
    /// # Safety
    /// `dst` must point to a valid `Option<Result<T, Failure>>` where `T`
    /// is exactly this task's output type.
    pub(crate) unsafe fn take_output(&self, dst: *mut ()) {
        // SAFETY: as in `poll`; `dst` is the caller's promise.
        unsafe { (self.vtable().take_output)(self.head.as_ptr(), dst) }
    }
}

impl Drop for TaskPtr {
    fn drop(&mut self) {
        // Empty the stage here, on the loop thread (see the module doc); the
        // reference goes after, with the field, even if a destructor panics.
        // SAFETY: as in `poll`.
        unsafe { (self.vtable().drop_stage)(self.head.as_ptr()) }
    }
}
#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn an_idle_tasks_allocation_is_56_bytes() {
        // The 40-byte waker cell and a 16-byte stage for a future with
        // nothing in it and output `()`: with malloc's 8-byte header, a
        // 64-byte chunk. Memory per task is a benchmark target (issue 18):
        // grow this on purpose only.
        assert_eq!(std::mem::size_of::<crate::waker::WakerCell>(), 40);
        let size = std::mem::size_of::<super::TaskAlloc<std::future::Pending<()>>>();
        assert_eq!(size, 56);
    }
}
