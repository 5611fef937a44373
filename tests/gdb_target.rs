//! A small program for the debugger tests (`tests/gdb.rs`) and for
//! DEBUGGING.md: three tasks wait (a timer, a join, a channel-less pending
//! future) while a fourth stops at `gdb_breakpoint_here`.

use std::time::Duration;

/// gdb stops here (`break gdb_breakpoint_here`), inside a running task.
#[inline(never)]
#[unsafe(no_mangle)]
pub extern "C" fn gdb_breakpoint_here(marker: u64) -> u64 {
    std::hint::black_box(marker) + 1
}

fn main() {
    let rt = match runtime::Runtime::builder().paused_clock(true).build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("gdb-target: cannot build the runtime: {e}");
            std::process::exit(2);
        }
    };
    rt.block_on(async {
        let sleeper = runtime::spawn(runtime::time::sleep(Duration::from_secs(30)));
        let joiner = runtime::spawn(async move { sleeper.await.is_ok() });
        let stopper = runtime::spawn(async {
            runtime::yield_now().await;
            gdb_breakpoint_here(41)
        });
        let answer = stopper.await.unwrap_or(0);
        println!("gdb-target: answer {answer}");
        joiner.abort();
    });
}
