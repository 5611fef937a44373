//! The cross-thread half of a runtime: what a waker on another thread touches.
//!
//! A remote wake pushes a counted reference to the task's [`WakerCell`] onto a mutex-guarded `Vec`
//! and then, only if no wake-up is already in flight, writes the `eventfd`
//! behind [`mio::Waker`] (`write(2)` of 8 bytes), which makes the loop's
//! `epoll_wait(2)` return with the [`WAKER_TOKEN`](crate::driver::reactor::WAKER_TOKEN).
//!
//! The `notified` flag is what coalesces: it is set by the first remote wake
//! and cleared by the loop only when it *consumes* the eventfd event, right
//! before it drains the queue. Whoever finds it already set knows an event is
//! on its way and that the drain that follows it will see its push. A burst of
//! 1,000 remote wakes while the loop is busy therefore costs one `write(2)`.
//!
//! The flag and the queue use `SeqCst` and a mutex. The models at the end of
//! this file are checked with loom (`loom_shim.rs`): every interleaving of
//! remote wakes with the loop's drain, including the lost-wakeup window (a
//! wake that races the loop going to sleep in `epoll_wait`).

use std::sync::PoisonError;

use crate::loom_shim::{AtomicBool, AtomicU64, Mutex, Ordering};
use crate::task::TaskId;
use crate::waker::CellRef;

/// What ends the loop's `epoll_wait`: the eventfd behind `mio::Waker`, or,
/// under the loom model, a counter of writes.
#[cfg(not(loom))]
pub(crate) type Eventfd = mio::Waker;

/// The model's eventfd: each `wake` is one `write(2)`, i.e. one edge-
/// triggered event the loop has yet to consume.
#[cfg(loom)]
pub(crate) struct Eventfd {
    pub(crate) writes: crate::loom_shim::AtomicUsize,
}

/// The eventfd of a new runtime: the `mio::Waker` itself, except under the
/// loom model, which replaces it with a counter (the runtime does not run
/// there; only the models do).
#[cfg(not(loom))]
pub(crate) fn eventfd(waker: mio::Waker) -> Eventfd {
    waker
}

/// See the non-loom version.
#[cfg(loom)]
pub(crate) fn eventfd(_: mio::Waker) -> Eventfd {
    Eventfd {
        writes: crate::loom_shim::AtomicUsize::new(0),
    }
}

#[cfg(loom)]
impl Eventfd {
    fn wake(&self) -> std::io::Result<()> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// A clean-up for the loop, from an object dropped where the loop could not
/// be reached directly (another thread, or outside `block_on`): see
/// `handle.rs`. Each names something only its owner frees, so the key is
/// still its own when the loop applies it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Deferred {
    /// A registered timer's `Sleep` was dropped: remove its wheel entry.
    CancelTimer(usize),
    /// A socket was dropped (its fd already closed): forget its reactor slot.
    Deregister(usize),
    /// A `JoinHandle` was dropped: detach its task.
    Detach(TaskId),
    /// `JoinHandle::abort` was called.
    Abort(TaskId),
    /// A blocking-pool wait was dropped before its result arrived: lower the
    /// count that holds the paused clock still.
    BlockingDone,
}

/// Shared between the loop and every waker of its tasks (behind an `Arc`).
pub(crate) struct Shared {
    queue: Mutex<Remote>,
    notified: AtomicBool,
    pub(crate) waker: Eventfd,
    /// Remote wakes accepted (after per-task de-duplication).
    pub(crate) remote_wakes: AtomicU64,
    /// `eventfd` writes made: at most one per loop turn.
    pub(crate) eventfd_writes: AtomicU64,
}

struct Remote {
    cells: Vec<CellRef>,
    /// Clean-ups sent by objects dropped off the loop (`handle.rs`).
    deferred: Vec<Deferred>,
    /// Set when the runtime is dropped: later wakes are ignored, and the
    /// queue can no longer hold cells (which would keep `Shared` alive in a
    /// reference cycle).
    closed: bool,
}

impl Shared {
    pub(crate) fn new(waker: Eventfd) -> Shared {
        Shared {
            queue: Mutex::new(Remote {
                cells: Vec::new(),
                deferred: Vec::new(),
                closed: false,
            }),
            notified: AtomicBool::new(false),
            waker,
            remote_wakes: AtomicU64::new(0),
            eventfd_writes: AtomicU64::new(0),
        }
    }

    /// The remote path of `Waker::wake` (see the module doc).
    pub(crate) fn wake_remote(&self, cell: &CellRef) {
        if cell.queued.swap(true, Ordering::AcqRel) {
            return; // already in the queue: the loop will see it
        }
        {
            let mut remote = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            if remote.closed {
                return;
            }
            // The queue holds a counted reference of its own.
            remote.cells.push(cell.clone());
        }
        self.remote_wakes.fetch_add(1, Ordering::Relaxed);
        self.notify();
    }

    /// Makes the loop's `epoll_wait` return, unless a wake-up is in flight.
    pub(crate) fn notify(&self) {
        if !self.notified.swap(true, Ordering::SeqCst) {
            self.eventfd_writes.fetch_add(1, Ordering::Relaxed);
            // `notified` is now set, so no later wake writes until the loop
            // drains: this write must not be lost. EINTR (a signal handler
            // installed without SA_RESTART, on the waking thread) is
            // retried; mio passes it through. Any other error means the
            // eventfd is gone, which only happens while the runtime is being
            // torn down: nothing is left to wake.
            while let Err(e) = self.waker.wake() {
                if e.kind() != std::io::ErrorKind::Interrupted {
                    break;
                }
            }
        }
    }

    /// Called by the loop when `epoll_wait` reported the waker token: clears
    /// `notified` first, then takes everything queued (order matters: a wake
    /// after the clear writes the eventfd again, a wake before it is in this
    /// batch), then clears each cell's `queued` flag and hands the loop the
    /// tasks to schedule.
    ///
    /// The flag is cleared with a `swap` (a read-modify-write), not a store:
    /// a wake that found the flag still set and returned early (its task was
    /// already in this batch) is then ordered before the clear, so the poll
    /// that follows sees everything that waker wrote before waking.
    ///
    /// Deferred clean-ups queued since the last drain are appended to
    /// `deferred`.
    pub(crate) fn drain(&self, out: &mut Vec<TaskId>, deferred: &mut Vec<Deferred>) {
        self.notified.swap(false, Ordering::SeqCst);
        let cells = {
            let mut remote = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            deferred.append(&mut remote.deferred);
            std::mem::take(&mut remote.cells)
        };
        for cell in cells {
            cell.queued.swap(false, Ordering::AcqRel);
            out.push(cell.task);
        }
    }

    /// Takes everything queued without consuming the eventfd event: what
    /// schedule exploration does between two polls (`scheduler/explore.rs`,
    /// a wake delivered early). `notified` is left as it is, so it still
    /// means "an event is on its way": a wake after this take that finds it
    /// set writes nothing, and the turn that consumes that event clears it
    /// and drains the wake. A wake before this take is in it. Nothing is
    /// lost; the next drain may find the queue empty.
    pub(crate) fn take_queued(&self, out: &mut Vec<TaskId>, deferred: &mut Vec<Deferred>) {
        let cells = {
            let mut remote = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            deferred.append(&mut remote.deferred);
            std::mem::take(&mut remote.cells)
        };
        for cell in cells {
            cell.queued.swap(false, Ordering::AcqRel);
            out.push(cell.task);
        }
    }

    /// Queues a clean-up from an object dropped off the loop and makes the
    /// loop's `epoll_wait` return, so that it is applied before the loop
    /// next decides it can sleep (a cancelled timer must not hold a paused
    /// clock's next jump, a forgotten socket must not hide a deadlock).
    /// Dropped if the runtime is closing: what it names is gone with it.
    pub(crate) fn defer(&self, op: Deferred) {
        {
            let mut remote = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            if remote.closed {
                return;
            }
            remote.deferred.push(op);
        }
        self.notify();
    }

    /// Stops accepting remote wakes and clean-ups (the runtime is being
    /// dropped); returns the clean-ups still queued, for the loop to apply.
    pub(crate) fn close(&self) -> Vec<Deferred> {
        let (cells, deferred) = {
            let mut remote = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            remote.closed = true;
            (
                std::mem::take(&mut remote.cells),
                std::mem::take(&mut remote.deferred),
            )
        };
        drop(cells);
        deferred
    }
}

#[cfg(all(test, loom))]
mod loom_models {
    //! The loop is modelled as what it does with this module: it waits until
    //! the eventfd has an unconsumed write (`epoll_wait` returning with
    //! `WAKER_TOKEN`; edge-triggered, so one return consumes every write made
    //! so far), then calls `drain`, clears each cell's `queued` flag and
    //! "schedules" the task. The property: once the wakers are done, every
    //! woken task has been drained, or an unconsumed eventfd write is still
    //! there to end the loop's next `epoll_wait`. A wake is never lost.

    use super::*;
    use crate::loom_shim::{Arc, AtomicUsize};
    use loom::thread;

    fn shared() -> Arc<Shared> {
        Arc::new(Shared::new(Eventfd {
            writes: AtomicUsize::new(0),
        }))
    }

    fn cell(shared: &Arc<Shared>, key: usize) -> CellRef {
        CellRef::new_bare(
            shared.clone(),
            TaskId {
                key,
                id: key as u64,
            },
        )
    }

    /// A thread that wakes `waker`'s task from afar `times` times, then
    /// drops the reference.
    fn wake_from_a_thread(waker: CellRef, times: usize) -> thread::JoinHandle<()> {
        thread::spawn(move || {
            for _ in 0..times {
                waker.shared.clone().wake_remote(&waker);
            }
        })
    }

    /// Exploration's early look between two polls (`Shared::take_queued`):
    /// takes what is queued without consuming an event.
    fn take_early(shared: &Shared, seen: &mut Vec<usize>) {
        let mut early = Vec::new();
        shared.take_queued(&mut early, &mut Vec::new());
        seen.extend(early.iter().map(|t| t.key));
    }

    /// One loop turn, if an event is pending: consume it and drain (the
    /// loop's own code: `Shared::drain`).
    fn turn(shared: &Shared, consumed: &mut usize, seen: &mut Vec<usize>) -> bool {
        let writes = shared.waker.writes.load(Ordering::SeqCst);
        if writes == *consumed {
            return false; // epoll_wait would block here
        }
        *consumed = writes;
        let mut tasks = Vec::new();
        shared.drain(&mut tasks, &mut Vec::new());
        seen.extend(tasks.iter().map(|t| t.key));
        true
    }

    #[test]
    fn loom_two_remote_wakers_racing_the_loop_lose_nothing() {
        loom::model(|| {
            let shared = shared();
            let (a, b) = (cell(&shared, 1), cell(&shared, 2));
            let ta = wake_from_a_thread(a, 1);
            let tb = wake_from_a_thread(b, 1);
            let (mut consumed, mut seen) = (0, Vec::new());
            // The loop runs while the wakers do...
            turn(&shared, &mut consumed, &mut seen);
            ta.join().unwrap();
            tb.join().unwrap();
            // ...and afterwards can only go on through pending events.
            while turn(&shared, &mut consumed, &mut seen) {}
            seen.sort();
            assert_eq!(seen, [1, 2], "a remote wake was lost");
            // Coalescing: never more eventfd writes than wakes.
            assert!(shared.waker.writes.load(Ordering::SeqCst) <= 2);
        });
    }

    #[test]
    fn loom_a_wake_after_the_drain_is_not_lost() {
        // The same task woken twice, the loop draining in between: the
        // second wake must be seen too (the `queued` flag is cleared before
        // the task is scheduled).
        loom::model(|| {
            let shared = shared();
            let a = cell(&shared, 1);
            let t = wake_from_a_thread(a.clone(), 2);
            let (mut consumed, mut seen) = (0, Vec::new());
            turn(&shared, &mut consumed, &mut seen);
            t.join().unwrap();
            while turn(&shared, &mut consumed, &mut seen) {}
            assert!(!seen.is_empty(), "the wake was lost");
            // After the last drain nothing is left queued.
            assert!(!a.queued.load(Ordering::SeqCst));
        });
    }

    #[test]
    fn loom_a_wake_racing_an_early_take_is_not_lost() {
        // Schedule exploration's early look (`take_queued`, between two
        // polls) while one thread wakes a task twice: it consumes no event
        // and leaves `notified` alone, so whatever it did not take a later
        // turn finds, and nothing is left queued.
        loom::model(|| {
            let shared = shared();
            let a = cell(&shared, 1);
            let t = wake_from_a_thread(a.clone(), 2);
            let (mut consumed, mut seen) = (0, Vec::new());
            take_early(&shared, &mut seen);
            turn(&shared, &mut consumed, &mut seen);
            t.join().unwrap();
            while turn(&shared, &mut consumed, &mut seen) {}
            assert!(!seen.is_empty(), "the wake was lost");
            assert!(!a.queued.load(Ordering::SeqCst), "a wake was left queued");
            // Coalescing: never more eventfd writes than wakes.
            assert!(shared.waker.writes.load(Ordering::SeqCst) <= 2);
        });
    }

    #[test]
    fn loom_two_wakers_racing_an_early_take_and_a_turn_lose_nothing() {
        // Two threads wake one task each and a third time task 1, while the
        // loop takes early, turns, and turns again: every wake is seen and
        // none is left queued. (The drain clears `notified` with a swap:
        // with a plain store, loom finds an execution here that leaves task
        // 1 queued with no eventfd write pending, early take or not.) The
        // preemption bound keeps the model's run to seconds.
        let mut model = loom::model::Builder::new();
        model.preemption_bound = Some(3);
        model.check(|| {
            let shared = shared();
            let (a, b) = (cell(&shared, 1), cell(&shared, 2));
            let ta = wake_from_a_thread(a.clone(), 2);
            let tb = wake_from_a_thread(b, 1);
            let (mut consumed, mut seen) = (0, Vec::new());
            take_early(&shared, &mut seen);
            turn(&shared, &mut consumed, &mut seen);
            ta.join().unwrap();
            tb.join().unwrap();
            while turn(&shared, &mut consumed, &mut seen) {}
            assert!(
                seen.contains(&1) && seen.contains(&2),
                "a wake was lost: {seen:?}"
            );
            assert!(!a.queued.load(Ordering::SeqCst), "a wake was left queued");
            assert!(shared.waker.writes.load(Ordering::SeqCst) <= 3);
        });
    }

    #[test]
    fn loom_waker_refcounts_balance_across_threads() {
        // Clone, send, wake and drop wakers on two threads: the cell's count
        // returns to the one reference we hold, and the queue's references
        // are released by the drain.
        loom::model(|| {
            let shared = shared();
            let a = cell(&shared, 1);
            let w1 = a.clone().into_waker();
            let w2 = w1.clone();
            let t = thread::spawn(move || w2.wake());
            w1.wake_by_ref();
            drop(w1);
            t.join().unwrap();
            let (mut consumed, mut seen) = (0, Vec::new());
            while turn(&shared, &mut consumed, &mut seen) {}
            assert_eq!(a.ref_count(), 1);
        });
    }

    #[test]
    fn loom_the_last_waker_frees_the_cell_on_either_thread() {
        // Two wakers, dropped on two threads in either order: exactly one of
        // them runs `release` (a double free would crash, none would leak the
        // cell's `Arc<Shared>`, which loom reports at the end of the model).
        loom::model(|| {
            let shared = shared();
            let w1 = cell(&shared, 1).into_waker();
            let w2 = w1.clone();
            let t = thread::spawn(move || {
                w2.wake_by_ref();
                drop(w2);
            });
            drop(w1);
            t.join().unwrap();
            let (mut consumed, mut seen) = (0, Vec::new());
            while turn(&shared, &mut consumed, &mut seen) {}
            assert_eq!(seen, [1]);
        });
    }
}
