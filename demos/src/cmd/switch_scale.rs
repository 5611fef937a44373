//! `demo switch-scale`: seed 001, "OS-level context switching ...
//! introduces overhead, especially when dealing with a large number of
//! threads". The ping-pong of `demo switch` run by N/2 pairs at once, for
//! N = 2, 16, 128 and 1,024 threads (and as many tasks on the loop): the
//! cost per switch and the involuntary context switches (`getrusage(2)`:
//! the kernel preempting a thread that could have run on) as N grows. A
//! curve, not one point.
//!
//! The cost is the process's CPU time (user + system, `getrusage`) over
//! the switches made by all pairs: on a machine shared with other work,
//! the wall time per switch also holds the waits for a core (printed
//! beside it), which say more about the neighbours than about switching.
//!
//! Every run makes about the same number of switches in all
//! (`--switches`), shared among the pairs; the runs of every count and
//! model are interleaved (`support/measure.rs`). Threads have 64 KiB
//! stacks and are all started, and waiting, before the clock starts.
//! Counts above what `ulimit -u` and `threads-max` allow, or that the OS
//! refuses when tried once first, are left out with a message.

use std::cell::RefCell;

use clap::Args as ClapArgs;

use crate::support::claims;
use crate::support::cli::{Common, Model, positive_u64, positive_usize};
use crate::support::json::{self, Object};
use crate::support::limits;
use crate::support::measure::{self, Spread};
use crate::support::progress;
use crate::support::report::{Report, Series};
use crate::support::verdict::{self, Outcome, Verdict};
use crate::workloads::switch::{Measured, run_loop_pairs, run_thread_pairs};

/// Arguments of `demo switch-scale`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Thread (and task) counts, even, comma-separated [default:
    /// 2,16,128,1024; quick: 2,16,64].
    #[arg(long, value_parser = parse_counts)]
    counts: Option<Counts>,
    /// Switches per run, shared among the pairs [default: 100000; quick:
    /// 10000].
    #[arg(long, value_parser = positive_u64)]
    switches: Option<u64>,
    /// Timed runs of each count and model after a warm-up [default: 3;
    /// quick: 1].
    #[arg(long, value_parser = positive_usize)]
    repetitions: Option<usize>,
}

/// Thread counts, ascending.
#[derive(Clone, Debug)]
pub struct Counts(Vec<usize>);

/// `--counts`: even whole numbers of at least 2 (each thread has a
/// partner), at most 100,000.
fn parse_counts(text: &str) -> Result<Counts, String> {
    let mut counts = Vec::new();
    for part in text.split(',') {
        let n: usize = part
            .trim()
            .parse()
            .map_err(|_| format!("{part:?} is not a whole number"))?;
        if n < 2 || n % 2 == 1 || n > 100_000 {
            return Err(format!(
                "{n}: each count must be even, 2..100000 (threads ping-pong in pairs)"
            ));
        }
        counts.push(n);
    }
    counts.sort_unstable();
    counts.dedup();
    Ok(Counts(counts))
}

/// One count on one model: CPU ns and wall ns per switch over the timed
/// runs, and the involuntary context switches per 1,000 switches over all
/// its runs.
struct Point {
    count: usize,
    /// CPU time of the process per switch (`getrusage`): the cost.
    ns: Spread,
    /// Wall time per switch: the cost plus waiting for a core.
    wall: Spread,
    involuntary_per_1k: f64,
}

/// Runs the demo.
pub fn run(args: &Args) -> Outcome {
    let c = &args.common;
    let quick_counts = Counts(vec![2, 16, 64]);
    let normal_counts = Counts(vec![2, 16, 128, 1024]);
    let asked = c.pick(args.counts.clone(), normal_counts, quick_counts).0;
    let switches = c.pick(args.switches, 100_000, 10_000);
    let repetitions = c.pick(args.repetitions, 3, 1);
    let mut notes = Vec::new();
    let thread_counts = if c.model.has_threads() {
        allowed_counts(&asked, switches, &mut notes)
    } else {
        Vec::new()
    };
    let loop_counts: Vec<usize> = if c.model.has_loop() {
        asked.clone()
    } else {
        Vec::new()
    };
    let measured = match measure(&loop_counts, &thread_counts, switches, repetitions) {
        Ok(m) => m,
        Err(e) => return verdict::failed("switch-scale", &e),
    };
    let (loop_pts, thread_pts) = measured;
    let mut verdicts = Vec::new();
    if c.model.has_threads() {
        let counts: Vec<usize> = thread_pts.iter().map(|p| p.count).collect();
        let ns: Vec<Spread> = thread_pts.iter().map(|p| p.ns.clone()).collect();
        verdicts.push(claims::switch_cost_grows(&counts, &ns));
    }
    if c.model == Model::Both {
        let both: Vec<(&Point, &Point)> = loop_pts
            .iter()
            .filter_map(|l| Some((l, thread_pts.iter().find(|t| t.count == l.count)?)))
            .collect();
        let counts: Vec<usize> = both.iter().map(|(l, _)| l.count).collect();
        let l: Vec<Spread> = both.iter().map(|(l, _)| l.ns.clone()).collect();
        let t: Vec<Spread> = both.iter().map(|(_, t)| t.ns.clone()).collect();
        verdicts.push(claims::tasks_cheaper_at_every_count(&counts, &l, &t));
    } else {
        verdicts.push(claims::needs_both(claims::TASKS_CHEAPER_CLAIM));
    }
    let params = (asked.as_slice(), switches, repetitions);
    if c.json {
        print_json(params, &loop_pts, &thread_pts, &verdicts, &notes);
    } else {
        print_text(params, &loop_pts, &thread_pts, &verdicts, &notes);
    }
    Outcome::Ran(verdicts)
}

/// The thread counts this process may start: within the limits, and each
/// tried once (its pairs started and released).
fn allowed_counts(asked: &[usize], switches: u64, notes: &mut Vec<String>) -> Vec<usize> {
    let allowed = limits::threads_allowed();
    let mut out = Vec::new();
    for &n in asked {
        if let Some(max) = allowed
            && n as u64 + 16 > max
        {
            notes.push(format!(
                "{n} threads left out: ulimit -u / threads-max allow about {max} more threads here"
            ));
            continue;
        }
        progress::note("switch-scale", &format!("trying {n} threads once..."));
        match run_thread_pairs(n / 2, rounds(n, switches).min(10)) {
            Ok(_) => out.push(n),
            Err(e) => notes.push(format!("{n} threads left out: {e}")),
        }
    }
    for note in notes.iter() {
        progress::note("switch-scale", note);
    }
    out
}

/// Round trips per pair so that `count` threads make about `switches`.
fn rounds(count: usize, switches: u64) -> u64 {
    (switches / count.max(2) as u64).max(1)
}

type Both = (Vec<Point>, Vec<Point>);

/// Every count on each model: a warm-up each, then `repetitions` turns.
fn measure(
    loop_counts: &[usize],
    thread_counts: &[usize],
    switches: u64,
    repetitions: usize,
) -> Result<Both, String> {
    let sides: Vec<(bool, usize)> = loop_counts
        .iter()
        .map(|&n| (true, n))
        .chain(thread_counts.iter().map(|&n| (false, n)))
        .collect();
    let total = sides.len() * (repetitions + 1);
    let done = RefCell::new(0usize);
    // Involuntary switches, switches made and wall ns per switch (the
    // warm-up first), per side.
    let tallies = RefCell::new(vec![(0u64, 0u64, Vec::new()); sides.len()]);
    let closures: Vec<measure::Side> = sides
        .iter()
        .enumerate()
        .map(|(i, &(on_loop, n))| {
            let (done, tallies) = (&done, &tallies);
            Box::new(move || {
                *done.borrow_mut() += 1;
                let model = if on_loop {
                    "tasks on the loop"
                } else {
                    "threads"
                };
                progress::step(
                    "switch-scale",
                    *done.borrow(),
                    total,
                    &format!("{n} {model}"),
                );
                let pairs = n / 2;
                let m: Measured = if on_loop {
                    run_loop_pairs(pairs, rounds(n, switches))?
                } else {
                    run_thread_pairs(pairs, rounds(n, switches))?
                };
                let t = &mut tallies.borrow_mut()[i];
                t.0 += m.involuntary;
                t.1 += m.switches;
                t.2.push(m.ns_per_switch());
                Ok(m.cpu_ns_per_switch())
            }) as measure::Side
        })
        .collect();
    let values = measure::interleaved_boxed(repetitions, closures)?;
    let tallies = tallies.into_inner();
    let mut both: Both = (Vec::new(), Vec::new());
    for ((&(on_loop, count), v), (inv, made, wall)) in sides.iter().zip(values).zip(tallies) {
        let ns = Spread::of(&v).ok_or("a run gave no time")?;
        let wall = Spread::of(wall.get(1..).unwrap_or_default()).ok_or("a run gave no time")?;
        let point = Point {
            count,
            ns,
            wall,
            involuntary_per_1k: inv as f64 * 1000.0 / made.max(1) as f64,
        };
        if on_loop {
            both.0.push(point);
        } else {
            both.1.push(point);
        }
    }
    Ok(both)
}

fn print_text(
    (asked, switches, repetitions): (&[usize], u64, usize),
    loop_pts: &[Point],
    thread_pts: &[Point],
    verdicts: &[Verdict],
    notes: &[String],
) {
    println!(
        "seed 001: ping-pong in N/2 pairs at once, about {switches} switches per run in all; \
         1 warm-up run, then {repetitions} runs of every count and model taking turns; median (range); {}",
        measure::load_text(measure::cores())
    );
    println!(
        "  {:>6}  {:<32} {:<32} {:>9} {:>9} {:>8}",
        "N",
        "tasks: CPU ns per switch",
        "threads: CPU ns per switch",
        "loop wall",
        "thr. wall",
        "invol."
    );
    for &n in asked {
        let l = loop_pts.iter().find(|p| p.count == n);
        let t = thread_pts.iter().find(|p| p.count == n);
        let cell = |p: Option<&Point>| p.map_or("-".to_string(), |p| p.ns.text(0, ""));
        let wall =
            |p: Option<&Point>| p.map_or("-".to_string(), |p| format!("{:.0}", p.wall.median));
        println!(
            "  {n:>6}  {:<32} {:<32} {:>9} {:>9} {:>8}",
            cell(l),
            cell(t),
            wall(l),
            wall(t),
            t.map_or("-".to_string(), |p| format!("{:.1}", p.involuntary_per_1k))
        );
    }
    println!(
        "  CPU ns: the process's CPU time (getrusage: user + system, every thread) over the switches, the cost \
         whatever else the machine runs; wall: ns of wall time per switch (median), which also holds the waits \
         for a core; invol.: the threads' involuntary context switches per 1,000 switches (the kernel \
         preempting a runnable thread)"
    );
    for n in notes {
        println!("  note: {n}");
    }
    for v in verdicts {
        v.print();
    }
}

fn print_json(
    (asked, switches, repetitions): (&[usize], u64, usize),
    loop_pts: &[Point],
    thread_pts: &[Point],
    verdicts: &[Verdict],
    notes: &[String],
) {
    let curve = |label: &str, pts: &[Point]| {
        asked.iter().fold(
            Series::new(
                "cost per switch",
                label,
                "threads (or tasks) ping-ponging in pairs",
                "CPU ns per switch",
            )
            .log_x(),
            |s, &n| s.spread(n, pts.iter().find(|p| p.count == n).map(|p| &p.ns)),
        )
    };
    let walls = |label: &str, pts: &[Point]| {
        asked.iter().fold(
            Series::new(
                "wall time per switch",
                label,
                "threads (or tasks) ping-ponging in pairs",
                "wall ns per switch",
            )
            .log_x(),
            |s, &n| s.spread(n, pts.iter().find(|p| p.count == n).map(|p| &p.wall)),
        )
    };
    let preempted = |label: &str, pts: &[Point]| {
        asked.iter().fold(
            Series::new(
                "involuntary context switches",
                label,
                "threads (or tasks) ping-ponging in pairs",
                "involuntary context switches per 1,000 switches",
            )
            .log_x(),
            |s, &n| {
                s.point(
                    n,
                    pts.iter()
                        .find(|p| p.count == n)
                        .map(|p| p.involuntary_per_1k),
                )
            },
        )
    };
    let points = |pts: &[Point]| {
        json::array(pts.iter().map(|p| {
            Object::new()
                .int("count", p.count as u64)
                .value("cpu_ns_per_switch", p.ns.json())
                .value("wall_ns_per_switch", p.wall.json())
                .num("involuntary_per_1000_switches", p.involuntary_per_1k)
        }))
    };
    let params = Object::new()
        .value("counts", json::array(asked.iter().map(|&n| n as u64)))
        .int("switches_per_run", switches)
        .int("repetitions", repetitions as u64);
    let out = Report::new(
        "switch-scale",
        &["001"],
        "Switch cost grows with the number of threads",
        params,
    )
    .with("event_loop", points(loop_pts))
    .with("threads", points(thread_pts))
    .finish(
        &[
            curve("tasks on the loop", loop_pts),
            curve("threads", thread_pts),
            walls("tasks on the loop", loop_pts),
            walls("threads", thread_pts),
            preempted("tasks on the loop", loop_pts),
            preempted("threads", thread_pts),
        ],
        verdicts,
        notes,
    );
    println!("{out}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_even_sorted_and_bounded() {
        assert_eq!(parse_counts("16,2,16").unwrap().0, vec![2, 16]);
        assert!(parse_counts("3").is_err());
        assert!(parse_counts("0").is_err());
        assert!(parse_counts("2,x").is_err());
        assert!(parse_counts("200000").is_err());
    }
}
