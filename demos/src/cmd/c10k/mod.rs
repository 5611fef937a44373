//! `demo c10k`: hold N idle connections on 127.0.0.1 (each served by a task,
//! or a thread, blocked in a read) and measure what each costs: resident
//! memory per connection, address space reserved (the threads' stacks),
//! threads used, and the time to establish them all. Seed 000/001's claim:
//! asyncio scales to many connections; threads cost a stack each.
//!
//! Who runs where. The *server* side, the one measured, runs in a child
//! process per model (this binary re-run with a hidden `--serve`), so the
//! RSS of one model never pollutes the other's and each starts from a
//! fresh heap. The *clients* are plain blocking `std::net` sockets in this,
//! the parent, process: no task and no thread each, so they add nothing to
//! what is measured. Each process holds one end of each connection, so
//! each needs N descriptors plus a margin (not 2N as it would with both
//! ends in one process): the parent raises its soft `RLIMIT_NOFILE` to
//! that (the child inherits it), and scales N down, saying so, when the
//! hard limit does not allow it.
//!
//! The parent connects with at most `WINDOW` connections not yet greeted
//! by the server (each handler writes one byte, `!`, once it runs): a
//! burst of thousands of connects would overflow the listen backlog, and
//! the dropped SYNs would wait out the kernel's 1 s, 3 s, 7 s...
//! retransmissions (the lesson of `tests/soak.rs`). When all N are greeted,
//! the child measures itself, prints the numbers, and the parent closes
//! its ends: every handler reads EOF and ends, and the child exits. The
//! child is killed if anything goes wrong or takes too long.
//!
//! The thread model is capped (`--max-threads`, default 5,000): every
//! thread reserves a stack (std's default, 2 MiB of address space) and a
//! kernel task, and this is a shared 2-core machine. The cost per thread is
//! linear, so 5,000 measure it as well as 10,000 would. (10,000 do fit
//! here: `--max-threads 10000` held them in 0.9 s, 10 KB of RSS and 2 MiB
//! of address space each, in a release build.) The cap is lowered
//! further, with a message, by the system's limits on threads: the soft
//! `RLIMIT_NPROC` and `kernel.threads-max` (minus the threads already
//! running), and `vm.max_map_count` (a stack and its guard page are two
//! mappings).
//!
//! Files: the parent (limits, clients, the run) here; the server process
//! in `server.rs`; the output in `print.rs`.

mod print;
mod server;

use std::io::Read;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use clap::Args as ClapArgs;

use crate::support::child::{self, Child};
use crate::support::claims::{self, Held};
use crate::support::cli::{Common, Model, positive_usize};
use crate::support::fdlimit;
use crate::support::verdict::{self, Outcome, Verdict};

/// Arguments of `demo c10k`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Connections to hold at once [default: 10000; quick: 1000].
    #[arg(long, value_parser = positive_usize)]
    connections: Option<usize>,
    /// At most this many connections (threads) on the thread model.
    #[arg(long, default_value_t = 5000, value_parser = positive_usize)]
    max_threads: usize,
    /// Internal: run as the server process for this model.
    #[arg(long, hide = true, value_enum)]
    serve: Option<Model>,
}

/// Descriptors each process needs besides one per connection.
const FD_MARGIN: u64 = 64;
/// Connections made but not yet greeted by the server, at most.
const WINDOW: usize = 64;
/// How long any one step may take before the run is abandoned.
const STEP_TIMEOUT: Duration = Duration::from_secs(120);

/// What one model's server measured.
struct Side {
    model: Model,
    connections: usize,
    held: usize,
    establish: Duration,
    rss_delta: f64,
    vm_delta: f64,
    threads: usize,
}

impl Side {
    fn rss_per_conn(&self) -> f64 {
        self.rss_delta / self.held.max(1) as f64
    }
    fn vm_per_conn(&self) -> f64 {
        self.vm_delta / self.held.max(1) as f64
    }
}
/// Runs the demo.
pub fn run(args: &Args) -> Outcome {
    let n = args.common.pick(args.connections, 10_000, 1000);
    if let Some(model) = args.serve {
        let served = match model {
            Model::Loop => server::on_loop(n),
            _ => server::on_threads(n),
        };
        return match served {
            Ok(()) => Outcome::Ran(Vec::new()),
            Err(e) => {
                println!("ERROR {e}");
                Outcome::Failed
            }
        };
    }
    match run_parent(args, n) {
        Ok(v) => Outcome::Ran(vec![v]),
        Err(e) => verdict::failed("c10k", &e),
    }
}

/// Notes printed before the table: limits raised, N scaled down, caps.
struct Notes {
    lines: Vec<String>,
    thread_cap: usize,
}
fn run_parent(args: &Args, asked: usize) -> Result<Verdict, String> {
    let mut notes = Notes {
        lines: Vec::new(),
        thread_cap: args.max_threads,
    };
    let before = fdlimit::get()?;
    let wanted = asked as u64 + FD_MARGIN;
    let now = fdlimit::raise_to(wanted)?;
    if now.soft > before.soft {
        notes.lines.push(format!(
            "raised RLIMIT_NOFILE (soft) from {} to {} (hard {}): each process holds one end of each connection",
            before.soft, now.soft, now.hard
        ));
    }
    let mut n = asked;
    if now.soft < wanted {
        if now.soft <= FD_MARGIN {
            return Err(format!(
                "RLIMIT_NOFILE is {} (hard {}): too low to hold any connection",
                now.soft, now.hard
            ));
        }
        n = (now.soft - FD_MARGIN) as usize;
        notes.lines.push(format!(
            "cannot raise RLIMIT_NOFILE to {wanted} (hard limit {}): holding {n} connections instead of {asked}",
            now.hard
        ));
    }
    let mut sides = Vec::new();
    if args.common.model.has_loop() {
        eprintln!("c10k: event loop: {n} connections...");
        sides.push(measure(Model::Loop, n)?);
    }
    if args.common.model.has_threads() {
        let (cap, why) = thread_cap(args.max_threads);
        notes.thread_cap = cap;
        let m = n.min(cap);
        if m < n {
            notes.lines.push(format!(
                "threads: capped at {m} connections (one thread each) by {why}; the cost per thread is linear, so the per-connection numbers stand for {n} too"
            ));
        }
        eprintln!("c10k: threads: {m} connections, a thread each...");
        sides.push(measure(Model::Threads, m)?);
    }
    let held = |model: Model| {
        sides.iter().find(|s| s.model == model).map(|s| Held {
            connections: s.connections,
            held: s.held,
            threads: s.threads,
            rss_per_conn: s.rss_per_conn(),
            vm_per_conn: s.vm_per_conn(),
        })
    };
    let verdict = claims::c10k(held(Model::Loop), held(Model::Threads));
    if args.common.json {
        print::json(args.common.quick, asked, n, now, &notes, &sides, &verdict);
    } else {
        print::text(n, &notes, &sides, &verdict);
    }
    Ok(verdict)
}

/// How many threads the thread model may start, and what decided it.
fn thread_cap(max_threads: usize) -> (usize, String) {
    let mut cap = (max_threads, format!("--max-threads {max_threads}"));
    // Threads of the whole system now: /proc/loadavg's "running/total".
    let running: u64 = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().nth(3)?.split('/').nth(1)?.parse().ok())
        .unwrap_or(0);
    let mut lower = |limit: u64, what: String| {
        let room = limit.saturating_sub(running + 64) as usize;
        if room < cap.0 {
            cap = (room, what);
        }
    };
    let mut nproc = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `nproc` is a valid, writable rlimit for the call's duration.
    if unsafe { libc::getrlimit(libc::RLIMIT_NPROC, &mut nproc) } == 0
        && nproc.rlim_cur != libc::RLIM_INFINITY
    {
        lower(
            nproc.rlim_cur,
            format!(
                "RLIMIT_NPROC {} ({running} threads running)",
                nproc.rlim_cur
            ),
        );
    }
    let sysctl =
        |path: &str| -> Option<u64> { std::fs::read_to_string(path).ok()?.trim().parse().ok() };
    if let Some(max) = sysctl("/proc/sys/kernel/threads-max") {
        lower(
            max,
            format!("kernel.threads-max {max} ({running} threads running)"),
        );
    }
    if let Some(maps) = sysctl("/proc/sys/vm/max_map_count") {
        let room = (maps / 2).saturating_sub(1024) as usize;
        if room < cap.0 {
            cap = (
                room,
                format!("vm.max_map_count {maps} (two mappings per stack)"),
            );
        }
    }
    (cap.0.max(1), cap.1)
}
/// Runs one model's server in a child, connects `n` clients to it, and
/// reads what it measured.
fn measure(model: Model, n: usize) -> Result<Side, String> {
    let name = model.flag();
    let args: Vec<String> = vec![
        "c10k".into(),
        "--serve".into(),
        name.into(),
        "--connections".into(),
        n.to_string(),
    ];
    let mut child = Child::spawn(&args, &format!("{name} server process"))?;
    let addr: SocketAddr = {
        let line = child.line("ADDR ", STEP_TIMEOUT)?;
        line.parse()
            .map_err(|e| format!("the server sent a bad address {line:?}: {e}"))?
    };
    let start = Instant::now();
    let streams = match connect_all(addr, n) {
        Ok(streams) => streams,
        // The server's own error, if it printed one, says why.
        Err(e) => match child.line("HELD ", Duration::from_secs(2)) {
            Err(server) if server.contains("server process: ") => {
                return Err(format!("{e} ({server})"));
            }
            _ => return Err(e),
        },
    };
    let establish = start.elapsed();
    let held = child.line("HELD ", STEP_TIMEOUT)?;
    let field = |key: &str| child::field::<f64>(&held, key);
    let side = Side {
        model,
        connections: n,
        held: field("held")? as usize,
        establish,
        rss_delta: field("rss")? - field("rss0")?,
        vm_delta: field("vm")? - field("vm0")?,
        threads: field("threads")? as usize,
    };
    // Close our ends: every handler reads EOF and ends; so does the child.
    drop(streams);
    child.line("DONE", STEP_TIMEOUT)?;
    let status = child.wait(STEP_TIMEOUT)?;
    if !status.success() {
        return Err(format!("the {name} server process failed: {status}"));
    }
    Ok(side)
}

/// Connects `n` clients, each greeted by the server before the next
/// `WINDOW` connects go out.
fn connect_all(addr: SocketAddr, n: usize) -> Result<Vec<std::net::TcpStream>, String> {
    let mut streams: Vec<std::net::TcpStream> = Vec::with_capacity(n);
    let mut greeted = 0;
    let greet = |i: usize, s: &mut std::net::TcpStream| -> Result<(), String> {
        let mut hello = [0u8; 1];
        s.read_exact(&mut hello)
            .map_err(|e| format!("connection {i}: no greeting from the server: {e}"))
    };
    for i in 0..n {
        let s = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(10))
            .map_err(|e| format!("connection {i} of {n}: {e}"))?;
        s.set_read_timeout(Some(Duration::from_secs(30)))
            .map_err(|e| format!("connection {i}: {e}"))?;
        streams.push(s);
        while streams.len() - greeted > WINDOW {
            greet(greeted, &mut streams[greeted])?;
            greeted += 1;
        }
    }
    while greeted < n {
        greet(greeted, &mut streams[greeted])?;
        greeted += 1;
    }
    Ok(streams)
}
