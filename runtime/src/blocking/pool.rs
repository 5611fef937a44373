//! The blocking pool: OS threads that run jobs the event loop must not.
//!
//! Jobs travel through an unbounded `crossbeam-channel`; the threads
//! (named `blocking-0`, `blocking-1`, ...) take them in turn. The pool grows
//! on demand: a job submitted when every thread is busy starts a new thread,
//! up to `Builder::max_blocking_threads` (default 64); beyond that, jobs
//! wait in the channel. A thread that finds no job for
//! `Builder::blocking_keep_alive` (default 10 s) exits.
//!
//! The bookkeeping (threads alive, idle, jobs queued) sits under one mutex,
//! taken once per submit and twice per job, so that "is somebody idle who
//! will take this job?" and "I am idle and timing out" cannot cross: a
//! thread only exits when, under the lock, no job is queued.
//!
//! # Shutdown
//! [`Pool::shutdown`] (the runtime is being dropped) never waits: jobs still
//! queued are dropped unrun (on the caller's thread), the channel is closed
//! so that idle threads exit at once, and jobs already running are detached:
//! their threads finish them and then exit on their own. A job that never
//! ends therefore leaks its thread but cannot hang the runtime's drop.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::Waker;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

/// One job: a closure that stores its own result (see `blocking/mod.rs`)
/// and returns the waker to wake, which the pool wakes only after it has
/// counted the thread idle again: a waiter that submits its next job as soon
/// as it sees the result finds this thread free instead of starting another.
pub(crate) type Job = Box<dyn FnOnce() -> Option<Waker> + Send + 'static>;

/// A runtime's blocking pool (owned by its driver, `driver/mod.rs`).
pub(crate) struct Pool {
    inner: Arc<Inner>,
}

/// The pool's counters, for `Stats`.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PoolStats {
    pub(crate) jobs_run: u64,
    pub(crate) threads_alive: u64,
    pub(crate) threads_peak: u64,
}

/// What the pool's threads and the loop share.
struct Inner {
    state: Mutex<State>,
    /// A receiver kept to hand to new threads and to drain at shutdown.
    rx: Receiver<Job>,
    max_threads: usize,
    keep_alive: Duration,
    jobs_run: AtomicU64,
}

struct State {
    /// `None` once the pool is shut down (dropping it closes the channel).
    tx: Option<Sender<Job>>,
    /// Jobs in the channel not yet taken by a thread.
    queued: usize,
    /// Threads waiting for a job (a newly started thread counts as idle).
    idle: usize,
    alive: usize,
    peak: usize,
    /// Numbers thread names.
    next_id: usize,
}

impl Pool {
    /// An empty pool: no thread starts before the first job.
    pub(crate) fn new(max_threads: usize, keep_alive: Duration) -> Pool {
        let (tx, rx) = crossbeam_channel::unbounded();
        Pool {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    tx: Some(tx),
                    queued: 0,
                    idle: 0,
                    alive: 0,
                    peak: 0,
                    next_id: 0,
                }),
                rx,
                max_threads: max_threads.max(1),
                keep_alive,
                jobs_run: AtomicU64::new(0),
            }),
        }
    }

    /// Queues `job`, starting a thread for it if every thread is busy and
    /// the cap allows.
    ///
    /// # Errors
    /// The pool is shut down, or no thread runs and none could be started
    /// (`std::thread::Builder::spawn` failed, e.g. `EAGAIN`); `job` is
    /// dropped unrun in both cases.
    pub(crate) fn submit(&self, job: Job) -> std::io::Result<()> {
        let mut state = self.inner.lock();
        let Some(tx) = state.tx.clone() else {
            return Err(std::io::Error::other(
                "the runtime's blocking pool is shut down",
            ));
        };
        if state.queued + 1 > state.idle && state.alive < self.inner.max_threads {
            let id = state.next_id;
            let inner = self.inner.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("blocking-{id}"))
                .spawn(move || inner.work());
            match spawned {
                Ok(_detached) => {
                    state.next_id += 1;
                    state.alive += 1;
                    state.idle += 1;
                    state.peak = state.peak.max(state.alive);
                }
                // Somebody else will get to the job eventually.
                Err(_) if state.alive > 0 => {}
                Err(e) => return Err(e),
            }
        }
        state.queued += 1;
        // Cannot fail: `self.inner.rx` keeps the channel open.
        let _ = tx.send(job);
        Ok(())
    }

    /// The pool's counters now.
    pub(crate) fn stats(&self) -> PoolStats {
        let state = self.inner.lock();
        PoolStats {
            jobs_run: self.inner.jobs_run.load(Ordering::Relaxed),
            threads_alive: state.alive as u64,
            threads_peak: state.peak as u64,
        }
    }

    /// Drops queued jobs, closes the channel, detaches running jobs (see the
    /// module doc). Returns at once.
    pub(crate) fn shutdown(&self) {
        let tx = {
            let mut state = self.inner.lock();
            state.tx.take()
        };
        drop(tx);
        let mut dropped = 0;
        while let Ok(job) = self.inner.rx.try_recv() {
            dropped += 1;
            // A job's destructor is user code: keep going if it panics.
            let _ = catch_unwind(AssertUnwindSafe(move || drop(job)));
        }
        let mut state = self.inner.lock();
        state.queued = state.queued.saturating_sub(dropped);
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        // No code that can panic runs under this lock: poison is harmless.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A pool thread's life: take jobs until idle for `keep_alive`, or
    /// until the pool shuts down.
    fn work(&self) {
        loop {
            match self.rx.recv_timeout(self.keep_alive) {
                Ok(job) => {
                    {
                        let mut state = self.lock();
                        state.idle -= 1;
                        state.queued = state.queued.saturating_sub(1);
                    }
                    // Counted when taken, so that a waiter that saw the
                    // result also sees the count.
                    self.jobs_run.fetch_add(1, Ordering::Relaxed);
                    // The job catches its closure's panic itself; this catch
                    // only keeps the thread (and the counts) alive if
                    // storing the result panics.
                    let waker = catch_unwind(AssertUnwindSafe(job)).ok().flatten();
                    self.lock().idle += 1;
                    if let Some(waker) = waker {
                        waker.wake(); // the remote path: queue + eventfd
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    let mut state = self.lock();
                    if state.queued > 0 && state.tx.is_some() {
                        continue; // a job arrived as we timed out: take it
                    }
                    state.idle -= 1;
                    state.alive -= 1;
                    return;
                }
                Err(RecvTimeoutError::Disconnected) => {
                    // Every sender is gone: the pool shut down.
                    let mut state = self.lock();
                    state.idle -= 1;
                    state.alive -= 1;
                    return;
                }
            }
        }
    }
}
