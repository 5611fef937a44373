//! Schedule exploration: with `Builder::seed`, the loop varies what a real
//! program cannot control, so that a test run under many seeds meets the
//! interleavings FIFO order hides (loom and shuttle do this for threads;
//! here it is one thread and a seeded generator, so a failing seed is a
//! reproduction: same seed, same program, same schedule).
//!
//! What a seed decides:
//!
//! - **which ready task runs next**: the run queue pops a random entry
//!   instead of the front (`run_queue.rs`); this also permutes tasks woken
//!   in one turn and timers due at one tick, since they reach the queue
//!   together;
//! - **when the loop looks at I/O, timers and remote wakes**: after a random
//!   number of polls (1 to `event_interval`) instead of always
//!   `event_interval`, so events arrive "early" or "late" relative to the
//!   tasks' steps;
//! - **remote wakes delivered late**: a wake from another thread is held
//!   back, one time in four, until after the next batch of polls.
//!
//! Without a seed every answer is the FIFO one, at the cost of one branch.

use std::cell::{Cell, RefCell};

use crate::task::TaskId;

/// The seeded choices of one scheduler (see the module doc).
pub(super) struct Explorer {
    /// The generator, or `None` without a seed (FIFO, no exploration).
    rng: Option<Cell<u64>>,
    /// Remote wakes held back until the next batch of polls.
    late: RefCell<Vec<TaskId>>,
}

impl Explorer {
    pub(super) fn new(seed: Option<u64>) -> Explorer {
        Explorer {
            // Another stream than the run queue's (its seed is `seed`).
            rng: seed.map(|s| Cell::new((s ^ 0xA076_1D64_78BD_642F).max(1))),
            late: RefCell::new(Vec::new()),
        }
    }

    fn next(rng: &Cell<u64>) -> u64 {
        // xorshift64*, as the run queue's.
        let mut x = rng.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        rng.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// How many tasks to poll before the loop's next look at the driver.
    #[inline]
    pub(super) fn polls_before_turn(&self, event_interval: u32) -> u32 {
        match &self.rng {
            None => event_interval,
            Some(rng) => 1 + (Self::next(rng) % u64::from(event_interval)) as u32,
        }
    }

    /// Whether to hold this remote wake back until the next batch of polls
    /// (then it is kept here).
    pub(super) fn hold_back(&self, task: TaskId) -> bool {
        let Some(rng) = &self.rng else {
            return false;
        };
        if Self::next(rng) % 4 != 0 {
            return false;
        }
        self.late.borrow_mut().push(task);
        true
    }

    /// Whether wakes are being held back (the loop is not idle then).
    pub(super) fn has_late(&self) -> bool {
        !self.late.borrow().is_empty()
    }

    /// The wakes held back so far, to schedule now.
    pub(super) fn take_late(&self) -> Vec<TaskId> {
        std::mem::take(&mut *self.late.borrow_mut())
    }
}
