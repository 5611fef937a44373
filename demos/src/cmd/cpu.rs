//! `demo cpu`: seed 003, "threads give true parallelism": a CPU-bound job
//! split in 4 parts, run sequentially, gathered on the event loop, on 4 OS
//! threads and on the loop's blocking pool (the job: `workloads/cpu.rs`).
//!
//! Timed as `support/measure.rs` describes: one warm-up run of every side, then
//! several repetitions in which the sequential baseline takes turns with
//! the parallel sides; each speed-up is the baseline over the parallel run
//! of the same turn, summarised as the median and range. The verdicts
//! (`support/claims/cpu.rs`) refuse a speed-up above the cores the process may use
//! (`sched_getaffinity`), and a one-thread speed-up other than ~1.0, as
//! measurement errors. Last, it says plainly which parts of the seeds'
//! GIL claim carry over to Rust and which do not (`claims::gil_parts`),
//! each with what this run measured.

use clap::Args as ClapArgs;

use crate::support::claims;
use crate::support::cli::{Common, positive_u64, positive_usize};
use crate::support::json::Object;
use crate::support::measure::{self, Spread};
use crate::support::verdict::{self, Outcome, Verdict};
use crate::workloads::cpu::{Measured, PARTS, measure};

/// Arguments of `demo cpu`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Hash iterations in total, split over the 4 parts [default: 80000000;
    /// quick: 8000000].
    #[arg(long, value_parser = positive_u64)]
    iterations: Option<u64>,
    /// Timed runs of each side after a warm-up run [default: 5; quick: 3].
    #[arg(long, value_parser = positive_usize)]
    repetitions: Option<usize>,
}
/// The verdicts of a run: one per side measured.
pub fn verdicts(m: &Measured) -> Vec<Verdict> {
    let workers = PARTS as usize;
    let mut out = Vec::new();
    if let Some((_, s)) = &m.loop_gather {
        out.push(claims::one_thread_speedup(s));
    }
    if let Some((_, s, _)) = &m.blocking {
        out.push(claims::parallel_speedup(
            claims::POOL_CLAIM,
            s,
            workers,
            m.cores,
        ));
    }
    if let Some((_, s, _)) = &m.threads {
        out.push(claims::parallel_speedup(
            claims::THREADS_CLAIM,
            s,
            workers,
            m.cores,
        ));
    }
    out
}

/// Runs the demo.
pub fn run(args: &Args) -> Outcome {
    let c = &args.common;
    let iterations = c.pick(args.iterations, 80_000_000, 8_000_000);
    let repetitions = c.pick(args.repetitions, 5, 3);
    if iterations < PARTS {
        return verdict::bad_input(
            "cpu",
            &format!("--iterations must be at least {PARTS} (one per part)"),
        );
    }
    let m = match measure(c.model, iterations, repetitions) {
        Ok(m) => m,
        Err(e) => return verdict::failed("cpu", &e),
    };
    let verdicts = verdicts(&m);
    let find = |claim: &str| verdicts.iter().find(|v| v.claim.starts_with(claim));
    let gil = claims::gil_parts(
        find("the event loop runs CPU-bound"),
        find(claims::THREADS_CLAIM),
        find(claims::POOL_CLAIM),
    );
    if c.json {
        print_json(iterations, repetitions, &m, &verdicts, &gil);
    } else {
        print_text(iterations, repetitions, &m, &verdicts);
        println!("what of the seeds' GIL claim carries over to Rust:");
        for g in &gil {
            println!("  {}: {}", g.carries_over, g.part);
            println!("    {}", g.measured);
        }
    }
    if !m.same_results {
        return verdict::failed("cpu", "the models computed different results");
    }
    Outcome::Ran(verdicts)
}

fn print_text(iterations: u64, repetitions: usize, m: &Measured, verdicts: &[Verdict]) {
    println!(
        "seed 003: a CPU-bound job of {iterations} hash steps in {PARTS} parts; {} core(s) in this process's affinity mask",
        m.cores
    );
    println!(
        "each side: 1 warm-up run, then {repetitions} runs taking turns with the others; median (range); {}",
        measure::load_text(m.cores)
    );
    println!("sequential (1 thread): {}", m.sequential.text(1, " ms"));
    if let Some((t, s)) = &m.loop_gather {
        println!(
            "event loop, gather (1 thread): {}, speed-up {}",
            t.text(1, " ms"),
            s.text(2, "x")
        );
    }
    if let Some((t, s, jobs)) = &m.blocking {
        println!(
            "event loop, spawn_blocking ({jobs} jobs on the blocking pool): {}, speed-up {}",
            t.text(1, " ms"),
            s.text(2, "x")
        );
    }
    if let Some((t, s, spawned)) = &m.threads {
        println!(
            "threads, threaded::gather ({spawned} threads): {}, speed-up {}",
            t.text(1, " ms"),
            s.text(2, "x")
        );
    }
    println!(
        "results equal on every model: {}",
        if m.same_results { "yes" } else { "NO" }
    );
    for v in verdicts {
        v.print();
    }
}

fn side_json(side: Option<(&Spread, &Spread, u64)>) -> Option<Object> {
    side.map(|(t, s, n)| {
        Object::new()
            .value("ms", t.json())
            .value("speedup", s.json())
            .int("workers", n)
    })
}

fn print_json(
    iterations: u64,
    repetitions: usize,
    m: &Measured,
    verdicts: &[Verdict],
    gil: &[claims::GilPart],
) {
    let out = Object::new()
        .int("iterations", iterations)
        .int("parts", PARTS)
        .int("cores", m.cores as u64)
        .int("repetitions", repetitions as u64)
        .opt_num("load_average", measure::load_average())
        .value("sequential_ms", m.sequential.json())
        .value(
            "loop_gather",
            side_json(m.loop_gather.as_ref().map(|(t, s)| (t, s, 1))),
        )
        .value(
            "spawn_blocking",
            side_json(m.blocking.as_ref().map(|(t, s, n)| (t, s, *n))),
        )
        .value(
            "threads",
            side_json(m.threads.as_ref().map(|(t, s, n)| (t, s, *n))),
        )
        .bool("same_results", m.same_results)
        .value("verdicts", verdict::json_array(verdicts))
        .value(
            "gil",
            crate::support::json::array(gil.iter().map(|g| {
                Object::new()
                    .str("part", g.part)
                    .str("carries_over", g.carries_over)
                    .str("measured", &g.measured)
            })),
        );
    println!("{out}");
}
