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
//!
//! **Far deadlines.** The six levels span `64^6` ticks (~2.2 years) from
//! the start of `elapsed`'s top-level slot; a slot further on would alias
//! the current one. An entry keeps its exact deadline (`tick`) but is
//! *linked* at `min(tick, horizon(elapsed))`, the last tick the wheel can
//! represent. When that slot comes due the entry is not fired (its deadline
//! is later) but linked again, further on: a `sleep` of ten years wakes the
//! loop about once every two years and ends on the right millisecond. A
//! deadline of [`NEVER`] (`sleep(Duration::MAX)`, or one beyond the clock's
//! range) is kept unlinked: it is never due, so it neither wakes the loop nor
//! gives a paused clock somewhere to jump. An `advance` further than one
//! rotation (a paused clock moved by years at once) sorts the entries and
//! fires the due ones in order instead of visiting every slot on the way.

use slab::Slab;
use std::task::Waker;

const LEVELS: usize = 6;
const SLOTS: usize = 64;
const BITS: u32 = 6;
/// Ticks one slot of the top level spans (2^30 ms, ~12 days).
const TOP_SLOT: u64 = 1 << (BITS * (LEVELS as u32 - 1));
/// Ticks one rotation of the top level spans (2^36 ms, ~2.2 years).
const TOP_ROTATION: u64 = TOP_SLOT << BITS;
const NIL: usize = usize::MAX;

/// The tick of a timer that never fires.
pub(crate) const NEVER: u64 = u64::MAX;
/// The last tick the clock can reach (2^62 ms, ~146 million years): later
/// deadlines are [`NEVER`], and no tick arithmetic here can overflow.
pub(crate) const MAX_TICK: u64 = 1 << 62;

/// The last tick the wheel can represent while it stands at `elapsed`.
fn horizon(elapsed: u64) -> u64 {
    (elapsed & !(TOP_SLOT - 1)) + TOP_ROTATION - 1
}

/// One timer.
struct Entry {
    /// Its deadline (exact; [`NEVER`] for one that never fires).
    tick: u64,
    /// The tick it is linked at: `tick`, or the wheel's horizon when it was
    /// linked if that came sooner.
    at: u64,
    waker: Option<Waker>,
    state: State,
    prev: usize,
    next: usize,
    level: u8,
    slot: u8,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    /// Linked in a slot, waiting for its tick.
    Pending,
    /// Its tick came: unlinked, waker taken, until its owner removes it.
    Fired,
    /// A [`NEVER`] deadline: never linked, never due.
    Never,
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

    /// Registers a timer for `tick` (exact, however far; [`NEVER`] for one
    /// that never fires); `Err(())` if that tick has already passed (the
    /// caller is done at once, nothing is stored).
    pub(crate) fn insert(&mut self, tick: u64, waker: Waker) -> Result<usize, ()> {
        if tick <= self.elapsed {
            return Err(());
        }
        let never = tick > MAX_TICK;
        let key = self.entries.insert(Entry {
            tick: if never { NEVER } else { tick },
            at: 0,
            waker: Some(waker),
            state: if never { State::Never } else { State::Pending },
            prev: NIL,
            next: NIL,
            level: 0,
            slot: 0,
        });
        if !never {
            self.link(key);
            self.pending += 1;
        }
        Ok(key)
    }

    /// Whether the timer has fired.
    pub(crate) fn is_fired(&self, key: usize) -> bool {
        self.entries
            .get(key)
            .is_some_and(|e| e.state == State::Fired)
    }

    /// The tick a timer fires at ([`NEVER`] for one that never does).
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

    /// Removes a timer, fired or not. Returns whether it had not fired (a
    /// cancellation), and its waker to drop outside the caller's borrow.
    pub(crate) fn remove(&mut self, key: usize) -> (bool, Option<Waker>) {
        let Some(entry) = self.entries.get(key) else {
            return (false, None);
        };
        let state = entry.state;
        if state == State::Pending {
            self.unlink(key);
            self.pending -= 1;
        }
        let entry = self.entries.remove(key);
        (state != State::Fired, entry.waker)
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
                earliest = earliest.min(self.entries[key].at);
                key = self.entries[key].next;
            }
            self.levels[level].earliest[slot] = earliest;
        }
        Some(self.levels[level].earliest[slot].max(tick))
    }

    /// Fires every timer whose tick is `<= now`: marks it fired and moves its
    /// waker into `fired`. Returns how many fired.
    pub(crate) fn advance(&mut self, now: u64, fired: &mut Vec<Waker>) -> usize {
        let now = now.min(MAX_TICK);
        if now > horizon(self.elapsed) {
            return self.leap(now, fired);
        }
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

    /// `advance` to a `now` beyond the wheel's range: rather than visit
    /// every slot (and every top-level rotation) on the way, unlink every
    /// entry, fire the due ones in deadline order, and link the rest again
    /// from `now`. O(n log n), for the rare jump of years.
    #[cold]
    fn leap(&mut self, now: u64, fired: &mut Vec<Waker>) -> usize {
        let mut linked = Vec::with_capacity(self.pending);
        for level in &mut self.levels {
            while level.occupied != 0 {
                let slot = level.occupied.trailing_zeros() as usize;
                level.occupied &= !(1 << slot);
                level.earliest[slot] = UNKNOWN;
                let mut key = std::mem::replace(&mut level.heads[slot], NIL);
                while key != NIL {
                    linked.push(key);
                    key = self.entries[key].next;
                }
            }
        }
        linked.sort_by_key(|&key| (self.entries[key].tick, key));
        self.elapsed = now;
        let mut count = 0;
        for key in linked {
            let entry = &mut self.entries[key];
            entry.prev = NIL;
            entry.next = NIL;
            if entry.tick <= now {
                entry.state = State::Fired;
                fired.extend(entry.waker.take());
                self.pending -= 1;
                count += 1;
            } else {
                self.link(key);
            }
        }
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
        // Where it is linked: its deadline, or the last tick the wheel can
        // represent now if that is sooner (see "Far deadlines" above).
        let tick = self.entries[key].tick.min(horizon(self.elapsed));
        let level = level_for(self.elapsed, tick);
        let slot = ((tick >> (BITS * level as u32)) % SLOTS as u64) as usize;
        let head = self.levels[level].heads[slot];
        {
            let entry = &mut self.entries[key];
            entry.at = tick;
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
        let (prev, next, level, slot, at) = {
            let e = &self.entries[key];
            (e.prev, e.next, e.level as usize, e.slot as usize, e.at)
        };
        // If the slot's cached minimum was this entry's, forget it
        // (recomputed by one walk of the slot when next asked).
        if self.levels[level].earliest[slot] == at {
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
mod tests;
