//! The trace's event encoding: what the recorder (`inspect/trace.rs`)
//! stores per event, in 32 bytes, and what the writer (`write.rs`) reads
//! back. Times are raw ticks of the trace's clock; events made inside a
//! poll carry none (the writer takes the poll's).

/// [`Source`] without its task id, so that a wake event stays 32 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SourceKind {
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
pub(super) enum Event {
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
    pub(super) fn own_time(&self) -> Option<u64> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_32_bytes() {
        assert_eq!(std::mem::size_of::<Event>(), 32);
    }
}
