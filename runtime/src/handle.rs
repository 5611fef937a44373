//! How a leaf object names the runtime it belongs to, without owning it.
//!
//! A registered timer (`Sleep`), a socket's reactor slot (`Registration`), a
//! `JoinHandle` and a blocking-pool wait all point into one runtime's tables
//! (a wheel key, a reactor key, a task reference). They hold a [`RuntimeId`]
//! for it: a number, unique for the life of the process, and nothing else.
//! So these objects are `Send` and `Sync` (tokio's are; tower, hyper's
//! `rt::Timer` and `Pin<Box<dyn Future + Send>>` rely on it), and none of
//! them keeps a dropped runtime alive.
//!
//! What the object may do depends on where it is used:
//!
//! - **on the loop's thread, inside its runtime** (`RuntimeId::with`, in
//!   `context.rs`, which knows which runtime runs on this thread): the
//!   thread-local in `context.rs` points at the executor and its id matches.
//!   Everything happens at once, as before: one thread-local read and one
//!   compare.
//! - **anywhere else, to clean up** (`RuntimeId::run_or_defer`): a drop on
//!   another thread, or on the loop's thread outside `block_on`, sends a
//!   [`Deferred`] message through the runtime's cross-thread queue
//!   (`remote.rs`, one `eventfd` write); the loop applies it on its next turn,
//!   or when it is dropped. If the runtime is already gone there is nothing
//!   to clean up.
//! - **anywhere else, to wait** (a poll): not possible, since the wheel and the
//!   reactor belong to the loop's thread. A timer panics with a message that
//!   says why ([`RuntimeId::not_here`]); an I/O operation returns an
//!   `io::Error` that says why.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering as StdOrdering};
use std::sync::{Mutex, PoisonError};

use crate::driver::remote::{Deferred, Shared};
use crate::loom_shim::Arc;

/// Names one runtime for the life of the process (ids are never reused).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct RuntimeId(u64);

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Every live runtime's cross-thread half, by id: where a [`Deferred`]
/// message from a thread that does not run the runtime goes. A runtime is
/// added when built and removed when dropped; there are few, so a `Vec`.
static LIVE: Mutex<Vec<(RuntimeId, Arc<Shared>)>> = Mutex::new(Vec::new());

/// Why a [`RuntimeId`] could not be used from here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NotHere {
    /// The runtime has been dropped.
    Gone,
    /// The runtime is alive, but this thread is not running it now: another
    /// thread, or this thread outside its `block_on` or inside another
    /// runtime's.
    Elsewhere,
}

impl RuntimeId {
    /// A fresh id, for a new runtime.
    pub(crate) fn next() -> RuntimeId {
        RuntimeId(NEXT_ID.fetch_add(1, StdOrdering::Relaxed))
    }

    /// Whether the runtime is still alive (after `RuntimeId::with`,
    /// `context.rs`, said it is not running here).
    #[cold]
    pub(crate) fn not_here(self) -> NotHere {
        if shared_of(self).is_some() {
            NotHere::Elsewhere
        } else {
            NotHere::Gone
        }
    }

    /// Sends `op` to the runtime's loop through its cross-thread queue; does
    /// nothing if the runtime is gone (everything `op` would clean up went
    /// with it). `RuntimeId::run_or_defer` (`context.rs`) applies it at once
    /// when this thread runs the runtime.
    pub(crate) fn defer(self, op: Deferred) {
        if let Some(shared) = shared_of(self) {
            shared.defer(op);
        }
    }

    /// Adds a new runtime's cross-thread half to the list of live runtimes.
    pub(crate) fn register(self, shared: &Arc<Shared>) {
        lock_live().push((self, shared.clone()));
    }

    /// Removes a dropped runtime from the list: later deferred messages for
    /// it are dropped, and `not_here` says `Gone`.
    pub(crate) fn unregister(self) {
        let removed = {
            let mut live = lock_live();
            live.iter()
                .position(|(id, _)| *id == self)
                .map(|i| live.swap_remove(i))
        };
        drop(removed); // the `Arc` drops outside the lock
    }
}

impl fmt::Debug for RuntimeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "runtime #{}", self.0)
    }
}

impl fmt::Display for RuntimeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "runtime #{}", self.0)
    }
}

fn lock_live() -> std::sync::MutexGuard<'static, Vec<(RuntimeId, Arc<Shared>)>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

fn shared_of(id: RuntimeId) -> Option<Arc<Shared>> {
    lock_live()
        .iter()
        .find(|(live, _)| *live == id)
        .map(|(_, shared)| shared.clone())
}

/// The panic of a timer (or a `JoinHandle`) polled where its runtime is not
/// running: `what` names the object ("runtime::time::Sleep").
#[cold]
#[track_caller]
pub(crate) fn panic_not_here(what: &str, id: RuntimeId) -> ! {
    match id.not_here() {
        NotHere::Gone => panic!(
            "{what} polled after the runtime it was registered with ({id}) was dropped: \
             it can never complete; create it again inside the runtime that awaits it"
        ),
        NotHere::Elsewhere => panic!(
            "{what} polled outside the runtime it was registered with ({id}): \
             it may be sent to another thread or dropped anywhere, but only the thread \
             running that runtime's block_on can await it"
        ),
    }
}

/// The error of an I/O object used where its runtime is not running.
#[cold]
pub(crate) fn io_not_here(id: RuntimeId) -> std::io::Error {
    match id.not_here() {
        NotHere::Gone => std::io::Error::other(format!(
            "this socket was registered with {id}, which has been dropped: \
             its readiness events are gone with that runtime's epoll instance"
        )),
        NotHere::Elsewhere => std::io::Error::other(format!(
            "this socket is registered with {id}, which is not running on this thread: \
             use it inside that runtime's block_on (on the thread that built it)"
        )),
    }
}
