//! **memory**: N idle tasks (each polled once, then waiting forever) are
//! spawned and detached; reported is the growth of the process's resident
//! set (`/proc/self/statm`) divided by N (B/task), and of its address space
//! (VmSize, B/task). This is what a server holding N idle connections pays
//! per connection before any buffer.
//!
//! Threads hold N/10 blocked threads (10,000 at full size): their RSS per
//! thread is the touched stack and kernel-side bookkeeping is not counted;
//! their VmSize per thread is the reserved stack (default 2 MiB + guard).

use std::future::pending;

use super::Workload;
use crate::measure::{Sample, statm};
use crate::peers;

/// See the module doc.
pub const WORKLOAD: Workload = Workload {
    name: "memory",
    metrics: &["memory-rss", "memory-vmsize"],
    impls: &["ours", "tokio", "smol", "threads"],
    run,
};

fn run(imp: &str, quick: bool) -> Result<Vec<Sample>, String> {
    let n = if quick { 20_000 } else { 100_000 };
    let (n, (vm, rss)) = match imp {
        "ours" => (n, ours(n)?),
        "tokio" => (n, tokio(n)?),
        "smol" => (n, smol(n)?),
        "threads" => threads(n / 10)?,
        _ => return Err(super::unknown("memory", imp)),
    };
    Ok(vec![
        Sample::new("memory-rss", imp, rss as f64 / n as f64, "B/task"),
        Sample::new("memory-vmsize", imp, vm as f64 / n as f64, "B/task"),
    ])
}

/// `(VmSize, RSS)` growth in bytes between `before` and now.
fn delta(before: (u64, u64)) -> Result<(u64, u64), String> {
    let after = statm()?;
    Ok((
        after.0.saturating_sub(before.0),
        after.1.saturating_sub(before.1),
    ))
}

/// Our event loop: `runtime::spawn(pending())`, handle dropped, then one
/// `yield_now` so that every task has been polled once.
pub fn ours(n: usize) -> Result<(u64, u64), String> {
    peers::ours(async move {
        let before = statm()?;
        for _ in 0..n {
            drop(runtime::spawn(pending::<()>()));
        }
        runtime::yield_now().await;
        delta(before)
    })
}

/// tokio: `spawn_local(pending())`, handle dropped, one `yield_now`.
pub fn tokio(n: usize) -> Result<(u64, u64), String> {
    peers::tokio(async move {
        let before = statm()?;
        for _ in 0..n {
            drop(tokio::task::spawn_local(pending::<()>()));
        }
        tokio::task::yield_now().await;
        delta(before)
    })
}

/// smol: `LocalExecutor::spawn(pending()).detach()`, one `yield_now`.
pub fn smol(n: usize) -> Result<(u64, u64), String> {
    peers::smol(|ex| async move {
        let before = statm()?;
        for _ in 0..n {
            ex.spawn(pending::<()>()).detach();
        }
        futures_lite::future::yield_now().await;
        delta(before)
    })
}

/// `n` OS threads blocked on a channel receive. Returns how many were
/// actually started (a machine may refuse threads before `n`) with the
/// growth they caused.
pub fn threads(n: usize) -> Result<(usize, (u64, u64)), String> {
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
    let before = statm()?;
    let mut handles = Vec::with_capacity(n);
    for _ in 0..n {
        let (rx, ready) = (rx.clone(), ready_tx.clone());
        let spawned = std::thread::Builder::new().spawn(move || {
            let _ = ready.send(());
            // Blocks until the sender is dropped: every thread idle, parked.
            let _ = rx.lock().map(|r| r.recv());
        });
        match spawned {
            Ok(h) => handles.push(h),
            Err(e) => {
                eprintln!("memory/threads: stopped at {} threads: {e}", handles.len());
                break;
            }
        }
    }
    for _ in 0..handles.len() {
        let _ = ready_rx.recv();
    }
    let grown = delta(before)?;
    let started = handles.len();
    drop(tx);
    for h in handles {
        let _ = h.join();
    }
    if started == 0 {
        return Err("memory/threads: no thread could be started".into());
    }
    Ok((started, grown))
}
