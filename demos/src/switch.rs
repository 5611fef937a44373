//! `demo switch`: seeds 000/001, the cost of a context switch: two tasks
//! handing a turn back and forth on the event loop versus two OS threads
//! doing the same through a `Mutex` + `Condvar`.

use std::rc::Rc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use clap::Args as ClapArgs;

use crate::Model;

/// Arguments of `demo switch`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Which model to run.
    #[arg(long, value_enum, default_value = "both")]
    pub(crate) model: Model,
    /// Round trips per model (each is two switches).
    #[arg(long, default_value_t = 50_000)]
    rounds: u64,
    /// A short run (5,000 round trips).
    #[arg(long)]
    quick: bool,
}

/// What one ping-pong run measured.
pub struct Measured {
    /// Switches made (two per round trip).
    pub switches: u64,
    /// Wall time of the whole run.
    pub took: Duration,
    /// What the model counted meanwhile (wakes, kernel switches).
    pub counters: String,
}

impl Measured {
    /// Nanoseconds per switch.
    pub fn ns_per_switch(&self) -> f64 {
        self.took.as_nanos() as f64 / self.switches.max(1) as f64
    }
}

/// Runs the demo; returns the process exit code.
pub fn run(args: &Args) -> i32 {
    let rounds = if args.quick {
        5_000
    } else {
        args.rounds.max(1)
    };
    println!(
        "seeds 000/001: ping-pong of a turn between two tasks, {rounds} round trips ({} switches)",
        rounds * 2
    );
    let mut loop_ns = None;
    let mut thread_ns = None;
    if args.model.has_loop() {
        match run_loop(rounds) {
            Ok(m) => {
                println!(
                    "event loop (Event set/wait, one thread): {:.1} ns per switch ({} switches in {:.3?})",
                    m.ns_per_switch(),
                    m.switches,
                    m.took
                );
                println!("  {}", m.counters);
                loop_ns = Some(m.ns_per_switch());
            }
            Err(e) => {
                eprintln!("demo switch: {e}");
                return 2;
            }
        }
    }
    if args.model.has_threads() {
        match run_threads(rounds) {
            Ok(m) => {
                println!(
                    "threads (Mutex + Condvar, two OS threads): {:.1} ns per switch ({} switches in {:.3?})",
                    m.ns_per_switch(),
                    m.switches,
                    m.took
                );
                println!("  {}", m.counters);
                thread_ns = Some(m.ns_per_switch());
            }
            Err(e) => {
                eprintln!("demo switch: {e}");
                return 2;
            }
        }
    }
    let verdict = match (loop_ns, thread_ns) {
        (Some(l), Some(t)) => {
            println!("ratio: a thread switch costs {:.1}x a task switch", t / l);
            if t > l {
                format!(
                    "claim holds: thread switch {t:.0} ns > task switch {l:.0} ns ({:.1}x)",
                    t / l
                )
            } else {
                format!("claim NOT confirmed in this run: thread {t:.0} ns <= task {l:.0} ns")
            }
        }
        _ => "not compared (run with --model both)".to_string(),
    };
    println!(
        "claim: thread context switches are costly (kernel), event-loop switches are lightweight -> {verdict}"
    );
    0
}

/// Two tasks on the loop hand the turn over through two `Event`s.
pub fn run_loop(rounds: u64) -> Result<Measured, String> {
    let rt = runtime::Runtime::builder()
        .build()
        .map_err(|e| format!("cannot build the runtime: {e}"))?;
    let took = rt.block_on(async move {
        let ping = Rc::new(runtime::sync::Event::new());
        let pong = Rc::new(runtime::sync::Event::new());
        let (ping2, pong2) = (ping.clone(), pong.clone());
        let start = Instant::now();
        let a = runtime::spawn(async move {
            for _ in 0..rounds {
                ping.set();
                pong.wait().await;
                pong.clear();
            }
        });
        let b = runtime::spawn(async move {
            for _ in 0..rounds {
                ping2.wait().await;
                ping2.clear();
                pong2.set();
            }
        });
        let ra = a.await;
        let rb = b.await;
        let took = start.elapsed();
        ra.and(rb).map(|_| took)
    });
    let took = took.map_err(|e| format!("a ping-pong task failed: {e}"))?;
    let stats = rt.stats();
    Ok(Measured {
        switches: rounds * 2,
        took,
        counters: format!(
            "loop: {} polls, {} local wakes (no syscall), {} epoll_wait calls",
            stats.polls, stats.local_wakes, stats.epoll_waits
        ),
    })
}

/// Two OS threads hand the turn over through a `Mutex<u64>` + `Condvar`.
pub fn run_threads(rounds: u64) -> Result<Measured, String> {
    let shared = Arc::new((Mutex::new(0u64), Condvar::new()));
    let total = rounds * 2;
    let player = |parity: u64, shared: Arc<(Mutex<u64>, Condvar)>| {
        move || {
            let (lock, cond) = &*shared;
            let Ok(mut turn) = lock.lock() else { return };
            while *turn < total {
                if *turn % 2 == parity {
                    *turn += 1;
                    cond.notify_one();
                } else {
                    turn = match cond.wait(turn) {
                        Ok(t) => t,
                        Err(_) => return,
                    };
                }
            }
        }
    };
    let before = runtime::threaded::Stats::snapshot();
    let start = Instant::now();
    let a = runtime::threaded::Builder::new()
        .name("ping".to_string())
        .spawn(player(0, shared.clone()))
        .map_err(|e| format!("cannot start a thread: {e}"))?;
    let b = runtime::threaded::Builder::new()
        .name("pong".to_string())
        .spawn(player(1, shared.clone()))
        .map_err(|e| format!("cannot start a thread: {e}"))?;
    let ra = a.join();
    let rb = b.join();
    let took = start.elapsed();
    ra.and(rb)
        .map_err(|e| format!("a ping-pong thread failed: {e}"))?;
    let stats = runtime::threaded::Stats::snapshot().since(&before);
    Ok(Measured {
        switches: total,
        took,
        counters: format!(
            "threads: {} voluntary / {} involuntary kernel context switches",
            stats.voluntary_switches, stats.involuntary_switches
        ),
    })
}
