//! Tracing the thread model: which thread ran when, and where each one
//! blocked in the kernel.
//!
//! [`start`] turns recording on for the whole process; [`finish`] turns it
//! off and returns Chrome Trace Event JSON (Perfetto and chrome://tracing
//! open it; `demo timeline` draws it beside the event loop's trace). One
//! track per OS thread (its Linux thread id, named as `ps -L` shows it),
//! with a `running` slice from the thread's start to its end, `blocked`
//! slices inside it for each blocking call (`sleep`: `clock_nanosleep`;
//! `join`, `Semaphore::acquire`: `futex` waits), and a flow arrow from each
//! `spawn` to the new thread's first instant.
//!
//! Off, each hook costs one relaxed atomic load.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use crate::inspect::chrome::{Arg, Chrome};

static ENABLED: AtomicBool = AtomicBool::new(false);
static NEXT_FLOW: AtomicU64 = AtomicU64::new(1);
static RECORDER: Mutex<Option<Recorder>> = Mutex::new(None);

struct Recorder {
    base: Instant,
    events: Vec<Event>,
}

enum Event {
    Spawn {
        t: u64,
        tid: i64,
        flow: u64,
        child: String,
    },
    Start {
        t: u64,
        tid: i64,
        flow: u64,
        name: String,
    },
    End {
        t: u64,
        tid: i64,
    },
    Block {
        t0: u64,
        t1: u64,
        tid: i64,
        what: &'static str,
    },
}

/// Starts recording (clears an earlier recording).
pub fn start() {
    let mut recorder = RECORDER.lock().unwrap_or_else(PoisonError::into_inner);
    *recorder = Some(Recorder {
        base: Instant::now(),
        events: Vec::with_capacity(4096),
    });
    ENABLED.store(true, Ordering::Release);
}

/// Stops recording and returns the trace as Chrome Trace Event JSON
/// (an empty trace if [`start`] was not called).
pub fn finish() -> String {
    ENABLED.store(false, Ordering::Release);
    let recorder = RECORDER
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    to_json(recorder.as_ref())
}

#[inline]
fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

fn record(make: impl FnOnce(u64) -> Event) {
    let mut guard = RECORDER.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(recorder) = guard.as_mut() {
        let t = recorder.base.elapsed().as_nanos() as u64;
        recorder.events.push(make(t));
    }
}

fn tid() -> i64 {
    // SAFETY: `gettid` has no preconditions and cannot fail.
    unsafe { libc::syscall(libc::SYS_gettid) }
}

/// In the parent, before creating a thread: returns the flow id that the
/// child's [`thread_start`] completes (0 when off).
pub(crate) fn spawning(child: &str) -> u64 {
    if !enabled() {
        return 0;
    }
    let flow = NEXT_FLOW.fetch_add(1, Ordering::Relaxed);
    let tid = tid();
    let child = child.to_string();
    record(|t| Event::Spawn {
        t,
        tid,
        flow,
        child,
    });
    flow
}

/// First thing in a new thread.
pub(crate) fn thread_start(flow: u64) {
    if !enabled() {
        return;
    }
    let tid = tid();
    let name = std::thread::current().name().unwrap_or("?").to_string();
    record(|t| Event::Start { t, tid, flow, name });
}

/// Last thing in a thread.
pub(crate) fn thread_end() {
    if enabled() {
        let tid = tid();
        record(|t| Event::End { t, tid });
    }
}

/// Marks a blocking call; the slice ends when the guard is dropped. The
/// thread's debugger record (`debug.rs`) says what it is blocked on until
/// then (the label's first word: `join`, `semaphore`, `sleep`, `io`).
pub(crate) fn block(what: &'static str) -> Blocked {
    super::debug::set_blocked_on(super::debug::BlockedOn::of_label(what));
    Blocked {
        started: enabled().then(|| {
            let guard = RECORDER.lock().unwrap_or_else(PoisonError::into_inner);
            guard
                .as_ref()
                .map_or(0, |r| r.base.elapsed().as_nanos() as u64)
        }),
        what,
    }
}

/// See [`block`].
pub(crate) struct Blocked {
    started: Option<u64>,
    what: &'static str,
}

impl Drop for Blocked {
    fn drop(&mut self) {
        super::debug::set_blocked_on(super::debug::BlockedOn::Running);
        if let Some(t0) = self.started {
            let (tid, what) = (tid(), self.what);
            record(|t1| Event::Block { t0, t1, tid, what });
        }
    }
}

/// The trace's process id (the event loop's is 1, so that `demo timeline`
/// can show both in one view).
const PID: u32 = 2;

/// The recording as Chrome trace events: one track per OS thread, a
/// `running` slice from its start to its end, `blocked` slices inside it,
/// and a flow arrow from each spawn to the new thread's start.
fn to_json(recorder: Option<&Recorder>) -> String {
    let events = recorder.map_or(&[][..], |r| &r.events[..]);
    let mut json = Chrome::new(
        256 + events.len() * 120,
        &[("runtime", Arg::Str("threads"))],
    );
    json.process_name(PID, "threads (one OS thread per task)");
    let mut starts = std::collections::HashMap::new();
    for event in events {
        if let Event::Start { t, tid, .. } = event {
            starts.insert(*tid, *t);
        }
    }
    for event in events {
        match event {
            Event::Spawn {
                t,
                tid,
                flow,
                child,
            } => {
                json.instant(&format!("spawn {child}"), "spawn", PID, *tid, *t, &[]);
                json.flow_from("spawn", *flow, PID, *tid, *t);
            }
            Event::Start { t, tid, flow, name } => {
                json.thread_name(PID, *tid, &format!("thread {tid} {name}"));
                if *flow != 0 {
                    json.flow_to("spawn", *flow, PID, *tid, *t);
                }
            }
            Event::End { t, tid } => {
                let t0 = starts.get(tid).copied().unwrap_or(*t);
                json.slice("running", "thread", PID, *tid, t0, *t, &[]);
            }
            Event::Block { t0, t1, tid, what } => {
                let args = [("in", Arg::Str(what))];
                json.slice("blocked", "thread", PID, *tid, *t0, *t1, &args);
            }
        }
    }
    json.finish()
}
