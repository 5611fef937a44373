//! The thread model's tasks as a debugger reads them: one record per live
//! thread of this module (tasks and pool workers) in a process-wide list
//! starting at the exported symbol `THREADED_DEBUG_HEAD`, saying what the
//! thread is blocked on (join, semaphore, sleep, I/O, other) and since
//! when. `info threaded-tasks` in `runtime/gdb/runtime_gdb.py` (and
//! `runtime/lldb/runtime_lldb.py`) lists them from memory, so it works on a
//! core dump too, beside `info async-tasks` for the event loop.
//!
//! The blocking calls already mark themselves for the trace
//! (`trace::block`); the same guard files the wait here: two relaxed
//! atomic stores and a `clock_gettime(CLOCK_MONOTONIC)` (vDSO, no system
//! call) per blocking call, which is itself a system call. A thread's start
//! and end take a mutex to link and unlink its record.

use std::ptr;
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use std::cell::Cell;

/// `b"RTTHRD01"`: lets a debugger check it is reading a thread record.
const MAGIC: u64 = u64::from_le_bytes(*b"RTTHRD01");

/// What a thread is blocked on (`what` in the record).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub(crate) enum BlockedOn {
    /// Not blocked in one of this module's calls.
    Running = 0,
    /// `JoinHandle::join` (a futex wait on the task's result slot).
    Join = 1,
    /// `Semaphore::acquire` (parked until a permit is handed over).
    Semaphore = 2,
    /// `threaded::sleep` (`clock_nanosleep`).
    Sleep = 3,
    /// `threaded::blocking_io` (a blocking read, write, accept, ...).
    Io = 4,
    /// Another blocking call (an idle pool worker waiting for a job).
    Other = 5,
}

impl BlockedOn {
    /// The kind of a blocking call from its trace label (`"join: futex
    /// wait"`, `"sleep: clock_nanosleep"`, ...): the label's first word.
    pub(crate) fn of_label(what: &str) -> BlockedOn {
        match what.split(':').next() {
            Some("join") => BlockedOn::Join,
            Some("semaphore") => BlockedOn::Semaphore,
            Some("sleep") => BlockedOn::Sleep,
            Some("io") => BlockedOn::Io,
            _ => BlockedOn::Other,
        }
    }
}

/// One live thread (64 bytes, then the list's back link).
///
/// | offset | field | meaning |
/// |--------|-------|---------|
/// | 0  | `magic: u64` | `b"RTTHRD01"` |
/// | 8  | `next: *const ThreadRecord` | the next live thread, or null |
/// | 16 | `tid: u64` | its Linux thread id (gdb's `LWP`) |
/// | 24 | `name: *const u8` | its name (the spawn site, `t:main.rs:42`, or the builder's name), UTF-8 |
/// | 32 | `name_len: u64` | the name's length |
/// | 40 | `since_ns: u64` | `CLOCK_MONOTONIC` (ns) when it last blocked or woke |
/// | 48 | `what: u64` | what it is blocked on: 0 running, 1 join, 2 semaphore, 3 sleep, 4 I/O, 5 other |
/// | 56 | `started_ns: u64` | `CLOCK_MONOTONIC` (ns) when the thread started |
#[repr(C)]
pub struct ThreadRecord {
    magic: u64,
    next: AtomicPtr<ThreadRecord>,
    tid: u64,
    name: *const u8,
    name_len: u64,
    since_ns: AtomicU64,
    what: AtomicU64,
    started_ns: u64,
    /// The previous record (not read by debuggers): O(1) unlinking.
    prev: AtomicPtr<ThreadRecord>,
    /// Owns the bytes `name` points at.
    _name: String,
}

/// The head of the list of live thread-model threads, for debuggers.
#[unsafe(no_mangle)]
pub static THREADED_DEBUG_HEAD: AtomicPtr<ThreadRecord> = AtomicPtr::new(ptr::null_mut());

/// Serialises linking and unlinking.
static LIST_LOCK: Mutex<()> = Mutex::new(());

thread_local! {
    /// This thread's record, if it is one of this module's.
    static CURRENT: Cell<*const ThreadRecord> = const { Cell::new(ptr::null()) };
}

fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_MONOTONIC exists on
    // every Linux; the call cannot fail with these arguments.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    (ts.tv_sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(ts.tv_nsec as u64)
}

/// A thread's record, linked while it lives: made first thing in the new
/// thread, unlinked when dropped at its end.
///
/// The record is owned through the raw pointer `Box::into_raw` returned and
/// freed with `Box::from_raw` after it is unlinked. It is never held as a
/// `Box` while linked: moving a `Box` retags it unique, which would leave
/// the copies of the pointer in the list (and in the neighbours' `prev` and
/// `next`) stale under Rust's aliasing rules, the bug Miri found in the
/// event loop's list of runtimes (`inspect/debug_table.rs`).
pub(crate) struct Registered(*mut ThreadRecord);

impl Registered {
    /// Links a record for the calling thread, named `name`.
    pub(crate) fn new(name: &str) -> Registered {
        // SAFETY: `gettid` has no preconditions and cannot fail.
        let tid = unsafe { libc::syscall(libc::SYS_gettid) } as u64;
        let now = monotonic_ns();
        let name = name.to_string();
        let me = Box::into_raw(Box::new(ThreadRecord {
            magic: MAGIC,
            next: AtomicPtr::new(ptr::null_mut()),
            tid,
            name: name.as_ptr(),
            name_len: name.len() as u64,
            since_ns: AtomicU64::new(now),
            what: AtomicU64::new(BlockedOn::Running as u64),
            started_ns: now,
            prev: AtomicPtr::new(ptr::null_mut()),
            _name: name,
        }));
        {
            let _guard = LIST_LOCK.lock().unwrap_or_else(PoisonError::into_inner);
            let head = THREADED_DEBUG_HEAD.load(Ordering::Acquire);
            // SAFETY: `me` came from `Box::into_raw` above and is not linked
            // yet; a shared reference to its atomic field is valid.
            unsafe { (*me).next.store(head, Ordering::Release) };
            if !head.is_null() {
                // SAFETY: `head` is a linked record; records are unlinked
                // (under LIST_LOCK, held here) before they are freed.
                unsafe { (*head).prev.store(me, Ordering::Release) };
            }
            THREADED_DEBUG_HEAD.store(me, Ordering::Release);
        }
        CURRENT.with(|c| c.set(me));
        Registered(me)
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        let me = self.0;
        let _ = CURRENT.try_with(|c| c.set(ptr::null()));
        {
            let _guard = LIST_LOCK.lock().unwrap_or_else(PoisonError::into_inner);
            // SAFETY: `me` is our own record, alive until freed below; only
            // its atomic fields are read, through shared references.
            let (prev, next) = unsafe {
                (
                    (*me).prev.load(Ordering::Acquire),
                    (*me).next.load(Ordering::Acquire),
                )
            };
            if prev.is_null() {
                THREADED_DEBUG_HEAD.store(next, Ordering::Release);
            } else {
                // SAFETY: `prev` is linked, hence alive (see `new`), and the
                // lock is held.
                unsafe { (*prev).next.store(next, Ordering::Release) };
            }
            if !next.is_null() {
                // SAFETY: as above, for `next`.
                unsafe { (*next).prev.store(prev, Ordering::Release) };
            }
        }
        // SAFETY: `me` came from `Box::into_raw` in `new` and is freed only
        // here, once. It is unlinked, so no list pointer leads to it: other
        // threads reach records only under LIST_LOCK, which orders their
        // walk before our unlink or after it; CURRENT no longer names it.
        drop(unsafe { Box::from_raw(me) });
    }
}

/// Files what the calling thread is blocked on (`BlockedOn::Running` when it
/// wakes); a no-op on a thread that is not one of this module's.
#[inline]
pub(crate) fn set_blocked_on(on: BlockedOn) {
    let record = CURRENT.try_with(Cell::get).unwrap_or(ptr::null());
    if record.is_null() {
        return;
    }
    // SAFETY: CURRENT points at this thread's own record, which lives until
    // `Registered` is dropped on this thread (it clears CURRENT first).
    let record = unsafe { &*record };
    record.since_ns.store(monotonic_ns(), Ordering::Relaxed);
    record.what.store(on as u64, Ordering::Relaxed);
}

/// What a live thread is doing, read back (for tests and `threaded::tasks`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadInfo {
    /// Its Linux thread id.
    pub tid: u64,
    /// Its name (the spawn site, or the builder's name).
    pub name: String,
    /// What it is blocked on: `"running"`, `"join"`, `"semaphore"`,
    /// `"sleep"`, `"I/O"` or `"other"`.
    pub blocked_on: &'static str,
    /// For how long, in ms (since it started, while running).
    pub for_ms: u64,
}

/// The live threads of this module, as a debugger would list them.
///
/// ```
/// use runtime::threaded;
/// use std::time::Duration;
///
/// let sleeper = threaded::spawn(|| threaded::sleep(Duration::from_millis(200)));
/// std::thread::sleep(Duration::from_millis(50));
/// let tasks = threaded::tasks();
/// assert!(tasks.iter().any(|t| t.blocked_on == "sleep"), "{tasks:?}");
/// sleeper.join().unwrap();
/// ```
pub fn tasks() -> Vec<ThreadInfo> {
    let _guard = LIST_LOCK.lock().unwrap_or_else(PoisonError::into_inner);
    let now = monotonic_ns();
    let mut out = Vec::new();
    let mut node = THREADED_DEBUG_HEAD.load(Ordering::Acquire);
    while !node.is_null() {
        // SAFETY: linked records are alive while LIST_LOCK is held.
        let r = unsafe { &*node };
        let what = r.what.load(Ordering::Relaxed);
        out.push(ThreadInfo {
            tid: r.tid,
            name: r._name.clone(),
            blocked_on: match what {
                1 => "join",
                2 => "semaphore",
                3 => "sleep",
                4 => "I/O",
                5 => "other",
                _ => "running",
            },
            for_ms: now.saturating_sub(r.since_ns.load(Ordering::Relaxed)) / 1_000_000,
        });
        node = r.next.load(Ordering::Acquire);
    }
    out.sort_by_key(|t| t.tid);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn the_record_has_the_tabled_offsets() {
        assert_eq!(std::mem::offset_of!(ThreadRecord, next), 8);
        assert_eq!(std::mem::offset_of!(ThreadRecord, tid), 16);
        assert_eq!(std::mem::offset_of!(ThreadRecord, name), 24);
        assert_eq!(std::mem::offset_of!(ThreadRecord, name_len), 32);
        assert_eq!(std::mem::offset_of!(ThreadRecord, since_ns), 40);
        assert_eq!(std::mem::offset_of!(ThreadRecord, what), 48);
        assert_eq!(std::mem::offset_of!(ThreadRecord, started_ns), 56);
    }

    #[test]
    fn labels_map_to_kinds() {
        assert_eq!(BlockedOn::of_label("join: futex wait"), BlockedOn::Join);
        assert_eq!(
            BlockedOn::of_label("semaphore: futex wait"),
            BlockedOn::Semaphore
        );
        assert_eq!(
            BlockedOn::of_label("sleep: clock_nanosleep"),
            BlockedOn::Sleep
        );
        assert_eq!(BlockedOn::of_label("io: read"), BlockedOn::Io);
        assert_eq!(BlockedOn::of_label("pool: recv"), BlockedOn::Other);
    }
}
