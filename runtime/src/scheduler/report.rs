//! What the scheduler tells the user about its tasks when something is off:
//! a poll that held the loop too long, a deadlock under the paused clock,
//! tasks still pending when the runtime is dropped.

use std::fmt::Write as _;
use std::time::Duration;

use super::Scheduler;
use crate::inspect::dump::DumpState;
use crate::task::TaskId;

impl Scheduler {
    /// Records how long a poll held the loop and warns if it was too long.
    #[cold]
    pub(super) fn poll_took(&self, took: Duration, task: Option<TaskId>) {
        let longest = &self.counters.longest_poll;
        if took > longest.get() {
            longest.set(took);
        }
        let Some(threshold) = self.config.slow_poll_threshold else {
            return;
        };
        if took <= threshold {
            return;
        }
        let who = match task {
            Some(task) => match self.tasks.borrow().get(task.key) {
                Some(slot) => format!("task {} spawned at {}", task.id, slot.info.spawned_at()),
                None => format!("task {}", task.id),
            },
            None => "the future given to block_on".to_string(),
        };
        eprintln!(
            "runtime: slow poll: {who} held the loop for {took:.1?} (threshold {threshold:?}); \
             move blocking work to spawn_blocking"
        );
    }

    /// Nothing can ever run again (the driver found no timer, no fd and no
    /// blocking job under the paused clock): who is stuck, and on what, for
    /// the panic that `Runtime::block_on` raises at the caller's line.
    #[cold]
    pub(crate) fn deadlock_report(&self) -> String {
        let now = self.driver.clock().now_tick();
        let (wait, at) = self.main_wait.get();
        let mut msg = format!(
            "deadlock: every task is waiting and nothing can wake one up \
             (paused clock: no timer to jump to, no I/O source, no blocking job)\n  \
             pending: the future given to block_on (waiting on {}{})",
            wait.reason(now),
            at.map(|at| format!(" at {at}")).unwrap_or_default()
        );
        for task in self.dump().tasks {
            if task.state != DumpState::Finished {
                let _ = write!(
                    msg,
                    "\n  pending: task {} spawned at {} (polled {} time{}, waiting on {}{})",
                    task.id,
                    task.spawned_at,
                    task.polls,
                    if task.polls == 1 { "" } else { "s" },
                    task.waiting_on,
                    task.awaiting_at
                        .map(|at| format!(" at {at}"))
                        .unwrap_or_default()
                );
            }
        }
        msg
    }

    /// asyncio's "Task was destroyed but it is pending!", one line per task
    /// (`Builder::report_pending_on_drop`).
    pub(super) fn report_pending(&self) {
        for task in self.dump().tasks {
            if task.state != DumpState::Finished {
                eprintln!(
                    "runtime: task {} was destroyed but it is pending! (spawned at {}, polled {} times, waiting on {})",
                    task.id, task.spawned_at, task.polls, task.waiting_on
                );
            }
        }
    }
}
