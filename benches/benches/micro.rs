//! Criterion versions of the micro workloads (spawn, yield, ping-pong,
//! timer cancel) for ours, tokio and smol, reusing the workload functions
//! of `src/workloads/` (each returns the time its `n` operations took, which
//! is what `iter_custom` wants). `cargo bench -p benches`.

use std::time::Duration;

use benches::workloads::{pingpong, spawn, timer_cancel, yield_now};
use criterion::{Criterion, criterion_group, criterion_main};

type Imp = (&'static str, fn(usize) -> Duration);

fn group(c: &mut Criterion, name: &str, imps: &[Imp]) {
    let mut g = c.benchmark_group(name);
    for &(imp, f) in imps {
        g.bench_function(imp, |b| b.iter_custom(|iters| f(iters as usize)));
    }
    g.finish();
}

fn micro(c: &mut Criterion) {
    group(
        c,
        "spawn",
        &[
            ("ours", spawn::ours),
            ("tokio", spawn::tokio),
            ("smol", spawn::smol),
        ],
    );
    group(
        c,
        "yield",
        &[
            ("ours", yield_now::ours),
            ("tokio", yield_now::tokio),
            ("smol", yield_now::smol),
        ],
    );
    // One iteration = one round trip = two switches.
    group(
        c,
        "pingpong",
        &[
            ("ours", pingpong::ours),
            ("tokio", pingpong::tokio),
            ("smol", pingpong::smol),
        ],
    );
    group(
        c,
        "timer-cancel",
        &[
            ("ours", timer_cancel::ours),
            ("tokio", timer_cancel::tokio),
            ("smol", timer_cancel::smol),
        ],
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = micro
}
criterion_main!(benches);
