//! [`TaskDump`]: one line per live task.

use std::fmt;
use std::panic::Location;
use std::time::Duration;

use super::wait::WaitReason;

/// Where a task is in its life: what a dump shows, and the state the task
/// table keeps (the debugger reads it as a `u32`: these discriminants are
/// the contract with `runtime_gdb.py`, see `debug_table.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum DumpState {
    /// In the run queue, ready to be polled.
    Runnable = 2,
    /// Being polled right now (the dump was taken from inside it).
    Running = 3,
    /// Waiting for a wake.
    Waiting = 1,
    /// Finished; its output waits for its `JoinHandle`.
    Finished = 4,
}

impl fmt::Display for DumpState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            DumpState::Runnable => "runnable",
            DumpState::Running => "running",
            DumpState::Waiting => "waiting",
            DumpState::Finished => "finished",
        })
    }
}

/// One live task in a [`TaskDump`].
#[derive(Clone, Debug)]
pub struct TaskInfo {
    /// The task's id.
    pub id: u64,
    /// Its state.
    pub state: DumpState,
    /// Where it was spawned (`file:line:column` of the `spawn` call).
    pub spawned_at: &'static Location<'static>,
    /// How many times it was polled.
    pub polls: u64,
    /// Time since its last poll, by the runtime's clock (`None`: never polled).
    pub since_last_poll: Option<Duration>,
    /// What it waits on, when the runtime knows.
    pub waiting_on: WaitReason,
    /// Where the task is suspended: the source location that created the
    /// leaf future it waits on (`sleep`, a socket read, `acquire`, ...),
    /// when that future records one.
    pub awaiting_at: Option<&'static Location<'static>>,
    /// The task's async backtrace: the `inspect::framed` frames it is
    /// suspended in, outermost first, as (name, site of the `framed`
    /// call). Empty when it uses none, or is not suspended.
    pub frames: Vec<(&'static str, &'static Location<'static>)>,
}

/// The live tasks of a runtime: `Runtime::dump`, `inspect::dump`, or
/// `call runtime::runtime_dump_tasks()` in gdb. `Display` prints one line per
/// task.
#[derive(Clone, Debug, Default)]
pub struct TaskDump {
    /// The tasks, by id.
    pub tasks: Vec<TaskInfo>,
}

impl fmt::Display for TaskDump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} live task{}",
            self.tasks.len(),
            if self.tasks.len() == 1 { "" } else { "s" }
        )?;
        for t in &self.tasks {
            let last = match t.since_last_poll {
                Some(d) => format!("{d:.3?} ago"),
                None => "never".to_string(),
            };
            write!(
                f,
                "  task {:<6} {:<9} polls {:<6} last poll {:<14} spawned at {}  waits on: {}",
                t.id, t.state, t.polls, last, t.spawned_at, t.waiting_on
            )?;
            match t.awaiting_at {
                Some(at) => writeln!(f, " at {at}")?,
                None => writeln!(f)?,
            }
            for (depth, (name, at)) in t.frames.iter().enumerate() {
                writeln!(f, "    #{depth} {name} at {at}")?;
            }
        }
        Ok(())
    }
}

impl TaskDump {
    /// The dump of a task table, `now_ms` being the loop's clock: every
    /// field comes from the debugger-visible record (`debug_table.rs`) and
    /// the slot's bookkeeping, decoded in one place.
    pub(crate) fn of(tasks: &crate::task::TaskTable, now_ms: u64) -> TaskDump {
        let mut dump = TaskDump {
            tasks: Vec::with_capacity(tasks.len()),
        };
        for (_, slot) in tasks.iter() {
            let info = &slot.info;
            let state = info.state();
            dump.tasks.push(TaskInfo {
                id: slot.id(),
                state,
                spawned_at: info.spawned_at(),
                polls: u64::from(info.polls()),
                since_last_poll: (info.polls() > 0)
                    .then(|| Duration::from_millis(now_ms.saturating_sub(info.last_poll_ms()))),
                waiting_on: if state == DumpState::Waiting {
                    info.wait(now_ms)
                } else {
                    WaitReason::Unknown
                },
                awaiting_at: if state == DumpState::Waiting {
                    info.await_at()
                } else {
                    None
                },
                frames: match state {
                    // SAFETY: a suspended task's filed frame and its parents
                    // live in its pinned future, untouched since its last
                    // poll, and the dump runs on the loop's thread.
                    DumpState::Waiting | DumpState::Runnable => unsafe {
                        super::frame::chain(info.frame())
                    },
                    _ => Vec::new(),
                },
            });
        }
        dump.tasks.sort_by_key(|t| t.id);
        dump
    }
}
