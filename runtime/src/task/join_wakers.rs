//! The wakers of `JoinHandle`s waiting on unfinished tasks: kept beside the
//! task table, keyed by slot, rather than in every slot.
//!
//! Few tasks have a handle waiting on them while they run: a detached task
//! has none, and a handle awaited after its task finished never files a
//! waker. An `Option<Waker>` in every slot cost 16 of its 80 bytes; here the
//! slot is 64 bytes (one cache line) and only a waiting handle costs
//! memory. The task's record says whether it has an entry here
//! (`DebugTask::join_waiting`), so that finishing or freeing a task that
//! nobody waits on never looks this map up.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::task::Waker;

/// Slot key → the waker of the `JoinHandle` waiting on that slot's task.
#[derive(Default)]
pub(crate) struct JoinWakers {
    map: HashMap<u32, Waker, BuildHasherDefault<KeyHasher>>,
}

impl JoinWakers {
    /// Files `waker` for slot `key`; returns the one it replaces.
    pub(crate) fn insert(&mut self, key: u32, waker: Waker) -> Option<Waker> {
        self.map.insert(key, waker)
    }

    /// The waker filed for slot `key`.
    pub(crate) fn get(&self, key: u32) -> Option<&Waker> {
        self.map.get(&key)
    }

    /// Takes the waker filed for slot `key` out.
    pub(crate) fn take(&mut self, key: u32) -> Option<Waker> {
        self.map.remove(&key)
    }

    /// How many handles wait.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }
}

/// A multiplicative (Fibonacci) hash of a slot key: keys are small dense
/// integers that no one outside the runtime chooses, so SipHash's defence
/// against chosen keys buys nothing here; the multiply spreads them over
/// the bits `HashMap` uses for both its bucket index and its tag.
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte) ^ self.0.rotate_left(8));
        }
    }

    fn write_u32(&mut self, key: u32) {
        self.write_u64(u64::from(key));
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::task::Wake;

    struct Nop;
    impl Wake for Nop {
        fn wake(self: Arc<Self>) {}
    }

    #[test]
    fn files_replaces_and_takes_by_key() {
        let waker = Waker::from(Arc::new(Nop));
        let mut wakers = JoinWakers::default();
        for key in 0..1000 {
            assert!(wakers.insert(key, waker.clone()).is_none());
        }
        assert!(wakers.insert(7, waker.clone()).is_some(), "replaced");
        assert!(wakers.get(999).is_some() && wakers.get(1000).is_none());
        assert!(wakers.take(7).is_some() && wakers.take(7).is_none());
        assert_eq!(wakers.len(), 999);
    }

    #[test]
    fn the_hash_spreads_dense_keys_over_the_top_bits() {
        let tops: std::collections::HashSet<u64> = (0..128u32)
            .map(|key| {
                let mut h = KeyHasher::default();
                h.write_u32(key);
                h.finish() >> 57
            })
            .collect();
        assert!(tops.len() > 64, "{} distinct tags for 128 keys", tops.len());
    }
}
