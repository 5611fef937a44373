//! `demo load`'s output: each run as text, or all as JSON.

use std::time::Duration;

use super::Run;
use crate::support::json::{self, Object};
use crate::support::verdict::{self, Verdict};
use crate::workloads::http_load::percentile;

/// Each run and its verdicts, as text.
pub(super) fn text(connections: usize, runs: &[Run]) {
    for (i, r) in runs.iter().enumerate() {
        if i > 0 {
            println!();
        }
        run_text(r, connections);
        for v in &r.verdicts {
            v.print();
        }
    }
}

/// Every run and every verdict, as JSON.
pub(super) fn json(connections: usize, duration: Duration, runs: &[Run], verdicts: &[Verdict]) {
    let runs_json = json::array(runs.iter().map(|r| {
        let (t, m) = (r.target, &r.measured);
        Object::new()
            .str("addr", &t.addr.to_string())
            .value("started_model", t.started.map(|m| m.flag()))
            .value("server_says", m.model_header.as_deref())
            .value("server_pid", r.pid)
            .value("server_threads_max", r.server_threads)
            .int("requests", m.latencies_us.len() as u64)
            .int("errors", m.errors)
            .num("wall_ms", m.took.as_secs_f64() * 1e3)
            .num(
                "throughput_per_s",
                m.latencies_us.len() as f64 / m.took.as_secs_f64().max(1e-9),
            )
            .int("p50_us", percentile(&m.latencies_us, 50.0))
            .int("p90_us", percentile(&m.latencies_us, 90.0))
            .int("p99_us", percentile(&m.latencies_us, 99.0))
            .int("p99_9_us", percentile(&m.latencies_us, 99.9))
            .int("max_us", m.latencies_us.last().copied().unwrap_or(0))
            .value("verdicts", verdict::json_array(&r.verdicts))
    }));
    println!(
        "{}",
        Object::new()
            .int("connections", connections as u64)
            .num("duration_ms", duration.as_secs_f64() * 1e3)
            .value("runs", runs_json)
            .value("verdicts", verdict::json_array(verdicts))
    );
}

/// One run, as text.
fn run_text(r: &Run, connections: usize) {
    let (t, pid, m, threads) = (r.target, r.pid, &r.measured, r.server_threads);
    let n = m.latencies_us.len();
    let rate = n as f64 / m.took.as_secs_f64().max(1e-9);
    let ms = |us: u64| us as f64 / 1e3;
    let server = match (t.started, pid) {
        (Some(model), Some(pid)) => format!(
            "`demo serve --model {}` started by this demo, pid {pid}",
            model.flag()
        ),
        _ => match &m.model_header {
            Some(said) => format!("a server that says it runs {said:?}"),
            None => "a server that does not say its model".to_string(),
        },
    };
    println!(
        "closed-loop load on http://{} ({server}): {connections} connections, one request in flight each",
        t.addr
    );
    println!("  requests   {n:>10}");
    println!("  wall time  {:>10.0} ms", m.took.as_secs_f64() * 1e3);
    println!("  throughput {rate:>10.0} req/s");
    println!("  errors     {:>10}", m.errors);
    println!(
        "  latency    p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, p99.9 {:.3} ms, max {:.3} ms",
        ms(percentile(&m.latencies_us, 50.0)),
        ms(percentile(&m.latencies_us, 90.0)),
        ms(percentile(&m.latencies_us, 99.0)),
        ms(percentile(&m.latencies_us, 99.9)),
        ms(m.latencies_us.last().copied().unwrap_or(0)),
    );
    if let Some(n) = threads {
        println!("  server threads (most seen) {n}");
    }
    if let Some(e) = &m.first_error {
        println!("  first error: {e}");
    }
}
