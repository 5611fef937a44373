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

use std::io;
use std::panic::Location;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::chrome::{Arg, Chrome};
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

#[derive(Clone, Copy, Debug)]
enum Event {
    Spawn {
        t: u64,
        task: u64,
        parent: u64,
    },
    Poll {
        t0: u64,
        t1: u64,
        task: u64,
        flow: u64,
        ready: bool,
    },
    Wake {
        t: u64,
        task: u64,
        source: Source,
        flow: u64,
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

/// The recording buffer and what is needed to name the tracks.
pub(crate) struct Trace {
    path: PathBuf,
    base: Instant,
    events: Vec<Event>,
    dropped: u64,
    sites: Vec<(u64, &'static Location<'static>)>,
    main_ids: Vec<u64>,
    next_flow: u64,
    /// Per task-table key: the flow id of the wake that queued the task and
    /// that its next poll completes (0: none).
    pending_flows: Vec<u64>,
    /// The same for the `block_on` future.
    main_flow: u64,
}

impl Trace {
    /// A recorder for up to `capacity` events, allocated now.
    ///
    /// # Errors
    /// `OutOfMemory` if the buffer cannot be allocated (a capacity of
    /// `1 << 40` events asks for tens of terabytes): the runtime's builder
    /// reports it instead of aborting the process.
    pub(crate) fn new(path: PathBuf, capacity: usize) -> std::io::Result<Trace> {
        let mut events = Vec::new();
        events.try_reserve_exact(capacity).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::OutOfMemory,
                format!(
                    "Builder::trace_capacity({capacity}): cannot allocate a trace buffer of \
                     {capacity} events ({} bytes each): {e}",
                    std::mem::size_of::<Event>()
                ),
            )
        })?;
        Ok(Trace {
            path,
            base: Instant::now(),
            events,
            dropped: 0,
            sites: Vec::with_capacity(1024),
            main_ids: Vec::new(),
            next_flow: 1,
            pending_flows: Vec::new(),
            main_flow: 0,
        })
    }

    /// Nanoseconds since the trace began.
    #[inline]
    pub(crate) fn now(&self) -> u64 {
        self.base.elapsed().as_nanos() as u64
    }

    #[inline]
    fn push(&mut self, event: Event) {
        if self.events.len() < self.events.capacity() {
            self.events.push(event);
        } else {
            self.dropped += 1;
        }
    }

    pub(crate) fn spawn(&mut self, task: u64, parent: u64, at: &'static Location<'static>) {
        let t = self.now();
        self.sites.push((task, at));
        self.push(Event::Spawn { t, task, parent });
    }

    pub(crate) fn block_on(&mut self, id: u64) {
        self.main_ids.push(id);
    }

    pub(crate) fn poll(&mut self, t0: u64, task: u64, flow: u64, ready: bool) {
        let t1 = self.now();
        self.push(Event::Poll {
            t0,
            t1,
            task,
            flow,
            ready,
        });
    }

    /// Records a wake that queued `task`; its next poll
    /// ([`take_flow`](Self::take_flow)) ends the flow arrow.
    pub(crate) fn wake(&mut self, task: TaskId, source: Source) {
        let flow = self.next_flow;
        self.next_flow += 1;
        let t = self.now();
        self.push(Event::Wake {
            t,
            task: task.id,
            source,
            flow,
        });
        *self.flow_slot(task) = flow;
    }

    /// The flow id that the poll of `task` about to start completes (0:
    /// none).
    pub(crate) fn take_flow(&mut self, task: TaskId) -> u64 {
        std::mem::take(self.flow_slot(task))
    }

    /// Where the pending flow of `task` is kept: per task-table key, and
    /// one of its own for the `block_on` future.
    fn flow_slot(&mut self, task: TaskId) -> &mut u64 {
        if task.is_main() {
            return &mut self.main_flow;
        }
        if self.pending_flows.len() <= task.key {
            self.pending_flows.resize(task.key + 1, 0);
        }
        &mut self.pending_flows[task.key]
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

    /// Writes the JSON file.
    pub(crate) fn write(&self) -> io::Result<()> {
        write_file(&self.path, &self.to_json())
    }

    /// The trace as Chrome Trace Event Format JSON: the tracks, then the
    /// events in the order they were recorded.
    pub(crate) fn to_json(&self) -> String {
        let mut json = Chrome::new(
            256 + self.events.len() * 120,
            &[
                ("runtime", Arg::Str("event loop")),
                ("dropped_events", Arg::Int(self.dropped as i64)),
            ],
        );
        self.write_tracks(&mut json);
        for event in &self.events {
            write_event(&mut json, event);
        }
        json.finish()
    }

    /// One track for the reactor (tid 0), one per `block_on` future and one
    /// per task, named by its spawn site.
    fn write_tracks(&self, json: &mut Chrome) {
        json.process_name(PID, "event loop (one thread)");
        json.thread_name(PID, 0, "reactor: epoll_wait, timers");
        json.sort_index(PID, 0, 0);
        for &id in &self.main_ids {
            json.thread_name(PID, id as i64, &format!("block_on future (id {id})"));
        }
        for &(id, at) in &self.sites {
            json.thread_name(PID, id as i64, &format!("task {id} {at}"));
            json.sort_index(PID, id as i64, id as i64);
        }
    }
}

/// The trace's process id (the thread model's is 2, so that `demo
/// timeline` can show both in one view).
const PID: u32 = 1;

/// One recorded event, as Chrome trace events.
fn write_event(json: &mut Chrome, event: &Event) {
    match *event {
        Event::Spawn { t, task, parent } => {
            json.instant(
                &format!("spawn task {task}"),
                "task",
                PID,
                parent as i64,
                t,
                &[],
            );
        }
        Event::Poll {
            t0,
            t1,
            task,
            flow,
            ready,
        } => {
            let args = [("ready", Arg::Bool(ready))];
            json.slice("poll", "task", PID, task as i64, t0, t1, &args);
            if flow != 0 {
                json.flow_to("wake", flow, PID, task as i64, t0);
            }
        }
        Event::Wake {
            t,
            task,
            source,
            flow,
        } => {
            // On the track of whoever woke: the task, or the reactor's.
            let (tid, from) = match source {
                Source::Task(id) => (id as i64, "task"),
                Source::Reactor => (0, "reactor (fd ready)"),
                Source::Timer => (0, "timer"),
                Source::Remote => (0, "other thread (eventfd)"),
                Source::Loop => (0, "the loop"),
            };
            let args = [("source", Arg::Str(from))];
            json.instant(&format!("wake task {task}"), "wake", PID, tid, t, &args);
            json.flow_from("wake", flow, PID, tid, t);
        }
        Event::Turn { t0, t1 } => json.slice("turn", "reactor", PID, 0, t0, t1, &[]),
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
            json.slice("epoll_wait", "reactor", PID, 0, t0, t1, &args);
        }
        Event::Timers { t, fired } => {
            let args = [("count", Arg::Int(i64::from(fired)))];
            json.instant("timers fired", "timer", PID, 0, t, &args);
        }
    }
}

fn write_file(path: &Path, contents: &str) -> io::Result<()> {
    std::fs::write(path, contents)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}
