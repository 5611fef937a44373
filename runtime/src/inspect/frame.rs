//! Async backtraces: `framed` (`framed.rs`) marks an async function (or any
//! future) as a frame, so that a suspended task's chain of frames can be printed, from
//! the outermost to the one it waits in, like a thread's backtrace
//! (`inspect::dump`, gdb's `async-where`).
//!
//! A thread's backtrace comes from its stack. A suspended task has no stack:
//! its "frames" are futures nested inside each other in the task's one
//! allocation. A `Framed` future gives one of them a [`Frame`] record: a name, the
//! site of the `framed` call, and a pointer to the enclosing frame. The
//! links are made during a poll: entering a `Framed`'s poll makes it the
//! scheduler's current frame (its parent is the one that was current), and
//! leaving restores the parent. When a leaf future notes what the task
//! waits on, the current frame is noted with it; the scheduler files it in
//! the task's record (`DebugTask::frame`). Since the futures are pinned, the
//! chain stays valid while the task is suspended.
//!
//! Cost: unused, nothing but one `Cell` reset per poll. Used, two `Cell`
//! accesses per `Framed` poll and 48 bytes per frame, no allocation.

use std::fmt;
use std::panic::Location;
use std::ptr;

/// `b"RTFRAME1"`: lets a debugger check it is reading a frame.
pub(crate) const FRAME_MAGIC: u64 = u64::from_le_bytes(*b"RTFRAME1");

/// One frame of an async backtrace, as a debugger reads it (48 bytes).
///
/// | offset | field | meaning |
/// |--------|-------|---------|
/// | 0  | `magic: u64` | `b"RTFRAME1"` |
/// | 8  | `name: *const u8` | the frame's name (UTF-8) |
/// | 16 | `name_len: u64` | its length |
/// | 24 | `at: *const Location` | the `framed` call (`#[track_caller]`) |
/// | 32 | `parent: *const Frame` | the enclosing frame, or null |
/// | 40 | `_reserved: u64` | zero |
#[repr(C)]
pub struct Frame {
    magic: u64,
    name: *const u8,
    name_len: u64,
    at: *const Location<'static>,
    parent: *const Frame,
    _reserved: u64,
}

// SAFETY: a `Frame` holds pointers to `'static` data (its name and site)
// and to its parent frame, which it only follows on the loop's thread (the
// chain is walked by the dump, which runs there); sending or sharing one
// (inside a `Send` future) moves no access to another thread.
unsafe impl Send for Frame {}
// SAFETY: as above; `&Frame` gives no access to anything mutable.
unsafe impl Sync for Frame {}

impl Frame {
    /// A frame named `name`, made at `at`, not yet linked.
    pub(crate) fn new(name: &'static str, at: &'static Location<'static>) -> Frame {
        Frame {
            magic: FRAME_MAGIC,
            name: name.as_ptr(),
            name_len: name.len() as u64,
            at,
            parent: ptr::null(),
            _reserved: 0,
        }
    }

    /// Links the frame under `parent` (the frame being polled around it).
    pub(crate) fn set_parent(&mut self, parent: *const Frame) {
        self.parent = parent;
    }

    /// The frame's name.
    pub fn name(&self) -> &'static str {
        // SAFETY: `name`/`name_len` come from a `&'static str` in `framed`.
        unsafe {
            std::str::from_utf8_unchecked(std::slice::from_raw_parts(
                self.name,
                self.name_len as usize,
            ))
        }
    }

    /// Where `framed` was called.
    pub fn location(&self) -> &'static Location<'static> {
        // SAFETY: `at` is the `&'static Location` of `framed`'s caller.
        unsafe { &*self.at }
    }
}

impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.name(), self.location())
    }
}

/// The chain from `innermost` up to the outermost frame, as (name, site)
/// pairs, outermost first. Stops at a frame whose magic is wrong (a chain
/// that outlived its futures: the loop never files one, but a debugger
/// reading a torn state might).
///
/// # Safety
/// `innermost` is null or points to a live `Frame` whose parents are live:
/// true of a suspended task's filed frame, read on the loop's thread.
pub(crate) unsafe fn chain(
    innermost: *const Frame,
) -> Vec<(&'static str, &'static Location<'static>)> {
    let mut frames = Vec::new();
    let mut frame = innermost;
    // A bound against a cycle, which a valid chain never has.
    while !frame.is_null() && frames.len() < 1024 {
        // SAFETY: see the function's contract.
        let f = unsafe { &*frame };
        if f.magic != FRAME_MAGIC {
            break;
        }
        frames.push((f.name(), f.location()));
        frame = f.parent;
    }
    frames.reverse();
    frames
}
