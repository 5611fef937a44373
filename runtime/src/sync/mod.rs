//! Async synchronisation primitives: [`Semaphore`], [`Mutex`], [`RwLock`],
//! [`Event`], and the [`mpsc`], [`oneshot`] and [`watch`] channels.
//!
//! None of them depends on an executor: they speak to tasks only through
//! [`std::task::Waker`], so they work under this crate's event loop, under
//! any other executor, and from plain OS threads (every type is `Send + Sync`
//! when its payload allows). Each keeps its state behind a
//! [`std::sync::Mutex`] held for a few instructions at a time and never while
//! waking a task or dropping a user value; [`Event`], whose single-threaded
//! round trip is the lock itself, uses atomics for its flag and a lighter
//! spin-then-yield lock (`spin_lock.rs`) for its waiter queue.
//!
//! Waiters queue in FIFO order and every waiting future is cancel-safe:
//! dropping it gives back whatever it had been granted.

pub mod mpsc;
pub mod oneshot;
pub mod watch;

mod event;
mod mutex;
mod rwlock;
mod semaphore;
mod spin_lock;
mod waiters;

pub use event::{Event, Wait};
pub use mutex::{Lock, Mutex, MutexGuard, TryLockError};
pub use rwlock::{MAX_READS, ReadLock, RwLock, RwLockReadGuard, RwLockWriteGuard, WriteLock};
pub use semaphore::{
    Acquire, AcquireError, AcquireMany, AcquireOwned, OwnedSemaphorePermit, Semaphore,
    SemaphorePermit, SharedSemaphore, TryAcquireError,
};
