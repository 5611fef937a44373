//! `demo compare`: seed 000's "Key Differences" table, measured: quick
//! versions of `switch`, `cpu` and `blocking`, memory and threads per idle
//! task or thread, on both models. Each row's verdict is computed by a
//! function of `support/claims/` from the row's numbers, and printed with its
//! criterion; a row that needs both models says "not run" when one was not.
//!
//! Order: the idle tasks first (so that `/proc/self/task` shows the loop's
//! thread alone, before any other step has started a thread), then the
//! idle threads, then the timed steps, each model's runs interleaved.
//!
//! The measurements are in `workloads/` (shared with `switch`, `cpu`,
//! `blocking`, `c10k`); the rows and their verdicts in `rows.rs`; the text
//! and JSON in `print.rs`.

mod print;
mod rows;

use std::time::{Duration, Instant};

use clap::Args as ClapArgs;

use crate::support::claims::TickGaps;
use crate::support::cli::{Common, Model};
use crate::support::verdict::{self, Outcome};
use crate::workloads::idle::{self, Idle};
use crate::workloads::{blocking, cpu, switch};

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
/// under ptrace (`support/syscalls/`), with `rounds` round trips and with a tenth
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
    let rows = rows::table(&m);
    if c.json {
        print::json(c.quick, &p, &m, &rows, took);
    } else {
        print::text(&m, &rows, took);
    }
    if !m.cpu.same_results {
        return verdict::failed("compare", "the models computed different results");
    }
    Outcome::Ran(rows.into_iter().map(|r| r.verdict).collect())
}

fn measure(model: Model, p: &Params) -> Result<Measured, String> {
    let loop_idle = if model.has_loop() {
        eprintln!("compare: event loop: {IDLE_TASKS} idle tasks...");
        Some(idle::tasks(IDLE_TASKS)?)
    } else {
        None
    };
    let thread_idle = if model.has_threads() {
        eprintln!("compare: threads: {} idle threads...", p.idle_threads);
        Some(idle::threads(p.idle_threads)?)
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
        gaps: b.gaps(BLOCK),
    })
}
