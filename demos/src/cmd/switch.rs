//! `demo switch`: seeds 000/001, the cost of a context switch: two tasks
//! handing a turn back and forth on the event loop versus two OS threads
//! doing the same through a `Mutex` + `Condvar`.

use std::rc::Rc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use clap::Args as ClapArgs;

use crate::support::claims;
use crate::support::cli::{Common, positive_u64, positive_usize};
use crate::support::json::Object;
use crate::support::measure::{self, Spread};
use crate::support::verdict::{self, Holds, Outcome, Verdict};

/// Arguments of `demo switch`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Round trips per run (each is two switches) [default: 50000; quick:
    /// 5000].
    #[arg(long, value_parser = positive_u64)]
    rounds: Option<u64>,
    /// Timed runs of each model after a warm-up run [default: 5; quick: 3].
    #[arg(long, value_parser = positive_usize)]
    repetitions: Option<usize>,
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

/// Runs of each model a `switch` process makes: the warm-up, then the
/// repetitions (what a syscall count of the whole process covers).
pub fn runs_per_model(repetitions: usize) -> u64 {
    repetitions as u64 + 1
}

/// Both models' ns per switch over the repetitions, and the counters of
/// each model's last run; `None` for a model not run.
pub struct Both {
    /// The loop: ns per switch, counters.
    pub event_loop: Option<(Spread, String)>,
    /// Threads: ns per switch, counters.
    pub threads: Option<(Spread, String)>,
}

/// Runs the ping-pong on the models asked for: a warm-up, then
/// `repetitions` interleaved runs of each.
pub fn measure(
    model: crate::support::cli::Model,
    rounds: u64,
    repetitions: usize,
) -> Result<Both, String> {
    let loop_counters = std::cell::RefCell::new(String::new());
    let thread_counters = std::cell::RefCell::new(String::new());
    let mut on_loop = || {
        let m = run_loop(rounds)?;
        *loop_counters.borrow_mut() = m.counters.clone();
        Ok(m.ns_per_switch())
    };
    let mut on_threads = || {
        let m = run_threads(rounds)?;
        *thread_counters.borrow_mut() = m.counters.clone();
        Ok(m.ns_per_switch())
    };
    let mut sides: Vec<&mut dyn FnMut() -> Result<f64, String>> = Vec::new();
    if model.has_loop() {
        sides.push(&mut on_loop);
    }
    if model.has_threads() {
        sides.push(&mut on_threads);
    }
    let mut values = measure::interleaved(repetitions, &mut sides)?.into_iter();
    drop(sides);
    let spread = |v: Vec<f64>| Spread::of(&v).ok_or_else(|| "a run gave no time".to_string());
    let mut both = Both {
        event_loop: None,
        threads: None,
    };
    if model.has_loop() {
        let v = values.next().unwrap_or_default();
        both.event_loop = Some((spread(v)?, loop_counters.take()));
    }
    if model.has_threads() {
        let v = values.next().unwrap_or_default();
        both.threads = Some((spread(v)?, thread_counters.take()));
    }
    Ok(both)
}

/// The verdict: computed only when both models ran.
pub fn verdict_of(both: &Both) -> Verdict {
    match (&both.event_loop, &both.threads) {
        (Some((l, _)), Some((t, _))) => claims::switch_cost(l, t),
        _ => Verdict::new(
            claims::SWITCH_CLAIM,
            "compares the two models",
            Holds::NotRun("needs both models (--model both)".into()),
            "",
        ),
    }
}

/// Runs the demo.
pub fn run(args: &Args) -> Outcome {
    let c = &args.common;
    let rounds = c.pick(args.rounds, 50_000, 5_000);
    let repetitions = c.pick(args.repetitions, 5, 3);
    let both = match measure(c.model, rounds, repetitions) {
        Ok(both) => both,
        Err(e) => return verdict::failed("switch", &e),
    };
    let v = verdict_of(&both);
    if c.json {
        let side = |s: &Option<(Spread, String)>| {
            s.as_ref().map_or("null".to_string(), |(ns, counters)| {
                Object::new()
                    .raw("ns_per_switch", ns.json())
                    .str("counters", counters)
                    .finish()
            })
        };
        println!(
            "{}",
            Object::new()
                .int("rounds", rounds)
                .int("switches_per_run", rounds * 2)
                .int("repetitions", repetitions as u64)
                .raw("event_loop", side(&both.event_loop))
                .raw("threads", side(&both.threads))
                .raw("verdicts", verdict::json_array(std::slice::from_ref(&v)))
                .finish()
        );
        return Outcome::Ran(vec![v]);
    }
    println!(
        "seeds 000/001: ping-pong of a turn between two tasks, {rounds} round trips ({} switches) per run; \
         1 warm-up run, then {repetitions} runs per model taking turns; median (range)",
        rounds * 2
    );
    if let Some((ns, counters)) = &both.event_loop {
        println!(
            "event loop (Event set/wait, one thread): {}",
            ns.text(1, " ns per switch")
        );
        println!("  last run: {counters}");
    }
    if let Some((ns, counters)) = &both.threads {
        println!(
            "threads (Mutex + Condvar, two OS threads): {}",
            ns.text(1, " ns per switch")
        );
        println!("  last run: {counters}");
    }
    v.print();
    Outcome::Ran(vec![v])
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
