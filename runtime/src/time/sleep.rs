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
//!    and turns it into the `epoll_wait` timeout (`Executor::park`);
//! 4. after `epoll_wait` returns, `Wheel::advance` marks the entry fired and
//!    wakes the task;
//! 5. the next `poll` sees "fired", removes the entry and returns `Ready`.
//!
//! Dropping a `Sleep` removes its entry at once (a cancelled timer).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use super::Instant;
use crate::context;
use crate::executor::Executor;
use crate::inspect::Wait;
use crate::stats::bump;

/// Waits until `duration` has passed.
///
/// ```
/// use std::time::Duration;
/// runtime::block_on(runtime::time::sleep(Duration::from_millis(10)));
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    let now = Instant::now();
    let deadline = now.checked_add(duration).unwrap_or_else(|| far_future(now));
    sleep_until(deadline)
}

/// Waits until `deadline`.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        state: SleepState::Unregistered,
    }
}

/// About thirty years from `now`: "never", for all practical purposes.
pub(crate) fn far_future(now: Instant) -> Instant {
    now.checked_add(Duration::from_secs(86_400 * 365 * 30))
        .unwrap_or(now)
}

/// The future returned by [`sleep`] and [`sleep_until`].
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Sleep {
    deadline: Instant,
    state: SleepState,
}

enum SleepState {
    Unregistered,
    Registered { exec: Rc<Executor>, key: usize },
    Done,
}

impl Sleep {
    /// When this sleep ends.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the deadline was reached (the future returned `Ready`).
    pub fn is_elapsed(&self) -> bool {
        matches!(self.state, SleepState::Done)
    }

    /// Moves the deadline; the timer is registered anew at the next poll.
    pub fn reset(&mut self, deadline: Instant) {
        self.unregister();
        self.deadline = deadline;
        self.state = SleepState::Unregistered;
    }

    fn unregister(&mut self) {
        if let SleepState::Registered { exec, key } =
            std::mem::replace(&mut self.state, SleepState::Unregistered)
        {
            let (cancelled, waker) = exec.timers.borrow_mut().remove(key);
            if cancelled {
                bump(&exec.counters.timers_cancelled);
            }
            drop(waker); // outside the wheel's borrow
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        match &this.state {
            SleepState::Done => Poll::Ready(()),
            SleepState::Registered { exec, key } => {
                let key = *key;
                let mut wheel = exec.timers.borrow_mut();
                if wheel.is_fired(key) {
                    drop(wheel.remove(key));
                    drop(wheel);
                    this.state = SleepState::Done;
                    Poll::Ready(())
                } else {
                    let old = wheel.set_waker(key, cx.waker());
                    let tick = wheel.tick_of(key).unwrap_or(0);
                    drop(wheel);
                    drop(old);
                    exec.note_wait(Wait::Timer(tick));
                    Poll::Pending
                }
            }
            SleepState::Unregistered => {
                let exec = context::current().unwrap_or_else(|| {
                    panic!("runtime::time::sleep polled outside a runtime: await it inside block_on or a task it runs")
                });
                let tick = exec.clock.deadline_tick(this.deadline.into_std());
                let inserted = exec.timers.borrow_mut().insert(tick, cx.waker().clone());
                match inserted {
                    Ok(key) => {
                        bump(&exec.counters.timers_registered);
                        exec.note_wait(Wait::Timer(tick));
                        this.state = SleepState::Registered { exec, key };
                        Poll::Pending
                    }
                    Err(()) => {
                        this.state = SleepState::Done;
                        Poll::Ready(())
                    }
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
            .field("elapsed", &self.is_elapsed())
            .finish()
    }
}
