//! What the scheduler shows of itself when asked: its counters (the
//! scheduler's part of [`Stats`], `Runtime::stats`) and one line per live
//! task (`Runtime::dump`, `inspect::dump`).

use std::cell::Cell;
use std::time::Duration;

use super::Scheduler;
use crate::inspect::dump::TaskDump;
use crate::stats::Stats;

/// Counters of what the scheduler did (part of [`Stats`]).
#[derive(Default)]
pub(super) struct Counters {
    pub(super) tasks_spawned: Cell<u64>,
    pub(super) tasks_completed: Cell<u64>,
    pub(super) tasks_panicked: Cell<u64>,
    pub(super) tasks_cancelled: Cell<u64>,
    pub(super) polls: Cell<u64>,
    pub(super) local_wakes: Cell<u64>,
    pub(super) longest_poll: Cell<Duration>,
}

/// Adds one to a counter.
pub(super) fn bump(counter: &Cell<u64>) {
    counter.set(counter.get() + 1);
}

impl Scheduler {
    /// One line per live task (`Runtime::dump`, `inspect::dump`).
    pub(crate) fn dump(&self) -> TaskDump {
        match self.tasks.try_borrow() {
            Ok(tasks) => TaskDump::of(&tasks, self.driver.clock().now_tick()),
            // Called from inside the scheduler's own bookkeeping (e.g. from
            // a debugger stopped there): nothing consistent to show.
            Err(_) => TaskDump::default(),
        }
    }

    /// A snapshot of the counters.
    pub(crate) fn stats(&self) -> Stats {
        let c = &self.counters;
        let mut stats = Stats {
            tasks_spawned: c.tasks_spawned.get(),
            tasks_completed: c.tasks_completed.get(),
            tasks_panicked: c.tasks_panicked.get(),
            tasks_cancelled: c.tasks_cancelled.get(),
            tasks_live: self.tasks.borrow().len() as u64,
            polls: c.polls.get(),
            local_wakes: c.local_wakes.get(),
            longest_poll: c.longest_poll.get(),
            ..Stats::default()
        };
        self.driver.fill_stats(&mut stats);
        stats
    }
}
