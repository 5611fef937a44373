//! Which runtime is running on this thread, if any.
//!
//! `block_on` sets a thread-local pointer to its executor for as long as it
//! runs; `spawn`, `sleep`, the reactor's I/O types and the local path of
//! `Waker::wake` read it. The pointer is only ever set by [`enter`], whose
//! guard restores the previous value when dropped (also on unwind), and the
//! guard's creator keeps the executor alive for the guard's whole life.

use std::cell::Cell;
use std::ptr;
use std::rc::Rc;

use crate::executor::Executor;

thread_local! {
    static CURRENT: Cell<*const Executor> = const { Cell::new(ptr::null()) };
}

/// Runs `f` with the executor running on this thread, if there is one.
#[inline]
pub(crate) fn with_current<R>(f: impl FnOnce(&Executor) -> R) -> Option<R> {
    let ptr = CURRENT.try_with(Cell::get).unwrap_or(ptr::null());
    if ptr.is_null() {
        return None;
    }
    // SAFETY: a non-null CURRENT was set by `enter`, whose guard is still
    // alive (it resets CURRENT when dropped) and whose caller holds an
    // `Rc<Executor>` to this executor for the guard's whole life.
    Some(f(unsafe { &*ptr }))
}

/// Whether some runtime is running on this thread.
pub(crate) fn is_entered() -> bool {
    !CURRENT.try_with(Cell::get).unwrap_or(ptr::null()).is_null()
}

/// Makes `exec` the current executor until the guard is dropped.
pub(crate) fn enter(exec: &Rc<Executor>) -> EnterGuard {
    let prev = CURRENT.with(|c| c.replace(Rc::as_ptr(exec)));
    EnterGuard { prev }
}

/// Restores the previous current executor on drop.
pub(crate) struct EnterGuard {
    prev: *const Executor,
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let _ = CURRENT.try_with(|c| c.set(self.prev));
    }
}
