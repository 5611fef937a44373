//! What this process looks like from `/proc/self`: resident memory, a
//! memory field of `status`, the number of threads. The demos measure both
//! models with these, so that the numbers are read one way; and a sampler
//! of a process's threads over time.

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
