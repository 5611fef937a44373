//! [`ReadBuf`]: a buffer that may start uninitialised, and records how much
//! of it is filled and how much is initialised.
//!
//! **Why.** `poll_read(&mut [u8])` needs initialised memory: a caller with a
//! fresh allocation (the spare capacity of a `Vec`) must zero it first, a
//! `memset` per read that the kernel then overwrites. A `ReadBuf` can wrap
//! uninitialised memory (`&mut [MaybeUninit<u8>]`); a reader that writes
//! through a raw pointer (`recv(2)` on a socket) fills it without the
//! zeroing, and one that needs a `&mut [u8]` asks for
//! [`initialize_unfilled`](ReadBuf::initialize_unfilled), which zeroes only
//! what was never initialised before.
//!
//! **What.** The same type as tokio's `ReadBuf`, with the same invariant:
//!
//! ```text
//!  [ filled (read, initialised) | initialised, unfilled | uninitialised ]
//!  0                      filled ≤              initialized ≤     capacity
//! ```
//!
//! Every byte below `initialized` holds a value; `filled` only ever counts
//! initialised bytes. Safe code cannot break this: the one way to claim
//! bytes initialised without writing them through `&mut [u8]` is the
//! `unsafe` [`assume_init`](ReadBuf::assume_init).

use std::fmt;
use std::mem::MaybeUninit;

/// A read buffer over possibly uninitialised memory: see the module docs.
///
/// ```
/// use std::mem::MaybeUninit;
/// use runtime::io::{AsyncReadExt, ReadBuf};
///
/// // 64 bytes never written to: no zeroing before the read.
/// let mut storage = [MaybeUninit::<u8>::uninit(); 64];
/// let mut buf = ReadBuf::uninit(&mut storage);
/// let mut src: &[u8] = b"hello";
/// let n = runtime::block_on(src.read_buf(&mut buf)).unwrap();
/// assert_eq!((n, buf.filled()), (5, &b"hello"[..]));
/// assert_eq!(buf.remaining(), 59);
/// ```
pub struct ReadBuf<'a> {
    buf: &'a mut [MaybeUninit<u8>],
    filled: usize,
    initialized: usize,
}

impl<'a> ReadBuf<'a> {
    /// A buffer over initialised memory: all of it counts as initialised,
    /// none as filled.
    pub fn new(buf: &'a mut [u8]) -> ReadBuf<'a> {
        let initialized = buf.len();
        // SAFETY: `MaybeUninit<u8>` has the layout of `u8`, and every byte
        // of `buf` is initialised; the `ReadBuf` never writes an
        // uninitialised value into it (only `assume_init`, which is
        // `unsafe`, could claim so, and it only moves the cursor).
        let buf = unsafe { &mut *(std::ptr::from_mut::<[u8]>(buf) as *mut [MaybeUninit<u8>]) };
        ReadBuf {
            buf,
            filled: 0,
            initialized,
        }
    }

    /// A buffer over memory that may be uninitialised (for example
    /// `Vec::spare_capacity_mut`): none of it counts as initialised.
    pub fn uninit(buf: &'a mut [MaybeUninit<u8>]) -> ReadBuf<'a> {
        ReadBuf {
            buf,
            filled: 0,
            initialized: 0,
        }
    }

    /// The total size of the buffer.
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// How many more bytes can be read into it: `capacity - filled`.
    pub fn remaining(&self) -> usize {
        self.capacity() - self.filled
    }

    /// The bytes read so far.
    pub fn filled(&self) -> &[u8] {
        // SAFETY: `filled ≤ initialized`, so these bytes are initialised.
        unsafe { slice_assume_init(&self.buf[..self.filled]) }
    }

    /// The bytes read so far, mutably.
    pub fn filled_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `filled`; `&mut [u8]` can only write initialised
        // values.
        unsafe { slice_assume_init_mut(&mut self.buf[..self.filled]) }
    }

    /// Every initialised byte: the filled ones, then any initialised but
    /// not yet filled.
    pub fn initialized(&self) -> &[u8] {
        // SAFETY: the invariant: bytes below `initialized` are initialised.
        unsafe { slice_assume_init(&self.buf[..self.initialized]) }
    }

    /// Forgets what was read: `filled` goes back to 0 (what is initialised
    /// stays so).
    pub fn clear(&mut self) {
        self.filled = 0;
    }

    /// Counts `n` more bytes as filled, after a read wrote them into
    /// [`initialize_unfilled`](Self::initialize_unfilled)'s slice.
    ///
    /// # Panics
    /// If the filled part would pass the initialised part.
    pub fn advance(&mut self, n: usize) {
        let filled = self
            .filled
            .checked_add(n)
            .expect("ReadBuf: filled overflow");
        self.set_filled(filled);
    }

    /// Sets how many bytes are filled.
    ///
    /// # Panics
    /// If `n` is more than the initialised part.
    pub fn set_filled(&mut self, n: usize) {
        assert!(
            n <= self.initialized,
            "ReadBuf: {n} bytes filled, but only {} initialised",
            self.initialized
        );
        self.filled = n;
    }

    /// Claims the first `n` unfilled bytes initialised (after a syscall
    /// wrote them through [`unfilled_mut`](Self::unfilled_mut)).
    ///
    /// # Safety
    /// The first `n` bytes of the unfilled part must be initialised.
    pub unsafe fn assume_init(&mut self, n: usize) {
        let end = self.filled + n;
        if end > self.initialized {
            self.initialized = end.min(self.capacity());
        }
    }

    /// The unfilled part, possibly uninitialised, to be written through a
    /// raw pointer (`recv(2)`).
    ///
    /// # Safety
    /// The caller must not write an uninitialised value
    /// (`MaybeUninit::uninit()`) into it: the initialised bytes among it
    /// must stay initialised.
    pub unsafe fn unfilled_mut(&mut self) -> &mut [MaybeUninit<u8>] {
        &mut self.buf[self.filled..]
    }

    /// The whole unfilled part as `&mut [u8]`, zeroing the bytes of it that
    /// were never initialised (once: they count as initialised after).
    pub fn initialize_unfilled(&mut self) -> &mut [u8] {
        self.initialize_unfilled_to(self.remaining())
    }

    /// The first `n` unfilled bytes as `&mut [u8]`, zeroing any that were
    /// never initialised.
    ///
    /// # Panics
    /// If `n` is more than [`remaining`](Self::remaining).
    pub fn initialize_unfilled_to(&mut self, n: usize) -> &mut [u8] {
        assert!(
            n <= self.remaining(),
            "ReadBuf: {n} bytes asked for, {} remain",
            self.remaining()
        );
        let end = self.filled + n;
        if end > self.initialized {
            for byte in &mut self.buf[self.initialized..end] {
                byte.write(0);
            }
            self.initialized = end;
        }
        // SAFETY: bytes `filled..end` are below `initialized` now.
        unsafe { slice_assume_init_mut(&mut self.buf[self.filled..end]) }
    }

    /// Appends `src` to the filled part.
    ///
    /// # Panics
    /// If `src` is longer than [`remaining`](Self::remaining).
    pub fn put_slice(&mut self, src: &[u8]) {
        assert!(
            src.len() <= self.remaining(),
            "ReadBuf: {} bytes put, {} remain",
            src.len(),
            self.remaining()
        );
        let end = self.filled + src.len();
        for (dst, &b) in self.buf[self.filled..end].iter_mut().zip(src) {
            dst.write(b);
        }
        self.initialized = self.initialized.max(end);
        self.filled = end;
    }
}

impl fmt::Debug for ReadBuf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadBuf")
            .field("filled", &self.filled)
            .field("initialized", &self.initialized)
            .field("capacity", &self.capacity())
            .finish()
    }
}

/// # Safety
/// Every byte of `s` must be initialised.
unsafe fn slice_assume_init(s: &[MaybeUninit<u8>]) -> &[u8] {
    // SAFETY: same layout; the caller vouches for initialisation.
    unsafe { &*(std::ptr::from_ref::<[MaybeUninit<u8>]>(s) as *const [u8]) }
}

/// # Safety
/// Every byte of `s` must be initialised.
unsafe fn slice_assume_init_mut(s: &mut [MaybeUninit<u8>]) -> &mut [u8] {
    // SAFETY: same layout; the caller vouches for initialisation, and
    // writes through `&mut [u8]` keep the bytes initialised.
    unsafe { &mut *(std::ptr::from_mut::<[MaybeUninit<u8>]>(s) as *mut [u8]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_follow_reads_and_zeroing_happens_once() {
        let mut storage = [MaybeUninit::<u8>::uninit(); 8];
        let mut buf = ReadBuf::uninit(&mut storage);
        assert_eq!((buf.filled().len(), buf.initialized().len()), (0, 0));
        buf.put_slice(b"ab");
        assert_eq!((buf.filled(), buf.initialized()), (&b"ab"[..], &b"ab"[..]));
        let rest = buf.initialize_unfilled_to(3);
        assert_eq!(rest, [0, 0, 0]);
        rest.copy_from_slice(b"cde");
        assert_eq!(buf.initialized().len(), 5);
        buf.advance(2);
        assert_eq!(buf.filled(), b"abcd");
        // Already initialised: not zeroed again.
        assert_eq!(buf.initialize_unfilled_to(1), b"e");
        buf.clear();
        assert_eq!((buf.filled().len(), buf.initialized().len()), (0, 5));
    }

    #[test]
    fn new_counts_everything_initialised() {
        let mut storage = *b"xyz";
        let mut buf = ReadBuf::new(&mut storage);
        assert_eq!((buf.initialized(), buf.remaining()), (&b"xyz"[..], 3));
        buf.set_filled(3);
        assert_eq!(buf.filled_mut(), b"xyz");
    }

    #[test]
    #[should_panic(expected = "only 0 initialised")]
    fn advancing_past_the_initialised_part_panics() {
        let mut storage = [MaybeUninit::<u8>::uninit(); 4];
        ReadBuf::uninit(&mut storage).advance(1);
    }
}
