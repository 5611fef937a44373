//! [`Sleep`]: the future behind `sleep` and `sleep_until`.
//!
//! The life of a timer, from the caller's side:
//!
//! 1. `sleep(d)` computes the deadline and builds a `Sleep`: nothing is
//!    registered yet, so a `Sleep` can be made outside a runtime;
//! 2. its first `poll` finds the runtime (`context::current`), converts the
//!    deadline to a tick (`Clock::deadline_tick`, rounded up) and inserts an
//!    entry with the task's waker into the wheel (`Wheel::insert`);
//! 3. the loop, with nothing to run, asks the wheel for its next expiration
//!    and turns it into the `epoll_wait` timeout (`Driver::park`);
//! 4. after `epoll_wait` returns, `Wheel::advance` marks the entry fired and
//!    wakes the task;
//! 5. the next `poll` sees "fired", removes the entry and returns `Ready`.
//!
//! Dropping a `Sleep` removes its entry at once (a cancelled timer).
//!
//! A `Sleep` names its runtime by id (`handle.rs`), so it is `Send` and
//! `Sync`: it may be moved to, or dropped on, another thread (the loop then
//! removes its entry on its next turn), but it can only be awaited by the
//! runtime it registered with. Polled anywhere else, or after that runtime
//! was dropped, it panics with a message that says which.
//!
//! `sleep(Duration::MAX)` (any duration whose deadline cannot be
//! represented) never completes: it is the everyday way to say "never".

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use super::Instant;
use super::wheel::NEVER;
use crate::context;
use crate::driver::remote::Deferred;
use crate::handle::{RuntimeId, panic_not_here};
use crate::inspect::wait::WaitNote;

/// Waits until `duration` has passed. A duration too long to represent
/// (`Duration::MAX`) waits forever.
///
/// ```
/// use std::time::Duration;
/// runtime::block_on(runtime::time::sleep(Duration::from_millis(10)));
/// ```
#[track_caller]
pub fn sleep(duration: Duration) -> Sleep {
    let now = Instant::now();
    match now.checked_add(duration) {
        Some(deadline) => sleep_until(deadline),
        None => Sleep {
            deadline: far_future(now),
            never: true,
            state: SleepState::Unregistered,
            at: Location::caller(),
        },
    }
}

/// Waits until `deadline`.
#[track_caller]
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        never: false,
        state: SleepState::Unregistered,
        at: Location::caller(),
    }
}

/// About thirty years from `now`: what [`Sleep::deadline`] reports for a
/// sleep that never ends, and what an `Interval` past the end of time uses.
pub(crate) fn far_future(now: Instant) -> Instant {
    now.checked_add(Duration::from_secs(86_400 * 365 * 30))
        .unwrap_or(now)
}

/// The future returned by [`sleep`] and [`sleep_until`].
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Sleep {
    deadline: Instant,
    /// The deadline could not be represented: this sleep never ends.
    never: bool,
    state: SleepState,
    /// Where it was made (`sleep`, `timeout`, `interval` are
    /// `#[track_caller]`): the task's await site in dumps and debuggers.
    at: &'static Location<'static>,
}

enum SleepState {
    Unregistered,
    Registered { rt: RuntimeId, key: usize },
    Done,
}

impl Sleep {
    /// When this sleep ends (for one that never ends, about thirty years
    /// after it was made).
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// The same sleep, shown in dumps as waiting at `at` (a wait the
    /// runtime makes on its user's behalf, e.g. `accept`'s backoff).
    pub(crate) fn sited(mut self, at: &'static Location<'static>) -> Sleep {
        self.at = at;
        self
    }

    /// From now on, shown in dumps as waiting at `at` (an `Interval`'s
    /// sleep waits wherever its `tick()` was called).
    pub(crate) fn set_site(&mut self, at: &'static Location<'static>) {
        self.at = at;
    }

    /// Whether the deadline was reached (the future returned `Ready`).
    pub fn is_elapsed(&self) -> bool {
        matches!(self.state, SleepState::Done)
    }

    /// Moves the deadline; the timer is registered anew at the next poll.
    pub fn reset(&mut self, deadline: Instant) {
        self.unregister();
        self.deadline = deadline;
        self.never = false;
        self.state = SleepState::Unregistered;
    }

    /// Makes this sleep one that never ends (what `Interval` does when its
    /// next tick cannot be represented).
    pub(crate) fn reset_never(&mut self) {
        let deadline = far_future(self.deadline);
        self.reset(deadline);
        self.never = true;
    }

    fn unregister(&mut self) {
        if let SleepState::Registered { rt, key } =
            std::mem::replace(&mut self.state, SleepState::Unregistered)
        {
            // On the loop (the common case: a timeout that did not fire) the
            // entry goes at once; elsewhere the loop removes it later.
            if rt.with(|sched| sched.driver().cancel_timer(key)).is_none() {
                rt.defer(Deferred::CancelTimer(key));
            }
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        match &this.state {
            SleepState::Done => Poll::Ready(()),
            SleepState::Registered { rt, key } => {
                let (rt, key, at) = (*rt, *key, this.at);
                let fired = rt.with(|sched| match sched.driver().poll_timer(key, cx.waker()) {
                    None => true,
                    Some(tick) => {
                        sched.note_wait_at(WaitNote::timer(tick), at);
                        false
                    }
                });
                match fired {
                    Some(true) => {
                        this.state = SleepState::Done;
                        Poll::Ready(())
                    }
                    Some(false) => Poll::Pending,
                    None => panic_not_here("runtime::time::Sleep", rt),
                }
            }
            SleepState::Unregistered => {
                let (deadline, never, at) = (this.deadline, this.never, this.at);
                let registered = context::with_current(|sched| {
                    let driver = sched.driver();
                    let tick = if never {
                        NEVER
                    } else {
                        driver.clock().deadline_tick(deadline.into_std())
                    };
                    match driver.insert_timer(tick, cx.waker()) {
                        Ok(key) => {
                            sched.note_wait_at(WaitNote::timer(tick), at);
                            Some((sched.id(), key))
                        }
                        Err(()) => None,
                    }
                });
                match registered {
                    Some(Some((rt, key))) => {
                        this.state = SleepState::Registered { rt, key };
                        Poll::Pending
                    }
                    Some(None) => {
                        this.state = SleepState::Done;
                        Poll::Ready(())
                    }
                    None => panic!(
                        "runtime::time::sleep polled outside a runtime: await it inside block_on or a task it runs"
                    ),
                }
            }
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.unregister();
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("never", &self.never)
            .field("elapsed", &self.is_elapsed())
            .finish()
    }
}
