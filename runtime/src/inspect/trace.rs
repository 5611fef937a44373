//! The event-loop trace: what ran when, and what woke what.
//!
//! With `Builder::trace(path)` the executor records events into a buffer
//! allocated once at build time (no allocation while recording; when it is
//! full, further events are counted as dropped). When the runtime is dropped
//! the buffer is written as Chrome Trace Event Format JSON, which Perfetto
//! (ui.perfetto.dev) and chrome://tracing open:
//!
//! - one track per task (`tid` = task id) with a slice per poll;
//! - one track for the reactor (`tid` 0): a `turn` slice per `park`, holding
//!   the `epoll_wait` slice (timeout asked, events returned) and the wakes and
//!   timer fires that follow it;
//! - a **flow arrow** from each wake (on the track of whoever woke: a task, or
//!   the reactor for I/O readiness, timers and other threads) to the poll it
//!   caused.
//!
//! When tracing is off the executor's cost is one `Option` test per hook.
//!
//! # What recording costs, and how it is kept down
//!
//! The trace must be cheap enough to leave on while debugging a real
//! workload, where a poll or a wake is a few dozen nanoseconds:
//!
//! - **Timestamps are raw ticks** of [`TraceClock`] (one `rdtsc` where the
//!   TSC is a clock, `trace_clock.rs`), converted to nanoseconds once, when
//!   the trace is written, with the rate measured over the whole trace.
//! - **One clock read per poll, shared by its events.** A poll is stamped
//!   when it begins. A wake or a spawn made while it runs is recorded as
//!   just the task it concerns: who made it (the polled task) and when (the
//!   `k`-th one of a poll is drawn `k` ns after the poll's start, inside its
//!   slice and in order; its exact time inside the poll is not recorded) are
//!   filled in when the trace is written. A poll after which another task is ready records no end: it
//!   ends where the loop next reads the clock (the next poll's start, or the
//!   turn's), so its slice includes the loop's hand-over to the next task,
//!   tens of nanoseconds. A poll after which nothing is ready, one that
//!   returned `Ready`, and every poll of the `block_on` future read the
//!   clock at their end, so a slice never stretches over the loop waiting in
//!   `epoll_wait` or over the caller's code after `block_on`. A ping-pong
//!   switch (one poll, one wake) reads the clock once, where it used to read
//!   it three times. Wakes from the reactor, timers, other threads or the
//!   loop itself read the clock.
//! - **Flow arrows are made at write time**: the arrow's id and the poll that
//!   ends it are found by replaying the events in order (a task's next poll
//!   after a wake ends that wake's arrow), so recording a wake does no
//!   per-task bookkeeping.
//! - **An event is 32 bytes** (pinned by a test) in a buffer mapped and
//!   populated when the runtime is built (`trace_buffer.rs`): recording
//!   takes no page fault (on a VM a first-touch fault costs about a
//!   microsecond, one per 128 events, more than the events themselves) and
//!   the buffer does not change how `malloc` serves the program. The price
//!   is paid at `build`: the whole capacity is resident from the start
//!   (the default, 262,144 events, is 8 MiB, plus 4 MiB of spawn sites).
//!
//! This file records; `trace/event.rs` is the 32-byte event it records, and
//! `trace/write.rs` turns the events into the JSON file.

mod event;
mod write;

use std::panic::Location;
use std::path::PathBuf;

use super::trace_buffer::TraceBuf;
use super::trace_clock::TraceClock;
use crate::task::TaskId;
use event::{Event, SourceKind};

/// Who caused a wake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    /// A task (or the `block_on` future) being polled, by id.
    Task(u64),
    /// epoll reported an fd ready.
    Reactor,
    /// A timer fired.
    Timer,
    /// Another thread (through the eventfd), e.g. the blocking pool.
    Remote,
    /// The loop itself, outside any poll or turn (e.g. while it shuts down).
    Loop,
}

/// The recording buffer and what is needed to name the tracks.
pub(crate) struct Trace {
    path: PathBuf,
    clock: TraceClock,
    events: TraceBuf<Event>,
    dropped: u64,
    sites: TraceBuf<(u64, &'static Location<'static>)>,
    main_ids: Vec<u64>,
    /// The task being polled now (its wakes and spawns are `Poll*` events);
    /// `None` between polls.
    polling: Option<u64>,
}

impl Trace {
    /// A recorder for up to `capacity` events, allocated now.
    ///
    /// # Errors
    /// `OutOfMemory` if the buffer cannot be allocated (a capacity of
    /// `1 << 40` events asks for tens of terabytes): the runtime's builder
    /// reports it instead of aborting the process.
    pub(crate) fn new(path: PathBuf, capacity: usize) -> std::io::Result<Trace> {
        let what = |kind: &str, e: std::io::Error| {
            std::io::Error::new(
                e.kind(),
                format!(
                    "Builder::trace_capacity({capacity}): cannot allocate {kind} of \
                     {capacity} ({} bytes each): {e}",
                    std::mem::size_of::<Event>()
                ),
            )
        };
        let events = TraceBuf::with_capacity(capacity).map_err(|e| what("a trace buffer", e))?;
        // One spawn site per task: never more than one per event.
        let sites = TraceBuf::with_capacity(capacity).map_err(|e| what("the spawn sites", e))?;
        Ok(Trace {
            path,
            clock: TraceClock::new(),
            events,
            dropped: 0,
            sites,
            main_ids: Vec::new(),
            polling: None,
        })
    }

    /// The time now, in ticks of the trace's clock (`trace_clock.rs`).
    #[inline]
    pub(crate) fn now(&self) -> u64 {
        self.clock.now()
    }

    #[inline]
    fn push(&mut self, event: Event) {
        if !self.events.push(event) {
            self.dropped += 1;
        }
    }

    #[inline]
    pub(crate) fn spawn(&mut self, task: u64, parent: u64, at: &'static Location<'static>) {
        // A site that does not fit is dropped with its event.
        self.sites.push((task, at));
        if self.polling == Some(parent) {
            self.push(Event::PollSpawn { task });
        } else {
            let t = self.now();
            self.push(Event::Spawn { t, task, parent });
        }
    }

    pub(crate) fn block_on(&mut self, id: u64) {
        self.main_ids.push(id);
    }

    /// A poll of `task` begins: one clock read, the end of the previous poll
    /// if that is still open, and the time its own wakes and spawns carry.
    #[inline]
    pub(crate) fn poll_begin(&mut self, task: u64) {
        let t0 = self.now();
        self.polling = Some(task);
        self.push(Event::Poll { t0, task });
    }

    /// The poll begun by [`poll_begin`](Self::poll_begin) returned and its
    /// end is read now: nothing else was ready, it returned `Ready`
    /// (`ready`), or it was the `block_on` future's. A poll that returned
    /// `Pending` with other tasks ready does not come here: the next clock
    /// read is its end, and its wakes and spawns until then (a cancelled
    /// task's destructors) are counted as its own (module doc).
    #[inline]
    pub(crate) fn poll_end(&mut self, ready: bool) {
        self.polling = None;
        let t = self.now();
        self.push(Event::PollEnd { t, ready });
    }

    /// The caller is about to run code of its own (`Runtime::tick` returns
    /// after one poll): the open poll ends now.
    pub(crate) fn pause(&mut self) {
        let t = self.now();
        self.push(Event::PollEnd { t, ready: false });
    }

    /// Records a wake that queued `task`; its next poll ends the flow arrow
    /// (matched when the trace is written).
    #[inline]
    pub(crate) fn wake(&mut self, task: TaskId, source: Source) {
        // The common case inline: the task being polled wakes another.
        if let Source::Task(id) = source
            && self.polling == Some(id)
        {
            self.push(Event::PollWake { task: task.id });
        } else {
            self.wake_with_time(task, source);
        }
    }

    /// A wake from outside the poll running now: it reads the clock.
    #[inline(never)]
    fn wake_with_time(&mut self, task: TaskId, source: Source) {
        let (kind, by) = match source {
            Source::Task(id) => (SourceKind::Task, id),
            Source::Reactor => (SourceKind::Reactor, 0),
            Source::Timer => (SourceKind::Timer, 0),
            Source::Remote => (SourceKind::Remote, 0),
            Source::Loop => (SourceKind::Loop, 0),
        };
        let t = self.now();
        self.push(Event::Wake {
            t,
            task: task.id,
            by,
            kind,
        });
    }

    pub(crate) fn turn(&mut self, t0: u64) {
        let t1 = self.now();
        self.push(Event::Turn { t0, t1 });
    }

    pub(crate) fn epoll(&mut self, t0: u64, timeout: Option<std::time::Duration>, events: usize) {
        let t1 = self.now();
        let timeout_us = timeout.map_or(-1, |d| d.as_micros() as i64);
        self.push(Event::Epoll {
            t0,
            t1,
            timeout_us,
            events: events as u32,
        });
    }

    pub(crate) fn timers(&mut self, fired: usize) {
        let t = self.now();
        self.push(Event::Timers {
            t,
            fired: fired as u32,
        });
    }
}
