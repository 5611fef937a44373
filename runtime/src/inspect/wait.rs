//! What a pending task waits on, as far as the runtime can tell.
//!
//! The futures that know what they wait for (a timer, an fd, a join, a
//! semaphore, a channel) call `inspect::note` when they return `Pending`;
//! the scheduler files the last note of a poll with the task, in the
//! debugger-visible record (`debug_task.rs`), in the record's encoding,
//! which [`WaitNote`] is. It costs a thread-local read and a `Cell` write
//! per `Pending`.

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

/// What a leaf future records when it returns `Pending`, already in the
/// task record's encoding (`wait_kind`, `wait_arg`: the table in
/// `inspect/debug_task.rs`, which `runtime/gdb/runtime_gdb.py` reads), so
/// that filing it with the task when its poll ends is two stores rather
/// than a `match` over every reason (issue 18). The leaf futures build it
/// from a reason known at their call site, where the encoding folds to
/// constants. Timers are noted by their deadline tick (the dump turns it
/// into "fires in").
///
/// This is the one place that encodes and decodes a wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WaitNote {
    kind: u8,
    arg: u64,
}

// `wait_kind` values (the record's table; `runtime_gdb.py` names them too).
const KIND_UNKNOWN: u8 = 0;
const KIND_TIMER: u8 = 1;
const KIND_READABLE: u8 = 2;
const KIND_WRITABLE: u8 = 3;
const KIND_JOIN: u8 = 4;
const KIND_BLOCKING: u8 = 5;
const KIND_SEMAPHORE: u8 = 6;
const KIND_MUTEX: u8 = 7;
const KIND_EVENT: u8 = 8;
const KIND_CHANNEL_RECV: u8 = 9;
const KIND_CHANNEL_SEND: u8 = 10;
const KIND_JOIN_SET: u8 = 11;
const KIND_RWLOCK_READ: u8 = 12;
const KIND_RWLOCK_WRITE: u8 = 13;

impl WaitNote {
    /// Nothing noted (a foreign future, or not polled yet).
    pub(crate) const UNKNOWN: WaitNote = WaitNote {
        kind: KIND_UNKNOWN,
        arg: 0,
    };

    /// A timer whose deadline is wheel tick `tick` (`NEVER`: never fires).
    #[inline]
    pub(crate) const fn timer(tick: u64) -> WaitNote {
        WaitNote {
            kind: KIND_TIMER,
            arg: tick,
        }
    }

    /// Any other reason. An fd is stored sign-extended, and read back from
    /// the low 32 bits; a `Timer` reason (which carries no deadline) reads
    /// back as due now.
    #[inline]
    pub(crate) const fn other(reason: WaitReason) -> WaitNote {
        let (kind, arg) = match reason {
            WaitReason::Unknown => (KIND_UNKNOWN, 0),
            WaitReason::Timer { .. } => (KIND_TIMER, 0),
            WaitReason::Readable { fd } => (KIND_READABLE, fd as i64 as u64),
            WaitReason::Writable { fd } => (KIND_WRITABLE, fd as i64 as u64),
            WaitReason::Join { task } => (KIND_JOIN, task),
            WaitReason::Blocking => (KIND_BLOCKING, 0),
            WaitReason::Semaphore => (KIND_SEMAPHORE, 0),
            WaitReason::Mutex => (KIND_MUTEX, 0),
            WaitReason::Event => (KIND_EVENT, 0),
            WaitReason::ChannelRecv => (KIND_CHANNEL_RECV, 0),
            WaitReason::ChannelSend => (KIND_CHANNEL_SEND, 0),
            WaitReason::JoinSet { tasks } => (KIND_JOIN_SET, tasks),
            WaitReason::RwLockRead => (KIND_RWLOCK_READ, 0),
            WaitReason::RwLockWrite => (KIND_RWLOCK_WRITE, 0),
        };
        WaitNote { kind, arg }
    }

    /// The note a record's `wait_kind` and `wait_arg` hold.
    #[inline]
    pub(crate) const fn from_parts(kind: u8, arg: u64) -> WaitNote {
        WaitNote { kind, arg }
    }

    /// The record's `wait_kind`.
    #[inline]
    pub(crate) const fn kind(self) -> u8 {
        self.kind
    }

    /// The record's `wait_arg`.
    #[inline]
    pub(crate) const fn arg(self) -> u64 {
        self.arg
    }

    /// What the note says the task waits on, `now_ms` being the loop's clock
    /// (a timer's deadline becomes "fires in"). An unknown kind (none is
    /// written) reads as `Unknown`.
    pub(crate) fn reason(self, now_ms: u64) -> WaitReason {
        let fd = self.arg as u32 as i32;
        match self.kind {
            KIND_TIMER if self.arg == crate::time::wheel::NEVER => WaitReason::Timer {
                remaining: Duration::MAX,
            },
            KIND_TIMER => WaitReason::Timer {
                remaining: Duration::from_millis(self.arg.saturating_sub(now_ms)),
            },
            KIND_READABLE => WaitReason::Readable { fd },
            KIND_WRITABLE => WaitReason::Writable { fd },
            KIND_JOIN => WaitReason::Join { task: self.arg },
            KIND_BLOCKING => WaitReason::Blocking,
            KIND_SEMAPHORE => WaitReason::Semaphore,
            KIND_MUTEX => WaitReason::Mutex,
            KIND_EVENT => WaitReason::Event,
            KIND_CHANNEL_RECV => WaitReason::ChannelRecv,
            KIND_CHANNEL_SEND => WaitReason::ChannelSend,
            KIND_JOIN_SET => WaitReason::JoinSet { tasks: self.arg },
            KIND_RWLOCK_READ => WaitReason::RwLockRead,
            KIND_RWLOCK_WRITE => WaitReason::RwLockWrite,
            _ => WaitReason::Unknown,
        }
    }
}
