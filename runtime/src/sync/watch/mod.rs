//! A watch channel: one [`Sender`] publishes a value, any number of
//! [`Receiver`]s read the **latest** one and wait for it to change. For
//! state many tasks follow (a configuration, a shutdown flag, a progress
//! counter), as tokio's `watch`.
//!
//! ```
//! use runtime::sync::watch;
//!
//! runtime::block_on(async {
//!     let (tx, mut rx) = watch::channel("starting");
//!     let follower = runtime::spawn(async move {
//!         let mut seen = vec![*rx.borrow_and_update()];
//!         // `changed` completes once per *unseen* value; it fails once
//!         // the sender is gone and the last value was seen.
//!         while rx.changed().await.is_ok() {
//!             seen.push(*rx.borrow_and_update());
//!         }
//!         seen
//!     });
//!     runtime::yield_now().await; // the follower reads "starting" and waits
//!     tx.send("running").unwrap();
//!     runtime::yield_now().await; // ...sees "running" and waits again
//!     tx.send("stopping").unwrap();
//!     tx.send("stopped").unwrap(); // coalesced: it sees only the last one
//!     drop(tx);
//!     assert_eq!(follower.await.unwrap(), ["starting", "running", "stopped"]);
//! });
//! ```
//!
//! # Seen and unseen
//!
//! The channel counts versions: every `send` (and every `send_modify`, and
//! a `send_if_modified` whose closure says it modified) makes a new one.
//! Each receiver remembers the version it has **seen**. A new receiver (from
//! [`channel`] or [`Sender::subscribe`]) has seen the current value; a
//! clone has seen what its original had. [`Receiver::changed`] completes at
//! once if the current version is unseen, else waits for the next, and
//! marks it seen; [`Receiver::borrow_and_update`] marks it seen too;
//! [`Receiver::borrow`] does not. Values sent while nobody looked are
//! **not** queued: a receiver only ever sees the latest.
//!
//! # Holding a [`Ref`]
//!
//! The value sits behind a [`std::sync::RwLock`]; [`Ref`], what `borrow`
//! returns, is its read guard. **Do not hold a `Ref` across an `.await`**
//! (nor while calling `send` on the same thread): a send waits for every
//! `Ref` to be dropped, blocking its thread, and on this single-threaded
//! loop that thread is the one that would have dropped it. Copy or clone
//! what you need out of the `Ref` and let it go, as the example above does.
//!
//! Nor **borrow again while holding a `Ref`** when a sender may run on
//! another thread: the std lock may prefer writers (Linux's does), so once
//! that send waits for the first `Ref`, the second `borrow` waits behind
//! the send, and neither ever goes (tokio's `borrow` documents the same
//! deadlock).
//!
//! # The mechanism
//!
//! `state` is one atomic `u64`: the version in the high 63 bits (a send adds
//! 2) and a `CLOSED` bit (the sender is gone). The version is bumped *while
//! the write lock is held*, so a reader that loads it under the read lock
//! knows exactly which value it is looking at. A send then wakes every
//! waiting receiver through a waiter list ([`notify`]): receivers that had
//! already seen the version go back to sleep, the others complete. Sends
//! may come from any thread: the wakers are the tasks' own, so a send on a
//! plain thread wakes a task on the loop through the loop's remote queue.
//!
//! The value is in a `std::sync::RwLock`, not the crate's `spin_lock.rs`:
//! that lock is for critical sections of a few instructions that run no
//! user code, while a `Ref` is held by user code for as long as it likes,
//! and readers on several threads should not exclude one another.

use std::fmt;
use std::ops::Deref;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

mod error;
mod notify;
mod receiver;
mod sender;
#[cfg(test)]
mod tests;

pub use error::{RecvError, SendError};
pub use receiver::{Changed, Receiver, WaitFor};
pub use sender::{Closed, Sender};

use notify::Notify;

/// The `CLOSED` bit of `Shared::state`: the sender was dropped.
const CLOSED: u64 = 1;
/// What a new version adds to `Shared::state`.
const STEP: u64 = 2;

/// Creates a watch channel holding `init`. The receiver has seen `init`:
/// its first [`changed`](Receiver::changed) waits for a send.
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let shared = std::sync::Arc::new(Shared {
        value: RwLock::new(init),
        state: AtomicU64::new(0),
        receivers: AtomicUsize::new(1),
        notify_rx: Notify::new(),
        notify_tx: Notify::new(),
    });
    let rx = Receiver::new(shared.clone(), 0);
    (Sender::from_shared(shared), rx)
}

/// What the sender and the receivers share.
struct Shared<T> {
    /// The latest value.
    value: RwLock<T>,
    /// Version (a multiple of `STEP`) | `CLOSED`. The version changes only
    /// while `value`'s write lock is held.
    state: AtomicU64,
    /// Live receivers. `Sender::closed` waits for 0.
    receivers: AtomicUsize,
    /// Receivers waiting in `changed` / `wait_for`.
    notify_rx: Notify,
    /// The sender waiting in `closed`.
    notify_tx: Notify,
}

impl<T> Shared<T> {
    /// The current version and whether the sender is gone.
    fn state(&self) -> (u64, bool) {
        let state = self.state.load(Ordering::Acquire);
        (state & !CLOSED, state & CLOSED != 0)
    }

    /// A read lock on the value. The lock is never poisoned (the only code
    /// run under the write lock is a sender's closure, and a panic there is
    /// caught and the lock dropped before it is resumed), but a poisoned one
    /// would still hold a whole value.
    fn read(&self) -> RwLockReadGuard<'_, T> {
        self.value.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, T> {
        self.value.write().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Without the value: formatting takes no lock, so it cannot block behind
/// a send nor make one wait.
impl<T> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (version, closed) = self.state();
        f.debug_struct("Shared")
            .field("version", &(version / STEP))
            .field("closed", &closed)
            .field("receivers", &self.receivers.load(Ordering::Relaxed))
            .finish()
    }
}

/// A borrow of the channel's value, from [`Receiver::borrow`],
/// [`Receiver::borrow_and_update`], [`Receiver::wait_for`] or
/// [`Sender::borrow`]: a read lock on it. Keep it short, and never across an
/// `.await` (see [the module docs](self#holding-a-ref)).
pub struct Ref<'a, T> {
    guard: RwLockReadGuard<'a, T>,
    has_changed: bool,
}

impl<T> Ref<'_, T> {
    /// Whether this value was unseen by the receiver when it was borrowed
    /// (always `false` from [`Sender::borrow`]). From
    /// [`Receiver::wait_for`]: whether it was unseen when the predicate
    /// accepted it; a value that came while `wait_for` waited was marked
    /// seen by that wait, so this is `false` for it (as in tokio).
    pub fn has_changed(&self) -> bool {
        self.has_changed
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
