//! The run queue: tasks that are ready to be polled.
//!
//! FIFO by default: tasks run in the order they became ready, which is what
//! makes two tasks that print and `yield_now` alternate a b a b. With
//! `Builder::seed`, each pop takes a pseudo-random entry instead, drawn from
//! a xorshift generator seeded by the user, so one seed replays one order.

use std::collections::VecDeque;

use crate::task::TaskId;

pub(crate) struct RunQueue {
    queue: VecDeque<TaskId>,
    rng: Option<XorShift>,
}

impl RunQueue {
    pub(crate) fn new(seed: Option<u64>) -> RunQueue {
        RunQueue {
            queue: VecDeque::with_capacity(256),
            rng: seed.map(XorShift::new),
        }
    }

    #[inline]
    pub(crate) fn push(&mut self, task: TaskId) {
        self.queue.push_back(task);
    }

    #[inline]
    pub(crate) fn pop(&mut self) -> Option<TaskId> {
        match &mut self.rng {
            None => self.queue.pop_front(),
            Some(rng) => {
                let len = self.queue.len();
                if len == 0 {
                    return None;
                }
                let index = (rng.next() % len as u64) as usize;
                self.queue.swap_remove_back(index)
            }
        }
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    pub(crate) fn clear(&mut self) {
        self.queue.clear();
    }
}

/// Marsaglia's xorshift64*: tiny, fast, and plenty for shuffling a queue.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> XorShift {
        // Zero is a fixed point of xorshift; any other constant works.
        XorShift(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(key: usize) -> TaskId {
        TaskId {
            key,
            id: key as u64,
        }
    }

    #[test]
    fn fifo_without_seed() {
        let mut q = RunQueue::new(None);
        for k in 0..5 {
            q.push(task(k));
        }
        let order: Vec<usize> = std::iter::from_fn(|| q.pop()).map(|t| t.key).collect();
        assert_eq!(order, [0, 1, 2, 3, 4]);
    }

    #[test]
    fn same_seed_same_order_other_seed_other_order() {
        let run = |seed| {
            let mut q = RunQueue::new(Some(seed));
            for k in 0..16 {
                q.push(task(k));
            }
            std::iter::from_fn(|| q.pop())
                .map(|t| t.key)
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let mut sorted = run(7);
        sorted.sort();
        assert_eq!(sorted, (0..16).collect::<Vec<_>>());
    }
}
