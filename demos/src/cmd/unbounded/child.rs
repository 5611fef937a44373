//! The child process of `demo unbounded`: lowers its own address-space
//! limit, runs N holders of a buffer on one model, with or without a
//! semaphore, and prints one `RESULT` line (unless an allocation failure
//! it cannot survive aborts it first; the parent reads that from its exit
//! status).
//!
//! Before the limit, two `mallopt(3)` settings, so that what the limit
//! measures is the buffers and the thread stacks, not glibc's bookkeeping:
//! `M_ARENA_MAX = 1` (each extra malloc arena reserves 64 MiB of address
//! space, a thread model would spend the budget on them) and a fixed
//! `M_MMAP_THRESHOLD` of 128 KiB (every buffer is its own `mmap(2)`, given
//! back by `munmap(2)` when released, and an allocation over the limit
//! fails in `mmap` with `ENOMEM`, which `try_reserve_exact` returns as an
//! error).

use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::support::child::report_line;
use crate::support::cli::Model;
use crate::support::limits;
use crate::support::proc_self::status_bytes;

/// What a child runs.
#[derive(Clone, Copy, Debug)]
pub(super) struct Plan {
    pub(super) model: Model,
    pub(super) tasks: usize,
    pub(super) buffer: usize,
    pub(super) budget: u64,
    /// `None`: no bound.
    pub(super) permits: Option<usize>,
    pub(super) hold: Duration,
}

/// Buffers held now and at most, and the tally.
#[derive(Default)]
struct Tally {
    held: AtomicUsize,
    peak: AtomicUsize,
    completed: AtomicUsize,
    refused: AtomicUsize,
    spawn_failed: AtomicUsize,
}

impl Tally {
    /// Allocates and touches one buffer (every byte written: resident),
    /// or counts a refusal.
    fn take(&self, size: usize) -> Option<Vec<u8>> {
        let mut v: Vec<u8> = Vec::new();
        if v.try_reserve_exact(size).is_err() {
            self.refused.fetch_add(1, Ordering::SeqCst);
            return None;
        }
        v.resize(size, 1);
        let now = self.held.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        Some(v)
    }

    fn give_back(&self, buffer: Vec<u8>) {
        drop(std::hint::black_box(buffer));
        self.held.fetch_sub(1, Ordering::SeqCst);
        self.completed.fetch_add(1, Ordering::SeqCst);
    }
}

/// The child's main: returns the exit code.
pub(super) fn main(plan: Plan) -> i32 {
    // SAFETY: mallopt(3) only sets allocator parameters; it is called
    // before this process starts any thread.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
    let base = match status_bytes("VmSize") {
        Ok(b) => b as u64,
        Err(e) => {
            report_line(&format!("ERROR {e}"));
            return 1;
        }
    };
    if let Err(e) = limits::set_address_space(base + plan.budget) {
        report_line(&format!("ERROR {e}"));
        return 1;
    }
    report_line(&format!("LIMIT base={base} limit={}", base + plan.budget));
    let tally = Arc::new(Tally::default());
    let start = Instant::now();
    let ran = match plan.model {
        Model::Threads => on_threads(plan, &tally),
        _ => on_loop(plan, &tally),
    };
    if let Err(e) = ran {
        report_line(&format!("ERROR {e}"));
        return 1;
    }
    let n = |a: &AtomicUsize| a.load(Ordering::SeqCst);
    report_line(&format!(
        "RESULT completed={} refused={} spawn_failed={} peak_held={} peak_rss={} wall_us={}",
        n(&tally.completed),
        n(&tally.refused),
        n(&tally.spawn_failed),
        n(&tally.peak),
        status_bytes("VmHWM").unwrap_or(0.0) as u64,
        start.elapsed().as_micros()
    ));
    0
}

/// N tasks on the loop. Without a bound, each holds its buffer until
/// every task has tried to allocate one (so that all N are held at once,
/// whatever the timing), then for `hold`; behind the semaphore, each holds
/// it for `hold` and gives its permit to the next.
fn on_loop(plan: Plan, tally: &Arc<Tally>) -> Result<(), String> {
    let rt = runtime::Runtime::new().map_err(|e| format!("cannot start the runtime: {e}"))?;
    rt.block_on(async {
        let permits = Rc::new(runtime::sync::Semaphore::new(plan.permits.unwrap_or(1)));
        let tried = Rc::new(Cell::new(0usize));
        let all_tried = Rc::new(runtime::sync::Event::new());
        let tasks: Vec<_> = (0..plan.tasks)
            .map(|_| {
                let (permits, tried, all_tried, tally) = (
                    permits.clone(),
                    tried.clone(),
                    all_tried.clone(),
                    tally.clone(),
                );
                runtime::spawn(async move {
                    let _permit = match plan.permits {
                        Some(_) => Some(permits.acquire().await),
                        None => None,
                    };
                    let buffer = tally.take(plan.buffer);
                    if plan.permits.is_none() {
                        tried.set(tried.get() + 1);
                        if tried.get() == plan.tasks {
                            all_tried.set();
                        }
                        all_tried.wait().await;
                    }
                    if let Some(b) = buffer {
                        runtime::time::sleep(plan.hold).await;
                        tally.give_back(b);
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.map_err(|e| format!("a task failed: {e}"))?;
        }
        Ok(())
    })
}

/// N threads (64 KiB stacks). Without a bound, each holds its buffer until
/// every thread has tried (a thread the OS refused counts as having
/// tried), then for `hold`; behind `threaded::Semaphore`, as on the loop.
fn on_threads(plan: Plan, tally: &Arc<Tally>) -> Result<(), String> {
    let permits = Arc::new(runtime::threaded::Semaphore::new(plan.permits.unwrap_or(1)));
    let tried = Arc::new((Mutex::new(0usize), Condvar::new()));
    let mark_tried = |tried: &(Mutex<usize>, Condvar)| {
        if let Ok(mut n) = tried.0.lock() {
            *n += 1;
            tried.1.notify_all();
        }
    };
    let mut handles = Vec::with_capacity(plan.tasks);
    for _ in 0..plan.tasks {
        let (permits, tried_in, tally_in) = (permits.clone(), tried.clone(), tally.clone());
        let spawned = runtime::threaded::Builder::new()
            .name("holder")
            .stack_size(64 * 1024)
            .spawn(move || {
                let (tried, tally) = (tried_in, tally_in);
                let _permit = plan.permits.map(|_| permits.acquire());
                let buffer = tally.take(plan.buffer);
                if plan.permits.is_none() {
                    mark_tried(&tried);
                    let Ok(mut n) = tried.0.lock() else { return };
                    while *n < plan.tasks {
                        n = match tried.1.wait(n) {
                            Ok(n) => n,
                            Err(_) => return,
                        };
                    }
                }
                if let Some(b) = buffer {
                    std::thread::sleep(plan.hold);
                    tally.give_back(b);
                }
            });
        match spawned {
            Ok(h) => handles.push(h),
            Err(_) => {
                tally.spawn_failed.fetch_add(1, Ordering::SeqCst);
                mark_tried(&tried);
            }
        }
    }
    for h in handles {
        h.join().map_err(|e| format!("a thread failed: {e}"))?;
    }
    Ok(())
}
