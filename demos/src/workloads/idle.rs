//! Idle tasks and idle threads, for `demo compare` (memory and threads per
//! idle unit) and `demo c10k` (whose thread server warms up glibc's malloc
//! arenas first, as the idle threads here do).
//!
//! Each count is read from `/proc/self` while the units are all alive and
//! waiting: RSS (and, for threads, VmSize) growth divided by the units,
//! and the entries of `/proc/self/task`.

use std::time::Duration;

use crate::support::proc_self::{rss_bytes, status_bytes, threads_now};

/// Idle threads' stack size.
const THREAD_STACK: usize = 64 * 1024;

/// What one model measured while its idle units waited.
pub struct Idle {
    pub rss_per_unit: f64,
    pub vmsize_per_unit: Option<f64>,
    pub units: usize,
    pub threads_seen: usize,
    /// The loop's polls while its idle tasks were spawned and polled.
    pub polls: Option<u64>,
}

/// RSS growth per task for `count` pending tasks, the loop's polls, and the
/// threads of the process while they were pending.
pub fn tasks(count: usize) -> Result<Idle, String> {
    let rt = runtime::Runtime::builder()
        .build()
        .map_err(|e| format!("cannot build the runtime: {e}"))?;
    let (delta, threads_seen) = rt.block_on(async {
        let before = rss_bytes()?;
        let handles: Vec<_> = (0..count)
            .map(|_| runtime::spawn(std::future::pending::<()>()))
            .collect();
        runtime::yield_now().await; // every task polled once, now pending
        let after = rss_bytes()?;
        let threads = threads_now()?;
        for h in &handles {
            h.abort();
        }
        Ok::<(f64, usize), String>((after - before, threads))
    })?;
    Ok(Idle {
        rss_per_unit: delta / count as f64,
        vmsize_per_unit: None,
        units: count,
        threads_seen,
        polls: Some(rt.stats().polls),
    })
}

/// RSS and VmSize growth per thread for `count` threads parked on a
/// condvar, and the threads of the process (`/proc/self/task`) while they
/// were. A small warm-up batch first makes glibc create its per-thread
/// malloc arenas (64 MiB of address space each, up to 8 per core, kept
/// after the threads exit), which would otherwise be charged to the
/// threads' stacks. (Its few stacks stay in glibc's stack cache and are
/// reused: a slight underestimate.)
pub fn threads(count: usize) -> Result<Idle, String> {
    warm_up_malloc_arenas()?;
    let (rss, vm, threads_seen) = idle_thread_batch(count)?;
    Ok(Idle {
        rss_per_unit: rss / count as f64,
        vmsize_per_unit: Some(vm / count as f64),
        units: count,
        threads_seen,
        polls: None,
    })
}

/// Starts and joins enough threads that glibc has created all its malloc
/// arenas (up to 8 per core): memory measured after this is not inflated by
/// arenas that any later batch of threads would have created.
pub fn warm_up_malloc_arenas() -> Result<(), String> {
    idle_thread_batch(8 * crate::support::measure::cores() + 8).map(|_| ())
}

/// Starts `count` idle threads, measures, releases and joins them: RSS
/// growth, VmSize growth, threads of the process.
fn idle_thread_batch(count: usize) -> Result<(f64, f64, usize), String> {
    use std::sync::{Arc, Condvar, Mutex};
    let release = Arc::new((Mutex::new(false), Condvar::new()));
    // A counter, not a channel: a send could malloc in the new thread and
    // give it its own malloc arena, which would inflate VmSize.
    let ready = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let rss0 = status_bytes("VmRSS")?;
    let vm0 = status_bytes("VmSize")?;
    let mut handles = Vec::with_capacity(count);
    let mut spawn_error = None;
    for _ in 0..count {
        let release = release.clone();
        let ready = ready.clone();
        let spawned = runtime::threaded::Builder::new()
            .stack_size(THREAD_STACK)
            .spawn(move || {
                ready.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let (lock, cond) = &*release;
                let Ok(mut go) = lock.lock() else { return };
                while !*go {
                    go = match cond.wait(go) {
                        Ok(g) => g,
                        Err(_) => return,
                    };
                }
            });
        match spawned {
            Ok(h) => handles.push(h),
            Err(e) => {
                spawn_error = Some(e);
                break;
            }
        }
    }
    while ready.load(std::sync::atomic::Ordering::SeqCst) < handles.len() {
        std::thread::sleep(Duration::from_millis(1));
    }
    let measured = status_bytes("VmRSS").and_then(|r| {
        let vm = status_bytes("VmSize")?;
        Ok((r - rss0, vm - vm0, threads_now()?))
    });
    {
        let (lock, cond) = &*release;
        if let Ok(mut go) = lock.lock() {
            *go = true;
        }
        cond.notify_all();
    }
    for h in handles {
        let _ = h.join();
    }
    if let Some(e) = spawn_error {
        return Err(format!("cannot start a thread (of {count}): {e}"));
    }
    measured
}
