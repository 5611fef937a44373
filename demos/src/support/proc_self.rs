//! What this process looks like from `/proc/self`: resident memory, a
//! memory field of `status`, the number of threads, the CPU time used. The
//! demos measure both models with these, so that the numbers are read one
//! way; and samplers of a process's threads and peak memory over time.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// Resident memory of this process, in bytes (`/proc/self/statm`).
pub(crate) fn rss_bytes() -> Result<f64, String> {
    let statm = std::fs::read_to_string("/proc/self/statm")
        .map_err(|e| format!("cannot read /proc/self/statm: {e}"))?;
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| format!("unexpected /proc/self/statm: {statm:?}"))?;
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Ok(pages * page.max(1) as f64)
}

/// A `kB` field of `/proc/self/status` (`VmRSS`, `VmSize`, `VmHWM`, ...),
/// in bytes.
pub(crate) fn status_bytes(field: &str) -> Result<f64, String> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("cannot read /proc/self/status: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map(|kb| kb * 1024.0)
        .ok_or_else(|| format!("no {field} in /proc/self/status"))
}

/// Threads of this process now (the entries of `/proc/self/task`).
pub(crate) fn threads_now() -> Result<usize, String> {
    count_tasks("/proc/self/task")
}

/// Threads of process `pid` now (the entries of `/proc/<pid>/task`): a
/// child this program started, such as `demo load`'s server.
pub(crate) fn threads_of(pid: u32) -> Result<usize, String> {
    count_tasks(&format!("/proc/{pid}/task"))
}

fn count_tasks(dir: &str) -> Result<usize, String> {
    std::fs::read_dir(dir)
        .map(|d| d.count())
        .map_err(|e| format!("cannot list {dir}: {e}"))
}

/// Counts a process's threads (`/proc/<pid>/task`) at a steady period on
/// a thread of its own, keeping the most seen: `demo load` samples its
/// server, `demo fetch`'s client samples itself.
pub(crate) struct ThreadSampler {
    stop: Arc<AtomicBool>,
    most: Arc<AtomicUsize>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ThreadSampler {
    /// Starts counting the threads of `pid` every `every`.
    pub(crate) fn start(pid: u32, every: Duration) -> ThreadSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let most = Arc::new(AtomicUsize::new(0));
        let (s, m) = (stop.clone(), most.clone());
        let thread = std::thread::Builder::new()
            .name("thread-sampler".into())
            .spawn(move || {
                while !s.load(Ordering::Relaxed) {
                    if let Ok(n) = threads_of(pid) {
                        m.fetch_max(n, Ordering::Relaxed);
                    }
                    std::thread::sleep(every);
                }
            })
            .ok();
        ThreadSampler { stop, most, thread }
    }

    /// Stops sampling; the most threads seen (0 if none could be read).
    /// Of this process, the count includes the sampler's own thread.
    pub(crate) fn stop(mut self) -> usize {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.most.load(Ordering::Relaxed)
    }
}

/// CPU time this process has used so far, user plus system, all its
/// threads (the ended ones included): `getrusage(2)` with `RUSAGE_SELF`.
/// A cost measured in CPU time does not grow when a busy machine makes
/// the process wait for a core; wall time does.
pub(crate) fn cpu_time() -> Duration {
    // SAFETY: rusage is plain integers; all zeros is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable rusage for the call's duration.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    };
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// A `kB` field of `/proc/<pid>/status` (`VmHWM`, `VmRSS`...), in bytes.
pub(crate) fn status_bytes_of(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map(|kb| kb * 1024.0)
}

/// Reads a child's peak resident memory (`VmHWM` of `/proc/<pid>/status`)
/// at a steady period on a thread of its own, keeping the last value read:
/// the peak so far, still known after the child died (by `SIGABRT` on an
/// allocation failure, say) and can no longer report it.
pub(crate) struct PeakRss {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicUsize>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl PeakRss {
    /// Starts reading `pid`'s `VmHWM` every `every`.
    pub(crate) fn start(pid: u32, every: Duration) -> PeakRss {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicUsize::new(0));
        let (s, p) = (stop.clone(), peak.clone());
        let thread = std::thread::Builder::new()
            .name("rss-sampler".into())
            .spawn(move || {
                while !s.load(Ordering::Relaxed) {
                    if let Some(b) = status_bytes_of(pid, "VmHWM") {
                        p.fetch_max(b as usize, Ordering::Relaxed);
                    }
                    std::thread::sleep(every);
                }
            })
            .ok();
        PeakRss { stop, peak, thread }
    }

    /// Stops reading; the highest `VmHWM` read, in bytes (0 if none).
    pub(crate) fn stop(mut self) -> f64 {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.peak.load(Ordering::Relaxed) as f64
    }
}

/// CPU time process `pid` has used so far, user plus system, every thread
/// (fields 14 and 15 of `/proc/<pid>/stat`, in clock ticks of
/// `sysconf(_SC_CLK_TCK)`: 10 ms at the usual 100 Hz).
pub(crate) fn cpu_time_of(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces; the fields after it
    // start past its closing parenthesis.
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11); // field 14 is the 12th after ')'
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    Some(Duration::from_secs_f64((utime + stime) as f64 / hz))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_cpu_time_is_read_from_proc_and_grows() {
        let pid = std::process::id();
        let before = cpu_time_of(pid).expect("/proc/self/stat");
        let start = std::time::Instant::now();
        let mut x = 0u64;
        while start.elapsed() < Duration::from_millis(50) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        let after = cpu_time_of(pid).expect("/proc/self/stat");
        assert!(after >= before, "{before:?} -> {after:?}");
        assert!(cpu_time() >= after.saturating_sub(Duration::from_millis(20)));
    }
}
