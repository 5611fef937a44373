//! [`Readiness`]: one direction of one registered fd as the reactor
//! (`reactor.rs`) keeps it: whether it is known to be ready, and who waits
//! for it; and [`Wake`], what an event wakes.
//!
//! Laid out for the common case, one task waiting in `read().await` or
//! `write_all().await` on its own socket: that waiter is kept inline
//! (`solo`), and both directions of an fd fit in one 64-byte cache line
//! (`IoSlot` in `reactor.rs`), so the event that takes the waiter and the
//! polls that follow touch one line of the reactor and nothing else (no
//! slab insert, no heap line per wait: benches/RESULTS.md, "TCP echo
//! against raw mio"). The rest (the `poll_*` methods' wakers, a second
//! waiter on one direction) goes to the reactor's [`Overflow`], which a
//! direction flags when it holds something there.

use std::cell::RefCell;
use std::collections::HashMap;
use std::os::fd::RawFd;
use std::task::Waker;

use slab::Slab;

use super::reactor::Direction;
use crate::task::TaskId;

/// Who an event wakes: a task of this runtime, by id, or any other waker.
///
/// The loop's own tasks are the common case (every `read().await` of a
/// spawned task); for them the reactor keeps the [`TaskId`] the task's
/// waker names (`waker::local_task`) instead of a clone of the waker, and
/// an event schedules the task directly (`Scheduler::wake_io`): no
/// reference count taken when the task waits, none given back when it is
/// woken, no trip through the waker's vtable and thread-local hook. It is
/// the same wake the waker would make: the local path of `Waker::wake`
/// schedules exactly that id, and an id whose task is gone is ignored.
/// Any other waker (another runtime's, a combinator's, a test's) is kept
/// and woken as before.
///
/// 16 bytes, so that a slot's two directions fit in one cache line: the
/// task's key is kept in 32 bits (`TaskId::narrow_key`, as the run queue
/// keeps it), and the rare other waker is boxed. A key that did not fit
/// would be kept as its waker, which wakes the same task.
pub(crate) enum Wake {
    /// A task of this runtime: its [`TaskId`]'s key, narrowed, and id.
    Task { key: u32, id: u64 },
    /// Any other waker.
    Waker(Box<Waker>),
}

impl Wake {
    /// What to keep for `waker`, whose task is `local` if it is one of this
    /// runtime's (`waker::local_task`).
    pub(super) fn new(waker: &Waker, local: Option<TaskId>) -> Wake {
        match local.and_then(Wake::task_of) {
            Some(wake) => wake,
            None => Wake::Waker(Box::new(waker.clone())),
        }
    }

    /// What to keep for a task of this runtime, if its key fits.
    #[inline]
    fn task_of(task: TaskId) -> Option<Wake> {
        let key = TaskId::narrow_key(task.key)?;
        Some(Wake::Task { key, id: task.id })
    }

    /// The task to schedule, if `self` names one of this runtime's.
    #[inline]
    pub(crate) fn task(&self) -> Option<TaskId> {
        match *self {
            Wake::Task { key, id } => Some(TaskId {
                key: TaskId::widen_key(key),
                id,
            }),
            Wake::Waker(_) => None,
        }
    }

    /// Wakes whoever `self` names that is not a task of this runtime.
    pub(crate) fn wake_waker(self) {
        if let Wake::Waker(waker) = self {
            waker.wake();
        }
    }

    /// Whether waking `self` wakes the same task as `waker` (see [`Wake::new`]).
    pub(super) fn will_wake(&self, waker: &Waker, local: Option<TaskId>) -> bool {
        match (self, local) {
            (Wake::Task { .. }, Some(local)) => self.task() == Some(local),
            (Wake::Waker(stored), _) => stored.will_wake(waker),
            (Wake::Task { .. }, None) => false,
        }
    }
}

/// A waiter's key for the inline entry (`solo`); any other key is one in
/// the overflow's slab.
const SOLO: usize = usize::MAX;

/// One direction of one registered fd: is it known to be ready, and who
/// waits for it. 32 bytes (see the module doc).
pub(super) struct Readiness {
    /// The first waiter of an async method (key [`SOLO`]), owned by its
    /// `Waiter`, which removes it when dropped; the next event takes it.
    solo: Option<Wake>,
    /// Counts the events that took the waiters: a `Waiter` whose entry an
    /// event took sees a newer generation and adds a fresh entry.
    generation: u64,
    /// The fd, for gdb (`p *slot` tells which fd a slot is).
    #[allow(dead_code, reason = "read in gdb")]
    fd: RawFd,
    pub(super) ready: bool,
    /// An event reported this direction closed or in error (`EPOLLRDHUP`,
    /// `EPOLLHUP`, `EPOLLERR`): final, so a drained read never clears
    /// `ready` again (no further edge would come to set it back).
    pub(super) closed: bool,
    /// The reactor's [`Overflow`] holds wakers for this direction.
    more: bool,
}

/// The wakers of one direction beyond its inline one.
#[derive(Default)]
pub(super) struct More {
    /// Wakers stored by the `poll_*` methods, one per task (a task polling
    /// again replaces nothing: `will_wake` finds its waker). All are woken,
    /// and the list emptied, by the next event.
    polled: Vec<Wake>,
    /// Further waiters of the async methods, each entry owned by a `Waiter`
    /// that removes it when dropped. The next event wakes and removes them
    /// all.
    waiters: Slab<Wake>,
}

/// The reactor's wakers beyond each direction's inline one, by slot key and
/// direction (rare: empty in the common case).
#[derive(Default)]
pub(super) struct Overflow(HashMap<(usize, Direction), More>);

impl Overflow {
    /// Takes a direction's wakers into `wake`; whether any was a waiter.
    #[inline(never)]
    fn fire(&mut self, at: (usize, Direction), wake: &mut Vec<Wake>) -> bool {
        let Some(mut more) = self.0.remove(&at) else {
            return false;
        };
        wake.append(&mut more.polled);
        let took = !more.waiters.is_empty();
        wake.extend(more.waiters.drain());
        took
    }

    /// Slot `key` is freed: its wakers, for the caller to drop outside its
    /// borrow.
    pub(super) fn forget(&mut self, key: usize) -> [Option<More>; 2] {
        [
            self.0.remove(&(key, Direction::Read)),
            self.0.remove(&(key, Direction::Write)),
        ]
    }
}

impl Readiness {
    /// A new registration of `fd`: ready (the first try costs nothing
    /// extra), no waiter.
    pub(super) fn fresh(fd: RawFd) -> Readiness {
        Readiness {
            solo: None,
            generation: 0,
            fd,
            ready: true,
            closed: false,
            more: false,
        }
    }

    /// An event for this direction (`at`: its slot key and direction): ready,
    /// and every waiter to be woken.
    #[inline(always)]
    pub(super) fn fire(
        &mut self,
        wake: &mut Vec<Wake>,
        overflow: &mut Overflow,
        at: (usize, Direction),
    ) {
        self.ready = true;
        let mut took = false;
        if let Some(waiter) = self.solo.take() {
            wake.push(waiter);
            took = true;
        }
        if self.more {
            self.more = false;
            took |= overflow.fire(at, wake);
        }
        if took {
            self.generation += 1;
        }
    }

    /// Whether ready; when ready, also forgets a waiter's `entry` if an
    /// event already took it (its generation is past), so that dropping
    /// the waiter has nothing to look up.
    #[inline]
    pub(super) fn is_ready_for(&self, entry: &mut Option<(usize, u64)>) -> bool {
        if self.ready
            && let Some((_, generation)) = *entry
            && generation != self.generation
        {
            *entry = None;
        }
        self.ready
    }

    /// Keeps `waker` until the next event (the `poll_*` methods): one per
    /// task.
    pub(super) fn add_polled(
        &mut self,
        waker: &Waker,
        local: Option<TaskId>,
        overflow: &mut Overflow,
        at: (usize, Direction),
    ) {
        self.more = true;
        let polled = &mut overflow.0.entry(at).or_default().polled;
        if !polled.iter().any(|w| w.will_wake(waker, local)) {
            polled.push(Wake::new(waker, local));
        }
    }

    /// Stores `waker` in a waiter's entry: the one `entry` names if it is
    /// still there (its generation is current), else a new one (inline if
    /// free), whose key and generation are written back to `entry`. Gives
    /// back a replaced waker, for the caller to drop outside its borrows.
    ///
    /// The common case is inlined: a fresh waiter (a new `read` future) of
    /// one of this runtime's tasks, on a direction nobody else waits on,
    /// takes the inline place, three stores (issue 18: the call and its
    /// arguments cost more than the work). Anything else is out of line, in
    /// [`set_waiter_slow`](Self::set_waiter_slow), so that the polls that
    /// find the fd ready stay lean.
    #[inline]
    pub(super) fn set_waiter(
        &mut self,
        entry: &mut Option<(usize, u64)>,
        waker: &Waker,
        local: Option<TaskId>,
        overflow: &RefCell<Overflow>,
        at: (usize, Direction),
    ) -> Option<Wake> {
        if entry.is_none()
            && self.solo.is_none()
            && let Some(wake) = local.and_then(Wake::task_of)
        {
            self.solo = Some(wake);
            *entry = Some((SOLO, self.generation));
            return None;
        }
        self.set_waiter_slow(entry, waker, local, overflow, at)
    }

    /// [`set_waiter`](Self::set_waiter), every case.
    #[inline(never)]
    fn set_waiter_slow(
        &mut self,
        entry: &mut Option<(usize, u64)>,
        waker: &Waker,
        local: Option<TaskId>,
        overflow: &RefCell<Overflow>,
        at: (usize, Direction),
    ) -> Option<Wake> {
        if let Some((key, generation)) = *entry
            && generation == self.generation
        {
            if key == SOLO {
                if let Some(stored) = &mut self.solo {
                    return replace(stored, waker, local);
                }
            } else if self.more {
                let mut overflow = overflow.borrow_mut();
                let stored = overflow.0.get_mut(&at).and_then(|m| m.waiters.get_mut(key));
                if let Some(stored) = stored {
                    return replace(stored, waker, local);
                }
            }
        }
        let fresh = Wake::new(waker, local);
        let key = if self.solo.is_none() {
            self.solo = Some(fresh);
            SOLO
        } else {
            self.more = true;
            let mut overflow = overflow.borrow_mut();
            overflow.0.entry(at).or_default().waiters.insert(fresh)
        };
        *entry = Some((key, self.generation));
        None
    }

    /// Takes a waiter's entry out, unless an event already did (the
    /// entry's generation is past); gives back its waker, for the caller to
    /// drop outside its borrows.
    pub(super) fn remove_waiter(
        &mut self,
        (key, generation): (usize, u64),
        overflow: &RefCell<Overflow>,
        at: (usize, Direction),
    ) -> Option<Wake> {
        if generation != self.generation {
            None
        } else if key == SOLO {
            self.solo.take()
        } else if self.more {
            let mut overflow = overflow.borrow_mut();
            overflow.0.get_mut(&at)?.waiters.try_remove(key)
        } else {
            None
        }
    }
}

/// Keeps the waker already `stored` if it wakes the same task, else puts
/// the new one in its place and gives back the old.
fn replace(stored: &mut Wake, waker: &Waker, local: Option<TaskId>) -> Option<Wake> {
    if stored.will_wake(waker, local) {
        None
    } else {
        Some(std::mem::replace(stored, Wake::new(waker, local)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn both_directions_fit_one_cache_line() {
        // A wake is 16 bytes, a direction 32: a slot's read and write
        // halves share one 64-byte line (see the module doc).
        assert_eq!(std::mem::size_of::<Wake>(), 16);
        assert_eq!(std::mem::size_of::<Option<Wake>>(), 16);
        assert_eq!(std::mem::size_of::<Readiness>(), 32);
    }
}
