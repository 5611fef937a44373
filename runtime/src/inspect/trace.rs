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

use std::collections::HashMap;
use std::io::{self, Write};
use std::panic::Location;
use std::path::PathBuf;

use super::chrome::{Arg, Chrome};
use super::trace_buffer::TraceBuf;
use super::trace_clock::{ToNanos, TraceClock};
use crate::task::TaskId;

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

/// [`Source`] without its task id, so that a wake event stays 32 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SourceKind {
    Task,
    Reactor,
    Timer,
    Remote,
    Loop,
}

/// One recorded event; every time is in ticks of the trace's clock.
///
/// The `Poll*` events are made while a task is being polled and carry no
/// time of their own (module doc): the writer takes it from the poll.
#[derive(Clone, Copy, Debug)]
enum Event {
    /// A spawn outside any poll (before `block_on`, from a destructor).
    Spawn {
        t: u64,
        task: u64,
        parent: u64,
    },
    /// A spawn by the task being polled, at its poll's start.
    PollSpawn {
        task: u64,
    },
    /// A poll begins; it ends at the next event with a time of its own.
    Poll {
        t0: u64,
        task: u64,
    },
    /// The poll begun last ended here (`ready`: it returned `Ready`).
    PollEnd {
        t: u64,
        ready: bool,
    },
    /// A wake outside any poll: by the reactor, a timer, another thread, the
    /// loop, or a task completing after its poll.
    Wake {
        t: u64,
        task: u64,
        /// The waking task's id when `kind` is `Task`.
        by: u64,
        kind: SourceKind,
    },
    /// A wake by the task being polled, at its poll's start.
    PollWake {
        task: u64,
    },
    Turn {
        t0: u64,
        t1: u64,
    },
    Epoll {
        t0: u64,
        t1: u64,
        timeout_us: i64,
        events: u32,
    },
    Timers {
        t: u64,
        fired: u32,
    },
}

impl Event {
    /// The time this event read for itself, if any: the end of a poll still
    /// open before it.
    fn own_time(&self) -> Option<u64> {
        match *self {
            Event::Spawn { t, .. }
            | Event::Wake { t, .. }
            | Event::Timers { t, .. }
            | Event::PollEnd { t, .. } => Some(t),
            Event::Poll { t0, .. } | Event::Turn { t0, .. } | Event::Epoll { t0, .. } => Some(t0),
            Event::PollSpawn { .. } | Event::PollWake { .. } => None,
        }
    }
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

    /// Writes the JSON file, in pieces of about 64 KiB: a trace of millions
    /// of events is never built whole in memory (nor allocated through
    /// `malloc` in one block, which would change how `malloc` serves the
    /// rest of the program, `trace_buffer.rs`).
    pub(crate) fn write(&self) -> io::Result<()> {
        let named =
            |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", self.path.display()));
        let file = std::fs::File::create(&self.path).map_err(named)?;
        let mut sink = io::BufWriter::new(file);
        self.write_json(&mut sink).map_err(named)?;
        sink.flush().map_err(named)
    }

    /// The trace as Chrome Trace Event Format JSON: the tracks, then the
    /// events in the order they were recorded, with times converted from
    /// ticks to nanoseconds and the flow arrows matched (module doc).
    fn write_json(&self, sink: &mut impl Write) -> io::Result<()> {
        const PIECE: usize = 64 * 1024;
        let calibration = self.clock.calibrate();
        let mut json = Chrome::new(
            PIECE + 4096,
            &[
                ("runtime", Arg::Str("event loop")),
                ("dropped_events", Arg::Int(self.dropped as i64)),
                ("clock", Arg::Str(&calibration.description)),
                (
                    "event_times",
                    Arg::Str(
                        "a poll reads the clock once, at its start; the k-th wake or spawn \
                         it makes is drawn k ns after that start (their order is exact, \
                         their time inside the poll is not recorded); a poll after which \
                         another task was ready ends where the next poll or turn begins \
                         (its slice includes the loop's hand-over, tens of ns)",
                    ),
                ),
            ],
        );
        self.write_tracks(&mut json, sink, PIECE)?;
        let mut writer = EventWriter {
            to_ns: calibration.to_ns,
            next_flow: 1,
            pending: HashMap::new(),
            current: None,
            open: None,
        };
        for event in self.events.as_slice() {
            writer.write(&mut json, event);
            if json.buffered() >= PIECE {
                json.drain_to(sink)?;
            }
        }
        writer.close(&mut json, None);
        sink.write_all(json.finish().as_bytes())
    }

    /// One track for the reactor (tid 0), one per `block_on` future and one
    /// per task, named by its spawn site.
    fn write_tracks(
        &self,
        json: &mut Chrome,
        sink: &mut impl Write,
        piece: usize,
    ) -> io::Result<()> {
        json.process_name(PID, "event loop (one thread)");
        json.thread_name(PID, 0, "reactor: epoll_wait, timers");
        json.sort_index(PID, 0, 0);
        for &id in &self.main_ids {
            json.thread_name(PID, id as i64, &format!("block_on future (id {id})"));
        }
        for &(id, at) in self.sites.as_slice() {
            json.thread_name(PID, id as i64, &format!("task {id} {at}"));
            json.sort_index(PID, id as i64, id as i64);
            if json.buffered() >= piece {
                json.drain_to(sink)?;
            }
        }
        Ok(())
    }
}

/// The trace's process id (the thread model's is 2, so that `demo
/// timeline` can show both in one view).
const PID: u32 = 1;

/// Writes the recorded events in order: converts ticks to nanoseconds,
/// gives the `Poll*` events the time and task of the poll that made them,
/// ends each poll slice at the next event with a time of its own, and
/// numbers the flow arrows, ending each at the woken task's next poll.
struct EventWriter {
    to_ns: ToNanos,
    next_flow: u64,
    /// Per task id: the flow id of the wake that queued it, which its next
    /// poll ends.
    pending: HashMap<u64, u64>,
    /// The last poll begun: `(start in ns, task)`.
    current: Option<(u64, u64)>,
    /// The poll slice whose end is not known yet.
    open: Option<OpenPoll>,
}

/// A poll slice waiting for its end, with the wakes and spawns it made.
struct OpenPoll {
    t0: u64,
    task: u64,
    ready: bool,
    /// The flow arrow it ends (0: none).
    flow: u64,
    /// What it did, in order: `(task spawned, None)` or `(task woken,
    /// Some(flow id))`.
    made: Vec<(u64, Option<u64>)>,
}

impl EventWriter {
    /// Writes the open poll slice, ending at `t1` ns (`None`: its end was
    /// never recorded, e.g. the runtime was dropped inside a poll; it is
    /// written as an instant-long slice), then what it made: the `k`-th
    /// wake or spawn of a poll is drawn `k` ns after its start (never after
    /// its end), which keeps their order and puts them inside the slice (a
    /// viewer binds a wake's arrow to the slice around it); their exact
    /// times inside the poll are not recorded.
    fn close(&mut self, json: &mut Chrome, t1: Option<u64>) {
        if let Some(p) = self.open.take() {
            let args = [("ready", Arg::Bool(p.ready))];
            let t1 = t1.unwrap_or(p.t0).max(p.t0);
            json.slice("poll", "task", PID, p.task as i64, p.t0, t1, &args);
            if p.flow != 0 {
                json.flow_to("wake", p.flow, PID, p.task as i64, p.t0);
            }
            for (k, &(task, flow)) in p.made.iter().enumerate() {
                let t = (p.t0 + k as u64 + 1).min(t1);
                match flow {
                    Some(flow) => wake(json, t, task, p.task, "task", flow),
                    None => spawn(json, t, task, p.task),
                }
            }
        }
    }

    /// A new flow id for a wake of `task`, which its next poll ends.
    fn flow(&mut self, task: u64) -> u64 {
        let flow = self.next_flow;
        self.next_flow += 1;
        self.pending.insert(task, flow);
        flow
    }

    /// A wake or a spawn made by the poll that began last: kept with the
    /// open slice, or written at once if that is already closed.
    fn made(&mut self, json: &mut Chrome, task: u64, flow: Option<u64>) {
        match (self.open.as_mut(), self.current) {
            (Some(open), _) => open.made.push((task, flow)),
            (None, Some((t0, by))) => match flow {
                Some(flow) => wake(json, t0, task, by, "task", flow),
                None => spawn(json, t0, task, by),
            },
            (None, None) => {}
        }
    }

    /// One recorded event, as Chrome trace events.
    fn write(&mut self, json: &mut Chrome, event: &Event) {
        if let (Event::PollEnd { ready: true, .. }, Some(open)) = (event, self.open.as_mut()) {
            open.ready = true;
        }
        if let Some(t) = event.own_time() {
            let t = self.to_ns.ns(t);
            self.close(json, Some(t));
        }
        let to_ns = self.to_ns;
        let ns = |t: u64| to_ns.ns(t);
        match *event {
            Event::Spawn { t, task, parent } => spawn(json, ns(t), task, parent),
            Event::PollSpawn { task } => self.made(json, task, None),
            Event::Poll { t0, task } => {
                let t0 = ns(t0);
                self.current = Some((t0, task));
                self.open = Some(OpenPoll {
                    t0,
                    task,
                    ready: false,
                    flow: self.pending.remove(&task).unwrap_or(0),
                    made: Vec::new(),
                });
            }
            // Marked ready and closed above.
            Event::PollEnd { .. } => {}
            Event::Wake { t, task, by, kind } => {
                let (tid, from) = match kind {
                    SourceKind::Task => (by, "task"),
                    SourceKind::Reactor => (0, "reactor (fd ready)"),
                    SourceKind::Timer => (0, "timer"),
                    SourceKind::Remote => (0, "other thread (eventfd)"),
                    SourceKind::Loop => (0, "the loop"),
                };
                let flow = self.flow(task);
                wake(json, ns(t), task, tid, from, flow);
            }
            Event::PollWake { task } => {
                let flow = self.flow(task);
                self.made(json, task, Some(flow));
            }
            Event::Turn { t0, t1 } => {
                json.slice("turn", "reactor", PID, 0, ns(t0), ns(t1), &[]);
            }
            Event::Epoll {
                t0,
                t1,
                timeout_us,
                events,
            } => {
                let timeout = if timeout_us < 0 {
                    Arg::Str("infinite")
                } else {
                    Arg::Float(timeout_us as f64 / 1000.0)
                };
                let args = [
                    ("timeout_ms", timeout),
                    ("events", Arg::Int(i64::from(events))),
                ];
                json.slice("epoll_wait", "reactor", PID, 0, ns(t0), ns(t1), &args);
            }
            Event::Timers { t, fired } => {
                let args = [("count", Arg::Int(i64::from(fired)))];
                json.instant("timers fired", "timer", PID, 0, ns(t), &args);
            }
        }
    }
}

/// A wake of `task` at `t` ns, drawn on track `tid`, starting arrow `flow`.
fn wake(json: &mut Chrome, t: u64, task: u64, tid: u64, from: &str, flow: u64) {
    let args = [("source", Arg::Str(from))];
    let tid = tid as i64;
    json.instant(&format!("wake task {task}"), "wake", PID, tid, t, &args);
    json.flow_from("wake", flow, PID, tid, t);
}

/// A spawn of `task` at `t` ns, on the track of its parent.
fn spawn(json: &mut Chrome, t: u64, task: u64, parent: u64) {
    let name = format!("spawn task {task}");
    json.instant(&name, "task", PID, parent as i64, t, &[]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_32_bytes() {
        assert_eq!(std::mem::size_of::<Event>(), 32);
    }
}
