//! [`Stats`]: what the event loop did, the numbers the demos and DESIGN.md
//! quote. The counters behind them are plain `Cell`s on the loop's thread
//! (no atomics), kept by their owners: the scheduler's (tasks, polls, local
//! wakes) and the driver's (epoll, timers, I/O); the two that other threads
//! bump (remote wakes, eventfd writes) are atomics in `driver/remote.rs`.

use std::time::Duration;

/// A snapshot of a runtime's counters, from [`Runtime::stats`](crate::Runtime::stats).
///
/// ```
/// let rt = runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     runtime::spawn(async {}).await.unwrap();
/// });
/// let stats = rt.stats();
/// assert_eq!(stats.tasks_spawned, 1);
/// assert_eq!(stats.tasks_completed, 1);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Tasks spawned (not counting the `block_on` futures).
    pub tasks_spawned: u64,
    /// Tasks that finished: returned, panicked or were cancelled.
    pub tasks_completed: u64,
    /// Tasks that panicked.
    pub tasks_panicked: u64,
    /// Tasks cancelled by `JoinHandle::abort`.
    pub tasks_cancelled: u64,
    /// Tasks alive now (in the slab).
    pub tasks_live: u64,
    /// Calls to a task's (or the `block_on` future's) `poll`.
    pub polls: u64,
    /// Wakes made on the loop's own thread while it ran (pushed straight onto
    /// the run queue).
    pub local_wakes: u64,
    /// Wakes from other threads, or from this thread while the loop was not
    /// running (they travel through the cross-thread queue).
    pub remote_wakes: u64,
    /// `write(2)`s to the eventfd that interrupt `epoll_wait`.
    pub eventfd_writes: u64,
    /// Calls to `epoll_wait(2)`.
    pub epoll_waits: u64,
    /// Of those, calls with a non-zero timeout (the loop had nothing to run).
    pub epoll_waits_blocking: u64,
    /// Events returned by `epoll_wait`, the eventfd's included.
    pub epoll_events: u64,
    /// Timers registered in the timer wheel.
    pub timers_registered: u64,
    /// Timers that fired.
    pub timers_fired: u64,
    /// Timers removed before they fired (a dropped `sleep` or `timeout`).
    pub timers_cancelled: u64,
    /// Times the paused clock jumped forward to the next timer.
    pub clock_jumps: u64,
    /// The longest single poll seen. Polls are only timed when
    /// [`Builder::slow_poll_threshold`](crate::Builder::slow_poll_threshold)
    /// or [`Builder::poll_timing`](crate::Builder::poll_timing) is on;
    /// otherwise this stays zero (timing costs two clock reads per poll).
    pub longest_poll: Duration,
    /// I/O sources registered with epoll (`epoll_ctl(EPOLL_CTL_ADD)`).
    pub io_registrations: u64,
    /// Reads (and accepts, receives) that hit `WouldBlock`.
    pub read_would_block: u64,
    /// Writes (and sends) that hit `WouldBlock`.
    pub write_would_block: u64,
    /// Connections accepted.
    pub accepts: u64,
    /// Jobs run on the blocking pool (`spawn_blocking`, `fs`).
    pub blocking_jobs: u64,
    /// Blocking-pool threads alive now.
    pub blocking_threads_alive: u64,
    /// The most blocking-pool threads alive at once.
    pub blocking_threads_peak: u64,
}
