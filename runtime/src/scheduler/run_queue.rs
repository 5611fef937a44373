//! The run queue: tasks that are ready to be polled.
//!
//! FIFO by default: tasks run in the order they became ready, which is what
//! makes two tasks that print and `yield_now` alternate a b a b. With
//! `Builder::seed`, each pop takes a pseudo-random entry instead, drawn from
//! a xorshift generator seeded by the user, so one seed replays one order.

use std::cell::UnsafeCell;
use std::mem::MaybeUninit;

use crate::inspect::debug_table::RingDesc;
use crate::task::{ShortId, TaskId};
use crate::xorshift::XorShift;

/// A FIFO ring of task ids ([`ShortId`]s, 8 bytes each): the live part is `len` slots from `head`,
/// wrapping; the other slots are uninitialised (a grow copies the live part
/// and writes nothing else, where filling the new half would cost a
/// `memset` of it). Written here rather than using `VecDeque` (whose
/// layout is private) so that a debugger can list the queue in order from
/// memory alone.
pub(crate) struct RunQueue {
    desc: RingDesc,
    slots: Box<[MaybeUninit<ShortId>]>,
    rng: Option<XorShift>,
}

impl RunQueue {
    pub(crate) fn new(seed: Option<u64>) -> RunQueue {
        let slots = Box::new_uninit_slice(256);
        RunQueue {
            desc: RingDesc {
                ptr: slots.as_ptr().cast(),
                cap: slots.len() as u64,
                head: 0,
                len: 0,
            },
            slots,
            rng: seed.map(XorShift::new),
        }
    }

    /// The descriptor's address, for the debug header: stable for as long
    /// as the queue does not move (it lives in the scheduler, behind an `Rc`).
    pub(crate) fn desc(&self) -> *const RingDesc {
        &self.desc
    }

    /// The slot of the `i`-th queued task (`cap` is a power of two).
    #[inline]
    fn slot(&self, i: u64) -> usize {
        ((self.desc.head + i) & (self.desc.cap - 1)) as usize
    }

    #[inline]
    pub(crate) fn push(&mut self, task: TaskId) {
        if self.desc.len == self.desc.cap {
            self.grow();
        }
        let slot = self.slot(self.desc.len);
        debug_assert!(slot < self.slots.len());
        // SAFETY: `slot` is masked by `cap - 1` and `cap == slots.len()`
        // (set together in `new` and `grow`), so it is in bounds: the
        // bounds check the compiler cannot drop is skipped.
        unsafe { *self.slots.get_unchecked_mut(slot) = MaybeUninit::new(ShortId::new(task)) };
        self.desc.len += 1;
    }

    /// Doubles the ring, moving the queued tasks to its start in order.
    /// Called only when it is full, so the queued tasks are the whole ring
    /// from `head` on, wrapping: two slice copies.
    #[cold]
    fn grow(&mut self) {
        let head = self.desc.head as usize;
        let cap = self.slots.len();
        let mut slots = Box::new_uninit_slice(cap * 2);
        slots[..cap - head].copy_from_slice(&self.slots[head..]);
        slots[cap - head..cap].copy_from_slice(&self.slots[..head]);
        self.slots = slots;
        self.desc.ptr = self.slots.as_ptr().cast();
        self.desc.cap = self.slots.len() as u64;
        self.desc.head = 0;
    }

    #[inline]
    pub(crate) fn pop(&mut self) -> Option<ShortId> {
        if self.desc.len == 0 {
            return None;
        }
        match &mut self.rng {
            None => {
                let head = self.slot(0);
                debug_assert!(head < self.slots.len());
                // SAFETY: `head < cap == slots.len()` (as in `push`), and
                // that slot is live (`len > 0`): written by `push` or copied
                // by `grow` from a live slot.
                let task = unsafe { self.slots.get_unchecked(head).assume_init() };
                self.desc.head = (self.desc.head + 1) & (self.desc.cap - 1);
                self.desc.len -= 1;
                Some(task)
            }
            Some(rng) => {
                // A random entry; the last one takes its place
                // (`VecDeque::swap_remove_back`).
                let index = rng.next() % self.desc.len;
                let (at, last) = (self.slot(index), self.slot(self.desc.len - 1));
                // SAFETY: `index < len`, so slot `at` is live (as above).
                let task = unsafe { self.slots[at].assume_init() };
                self.slots[at] = self.slots[last];
                self.desc.len -= 1;
                Some(task)
            }
        }
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.desc.len == 0
    }

    pub(crate) fn clear(&mut self) {
        self.desc.head = 0;
        self.desc.len = 0;
    }
}

/// The scheduler's run queue, used through `&` on the loop's thread: what
/// a `RefCell<RunQueue>` was, without the borrow flag that every push and
/// pop read, set and reset (issue 18: a wake and a poll each take one).
///
/// Exclusive access holds by construction rather than by a runtime check:
/// each method below borrows the ring for exactly one call of a
/// `RunQueue` method, and those run no code from outside this file (no
/// user code, no callback, no waker; `grow` allocates through the global
/// allocator, which does not call back into a runtime), so no two borrows
/// can overlap; the `UnsafeCell` makes the type `!Sync`, so no other thread
/// can be inside one either.
pub(crate) struct LocalQueue(UnsafeCell<RunQueue>);

impl LocalQueue {
    pub(crate) fn new(seed: Option<u64>) -> LocalQueue {
        LocalQueue(UnsafeCell::new(RunQueue::new(seed)))
    }

    /// Runs one `RunQueue` method on the ring.
    #[inline(always)]
    fn with<R>(&self, f: impl FnOnce(&mut RunQueue) -> R) -> R {
        // SAFETY: see the type's doc: every `f` passed here (only in this
        // impl) is a single `RunQueue` method, which never reaches this
        // `LocalQueue` again, and the type is `!Sync`: this is the only
        // reference to the ring while `f` runs.
        f(unsafe { &mut *self.0.get() })
    }

    #[inline]
    pub(crate) fn push(&self, task: TaskId) {
        self.with(|q| q.push(task));
    }

    #[inline]
    pub(crate) fn pop(&self) -> Option<ShortId> {
        self.with(RunQueue::pop)
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.with(|q| q.is_empty())
    }

    pub(crate) fn clear(&self) {
        self.with(RunQueue::clear);
    }

    /// The ring's descriptor, for the debug header (`RunQueue::desc`).
    pub(crate) fn desc(&self) -> *const RingDesc {
        self.with(|q| q.desc())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_8_bytes_and_keeps_the_key_and_the_ids_low_bits() {
        assert_eq!(std::mem::size_of::<ShortId>(), 8);
        let big = TaskId {
            key: 7,
            id: (5 << 32) | 9,
        };
        let entry = ShortId::new(big);
        assert_eq!(entry.key(), 7);
        assert!(entry.is_for(big.id) && entry.is_for(9) && !entry.is_for(10));
        let main = ShortId::new(TaskId {
            key: usize::MAX,
            id: 3,
        });
        assert_eq!(main.key(), usize::MAX);
        // The encoding of keys (`TaskId::narrow_key`, shared with the
        // reactor's `Wake`): every key a task can have round-trips.
        for key in [0, 1, 4096, u32::MAX as usize - 1, usize::MAX] {
            assert_eq!(TaskId::narrow_key(key).map(TaskId::widen_key), Some(key));
        }
        #[cfg(target_pointer_width = "64")]
        {
            assert_eq!(TaskId::narrow_key(u32::MAX as usize), None);
            assert_eq!(TaskId::narrow_key(usize::MAX - 1), None);
        }
    }

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
        let order: Vec<usize> = std::iter::from_fn(|| q.pop()).map(|t| t.key()).collect();
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
                .map(|t| t.key())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        let mut sorted = run(7);
        sorted.sort();
        assert_eq!(sorted, (0..16).collect::<Vec<_>>());
    }

    #[test]
    fn wraps_and_grows_in_order() {
        let mut q = RunQueue::new(None);
        let mut next = 0;
        let mut expected = std::collections::VecDeque::new();
        // Wrap the 256-slot ring several times, then grow it while wrapped.
        for round in 0..2000 {
            for _ in 0..(1 + round % 3) {
                q.push(task(next));
                expected.push_back(next);
                next += 1;
            }
            if round % 2 == 0 {
                assert_eq!(q.pop().map(|t| t.key()), expected.pop_front());
            }
        }
        assert!(q.desc.cap > 256, "it grew");
        while let Some(t) = q.pop() {
            assert_eq!(Some(t.key()), expected.pop_front());
        }
        assert!(expected.is_empty() && q.is_empty());
    }

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn the_descriptor_has_the_tabled_layout() {
        assert_eq!(std::mem::size_of::<RingDesc>(), 32);
        assert_eq!(std::mem::offset_of!(RingDesc, cap), 8);
        assert_eq!(std::mem::offset_of!(RingDesc, head), 16);
        assert_eq!(std::mem::offset_of!(RingDesc, len), 24);
        assert_eq!(std::mem::size_of::<TaskId>(), 16);
        assert_eq!(std::mem::offset_of!(TaskId, key), 0);
        assert_eq!(std::mem::offset_of!(TaskId, id), 8);
    }
}
