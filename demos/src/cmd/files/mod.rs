//! `demo files`: seed 001's aiofiles and descriptor exhaustion, in two parts.
//!
//! **Part 1, files read at once.** N temporary files are read concurrently:
//! on the loop with `runtime::fs::read`, gathered (each read runs on the
//! blocking pool, as aiofiles runs Python's file calls on a thread pool),
//! and on the thread model with one thread per file (`threaded::gather`).
//! Every file's bytes are checked; the wall time, files per second and
//! threads used are printed for each model.
//!
//! **Part 2, too many sockets at once.** A client process whose soft
//! `RLIMIT_NOFILE` is lowered to L opens N > L connections at once to a
//! local echo-like server, each doing one tiny request/response and holding
//! its connection briefly. Without a semaphore, the connections past the
//! limit fail with `EMFILE` ("Too many open files"); with `Semaphore(K)`
//! around each connection's whole life, at most K are open at a time and
//! none fails. Both models: the loop with `runtime::net` and
//! `runtime::sync::Semaphore`, the threads with `std::net`, a thread per
//! connection and `runtime::threaded::Semaphore`.
//!
//! Where the descriptors are: only the *client* must hit the limit, so the
//! limit is lowered in a child process (this binary re-run with hidden
//! arguments) that holds nothing but the client sockets, its stdio and, for
//! the loop, the runtime's epoll and eventfd descriptors (it counts them
//! first and reports them). The server (the listener and one socket per
//! accepted connection) runs in this, the parent, process, whose limit is
//! not lowered: a server in the child would share the L descriptors with
//! the clients and fail with `EMFILE` in `accept(2)` instead, which would
//! blur what is measured. The parent's limit, and the test harness's, are
//! never touched by the lowering.
//!
//! So that the unbounded run really has all N connections open at once
//! (and the count of failures does not depend on timing), each connection
//! in that run stays open until every one of the N has been tried.
//! With a semaphore that would deadlock (the permit holders would wait for
//! the connections queued behind them), so there each connection is held
//! for a fixed `HOLD` and then closed, giving its permit to the next.
//!
//! Files: part 1's reads in `workloads/files.rs` (`baseline` reads the
//! same files); part 2's server in `server.rs`, its client process in
//! `emfile.rs`; the output in `print.rs`.

mod emfile;
mod print;
mod server;

use std::net::SocketAddr;
use std::time::Duration;

use clap::Args as ClapArgs;

use crate::support::claims::{self, Opened};
use crate::support::cli::{Common, Model};
use crate::support::fdlimit;
use crate::support::verdict::{self, Outcome, Verdict};
use crate::workloads::files::{self as read, ReadRun};
use emfile::ConnectRun;

/// Arguments of `demo files`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Files to create and read at once (part 1) [default: 2000; quick: 200].
    #[arg(long)]
    files: Option<usize>,
    /// Size of each file in bytes [default: 65536; quick: 4096].
    #[arg(long)]
    size: Option<usize>,
    /// Connections opened at once (part 2) [default: 1000; quick: 200].
    #[arg(long)]
    connections: Option<usize>,
    /// The client's soft RLIMIT_NOFILE (part 2) [default: 256; quick: 64].
    #[arg(long)]
    limit: Option<u64>,
    /// Permits of the semaphore (part 2) [default: 64; quick: 16].
    #[arg(long)]
    permits: Option<usize>,
    /// Internal: run as part 2's client process for this model.
    #[arg(long, hide = true, value_enum)]
    client: Option<Model>,
    /// Internal: the server the client connects to.
    #[arg(long, hide = true)]
    addr: Option<SocketAddr>,
    /// Internal: the client runs without a semaphore.
    #[arg(long, hide = true)]
    unbounded: bool,
}

/// How long a connection stays open after its response (the semaphore run;
/// the unbounded run holds until every connection has been tried).
const HOLD: Duration = Duration::from_millis(10);
/// Descriptors the client needs besides its sockets, at the least (stdio,
/// epoll, eventfd, and room): `--permits` must leave this much of `--limit`.
const FD_RESERVE: u64 = 16;

/// The parameters after defaults and validation.
#[derive(Clone, Copy, Debug)]
struct Params {
    files: usize,
    size: usize,
    connections: usize,
    limit: u64,
    permits: usize,
}

impl Params {
    fn from(args: &Args) -> Result<Params, String> {
        let q = args.common.quick;
        let p = Params {
            files: args.files.unwrap_or(if q { 200 } else { 2000 }),
            size: args.size.unwrap_or(if q { 4096 } else { 65536 }),
            connections: args.connections.unwrap_or(if q { 200 } else { 1000 }),
            limit: args.limit.unwrap_or(if q { 64 } else { 256 }),
            permits: args.permits.unwrap_or(if q { 16 } else { 64 }),
        };
        if p.files == 0 {
            return Err("--files must be at least 1".into());
        }
        if p.connections == 0 {
            return Err("--connections must be at least 1".into());
        }
        if p.permits == 0 {
            return Err("--permits must be at least 1 (a semaphore with no permit never lets a connection through)".into());
        }
        if p.limit < 2 * FD_RESERVE {
            return Err(format!(
                "--limit {} is too low: the client process needs about {FD_RESERVE} descriptors before its first socket",
                p.limit
            ));
        }
        if p.permits as u64 > p.limit - FD_RESERVE {
            return Err(format!(
                "--permits {} must stay well under --limit {} (at most {}: the client has other descriptors open)",
                p.permits,
                p.limit,
                p.limit - FD_RESERVE
            ));
        }
        Ok(p)
    }
}

/// Runs the demo.
pub fn run(args: &Args) -> Outcome {
    let p = match Params::from(args) {
        Ok(p) => p,
        Err(e) => return verdict::bad_input("files", &e),
    };
    if let Some(model) = args.client {
        return match emfile::client_main(model, args, p) {
            0 => Outcome::Ran(Vec::new()),
            2 => Outcome::BadInput,
            _ => Outcome::Failed,
        };
    }
    match run_parent(args, p) {
        Ok(v) => Outcome::Ran(vec![v]),
        Err(e) => verdict::failed("files", &e),
    }
}
fn run_parent(args: &Args, p: Params) -> Result<Verdict, String> {
    // Part 1 opens up to N files at once on the thread model: give this
    // process room (the hard limit allows it; the child lowers its own).
    fdlimit::raise_to(p.files as u64 + 256)?;
    eprintln!(
        "files: part 1: creating {} files of {} bytes...",
        p.files, p.size
    );
    let dir = read::TempDir::create()?;
    let paths = read::write_files(&dir, p.files, p.size)?;
    let lp = if args.common.model.has_loop() {
        eprintln!("files: part 1: event loop, runtime::fs::read gathered...");
        Some(read::on_loop(&paths, p.size)?)
    } else {
        None
    };
    let th = if args.common.model.has_threads() {
        eprintln!("files: part 1: threads, one per file...");
        Some(read::on_threads(&paths, p.size)?)
    } else {
        None
    };
    drop(dir);

    let server = server::Server::start()?;
    let mut runs = Vec::new();
    for model in args.common.model.each() {
        for permits in [None, Some(p.permits)] {
            eprintln!(
                "files: part 2: {}, {} connections, {}...",
                model.label(),
                p.connections,
                permits.map_or("no semaphore".to_string(), |k| format!("Semaphore({k})"))
            );
            runs.push(emfile::run_client(model, permits, server.addr, p)?);
        }
    }
    server.stop();
    let opened: Vec<Opened> = runs
        .iter()
        .map(|r| Opened {
            model: r.model.flag(),
            permits: r.permits,
            succeeded: r.succeeded,
            emfile: r.emfile,
            other: r.other,
            peak_open: r.peak_open,
        })
        .collect();
    let verdict = claims::semaphore_prevents_emfile(&opened, p.connections);
    if args.common.json {
        print::json(
            args.common.quick,
            p,
            lp.as_ref(),
            th.as_ref(),
            &runs,
            &verdict,
        );
    } else {
        print::text(p, lp.as_ref(), th.as_ref(), &runs, &verdict);
    }
    Ok(verdict)
}
