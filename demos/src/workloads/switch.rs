//! The context-switch ping-pong of `demo switch` and `demo compare`: two
//! tasks handing a turn back and forth on the event loop, two OS threads
//! doing the same through a `Mutex` + `Condvar`.

use std::rc::Rc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::support::cli::Model;
use crate::support::measure::{self, Spread};

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
pub fn measure(model: Model, rounds: u64, repetitions: usize) -> Result<Both, String> {
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

impl Both {
    /// Each model's ns per switch, for [`claims::switch_cost_if_both`](crate::support::claims::switch_cost_if_both).
    pub fn spreads(&self) -> (Option<&Spread>, Option<&Spread>) {
        (
            self.event_loop.as_ref().map(|(s, _)| s),
            self.threads.as_ref().map(|(s, _)| s),
        )
    }
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
