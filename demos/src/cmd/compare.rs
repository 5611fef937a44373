//! `demo compare`: seed 000's "Key Differences" table, measured: quick
//! versions of `switch`, `cpu` and `blocking`, memory and threads per idle
//! task or thread, on both models. Each row's verdict is computed by a
//! function of `claims.rs` from the row's numbers, and printed with its
//! criterion; a row that needs both models says "not run" when one was not.
//!
//! Order: the idle tasks first (so that `/proc/self/task` shows the loop's
//! thread alone, before any other step has started a thread), then the
//! idle threads, then the timed steps, each model's runs interleaved.

use std::time::{Duration, Instant};

use clap::Args as ClapArgs;

use crate::cmd::{blocking, cpu, switch};
use crate::support::claims::{self, ThreadsSeen, TickGaps};
use crate::support::cli::Common;
use crate::support::cli::Model;
use crate::support::json::{self, Object};
use crate::support::measure::{Spread, ms};
use crate::support::proc_self::{rss_bytes, status_bytes, threads_now};
use crate::support::verdict::{self, Holds, Outcome, Verdict};

/// Arguments of `demo compare`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub(crate) common: Common,
}

/// Idle tasks spawned to measure the loop's memory per task.
const IDLE_TASKS: usize = 10_000;
/// Idle threads spawned to measure memory per thread (`--quick`: a tenth).
const IDLE_THREADS: usize = 10_000;
/// Their stack size.
const THREAD_STACK: usize = 64 * 1024;
/// The blocking call of the blocking-call row.
const BLOCK: Duration = Duration::from_millis(200);

/// The sizes of a run.
struct Params {
    rounds: u64,
    iterations: u64,
    repetitions: usize,
    run_for: Duration,
    idle_threads: usize,
}

/// What one model measured, beside the timed comparisons.
struct Idle {
    rss_per_unit: f64,
    vmsize_per_unit: Option<f64>,
    units: usize,
    threads_seen: usize,
    /// The loop's polls while its idle tasks were spawned and polled.
    polls: Option<u64>,
}

/// Everything measured.
struct Measured {
    cores: usize,
    loop_idle: Option<Idle>,
    thread_idle: Option<Idle>,
    switch: switch::Both,
    loop_syscalls: Option<Result<f64, String>>,
    thread_syscalls: Option<Result<f64, String>>,
    cpu: cpu::Measured,
    gaps: TickGaps,
}

/// Syscalls per switch of `demo switch` on `model`: this program run twice
/// under ptrace (`syscalls.rs`), with `rounds` round trips and with a tenth
/// of them; the difference divided by the difference in switches removes
/// what starting and stopping cost.
fn syscalls_per_switch(model: Model, rounds: u64) -> Result<f64, String> {
    let rounds = (rounds / 5).max(100); // ptrace stops at every syscall: keep it short
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let model = match model {
        Model::Loop => "loop",
        _ => "threads",
    };
    let count = |r: u64| {
        let args: Vec<std::ffi::OsString> = [
            "switch",
            "--model",
            model,
            "--rounds",
            &r.to_string(),
            "--repetitions",
            "1",
        ]
        .iter()
        .map(Into::into)
        .collect();
        crate::support::syscalls::trace(&exe, &args, &[], true)
            .map_err(|e| format!("ptrace: {e}"))
            .and_then(|c| {
                if c.exit_code == 0 {
                    Ok(c.total)
                } else {
                    Err(format!("the traced run exited with {}", c.exit_code))
                }
            })
    };
    let (long, short) = (count(rounds)?, count(rounds / 10)?);
    let switches = 2 * (rounds - rounds / 10) * switch::runs_per_model(1);
    Ok((long as f64 - short as f64) / switches as f64)
}

/// Runs the demo.
pub fn run(args: &Args) -> Outcome {
    let c = &args.common;
    let p = if c.quick {
        Params {
            rounds: 5_000,
            iterations: 8_000_000,
            repetitions: 3,
            run_for: Duration::from_millis(400),
            idle_threads: IDLE_THREADS / 10,
        }
    } else {
        Params {
            rounds: 50_000,
            iterations: 80_000_000,
            repetitions: 5,
            run_for: Duration::from_secs(1),
            idle_threads: IDLE_THREADS,
        }
    };
    let start = Instant::now();
    let m = match measure(c.model, &p) {
        Ok(m) => m,
        Err(e) => return verdict::failed("compare", &e),
    };
    let took = start.elapsed();
    let rows = table(&m);
    if c.json {
        print_json(c.quick, &p, &m, &rows, took);
    } else {
        print_text(&m, &rows, took);
    }
    if !m.cpu.same_results {
        return verdict::failed("compare", "the models computed different results");
    }
    Outcome::Ran(rows.into_iter().map(|r| r.verdict).collect())
}

fn measure(model: Model, p: &Params) -> Result<Measured, String> {
    let loop_idle = if model.has_loop() {
        eprintln!("compare: event loop: {IDLE_TASKS} idle tasks...");
        Some(idle_tasks()?)
    } else {
        None
    };
    let thread_idle = if model.has_threads() {
        eprintln!("compare: threads: {} idle threads...", p.idle_threads);
        let (rss, vm, threads_seen) = idle_threads(p.idle_threads)?;
        Some(Idle {
            rss_per_unit: rss / p.idle_threads as f64,
            vmsize_per_unit: Some(vm / p.idle_threads as f64),
            units: p.idle_threads,
            threads_seen,
            polls: None,
        })
    } else {
        None
    };
    eprintln!("compare: context switches...");
    let switch = switch::measure(model, p.rounds, p.repetitions)?;
    let loop_syscalls = model.has_loop().then(|| {
        eprintln!("compare: event loop: syscalls per switch (under ptrace)...");
        syscalls_per_switch(Model::Loop, p.rounds)
    });
    let thread_syscalls = model.has_threads().then(|| {
        eprintln!("compare: threads: syscalls per switch (under ptrace)...");
        syscalls_per_switch(Model::Threads, p.rounds)
    });
    eprintln!("compare: CPU job...");
    let cpu = cpu::measure(model, p.iterations, p.repetitions)?;
    eprintln!("compare: blocking call...");
    let b = blocking::measure(model, BLOCK, p.run_for)?;
    Ok(Measured {
        cores: crate::support::measure::cores(),
        loop_idle,
        thread_idle,
        switch,
        loop_syscalls,
        thread_syscalls,
        cpu,
        gaps: TickGaps {
            block_ms: ms(BLOCK),
            tick_ms: ms(blocking::TICK),
            loop_blocked: b.loop_blocked.map(ms),
            loop_offloaded: b.loop_spawn_blocking.map(ms),
            threads: b.threads.map(ms),
        },
    })
}

/// RSS growth per task for `IDLE_TASKS` pending tasks, the loop's polls,
/// and the threads of the process while they were pending.
fn idle_tasks() -> Result<Idle, String> {
    let rt = runtime::Runtime::builder()
        .build()
        .map_err(|e| format!("cannot build the runtime: {e}"))?;
    let (delta, threads_seen) = rt.block_on(async {
        let before = rss_bytes()?;
        let handles: Vec<_> = (0..IDLE_TASKS)
            .map(|_| runtime::spawn(std::future::pending::<()>()))
            .collect();
        runtime::yield_now().await; // every task polled once, now pending
        let after = rss_bytes()?;
        let threads = threads_now()?;
        for h in &handles {
            h.abort();
        }
        Ok::<(f64, usize), String>((after - before, threads))
    })?;
    Ok(Idle {
        rss_per_unit: delta / IDLE_TASKS as f64,
        vmsize_per_unit: None,
        units: IDLE_TASKS,
        threads_seen,
        polls: Some(rt.stats().polls),
    })
}

/// RSS and VmSize growth for `count` threads parked on a condvar, and the
/// threads of the process (`/proc/self/task`) while they were.
/// A small warm-up batch first makes glibc create its per-thread malloc
/// arenas (64 MiB of address space each, up to 8 per core, kept after the
/// threads exit), which would otherwise be charged to the threads' stacks.
/// (Its few stacks stay in glibc's stack cache and are reused: a slight
/// underestimate.)
fn idle_threads(count: usize) -> Result<(f64, f64, usize), String> {
    warm_up_malloc_arenas()?;
    idle_thread_batch(count)
}

/// Starts and joins enough threads that glibc has created all its malloc
/// arenas (up to 8 per core): memory measured after this is not inflated by
/// arenas that any later batch of threads would have created.
pub(crate) fn warm_up_malloc_arenas() -> Result<(), String> {
    idle_thread_batch(8 * crate::support::measure::cores() + 8).map(|_| ())
}

/// Starts `count` idle threads, measures, releases and joins them: RSS
/// growth, VmSize growth, threads of the process.
fn idle_thread_batch(count: usize) -> Result<(f64, f64, usize), String> {
    use std::sync::{Arc, Condvar, Mutex};
    let release = Arc::new((Mutex::new(false), Condvar::new()));
    // A counter, not a channel: a send could malloc in the new thread and
    // give it its own malloc arena, which would inflate VmSize.
    let ready = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let rss0 = status_bytes("VmRSS")?;
    let vm0 = status_bytes("VmSize")?;
    let mut handles = Vec::with_capacity(count);
    let mut spawn_error = None;
    for _ in 0..count {
        let release = release.clone();
        let ready = ready.clone();
        let spawned = runtime::threaded::Builder::new()
            .stack_size(THREAD_STACK)
            .spawn(move || {
                ready.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let (lock, cond) = &*release;
                let Ok(mut go) = lock.lock() else { return };
                while !*go {
                    go = match cond.wait(go) {
                        Ok(g) => g,
                        Err(_) => return,
                    };
                }
            });
        match spawned {
            Ok(h) => handles.push(h),
            Err(e) => {
                spawn_error = Some(e);
                break;
            }
        }
    }
    while ready.load(std::sync::atomic::Ordering::SeqCst) < handles.len() {
        std::thread::sleep(Duration::from_millis(1));
    }
    let measured = status_bytes("VmRSS").and_then(|r| {
        let vm = status_bytes("VmSize")?;
        Ok((r - rss0, vm - vm0, threads_now()?))
    });
    {
        let (lock, cond) = &*release;
        if let Ok(mut go) = lock.lock() {
            *go = true;
        }
        cond.notify_all();
    }
    for h in handles {
        let _ = h.join();
    }
    if let Some(e) = spawn_error {
        return Err(format!("cannot start a thread (of {count}): {e}"));
    }
    measured
}

/// One row of the Key Differences table: what each model measured, and
/// the verdict on the seed's claim.
struct Row {
    aspect: &'static str,
    event_loop: String,
    threads: String,
    verdict: Verdict,
}

const NOT_RUN: &str = "not run";

fn not_both(claim: &str) -> Verdict {
    Verdict::new(
        claim,
        "compares the two models",
        Holds::NotRun("needs both models (--model both)".into()),
        "",
    )
}

fn table(m: &Measured) -> Vec<Row> {
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
            verdict: switch::verdict_of(&m.switch),
        },
        Row {
            aspect: "syscalls per switch",
            event_loop: m.loop_syscalls.as_ref().map_or_else(na, syscalls_text),
            threads: m.thread_syscalls.as_ref().map_or_else(na, syscalls_text),
            verdict: match (&m.loop_syscalls, &m.thread_syscalls) {
                (Some(l), Some(t)) => claims::syscalls_per_switch(l, t),
                _ => not_both("threads are switched by the kernel; async tasks in user space"),
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
                _ => not_both("threads: a larger memory footprint (a stack each); async: smaller"),
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
                    "threads run CPU-bound parts in parallel (no GIL); an event loop runs them one at a time",
                    &[
                        claims::one_thread_speedup(l),
                        claims::parallel_speedup(cpu::THREADS_CLAIM, t, cpu::PARTS as usize, m.cores),
                    ],
                ),
                _ => not_both("threads run CPU-bound parts in parallel (no GIL); an event loop runs them one at a time"),
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

fn print_text(m: &Measured, rows: &[Row], took: Duration) {
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

fn spread_json(s: Option<&Spread>) -> String {
    s.map_or("null".to_string(), Spread::json)
}

fn print_json(quick: bool, p: &Params, m: &Measured, rows: &[Row], took: Duration) {
    let syscalls = |s: &Option<Result<f64, String>>| match s {
        Some(Ok(n)) => json::number(*n),
        _ => "null".to_string(),
    };
    let loop_side = if m.loop_idle.is_some() {
        let cpu = m.cpu.loop_gather.as_ref();
        idle_json(m.loop_idle.as_ref())
            .opt_num(
                "switch_ns",
                m.switch.event_loop.as_ref().map(|(s, _)| s.median),
            )
            .raw(
                "switch_ns_spread",
                spread_json(m.switch.event_loop.as_ref().map(|(s, _)| s)),
            )
            .raw("syscalls_per_switch", syscalls(&m.loop_syscalls))
            .opt_num("cpu_ms", cpu.map(|(t, _)| t.median))
            .opt_num("cpu_speedup", cpu.map(|(_, s)| s.median))
            .raw("cpu_speedup_spread", spread_json(cpu.map(|(_, s)| s)))
            .opt_num("max_tick_gap_ms", m.gaps.loop_blocked)
            .opt_num("offloaded_gap_ms", m.gaps.loop_offloaded)
            .finish()
    } else {
        "null".to_string()
    };
    let thread_side = if m.thread_idle.is_some() {
        let cpu = m.cpu.threads.as_ref();
        idle_json(m.thread_idle.as_ref())
            .opt_num(
                "switch_ns",
                m.switch.threads.as_ref().map(|(s, _)| s.median),
            )
            .raw(
                "switch_ns_spread",
                spread_json(m.switch.threads.as_ref().map(|(s, _)| s)),
            )
            .raw("syscalls_per_switch", syscalls(&m.thread_syscalls))
            .opt_num("cpu_ms", cpu.map(|(t, _, _)| t.median))
            .opt_num("cpu_speedup", cpu.map(|(_, s, _)| s.median))
            .raw("cpu_speedup_spread", spread_json(cpu.map(|(_, s, _)| s)))
            .opt_num("max_tick_gap_ms", m.gaps.threads)
            .opt_num(
                "involuntary_switches",
                m.cpu.threads_involuntary.map(|n| n as f64),
            )
            .finish()
    } else {
        "null".to_string()
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
            .finish()
    }));
    let verdicts: Vec<Verdict> = rows.iter().map(|r| r.verdict.clone()).collect();
    println!(
        "{}",
        Object::new()
            .bool("quick", quick)
            .int("cores", m.cores as u64)
            .int("repetitions", p.repetitions as u64)
            .opt_num("load_average", crate::support::measure::load_average())
            .raw("cpu_sequential_ms", m.cpu.sequential.json())
            .raw("event_loop", loop_side)
            .raw("threads", thread_side)
            .raw("rows", rows_json)
            .raw("verdicts", verdict::json_array(&verdicts))
            .num("took_ms", ms(took))
            .finish()
    );
}
