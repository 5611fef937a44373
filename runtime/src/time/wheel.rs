//! A hierarchical timing wheel (the structure tokio's `time/wheel` uses),
//! with its entries in a `slab` and its slot lists linked by slab keys.
//!
//! Time is counted in *ticks* of one millisecond from the runtime's start.
//! Six levels of 64 slots each: a slot of level `l` spans `64^l` ticks, so
//! level 0 holds the next 64 ms one slot per millisecond, level 1 the next
//! ~4 s in 64 ms slots, ... level 5 about 2.2 years.
//!
//! - **insert** (`O(1)`): the level is where the deadline's tick first
//!   differs from `elapsed` (the highest differing bit, divided by 6); the
//!   slot is that level's 6 bits of the deadline. The entry is pushed onto the
//!   slot's doubly linked list and the slot's bit is set in the level's
//!   `occupied` mask.
//! - **remove** (`O(1)`): unlink, clear the bit if the list is empty, free
//!   the slab entry. A dropped `Sleep` frees its memory at once.
//! - **next expiration** (`O(levels)`): the first level with an occupied
//!   slot; its first occupied slot at or after `elapsed`'s position. For
//!   level 0 that slot's tick *is* the deadline of all its entries. For a
//!   higher level the slot's start is only when its entries must cascade; the
//!   loop wants the earliest real deadline in it (`next_deadline`), so that it
//!   sleeps once per deadline instead of waking at each cascade. That minimum
//!   is cached per slot, kept on insert, and forgotten when the entry holding
//!   it is removed (recomputed by one walk of the slot's list when next
//!   asked).
//! - **advance** to `now`: repeatedly take the next expiring slot; entries in
//!   a level-0 slot fire; entries in a higher slot are re-inserted relative
//!   to the new `elapsed`, which moves them down ("cascading"). Each entry
//!   cascades at most five times in its life.
//!
//! A fired entry stays in the slab (unlinked, state `Fired`) until its owner
//! (`Sleep`) sees it and removes it, so that the owner's key stays valid.

use slab::Slab;
use std::task::Waker;

const LEVELS: usize = 6;
const SLOTS: usize = 64;
const BITS: u32 = 6;
/// Deadlines further than this many ticks away are clamped to it (~2.2 years).
const MAX_TICKS: u64 = (1 << (BITS * LEVELS as u32)) - 1;
const NIL: usize = usize::MAX;

/// One timer.
struct Entry {
    tick: u64,
    waker: Option<Waker>,
    state: State,
    prev: usize,
    next: usize,
    level: u8,
    slot: u8,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Pending,
    Fired,
}

struct Level {
    occupied: u64,
    heads: [usize; SLOTS],
    /// Per slot: the earliest tick of its entries, or `UNKNOWN`.
    earliest: [u64; SLOTS],
}

const UNKNOWN: u64 = u64::MAX;

/// The wheel. All times are ticks (milliseconds since the runtime's start).
pub(crate) struct Wheel {
    elapsed: u64,
    levels: [Level; LEVELS],
    entries: Slab<Entry>,
    pending: usize,
}

impl Wheel {
    pub(crate) fn new() -> Wheel {
        Wheel {
            elapsed: 0,
            levels: std::array::from_fn(|_| Level {
                occupied: 0,
                heads: [NIL; SLOTS],
                earliest: [UNKNOWN; SLOTS],
            }),
            entries: Slab::new(),
            pending: 0,
        }
    }

    /// Timers waiting to fire.
    #[cfg(test)]
    pub(crate) fn pending(&self) -> usize {
        self.pending
    }

    /// Registers a timer for `tick`; `Err(())` if that tick has already
    /// passed (the caller is done at once, nothing is stored).
    pub(crate) fn insert(&mut self, tick: u64, waker: Waker) -> Result<usize, ()> {
        if tick <= self.elapsed {
            return Err(());
        }
        let tick = tick.min(self.elapsed + MAX_TICKS);
        let key = self.entries.insert(Entry {
            tick,
            waker: Some(waker),
            state: State::Pending,
            prev: NIL,
            next: NIL,
            level: 0,
            slot: 0,
        });
        self.link(key);
        self.pending += 1;
        Ok(key)
    }

    /// Whether the timer has fired.
    pub(crate) fn is_fired(&self, key: usize) -> bool {
        self.entries
            .get(key)
            .is_some_and(|e| e.state == State::Fired)
    }

    /// The tick a timer fires at.
    #[allow(
        dead_code,
        reason = "for task dumps (what a sleeping task waits for) and tests"
    )]
    pub(crate) fn tick_of(&self, key: usize) -> Option<u64> {
        self.entries.get(key).map(|e| e.tick)
    }

    /// Replaces the waker of a pending timer unless it already wakes the same
    /// task; returns the old one so the caller drops it outside its borrow.
    pub(crate) fn set_waker(&mut self, key: usize, waker: &Waker) -> Option<Waker> {
        let entry = self.entries.get_mut(key)?;
        match &entry.waker {
            Some(w) if w.will_wake(waker) => None,
            _ => entry.waker.replace(waker.clone()),
        }
    }

    /// Removes a timer, fired or not. Returns whether it was still pending
    /// (a cancellation), and its waker to drop outside the caller's borrow.
    pub(crate) fn remove(&mut self, key: usize) -> (bool, Option<Waker>) {
        let Some(entry) = self.entries.get(key) else {
            return (false, None);
        };
        let was_pending = entry.state == State::Pending;
        if was_pending {
            self.unlink(key);
            self.pending -= 1;
        }
        let entry = self.entries.remove(key);
        (was_pending, entry.waker)
    }

    /// The tick at which the wheel next has work: a timer to fire, or a
    /// slot to cascade (the start of a higher-level slot).
    pub(crate) fn next_expiration(&self) -> Option<u64> {
        self.next_slot().map(|(_, _, tick)| tick)
    }

    /// The tick of the next timer to fire: what the loop sleeps until.
    pub(crate) fn next_deadline(&mut self) -> Option<u64> {
        let (level, slot, tick) = self.next_slot()?;
        if level == 0 {
            return Some(tick);
        }
        if self.levels[level].earliest[slot] == UNKNOWN {
            let mut earliest = UNKNOWN;
            let mut key = self.levels[level].heads[slot];
            while key != NIL {
                earliest = earliest.min(self.entries[key].tick);
                key = self.entries[key].next;
            }
            self.levels[level].earliest[slot] = earliest;
        }
        Some(self.levels[level].earliest[slot].max(tick))
    }

    /// Fires every timer whose tick is `<= now`: marks it fired and moves its
    /// waker into `fired`. Returns how many fired.
    pub(crate) fn advance(&mut self, now: u64, fired: &mut Vec<Waker>) -> usize {
        let mut count = 0;
        while let Some((level, slot, tick)) = self.next_slot() {
            if tick > now {
                break;
            }
            self.elapsed = self.elapsed.max(tick);
            // Take the whole list of that slot, then fire or cascade each.
            let mut key = std::mem::replace(&mut self.levels[level].heads[slot], NIL);
            self.levels[level].occupied &= !(1 << slot);
            self.levels[level].earliest[slot] = UNKNOWN;
            while key != NIL {
                let entry = &mut self.entries[key];
                let next = entry.next;
                entry.prev = NIL;
                entry.next = NIL;
                if entry.tick <= self.elapsed {
                    entry.state = State::Fired;
                    fired.extend(entry.waker.take());
                    self.pending -= 1;
                    count += 1;
                } else {
                    self.link(key);
                }
                key = next;
            }
        }
        self.elapsed = self.elapsed.max(now);
        count
    }

    /// The first occupied slot in deadline order: `(level, slot, its tick)`.
    fn next_slot(&self) -> Option<(usize, usize, u64)> {
        for (level, lvl) in self.levels.iter().enumerate() {
            if lvl.occupied == 0 {
                continue;
            }
            let shift = BITS * level as u32;
            let slot_range = 1u64 << shift;
            let level_range = slot_range << BITS;
            let current = ((self.elapsed >> shift) % SLOTS as u64) as u32;
            // Occupied slots at or after the current one, wrapping around.
            let distance = lvl.occupied.rotate_right(current).trailing_zeros();
            let slot = (current + distance) as usize % SLOTS;
            let level_start = self.elapsed & !(level_range - 1);
            let mut tick = level_start + slot as u64 * slot_range;
            if tick + slot_range <= self.elapsed {
                tick += level_range; // the slot belongs to the next rotation
            }
            return Some((level, slot, tick));
        }
        None
    }

    fn link(&mut self, key: usize) {
        let tick = self.entries[key].tick;
        let level = level_for(self.elapsed, tick);
        let slot = ((tick >> (BITS * level as u32)) % SLOTS as u64) as usize;
        let head = self.levels[level].heads[slot];
        {
            let entry = &mut self.entries[key];
            entry.level = level as u8;
            entry.slot = slot as u8;
            entry.prev = NIL;
            entry.next = head;
        }
        let earliest = &mut self.levels[level].earliest[slot];
        if head == NIL {
            *earliest = tick;
        } else if *earliest != UNKNOWN {
            *earliest = (*earliest).min(tick);
        }
        if head != NIL {
            self.entries[head].prev = key;
        }
        self.levels[level].heads[slot] = key;
        self.levels[level].occupied |= 1 << slot;
    }

    fn unlink(&mut self, key: usize) {
        let (prev, next, level, slot, tick) = {
            let e = &self.entries[key];
            (e.prev, e.next, e.level as usize, e.slot as usize, e.tick)
        };
        if self.levels[level].earliest[slot] == tick {
            self.levels[level].earliest[slot] = UNKNOWN;
        }
        if prev == NIL {
            self.levels[level].heads[slot] = next;
            if next == NIL {
                self.levels[level].occupied &= !(1 << slot);
            }
        } else {
            self.entries[prev].next = next;
        }
        if next != NIL {
            self.entries[next].prev = prev;
        }
    }
}

/// The level at which `tick` is stored when the wheel stands at `elapsed`.
fn level_for(elapsed: u64, tick: u64) -> usize {
    let masked = (elapsed ^ tick) | (SLOTS as u64 - 1);
    let significant = 63 - masked.leading_zeros();
    ((significant / BITS) as usize).min(LEVELS - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    /// A waker that records the order in which timers fire.
    struct Recorder {
        id: usize,
        log: Arc<std::sync::Mutex<Vec<usize>>>,
        count: AtomicUsize,
    }
    impl Wake for Recorder {
        fn wake(self: Arc<Self>) {
            self.count.fetch_add(1, Ordering::Relaxed);
            self.log.lock().unwrap().push(self.id);
        }
    }

    fn waker(id: usize, log: &Arc<std::sync::Mutex<Vec<usize>>>) -> Waker {
        Waker::from(Arc::new(Recorder {
            id,
            log: log.clone(),
            count: AtomicUsize::new(0),
        }))
    }

    fn drain(wheel: &mut Wheel, now: u64) -> usize {
        let mut fired = Vec::new();
        let n = wheel.advance(now, &mut fired);
        fired.into_iter().for_each(Waker::wake);
        n
    }

    #[test]
    fn fires_in_deadline_order_across_levels() {
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut wheel = Wheel::new();
        let ticks = [5u64, 70, 64, 1, 4_100, 300_000, 63, 65, 4_096, 262_144];
        for (id, &t) in ticks.iter().enumerate() {
            wheel.insert(t, waker(id, &log)).unwrap();
        }
        let mut now = 0;
        while let Some(next) = wheel.next_expiration() {
            assert!(next > now, "next expiration {next} not after {now}");
            now = next;
            drain(&mut wheel, now);
        }
        let fired: Vec<u64> = log.lock().unwrap().iter().map(|&i| ticks[i]).collect();
        let mut sorted = ticks.to_vec();
        sorted.sort();
        assert_eq!(fired, sorted);
        assert_eq!(wheel.pending(), 0);
    }

    #[test]
    fn next_deadline_wakes_once_per_deadline() {
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut wheel = Wheel::new();
        let ticks = [5u64, 70, 64, 1, 4_100, 300_000, 63, 65, 4_096, 262_144, 70];
        for (id, &t) in ticks.iter().enumerate() {
            wheel.insert(t, waker(id, &log)).unwrap();
        }
        let mut wakeups = 0;
        while let Some(next) = wheel.next_deadline() {
            wakeups += 1;
            assert!(drain(&mut wheel, next) > 0, "woke at {next} for nothing");
        }
        let mut distinct = ticks.to_vec();
        distinct.sort();
        distinct.dedup();
        assert_eq!(wakeups, distinct.len());
    }

    #[test]
    fn never_fires_early_and_next_expiration_is_exact() {
        // A deterministic pseudo-random mix of inserts, removes and advances,
        // checked against a plain list.
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut wheel = Wheel::new();
        let mut model: Vec<(usize, u64, usize)> = Vec::new(); // (id, tick, key)
        let mut rng = 0x1234_5678_9abc_def0u64;
        let mut rand = move |n: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % n
        };
        let mut now = 0u64;
        // 20,000 operations take ~7 minutes under Miri; 1,000 still cross
        // every wheel level (spans up to 400,000 ticks).
        let ops = if cfg!(miri) { 1_000 } else { 20_000 };
        for id in 0..ops {
            match rand(10) {
                0..=5 => {
                    let span = [10, 100, 5_000, 400_000][rand(4) as usize];
                    let tick = now + 1 + rand(span);
                    let key = wheel.insert(tick, waker(id, &log)).unwrap();
                    model.push((id, tick, key));
                }
                6 if !model.is_empty() => {
                    let (_, _, key) = model.swap_remove(rand(model.len() as u64) as usize);
                    assert!(wheel.remove(key).0);
                }
                _ => {
                    let expected = model.iter().map(|m| m.1).min();
                    assert_eq!(wheel.next_deadline(), expected);
                    if let (Some(e), Some(x)) = (expected, wheel.next_expiration()) {
                        assert!(
                            x <= e,
                            "work ({x}) must come no later than the deadline ({e})"
                        );
                    }
                    now += rand(2_000);
                    log.lock().unwrap().clear();
                    drain(&mut wheel, now);
                    let fired = std::mem::take(&mut *log.lock().unwrap());
                    let mut due: Vec<usize> =
                        model.iter().filter(|m| m.1 <= now).map(|m| m.0).collect();
                    let mut got = fired.clone();
                    got.sort();
                    due.sort();
                    assert_eq!(got, due, "at tick {now}");
                    for m in model.iter().filter(|m| m.1 <= now) {
                        assert!(wheel.is_fired(m.2));
                        wheel.remove(m.2);
                    }
                    model.retain(|m| m.1 > now);
                }
            }
        }
        assert_eq!(wheel.pending(), model.len());
    }

    #[test]
    fn removed_entries_free_their_memory() {
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut wheel = Wheel::new();
        // Fewer under Miri (interpreted, ~100x slower); the same code path.
        let n = if cfg!(miri) { 2_000 } else { 100_000 };
        let keys: Vec<usize> = (0..n)
            .map(|i| wheel.insert(10 + i, waker(0, &log)).unwrap())
            .collect();
        for key in keys {
            wheel.remove(key);
        }
        assert_eq!(wheel.pending(), 0);
        assert!(wheel.entries.is_empty());
        assert_eq!(wheel.next_expiration(), None);
    }

    #[test]
    fn past_deadline_is_refused_and_far_deadline_is_clamped() {
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut wheel = Wheel::new();
        drain(&mut wheel, 100);
        assert!(wheel.insert(100, waker(0, &log)).is_err());
        let key = wheel.insert(u64::MAX, waker(1, &log)).unwrap();
        assert_eq!(wheel.tick_of(key), Some(100 + MAX_TICKS));
    }

    mod properties {
        //! The wheel against a plain list of deadlines, under random
        //! sequences of register, cancel and advance: the same timers fire,
        //! in the same order (by deadline, then by registration), never
        //! early, and `next_deadline` is always the model's minimum.

        use super::*;
        use proptest::prelude::*;

        #[derive(Clone, Debug)]
        enum Op {
            Insert(u64),
            Cancel(usize),
            Advance(u64),
        }

        fn op() -> impl Strategy<Value = Op> {
            prop_oneof![
                4 => prop_oneof![1u64..70, 1u64..5_000, 1u64..300_000, 1u64..20_000_000].prop_map(Op::Insert),
                2 => any::<usize>().prop_map(Op::Cancel),
                3 => prop_oneof![0u64..10, 0u64..4_096, 0u64..1_000_000].prop_map(Op::Advance),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]
            #[test]
            #[cfg_attr(miri, ignore = "proptest reads the working directory (for its failure file), which Miri's isolation refuses, and 256 cases would take many minutes; never_fires_early_and_next_expiration_is_exact checks the same model under Miri")]
            fn same_fire_order_as_a_model(ops in proptest::collection::vec(op(), 1..200)) {
                let log = Arc::new(std::sync::Mutex::new(Vec::new()));
                let mut wheel = Wheel::new();
                // (id, tick, key) of pending timers, in registration order.
                let mut model: Vec<(usize, u64, usize)> = Vec::new();
                let mut now = 0u64;
                for (id, op) in ops.into_iter().enumerate() {
                    match op {
                        Op::Insert(delay) => {
                            let tick = now + delay;
                            let key = wheel.insert(tick, waker(id, &log)).unwrap();
                            model.push((id, tick, key));
                        }
                        Op::Cancel(i) if !model.is_empty() => {
                            let (_, _, key) = model.remove(i % model.len());
                            prop_assert!(wheel.remove(key).0);
                        }
                        Op::Cancel(_) => {}
                        Op::Advance(by) => {
                            prop_assert_eq!(wheel.next_deadline(), model.iter().map(|m| m.1).min());
                            now += by;
                            log.lock().unwrap().clear();
                            drain(&mut wheel, now);
                            let fired = std::mem::take(&mut *log.lock().unwrap());
                            let mut due: Vec<(u64, usize)> =
                                model.iter().filter(|m| m.1 <= now).map(|m| (m.1, m.0)).collect();
                            due.sort();
                            // Timers due at one advance may fire in any order
                            // within a tick, but ticks fire in order.
                            let fired_ticks: Vec<u64> = fired
                                .iter()
                                .map(|id| model.iter().find(|m| m.0 == *id).map_or(u64::MAX, |m| m.1))
                                .collect();
                            prop_assert!(fired_ticks.windows(2).all(|w| w[0] <= w[1]), "out of order: {:?}", fired_ticks);
                            let mut fired_sorted: Vec<(u64, usize)> =
                                fired.iter().zip(&fired_ticks).map(|(id, t)| (*t, *id)).collect();
                            fired_sorted.sort();
                            prop_assert_eq!(fired_sorted, due);
                            for m in model.iter().filter(|m| m.1 <= now) {
                                wheel.remove(m.2);
                            }
                            model.retain(|m| m.1 > now);
                        }
                    }
                }
                prop_assert_eq!(wheel.pending(), model.len());
            }
        }
    }
}
