//! Async backtraces: two requests go through three levels of async fns,
//! each marked with `inspect::framed`; one holds the only connection of a
//! pool while its query runs, the other waits for it. The task dump (and
//! gdb's `info async-tasks` / `async-where`, DEBUGGING.md section 7) shows
//! each task's chain of frames from the outermost to the await it is
//! suspended in, like a thread's backtrace.
//!
//! Run: `cargo run -p runtime --example backtrace`.

use std::rc::Rc;
use std::time::Duration;

use runtime::inspect::framed;
use runtime::sync::Semaphore;

/// gdb stops here (`break backtrace::stop_here`) with both requests waiting.
#[inline(never)]
fn stop_here() {
    std::hint::black_box(());
}

async fn handle(pool: Rc<Semaphore>, user: u64) -> u64 {
    framed("handle", async move { load_user(pool, user).await + 1 }).await
}

async fn load_user(pool: Rc<Semaphore>, user: u64) -> u64 {
    framed("load_user", fetch_row(pool, user)).await
}

async fn fetch_row(pool: Rc<Semaphore>, user: u64) -> u64 {
    framed("fetch_row", async move {
        let _connection = pool.acquire().await;
        runtime::time::sleep(Duration::from_millis(50)).await; // the query
        user * 10
    })
    .await
}

fn main() {
    let rt = match runtime::Runtime::builder().paused_clock(true).build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("backtrace: cannot build the runtime: {e}");
            std::process::exit(2);
        }
    };
    rt.block_on(async {
        let pool = Rc::new(Semaphore::new(1));
        let first = runtime::spawn(handle(pool.clone(), 1));
        let second = runtime::spawn(handle(pool.clone(), 2));
        runtime::yield_now().await; // both start: one queries, one waits
        print!("{}", runtime::inspect::dump());
        stop_here();
        let (a, b) = (first.await, second.await);
        println!("answers: {a:?} {b:?}");
    });
}
