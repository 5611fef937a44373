//! The runtime's clock: real, or paused (virtual).
//!
//! Both count from `base`, the moment the runtime was built, and convert
//! instants to wheel ticks (milliseconds since `base`). A deadline becomes
//! the tick *after* it (rounded up), the present becomes the tick *before*
//! it (rounded down), so a timer never fires early and the loop never wakes
//! before its deadline only to find nothing due.
//!
//! The paused clock stands still; the executor moves it to the next timer's
//! tick when nothing else can happen (`Driver::park`).
//!
//! Every conversion saturates: the clock never reads past [`MAX_TICK`]
//! (~146 million years after `base`, so `base + offset` is always a valid
//! `Instant`), and a deadline past that is [`NEVER`]. `time::advance(
//! Duration::MAX)` therefore moves the clock to its end instead of
//! overflowing on the next read.

use std::cell::Cell;
use std::time::{Duration, Instant};

use super::wheel::{MAX_TICK, NEVER};

pub(crate) struct Clock {
    base: Instant,
    paused: bool,
    /// Virtual time since `base` (paused clock only).
    offset: Cell<Duration>,
}

const TICK: Duration = Duration::from_millis(1);

impl Clock {
    pub(crate) fn new(paused: bool) -> Clock {
        Clock {
            base: Instant::now(),
            paused,
            offset: Cell::new(Duration::ZERO),
        }
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.paused
    }

    /// Now: `clock_gettime(CLOCK_MONOTONIC)` (vDSO, no syscall), or the
    /// virtual time when paused.
    #[inline]
    pub(crate) fn now(&self) -> Instant {
        if self.paused {
            self.base + self.offset.get()
        } else {
            Instant::now()
        }
    }

    /// The tick at or after `deadline` (rounded up), or [`NEVER`] if the
    /// clock cannot reach it.
    pub(crate) fn deadline_tick(&self, deadline: Instant) -> u64 {
        let since = deadline.saturating_duration_since(self.base);
        let ms = since.as_millis();
        let tick = if since.subsec_nanos() % 1_000_000 != 0 {
            ms + 1
        } else {
            ms
        };
        if tick > u128::from(MAX_TICK) {
            NEVER
        } else {
            tick as u64
        }
    }

    /// The last tick that has fully begun (rounded down).
    pub(crate) fn now_tick(&self) -> u64 {
        let ms = self.now().saturating_duration_since(self.base).as_millis();
        u64::try_from(ms).unwrap_or(MAX_TICK).min(MAX_TICK)
    }

    /// How long from now until `tick` begins, rounded up to whole
    /// milliseconds (`epoll_wait` counts in milliseconds).
    pub(crate) fn until_tick(&self, tick: u64) -> Duration {
        let at = self.base + TICK * u32::try_from(tick).unwrap_or(u32::MAX);
        let wait = at.saturating_duration_since(self.now());
        let ms = wait.as_millis() as u64;
        Duration::from_millis(if wait > Duration::from_millis(ms) {
            ms + 1
        } else {
            ms
        })
    }

    /// Moves the paused clock forward to the start of `tick`.
    pub(crate) fn jump_to_tick(&self, tick: u64) {
        debug_assert!(self.paused);
        let to = Duration::from_millis(tick.min(MAX_TICK));
        if to > self.offset.get() {
            self.offset.set(to);
        }
    }

    /// Moves the paused clock forward by `by` (`time::advance`), stopping
    /// at the clock's end.
    pub(crate) fn advance(&self, by: Duration) {
        let end = Duration::from_millis(MAX_TICK);
        self.offset
            .set(self.offset.get().saturating_add(by).min(end));
    }
}
