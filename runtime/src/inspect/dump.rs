//! [`TaskDump`]: one line per live task.

use std::fmt;
use std::panic::Location;
use std::time::Duration;

use super::WaitReason;

/// Where a task is, as a dump shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DumpState {
    /// In the run queue, ready to be polled.
    Runnable,
    /// Being polled right now (the dump was taken from inside it).
    Running,
    /// Waiting for a wake.
    Waiting,
    /// Finished; its output waits for its `JoinHandle`.
    Finished,
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
            writeln!(
                f,
                "  task {:<6} {:<9} polls {:<6} last poll {:<14} spawned at {}  waits on: {}",
                t.id, t.state, t.polls, last, t.spawned_at, t.waiting_on
            )?;
        }
        Ok(())
    }
}
