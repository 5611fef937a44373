//! [`Builder`]: the knobs of a [`Runtime`].

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::Runtime;

/// Configures and builds a [`Runtime`].
///
/// ```
/// use std::time::Duration;
///
/// let rt = runtime::Runtime::builder()
///     .paused_clock(true)
///     .slow_poll_threshold(Duration::from_millis(50))
///     .build()
///     .unwrap();
/// rt.block_on(async {});
/// ```
#[derive(Clone, Default)]
pub struct Builder {
    pub(crate) config: Config,
}

/// The settled configuration the scheduler and the driver read.
#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) paused_clock: bool,
    pub(crate) slow_poll_threshold: Option<Duration>,
    pub(crate) poll_timing: bool,
    pub(crate) seed: Option<u64>,
    pub(crate) event_interval: u32,
    pub(crate) trace: Option<PathBuf>,
    pub(crate) trace_capacity: usize,
    pub(crate) report_pending_on_drop: bool,
    pub(crate) max_blocking_threads: usize,
    pub(crate) blocking_keep_alive: Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            paused_clock: false,
            slow_poll_threshold: None,
            poll_timing: false,
            seed: None,
            event_interval: 61,
            trace: None,
            trace_capacity: 1 << 18,
            report_pending_on_drop: false,
            max_blocking_threads: 64,
            blocking_keep_alive: Duration::from_secs(10),
        }
    }
}

impl Config {
    /// Whether each poll is timed (two clock reads per poll).
    #[inline]
    pub(crate) fn times_polls(&self) -> bool {
        self.poll_timing || self.slow_poll_threshold.is_some()
    }
}

impl Builder {
    /// A builder with the defaults: real clock, FIFO scheduling, no warnings.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Virtual time: the clock stands still and jumps straight to the next
    /// timer whenever no task can run and no I/O is ready, so a test that
    /// sleeps for an hour finishes at once. When nothing can ever make
    /// progress again, `block_on` panics with a report containing the word
    /// `deadlock` and naming the pending tasks, instead of hanging.
    ///
    /// Wakes from threads the runtime does not know about (plain
    /// `std::thread`s holding a waker) are not waited for in this mode; jobs
    /// on the runtime's blocking pool are.
    pub fn paused_clock(mut self, paused: bool) -> Builder {
        self.config.paused_clock = paused;
        self
    }

    /// Prints one warning to stderr whenever a single poll holds the loop
    /// longer than `threshold`, naming the task's spawn site (asyncio's
    /// `slow_callback_duration`). Off by default; it costs two clock reads
    /// per poll when on.
    pub fn slow_poll_threshold(mut self, threshold: Duration) -> Builder {
        self.config.slow_poll_threshold = Some(threshold);
        self
    }

    /// Times every poll, for [`Stats::longest_poll`](crate::Stats::longest_poll),
    /// without printing warnings. Off by default.
    pub fn poll_timing(mut self, on: bool) -> Builder {
        self.config.poll_timing = on;
        self
    }

    /// Seeded scheduling: the run queue hands out ready tasks in an order
    /// shuffled by a generator seeded with `seed`, so a race found once can
    /// be replayed (same seed, same program, same order of polls). Without
    /// it, tasks run in the order they became ready (FIFO).
    pub fn seed(mut self, seed: u64) -> Builder {
        self.config.seed = Some(seed);
        self
    }

    /// How many tasks the loop polls before it checks the reactor and the
    /// timers even though tasks are still ready (default 61, as tokio).
    ///
    /// # Panics
    /// If `polls` is zero.
    #[track_caller]
    pub fn event_interval(mut self, polls: u32) -> Builder {
        assert!(polls > 0, "Builder::event_interval must be at least 1");
        self.config.event_interval = polls;
        self
    }

    /// Records a trace of every spawn, poll, wake (with its source),
    /// `epoll_wait` and timer fire, and writes it to `path` as Chrome Trace
    /// Event Format JSON when the runtime is dropped: open it in Perfetto
    /// (ui.perfetto.dev) or chrome://tracing. Each wake has a flow arrow to
    /// the poll it caused. Off by default; when off, each hook costs one
    /// branch.
    pub fn trace(mut self, path: impl Into<PathBuf>) -> Builder {
        self.config.trace = Some(path.into());
        self
    }

    /// How many events the trace buffer holds (allocated once when the
    /// runtime is built; later events are counted as dropped). Default
    /// 262,144. A capacity that cannot be allocated makes
    /// [`build`](Builder::build) fail with `ErrorKind::OutOfMemory`.
    pub fn trace_capacity(mut self, events: usize) -> Builder {
        self.config.trace_capacity = events;
        self
    }

    /// When the runtime is dropped with tasks still pending, print each one
    /// with its spawn site to stderr (asyncio's "Task was destroyed but it
    /// is pending!"). Off by default.
    pub fn report_pending_on_drop(mut self, on: bool) -> Builder {
        self.config.report_pending_on_drop = on;
        self
    }

    /// The most threads the blocking pool (behind
    /// [`spawn_blocking`](crate::spawn_blocking) and [`fs`](crate::fs)) may
    /// run at once (default 64). Jobs beyond that wait in the pool's queue.
    ///
    /// # Panics
    /// If `threads` is zero.
    #[track_caller]
    pub fn max_blocking_threads(mut self, threads: usize) -> Builder {
        assert!(
            threads > 0,
            "Builder::max_blocking_threads must be at least 1"
        );
        self.config.max_blocking_threads = threads;
        self
    }

    /// How long an idle blocking-pool thread waits for a new job before it
    /// exits (default 10 s).
    pub fn blocking_keep_alive(mut self, keep_alive: Duration) -> Builder {
        self.config.blocking_keep_alive = keep_alive;
        self
    }

    /// Builds the runtime: `epoll_create1(2)` and `eventfd(2)`.
    ///
    /// # Errors
    /// If the kernel refuses those (e.g. `EMFILE`, too many open files), or
    /// the trace buffer cannot be allocated (`OutOfMemory`).
    pub fn build(self) -> std::io::Result<Runtime> {
        Runtime::from_config(self.config)
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.config;
        f.debug_struct("Builder")
            .field("paused_clock", &c.paused_clock)
            .field("slow_poll_threshold", &c.slow_poll_threshold)
            .field("poll_timing", &c.poll_timing)
            .field("seed", &c.seed)
            .field("event_interval", &c.event_interval)
            .field("trace", &c.trace)
            .field("report_pending_on_drop", &c.report_pending_on_drop)
            .field("max_blocking_threads", &c.max_blocking_threads)
            .field("blocking_keep_alive", &c.blocking_keep_alive)
            .finish()
    }
}
