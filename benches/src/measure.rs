//! What a run reports, and the process-level meters it reads: RSS and
//! address space from `/proc/self/statm`, CPU time from `getrusage(2)`.

use std::time::Duration;

/// One number a run reports: `RESULT <metric> <impl> <value> <unit>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Row of the table, e.g. `spawn` or `echo-100-cpu`.
    pub metric: String,
    /// Implementation, e.g. `ours` or `tokio`.
    pub imp: String,
    /// The measured value.
    pub value: f64,
    /// Its unit; a unit ending in `/s` is a rate (higher is better), every
    /// other unit is a cost (lower is better).
    pub unit: String,
}

impl Sample {
    /// A sample for `metric` by `imp`.
    pub fn new(metric: impl Into<String>, imp: &str, value: f64, unit: &str) -> Sample {
        Sample {
            metric: metric.into(),
            imp: imp.to_string(),
            value,
            unit: unit.to_string(),
        }
    }

    /// A per-operation cost in nanoseconds: `took / ops`.
    pub fn per_op(metric: &str, imp: &str, took: Duration, ops: usize, unit: &str) -> Sample {
        Sample::new(
            metric,
            imp,
            took.as_nanos() as f64 / ops.max(1) as f64,
            unit,
        )
    }

    /// The machine-readable line the table parses.
    pub fn line(&self) -> String {
        format!(
            "RESULT {} {} {:.3} {}",
            self.metric, self.imp, self.value, self.unit
        )
    }

    /// Parses [`Sample::line`]'s output; `None` for any other line.
    pub fn parse(line: &str) -> Option<Sample> {
        let mut it = line.split_whitespace();
        if it.next()? != "RESULT" {
            return None;
        }
        let metric = it.next()?.to_string();
        let imp = it.next()?.to_string();
        let value = it.next()?.parse().ok()?;
        let unit = it.next()?.to_string();
        Some(Sample {
            metric,
            imp,
            value,
            unit,
        })
    }

    /// Whether a larger value is better (rates).
    pub fn higher_is_better(unit: &str) -> bool {
        unit.ends_with("/s")
    }
}

/// `(size, resident)` of this process in bytes, from `/proc/self/statm`.
pub fn statm() -> Result<(u64, u64), String> {
    let text = std::fs::read_to_string("/proc/self/statm")
        .map_err(|e| format!("cannot read /proc/self/statm: {e}"))?;
    let mut fields = text.split_whitespace().map(|f| f.parse::<u64>());
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(1) as u64;
    match (fields.next(), fields.next()) {
        (Some(Ok(size)), Some(Ok(resident))) => Ok((size * page, resident * page)),
        _ => Err(format!("unexpected /proc/self/statm: {text:?}")),
    }
}

/// User plus system CPU time this process (all its threads) has used.
pub fn cpu_time() -> Duration {
    // SAFETY: `getrusage` writes into the zeroed struct we pass; RUSAGE_SELF
    // is always valid.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Raises this process's soft `RLIMIT_NOFILE` to at least `want` (up to the
/// hard limit). Returns the soft limit now in force.
pub fn raise_nofile(want: u64) -> Result<u64, String> {
    // SAFETY: get/setrlimit read and write the struct we pass.
    unsafe {
        let mut lim: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return Err(format!(
                "getrlimit(RLIMIT_NOFILE): {}",
                std::io::Error::last_os_error()
            ));
        }
        if lim.rlim_cur >= want {
            return Ok(lim.rlim_cur);
        }
        let target = want.min(lim.rlim_max);
        lim.rlim_cur = target;
        if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
            return Err(format!(
                "setrlimit(RLIMIT_NOFILE, {target}): {}",
                std::io::Error::last_os_error()
            ));
        }
        Ok(target)
    }
}

/// Whether [`Stopwatch`] reads CPU time (`--cpu`) instead of wall time.
static CPU_CLOCK: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Makes every [`Stopwatch`] of this process read the process's CPU time
/// (`clock_gettime(CLOCK_PROCESS_CPUTIME_ID)`: all its threads, user and
/// system, page faults included) instead of the wall clock. On a machine
/// shared with other work the wall clock also counts the time other
/// processes held the core; CPU time does not (it still feels their cache
/// and sibling-hyperthread traffic).
pub fn use_cpu_clock(on: bool) {
    CPU_CLOCK.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Whether [`use_cpu_clock`] is on.
pub fn cpu_clock() -> bool {
    CPU_CLOCK.load(std::sync::atomic::Ordering::Relaxed)
}

/// This process's CPU time (all threads), from
/// `clock_gettime(CLOCK_PROCESS_CPUTIME_ID)` (nanosecond resolution, unlike
/// `getrusage`'s split into user and system).
pub fn process_cpu_time() -> Duration {
    // SAFETY: `clock_gettime` writes into the zeroed struct we pass; the
    // clock id is a constant every Linux has.
    let ts = unsafe {
        let mut ts: libc::timespec = std::mem::zeroed();
        libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts);
        ts
    };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Times a measured section: wall time, or CPU time with [`use_cpu_clock`].
#[derive(Clone, Copy, Debug)]
pub enum Stopwatch {
    /// `Instant` (wall time).
    Wall(std::time::Instant),
    /// [`process_cpu_time`] at the start.
    Cpu(Duration),
}

impl Stopwatch {
    /// Starts timing now.
    pub fn start() -> Stopwatch {
        if cpu_clock() {
            Stopwatch::Cpu(process_cpu_time())
        } else {
            Stopwatch::Wall(std::time::Instant::now())
        }
    }

    /// The time since [`start`](Self::start), on the clock it started with.
    pub fn elapsed(&self) -> Duration {
        match self {
            Stopwatch::Wall(t) => t.elapsed(),
            Stopwatch::Cpu(t) => process_cpu_time().saturating_sub(*t),
        }
    }
}

/// Minor page faults of this process so far (`getrusage(RUSAGE_SELF)`,
/// `ru_minflt`): each is the kernel giving the process a fresh page on its
/// first touch.
pub fn minor_faults() -> u64 {
    // SAFETY: as in `cpu_time`.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    usage.ru_minflt as u64
}
