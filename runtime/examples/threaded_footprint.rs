//! Measures what a thread of `runtime::threaded` costs: memory per idle
//! thread (RSS and virtual size from `/proc/self/status`), where idle
//! threads sleep in the kernel (`/proc/self/task/*/wchan`), the time of a
//! spawn + join, and the time of a switch between two threads handing a
//! turn back and forth through a `Mutex` + `Condvar`.
//!
//! ```text
//! cargo build --release -p runtime --example threaded_footprint
//! ./target/release/examples/threaded_footprint
//! taskset -c 0 ./target/release/examples/threaded_footprint     # one CPU
//! GLIBC_TUNABLES=glibc.pthread.stack_cache_size=0 \
//!     ./target/release/examples/threaded_footprint             # no stack cache
//! ```
//!
//! glibc keeps up to 40 MiB of freed thread stacks for reuse; a reused
//! stack is neither mapped anew nor entirely non-resident, so the memory
//! deltas are exact only with the stack cache turned off (third line).

use runtime::threaded::{self, Builder, Stats};
use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Instant;

const IDLE_THREADS: usize = 1_000;
const RUNS: usize = 5;
const HANDOFFS: u64 = 20_000;

/// A field of `/proc/self/status` in KiB (`VmRSS`, `VmSize`).
fn status_kib(field: &str) -> u64 {
    proc_kib("/proc/self/status", field)
}

/// A `Name: N kB` field of a /proc file.
fn proc_kib(file: &str, field: &str) -> u64 {
    let status = std::fs::read_to_string(file).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// How many of the process's threads wait in each kernel function.
fn wchans() -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for task in std::fs::read_dir("/proc/self/task").into_iter().flatten() {
        let Ok(task) = task else { continue };
        let wchan = std::fs::read_to_string(task.path().join("wchan")).unwrap_or_default();
        *counts.entry(wchan).or_insert(0) += 1;
    }
    counts
}

/// The idle threads count themselves in (`arrived`, which only the main
/// thread waits on), then sleep until `released` (notified once).
#[derive(Default)]
struct Gate {
    state: Mutex<(usize, bool)>,
    arrived: Condvar,
    released: Condvar,
}

/// Starts `IDLE_THREADS` idle threads and returns the growth in KiB per
/// thread of RSS, VmSize and the kernel stacks (`KernelStack` in
/// `/proc/meminfo`, machine-wide) while they all sleep.
fn idle_footprint(stack: Option<usize>, show_wchan: bool) -> (f64, f64, f64) {
    let gate = Arc::new(Gate::default());
    let (rss0, vm0) = (status_kib("VmRSS"), status_kib("VmSize"));
    let kstack0 = proc_kib("/proc/meminfo", "KernelStack");
    let handles: Vec<_> = (0..IDLE_THREADS)
        .map(|_| {
            let gate = Arc::clone(&gate);
            let mut builder = Builder::new();
            if let Some(bytes) = stack {
                builder = builder.stack_size(bytes);
            }
            builder
                .spawn(move || {
                    let mut state = gate.state.lock().unwrap_or_else(PoisonError::into_inner);
                    state.0 += 1;
                    gate.arrived.notify_one();
                    while !state.1 {
                        state = gate
                            .released
                            .wait(state)
                            .unwrap_or_else(PoisonError::into_inner);
                    }
                })
                .expect("spawn an idle thread")
        })
        .collect();
    let mut state = gate.state.lock().unwrap_or_else(PoisonError::into_inner);
    while state.0 < IDLE_THREADS {
        state = gate
            .arrived
            .wait(state)
            .unwrap_or_else(PoisonError::into_inner);
    }
    drop(state);
    let (rss1, vm1) = (status_kib("VmRSS"), status_kib("VmSize"));
    let kstack1 = proc_kib("/proc/meminfo", "KernelStack");
    if show_wchan {
        println!("  idle threads wait in: {:?}", wchans());
    }
    gate.state.lock().unwrap_or_else(PoisonError::into_inner).1 = true;
    gate.released.notify_all();
    for handle in handles {
        handle.join().expect("an idle thread does not panic");
    }
    let per = |after: u64, before: u64| (after as f64 - before as f64) / IDLE_THREADS as f64;
    (per(rss1, rss0), per(vm1, vm0), per(kstack1, kstack0))
}

/// Nanoseconds per spawn + join, one thread at a time.
fn spawn_join_ns() -> f64 {
    let start = Instant::now();
    for i in 0..IDLE_THREADS {
        let handle = threaded::spawn(move || i);
        handle.join().expect("no panic");
    }
    start.elapsed().as_nanos() as f64 / IDLE_THREADS as f64
}

/// Nanoseconds per handoff between two threads taking turns.
fn ping_pong_ns() -> f64 {
    let turn = Arc::new((Mutex::new(0_u64), Condvar::new()));
    let player = |parity: u64| {
        let turn = Arc::clone(&turn);
        move || {
            let (count, changed) = &*turn;
            loop {
                let mut n = count.lock().unwrap_or_else(PoisonError::into_inner);
                while *n % 2 != parity && *n < HANDOFFS {
                    n = changed.wait(n).unwrap_or_else(PoisonError::into_inner);
                }
                if *n >= HANDOFFS {
                    break;
                }
                *n += 1;
                // Unlock first, so the woken thread does not run into a
                // held mutex.
                drop(n);
                changed.notify_one();
            }
        }
    };
    let start = Instant::now();
    let ping = threaded::spawn(player(0));
    let pong = threaded::spawn(player(1));
    ping.join().expect("no panic");
    pong.join().expect("no panic");
    start.elapsed().as_nanos() as f64 / HANDOFFS as f64
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    println!("cpus: {:?}", std::thread::available_parallelism());
    // Warm-up: glibc creates its per-thread malloc arenas (up to 8 per
    // core, 64 MiB of address space each) on the first threads.
    idle_footprint(Some(64 * 1024), false);
    idle_footprint(None, true);

    for (label, stack) in [("default (2 MiB)", None), ("64 KiB", Some(64 * 1024))] {
        let runs: Vec<_> = (0..RUNS).map(|_| idle_footprint(stack, false)).collect();
        let rss = median(runs.iter().map(|r| r.0).collect());
        let vm = median(runs.iter().map(|r| r.1).collect());
        let kstack = median(runs.iter().map(|r| r.2).collect());
        println!(
            "{IDLE_THREADS} idle threads, stack {label}: per thread RSS +{rss:.1} KiB, \
             VmSize +{vm:.1} KiB, KernelStack +{kstack:.1} KiB"
        );
    }
    let spawn = median((0..RUNS).map(|_| spawn_join_ns()).collect());
    println!("spawn + join, one at a time: {:.1} us", spawn / 1000.0);
    let before = Stats::snapshot();
    let switch = median((0..RUNS).map(|_| ping_pong_ns()).collect());
    let delta = Stats::snapshot().since(&before);
    println!("Mutex+Condvar ping-pong: {switch:.0} ns per handoff (median of {RUNS})");
    println!(
        "  voluntary context switches per handoff: {:.2}, involuntary: {:.2}",
        delta.voluntary_switches as f64 / (RUNS as u64 * HANDOFFS) as f64,
        delta.involuntary_switches as f64 / (RUNS as u64 * HANDOFFS) as f64,
    );
    let stats = threaded::stats();
    println!("stats: {stats:?}");
}
