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

fn idle_json(i: Option<&Idle>) -> Object {
    let Some(i) = i else {
        return Object::new();
    };
    Object::new()
        .num("rss_per_unit_bytes", i.rss_per_unit)
        .opt_num("vmsize_per_unit_bytes", i.vmsize_per_unit)
        .int("units", i.units as u64)
        .int("threads_used", i.threads_seen as u64)
}

fn spread_json(s: Option<&Spread>) -> Value {
    s.map(Spread::json).into()
}

pub(super) fn json(quick: bool, p: &Params, m: &Measured, rows: &[Row], took: Duration) {
    let syscalls = |s: &Option<Result<f64, String>>| match s {
        Some(Ok(n)) => json::number(*n),
        _ => Value::Null,
    };
    let loop_side: Value = if m.loop_idle.is_some() {
        let cpu = m.cpu.loop_gather.as_ref();
        idle_json(m.loop_idle.as_ref())
            .opt_num(
                "switch_ns",
                m.switch.event_loop.as_ref().map(|(s, _)| s.median),
            )
            .value(
                "switch_ns_spread",
                spread_json(m.switch.event_loop.as_ref().map(|(s, _)| s)),
            )
            .value("syscalls_per_switch", syscalls(&m.loop_syscalls))
            .opt_num("cpu_ms", cpu.map(|(t, _)| t.median))
            .opt_num("cpu_speedup", cpu.map(|(_, s)| s.median))
            .value("cpu_speedup_spread", spread_json(cpu.map(|(_, s)| s)))
            .opt_num("max_tick_gap_ms", m.gaps.loop_blocked)
            .opt_num("offloaded_gap_ms", m.gaps.loop_offloaded)
            .into()
    } else {
        Value::Null
    };
    let thread_side: Value = if m.thread_idle.is_some() {
        let cpu = m.cpu.threads.as_ref();
        idle_json(m.thread_idle.as_ref())
            .opt_num(
                "switch_ns",
                m.switch.threads.as_ref().map(|(s, _)| s.median),
            )
            .value(
                "switch_ns_spread",
                spread_json(m.switch.threads.as_ref().map(|(s, _)| s)),
            )
            .value("syscalls_per_switch", syscalls(&m.thread_syscalls))
            .opt_num("cpu_ms", cpu.map(|(t, _, _)| t.median))
            .opt_num("cpu_speedup", cpu.map(|(_, s, _)| s.median))
            .value("cpu_speedup_spread", spread_json(cpu.map(|(_, s, _)| s)))
            .opt_num("max_tick_gap_ms", m.gaps.threads)
            .opt_num(
                "involuntary_switches",
                m.cpu.threads_involuntary.map(|n| n as f64),
            )
            .into()
    } else {
        Value::Null
    };
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
