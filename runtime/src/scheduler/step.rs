//! Driving the loop by hand, for tests: one task at a time
//! (`Runtime::tick`), and the clock moved by the test (`time::advance`).

use std::time::Duration;

use super::Scheduler;

impl Scheduler {
    /// One step, for tests that drive the loop by hand (`Runtime::tick`):
    /// wakes held back are delivered; with no task ready, the driver is
    /// looked at without waiting (ready I/O, remote wakes, due timers: the
    /// clock does not move); then one ready task is polled. Whether one was.
    pub(crate) fn tick(&self) -> bool {
        for task in self.explorer.take_late() {
            self.schedule(task);
        }
        if self.queue.is_empty() {
            self.driver.poll_events(self, self.tracer());
            self.after_turn();
        }
        loop {
            let Some(queued) = self.queue.pop() else {
                return false;
            };
            // A `block_on` future's entry is stale outside its `block_on`.
            if self.main.resolve(queued).is_none() {
                self.run_queued(queued);
                self.trace_pause();
                return true;
            }
        }
    }

    /// Whether a task other than the one being polled is ready (or held
    /// back by exploration): `time::advance` waits until none is.
    pub(crate) fn others_ready(&self) -> bool {
        !self.queue.is_empty() || self.explorer.has_late()
    }

    /// `time::advance`: moves the paused clock by `by` and fires the timers
    /// that are due by then (their tasks are queued, not yet run).
    ///
    /// # Panics
    /// If the clock is not paused.
    #[track_caller]
    pub(crate) fn advance_clock(&self, by: Duration) {
        let clock = self.driver.clock();
        assert!(
            clock.is_paused(),
            "runtime::time::advance needs a runtime built with Builder::paused_clock(true)"
        );
        clock.advance(by);
        self.driver.fire_due_timers(self, self.tracer());
    }
}
