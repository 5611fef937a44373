//! The trace's recording buffers: fixed capacity, mapped and populated
//! once, outside the allocator.
//!
//! A trace buffer is large (the default 262,144 events are 8 MiB) and lives
//! as long as the runtime. Two things about getting it from `malloc` made
//! tracing cost more than its own work:
//!
//! - **first-touch page faults while recording**: `malloc` hands out
//!   untouched pages, and on this project's KVM machines a first-touch fault
//!   costs about a microsecond, one per 128 events. Here the mapping is made
//!   with `MAP_POPULATE` (`mmap(2)`): the kernel allocates every page up
//!   front, in one call, and recording never faults.
//! - **the program's own allocations got slower**: freeing a large `malloc`
//!   block raises glibc's dynamic mmap threshold to its size, after which
//!   the program's large vectors (the task table, the run queue) grow by
//!   copying instead of by `mremap`: a traced run of `benches spawn` spent
//!   ~9 % of its instructions in `memcpy` for that alone. A mapping of our
//!   own is returned with `munmap(2)` and leaves `malloc` as it was.
//!
//! If the kernel refuses the mapping, [`TraceBuf::with_capacity`] fails with
//! `OutOfMemory` (the builder reports it).

use std::io;
use std::marker::PhantomData;
use std::ptr::NonNull;

/// A vector of `Copy` values with a fixed capacity, in its own populated
/// anonymous mapping (see the module doc).
pub(crate) struct TraceBuf<T: Copy> {
    ptr: NonNull<T>,
    len: usize,
    cap: usize,
    /// Bytes mapped (0: nothing mapped, for a capacity of 0 or a zero-sized
    /// `T`).
    mapped: usize,
    _owns: PhantomData<T>,
}

impl<T: Copy> TraceBuf<T> {
    /// A buffer for `cap` values, mapped and populated now.
    ///
    /// # Errors
    /// `OutOfMemory` when the size overflows or `mmap` fails.
    pub(crate) fn with_capacity(cap: usize) -> io::Result<TraceBuf<T>> {
        let oom = |why: String| io::Error::new(io::ErrorKind::OutOfMemory, why);
        let size = std::mem::size_of::<T>();
        let bytes = cap
            .checked_mul(size)
            .ok_or_else(|| oom(format!("{cap} × {size} bytes overflows")))?;
        // MAP_POPULATE allocates every page now: a buffer larger than the
        // machine's memory would not fail but summon the OOM killer (with
        // overcommit on), so it is refused here.
        let physical = physical_memory();
        if physical > 0 && bytes as u128 > physical {
            return Err(oom(format!(
                "{bytes} bytes is more than this machine's {physical} bytes of memory"
            )));
        }
        if bytes == 0 {
            return Ok(TraceBuf {
                ptr: NonNull::dangling(),
                len: 0,
                cap: if size == 0 { cap } else { 0 },
                mapped: 0,
                _owns: PhantomData,
            });
        }
        let addr = map(bytes, std::mem::align_of::<T>())?;
        // `mmap` returns page-aligned memory, aligned for any `T` whose
        // alignment is at most a page (every type stored here).
        debug_assert_eq!(addr as usize % std::mem::align_of::<T>(), 0);
        let ptr = NonNull::new(addr.cast::<T>()).ok_or_else(|| oom("mmap returned null".into()))?;
        Ok(TraceBuf {
            ptr,
            len: 0,
            cap,
            mapped: bytes,
            _owns: PhantomData,
        })
    }

    /// Appends `value` if there is room; whether there was.
    #[inline]
    pub(crate) fn push(&mut self, value: T) -> bool {
        if self.len == self.cap {
            return false;
        }
        // SAFETY: `len < cap`, so the slot is inside the mapping (or `T` is
        // zero-sized and any aligned non-null pointer is valid); writing a
        // `Copy` value over uninitialised memory needs no drop.
        unsafe { self.ptr.as_ptr().add(self.len).write(value) };
        self.len += 1;
        true
    }

    /// The values pushed, in order.
    pub(crate) fn as_slice(&self) -> &[T] {
        // SAFETY: the first `len` slots were written by `push`; the mapping
        // lives as long as `self`.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl<T: Copy> Drop for TraceBuf<T> {
    fn drop(&mut self) {
        if self.mapped > 0 {
            // SAFETY: exactly the memory `map(self.mapped, align_of::<T>())` returned in
            // `with_capacity`, released once; no reference into it outlives
            // `self`.
            unsafe {
                unmap(
                    self.ptr.as_ptr().cast(),
                    self.mapped,
                    std::mem::align_of::<T>(),
                )
            };
        }
    }
}

/// The machine's physical memory in bytes (`sysconf(3)`), 0 if unknown.
#[cfg(not(miri))]
fn physical_memory() -> u128 {
    // SAFETY: sysconf has no preconditions.
    let (pages, page) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    (pages.max(0) as u128) * (page.max(0) as u128)
}

/// Unknown under Miri, which has no `_SC_PHYS_PAGES`.
#[cfg(miri)]
fn physical_memory() -> u128 {
    0
}

/// `bytes` (> 0) of fresh memory aligned to `align` (at most a page): an
/// anonymous private mapping, populated now (`mmap(2)` with `MAP_POPULATE`;
/// a mapping is page-aligned).
#[cfg(not(miri))]
fn map(bytes: usize, _align: usize) -> io::Result<*mut libc::c_void> {
    // SAFETY: an anonymous private mapping at an address of the kernel's
    // choosing: it touches no existing memory. The result is checked
    // against MAP_FAILED before use.
    let addr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            bytes,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_POPULATE,
            -1,
            0,
        )
    };
    if addr == libc::MAP_FAILED {
        return Err(io::Error::new(
            io::ErrorKind::OutOfMemory,
            format!("mmap of {bytes} bytes: {}", io::Error::last_os_error()),
        ));
    }
    Ok(addr)
}

/// Under Miri (which does not emulate `MAP_POPULATE`) the memory comes from
/// the global allocator, so the rest of the buffer's code is still checked.
#[cfg(miri)]
fn map(bytes: usize, align: usize) -> io::Result<*mut libc::c_void> {
    let layout = std::alloc::Layout::from_size_align(bytes, align)
        .map_err(|e| io::Error::new(io::ErrorKind::OutOfMemory, e.to_string()))?;
    // SAFETY: `layout` has a non-zero size (the caller maps `bytes > 0`).
    let addr = unsafe { std::alloc::alloc(layout) };
    if addr.is_null() {
        return Err(io::Error::new(
            io::ErrorKind::OutOfMemory,
            format!("allocation of {bytes} bytes failed"),
        ));
    }
    Ok(addr.cast())
}

/// Returns memory from [`map`] (`munmap(2)`).
///
/// # Safety
/// `addr`, `bytes` and `align` are exactly those of one earlier
/// `map(bytes, align)`, released once.
#[cfg(not(miri))]
unsafe fn unmap(addr: *mut libc::c_void, bytes: usize, _align: usize) {
    // SAFETY: the caller passes exactly one earlier mapping.
    unsafe { libc::munmap(addr, bytes) };
}

/// Returns memory from [`map`] to the global allocator.
///
/// # Safety
/// As for the mapping version.
#[cfg(miri)]
unsafe fn unmap(addr: *mut libc::c_void, bytes: usize, align: usize) {
    // SAFETY: the caller passes exactly one earlier allocation of this size
    // and alignment (the layout `map` built, which was valid).
    unsafe {
        std::alloc::dealloc(
            addr.cast(),
            std::alloc::Layout::from_size_align_unchecked(bytes, align),
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pushes_up_to_capacity_then_refuses() {
        let mut buf = TraceBuf::<(u64, u32)>::with_capacity(1000).unwrap();
        for i in 0..1000 {
            assert!(buf.push((i, i as u32)));
        }
        assert!(!buf.push((0, 0)));
        assert_eq!(buf.as_slice().len(), 1000);
        assert_eq!(buf.as_slice()[999], (999, 999));
    }

    #[test]
    fn zero_capacity_and_impossible_sizes() {
        let mut empty = TraceBuf::<u64>::with_capacity(0).unwrap();
        assert!(!empty.push(1));
        assert!(empty.as_slice().is_empty());
        let err = TraceBuf::<u64>::with_capacity(usize::MAX).err().unwrap();
        assert_eq!(err.kind(), io::ErrorKind::OutOfMemory);
        // A size the layout accepts but no machine has: mmap(2) refuses it.
        // Miri's allocator (the buffer's memory under Miri) aborts the
        // interpreter instead of returning null, so this part is native only.
        #[cfg(not(miri))]
        {
            let err = TraceBuf::<u64>::with_capacity(1 << 58).err().unwrap();
            assert_eq!(err.kind(), io::ErrorKind::OutOfMemory, "{err}");
        }
    }
}
