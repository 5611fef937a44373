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

use std::fmt::Write as _;
use std::io;
use std::panic::Location;
use std::path::{Path, PathBuf};
use std::time::Instant;

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

    /// The trace as Chrome Trace Event Format JSON.
    pub(crate) fn to_json(&self) -> String {
        let mut out = String::with_capacity(64 + self.events.len() * 120);
        out.push_str("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"runtime\":\"event loop\",\"dropped_events\":");
        let _ = write!(out, "{}", self.dropped);
        out.push_str("},\"traceEvents\":[\n");
        let mut first = true;
        let mut line = |out: &mut String, s: &str| {
            if !first {
                out.push_str(",\n");
            }
            first = false;
            out.push_str(s);
        };
        line(
            &mut out,
            r#"{"name":"process_name","ph":"M","pid":1,"tid":0,"args":{"name":"event loop (one thread)"}}"#,
        );
        line(
            &mut out,
            r#"{"name":"thread_name","ph":"M","pid":1,"tid":0,"args":{"name":"reactor: epoll_wait, timers"}}"#,
        );
        line(
            &mut out,
            r#"{"name":"thread_sort_index","ph":"M","pid":1,"tid":0,"args":{"sort_index":0}}"#,
        );
        for &id in &self.main_ids {
            line(
                &mut out,
                &format!(
                    r#"{{"name":"thread_name","ph":"M","pid":1,"tid":{id},"args":{{"name":"block_on future (id {id})"}}}}"#
                ),
            );
        }
        for &(id, at) in &self.sites {
            line(
                &mut out,
                &format!(
                    r#"{{"name":"thread_name","ph":"M","pid":1,"tid":{id},"args":{{"name":"task {id} {}"}}}}"#,
                    json_escape(&at.to_string())
                ),
            );
            line(
                &mut out,
                &format!(
                    r#"{{"name":"thread_sort_index","ph":"M","pid":1,"tid":{id},"args":{{"sort_index":{id}}}}}"#
                ),
            );
        }
        let us = |ns: u64| ns as f64 / 1000.0;
        for event in &self.events {
            match *event {
                Event::Spawn { t, task, parent } => line(
                    &mut out,
                    &format!(
                        r#"{{"name":"spawn task {task}","ph":"i","s":"t","pid":1,"tid":{parent},"ts":{:.3}}}"#,
                        us(t)
                    ),
                ),
                Event::Poll {
                    t0,
                    t1,
                    task,
                    flow,
                    ready,
                } => {
                    line(
                        &mut out,
                        &format!(
                            r#"{{"name":"poll","cat":"task","ph":"X","pid":1,"tid":{task},"ts":{:.3},"dur":{:.3},"args":{{"ready":{ready}}}}}"#,
                            us(t0),
                            us(t1.saturating_sub(t0)).max(0.001)
                        ),
                    );
                    if flow != 0 {
                        line(
                            &mut out,
                            &format!(
                                r#"{{"name":"wake","cat":"wake","ph":"f","bp":"e","id":{flow},"pid":1,"tid":{task},"ts":{:.3}}}"#,
                                us(t0)
                            ),
                        );
                    }
                }
                Event::Wake {
                    t,
                    task,
                    source,
                    flow,
                } => {
                    let (tid, from) = match source {
                        Source::Task(id) => (id, "task".to_string()),
                        Source::Reactor => (0, "reactor (fd ready)".to_string()),
                        Source::Timer => (0, "timer".to_string()),
                        Source::Remote => (0, "other thread (eventfd)".to_string()),
                        Source::Loop => (0, "the loop".to_string()),
                    };
                    line(
                        &mut out,
                        &format!(
                            r#"{{"name":"wake task {task}","cat":"wake","ph":"i","s":"t","pid":1,"tid":{tid},"ts":{:.3},"args":{{"source":"{from}"}}}}"#,
                            us(t)
                        ),
                    );
                    line(
                        &mut out,
                        &format!(
                            r#"{{"name":"wake","cat":"wake","ph":"s","id":{flow},"pid":1,"tid":{tid},"ts":{:.3}}}"#,
                            us(t)
                        ),
                    );
                }
                Event::Turn { t0, t1 } => line(
                    &mut out,
                    &format!(
                        r#"{{"name":"turn","cat":"reactor","ph":"X","pid":1,"tid":0,"ts":{:.3},"dur":{:.3}}}"#,
                        us(t0),
                        us(t1.saturating_sub(t0)).max(0.001)
                    ),
                ),
                Event::Epoll {
                    t0,
                    t1,
                    timeout_us,
                    events,
                } => line(
                    &mut out,
                    &format!(
                        r#"{{"name":"epoll_wait","cat":"reactor","ph":"X","pid":1,"tid":0,"ts":{:.3},"dur":{:.3},"args":{{"timeout_ms":{},"events":{events}}}}}"#,
                        us(t0),
                        us(t1.saturating_sub(t0)).max(0.001),
                        if timeout_us < 0 {
                            "\"infinite\"".to_string()
                        } else {
                            format!("{:.3}", timeout_us as f64 / 1000.0)
                        }
                    ),
                ),
                Event::Timers { t, fired } => line(
                    &mut out,
                    &format!(
                        r#"{{"name":"timers fired","cat":"timer","ph":"i","s":"t","pid":1,"tid":0,"ts":{:.3},"args":{{"count":{fired}}}}}"#,
                        us(t)
                    ),
                ),
            }
        }
        out.push_str("\n]}\n");
        out
    }
}

/// Escapes a string for a JSON string literal.
pub(crate) fn json_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

fn write_file(path: &Path, contents: &str) -> io::Result<()> {
    std::fs::write(path, contents)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}
