//! `demo sleep`: seed 003's `asyncio.gather(task1(), task2())`.

use std::time::{Duration, Instant};

use clap::Args as ClapArgs;

use crate::Model;

/// Arguments of `demo sleep`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Which model to run.
    #[arg(long, value_enum, default_value = "both")]
    pub(crate) model: Model,
    /// The two sleeps, in milliseconds (seed 003: 1000 and 2000).
    #[arg(long, value_delimiter = ',', default_values_t = [2000u64, 1000])]
    sleeps: Vec<u64>,
    /// Write the event loop's trace (Chrome Trace Event JSON, for Perfetto)
    /// to this file.
    #[arg(long, value_name = "FILE")]
    trace: Option<std::path::PathBuf>,
}

/// Runs the demo; returns the process exit code.
pub fn run(args: &Args) -> i32 {
    if args.sleeps.is_empty() {
        eprintln!("demo sleep: --sleeps needs at least one duration");
        return 2;
    }
    let sleeps: Vec<Duration> = args
        .sleeps
        .iter()
        .map(|&ms| Duration::from_millis(ms))
        .collect();
    let sum: Duration = sleeps.iter().sum();
    let longest = sleeps.iter().copied().max().unwrap_or_default();
    println!(
        "seed 003: tasks sleeping {:?} run concurrently: expect ~{longest:?}, not {sum:?}",
        sleeps
    );
    let mut ok = true;
    if args.model.has_loop() {
        let took = run_loop(&sleeps, args.trace.as_deref());
        ok &= report("event loop (gather on one thread)", took, longest, sum);
    }
    if args.model.has_threads() {
        let took = run_threads(&sleeps);
        ok &= report("threads (one OS thread per task)", took, longest, sum);
    }
    if ok { 0 } else { 1 }
}

fn run_loop(sleeps: &[Duration], trace: Option<&std::path::Path>) -> Duration {
    let mut builder = runtime::Runtime::builder();
    if let Some(path) = trace {
        builder = builder.trace(path);
    }
    let rt = match builder.build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("demo sleep: cannot build the runtime: {e}");
            std::process::exit(2);
        }
    };
    let start = Instant::now();
    rt.block_on(async {
        let handles: Vec<_> = sleeps
            .iter()
            .enumerate()
            .map(|(i, &d)| {
                runtime::spawn(async move {
                    println!("  task {} running", i + 1);
                    runtime::time::sleep(d).await;
                    println!("  task {} finished after {d:?}", i + 1);
                })
            })
            .collect();
        for h in handles {
            if let Err(e) = h.await {
                eprintln!("  a task failed: {e}");
            }
        }
    });
    let took = start.elapsed();
    let stats = rt.stats();
    println!(
        "  loop: {} polls, {} epoll_wait calls ({} blocking), {} timers fired, 1 thread",
        stats.polls, stats.epoll_waits, stats.epoll_waits_blocking, stats.timers_fired
    );
    drop(rt); // writes the trace
    if let Some(path) = trace {
        println!(
            "  trace written to {} (open it in ui.perfetto.dev)",
            path.display()
        );
    }
    took
}

fn run_threads(sleeps: &[Duration]) -> Duration {
    use runtime::threaded;
    let before = threaded::Stats::snapshot();
    let start = Instant::now();
    let handles: Vec<_> = sleeps
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            threaded::Builder::new()
                .name(format!("sleep-task-{}", i + 1))
                .spawn(move || {
                    println!("  thread {} running", i + 1);
                    threaded::sleep(d); // clock_nanosleep(2): the kernel parks the thread
                    println!("  thread {} finished after {d:?}", i + 1);
                })
        })
        .collect();
    for h in handles {
        match h {
            Ok(h) => {
                if let Err(e) = h.join() {
                    eprintln!("  a thread failed: {e}");
                }
            }
            Err(e) => eprintln!("  cannot start a thread: {e}"),
        }
    }
    let took = start.elapsed();
    let stats = threaded::Stats::snapshot().since(&before);
    println!(
        "  threads: {} spawned, {} joined, {} voluntary / {} involuntary context switches",
        stats.spawned, stats.joins, stats.voluntary_switches, stats.involuntary_switches
    );
    took
}

fn report(model: &str, took: Duration, longest: Duration, sum: Duration) -> bool {
    let concurrent = took < sum && took + Duration::from_millis(500) > longest;
    println!(
        "{model}: {took:.3?} -> {}",
        if concurrent {
            "claim holds: the sleeps overlapped (total ≈ the longest, not the sum)"
        } else {
            "claim NOT confirmed in this run"
        }
    );
    concurrent
}
