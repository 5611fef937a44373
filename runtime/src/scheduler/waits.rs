//! What the task being polled says it waits on: the leaf futures' notes
//! (`inspect::note`, `inspect/wait.rs`), the await site, and the
//! `inspect::framed` frame it is in. The loop files the last note of a
//! poll in the task's debugger record (`Scheduler::run_task`); `select!`
//! takes what was filed before its poll and puts it back when it decides
//! (`select.rs`), so that the dropped branches' waits go with them.

use std::panic::Location;

use super::Scheduler;
use crate::inspect::frame::Frame;
use crate::inspect::wait::WaitNote;

impl Scheduler {
    /// Files what the task being polled waits on (see `inspect/wait.rs`).
    #[inline]
    pub(crate) fn note_wait(&self, wait: WaitNote) {
        self.wait_note.set(wait);
        self.noted_frame.set(self.current_frame.get());
    }

    /// Files what the task being polled waits on, and where: the source
    /// location that created the leaf future (its await site).
    #[inline]
    pub(crate) fn note_wait_at(&self, wait: WaitNote, at: &'static Location<'static>) {
        self.wait_note.set(wait);
        self.await_at.set(Some(at));
        self.noted_frame.set(self.current_frame.get());
    }

    /// A `Framed` future's poll begins: it is the current frame; returns
    /// the enclosing one (its parent).
    #[inline]
    pub(crate) fn enter_frame(&self, frame: *const Frame) -> *const Frame {
        self.current_frame.replace(frame)
    }

    /// A `Framed` future's poll ends: its parent is current again.
    #[inline]
    pub(crate) fn leave_frame(&self, _frame: *const Frame, parent: *const Frame) {
        self.current_frame.set(parent);
    }

    /// A `Framed` future is dropped: it can no longer be where its task
    /// waits.
    #[inline]
    pub(crate) fn forget_frame(&self, frame: *const Frame) {
        if self.noted_frame.get() == frame {
            self.noted_frame.set(std::ptr::null());
        }
    }

    /// The wait filed so far in this poll (reason, await site, frame), for
    /// [`refile_wait`](Scheduler::refile_wait) to put back: a `select!`
    /// that decides discards what its dropped branches filed
    /// (`select.rs`).
    #[inline]
    pub(crate) fn filed_wait(&self) -> FiledWait {
        FiledWait {
            note: self.wait_note.get(),
            at: self.await_at.get(),
            frame: self.noted_frame.get(),
        }
    }

    /// Puts back a wait taken by [`filed_wait`](Scheduler::filed_wait)
    /// earlier in the same poll; its frame only if `frame_alive` (no
    /// `Framed` was dropped since: the frame was filed outside the
    /// `select!`, but a branch could have dropped it), else none.
    #[inline]
    pub(crate) fn refile_wait(&self, wait: FiledWait, frame_alive: bool) {
        self.wait_note.set(wait.note);
        self.await_at.set(wait.at);
        self.noted_frame.set(if frame_alive {
            wait.frame
        } else {
            std::ptr::null()
        });
    }
}

/// A task's wait as filed during a poll (`Scheduler::filed_wait`).
#[derive(Clone, Copy)]
pub(crate) struct FiledWait {
    note: WaitNote,
    at: Option<&'static Location<'static>>,
    frame: *const Frame,
}
