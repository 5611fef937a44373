//! A small program for the debugger tests (`tests/gdb.rs`, `tests/lldb.rs`)
//! and DEBUGGING.md: while one task stops at `gdb_breakpoint_here`, the
//! others wait on a timer, a join, a semaphore (three `framed` async fns
//! deep) and a timeout; one more is in the run queue and the stopping task
//! itself was woken from another thread (a pending remote wake). Beside
//! the event loop, four threads of the thread model (`runtime::threaded`)
//! block on a semaphore, a join, a sleep and an `accept`, for
//! `info threaded-tasks`.

use std::rc::Rc;
use std::sync::Arc;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use runtime::inspect::framed;
use runtime::sync::Semaphore;
use runtime::threaded;

/// gdb stops here (`break gdb_breakpoint_here`), inside a running task.
#[inline(never)]
#[unsafe(no_mangle)]
pub extern "C" fn gdb_breakpoint_here(marker: u64) -> u64 {
    std::hint::black_box(marker) + 1
}

/// Holds a `JoinHandle`, a `Waker` and a `Semaphore` in one frame, for the
/// pretty-printers (`break gdb_values_here`, then `print *handle`).
#[inline(never)]
fn gdb_values_here(handle: &runtime::JoinHandle<bool>, waker: &Waker, semaphore: &Semaphore) {
    std::hint::black_box((handle, waker, semaphore));
}

/// Three levels of async fns, each a frame of the task's async backtrace.
async fn handler(semaphore: Rc<Semaphore>) {
    framed("handler", route(semaphore)).await
}

async fn route(semaphore: Rc<Semaphore>) {
    framed("route", query(semaphore)).await
}

async fn query(semaphore: Rc<Semaphore>) {
    framed("query", async {
        let _permit = semaphore.acquire().await;
    })
    .await
}

/// The thread model's side: four threads, each blocked in a different
/// call by the time this returns (it waits until `threaded::tasks` says
/// so). They stay blocked until the process exits.
fn start_threads() {
    let blocked = Arc::new(threaded::Semaphore::new(0));
    let waiter = {
        let gate = blocked.clone();
        threaded::spawn(move || drop(gate.acquire()))
    };
    let _joiner = threaded::spawn(move || waiter.join().is_ok());
    let _sleeper = threaded::spawn(|| threaded::sleep(Duration::from_secs(3600)));
    let _acceptor = threaded::spawn(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0");
        threaded::blocking_io(|| listener.map(|l| l.accept().is_ok()))
    });
    let wanted = ["I/O", "join", "semaphore", "sleep"];
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        let mut states: Vec<_> = threaded::tasks().iter().map(|t| t.blocked_on).collect();
        states.sort_unstable();
        if states == wanted {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn main() {
    start_threads();
    let rt = match runtime::Runtime::builder().paused_clock(true).build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("gdb-target: cannot build the runtime: {e}");
            std::process::exit(2);
        }
    };
    rt.block_on(async {
        let semaphore = Rc::new(Semaphore::new(0));
        let sleeper = runtime::spawn(runtime::time::sleep(Duration::from_secs(30)));
        let joiner = runtime::spawn(async move { sleeper.await.is_ok() });
        let worker = runtime::spawn(handler(semaphore.clone()));
        let limited = runtime::spawn(async {
            let never = std::future::pending::<()>();
            let _ = runtime::time::timeout(Duration::from_secs(60), never).await;
        });
        let stopper = runtime::spawn(async move {
            runtime::yield_now().await;
            let ready = runtime::spawn(async {});
            let waker = std::future::poll_fn(|cx| Poll::Ready(cx.waker().clone())).await;
            // A wake from another thread: it waits in the cross-thread queue
            // until the loop's next turn.
            let remote = waker.clone();
            let _ = std::thread::spawn(move || remote.wake()).join();
            gdb_values_here(&joiner, &waker, &semaphore);
            let answer = gdb_breakpoint_here(41);
            // The worker's next poll (`async-break 4` stops there).
            semaphore.add_permits(1);
            joiner.abort();
            drop(ready);
            answer
        });
        let answer = stopper.await.unwrap_or(0);
        let _ = worker.await;
        println!("gdb-target: answer {answer}");
        limited.abort();
    });
}
