//! `demo counter`: seed 003, "threading has overheads from ... shared
//! memory access; asyncio avoids these". One counter, incremented
//! `--increments` times by each of `--workers` workers:
//!
//! - threads, a shared `Mutex<u64>` (`futex(2)` when contended);
//! - threads, a shared `AtomicU64` (`lock xadd`: the cache line moves
//!   between the cores on every increment);
//! - threads, each counting on its own and adding up once at the end (no
//!   sharing: what the threads cost without it);
//! - the event loop: tasks sharing a `Rc<Cell<u64>>`, no lock (one task
//!   runs at a time), each yielding every [`YIELD_EVERY`] increments so
//!   that they take turns.
//!
//! Each increment goes through `std::hint::black_box`, so the compiler
//! cannot fold a loop into one addition; the threads start together at a
//! gate (`support/gate.rs`: their spawning is not timed). The cost is the
//! process's CPU time (`getrusage(2)`, every thread) over the increments,
//! which a busy machine does not inflate; the wall time is printed beside
//! it. Timed as `support/measure.rs` describes: a warm-up, then the four
//! sides in turns; the ratios to the `Cell` are taken per turn.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Args as ClapArgs;

use crate::support::claims;
use crate::support::cli::{Common, positive_u64, positive_usize};
use crate::support::gate::Gate;
use crate::support::json::Object;
use crate::support::measure::{self, Spread};
use crate::support::proc_self::cpu_time;
use crate::support::progress;
use crate::support::report::{Report, Series};
use crate::support::verdict::{self, Outcome, Verdict};

/// Arguments of `demo counter`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Threads (and tasks on the loop) incrementing the counter [default: 4].
    #[arg(long, value_parser = positive_usize)]
    workers: Option<usize>,
    /// Increments by each worker per run [default: 1000000; quick: 100000].
    #[arg(long, value_parser = positive_u64)]
    increments: Option<u64>,
    /// Timed runs of each side after a warm-up run [default: 5; quick: 2].
    #[arg(long, value_parser = positive_usize)]
    repetitions: Option<usize>,
}

/// How often a task on the loop yields to the others.
const YIELD_EVERY: u64 = 1000;
/// The sides, in the order they are measured and printed.
const SIDES: [&str; 4] = [
    "threads: shared Mutex<u64>",
    "threads: shared AtomicU64",
    "threads: own counters, summed at the end",
    "event loop: tasks sharing a Cell<u64>",
];

/// Runs the demo.
pub fn run(args: &Args) -> Outcome {
    let c = &args.common;
    let workers = c.pick(args.workers, 4, 4);
    let increments = c.pick(args.increments, 1_000_000, 100_000);
    let repetitions = c.pick(args.repetitions, 5, 2);
    let expected = workers as u64 * increments;
    let wrong = Cell::new(None::<String>);
    let check = |side: &str, total: u64| {
        if total != expected {
            wrong.set(Some(format!("{side}: counted {total}, not {expected}")));
        }
    };
    // Wall ns per increment of every run, per side (the warm-up first).
    let walls = std::cell::RefCell::new(vec![Vec::new(); SIDES.len()]);
    let ns = |side: usize, (wall, cpu): Started| {
        let per = |d: Duration| d.as_nanos() as f64 / expected as f64;
        walls.borrow_mut()[side].push(per(wall.elapsed()));
        per(cpu_time().saturating_sub(cpu))
    };
    let done = Cell::new(0usize);
    let sides_run = 3 * usize::from(c.model.has_threads()) + usize::from(c.model.has_loop());
    let runs = (repetitions + 1) * sides_run;
    let tick = |what: &str| {
        done.set(done.get() + 1);
        progress::step("counter", done.get(), runs, what);
    };
    let mut mutex = || -> Result<f64, String> {
        tick(SIDES[0]);
        let shared = Arc::new(Mutex::new(0u64));
        let s = shared.clone();
        let start = on_threads(workers, move || {
            for _ in 0..increments {
                if let Ok(mut n) = s.lock() {
                    *n = std::hint::black_box(*n + 1);
                }
            }
        })?;
        let took = ns(0, start);
        check(SIDES[0], *shared.lock().map_err(|_| "a thread panicked")?);
        Ok(took)
    };
    let mut atomic = || -> Result<f64, String> {
        tick(SIDES[1]);
        let shared = Arc::new(AtomicU64::new(0));
        let s = shared.clone();
        let start = on_threads(workers, move || {
            for _ in 0..increments {
                s.fetch_add(std::hint::black_box(1), Ordering::Relaxed);
            }
        })?;
        let took = ns(1, start);
        check(SIDES[1], shared.load(Ordering::Relaxed));
        Ok(took)
    };
    let mut local = || -> Result<f64, String> {
        tick(SIDES[2]);
        let shared = Arc::new(AtomicU64::new(0));
        let s = shared.clone();
        let start = on_threads(workers, move || {
            let mut n = 0u64;
            for _ in 0..increments {
                n = std::hint::black_box(n + 1);
            }
            s.fetch_add(n, Ordering::Relaxed);
        })?;
        let took = ns(2, start);
        check(SIDES[2], shared.load(Ordering::Relaxed));
        Ok(took)
    };
    let mut cell = || -> Result<f64, String> {
        tick(SIDES[3]);
        let (start, total) = on_loop(workers, increments)?;
        let took = ns(3, start);
        check(SIDES[3], total);
        Ok(took)
    };
    let mut sides: Vec<&mut dyn FnMut() -> Result<f64, String>> = Vec::new();
    if c.model.has_threads() {
        sides.extend([
            &mut mutex as &mut dyn FnMut() -> Result<f64, String>,
            &mut atomic,
            &mut local,
        ]);
    }
    if c.model.has_loop() {
        sides.push(&mut cell);
    }
    let values = match measure::interleaved(repetitions, &mut sides) {
        Ok(v) => v,
        Err(e) => return verdict::failed("counter", &e),
    };
    drop(sides);
    if let Some(e) = wrong.take() {
        return verdict::failed("counter", &format!("lost increments: {e}"));
    }
    let mut it = values.into_iter();
    let threads: Option<[Vec<f64>; 3]> = c
        .model
        .has_threads()
        .then(|| [(); 3].map(|()| it.next().unwrap_or_default()));
    let cell_ns: Option<Vec<f64>> = c.model.has_loop().then(|| it.next().unwrap_or_default());
    let spreads: Vec<Option<Spread>> = (0..4)
        .map(|i| match (i, &threads, &cell_ns) {
            (0..=2, Some(t), _) => Spread::of(&t[i]),
            (3, _, Some(v)) => Spread::of(v),
            _ => None,
        })
        .collect();
    let walls: Vec<Option<Spread>> = walls
        .into_inner()
        .iter()
        .map(|w| Spread::of(w.get(1..).unwrap_or_default()))
        .collect();
    let verdicts = verdicts_of(&threads, cell_ns.as_deref(), &spreads);
    let params = (workers, increments, repetitions);
    if c.json {
        print_json(params, &spreads, &walls, &verdicts);
    } else {
        print_text(params, &spreads, &walls, &verdicts);
    }
    Outcome::Ran(verdicts)
}

/// The verdicts: the sharing claim needs both models; the per-thread one
/// only the threads.
fn verdicts_of(
    threads: &Option<[Vec<f64>; 3]>,
    cell: Option<&[f64]>,
    spreads: &[Option<Spread>],
) -> Vec<Verdict> {
    let mut out = Vec::new();
    let ratio = |a: &[f64], b: &[f64]| Spread::of(&measure::ratios(a, b));
    match (threads, cell) {
        (Some([m, a, _]), Some(c)) => {
            if let (Some(ms), Some(as_), Some(cs), Some(mr), Some(ar)) = (
                &spreads[0],
                &spreads[1],
                &spreads[3],
                ratio(m, c),
                ratio(a, c),
            ) {
                out.push(claims::shared_counter_cost(ms, as_, cs, &mr, &ar));
            }
        }
        _ => out.push(claims::needs_both(claims::SHARING_CLAIM)),
    }
    if let (Some([_, a, l]), Some(ls), Some(as_)) = (threads, &spreads[2], &spreads[1])
        && let Some(lr) = ratio(l, a)
    {
        out.push(claims::sharing_not_threads(ls, as_, &lr));
    }
    out
}

/// When a run started: the wall clock and the process's CPU time.
type Started = (Instant, Duration);

/// Starts `workers` threads running `f`, waits until all are at the gate,
/// starts the clocks and opens it; returns, after every thread ended, when
/// the clocks started.
fn on_threads(
    workers: usize,
    f: impl Fn() + Send + Sync + Clone + 'static,
) -> Result<Started, String> {
    let gate = Arc::new(Gate::default());
    let mut handles = Vec::with_capacity(workers);
    for _ in 0..workers {
        let (g, f) = (gate.clone(), f.clone());
        let spawned = runtime::threaded::Builder::new()
            .name("counter")
            .spawn(move || {
                if g.arrive_and_wait() {
                    f();
                }
            });
        match spawned {
            Ok(h) => handles.push(h),
            Err(e) => {
                gate.open(false);
                return Err(format!("cannot start a thread: {e}"));
            }
        }
    }
    gate.wait_for(workers);
    let started = (Instant::now(), cpu_time());
    gate.open(true);
    for h in handles {
        h.join()
            .map_err(|e| format!("a counting thread failed: {e}"))?;
    }
    Ok(started)
}

/// `workers` tasks on a fresh loop share a `Cell`; returns when they
/// started and the total.
fn on_loop(workers: usize, increments: u64) -> Result<(Started, u64), String> {
    let rt = runtime::Runtime::new().map_err(|e| format!("cannot build the runtime: {e}"))?;
    let count = Rc::new(Cell::new(0u64));
    let start = (Instant::now(), cpu_time());
    rt.block_on(async {
        let tasks: Vec<_> = (0..workers)
            .map(|_| {
                let count = count.clone();
                runtime::spawn(async move {
                    for i in 0..increments {
                        count.set(std::hint::black_box(count.get() + 1));
                        if i % YIELD_EVERY == YIELD_EVERY - 1 {
                            runtime::yield_now().await;
                        }
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await
                .map_err(|e| format!("a counting task failed: {e}"))?;
        }
        Ok::<(), String>(())
    })?;
    Ok((start, count.get()))
}

fn print_text(
    (workers, increments, repetitions): (usize, u64, usize),
    spreads: &[Option<Spread>],
    walls: &[Option<Spread>],
    verdicts: &[Verdict],
) {
    println!(
        "seed 003: one counter, {increments} increments by each of {workers} workers; \
         1 warm-up run, then {repetitions} runs per side taking turns; median (range); {}",
        measure::load_text(measure::cores())
    );
    println!(
        "  cost: CPU ns per increment (getrusage, every thread of the process); wall: wall ns per increment (median)"
    );
    for ((name, s), w) in SIDES.iter().zip(spreads).zip(walls) {
        if let Some(s) = s {
            println!(
                "  {name:<44} {}, wall {}",
                s.text(2, " CPU ns per increment"),
                w.as_ref()
                    .map_or("-".into(), |w| format!("{:.2} ns", w.median))
            );
        }
    }
    for v in verdicts {
        v.print();
    }
}

fn print_json(
    (workers, increments, repetitions): (usize, u64, usize),
    spreads: &[Option<Spread>],
    walls: &[Option<Spread>],
    verdicts: &[Verdict],
) {
    let mut bars = Series::new(
        "cost per increment",
        "CPU ns per increment",
        "how the counter is shared",
        "CPU ns per increment",
    );
    for (name, s) in SIDES.iter().zip(spreads) {
        if s.is_some() {
            bars = bars.spread(*name, s.as_ref());
        }
    }
    let sides =
        crate::support::json::array(SIDES.iter().zip(spreads).zip(walls).map(|((name, s), w)| {
            Object::new()
                .str("side", name)
                .value("cpu_ns_per_increment", s.as_ref().map(Spread::json))
                .value("wall_ns_per_increment", w.as_ref().map(Spread::json))
        }));
    let params = Object::new()
        .int("workers", workers as u64)
        .int("increments_per_worker", increments)
        .int("repetitions", repetitions as u64);
    let out = Report::new(
        "counter",
        &["003"],
        "Shared-memory synchronization costs: a counter under a Mutex, atomics, and a Cell on the loop",
        params,
    )
    .with("sides", sides)
    .finish(&[bars], verdicts, &[]);
    println!("{out}");
}
