//! `demo compare`'s output: the table as text, or everything as JSON.

use std::time::Duration;

use super::rows::Row;
use super::{Idle, Measured, Params};
use crate::support::json::{self, Object, Value};
use crate::support::measure::{Spread, ms};
use crate::support::verdict::{self, Verdict};

pub(super) fn text(m: &Measured, rows: &[Row], took: Duration) {
    println!(
        "seed 000 \"Key Differences\", measured ({} core(s) in the affinity mask; timings: median and range of interleaved runs; {} at the end):",
        m.cores,
        crate::support::measure::load_text(m.cores)
    );
    for r in rows {
        println!();
        println!("{}", r.aspect);
        println!("  event loop:  {}", r.event_loop);
        println!("  threads:     {}", r.threads);
        println!("  seed claims: {}", r.verdict.claim);
        println!("  agrees?      {}", r.verdict.result_text());
        println!("  criterion:   {}", r.verdict.criterion);
    }
    println!();
    let with = |word: &str| -> Vec<&str> {
        rows.iter()
            .filter(|r| r.verdict.holds.word() == word)
            .map(|r| r.aspect)
            .collect()
    };
    let mut summary = format!("{} of {} rows agree", with("yes").len(), rows.len());
    for word in ["partly", "no", "measurement error", "not run"] {
        let aspects = with(word);
        if !aspects.is_empty() {
            summary.push_str(&format!("; {word}: {}", aspects.join(", ")));
        }
    }
    println!(
        "summary: {summary} (compare took {:.1} s)",
        took.as_secs_f64()
    );
}

/// One model's numbers: its idle units, switches, syscalls per switch,
/// CPU job and longest tick gap.
fn side_json(
    idle: &Idle,
    switch: Option<&(Spread, String)>,
    syscalls: &Option<Result<f64, String>>,
    cpu: Option<(&Spread, &Spread)>,
    tick_gap: Option<f64>,
) -> Object {
    let syscalls = match syscalls {
        Some(Ok(n)) => json::number(*n),
        _ => Value::Null,
    };
    Object::new()
        .num("rss_per_unit_bytes", idle.rss_per_unit)
        .opt_num("vmsize_per_unit_bytes", idle.vmsize_per_unit)
        .int("units", idle.units as u64)
        .int("threads_used", idle.threads_seen as u64)
        .opt_num("switch_ns", switch.map(|(s, _)| s.median))
        .value("switch_ns_spread", switch.map(|(s, _)| s.json()))
        .value("syscalls_per_switch", syscalls)
        .opt_num("cpu_ms", cpu.map(|(t, _)| t.median))
        .opt_num("cpu_speedup", cpu.map(|(_, s)| s.median))
        .value("cpu_speedup_spread", cpu.map(|(_, s)| s.json()))
        .opt_num("max_tick_gap_ms", tick_gap)
}

pub(super) fn json(quick: bool, p: &Params, m: &Measured, rows: &[Row], took: Duration) {
    let loop_side = m.loop_idle.as_ref().map(|idle| {
        side_json(
            idle,
            m.switch.event_loop.as_ref(),
            &m.loop_syscalls,
            m.cpu.loop_gather.as_ref().map(|(t, s)| (t, s)),
            m.gaps.loop_blocked,
        )
        .opt_num("offloaded_gap_ms", m.gaps.loop_offloaded)
    });
    let thread_side = m.thread_idle.as_ref().map(|idle| {
        side_json(
            idle,
            m.switch.threads.as_ref(),
            &m.thread_syscalls,
            m.cpu.threads.as_ref().map(|(t, s, _)| (t, s)),
            m.gaps.threads,
        )
        .opt_num(
            "involuntary_switches",
            m.cpu.threads_involuntary.map(|n| n as f64),
        )
    });
    let rows_json = json::array(rows.iter().map(|r| {
        Object::new()
            .str("aspect", r.aspect)
            .str("event_loop", &r.event_loop)
            .str("threads", &r.threads)
            .str("claim", &r.verdict.claim)
            .str("agrees", &r.verdict.result_text())
            .str("holds", r.verdict.holds.word())
            .str("criterion", &r.verdict.criterion)
    }));
    let verdicts: Vec<Verdict> = rows.iter().map(|r| r.verdict.clone()).collect();
    println!(
        "{}",
        Object::new()
            .bool("quick", quick)
            .int("cores", m.cores as u64)
            .int("repetitions", p.repetitions as u64)
            .opt_num("load_average", crate::support::measure::load_average())
            .value("cpu_sequential_ms", m.cpu.sequential.json())
            .value("event_loop", loop_side)
            .value("threads", thread_side)
            .value("rows", rows_json)
            .value("verdicts", verdict::json_array(&verdicts))
            .num("took_ms", ms(took))
    );
}
