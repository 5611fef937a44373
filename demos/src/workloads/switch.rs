//! The context-switch ping-pong of `demo switch`, `demo compare` and
//! `demo switch-scale`: two tasks handing a turn back and forth on the
//! event loop, two OS threads doing the same through a `Mutex` +
//! `Condvar`; and many such pairs at once (`switch-scale`'s curve).

use std::rc::Rc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::support::cli::Model;
use crate::support::gate::Gate;
use crate::support::measure::{self, Spread};
use crate::support::proc_self::cpu_time;

/// What one ping-pong run measured.
pub struct Measured {
    /// Switches made (two per round trip).
    pub switches: u64,
    /// Wall time of the whole run.
    pub took: Duration,
    /// CPU time of the process meanwhile (`getrusage(2)`, every thread).
    pub cpu: Duration,
    /// Involuntary context switches of the process meanwhile
    /// (`getrusage(2)`): the kernel preempting a thread that could run on.
    pub involuntary: u64,
    /// What the model counted meanwhile (wakes, kernel switches).
    pub counters: String,
}

impl Measured {
    /// Nanoseconds per switch.
    pub fn ns_per_switch(&self) -> f64 {
        self.took.as_nanos() as f64 / self.switches.max(1) as f64
    }

    /// CPU nanoseconds per switch: what a switch costs the machine, not
    /// how long it waited for a core on a busy one.
    pub fn cpu_ns_per_switch(&self) -> f64 {
        self.cpu.as_nanos() as f64 / self.switches.max(1) as f64
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
    run_loop_pairs(1, rounds)
}

/// `pairs` pairs of tasks on one loop, each pair handing a turn back and
/// forth through two `Event`s `rounds` times; timed from when every task
/// is spawned to when the last ends.
pub fn run_loop_pairs(pairs: usize, rounds: u64) -> Result<Measured, String> {
    let rt = runtime::Runtime::builder()
        .build()
        .map_err(|e| format!("cannot build the runtime: {e}"))?;
    let before = runtime::threaded::Stats::snapshot();
    let took = rt.block_on(async move {
        let mut tasks = Vec::with_capacity(2 * pairs);
        for _ in 0..pairs {
            let ping = Rc::new(runtime::sync::Event::new());
            let pong = Rc::new(runtime::sync::Event::new());
            let (ping2, pong2) = (ping.clone(), pong.clone());
            tasks.push(runtime::spawn(async move {
                for _ in 0..rounds {
                    ping.set();
                    pong.wait().await;
                    pong.clear();
                }
            }));
            tasks.push(runtime::spawn(async move {
                for _ in 0..rounds {
                    ping2.wait().await;
                    ping2.clear();
                    pong2.set();
                }
            }));
        }
        let (start, cpu) = (Instant::now(), cpu_time());
        let mut result = Ok(());
        for t in tasks {
            result = result.and(t.await);
        }
        result.map(|()| (start.elapsed(), cpu_time().saturating_sub(cpu)))
    });
    let (took, cpu) = took.map_err(|e| format!("a ping-pong task failed: {e}"))?;
    let kernel = runtime::threaded::Stats::snapshot().since(&before);
    let stats = rt.stats();
    Ok(Measured {
        switches: rounds * 2 * pairs as u64,
        took,
        cpu,
        involuntary: kernel.involuntary_switches,
        counters: format!(
            "loop: {} polls, {} local wakes (no syscall), {} epoll_wait calls",
            stats.polls, stats.local_wakes, stats.epoll_waits
        ),
    })
}

/// Two OS threads hand the turn over through a `Mutex<u64>` + `Condvar`.
pub fn run_threads(rounds: u64) -> Result<Measured, String> {
    run_thread_pairs(1, rounds)
}

/// `pairs` pairs of OS threads (64 KiB stacks), each pair handing a turn
/// back and forth through a `Mutex<u64>` + `Condvar` `rounds` times; timed
/// from when every thread is started and waiting at the gate to when the
/// last ends (their creation is not timed). A thread the OS refuses is an
/// error, after the ones started were released and joined.
pub fn run_thread_pairs(pairs: usize, rounds: u64) -> Result<Measured, String> {
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
    let gate = Arc::new(Gate::default());
    let mut handles = Vec::with_capacity(2 * pairs);
    let mut refused = None;
    'spawn: for _ in 0..pairs {
        let shared = Arc::new((Mutex::new(0u64), Condvar::new()));
        for parity in [0, 1] {
            let (g, play) = (gate.clone(), player(parity, shared.clone()));
            let spawned = runtime::threaded::Builder::new()
                .name(if parity == 0 { "ping" } else { "pong" })
                .stack_size(64 * 1024)
                .spawn(move || {
                    if g.arrive_and_wait() {
                        play();
                    }
                });
            match spawned {
                Ok(h) => handles.push(h),
                Err(e) => {
                    refused = Some(e);
                    break 'spawn;
                }
            }
        }
    }
    let started = handles.len();
    gate.wait_for(started);
    let before = runtime::threaded::Stats::snapshot();
    let (start, cpu) = (Instant::now(), cpu_time());
    gate.open(refused.is_none());
    let mut result = Ok(());
    for h in handles {
        result = result.and(h.join());
    }
    let took = start.elapsed();
    let cpu = cpu_time().saturating_sub(cpu);
    let stats = runtime::threaded::Stats::snapshot().since(&before);
    if let Some(e) = refused {
        return Err(format!(
            "the OS refused thread {} of {}: {e}",
            started + 1,
            2 * pairs
        ));
    }
    result.map_err(|e| format!("a ping-pong thread failed: {e}"))?;
    Ok(Measured {
        switches: total * pairs as u64,
        took,
        cpu,
        involuntary: stats.involuntary_switches,
        counters: format!(
            "threads: {} voluntary / {} involuntary kernel context switches",
            stats.voluntary_switches, stats.involuntary_switches
        ),
    })
}
