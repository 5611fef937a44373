//! The server process of `demo c10k` (this binary re-run with `--serve`):
//! it accepts N connections, greets each with one byte, and holds them, a
//! task or a thread each blocked in a read; then it reports its memory and
//! threads in a `HELD` line, and `DONE` once every client has closed.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use super::STEP_TIMEOUT;
use crate::support::child::report_line;
use crate::support::proc_self::{rss_bytes, status_bytes, threads_now};

fn memory() -> Result<(f64, f64), String> {
    Ok((rss_bytes()?, status_bytes("VmSize")?))
}

/// The loop's server: a task per connection, blocked in `read`.
pub(super) fn on_loop(n: usize) -> Result<(), String> {
    use std::cell::Cell;
    use std::rc::Rc;

    use runtime::net::TcpListener;
    use runtime::sync::Event;

    let rt = runtime::Runtime::new().map_err(|e| format!("cannot build the runtime: {e}"))?;
    rt.block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0")
            .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot read the listener's address: {e}"))?;
        let (rss0, vm0) = memory()?;
        report_line(&format!("ADDR {addr}"));
        let greeted = Rc::new(Cell::new(0usize));
        let failed = Rc::new(Cell::new(0usize));
        let closed = Rc::new(Cell::new(0usize));
        let all_greeted = Rc::new(Event::new());
        let all_closed = Rc::new(Event::new());
        for i in 0..n {
            let (mut stream, _) = listener
                .accept()
                .await
                .map_err(|e| format!("accept (connection {i} of {n}): {e}"))?;
            let (greeted, failed, closed) = (greeted.clone(), failed.clone(), closed.clone());
            let (all_greeted, all_closed) = (all_greeted.clone(), all_closed.clone());
            // Detached: the task runs until its client closes.
            drop(runtime::spawn(async move {
                match stream.write_all(b"!").await {
                    Ok(()) => greeted.set(greeted.get() + 1),
                    Err(_) => failed.set(failed.get() + 1),
                }
                if greeted.get() + failed.get() == n {
                    all_greeted.set();
                }
                // Blocked here, idle, until the client closes.
                let mut buf = [0u8; 1];
                let _ = stream.read(&mut buf).await;
                closed.set(closed.get() + 1);
                if closed.get() == n {
                    all_closed.set();
                }
            }));
        }
        all_greeted.wait().await;
        let (rss, vm) = memory()?;
        report_line(&format!(
            "HELD held={} failed={} rss0={rss0} rss={rss} vm0={vm0} vm={vm} threads={}",
            greeted.get(),
            failed.get(),
            threads_now()?
        ));
        all_closed.wait().await;
        report_line("DONE");
        Ok(())
    })
}

/// The thread model's server: a thread per connection, blocked in `read`.
pub(super) fn on_threads(n: usize) -> Result<(), String> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    // glibc's malloc arenas would otherwise be charged to the first threads.
    crate::workloads::idle::warm_up_malloc_arenas()?;
    let (listener, addr) = crate::support::net::listen_local()?;
    let (rss0, vm0) = memory()?;
    report_line(&format!("ADDR {addr}"));
    // Counters, not channels: a send could malloc in the new thread.
    let greeted = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::with_capacity(n);
    for i in 0..n {
        let (mut stream, _) = listener
            .accept()
            .map_err(|e| format!("accept (connection {i} of {n}): {e}"))?;
        let (greeted, failed) = (greeted.clone(), failed.clone());
        // std's default stack (2 MiB of address space), as a plain
        // `thread::spawn` gets.
        let spawned = runtime::threaded::Builder::new().spawn(move || {
            match stream.write_all(b"!") {
                Ok(()) => greeted.fetch_add(1, Ordering::SeqCst),
                Err(_) => failed.fetch_add(1, Ordering::SeqCst),
            };
            // Blocked here, idle, until the client closes.
            let mut buf = [0u8; 1];
            let _ = stream.read(&mut buf);
        });
        match spawned {
            Ok(h) => handles.push(h),
            // Returning ends the process (and its threads) at once.
            Err(e) => return Err(format!("could start only {i} threads of {n}: {e}")),
        }
    }
    let deadline = Instant::now() + STEP_TIMEOUT;
    while greeted.load(Ordering::SeqCst) + failed.load(Ordering::SeqCst) < n {
        if Instant::now() > deadline {
            return Err("the handler threads did not all start in time".into());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let (rss, vm) = memory()?;
    report_line(&format!(
        "HELD held={} failed={} rss0={rss0} rss={rss} vm0={vm0} vm={vm} threads={}",
        greeted.load(Ordering::SeqCst),
        failed.load(Ordering::SeqCst),
        threads_now()?
    ));
    for h in handles {
        h.join()
            .map_err(|e| format!("a handler thread panicked: {e}"))?;
    }
    report_line("DONE");
    Ok(())
}
