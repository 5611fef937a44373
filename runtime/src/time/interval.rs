//! [`Interval`]: ticks at a fixed period.

use std::future::{Future, poll_fn};
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use super::{Instant, Sleep, sleep_until};

/// Ticks every `period`; the first tick completes at once.
///
/// # Panics
/// If `period` is zero.
///
/// ```
/// use std::time::Duration;
/// use runtime::time::{Instant, interval};
///
/// let rt = runtime::Runtime::builder().paused_clock(true).build().unwrap();
/// rt.block_on(async {
///     let start = Instant::now();
///     let mut every = interval(Duration::from_millis(10));
///     for _ in 0..3 {
///         every.tick().await; // at 0, 10, 20 ms
///     }
///     assert_eq!(start.elapsed(), Duration::from_millis(20));
/// });
/// ```
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    interval_at(Instant::now(), period)
}

/// Ticks every `period`, the first tick at `start`.
///
/// # Panics
/// If `period` is zero.
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(
        !period.is_zero(),
        "runtime::time::interval: the period must be non-zero"
    );
    Interval {
        next: start,
        period,
        sleep: sleep_until(start),
        missed: MissedTickBehavior::Burst,
        made_at: Location::caller(),
    }
}

/// What an [`Interval`] does when the loop was late by one period or more.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MissedTickBehavior {
    /// Catch up: the missed ticks complete at once, one after the other,
    /// until the schedule is met again (tokio's default, kept here).
    #[default]
    Burst,
    /// Restart the schedule from the late tick: the next tick is one period
    /// after it.
    Delay,
    /// Drop the missed ticks: the next tick is the next one on the original
    /// schedule that lies in the future.
    Skip,
}

/// The ticker returned by [`interval`].
#[derive(Debug)]
pub struct Interval {
    next: Instant,
    period: Duration,
    sleep: Sleep,
    missed: MissedTickBehavior,
    /// Where it was made (`interval` is `#[track_caller]`): the await site
    /// of a task waiting in [`poll_tick`](Self::poll_tick) (one waiting in
    /// [`tick`](Self::tick) is shown at its `tick()` call).
    made_at: &'static Location<'static>,
}

impl Interval {
    /// Waits for the next tick and returns its scheduled time.
    #[track_caller]
    pub fn tick(&mut self) -> impl Future<Output = Instant> + '_ {
        // Not an `async fn`, to be `#[track_caller]`: the caller's site is
        // the task's await site while it waits (`inspect::note_at`).
        let at = Location::caller();
        poll_fn(move |cx| self.poll_tick_at(cx, at))
    }

    /// The polling form of [`tick`](Self::tick).
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        self.poll_tick_at(cx, self.made_at)
    }

    /// [`poll_tick`](Self::poll_tick), the wait shown at `at`.
    fn poll_tick_at(
        &mut self,
        cx: &mut Context<'_>,
        at: &'static Location<'static>,
    ) -> Poll<Instant> {
        self.sleep.set_site(at);
        if Pin::new(&mut self.sleep).poll(cx).is_pending() {
            return Poll::Pending;
        }
        let scheduled = self.next;
        let now = Instant::now();
        let on_schedule = scheduled.checked_add(self.period);
        let next = match on_schedule {
            Some(next) if now < next => Some(next),
            // Late by a period or more (or past the end of time).
            _ => match self.missed {
                MissedTickBehavior::Burst => on_schedule,
                MissedTickBehavior::Delay => now.checked_add(self.period),
                MissedTickBehavior::Skip => {
                    let behind = now.duration_since(scheduled).as_nanos();
                    let periods = behind / self.period.as_nanos() + 1;
                    u32::try_from(periods)
                        .ok()
                        .and_then(|n| self.period.checked_mul(n))
                        .and_then(|d| scheduled.checked_add(d))
                }
            },
        };
        self.schedule(next);
        Poll::Ready(scheduled)
    }

    /// Sets the next tick, or, when it cannot be represented (a period of
    /// `Duration::MAX`), makes the next tick never come.
    fn schedule(&mut self, next: Option<Instant>) {
        match next {
            Some(next) => {
                self.next = next;
                self.sleep.reset(next);
            }
            None => self.sleep.reset_never(),
        }
    }

    /// Chooses what happens to missed ticks (default: [`MissedTickBehavior::Burst`]).
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed = behavior;
    }

    /// The period.
    pub fn period(&self) -> Duration {
        self.period
    }

    /// Restarts the schedule: the next tick is one period from now, and the
    /// ticks after it one period apart from there (tokio's `reset`).
    pub fn reset(&mut self) {
        self.schedule(Instant::now().checked_add(self.period));
    }

    /// Restarts the schedule with a tick due now: the next
    /// [`tick`](Self::tick) completes at once, and the ticks after it come
    /// one period apart from now (tokio's `reset_immediately`).
    ///
    /// ```
    /// use std::time::Duration;
    /// use runtime::time::{Instant, interval};
    ///
    /// # let rt = runtime::Runtime::builder().paused_clock(true).build().unwrap();
    /// # rt.block_on(async {
    /// let start = Instant::now();
    /// let mut every = interval(Duration::from_secs(10));
    /// every.tick().await; // at 0 s
    /// runtime::time::sleep(Duration::from_secs(3)).await;
    /// every.reset_immediately();
    /// every.tick().await; // at 3 s, not 10 s
    /// every.tick().await; // at 13 s
    /// assert_eq!(start.elapsed(), Duration::from_secs(13));
    /// # });
    /// ```
    pub fn reset_immediately(&mut self) {
        self.schedule(Some(Instant::now()));
    }

    /// Restarts the schedule with the next tick `after` from now, and the
    /// ticks after it one period apart from there (tokio's `reset_after`).
    /// An `after` beyond the end of the clock makes the next tick never
    /// come.
    pub fn reset_after(&mut self, after: Duration) {
        self.schedule(Instant::now().checked_add(after));
    }

    /// Restarts the schedule with the next tick at `deadline` (at once if it
    /// has passed: the tick then reports `deadline`, as tokio's does), and
    /// the ticks after it one period apart from there, late ticks handled
    /// by the [`MissedTickBehavior`] (tokio's `reset_at`).
    pub fn reset_at(&mut self, deadline: Instant) {
        self.schedule(Some(deadline));
    }
}
