//! The rows of the Key Differences table: what each model measured, in
//! words, and the verdict on the seed's claim, computed by `support/claims`.

use super::{Idle, Measured};
use crate::support::claims::{self, ThreadsSeen};
use crate::support::verdict::Verdict;
use crate::workloads::cpu::PARTS;

/// One row of the Key Differences table: what each model measured, and
/// the verdict on the seed's claim.
pub(super) struct Row {
    pub(super) aspect: &'static str,
    pub(super) event_loop: String,
    pub(super) threads: String,
    pub(super) verdict: Verdict,
}

const NOT_RUN: &str = "not run";

pub(super) fn table(m: &Measured) -> Vec<Row> {
    let na = || NOT_RUN.to_string();
    let g = &m.gaps;
    let invol = m.cpu.threads_involuntary;
    let cpu_threads = m.cpu.threads.as_ref();
    let cpu_loop = m.cpu.loop_gather.as_ref();
    let seen = |i: &Option<Idle>| {
        i.as_ref().map(|i| ThreadsSeen {
            threads: i.threads_seen,
            units: i.units,
        })
    };
    vec![
        Row {
            aspect: "scheduling",
            event_loop: g.loop_blocked.map_or_else(na, |gap| {
                format!("cooperative, at each .await: a task that did not .await held the loop {gap:.0} ms")
            }),
            threads: invol.map_or_else(na, |n| {
                format!("preemptive, by the OS: {n} involuntary context switches during the CPU job")
            }),
            verdict: claims::scheduling(g, invol),
        },
        Row {
            aspect: "context switch",
            event_loop: m.switch.event_loop.as_ref().map_or_else(na, |(ns, _)| ns.text(0, " ns per switch")),
            threads: m.switch.threads.as_ref().map_or_else(na, |(ns, _)| ns.text(0, " ns per switch")),
            verdict: claims::switch_cost_if_both(m.switch.spreads()),
        },
        Row {
            aspect: "syscalls per switch",
            event_loop: m.loop_syscalls.as_ref().map_or_else(na, syscalls_text),
            threads: m.thread_syscalls.as_ref().map_or_else(na, syscalls_text),
            verdict: match (&m.loop_syscalls, &m.thread_syscalls) {
                (Some(l), Some(t)) => claims::syscalls_per_switch(l, t),
                _ => claims::needs_both(claims::SYSCALLS_CLAIM),
            },
        },
        Row {
            aspect: "memory footprint",
            event_loop: m.loop_idle.as_ref().map_or_else(na, |l| {
                format!("{:.0} B RSS per idle task ({} tasks)", l.rss_per_unit, l.units)
            }),
            threads: m.thread_idle.as_ref().map_or_else(na, |t| {
                format!(
                    "{:.0} B RSS, {:.0} B VmSize per idle thread ({} threads, 64 KiB stacks, after a warm-up)",
                    t.rss_per_unit,
                    t.vmsize_per_unit.unwrap_or(0.0),
                    t.units
                )
            }),
            verdict: match (&m.loop_idle, &m.thread_idle) {
                (Some(l), Some(t)) => claims::memory_footprint(l.rss_per_unit, t.rss_per_unit),
                _ => claims::needs_both(claims::FOOTPRINT_CLAIM),
            },
        },
        Row {
            aspect: "blocking call handling",
            event_loop: g.loop_blocked.map_or_else(na, |gap| {
                format!(
                    "std::thread::sleep({:.0} ms) in a task stalls the whole loop: longest tick gap {gap:.0} ms ({:.0} ms via spawn_blocking)",
                    g.block_ms,
                    g.loop_offloaded.unwrap_or(f64::NAN)
                )
            }),
            threads: g.threads.map_or_else(na, |gap| {
                format!("blocks its own thread only: longest tick gap elsewhere {gap:.0} ms")
            }),
            verdict: claims::coroutine_suspends_only_itself(g),
        },
        Row {
            aspect: "threads used",
            event_loop: m.loop_idle.as_ref().map_or_else(na, |l| {
                format!(
                    "{} thread(s) in /proc/self/task with {} tasks pending ({} polls)",
                    l.threads_seen,
                    l.units,
                    l.polls.unwrap_or(0)
                )
            }),
            threads: m.thread_idle.as_ref().map_or_else(na, |t| {
                format!(
                    "{} threads in /proc/self/task with {} idle threads parked",
                    t.threads_seen, t.units
                )
            }),
            verdict: claims::threads_used(seen(&m.loop_idle), seen(&m.thread_idle)),
        },
        Row {
            aspect: "CPU-bound job",
            event_loop: cpu_loop.map_or_else(na, |(_, s)| {
                format!("gather on 1 thread: speed-up {}", s.text(2, "x"))
            }),
            threads: cpu_threads.map_or_else(na, |(_, s, n)| {
                format!("{n} threads: speed-up {} on {} core(s)", s.text(2, "x"), m.cores)
            }),
            verdict: match (cpu_loop, cpu_threads) {
                (Some((_, l)), Some((_, t, _))) => claims::all_of(
                    claims::NO_GIL_CLAIM,
                    &[
                        claims::one_thread_speedup(l),
                        claims::parallel_speedup(claims::THREADS_CLAIM, t, PARTS as usize, m.cores),
                    ],
                ),
                _ => claims::needs_both(claims::NO_GIL_CLAIM),
            },
        },
    ]
}

fn syscalls_text(measured: &Result<f64, String>) -> String {
    match measured {
        Ok(n) => format!("{n:.2} syscalls per switch (ptrace count of the ping-pong)"),
        Err(e) => format!("not measured: {e}"),
    }
}
