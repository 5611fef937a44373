//! Writing a recorded trace as Chrome Trace Event Format JSON: the tracks,
//! then the events in the order they were recorded, with ticks converted to
//! nanoseconds, each poll slice ended at the next event with a time of its
//! own, and the flow arrows matched to the polls they caused (the module
//! doc of `inspect/trace.rs`).

use std::collections::HashMap;
use std::io::{self, Write};

use super::Trace;
use super::event::{Event, SourceKind};
use crate::inspect::chrome::{Arg, Chrome};
use crate::inspect::trace_clock::ToNanos;

impl Trace {
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
