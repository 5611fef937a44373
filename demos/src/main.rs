//! `demo`: the claims of the seed articles, measured on both of this
//! project's models (the event loop and thread-per-task).

mod cmd;
mod support;
mod workloads;

use clap::{Parser, Subcommand};

use cmd::{
    baseline, blocking, c10k, compare, counter, cpu, errors, fetch, files, hybrid, latency, load,
    report, scale, serve, sleep, switch, switch_scale, syscalls, timeline, unbounded,
};
use support::cli::Model;

/// The rules every subcommand follows, shown at the end of `demo --help`.
const RULES: &str = "\
Every subcommand takes --model loop|threads|both, --quick and --json (serve:
--model loop|threads, a server runs one; it prints no verdict). --trace FILE:
sleep (one model's trace; timeline draws both). A value given explicitly
beats --quick's preset; zero or nonsensical values are refused before any
work. Every claim checked is printed with the criterion that decided it:
claim: ... -> yes|no|partly|measurement error|not run: <numbers>
  criterion: <the rule>

Exit codes, for every subcommand:
  0  the demo ran, whatever its verdicts
  1  it could not run; with --check, also a claim not confirmed (a verdict
     other than yes or not run)
  2  bad input (nothing was run)";

/// Measure the claims of "threads vs async" on a hand-built event loop and a
/// thread-per-task executor, side by side.
#[derive(Parser)]
#[command(name = "demo", version, about, after_help = RULES)]
struct Cli {
    /// Run the demo in a child process under ptrace and print how many
    /// times each syscall was made (per model with `--model both`).
    #[arg(long, global = true)]
    syscalls: bool,
    /// Exit 1 when a claim is not confirmed (a verdict other than `yes` or
    /// `not run`), for scripts and CI; without it a demo that ran exits 0.
    #[arg(long, global = true)]
    check: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Seed 003: two tasks sleeping 2 s and 1 s, gathered, finish together in
    /// about 2 s, not 3.
    Sleep(sleep::Args),
    /// Seed 000's "Key Differences" table, measured on both models, each
    /// row with a computed verdict and its criterion (--quick: a tenth of
    /// the rounds, iterations and idle threads, 3 repetitions).
    Compare(compare::Args),
    /// How errors surface: a panicking task/thread, a timeout, a refused
    /// connection, try_gather failing fast (--quick: slow siblings of 300
    /// ms instead of 1 s).
    Errors(errors::Args),
    /// Seed 000: a blocking call in a task stalls the loop (and the slow-poll
    /// warning names it); spawn_blocking or a thread does not (--quick: the
    /// ticker runs 400 ms instead of 1 s).
    Blocking(blocking::Args),
    /// Seed 003: a CPU-bound job in 4 parts: sequential, gathered on the
    /// loop, on 4 threads, and on spawn_blocking.
    Cpu(cpu::Args),
    /// Seeds 000/001: the cost of a context switch, task ping-pong on the
    /// loop versus thread ping-pong through a Mutex + Condvar.
    Switch(switch::Args),
    /// Trace a small workload on each model and draw both timelines side by
    /// side in a self-contained HTML page (already short: --quick runs the
    /// same; no claim, so no verdict).
    Timeline(timeline::Args),
    /// Seed 001: files read at once (aiofiles' thread pool), and a
    /// semaphore preventing descriptor exhaustion (EMFILE) under a low limit.
    Files(files::Args),
    /// Seeds 000/001: hold many idle connections (10,000 by default) on
    /// each model: memory per connection, threads, time to establish.
    C10k(c10k::Args),
    /// A minimal HTTP/1.1 server (keep-alive, Content-Length, 400/413 for
    /// bad requests, 408 for slow ones, 503 over a connection cap) on
    /// either model.
    Serve(serve::Args),
    /// A closed-loop HTTP load generator (connections, duration, latency
    /// percentiles); starts its own `serve` (per --model) unless given --addr.
    Load(load::Args),
    /// Seed 002: N requests to a server with injected latency, C at a time:
    /// tasks + Semaphore on the loop, a ThreadPool on threads.
    Fetch(fetch::Args),
    /// Seed 001: the switch cost as the threads multiply: ping-pong in
    /// pairs among 2, 16, 128 and 1,024 threads (and as many tasks), a
    /// curve of ns per switch and involuntary context switches.
    SwitchScale(switch_scale::Args),
    /// Seed 003: shared-memory synchronization costs: a counter under a
    /// Mutex, with atomics, per-thread, and a Cell on the loop (ns per
    /// increment).
    Counter(counter::Args),
    /// Seed 001: N tasks (and N threads) each holding a buffer, without a
    /// bound and behind a Semaphore, in a child process with a lowered
    /// RLIMIT_AS: peak RSS, and an allocation failure or completion.
    Unbounded(unbounded::Args),
    /// Seed 002: p50/p99/p99.9 of the loop and thread servers, with I/O
    /// only, then with a CPU-heavy request in the mix (inline on the loop,
    /// on threads, on spawn_blocking).
    Latency(latency::Args),
    /// Seed 002: one mixed CPU + I/O workload on the loop alone, threads
    /// alone, and the loop with a thread pool for the CPU part (wall time
    /// and latency).
    Hybrid(hybrid::Args),
    /// Seeds 000/001: CPU-bound requests served by 1 event loop, 2 event
    /// loops (serve --workers 2, SO_REUSEPORT) and threads: throughput.
    Scale(scale::Args),
    /// Seed 002: the synchronous program measured beside both models on
    /// the fetch and files workloads: where concurrency stops paying.
    Baseline(baseline::Args),
    /// Run every claim (each subcommand as a child with --json; --only a,b
    /// for some) and write one self-contained HTML page: per claim the
    /// seed's sentence, the verdicts, criteria, numbers and charts; the
    /// timeline embedded. Progress on stderr.
    Report(report::Args),
}

impl Command {
    /// The `--model` of the subcommand, if it has one.
    fn model(&self) -> Option<Model> {
        match self {
            Command::Sleep(args) => Some(args.common.model),
            Command::Compare(args) => Some(args.common.model),
            Command::Errors(args) => Some(args.common.model),
            Command::Blocking(args) => Some(args.common.model),
            Command::Cpu(args) => Some(args.common.model),
            Command::Switch(args) => Some(args.common.model),
            Command::Timeline(args) => Some(args.common.model),
            Command::Files(args) => Some(args.common.model),
            Command::C10k(args) => Some(args.common.model),
            Command::Serve(args) => Some(args.model.into()),
            Command::Load(_) => None,
            Command::Fetch(args) => Some(args.common.model),
            Command::SwitchScale(args) => Some(args.common.model),
            Command::Counter(args) => Some(args.common.model),
            Command::Unbounded(args) => Some(args.common.model),
            Command::Latency(args) => Some(args.common.model),
            Command::Hybrid(args) => Some(args.common.model),
            Command::Scale(args) => Some(args.common.model),
            Command::Baseline(args) => Some(args.common.model),
            Command::Report(_) => None,
        }
    }
}

fn main() {
    quiet_on_a_closed_pipe();
    let cli = Cli::parse();
    if cli.syscalls {
        std::process::exit(syscalls::run_traced(cli.command.model()));
    }
    let outcome = match cli.command {
        Command::Sleep(args) => sleep::run(&args),
        Command::Compare(args) => compare::run(&args),
        Command::Errors(args) => errors::run(&args),
        Command::Blocking(args) => blocking::run(&args),
        Command::Cpu(args) => cpu::run(&args),
        Command::Switch(args) => switch::run(&args),
        Command::Timeline(args) => timeline::run(&args),
        Command::Files(args) => files::run(&args),
        Command::C10k(args) => c10k::run(&args),
        Command::Serve(args) => std::process::exit(serve::run(&args)),
        Command::Load(args) => load::run(&args),
        Command::Fetch(args) => fetch::run(&args),
        Command::SwitchScale(args) => switch_scale::run(&args),
        Command::Counter(args) => counter::run(&args),
        Command::Unbounded(args) => unbounded::run(&args),
        Command::Latency(args) => latency::run(&args),
        Command::Hybrid(args) => hybrid::run(&args),
        Command::Scale(args) => scale::run(&args),
        Command::Baseline(args) => baseline::run(&args),
        Command::Report(args) => report::run(&args),
    };
    std::process::exit(outcome.code(cli.check));
}

/// Writing to a closed pipe (`demo compare | head -1`) ends the process
/// quietly, as coreutils do, instead of a panic in `println!`: Rust's
/// runtime sets `SIGPIPE` to ignored, which turns the write into `EPIPE`;
/// this puts the default action (terminate, silently) back. Sockets are
/// unaffected: `std::net` and `runtime::net` write with `MSG_NOSIGNAL`.
/// The child processes the demos start die with their parent
/// (`PR_SET_PDEATHSIG`, in `support/child.rs`), so none is left behind.
fn quiet_on_a_closed_pipe() {
    // SAFETY: signal(2) with SIG_DFL installs no handler, so there is no
    // handler code to be async-signal-safe; it is called first thing in
    // main, before this program starts any thread.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
