//! What `demo report` runs: one entry per subcommand, in the order the page
//! shows them, each with the seed sentence it measures.
//!
//! Adding a claim to the report is one entry here: the subcommand (run as
//! `demo <name> --json [--quick] --model M <args>`), its extra arguments,
//! the seed article and the sentence quoted from it (verbatim, with the
//! article's `**bold**` markers left out; a row of seed 000's table as
//! `Aspect: its multithreading cell | its Async IO cell`). Its JSON is rendered
//! generically (`html.rs`, `numbers.rs`), every `series` in it is plotted
//! (`figures.rs`); a hand-made figure for it is optional (`figures.rs`).

/// One subcommand the report runs.
#[derive(Debug)]
pub struct Claim {
    /// The subcommand's name (`demo <name>`).
    pub name: &'static str,
    /// Arguments added after `--json`, `--quick` and `--model`.
    pub args: &'static [&'static str],
    /// The seed article, as its file in `shared/seeds/` starts (`000`).
    pub seed: &'static str,
    /// The sentence of the seed the subcommand measures.
    pub quote: &'static str,
}

/// The subcommand that draws the timelines: embedded at the end of the
/// page, not rendered as a claim (it has no verdict).
pub const TIMELINE: &str = "timeline";

/// Every claim, in the page's order. `timeline` last: embedded, not
/// rendered as a claim.
pub const CLAIMS: &[Claim] = &[
    Claim {
        name: "compare",
        args: &[],
        seed: "000",
        quote: "Key Differences: Scheduling & Memory (Aspect: Multithreading | Async IO). Scheduling: OS-based | Event-loop based. Context Switch: Costly (kernel-managed) | Lightweight (user-managed). Memory Footprint: Larger (stack per thread) | Smaller (single thread). Blocking Call Handling: Thread blocked | Coroutine suspends only itself.",
    },
    Claim {
        name: "sleep",
        args: &[],
        seed: "003",
        quote: "This schedules task1 and task2 to run concurrently, but they will be handled on the same thread in an efficient event loop instead of blocking.",
    },
    Claim {
        name: "switch",
        args: &[],
        seed: "001",
        quote: "Asyncio uses an event loop to manage tasks within a single thread, meaning context switching happens at the program level with less overhead.",
    },
    Claim {
        name: "cpu",
        args: &[],
        seed: "003",
        quote: "Now task1 and task2 literally run in parallel on separate CPU cores. This works well for CPU-bound processing.",
    },
    Claim {
        name: "blocking",
        args: &[],
        seed: "000",
        quote: "Blocking Call Handling (Multithreading | Async IO): Thread blocked | Coroutine suspends only itself.",
    },
    Claim {
        name: "c10k",
        args: &[],
        seed: "001",
        quote: "Asyncio is generally more efficient in terms of resource consumption because it doesn’t create multiple threads. It’s ideal for handling thousands of I/O-bound tasks without overwhelming the system.",
    },
    Claim {
        name: "files",
        args: &[],
        seed: "001",
        quote: "Without explicit rate limiting, it’s possible to overwhelm the system with too many I/O-bound tasks, such as opening too many files at once, leading to resource exhaustion (e.g., file descriptor limits or memory issues).",
    },
    Claim {
        name: "fetch",
        args: &[],
        seed: "002",
        quote: "Async IO: Ideal for I/O-bound tasks with waiting periods as it doesn’t block other operations during these intervals.",
    },
    Claim {
        name: "load",
        args: &[],
        seed: "001",
        quote: "Asyncio doesn’t use multiple threads; instead, it operates within a single thread and runs tasks concurrently by pausing and resuming them when they encounter I/O-bound operations.",
    },
    Claim {
        name: "errors",
        args: &[],
        seed: "002",
        quote: "Error handling can be more intricate in multithreaded applications due to shared state concerns compared to the streamlined exception handling capabilities of asyncio.",
    },
    Claim {
        name: "switch-scale",
        args: &[],
        seed: "001",
        quote: "OS-Level Context Switching: Threads are managed by the operating system, meaning context switching happens at the OS level. This introduces overhead, especially when dealing with a large number of threads.",
    },
    Claim {
        name: "counter",
        args: &[],
        seed: "003",
        quote: "However, threading has overheads from context switching and shared memory access to worry about. Asyncio avoids these issues.",
    },
    Claim {
        name: "unbounded",
        args: &[],
        seed: "001",
        quote: "Resource Consumption: Each thread consumes memory and system resources, and managing a large number of threads can quickly exhaust system resources, especially for large-scale I/O-bound tasks.",
    },
    Claim {
        name: "latency",
        args: &[],
        seed: "002",
        quote: "For network-bound tasks prioritizing latency, opt for Async IO due to its non-blocking nature.",
    },
    Claim {
        name: "hybrid",
        args: &[],
        seed: "002",
        quote: "If your task encompasses CPU-bound operations alongside I/O tasks, a hybrid approach combining both methods might yield superior outcomes.",
    },
    Claim {
        name: "scale",
        args: &[],
        seed: "002",
        quote: "Both techniques offer scalability benefits; however, effective application design leveraging their strengths necessitates tailored planning aligned with specific requirements.",
    },
    Claim {
        name: "baseline",
        args: &[],
        seed: "002",
        quote: "If your application isn’t heavily reliant on external resources like networks or databases, synchronous code may suffice without added complexity.",
    },
    Claim {
        name: TIMELINE,
        args: &[],
        seed: "001",
        quote: "Unlike multithreading, where the OS switches between threads, asyncio uses a single event loop to manage all tasks.",
    },
];

/// The claims named in `--only a,b` (every one without it), in the page's
/// order, or which name is not one.
pub fn select(only: Option<&str>) -> Result<Vec<&'static Claim>, String> {
    let Some(only) = only else {
        return Ok(CLAIMS.iter().collect());
    };
    let names: Vec<&str> = only
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        return Err("--only names no subcommand".into());
    }
    if let Some(bad) = names.iter().find(|n| !CLAIMS.iter().any(|c| c.name == **n)) {
        let known: Vec<&str> = CLAIMS.iter().map(|c| c.name).collect();
        return Err(format!(
            "--only: {bad:?} is not one of the report's subcommands ({})",
            known.join(", ")
        ));
    }
    Ok(CLAIMS.iter().filter(|c| names.contains(&c.name)).collect())
}

/// `--claim-args NAME=ARGS`: the claim (one of [`CLAIMS`]) and its extra
/// arguments, ARGS split on whitespace (no quoting).
pub fn parse_extra(text: &str) -> Result<(&'static str, Vec<String>), String> {
    let (name, args) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} is not NAME=ARGS"))?;
    let claim = CLAIMS
        .iter()
        .find(|c| c.name == name.trim())
        .ok_or_else(|| format!("{:?} is not one of the report's subcommands", name.trim()))?;
    let args: Vec<String> = args.split_whitespace().map(str::to_string).collect();
    if args.is_empty() {
        return Err(format!("{text:?} gives {} no argument", claim.name));
    }
    Ok((claim.name, args))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_keeps_the_page_order_and_refuses_unknown_names() {
        let all = select(None).unwrap();
        assert_eq!(all.len(), CLAIMS.len());
        let two: Vec<&str> = select(Some("errors, sleep"))
            .unwrap()
            .iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(two, ["sleep", "errors"]);
        assert!(select(Some("sleep,nope")).unwrap_err().contains("\"nope\""));
        assert!(select(Some(" , ")).is_err());
    }

    #[test]
    fn extra_arguments_name_a_claim_and_give_at_least_one() {
        assert_eq!(
            parse_extra("latency=--duration 300ms  --connections 4"),
            Ok((
                "latency",
                vec![
                    "--duration".into(),
                    "300ms".into(),
                    "--connections".into(),
                    "4".into()
                ]
            ))
        );
        assert!(parse_extra("latency").unwrap_err().contains("NAME=ARGS"));
        assert!(
            parse_extra("nope=--quick")
                .unwrap_err()
                .contains("\"nope\"")
        );
        assert!(
            parse_extra("latency= ")
                .unwrap_err()
                .contains("no argument")
        );
    }

    #[test]
    fn names_are_unique_and_quotes_are_there() {
        for (i, c) in CLAIMS.iter().enumerate() {
            assert!(CLAIMS[..i].iter().all(|d| d.name != c.name), "{}", c.name);
            assert!(c.quote.len() > 20 && c.seed.len() == 3, "{}", c.name);
        }
    }

    #[test]
    fn every_subcommand_with_a_claim_is_in_the_report() {
        use clap::CommandFactory;
        // The tools, not claims: the server, the syscall counter, the
        // report itself.
        const NOT_CLAIMS: [&str; 3] = ["serve", "syscalls", "report"];
        for sub in crate::Cli::command().get_subcommands() {
            let name = sub.get_name();
            if NOT_CLAIMS.contains(&name) {
                continue;
            }
            assert!(
                CLAIMS.iter().any(|c| c.name == name),
                "`demo {name}` is not in the report's CLAIMS"
            );
        }
    }
}
