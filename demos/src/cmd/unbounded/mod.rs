//! `demo unbounded`: seed 001, "No Automatic Backpressure ... tasks are
//! scheduled as soon as they are created ... leading to resource
//! exhaustion (... memory issues)", and its cure, `Semaphore`.
//!
//! N tasks (and, on the thread model, N threads) each allocate a buffer,
//! write every byte of it (so it is resident), hold it a while and let it
//! go. Spawned without a bound, all N hold theirs at once; behind
//! `Semaphore(K)`, K at a time. Each run is a child process (this binary,
//! `child.rs`) that first lowers its own address-space limit
//! (`RLIMIT_AS`) to what it has mapped at the start plus `--budget-mib`: so
//! running out of memory ends in an allocation failure that can be counted
//! (a buffer `try_reserve_exact` refuses, a thread whose stack cannot be
//! mapped, or, for an allocation Rust cannot return, an abort with
//! `SIGABRT`), never in the machine's OOM killer. The parent reads the
//! child's peak resident memory (`VmHWM`) while it runs, so the peak is
//! known even when the child dies.

mod child;

use std::time::Duration;

use clap::Args as ClapArgs;

use crate::support::child::{self as proc_child, Child};
use crate::support::claims::{self, HeldRun};
use crate::support::cli::{Common, Model, positive_u64, positive_usize};
use crate::support::json::{self, Object};
use crate::support::proc_self::PeakRss;
use crate::support::progress;
use crate::support::report::{Report, Series};
use crate::support::verdict::{self, Outcome, Verdict};
use child::Plan;

/// Arguments of `demo unbounded`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Tasks (threads), each holding one buffer [default: 1000; quick: 200].
    #[arg(long, value_parser = positive_usize)]
    tasks: Option<usize>,
    /// Size of each buffer in KiB [default: 1024].
    #[arg(long, value_parser = positive_usize)]
    buffer_kib: Option<usize>,
    /// Address space the child may map beyond what it has at the start,
    /// MiB (its RLIMIT_AS) [default: 256; quick: 64].
    #[arg(long, value_parser = positive_u64)]
    budget_mib: Option<u64>,
    /// Permits of the semaphore [default: 32; quick: 8].
    #[arg(long, value_parser = positive_usize)]
    permits: Option<usize>,
    /// How long each buffer is held, above 0 [default: 20ms; quick: 5ms].
    #[arg(long, value_parser = crate::support::cli::positive_duration)]
    hold: Option<Duration>,
    /// Internal: run as the child, without a bound (`unbounded`) or behind
    /// the semaphore (`bounded`).
    #[arg(long, hide = true)]
    child: Option<String>,
}

/// One model's two runs.
struct ModelRuns {
    model: Model,
    unbounded: HeldRun,
    bounded: HeldRun,
    limit: f64,
}

/// Runs the demo.
pub fn run(args: &Args) -> Outcome {
    let c = &args.common;
    let plan = |model, permits| Plan {
        model,
        tasks: c.pick(args.tasks, 1000, 200),
        buffer: c.pick(args.buffer_kib, 1024, 1024) * 1024,
        budget: c.pick(args.budget_mib, 256, 64) << 20,
        permits,
        hold: c.pick(
            args.hold,
            Duration::from_millis(20),
            Duration::from_millis(5),
        ),
    };
    let permits = c.pick(args.permits, 32, 8);
    let p = plan(Model::Loop, Some(permits));
    if let Some(mode) = &args.child {
        let model = if c.model == Model::Threads {
            Model::Threads
        } else {
            Model::Loop
        };
        let permits = (mode == "bounded").then_some(permits);
        return match child::main(plan(model, permits)) {
            0 => Outcome::Ran(Vec::new()),
            _ => Outcome::Failed,
        };
    }
    if (permits * p.buffer) as u64 * 2 > p.budget {
        return verdict::bad_input(
            "unbounded",
            &format!(
                "--permits {permits} x --buffer-kib {} must stay under half of --budget-mib {} (else the bounded run cannot fit either)",
                p.buffer / 1024,
                p.budget >> 20
            ),
        );
    }
    let mut runs = Vec::new();
    let total = 2 * c.model.each().count();
    let mut step = 0;
    for model in c.model.each() {
        let mut two = Vec::new();
        for bounded in [false, true] {
            step += 1;
            progress::step(
                "unbounded",
                step,
                total,
                &format!(
                    "{}: {} holders of {} KiB, {}",
                    model.label(),
                    p.tasks,
                    p.buffer / 1024,
                    if bounded {
                        format!("behind Semaphore({permits})")
                    } else {
                        "no bound".into()
                    }
                ),
            );
            match run_child(model, bounded, p) {
                Ok(r) => two.push(r),
                Err(e) => return verdict::failed("unbounded", &e),
            }
        }
        let (bounded, limit) = two.pop().unwrap_or_default();
        let (unbounded, _) = two.pop().unwrap_or_default();
        runs.push(ModelRuns {
            model,
            unbounded,
            bounded,
            limit,
        });
    }
    let verdicts: Vec<Verdict> = runs
        .iter()
        .map(|r| {
            claims::unbounded_exhausts(
                r.model.label(),
                &r.unbounded,
                &r.bounded,
                p.tasks,
                permits,
                r.limit,
            )
        })
        .collect();
    if c.json {
        print_json(p, permits, &runs, &verdicts);
    } else {
        print_text(p, permits, &runs, &verdicts);
    }
    Outcome::Ran(verdicts)
}

/// Runs one child and reads how it ended: its `RESULT` line, or its exit
/// status; returns the run and the child's limit (bytes).
fn run_child(model: Model, bounded: bool, p: Plan) -> Result<(HeldRun, f64), String> {
    let mut argv: Vec<String> = vec![
        "unbounded".into(),
        "--model".into(),
        model.flag().into(),
        "--child".into(),
        if bounded { "bounded" } else { "unbounded" }.into(),
        "--tasks".into(),
        p.tasks.to_string(),
        "--buffer-kib".into(),
        (p.buffer / 1024).to_string(),
        "--budget-mib".into(),
        (p.budget >> 20).to_string(),
        "--hold".into(),
        format!("{}us", p.hold.as_micros()),
    ];
    if let Some(k) = p.permits {
        argv.extend(["--permits".into(), k.to_string()]);
    }
    let mut child = Child::spawn(&argv, &format!("{} child", model.label()))?;
    let peak = PeakRss::start(child.id(), Duration::from_millis(2));
    let limit_line = child.line("LIMIT ", Duration::from_secs(30))?;
    let limit: f64 = proc_child::field(&limit_line, "limit")?;
    let result = child.line_or_end("RESULT ", Duration::from_secs(600))?;
    let status = child.wait(Duration::from_secs(30))?;
    let sampled = peak.stop();
    let run = match result {
        Some(line) => {
            let n = |k: &str| proc_child::field::<usize>(&line, k);
            HeldRun {
                completed: n("completed")?,
                refused: n("refused")?,
                spawn_failed: n("spawn_failed")?,
                died: None,
                peak_held: n("peak_held")?,
                peak_rss: proc_child::field::<f64>(&line, "peak_rss")?.max(sampled),
            }
        }
        None => HeldRun {
            completed: 0,
            refused: 0,
            spawn_failed: 0,
            died: Some(status.to_string()),
            peak_held: 0,
            peak_rss: sampled,
        },
    };
    Ok((run, limit))
}

fn mib(b: f64) -> f64 {
    b / (1 << 20) as f64
}

fn print_text(p: Plan, permits: usize, runs: &[ModelRuns], verdicts: &[Verdict]) {
    println!(
        "seed 001: {} holders each writing a {} KiB buffer ({:.0} MiB if all at once), in a child process \
         whose address space may grow {} MiB past its start (RLIMIT_AS); held {:?} each",
        p.tasks,
        p.buffer / 1024,
        mib((p.tasks * p.buffer) as f64),
        p.budget >> 20,
        p.hold
    );
    for r in runs {
        println!("{}:", r.model.label());
        println!("  no bound:            {}", r.unbounded.text(p.tasks));
        println!(
            "  Semaphore({permits}):{:width$}{}",
            "",
            r.bounded.text(p.tasks),
            width = 9usize.saturating_sub(permits.to_string().len())
        );
    }
    if runs.iter().any(|r| r.model == Model::Threads) {
        println!(
            "  (threads: the semaphore bounds the buffers, not the threads: all {} exist, each with a 64 KiB stack; \
             a ThreadPool of {permits} would bound both)",
            p.tasks
        );
    }
    for v in verdicts {
        v.print();
    }
}

fn print_json(p: Plan, permits: usize, runs: &[ModelRuns], verdicts: &[Verdict]) {
    let run_json = |r: &HeldRun| {
        Object::new()
            .int("completed", r.completed as u64)
            .int("refused", r.refused as u64)
            .int("spawn_failed", r.spawn_failed as u64)
            .value("died", r.died.as_deref())
            .int("peak_held", r.peak_held as u64)
            .num("peak_rss_mib", mib(r.peak_rss))
            .bool("ran_out", r.ran_out())
    };
    let models = json::array(runs.iter().map(|r| {
        Object::new()
            .str("model", r.model.flag())
            .num("limit_mib", mib(r.limit))
            .value("unbounded", run_json(&r.unbounded))
            .value("bounded", run_json(&r.bounded))
    }));
    let bars = |plot: &str, y_label: &str, f: fn(&HeldRun) -> f64| {
        runs.iter().fold(Vec::new(), |mut out: Vec<Series>, r| {
            out.push(
                Series::new(plot, r.model.label(), "run", y_label)
                    .point("no bound", Some(f(&r.unbounded)))
                    .point(format!("Semaphore({permits})"), Some(f(&r.bounded))),
            );
            out
        })
    };
    let mut series = bars("peak resident memory", "peak RSS, MiB", |r| mib(r.peak_rss));
    series.extend(bars("buffers held and released", "buffers", |r| {
        r.completed as f64
    }));
    let params = Object::new()
        .int("tasks", p.tasks as u64)
        .int("buffer_kib", (p.buffer / 1024) as u64)
        .int("budget_mib", p.budget >> 20)
        .int("permits", permits as u64)
        .num("hold_ms", p.hold.as_secs_f64() * 1e3);
    let out = Report::new(
        "unbounded",
        &["001"],
        "Unbounded concurrency exhausts memory; a Semaphore bounds it",
        params,
    )
    .with("models", models)
    .finish(&series, verdicts, &[]);
    println!("{out}");
}
