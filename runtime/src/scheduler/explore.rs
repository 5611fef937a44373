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
//! - **when the loop looks at I/O, timers and remote wakes** (a turn):
//!   after a random number of polls (1 to `event_interval`) instead of
//!   always `event_interval`, so events arrive "early" or "late" relative
//!   to the tasks' steps;
//! - **remote wakes delivered early**: one time in four, between two
//!   polls, the loop takes the wakes other threads have queued so far
//!   without a turn (`Driver::take_remote_early`; no `epoll_wait`, the
//!   eventfd event is left for the next turn, which then finds the queue
//!   empty). A wake is then delivered right after the poll during which it
//!   was made: the earliest a one-thread loop can see it (a wake cannot be
//!   delivered before it is made, nor in the middle of a poll), ahead of
//!   the I/O and timer events of the next turn;
//! - **remote wakes delivered late**: a wake from another thread is held
//!   back, one time in four, until after the next batch of polls.
//!
//! The early look reaches no order that a turn placed after the same poll
//! could not (the run queue then picks at random among what the turn
//! delivered), but a turn lands after one given poll about once in
//! `event_interval / 2`. A remote wake overtaking a local task's next step
//! (`tests/embedding.rs`,
//! `a_remote_wake_races_a_local_task_and_exploration_reaches_both_orders`)
//! came up in 10 of 2,000 seeds with turns alone (about one run in a
//! default budget of 200), and comes up in 193 of 2,000 with the early
//! look.
//!
//! What a seed does not decide is *when another thread wakes a task*: that
//! is the OS's timing. A seed reproduces a schedule that involves other
//! threads only if the test orders their wakes against the loop (a thread
//! joined, a channel waited on), as `tests/embedding.rs` does.
//!
//! Without a seed every answer is the FIFO one, at the cost of one branch.

use std::cell::{Cell, RefCell};

use crate::task::TaskId;
use crate::xorshift::XorShift;

/// The seeded choices of one scheduler (see the module doc).
pub(super) struct Explorer {
    /// The generator, or `None` without a seed (FIFO, no exploration).
    rng: Option<Cell<XorShift>>,
    /// Remote wakes held back until the next batch of polls.
    late: RefCell<Vec<TaskId>>,
}

impl Explorer {
    pub(super) fn new(seed: Option<u64>) -> Explorer {
        Explorer {
            // Another stream than the run queue's (its seed is `seed`).
            rng: seed.map(|s| Cell::new(XorShift::new((s ^ 0xA076_1D64_78BD_642F).max(1)))),
            late: RefCell::new(Vec::new()),
        }
    }

    fn next(rng: &Cell<XorShift>) -> u64 {
        let mut generator = rng.get();
        let next = generator.next();
        rng.set(generator);
        next
    }

    /// How many tasks to poll before the loop's next look at the driver.
    #[inline]
    pub(super) fn polls_before_turn(&self, event_interval: u32) -> u32 {
        match &self.rng {
            None => event_interval,
            Some(rng) => 1 + (Self::next(rng) % u64::from(event_interval)) as u32,
        }
    }

    /// Whether to look at the remote queue now, between two polls (a wake
    /// from another thread delivered early): one time in four.
    #[inline]
    pub(super) fn deliver_early(&self) -> bool {
        match &self.rng {
            None => false,
            Some(rng) => Self::next(rng) % 4 == 0,
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

#[cfg(test)]
mod tests {
    use super::*;

    const INTERVAL: u32 = 61;

    fn task(n: u64) -> TaskId {
        TaskId {
            key: n as usize,
            id: n,
        }
    }

    /// Draws 200 decisions of each kind, interleaved as the loop makes
    /// them: (polls before the turn, delivered early, held back).
    fn decisions(seed: Option<u64>) -> Vec<(u32, bool, bool)> {
        let explorer = Explorer::new(seed);
        (0..200)
            .map(|n| {
                (
                    explorer.polls_before_turn(INTERVAL),
                    explorer.deliver_early(),
                    explorer.hold_back(task(n)),
                )
            })
            .collect()
    }

    #[test]
    fn without_a_seed_every_answer_is_fifo() {
        let explorer = Explorer::new(None);
        for n in 0..100 {
            assert_eq!(explorer.polls_before_turn(INTERVAL), INTERVAL);
            assert!(!explorer.deliver_early());
            assert!(!explorer.hold_back(task(n)));
        }
        assert!(!explorer.has_late());
        assert!(explorer.take_late().is_empty());
    }

    #[test]
    fn the_same_seed_makes_the_same_decisions() {
        for seed in [0, 1, 42, 0xdead_beef, u64::MAX] {
            assert_eq!(
                decisions(Some(seed)),
                decisions(Some(seed)),
                "seed {seed:#x}"
            );
        }
    }

    #[test]
    fn different_seeds_make_different_decisions() {
        let seeds = [0u64, 1, 2, 3, 42, 0xdead_beef, u64::MAX];
        for (i, a) in seeds.iter().enumerate() {
            for b in &seeds[i + 1..] {
                assert_ne!(
                    decisions(Some(*a)),
                    decisions(Some(*b)),
                    "seeds {a:#x} and {b:#x}"
                );
            }
        }
    }

    /// Over many draws each turn interval from 1 (the earliest look, right
    /// after one poll) to `event_interval` comes up, and nothing outside.
    #[test]
    fn turns_come_after_one_poll_up_to_the_full_interval() {
        let explorer = Explorer::new(Some(7));
        let mut seen = [0u32; 9];
        for _ in 0..10_000 {
            let polls = explorer.polls_before_turn(8);
            assert!((1..=8).contains(&polls), "{polls}");
            seen[polls as usize] += 1;
        }
        assert!(seen[1..].iter().all(|&n| n > 0), "{seen:?}");
    }

    /// About one look in four between polls takes the remote queue early.
    #[test]
    fn about_one_look_in_four_is_early() {
        let explorer = Explorer::new(Some(5));
        let early = (0..4_000).filter(|_| explorer.deliver_early()).count();
        assert!((800..1_200).contains(&early), "{early} of 4000 early");
    }

    /// About one remote wake in four is held back; the held ones are
    /// handed back in the order they came, once.
    #[test]
    fn held_back_wakes_come_back_in_order_once() {
        let explorer = Explorer::new(Some(99));
        let held: Vec<u64> = (0..4_000)
            .filter(|&n| explorer.hold_back(task(n)))
            .collect();
        assert!(
            (800..1_200).contains(&held.len()),
            "{} of 4000 held back",
            held.len()
        );
        assert!(explorer.has_late());
        let late: Vec<u64> = explorer.take_late().iter().map(|t| t.id).collect();
        assert_eq!(late, held);
        assert!(!explorer.has_late());
        assert!(explorer.take_late().is_empty());
    }
}
