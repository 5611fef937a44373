//! `demo compare`: seed 000's "Key Differences" table, measured: quick
//! versions of `switch`, `cpu` and `blocking`, memory per idle task or
//! thread, threads used and wall time, on both models.

use std::time::{Duration, Instant};

use clap::Args as ClapArgs;

use crate::proc_self::{rss_bytes, status_bytes};
use crate::{Model, blocking, cpu, switch};

/// Arguments of `demo compare`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Which model to run.
    #[arg(long, value_enum, default_value = "both")]
    pub(crate) model: Model,
    /// A short run (well under 10 s even in a debug build).
    #[arg(long)]
    quick: bool,
    /// Print the numbers and the table as JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Idle tasks spawned to measure the loop's memory per task.
const IDLE_TASKS: usize = 10_000;
/// Idle threads spawned to measure memory per thread (`--quick`: a tenth).
const IDLE_THREADS: usize = 10_000;
/// Their stack size.
const THREAD_STACK: usize = 64 * 1024;

/// What one model measured.
struct Side {
    switch_ns: f64,
    cpu_ms: f64,
    cpu_speedup: f64,
    max_tick_gap_ms: f64,
    /// For the loop: the gap with spawn_blocking.
    offloaded_gap_ms: Option<f64>,
    rss_per_unit_bytes: f64,
    vmsize_per_unit_bytes: Option<f64>,
    units: usize,
    threads_used: u64,
    /// polls (loop) or involuntary context switches (threads).
    sched_events: u64,
    /// Syscalls per switch of the ping-pong, counted under ptrace, or why
    /// they could not be.
    syscalls_per_switch: Result<f64, String>,
    wall_ms: f64,
}

impl Side {
    fn new(threads_used: u64) -> Side {
        Side {
            switch_ns: 0.0,
            cpu_ms: 0.0,
            cpu_speedup: 0.0,
            max_tick_gap_ms: 0.0,
            offloaded_gap_ms: None,
            rss_per_unit_bytes: 0.0,
            vmsize_per_unit_bytes: None,
            units: 0,
            threads_used,
            sched_events: 0,
            syscalls_per_switch: Err("not measured".to_string()),
            wall_ms: 0.0,
        }
    }
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
        let args: Vec<std::ffi::OsString> =
            ["switch", "--model", model, "--rounds", &r.to_string()]
                .iter()
                .map(Into::into)
                .collect();
        crate::syscalls::trace(&exe, &args, &[], true)
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
    let switches = 2 * (rounds - rounds / 10);
    Ok(long.saturating_sub(short) as f64 / switches as f64)
}

/// Runs the demo; returns the process exit code.
pub fn run(args: &Args) -> i32 {
    let (rounds, iterations, block, run_for) = if args.quick {
        (
            5_000,
            8_000_000,
            Duration::from_millis(200),
            Duration::from_millis(400),
        )
    } else {
        (
            50_000,
            80_000_000,
            Duration::from_millis(200),
            Duration::from_secs(1),
        )
    };
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    eprintln!("compare: sequential CPU baseline...");
    let seq = {
        let per = (iterations / cpu::PARTS).max(1);
        let start = Instant::now();
        let sum = (0..cpu::PARTS).fold(0u64, |acc, p| acc ^ cpu::work(p, per));
        std::hint::black_box(sum);
        start.elapsed()
    };
    let lp = if args.model.has_loop() {
        match measure_loop(rounds, iterations, block, run_for, seq) {
            Ok(s) => Some(s),
            Err(e) => return fail(&e),
        }
    } else {
        None
    };
    let th = if args.model.has_threads() {
        let idle = if args.quick {
            IDLE_THREADS / 10
        } else {
            IDLE_THREADS
        };
        match measure_threads(rounds, iterations, block, run_for, seq, idle) {
            Ok(s) => Some(s),
            Err(e) => return fail(&e),
        }
    } else {
        None
    };
    let rows = table(lp.as_ref(), th.as_ref());
    if args.json {
        print_json(args.quick, cores, seq, lp.as_ref(), th.as_ref(), &rows);
    } else {
        print_text(cores, &rows);
    }
    0
}

fn fail(e: &str) -> i32 {
    eprintln!("demo compare: {e}");
    2
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn measure_loop(
    rounds: u64,
    iterations: u64,
    block: Duration,
    run_for: Duration,
    seq: Duration,
) -> Result<Side, String> {
    let start = Instant::now();
    let mut s = Side::new(1);
    eprintln!("compare: event loop: context switches...");
    s.switch_ns = switch::run_loop(rounds)?.ns_per_switch();
    eprintln!("compare: event loop: syscalls per switch (under ptrace)...");
    s.syscalls_per_switch = syscalls_per_switch(Model::Loop, rounds);
    eprintln!("compare: event loop: CPU job...");
    let c = cpu::measure(Model::Loop, iterations)?;
    let d = c.loop_gather.unwrap_or_default();
    s.cpu_ms = ms(d);
    s.cpu_speedup = ms(seq) / ms(d).max(1e-6);
    eprintln!("compare: event loop: blocking call...");
    let b = blocking::measure(Model::Loop, block, run_for)?;
    s.max_tick_gap_ms = ms(b.loop_blocked.unwrap_or_default());
    s.offloaded_gap_ms = b.loop_spawn_blocking.map(ms);
    eprintln!("compare: event loop: {IDLE_TASKS} idle tasks...");
    let (rss, polls) = idle_tasks()?;
    s.rss_per_unit_bytes = rss / IDLE_TASKS as f64;
    s.units = IDLE_TASKS;
    s.sched_events = polls;
    s.wall_ms = ms(start.elapsed());
    Ok(s)
}

fn measure_threads(
    rounds: u64,
    iterations: u64,
    block: Duration,
    run_for: Duration,
    seq: Duration,
    idle: usize,
) -> Result<Side, String> {
    let start = Instant::now();
    let before = runtime::threaded::Stats::snapshot();
    let mut s = Side::new(0);
    eprintln!("compare: threads: context switches...");
    s.switch_ns = switch::run_threads(rounds)?.ns_per_switch();
    eprintln!("compare: threads: syscalls per switch (under ptrace)...");
    s.syscalls_per_switch = syscalls_per_switch(Model::Threads, rounds);
    eprintln!("compare: threads: CPU job...");
    let c = cpu::measure(Model::Threads, iterations)?;
    let d = c.threads.map(|(d, _)| d).unwrap_or_default();
    s.cpu_ms = ms(d);
    s.cpu_speedup = ms(seq) / ms(d).max(1e-6);
    eprintln!("compare: threads: blocking call...");
    let b = blocking::measure(Model::Threads, block, run_for)?;
    s.max_tick_gap_ms = ms(b.threads.unwrap_or_default());
    eprintln!("compare: threads: {idle} idle threads...");
    let (rss, vmsize) = idle_threads(idle)?;
    s.rss_per_unit_bytes = rss / idle as f64;
    s.vmsize_per_unit_bytes = Some(vmsize / idle as f64);
    s.units = idle;
    let stats = runtime::threaded::Stats::snapshot().since(&before);
    s.threads_used = stats.spawned;
    s.sched_events = stats.involuntary_switches;
    s.wall_ms = ms(start.elapsed());
    Ok(s)
}

/// RSS growth for `IDLE_TASKS` pending tasks, and the loop's polls.
fn idle_tasks() -> Result<(f64, u64), String> {
    let rt = runtime::Runtime::builder()
        .build()
        .map_err(|e| format!("cannot build the runtime: {e}"))?;
    let delta = rt.block_on(async {
        let before = rss_bytes()?;
        let handles: Vec<_> = (0..IDLE_TASKS)
            .map(|_| runtime::spawn(std::future::pending::<()>()))
            .collect();
        runtime::yield_now().await; // every task polled once, now pending
        let after = rss_bytes()?;
        for h in &handles {
            h.abort();
        }
        Ok::<f64, String>(after - before)
    })?;
    Ok((delta, rt.stats().polls))
}

/// RSS and VmSize growth for `count` threads parked on a condvar.
/// A small warm-up batch first makes glibc create its per-thread malloc
/// arenas (64 MiB of address space each, up to 8 per core, kept after the
/// threads exit), which would otherwise be charged to the threads' stacks.
/// (Its few stacks stay in glibc's stack cache and are reused: a slight
/// underestimate.)
fn idle_threads(count: usize) -> Result<(f64, f64), String> {
    warm_up_malloc_arenas()?;
    idle_thread_batch(count)
}

/// Starts and joins enough threads that glibc has created all its malloc
/// arenas (up to 8 per core): memory measured after this is not inflated by
/// arenas that any later batch of threads would have created.
pub(crate) fn warm_up_malloc_arenas() -> Result<(), String> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    idle_thread_batch(8 * cores + 8).map(|_| ())
}

/// Starts `count` idle threads, measures, releases and joins them.
fn idle_thread_batch(count: usize) -> Result<(f64, f64), String> {
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
    let measured =
        status_bytes("VmRSS").and_then(|r| Ok((r - rss0, status_bytes("VmSize")? - vm0)));
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

/// One row of the Key Differences table.
struct Row {
    aspect: &'static str,
    event_loop: String,
    threads: String,
    claim: &'static str,
    agrees: String,
}

fn table(lp: Option<&Side>, th: Option<&Side>) -> Vec<Row> {
    let na = || "not run".to_string();
    let both = |f: &dyn Fn(&Side, &Side) -> String| match (lp, th) {
        (Some(l), Some(t)) => f(l, t),
        _ => "not compared".to_string(),
    };
    vec![
        Row {
            aspect: "scheduling",
            event_loop: lp.map_or_else(na, |l| {
                format!("cooperative, at each .await: {} polls of 1 loop", l.sched_events)
            }),
            threads: th.map_or_else(na, |t| {
                format!("preemptive, by the OS: {} involuntary switches", t.sched_events)
            }),
            claim: "threads: OS-based; async: event-loop based",
            agrees: "yes".to_string(),
        },
        Row {
            aspect: "context switch",
            event_loop: lp.map_or_else(na, |l| format!("{:.0} ns per switch", l.switch_ns)),
            threads: th.map_or_else(na, |t| format!("{:.0} ns per switch", t.switch_ns)),
            claim: "threads: costly (kernel-managed); async: lightweight (user-managed)",
            agrees: both(&|l, t| {
                if t.switch_ns > l.switch_ns {
                    format!("yes: threads {:.1}x costlier", t.switch_ns / l.switch_ns)
                } else {
                    "no: not costlier in this run".to_string()
                }
            }),
        },
        Row {
            aspect: "syscalls per switch",
            event_loop: lp.map_or_else(na, |l| syscalls_text(&l.syscalls_per_switch)),
            threads: th.map_or_else(na, |t| syscalls_text(&t.syscalls_per_switch)),
            claim: "threads: switched by the kernel; async: switched in user space",
            agrees: both(&|l, t| match (&l.syscalls_per_switch, &t.syscalls_per_switch) {
                (Ok(l), Ok(t)) if *l < 0.1 && *t >= 1.0 => format!(
                    "yes: a task switch makes no syscall (the {l:.2} is the loop's epoll_wait(0) \
                     every 61 polls); a thread switch makes {t:.1} (futex wake and wait)"
                ),
                (Ok(_), Ok(_)) => "no: not as measured in this run".to_string(),
                _ => "not measured (ptrace unavailable)".to_string(),
            }),
        },
        Row {
            aspect: "memory footprint",
            event_loop: lp.map_or_else(na, |l| {
                format!("{:.0} B RSS per idle task ({} tasks)", l.rss_per_unit_bytes, l.units)
            }),
            threads: th.map_or_else(na, |t| {
                format!(
                    "{:.0} B RSS, {:.0} B VmSize per idle thread ({} threads, 64 KiB stacks, after a warm-up)",
                    t.rss_per_unit_bytes,
                    t.vmsize_per_unit_bytes.unwrap_or(0.0),
                    t.units
                )
            }),
            claim: "threads: larger (stack per thread); async: smaller (single thread)",
            agrees: both(&|l, t| {
                if t.rss_per_unit_bytes > l.rss_per_unit_bytes {
                    format!(
                        "yes: a thread costs {:.0}x a task in RSS",
                        t.rss_per_unit_bytes / l.rss_per_unit_bytes.max(1.0)
                    )
                } else {
                    "no: not larger in this run".to_string()
                }
            }),
        },
        Row {
            aspect: "blocking call handling",
            event_loop: lp.map_or_else(na, |l| {
                format!(
                    "std::thread::sleep(200 ms) stalls the whole loop: longest tick gap {:.0} ms ({:.0} ms via spawn_blocking)",
                    l.max_tick_gap_ms,
                    l.offloaded_gap_ms.unwrap_or(0.0)
                )
            }),
            threads: th.map_or_else(na, |t| {
                format!(
                    "blocks its own thread only: longest tick gap elsewhere {:.0} ms",
                    t.max_tick_gap_ms
                )
            }),
            claim: "threads: thread blocked; async: coroutine suspends only itself",
            agrees: both(&|l, t| {
                if l.max_tick_gap_ms >= 100.0 && t.max_tick_gap_ms < 100.0 {
                    "partly: an awaited call suspends only its task, but a blocking call stalls every task of the loop; a thread blocks only itself".to_string()
                } else {
                    "not as measured in this run".to_string()
                }
            }),
        },
        Row {
            aspect: "threads used",
            event_loop: lp.map_or_else(na, |l| {
                format!(
                    "{} (CPU job speed-up {:.2}x; spawn_blocking adds pool threads)",
                    l.threads_used, l.cpu_speedup
                )
            }),
            threads: th.map_or_else(na, |t| {
                format!(
                    "{} spawned, one per task (CPU job on 4: speed-up {:.2}x)",
                    t.threads_used, t.cpu_speedup
                )
            }),
            claim: "async: single thread; threads: one per task",
            agrees: "yes".to_string(),
        },
        Row {
            aspect: "wall time",
            event_loop: lp.map_or_else(na, |l| format!("{:.0} ms for all of the above", l.wall_ms)),
            threads: th.map_or_else(na, |t| format!("{:.0} ms for all of the above", t.wall_ms)),
            claim: "(no claim)",
            agrees: "n/a".to_string(),
        },
    ]
}

fn syscalls_text(measured: &Result<f64, String>) -> String {
    match measured {
        Ok(n) => format!("{n:.2} syscalls per switch (ptrace count of the ping-pong)"),
        Err(e) => format!("not measured: {e}"),
    }
}

fn print_text(cores: usize, rows: &[Row]) {
    println!("seed 000 \"Key Differences\", measured ({cores} core(s)):");
    for r in rows {
        println!();
        println!("{}", r.aspect);
        println!("  event loop:  {}", r.event_loop);
        println!("  threads:     {}", r.threads);
        println!("  seed claims: {}", r.claim);
        println!("  agrees?      {}", r.agrees);
    }
    println!();
    let disagreements: Vec<&str> = rows
        .iter()
        .filter(|r| !r.agrees.starts_with("yes") && r.agrees != "n/a" && r.agrees != "not compared")
        .map(|r| r.aspect)
        .collect();
    println!(
        "claim: seed 000's Key Differences table -> {}",
        if rows.iter().any(|r| r.agrees == "not compared") {
            "not compared (run with --model both)".to_string()
        } else if disagreements.is_empty() {
            "claim holds on every row".to_string()
        } else {
            format!("holds except: {}", disagreements.join(", "))
        }
    );
}

fn json_num(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.3}")
    } else {
        "null".to_string()
    }
}

fn side_json(s: Option<&Side>) -> String {
    let Some(s) = s else {
        return "null".to_string();
    };
    format!(
        "{{\"switch_ns\": {}, \"syscalls_per_switch\": {}, \"cpu_ms\": {}, \"cpu_speedup\": {}, \"max_tick_gap_ms\": {}, \"offloaded_gap_ms\": {}, \"rss_per_unit_bytes\": {}, \"vmsize_per_unit_bytes\": {}, \"units\": {}, \"threads_used\": {}, \"sched_events\": {}, \"wall_ms\": {}}}",
        json_num(s.switch_ns),
        s.syscalls_per_switch
            .as_ref()
            .map_or("null".to_string(), |n| json_num(*n)),
        json_num(s.cpu_ms),
        json_num(s.cpu_speedup),
        json_num(s.max_tick_gap_ms),
        s.offloaded_gap_ms.map_or("null".to_string(), json_num),
        json_num(s.rss_per_unit_bytes),
        s.vmsize_per_unit_bytes.map_or("null".to_string(), json_num),
        s.units,
        s.threads_used,
        s.sched_events,
        json_num(s.wall_ms)
    )
}

fn print_json(
    quick: bool,
    cores: usize,
    seq: Duration,
    lp: Option<&Side>,
    th: Option<&Side>,
    rows: &[Row],
) {
    let rows: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "    {{\"aspect\": {}, \"event_loop\": {}, \"threads\": {}, \"claim\": {}, \"agrees\": {}}}",
                crate::json::string(r.aspect),
                crate::json::string(&r.event_loop),
                crate::json::string(&r.threads),
                crate::json::string(r.claim),
                crate::json::string(&r.agrees)
            )
        })
        .collect();
    println!("{{");
    println!("  \"quick\": {quick},");
    println!("  \"cores\": {cores},");
    println!("  \"cpu_sequential_ms\": {},", json_num(ms(seq)));
    println!("  \"event_loop\": {},", side_json(lp));
    println!("  \"threads\": {},", side_json(th));
    println!("  \"rows\": [\n{}\n  ]", rows.join(",\n"));
    println!("}}");
}
