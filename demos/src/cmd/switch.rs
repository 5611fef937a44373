//! `demo switch`: seeds 000/001, the cost of a context switch: two tasks
//! handing a turn back and forth on the event loop versus two OS threads
//! doing the same through a `Mutex` + `Condvar` (the ping-pong: `workloads/switch.rs`).

use clap::Args as ClapArgs;

use crate::support::claims;
use crate::support::cli::{Common, positive_u64, positive_usize};
use crate::support::json::Object;
use crate::support::measure::Spread;
use crate::support::verdict::{self, Outcome};
use crate::workloads::switch::measure;

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

/// Runs the demo.
pub fn run(args: &Args) -> Outcome {
    let c = &args.common;
    let rounds = c.pick(args.rounds, 50_000, 5_000);
    let repetitions = c.pick(args.repetitions, 5, 3);
    let both = match measure(c.model, rounds, repetitions) {
        Ok(both) => both,
        Err(e) => return verdict::failed("switch", &e),
    };
    let v = claims::switch_cost_if_both(both.spreads());
    if c.json {
        let side = |s: &Option<(Spread, String)>| {
            s.as_ref().map(|(ns, counters)| {
                Object::new()
                    .value("ns_per_switch", ns.json())
                    .str("counters", counters)
            })
        };
        println!(
            "{}",
            Object::new()
                .int("rounds", rounds)
                .int("switches_per_run", rounds * 2)
                .int("repetitions", repetitions as u64)
                .value("event_loop", side(&both.event_loop))
                .value("threads", side(&both.threads))
                .value("verdicts", verdict::json_array(std::slice::from_ref(&v)))
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
