//! xorshift64* (Marsaglia's xorshift, with Vigna's multiply): the runtime's
//! one pseudo-random generator. It drives the seeded run queue
//! (`scheduler/run_queue.rs`), schedule exploration (`scheduler/explore.rs`)
//! and `select!`'s fair start (`select.rs`): three shifts and a multiply,
//! and the same stream for the same seed, so a seeded run replays. Not for
//! anything that must be unpredictable.

/// A xorshift64* generator; `Copy`, so it can live in a `Cell`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct XorShift(u64);

impl XorShift {
    /// The generator seeded with `seed`. Zero is a fixed point of
    /// xorshift, so it is replaced by a constant (any other works).
    pub(crate) const fn new(seed: u64) -> XorShift {
        XorShift(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next number of the stream.
    #[inline]
    pub(crate) fn next(&mut self) -> u64 {
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
    use super::XorShift;

    #[test]
    fn one_seed_one_stream_and_zero_is_not_stuck() {
        let (mut a, mut b) = (XorShift::new(7), XorShift::new(7));
        let first: Vec<u64> = (0..4).map(|_| a.next()).collect();
        assert_eq!(first, (0..4).map(|_| b.next()).collect::<Vec<_>>());
        assert_ne!(
            first,
            (0..4).map(|_| XorShift::new(8).next()).collect::<Vec<_>>()
        );
        let mut zero = XorShift::new(0);
        assert_ne!(zero.next(), zero.next());
    }
}
