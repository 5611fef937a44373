//! Counters: how many threads this module created, how many were alive at
//! once, how many joins, and what the kernel says about context switches.
//!
//! The thread counters are process-wide atomics updated by
//! [`spawn`](super::spawn), [`Builder::spawn`](super::Builder::spawn),
//! [`gather`](super::gather) and the [`ThreadPool`](super::ThreadPool)
//! workers; the context switches come from `getrusage(RUSAGE_SELF)`, which
//! sums every thread of the process, the dead ones included.

use std::sync::atomic::{AtomicU64, Ordering};

static SPAWNED: AtomicU64 = AtomicU64::new(0);
static LIVE: AtomicU64 = AtomicU64::new(0);
static PEAK: AtomicU64 = AtomicU64::new(0);
static JOINS: AtomicU64 = AtomicU64::new(0);

/// A reading of this module's counters and of the process's context
/// switches.
///
/// Take one with [`stats`] (or [`Stats::snapshot`]) and subtract an
/// earlier one with [`Stats::since`] to measure a region:
///
/// ```
/// use runtime::threaded::{self, Stats};
///
/// let before = Stats::snapshot();
/// threaded::gather((0..4).map(|i| move || i * 2));
/// let delta = Stats::snapshot().since(&before);
/// // Other threads of the process may spawn too, hence `>=`.
/// assert!(delta.spawned >= 4);
/// assert!(delta.joins >= 4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// OS threads created by this module (tasks and pool workers).
    pub spawned: u64,
    /// The most threads of this module alive at once, since the process
    /// started or the last [`reset_peak`].
    pub peak_live: u64,
    /// Threads of this module alive now (created and not yet exited).
    pub live: u64,
    /// [`JoinHandle::join`](super::JoinHandle::join) calls that returned.
    pub joins: u64,
    /// Voluntary context switches of the whole process (`ru_nvcsw`): a
    /// thread blocked (futex wait, sleep, I/O) and gave up its CPU.
    pub voluntary_switches: u64,
    /// Involuntary context switches of the whole process (`ru_nivcsw`): the
    /// scheduler preempted a thread that could have run on.
    pub involuntary_switches: u64,
}

impl Stats {
    /// The counters now; the same as [`stats`].
    pub fn snapshot() -> Stats {
        stats()
    }

    /// What happened between `earlier` and `self`.
    ///
    /// `spawned`, `joins` and the context switches become differences;
    /// `live` and `peak_live` are levels, not counts, and are kept as they
    /// are in `self` (call [`reset_peak`] at the start of a region to make
    /// `peak_live` the region's peak).
    pub fn since(&self, earlier: &Stats) -> Stats {
        Stats {
            spawned: self.spawned.saturating_sub(earlier.spawned),
            peak_live: self.peak_live,
            live: self.live,
            joins: self.joins.saturating_sub(earlier.joins),
            voluntary_switches: self
                .voluntary_switches
                .saturating_sub(earlier.voluntary_switches),
            involuntary_switches: self
                .involuntary_switches
                .saturating_sub(earlier.involuntary_switches),
        }
    }
}

/// Reads the global counters and `getrusage(RUSAGE_SELF)`.
pub fn stats() -> Stats {
    let (voluntary_switches, involuntary_switches) = context_switches();
    Stats {
        spawned: SPAWNED.load(Ordering::Relaxed),
        peak_live: PEAK.load(Ordering::Relaxed),
        live: LIVE.load(Ordering::Relaxed),
        joins: JOINS.load(Ordering::Relaxed),
        voluntary_switches,
        involuntary_switches,
    }
}

/// Sets the peak to the number of threads alive now, so that a later
/// [`stats`] reports the peak of the region that follows.
pub fn reset_peak() {
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
}

/// `(ru_nvcsw, ru_nivcsw)` for the whole process, or zeros if
/// `getrusage` fails (it cannot, with these arguments).
fn context_switches() -> (u64, u64) {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `usage` is a properly aligned, writable `rusage` that lives
    // across the call, and `RUSAGE_SELF` is a valid `who`; `getrusage`
    // writes only within that struct. Reading it afterwards is sound
    // whatever the outcome: it was zero-initialised, and `rusage` is plain
    // integers (`timeval`s and `c_long`s) for which all-zero bytes are a
    // valid value.
    let (rc, usage) = unsafe {
        let rc = libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        (rc, usage.assume_init())
    };
    if rc != 0 {
        return (0, 0);
    }
    let as_u64 = |v: libc::c_long| u64::try_from(v).unwrap_or(0);
    (as_u64(usage.ru_nvcsw), as_u64(usage.ru_nivcsw))
}

/// Marks one live thread of this module; created by the spawner just before
/// the OS thread, moved into the thread's closure and dropped when that
/// closure ends (or when it is dropped unrun because creation failed).
pub(crate) struct LiveThread(());

impl LiveThread {
    pub(crate) fn enter() -> LiveThread {
        let now = LIVE.fetch_add(1, Ordering::Relaxed) + 1;
        PEAK.fetch_max(now, Ordering::Relaxed);
        LiveThread(())
    }
}

impl Drop for LiveThread {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Counts an OS thread that was created.
pub(crate) fn record_spawn() {
    SPAWNED.fetch_add(1, Ordering::Relaxed);
}

/// Counts a completed `join`.
pub(crate) fn record_join() {
    JOINS.fetch_add(1, Ordering::Relaxed);
}
