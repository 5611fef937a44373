//! [`Readiness`]: one direction of one registered fd as the reactor
//! (`reactor.rs`) keeps it: whether it is known to be ready, and who waits
//! for it; and [`Wake`], what an event wakes.
//!
//! Laid out for the common case, one task waiting in `read().await` or
//! `write_all().await` on its own socket: that waiter is kept inline
//! (`solo`), so the event that takes it and the wait that puts it back
//! touch the reactor's slot and nothing else (no slab insert, no second
//! heap line per wait: benches/RESULTS.md, "TCP echo against raw mio").
//! The rest (the `poll_*` methods' wakers, a second waiter on the same
//! direction) goes to an overflow allocated the first time it is needed.

use std::task::Waker;

use slab::Slab;

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
pub(crate) enum Wake {
    /// A task of this runtime.
    Task(TaskId),
    /// Any other waker.
    Waker(Waker),
}

impl Wake {
    /// What to keep for `waker`, whose task is `local` if it is one of this
    /// runtime's (`waker::local_task`).
    pub(super) fn new(waker: &Waker, local: Option<TaskId>) -> Wake {
        match local {
            Some(task) => Wake::Task(task),
            None => Wake::Waker(waker.clone()),
        }
    }

    /// Whether waking `self` wakes the same task as `waker` (see [`Wake::new`]).
    pub(super) fn will_wake(&self, waker: &Waker, local: Option<TaskId>) -> bool {
        match (self, local) {
            (Wake::Task(task), Some(local)) => *task == local,
            (Wake::Waker(stored), None) => stored.will_wake(waker),
            _ => false,
        }
    }
}

/// A waiter's key for the inline entry (`solo`); any other key is one in
/// the overflow's slab.
const SOLO: usize = usize::MAX;

/// One direction of one registered fd: is it known to be ready, and who
/// waits for it.
pub(super) struct Readiness {
    pub(super) ready: bool,
    /// An event reported this direction closed or in error (`EPOLLRDHUP`,
    /// `EPOLLHUP`, `EPOLLERR`): final, so a drained read never clears
    /// `ready` again (no further edge would come to set it back).
    pub(super) closed: bool,
    /// Counts the events that took the waiters: a `Waiter` whose entry an
    /// event took sees a newer generation and adds a fresh entry.
    generation: u64,
    /// The first waiter of an async method (key [`SOLO`]), owned by its
    /// `Waiter`, which removes it when dropped; the next event takes it.
    solo: Option<Wake>,
    /// Everything else, rare: allocated on first use.
    more: Option<Box<More>>,
}

/// The waiters beyond the inline one.
#[derive(Default)]
struct More {
    /// Wakers stored by the `poll_*` methods, one per task (a task polling
    /// again replaces nothing: `will_wake` finds its waker). All are woken,
    /// and the list emptied, by the next event.
    polled: Vec<Wake>,
    /// Further waiters of the async methods, each entry owned by a `Waiter`
    /// that removes it when dropped. The next event wakes and removes them
    /// all.
    waiters: Slab<Wake>,
}

impl Readiness {
    /// A new registration: ready (the first try costs nothing extra), no
    /// waiter.
    pub(super) fn fresh() -> Readiness {
        Readiness {
            ready: true,
            closed: false,
            generation: 0,
            solo: None,
            more: None,
        }
    }

    /// An event for this direction: ready, and every waiter to be woken.
    #[inline(always)]
    pub(super) fn fire(&mut self, wake: &mut Vec<Wake>) {
        self.ready = true;
        let mut took = false;
        if let Some(waiter) = self.solo.take() {
            wake.push(waiter);
            took = true;
        }
        if let Some(more) = &mut self.more {
            took |= Readiness::fire_more(more, wake);
        }
        if took {
            self.generation += 1;
        }
    }

    /// [`fire`](Readiness::fire)'s overflow (out of line: the hot path of
    /// an event has none). Whether it took any waiter.
    #[inline(never)]
    fn fire_more(more: &mut More, wake: &mut Vec<Wake>) -> bool {
        wake.append(&mut more.polled);
        let took = !more.waiters.is_empty();
        wake.extend(more.waiters.drain());
        took
    }

    fn more(&mut self) -> &mut More {
        self.more.get_or_insert_with(Box::default)
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
    pub(super) fn add_polled(&mut self, waker: &Waker, local: Option<TaskId>) {
        let polled = &mut self.more().polled;
        if !polled.iter().any(|w| w.will_wake(waker, local)) {
            polled.push(Wake::new(waker, local));
        }
    }

    /// Stores `waker` in a waiter's entry: the one `entry` names if it is
    /// still there (its generation is current), else a new one (inline if
    /// free), whose key and generation are written back to `entry`. Gives
    /// back a replaced waker, for the caller to drop outside its borrow.
    #[inline]
    pub(super) fn set_waiter(
        &mut self,
        entry: &mut Option<(usize, u64)>,
        waker: &Waker,
        local: Option<TaskId>,
    ) -> Option<Wake> {
        if let Some((at, generation)) = *entry
            && generation == self.generation
        {
            let stored = if at == SOLO {
                self.solo.as_mut()
            } else {
                self.more.as_mut().and_then(|more| more.waiters.get_mut(at))
            };
            if let Some(stored) = stored {
                if stored.will_wake(waker, local) {
                    return None;
                }
                return Some(std::mem::replace(stored, Wake::new(waker, local)));
            }
        }
        let fresh = Wake::new(waker, local);
        let at = if self.solo.is_none() {
            self.solo = Some(fresh);
            SOLO
        } else {
            self.more().waiters.insert(fresh)
        };
        *entry = Some((at, self.generation));
        None
    }

    /// Takes a waiter's entry out, unless an event already did (the
    /// entry's generation is past); gives back its waker, for the caller to
    /// drop outside its borrow.
    pub(super) fn remove_waiter(&mut self, (at, generation): (usize, u64)) -> Option<Wake> {
        if generation != self.generation {
            None
        } else if at == SOLO {
            self.solo.take()
        } else {
            self.more.as_mut()?.waiters.try_remove(at)
        }
    }
}
