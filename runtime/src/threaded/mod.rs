//! The thread-per-task model: one OS thread per task, blocking calls, no
//! event loop.
//!
//! The same vocabulary as the event loop (`spawn`, `JoinHandle`, `sleep`,
//! `gather`, `Semaphore`), but every task is a kernel thread and every wait
//! is the kernel's business. It is the Rust counterpart of Python's
//! `threading` and `concurrent.futures.ThreadPoolExecutor` ([`ThreadPool`]).
//!
//! # What a `spawn` costs
//!
//! [`spawn`] goes through `std::thread::Builder` to glibc's
//! `pthread_create`: a stack `mmap` with a guard page, `clone3`, the new
//! thread's registration with the kernel, and at [`JoinHandle::join`] two
//! futex waits (the join slot's condvar, then `pthread_join`). DESIGN.md
//! ("The thread model", "What `spawn` costs in system calls") walks through
//! the `strace -f` of `runtime/examples/threaded_spawn.rs` call by call.
//!
//! A page of stack becomes resident memory only when the thread touches
//! it: an idle thread costs a few pages of RSS but its whole stack in
//! virtual size.
//!
//! # Where a blocked thread sleeps
//!
//! Nothing here polls. A thread blocked on a `Mutex` or a `Condvar`
//! ([`JoinHandle::join`], [`Semaphore::acquire`], an idle pool worker in
//! the channel's `recv`) is asleep in the kernel in `futex(FUTEX_WAIT)`
//! (`/proc/PID/task/TID/wchan` says `futex_do_wait` on Linux 6.18,
//! `futex_wait_queue` on older kernels), off every run queue, until another
//! thread's `futex(FUTEX_WAKE)`. A thread in [`sleep`] is in
//! `clock_nanosleep(CLOCK_MONOTONIC)` (wchan `hrtimer_nanosleep`), woken by
//! a kernel timer. Each such sleep is a voluntary context switch, counted
//! in [`Stats`].
//!
//! ```
//! use runtime::threaded::{self, Semaphore};
//! use std::sync::Arc;
//! use std::time::Duration;
//!
//! let limit = Arc::new(Semaphore::new(2));
//! let results = threaded::gather((0..4).map(|i| {
//!     let limit = Arc::clone(&limit);
//!     move || {
//!         let _permit = limit.acquire(); // at most 2 at once
//!         threaded::sleep(Duration::from_millis(1));
//!         i * 10
//!     }
//! }));
//! assert_eq!(results, [0, 10, 20, 30]);
//! ```

//!
//! [`ThreadPool`]: crate::threaded::ThreadPool
//! [`spawn`]: crate::threaded::spawn
//! [`JoinHandle::join`]: crate::threaded::JoinHandle::join
//! [`Semaphore::acquire`]: crate::threaded::Semaphore::acquire
//! [`sleep`]: crate::threaded::sleep
//! [`Stats`]: crate::threaded::Stats

// The links above are absolute because this module also has an outer doc
// comment in lib.rs, and rustdoc then resolves the combined text from the
// crate root.

mod builder;
mod debug;
mod gather;
mod join;
mod pool;
mod semaphore;
mod stats;
pub mod trace;

use std::time::Duration;

pub use builder::{Builder, MAX_COMM_LEN, site_name, spawn};
pub use debug::{THREADED_DEBUG_HEAD, ThreadInfo, ThreadRecord, tasks};
pub use gather::gather;
pub use join::{JoinError, JoinHandle};
pub use pool::ThreadPool;
pub use semaphore::{Semaphore, SemaphorePermit};
pub use stats::{Stats, reset_peak, stats};

/// Blocks the calling thread for at least `duration`.
///
/// This is `std::thread::sleep`, which on Linux makes the
/// `clock_nanosleep(2)` system call on `CLOCK_MONOTONIC` with a relative
/// time (seen under strace as `clock_nanosleep(CLOCK_MONOTONIC, 0,
/// {tv_sec=0, tv_nsec=1000000}, ...)`), not `nanosleep(2)`: the thread
/// leaves the run queue until a kernel timer wakes it (a voluntary context
/// switch). Unlike the event loop's `sleep`, it holds its thread the whole
/// time.
///
/// ```
/// use runtime::threaded;
/// use std::time::{Duration, Instant};
///
/// let start = Instant::now();
/// threaded::sleep(Duration::from_millis(2));
/// assert!(start.elapsed() >= Duration::from_millis(2));
/// ```
pub fn sleep(duration: Duration) {
    let _blocked = trace::block("sleep: clock_nanosleep");
    std::thread::sleep(duration);
}

/// Runs `io`, a blocking I/O call (a `std::net` read, an `accept`, a file
/// read), marked as such: the thread's trace shows a `blocked` slice for it
/// and a debugger (`info threaded-tasks`) and [`tasks`] say the thread is
/// blocked on I/O. Only the marking is added; `io` runs as it is.
///
/// ```
/// use runtime::threaded;
/// use std::io::Read;
///
/// let mut data = &b"hello"[..];
/// let mut buf = [0u8; 5];
/// let n = threaded::blocking_io(|| data.read(&mut buf)).unwrap();
/// assert_eq!(&buf[..n], b"hello");
/// ```
pub fn blocking_io<R>(io: impl FnOnce() -> R) -> R {
    let _blocked = trace::block("io: blocking call");
    io()
}
