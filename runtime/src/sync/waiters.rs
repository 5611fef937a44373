//! The FIFO waiter queue shared by the primitives in [`crate::sync`].
//!
//! A doubly linked list whose nodes live in a [`Slab`], so a node is named by
//! its slab key: pushing is O(1) (amortised, the slab reuses freed slots, so a
//! steady state allocates nothing), and a cancelled waiter unlinks itself in
//! O(1) from anywhere in the queue.
//!
//! A node has two lives. While it is *linked* its owner is still waiting.
//! [`Waiters::pop_front`] *unlinks* it (the owner was granted a permit, a
//! slot, a notification…) but leaves it in the slab, so the owner can see the
//! outcome on its next poll. Only the owner removes its node
//! ([`Waiters::remove`]), on completion or on drop. Because nobody else frees
//! a key, a key never changes owner while someone still holds it.

use std::mem::MaybeUninit;
use std::task::Waker;

use slab::Slab;

/// One waiter: its place in the list, its waker and a payload `T`.
#[derive(Debug)]
struct Node<T> {
    prev: Option<usize>,
    next: Option<usize>,
    linked: bool,
    waker: Option<Waker>,
    value: T,
}

/// A FIFO queue of wakers with O(1) removal by key.
#[derive(Debug)]
pub(crate) struct Waiters<T> {
    nodes: Slab<Node<T>>,
    head: Option<usize>,
    tail: Option<usize>,
}

impl<T> Waiters<T> {
    /// An empty queue; allocates nothing.
    pub(crate) const fn new() -> Self {
        Waiters {
            nodes: Slab::new(),
            head: None,
            tail: None,
        }
    }

    /// Whether no waiter is linked (unlinked nodes awaiting their owner do
    /// not count).
    pub(crate) fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    /// Appends a waiter and returns its key.
    pub(crate) fn push_back(&mut self, waker: Waker, value: T) -> usize {
        let key = self.nodes.insert(Node {
            prev: self.tail,
            next: None,
            linked: true,
            waker: Some(waker),
            value,
        });
        match self.tail {
            Some(tail) => self.nodes[tail].next = Some(key),
            None => self.head = Some(key),
        }
        self.tail = Some(key);
        key
    }

    /// The payload of the first linked waiter.
    pub(crate) fn front_mut(&mut self) -> Option<&mut T> {
        let head = self.head?;
        Some(&mut self.nodes[head].value)
    }

    /// Unlinks the first waiter, keeping its node for its owner, and returns
    /// its key and waker (to be woken once the caller has dropped its lock).
    pub(crate) fn pop_front(&mut self) -> Option<(usize, Option<Waker>)> {
        let key = self.head?;
        self.unlink(key);
        Some((key, self.nodes[key].waker.take()))
    }

    /// Removes the first waiter outright, node and all, and returns its
    /// payload and waker: for a primitive whose waiters learn that they were
    /// released without looking at their node (`Event`: by its generation),
    /// so that nobody needs to come back and free it.
    pub(crate) fn take_front(&mut self) -> Option<(T, Option<Waker>)> {
        let key = self.head?;
        Some(self.take(key))
    }

    /// Removes waiter `key` outright (unlinking it first if still queued)
    /// and returns its payload and waker, for the caller to drop once its
    /// lock is released (dropping a waker may run any code).
    pub(crate) fn take(&mut self, key: usize) -> (T, Option<Waker>) {
        if self.nodes[key].linked {
            self.unlink(key);
        }
        let node = self.nodes.remove(key);
        (node.value, node.waker)
    }

    /// Serves the first waiter in one lookup: `serve` updates its payload
    /// and says whether it is now satisfied; a satisfied waiter is unlinked
    /// as by [`Waiters::pop_front`].
    pub(crate) fn serve_front(&mut self, serve: impl FnOnce(&mut T) -> bool) -> Served {
        let Some(key) = self.head else {
            return Served::Empty;
        };
        let node = &mut self.nodes[key];
        if !serve(&mut node.value) {
            return Served::Partly;
        }
        let waker = node.waker.take();
        self.unlink(key);
        Served::Done(waker)
    }

    /// How many nodes the slab holds, linked or not.
    #[cfg(test)]
    pub(crate) fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the waiter `key` is still queued.
    pub(crate) fn is_linked(&self, key: usize) -> bool {
        self.nodes[key].linked
    }

    /// Stores `waker` for waiter `key`, cloning only if the stored one would
    /// not wake the same task.
    pub(crate) fn set_waker(&mut self, key: usize, waker: &Waker) {
        let slot = &mut self.nodes[key].waker;
        match slot {
            Some(old) if old.will_wake(waker) => {}
            _ => *slot = Some(waker.clone()),
        }
    }

    /// Stores `waker` (cloned by the caller before taking its lock) for
    /// waiter `key` and returns the one it replaces, for the caller to drop
    /// once its lock is released: no waker code runs under the lock.
    pub(crate) fn replace_waker(&mut self, key: usize, waker: Waker) -> Option<Waker> {
        self.nodes[key].waker.replace(waker)
    }

    /// Removes waiter `key` (unlinking it first if still queued) and returns
    /// its payload and whether it was still linked.
    pub(crate) fn remove(&mut self, key: usize) -> (T, bool) {
        let linked = self.nodes[key].linked;
        (self.take(key).0, linked)
    }

    /// Removes waiter `key`, which its owner has just seen unlinked
    /// ([`Waiters::is_linked`] was false), and returns its payload.
    pub(crate) fn remove_unlinked(&mut self, key: usize) -> T {
        debug_assert!(!self.nodes[key].linked, "the waiter is still queued");
        self.nodes.remove(key).value
    }

    fn unlink(&mut self, key: usize) {
        let node = &mut self.nodes[key];
        debug_assert!(node.linked, "unlinking a waiter twice");
        let (prev, next) = (node.prev.take(), node.next.take());
        node.linked = false;
        match prev {
            Some(prev) => self.nodes[prev].next = next,
            None => self.head = next,
        }
        match next {
            Some(next) => self.nodes[next].prev = prev,
            None => self.tail = prev,
        }
    }
}

/// What [`Waiters::serve_front`] did.
#[derive(Debug)]
pub(crate) enum Served {
    /// Nobody is queued.
    Empty,
    /// The first waiter took something but still waits.
    Partly,
    /// The first waiter is satisfied and unlinked; wake it once the lock is
    /// released.
    Done(Option<Waker>),
}

/// A fixed-size batch of wakers, filled under a lock and woken after it is
/// released (a waker may run arbitrary code, even re-enter the primitive).
///
/// The slots are `MaybeUninit` (as in tokio's `WakeList`): a batch of one,
/// the common case of a semaphore release, then costs one write and one
/// read, where an array of `Option<Waker>` would initialise and drop all 32.
pub(crate) struct WakeList {
    wakers: [MaybeUninit<Waker>; WakeList::CAPACITY],
    /// Slots `next..len` hold wakers not yet woken; the rest are empty.
    next: usize,
    len: usize,
}

impl WakeList {
    /// How many wakers one batch holds.
    pub(crate) const CAPACITY: usize = 32;

    /// An empty batch.
    pub(crate) const fn new() -> Self {
        WakeList {
            wakers: [const { MaybeUninit::uninit() }; WakeList::CAPACITY],
            next: 0,
            len: 0,
        }
    }

    /// Whether another waker fits.
    pub(crate) fn can_push(&self) -> bool {
        self.len < Self::CAPACITY
    }

    /// Adds a waker; the caller checks [`WakeList::can_push`] first.
    pub(crate) fn push(&mut self, waker: Option<Waker>) {
        assert!(self.can_push(), "WakeList is full");
        if let Some(waker) = waker {
            self.wakers[self.len].write(waker);
            self.len += 1;
        }
    }

    /// Wakes and empties the batch, in the order the wakers were pushed.
    pub(crate) fn wake_all(&mut self) {
        while self.next < self.len {
            let i = self.next;
            // Advance first: if this wake panics, the slot is already
            // counted as empty and is never read again.
            self.next += 1;
            // SAFETY: slots `next..len` were written by `push` and not yet
            // read; `i` was in that range and `next` has moved past it, so
            // it is read exactly once.
            let waker = unsafe { self.wakers[i].assume_init_read() };
            waker.wake();
        }
        self.next = 0;
        self.len = 0;
    }
}

impl Drop for WakeList {
    fn drop(&mut self) {
        // A panic between filling and waking must not strand the tasks (nor
        // leak the wakers: `MaybeUninit` slots are not dropped on their own).
        self.wake_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(w: &mut Waiters<u32>) -> Vec<u32> {
        let mut out = Vec::new();
        while let Some((key, _)) = w.pop_front() {
            out.push(w.remove(key).0);
        }
        out
    }

    #[test]
    fn fifo_order_and_removal_from_the_middle() {
        let mut w = Waiters::new();
        let k: Vec<usize> = (0..5)
            .map(|i| w.push_back(Waker::noop().clone(), i))
            .collect();
        assert_eq!(w.remove(k[2]), (2, true));
        assert_eq!(w.remove(k[0]), (0, true));
        assert_eq!(w.remove(k[4]), (4, true));
        w.push_back(Waker::noop().clone(), 5);
        assert_eq!(keys(&mut w), vec![1, 3, 5]);
        assert!(w.is_empty());
    }

    #[test]
    fn popped_node_stays_until_its_owner_removes_it() {
        let mut w = Waiters::new();
        let a = w.push_back(Waker::noop().clone(), 'a');
        let b = w.push_back(Waker::noop().clone(), 'b');
        let (popped, waker) = w.pop_front().expect("a is queued");
        assert_eq!(popped, a);
        assert!(waker.is_some());
        assert!(!w.is_linked(a));
        assert!(w.is_linked(b));
        assert_eq!(w.remove(a), ('a', false));
        assert_eq!(w.front_mut(), Some(&mut 'b'));
    }

    /// A waker that records its id when woken and counts live clones.
    struct Recorder {
        id: u32,
        log: std::sync::Arc<std::sync::Mutex<Vec<u32>>>,
    }
    impl std::task::Wake for Recorder {
        fn wake(self: std::sync::Arc<Self>) {
            self.log.lock().unwrap().push(self.id);
        }
    }

    #[test]
    fn wake_list_wakes_in_push_order_and_releases_every_waker() {
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let recorders: Vec<_> = (0..40)
            .map(|id| {
                std::sync::Arc::new(Recorder {
                    id,
                    log: log.clone(),
                })
            })
            .collect();
        let mut list = WakeList::new();
        for r in &recorders[..3] {
            list.push(Some(Waker::from(r.clone())));
        }
        list.push(None); // an absent waker takes no slot
        list.wake_all();
        assert_eq!(*log.lock().unwrap(), [0, 1, 2]);
        // Refilled to capacity, then dropped without wake_all: still woken.
        let mut list = WakeList::new();
        for r in &recorders[..WakeList::CAPACITY] {
            list.push(Some(Waker::from(r.clone())));
        }
        assert!(!list.can_push());
        drop(list);
        assert_eq!(log.lock().unwrap().len(), 3 + WakeList::CAPACITY);
        // Every clone was consumed: only our own references remain.
        assert!(
            recorders
                .iter()
                .all(|r| std::sync::Arc::strong_count(r) == 1)
        );
    }
}
