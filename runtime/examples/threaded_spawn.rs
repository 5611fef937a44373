//! Spawns and joins one thread with `runtime::threaded` (then a second
//! one, to show what changes once glibc has a cached stack), so that the
//! system calls can be read under strace:
//!
//! ```text
//! cargo build --release -p runtime --example threaded_spawn
//! strace -f ./target/release/examples/threaded_spawn
//! ```
//!
//! The markers written to stderr (`write(2, "-- spawn 1\n", ...)`) fence
//! the calls that belong to `spawn` and to `join`.

use runtime::threaded;
use std::time::Duration;

fn main() {
    for round in 1..=2 {
        eprintln!("-- spawn {round}");
        let handle = threaded::spawn(move || {
            threaded::sleep(Duration::from_millis(1));
            round * 10
        });
        eprintln!("-- join {round}");
        let value = handle.join().expect("the task does not panic");
        eprintln!("-- joined {round}: {value}");
    }
}
