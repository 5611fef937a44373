//! Criterion versions of the micro workloads (spawn, yield, ping-pong,
//! ping-pong through events, timer cancel) for ours, tokio and smol, reusing the workload functions
//! of `src/workloads/` (each returns the time its `n` operations took, which
//! is what `iter_custom` wants). `cargo bench -p benches`.

use std::time::Duration;

use benches::workloads::{Imp, event, pingpong, spawn, timer_cancel, yield_now};
use criterion::{Criterion, criterion_group, criterion_main};

/// The implementations compared here (the thread models have their own
/// rows in `benches table`).
const COMPARED: &[&str] = &["ours", "tokio", "smol"];

/// A criterion group for `name`: the `COMPARED` implementations of `imps`.
fn group(c: &mut Criterion, name: &str, imps: &[Imp]) {
    let mut g = c.benchmark_group(name);
    for &(imp, f) in imps.iter().filter(|(imp, _)| COMPARED.contains(imp)) {
        g.bench_function(imp, |b| b.iter_custom(|iters| f(iters as usize)));
    }
    g.finish();
}

fn micro(c: &mut Criterion) {
    group(c, "spawn", spawn::IMPLS);
    group(c, "yield", yield_now::IMPLS);
    // One iteration = one round trip = two switches.
    group(c, "pingpong", pingpong::IMPLS);
    group(c, "event", event::IMPLS);
    group(c, "timer-cancel", timer_cancel::IMPLS);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = micro
}
criterion_main!(benches);
