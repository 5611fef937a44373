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

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use clap::Args as ClapArgs;

use crate::support::child::Child;
use crate::support::claims::{self, Held};
use crate::support::cli::Model;
use crate::support::cli::{Common, positive_usize};
use crate::support::proc_self::{rss_bytes, status_bytes, threads_now};
use crate::support::verdict::{self, Outcome, Verdict};
use crate::support::{fdlimit, json};

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
            Model::Loop => serve_loop(n),
            _ => serve_threads(n),
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
        print_json(args.common.quick, asked, n, now, &notes, &sides, &verdict);
    } else {
        print_text(n, &notes, &sides, &verdict);
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
    let name = if model == Model::Loop {
        "loop"
    } else {
        "threads"
    };
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
    let field = |key: &str| -> Result<f64, String> {
        held.split_whitespace()
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("no {key} in the server's report {held:?}"))
    };
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

fn memory() -> Result<(f64, f64), String> {
    Ok((rss_bytes()?, status_bytes("VmSize")?))
}

fn print_line(text: &str) {
    println!("{text}");
    let _ = std::io::stdout().flush();
}

/// The loop's server: a task per connection, blocked in `read`.
fn serve_loop(n: usize) -> Result<(), String> {
    use std::cell::Cell;
    use std::rc::Rc;

    use runtime::net::TcpListener;
    use runtime::sync::Event;

    let rt = runtime::Runtime::new().map_err(|e| format!("cannot build the runtime: {e}"))?;
    rt.block_on(async move {
        let listener = TcpListener::bind("127.0.0.1:0")
            .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot read the listener's address: {e}"))?;
        let (rss0, vm0) = memory()?;
        print_line(&format!("ADDR {addr}"));
        let greeted = Rc::new(Cell::new(0usize));
        let failed = Rc::new(Cell::new(0usize));
        let closed = Rc::new(Cell::new(0usize));
        let all_greeted = Rc::new(Event::new());
        let all_closed = Rc::new(Event::new());
        for i in 0..n {
            let (mut stream, _) = listener
                .accept()
                .await
                .map_err(|e| format!("accept (connection {i} of {n}): {e}"))?;
            let (greeted, failed, closed) = (greeted.clone(), failed.clone(), closed.clone());
            let (all_greeted, all_closed) = (all_greeted.clone(), all_closed.clone());
            // Detached: the task runs until its client closes.
            drop(runtime::spawn(async move {
                match stream.write_all(b"!").await {
                    Ok(()) => greeted.set(greeted.get() + 1),
                    Err(_) => failed.set(failed.get() + 1),
                }
                if greeted.get() + failed.get() == n {
                    all_greeted.set();
                }
                // Blocked here, idle, until the client closes.
                let mut buf = [0u8; 1];
                let _ = stream.read(&mut buf).await;
                closed.set(closed.get() + 1);
                if closed.get() == n {
                    all_closed.set();
                }
            }));
        }
        all_greeted.wait().await;
        let (rss, vm) = memory()?;
        print_line(&format!(
            "HELD held={} failed={} rss0={rss0} rss={rss} vm0={vm0} vm={vm} threads={}",
            greeted.get(),
            failed.get(),
            threads_now()?
        ));
        all_closed.wait().await;
        print_line("DONE");
        Ok(())
    })
}

/// The thread model's server: a thread per connection, blocked in `read`.
fn serve_threads(n: usize) -> Result<(), String> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    // glibc's malloc arenas would otherwise be charged to the first threads.
    crate::workloads::idle::warm_up_malloc_arenas()?;
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
    crate::cmd::files::widen_backlog(&listener);
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listener's address: {e}"))?;
    let (rss0, vm0) = memory()?;
    print_line(&format!("ADDR {addr}"));
    // Counters, not channels: a send could malloc in the new thread.
    let greeted = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::with_capacity(n);
    for i in 0..n {
        let (mut stream, _) = listener
            .accept()
            .map_err(|e| format!("accept (connection {i} of {n}): {e}"))?;
        let (greeted, failed) = (greeted.clone(), failed.clone());
        // std's default stack (2 MiB of address space), as a plain
        // `thread::spawn` gets.
        let spawned = runtime::threaded::Builder::new().spawn(move || {
            match stream.write_all(b"!") {
                Ok(()) => greeted.fetch_add(1, Ordering::SeqCst),
                Err(_) => failed.fetch_add(1, Ordering::SeqCst),
            };
            // Blocked here, idle, until the client closes.
            let mut buf = [0u8; 1];
            let _ = stream.read(&mut buf);
        });
        match spawned {
            Ok(h) => handles.push(h),
            // Returning ends the process (and its threads) at once.
            Err(e) => return Err(format!("could start only {i} threads of {n}: {e}")),
        }
    }
    let deadline = Instant::now() + STEP_TIMEOUT;
    while greeted.load(Ordering::SeqCst) + failed.load(Ordering::SeqCst) < n {
        if Instant::now() > deadline {
            return Err("the handler threads did not all start in time".into());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let (rss, vm) = memory()?;
    print_line(&format!(
        "HELD held={} failed={} rss0={rss0} rss={rss} vm0={vm0} vm={vm} threads={}",
        greeted.load(Ordering::SeqCst),
        failed.load(Ordering::SeqCst),
        threads_now()?
    ));
    for h in handles {
        h.join()
            .map_err(|e| format!("a handler thread panicked: {e}"))?;
    }
    print_line("DONE");
    Ok(())
}

fn model_name(m: Model) -> &'static str {
    if m == Model::Loop {
        "event loop"
    } else {
        "threads"
    }
}

fn print_text(n: usize, notes: &Notes, sides: &[Side], verdict: &Verdict) {
    println!(
        "c10k: {n} idle connections on 127.0.0.1, each served by a task or a thread blocked in a read"
    );
    for l in &notes.lines {
        println!("  note: {l}");
    }
    println!(
        "  {:<11} {:>11} {:>8} {:>13} {:>14} {:>19} {:>9}",
        "model",
        "connections",
        "held",
        "establish ms",
        "RSS/conn B",
        "addr space/conn KiB",
        "threads"
    );
    for s in sides {
        println!(
            "  {:<11} {:>11} {:>8} {:>13.0} {:>14.0} {:>19.1} {:>9}",
            model_name(s.model),
            s.connections,
            s.held,
            s.establish.as_secs_f64() * 1e3,
            s.rss_per_conn(),
            s.vm_per_conn() / 1024.0,
            s.threads
        );
    }
    println!(
        "  (RSS and address space: growth of the server process, measured in it, divided by the connections held; the clients live in another process)"
    );
    println!();
    verdict.print();
}

fn side_json(s: Option<&Side>) -> String {
    let Some(s) = s else {
        return "null".to_string();
    };
    format!(
        "{{\"connections\": {}, \"held\": {}, \"establish_ms\": {:.3}, \"rss_delta_bytes\": {:.0}, \"rss_per_conn_bytes\": {:.1}, \"vm_delta_bytes\": {:.0}, \"vm_per_conn_bytes\": {:.1}, \"threads\": {}}}",
        s.connections,
        s.held,
        s.establish.as_secs_f64() * 1e3,
        s.rss_delta,
        s.rss_per_conn(),
        s.vm_delta,
        s.vm_per_conn(),
        s.threads
    )
}

fn print_json(
    quick: bool,
    asked: usize,
    n: usize,
    limit: fdlimit::Limit,
    notes: &Notes,
    sides: &[Side],
    verdict: &Verdict,
) {
    let notes_json: Vec<String> = notes.lines.iter().map(|l| json::string(l)).collect();
    println!("{{");
    println!("  \"quick\": {quick},");
    println!("  \"connections_asked\": {asked}, \"connections\": {n},");
    println!(
        "  \"fd_limit\": {{\"soft\": {}, \"hard\": {}}},",
        limit.soft, limit.hard
    );
    println!("  \"thread_cap\": {},", notes.thread_cap);
    println!("  \"notes\": [{}],", notes_json.join(", "));
    println!(
        "  \"event_loop\": {},",
        side_json(sides.iter().find(|s| s.model == Model::Loop))
    );
    println!(
        "  \"threads\": {},",
        side_json(sides.iter().find(|s| s.model == Model::Threads))
    );
    println!(
        "  \"verdicts\": {}",
        verdict::json_array(std::slice::from_ref(verdict))
    );
    println!("}}");
}
