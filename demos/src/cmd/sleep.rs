//! `demo sleep`: seed 003's `asyncio.gather(task1(), task2())`: tasks that
//! sleep at the same time finish in about the longest sleep, not the sum.
//! Both models; each also counts its threads (`/proc/self/task`) while the
//! sleeps are pending: 1 on the loop, one per task (plus main) on threads.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use clap::Args as ClapArgs;

use crate::support::claims;
use crate::support::cli::Model;
use crate::support::cli::{Common, positive_u64};
use crate::support::json::{self, Object};
use crate::support::measure::ms;
use crate::support::proc_self::threads_now;
use crate::support::verdict::{self, Outcome, Verdict};

/// Arguments of `demo sleep`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub(crate) common: Common,
    /// The sleeps in milliseconds, at least two, each >= 1: `--sleeps
    /// 2000,1000` or `--sleeps 2000 1000` [default: 2000,1000; quick:
    /// 300,100].
    #[arg(long, value_delimiter = ',', num_args = 1.., value_parser = positive_u64)]
    sleeps: Vec<u64>,
    /// Write the run's trace (Chrome Trace Event JSON, for Perfetto) to
    /// this file; one model per file (--model loop or threads; `demo
    /// timeline` draws both).
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
}

/// What one model measured.
struct Run {
    model: Model,
    took: Duration,
    threads: usize,
    counters: String,
}

/// Runs the demo.
pub fn run(args: &Args) -> Outcome {
    let c = &args.common;
    let given = (!args.sleeps.is_empty()).then(|| args.sleeps.clone());
    let sleeps_ms = c.pick(given, vec![2000, 1000], vec![300, 100]);
    if sleeps_ms.len() < 2 {
        return verdict::bad_input("sleep", "--sleeps needs at least two durations to overlap");
    }
    if args.trace.is_some() && c.model == Model::Both {
        return verdict::bad_input(
            "sleep",
            "--trace writes one model's trace: add --model loop or --model threads (`demo timeline` draws both side by side)",
        );
    }
    if let Some(path) = &args.trace
        && let Err(e) = File::create(path)
    {
        return verdict::bad_input("sleep", &format!("cannot write {}: {e}", path.display()));
    }
    let sleeps: Vec<Duration> = sleeps_ms
        .iter()
        .map(|&n| Duration::from_millis(n))
        .collect();
    let say = !c.json;
    if say {
        let sum: Duration = sleeps.iter().sum();
        let longest = sleeps.iter().copied().max().unwrap_or_default();
        println!(
            "seed 003: tasks sleeping {sleeps:?} run concurrently: expect ~{longest:?}, not {sum:?}"
        );
    }
    let mut runs: Vec<(Run, Vec<Verdict>)> = Vec::new();
    let sleeps_f: Vec<f64> = sleeps.iter().map(|&d| ms(d)).collect();
    if c.model.has_loop() {
        let r = match run_loop(&sleeps, args.trace.as_deref(), say) {
            Ok(r) => r,
            Err(e) => return verdict::failed("sleep", &e),
        };
        let vs = vec![
            claims::sleeps_overlap(ms(r.took), &sleeps_f),
            claims::thread_count(
                "the event loop runs every task on one thread",
                "in /proc/self/task while the sleeps were pending",
                r.threads,
                1,
                1,
            ),
        ];
        if say {
            print_run(&r, &vs);
        }
        runs.push((r, vs));
    }
    if c.model.has_threads() {
        let r = match run_threads(&sleeps, args.trace.as_deref(), say) {
            Ok(r) => r,
            Err(e) => return verdict::failed("sleep", &e),
        };
        let n = sleeps.len() + 1;
        let vs = vec![
            claims::sleeps_overlap(ms(r.took), &sleeps_f),
            claims::thread_count(
                "the thread model runs each task on its own OS thread",
                &format!(
                    "in /proc/self/task while the sleeps were pending ({} tasks + main)",
                    sleeps.len()
                ),
                r.threads,
                n,
                n,
            ),
        ];
        if say {
            print_run(&r, &vs);
        }
        runs.push((r, vs));
    }
    let verdicts: Vec<Verdict> = runs.iter().flat_map(|(_, vs)| vs.clone()).collect();
    if c.json {
        let runs_json = json::array(runs.iter().map(|(r, _)| {
            Object::new()
                .str("model", model_name(r.model))
                .num("took_ms", ms(r.took))
                .int("threads", r.threads as u64)
                .str("counters", &r.counters)
        }));
        println!(
            "{}",
            Object::new()
                .value("sleeps_ms", json::array(sleeps_ms.iter().copied()))
                .value(
                    "trace",
                    args.trace.as_ref().map(|p| p.display().to_string())
                )
                .value("runs", runs_json)
                .value("verdicts", verdict::json_array(&verdicts))
        );
    } else if let Some(path) = &args.trace {
        println!(
            "trace written to {} (open it in ui.perfetto.dev)",
            path.display()
        );
    }
    Outcome::Ran(verdicts)
}

/// One model's result and its verdicts, in text.
fn print_run(r: &Run, verdicts: &[Verdict]) {
    println!("{}: {:.3?}; {}", model_name(r.model), r.took, r.counters);
    for v in verdicts {
        v.print();
    }
}

fn model_name(m: Model) -> &'static str {
    if m == Model::Loop {
        "event loop (gather on one thread)"
    } else {
        "threads (one OS thread per task)"
    }
}

fn run_loop(sleeps: &[Duration], trace: Option<&Path>, say: bool) -> Result<Run, String> {
    let mut builder = runtime::Runtime::builder();
    if let Some(path) = trace {
        builder = builder.trace(path);
    }
    let rt = builder
        .build()
        .map_err(|e| format!("cannot build the runtime: {e}"))?;
    let start = Instant::now();
    let threads = rt.block_on(async {
        let handles: Vec<_> = sleeps
            .iter()
            .enumerate()
            .map(|(i, &d)| {
                runtime::spawn(async move {
                    if say {
                        println!("  task {} running", i + 1);
                    }
                    runtime::time::sleep(d).await;
                    if say {
                        println!("  task {} finished after {d:?}", i + 1);
                    }
                })
            })
            .collect();
        runtime::yield_now().await; // every task has started its sleep
        let threads = threads_now();
        for h in handles {
            h.await.map_err(|e| format!("a task failed: {e}"))?;
        }
        threads
    })?;
    let took = start.elapsed();
    let stats = rt.stats();
    drop(rt); // writes the trace
    Ok(Run {
        model: Model::Loop,
        took,
        threads,
        counters: format!(
            "{} polls, {} epoll_wait calls ({} blocking), {} timers fired",
            stats.polls, stats.epoll_waits, stats.epoll_waits_blocking, stats.timers_fired
        ),
    })
}

fn run_threads(sleeps: &[Duration], trace: Option<&Path>, say: bool) -> Result<Run, String> {
    use runtime::threaded;
    if trace.is_some() {
        threaded::trace::start();
    }
    let before = threaded::Stats::snapshot();
    // Every thread has started (and is counted) before any sleeps.
    let started = Arc::new(Barrier::new(sleeps.len() + 1));
    let counted = Arc::new(Barrier::new(sleeps.len() + 1));
    let start = Instant::now();
    let mut handles = Vec::new();
    for (i, &d) in sleeps.iter().enumerate() {
        let (started, counted) = (started.clone(), counted.clone());
        let spawned = threaded::Builder::new()
            .name(format!("sleep-task-{}", i + 1))
            .spawn(move || {
                started.wait();
                counted.wait();
                if say {
                    println!("  thread {} running", i + 1);
                }
                threaded::sleep(d); // clock_nanosleep(2): the kernel parks the thread
                if say {
                    println!("  thread {} finished after {d:?}", i + 1);
                }
            });
        match spawned {
            Ok(h) => handles.push(h),
            Err(e) => {
                // The started threads wait at the barrier for ever: end the
                // process rather than hang.
                eprintln!("demo sleep: cannot start a thread: {e}");
                std::process::exit(verdict::EXIT_FAILED);
            }
        }
    }
    started.wait();
    let threads = threads_now();
    counted.wait();
    for h in handles {
        h.join().map_err(|e| format!("a thread failed: {e}"))?;
    }
    let took = start.elapsed();
    let stats = threaded::Stats::snapshot().since(&before);
    if let Some(path) = trace {
        std::fs::write(path, threaded::trace::finish())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(Run {
        model: Model::Threads,
        took,
        threads: threads?,
        counters: format!(
            "{} spawned, {} joined, {} voluntary / {} involuntary context switches",
            stats.spawned, stats.joins, stats.voluntary_switches, stats.involuntary_switches
        ),
    })
}
