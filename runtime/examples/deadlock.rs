//! A deadlock to read back from a core dump: two tasks each lock one mutex
//! and wait for the other's (the classic lock-order inversion), on the real
//! clock, so the loop just sleeps in `epoll_wait` forever. A watchdog
//! thread aborts the stuck process after one second, as a supervisor would;
//! under gdb that stops the program, `generate-core-file` saves it, and
//! `info async-tasks` on the core says what each task waits on and where
//! (DEBUGGING.md section 8). With a paused clock the runtime would have
//! reported the deadlock itself.
//!
//! Run: `cargo run -p runtime --example deadlock` (it aborts: a core dump
//! if `ulimit -c` allows).

use std::rc::Rc;
use std::time::Duration;

use runtime::sync::Mutex;

async fn transfer(from: Rc<Mutex<u64>>, to: Rc<Mutex<u64>>, amount: u64) {
    let mut source = from.lock().await;
    runtime::yield_now().await; // the other transfer takes its first lock
    let mut target = to.lock().await; // ... and waits for ours: stuck
    *source -= amount;
    *target += amount;
}

fn main() {
    std::thread::spawn(|| {
        std::thread::sleep(Duration::from_secs(1));
        eprintln!("deadlock: no progress for 1 s, aborting (watchdog)");
        std::process::abort();
    });
    let rt = match runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("deadlock: cannot build the runtime: {e}");
            std::process::exit(2);
        }
    };
    rt.block_on(async {
        let (a, b) = (Rc::new(Mutex::new(100)), Rc::new(Mutex::new(100)));
        let one = runtime::spawn(transfer(a.clone(), b.clone(), 10));
        let two = runtime::spawn(transfer(b, a, 20));
        let _ = (one.await, two.await);
        println!("done");
    });
}
