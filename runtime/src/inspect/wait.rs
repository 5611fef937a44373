//! What a pending task waits on, as far as the runtime can tell.
//!
//! The futures that know what they wait for (a timer, an fd, a join, a
//! semaphore, a channel) call `inspect::note` when they return `Pending`;
//! the scheduler files the last note of a poll with the task, in the
//! debugger-visible record (`debug_table.rs` encodes it). It costs a
//! thread-local read and a `Cell` write per `Pending`.

use std::fmt;
use std::time::Duration;

/// What a task waits on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitReason {
    /// Nothing the runtime knows of (a foreign future, or not polled yet).
    #[default]
    Unknown,
    /// A timer: `sleep`, `timeout`, `interval`.
    Timer {
        /// How long from the moment of the dump until it fires;
        /// `Duration::MAX` for a timer that never fires
        /// (`sleep(Duration::MAX)`).
        remaining: Duration,
    },
    /// An fd to become readable.
    Readable {
        /// The file descriptor.
        fd: i32,
    },
    /// An fd to become writable.
    Writable {
        /// The file descriptor.
        fd: i32,
    },
    /// Another task to finish.
    Join {
        /// The id of that task.
        task: u64,
    },
    /// A job on the blocking pool.
    Blocking,
    /// A semaphore permit.
    Semaphore,
    /// A mutex.
    Mutex,
    /// An event to be set.
    Event,
    /// A message on a channel.
    ChannelRecv,
    /// Room on a channel.
    ChannelSend,
    /// Any task of a [`JoinSet`](crate::JoinSet) to finish (`join_next`).
    JoinSet {
        /// How many tasks the set held.
        tasks: u64,
    },
    /// Read access to a [`RwLock`](crate::sync::RwLock).
    RwLockRead,
    /// Write access to a [`RwLock`](crate::sync::RwLock).
    RwLockWrite,
}

impl fmt::Display for WaitReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitReason::Unknown => f.write_str("-"),
            WaitReason::Timer { remaining } if *remaining == Duration::MAX => {
                f.write_str("timer (never fires)")
            }
            WaitReason::Timer { remaining } => write!(f, "timer (fires in {remaining:.3?})"),
            WaitReason::Readable { fd } => write!(f, "fd {fd} readable"),
            WaitReason::Writable { fd } => write!(f, "fd {fd} writable"),
            WaitReason::Join { task } => write!(f, "join of task {task}"),
            WaitReason::Blocking => f.write_str("blocking-pool job"),
            WaitReason::Semaphore => f.write_str("semaphore permit"),
            WaitReason::Mutex => f.write_str("mutex"),
            WaitReason::Event => f.write_str("event"),
            WaitReason::ChannelRecv => f.write_str("channel recv"),
            WaitReason::ChannelSend => f.write_str("channel send"),
            WaitReason::JoinSet { tasks } => write!(f, "join of any of {tasks} tasks (JoinSet)"),
            WaitReason::RwLockRead => f.write_str("rwlock read"),
            WaitReason::RwLockWrite => f.write_str("rwlock write"),
        }
    }
}

/// What a leaf future records when it returns `Pending`. Timers are noted
/// by their deadline (the dump turns it into "fires in").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum WaitNote {
    #[default]
    Unknown,
    /// Deadline as a wheel tick.
    Timer(u64),
    Other(WaitReason),
}

impl WaitNote {
    /// What the note says the task waits on, `now_ms` being the loop's clock.
    pub(crate) fn reason(self, now_ms: u64) -> WaitReason {
        match self {
            WaitNote::Unknown => WaitReason::Unknown,
            WaitNote::Timer(tick) if tick == crate::time::wheel::NEVER => WaitReason::Timer {
                remaining: Duration::MAX,
            },
            WaitNote::Timer(tick) => WaitReason::Timer {
                remaining: Duration::from_millis(tick.saturating_sub(now_ms)),
            },
            WaitNote::Other(reason) => reason,
        }
    }
}
