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

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::Args as ClapArgs;

use crate::support::child::Child;
use crate::support::claims::{self, Opened};
use crate::support::cli::Common;
use crate::support::cli::Model;
use crate::support::verdict::{self, Outcome, Verdict};
use crate::support::{fdlimit, json};

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
        return match client_main(model, args, p) {
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

/// Part 1 on one model.
struct ReadRun {
    wall: Duration,
    /// Files whose bytes came back exactly.
    ok: usize,
    /// Files that failed to read, or read wrong; the first error.
    failed: usize,
    first_error: Option<String>,
    /// Threads alive at once at the peak (the loop's thread counted).
    threads: u64,
    /// Threads created for the reads.
    threads_created: u64,
}

/// Part 2 on one model, with or without the semaphore.
struct ConnectRun {
    model: Model,
    permits: Option<usize>,
    succeeded: usize,
    emfile: usize,
    other: usize,
    /// Most connections open at once in the client.
    peak_open: usize,
    /// Descriptors the client had open before its first socket.
    fds_before: usize,
    /// One EMFILE message and one other error, as the OS gave them.
    emfile_example: String,
    other_example: String,
}

fn run_parent(args: &Args, p: Params) -> Result<Verdict, String> {
    // Part 1 opens up to N files at once on the thread model: give this
    // process room (the hard limit allows it; the child lowers its own).
    fdlimit::raise_to(p.files as u64 + 256)?;
    eprintln!(
        "files: part 1: creating {} files of {} bytes...",
        p.files, p.size
    );
    let dir = TempDir::create()?;
    let paths = write_files(&dir, p)?;
    let lp = if args.common.model.has_loop() {
        eprintln!("files: part 1: event loop, runtime::fs::read gathered...");
        Some(read_loop(&paths, p.size)?)
    } else {
        None
    };
    let th = if args.common.model.has_threads() {
        eprintln!("files: part 1: threads, one per file...");
        Some(read_threads(&paths, p.size)?)
    } else {
        None
    };
    drop(dir);

    let server = Server::start()?;
    let mut runs = Vec::new();
    for model in [Model::Loop, Model::Threads] {
        let wanted = match model {
            Model::Loop => args.common.model.has_loop(),
            _ => args.common.model.has_threads(),
        };
        if !wanted {
            continue;
        }
        for permits in [None, Some(p.permits)] {
            eprintln!(
                "files: part 2: {}, {} connections, {}...",
                model_name(model),
                p.connections,
                permits.map_or("no semaphore".to_string(), |k| format!("Semaphore({k})"))
            );
            runs.push(run_client(model, permits, server.addr, p)?);
        }
    }
    server.stop();
    let opened: Vec<Opened> = runs
        .iter()
        .map(|r| Opened {
            model: if r.model == Model::Loop {
                "loop"
            } else {
                "threads"
            },
            permits: r.permits,
            succeeded: r.succeeded,
            emfile: r.emfile,
            other: r.other,
            peak_open: r.peak_open,
        })
        .collect();
    let verdict = claims::semaphore_prevents_emfile(&opened, p.connections);
    if args.common.json {
        print_json(
            args.common.quick,
            p,
            lp.as_ref(),
            th.as_ref(),
            &runs,
            &verdict,
        );
    } else {
        print_text(p, lp.as_ref(), th.as_ref(), &runs, &verdict);
    }
    Ok(verdict)
}

fn model_name(m: Model) -> &'static str {
    match m {
        Model::Loop => "event loop",
        _ => "threads",
    }
}

// ---- part 1 ----------------------------------------------------------

/// A temporary directory, removed (with its files) when dropped: at the
/// end, or on the way out of an error or a panic.
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn create() -> Result<TempDir, String> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!("demo-files-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        Ok(TempDir { path })
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.path) {
            eprintln!("demo files: cannot remove {}: {e}", self.path.display());
        }
    }
}

/// The contents of file `i`: its index, then bytes no other file has at
/// the same offset, so a mix-up between files is caught.
fn contents(i: usize, size: usize) -> Vec<u8> {
    let mut v: Vec<u8> = (0..size)
        .map(|j| (i.wrapping_mul(131) ^ j.wrapping_mul(7) ^ (j >> 8)) as u8)
        .collect();
    let tag = (i as u64).to_le_bytes();
    let n = tag.len().min(size);
    v[..n].copy_from_slice(&tag[..n]);
    v
}

fn write_files(dir: &TempDir, p: Params) -> Result<Vec<PathBuf>, String> {
    (0..p.files)
        .map(|i| {
            let path = dir.path.join(format!("{i:06}.bin"));
            std::fs::write(&path, contents(i, p.size))
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Ok(path)
        })
        .collect()
}

/// Tallies read results against the expected contents.
fn check(
    results: Vec<std::io::Result<Vec<u8>>>,
    size: usize,
    wall: Duration,
    threads: (u64, u64),
) -> ReadRun {
    let mut run = ReadRun {
        wall,
        ok: 0,
        failed: 0,
        first_error: None,
        threads: threads.0,
        threads_created: threads.1,
    };
    for (i, r) in results.into_iter().enumerate() {
        let problem = match r {
            Ok(bytes) if bytes == contents(i, size) => None,
            Ok(bytes) => Some(format!(
                "file {i}: {} bytes, not the ones written",
                bytes.len()
            )),
            Err(e) => Some(format!("file {i}: {e}")),
        };
        match problem {
            None => run.ok += 1,
            Some(e) => {
                run.failed += 1;
                run.first_error.get_or_insert(e);
            }
        }
    }
    run
}

fn read_loop(paths: &[PathBuf], size: usize) -> Result<ReadRun, String> {
    let rt = runtime::Runtime::new().map_err(|e| format!("cannot build the runtime: {e}"))?;
    let start = Instant::now();
    let results = rt.block_on(runtime::gather(paths.iter().map(runtime::fs::read)));
    let wall = start.elapsed();
    // The loop's own thread plus the blocking pool's threads at their peak
    // (a pool thread lives on for 10 s after its last job: peak = created).
    let pool = rt.stats().blocking_threads_peak;
    Ok(check(results, size, wall, (1 + pool, pool)))
}

/// One thread per file, as `threaded::gather` does it, but spawned with
/// `Builder::spawn` so that a thread the OS refuses is an error, not a panic.
fn read_threads(paths: &[PathBuf], size: usize) -> Result<ReadRun, String> {
    runtime::threaded::reset_peak();
    let before = runtime::threaded::stats();
    let start = Instant::now();
    let mut handles = Vec::with_capacity(paths.len());
    let mut spawn_error = None;
    for path in paths {
        let path = path.clone();
        match runtime::threaded::Builder::new()
            .spawn(move || std::fs::read(&path).map_err(|e| with_path(e, &path)))
        {
            Ok(h) => handles.push(h),
            Err(e) => {
                spawn_error = Some(e);
                break;
            }
        }
    }
    let started = handles.len();
    let mut results = Vec::with_capacity(started);
    for h in handles {
        results.push(
            h.join()
                .map_err(|e| format!("a reader thread failed: {e}"))?,
        );
    }
    if let Some(e) = spawn_error {
        return Err(format!(
            "could start only {started} reader threads of {}: {e}",
            paths.len()
        ));
    }
    let wall = start.elapsed();
    let stats = runtime::threaded::stats().since(&before);
    // Plus this, the spawning thread.
    Ok(check(
        results,
        size,
        wall,
        (1 + stats.peak_live, stats.spawned),
    ))
}

fn with_path(e: std::io::Error, path: &Path) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

// ---- part 2: the server (parent) -----------------------------------------

/// The local server of part 2, in the parent process: one thread per
/// connection, which answers `ping` with `pong` and then waits for EOF.
/// Stopped (and its threads joined) by `stop` or when dropped.
struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    acceptor: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start() -> Result<Server, String> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot read the listener's address: {e}"))?;
        widen_backlog(&listener);
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = std::thread::Builder::new()
            .name("files-server".into())
            .spawn({
                let stop = stop.clone();
                move || accept_loop(&listener, &stop)
            })
            .map_err(|e| format!("cannot start the server thread: {e}"))?;
        Ok(Server {
            addr,
            stop,
            acceptor: Some(acceptor),
        })
    }

    fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let Some(acceptor) = self.acceptor.take() else {
            return;
        };
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept(2) with one last connection.
        let _ = std::net::TcpStream::connect(self.addr);
        let _ = acceptor.join();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// std listens with a backlog of 128; a burst of hundreds of connects
/// could overflow it (dropped SYNs wait out 1 s retransmissions). Linux
/// lets `listen(2)` be called again to change the backlog.
pub(crate) fn widen_backlog(listener: &std::net::TcpListener) {
    use std::os::fd::AsRawFd;
    // SAFETY: listen(2) on a descriptor we own; a failure leaves the old
    // backlog in place, which is only slower.
    unsafe {
        libc::listen(listener.as_raw_fd(), 4096);
    }
}

fn accept_loop(listener: &std::net::TcpListener, stop: &AtomicBool) {
    let mut handlers = Vec::new();
    loop {
        let accepted = listener.accept();
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok((mut stream, _)) = accepted else {
            // (EMFILE, ECONNABORTED...): not a busy loop if it persists.
            std::thread::sleep(Duration::from_millis(1));
            continue;
        };
        let spawned = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(move || {
                let mut req = [0u8; 4];
                if stream.read_exact(&mut req).is_ok() && &req == b"ping" {
                    let _ = stream.write_all(b"pong");
                }
                let mut rest = [0u8; 16];
                while matches!(stream.read(&mut rest), Ok(n) if n > 0) {}
            });
        if let Ok(h) = spawned {
            handlers.push(h);
        }
        handlers.retain(|h| !h.is_finished());
    }
    // Every client process has exited by now: its sockets are closed, each
    // handler sees EOF.
    for h in handlers {
        let _ = h.join();
    }
}

/// Runs one client process and reads its result line.
fn run_client(
    model: Model,
    permits: Option<usize>,
    addr: SocketAddr,
    p: Params,
) -> Result<ConnectRun, String> {
    let mut args: Vec<String> = vec![
        "files".into(),
        "--client".into(),
        if model == Model::Loop {
            "loop"
        } else {
            "threads"
        }
        .into(),
        "--addr".into(),
        addr.to_string(),
        "--connections".into(),
        p.connections.to_string(),
        "--limit".into(),
        p.limit.to_string(),
        "--permits".into(),
        p.permits.to_string(),
    ];
    if permits.is_none() {
        args.push("--unbounded".into());
    }
    let mut child = Child::spawn(&args, "client process")?;
    let line = child.line("RESULT ", Duration::from_secs(60))?;
    let status = child.wait(Duration::from_secs(30))?;
    if !status.success() {
        return Err(format!("the client process failed: {status}"));
    }
    let field = |key: &str| -> Result<usize, String> {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("no {key} in the client's result {line:?}"))
    };
    let example = |key: &str| -> String {
        line.split(&format!(" {key}="))
            .nth(1)
            .map(|rest| rest.split(" |").next().unwrap_or("").to_string())
            .unwrap_or_default()
    };
    Ok(ConnectRun {
        model,
        permits,
        succeeded: field("ok")?,
        emfile: field("emfile")?,
        other: field("other")?,
        peak_open: field("peak_open")?,
        fds_before: field("fds_before")?,
        emfile_example: example("emfile_example"),
        other_example: example("other_example"),
    })
}

// ---- part 2: the client (child) ------------------------------------------

/// What the client counts, shared by its connections.
#[derive(Default)]
struct Tally {
    ok: usize,
    emfile: usize,
    other: usize,
    tried: usize,
    open: usize,
    peak_open: usize,
    emfile_example: Option<String>,
    other_example: Option<String>,
}

impl Tally {
    fn opened(&mut self) {
        self.open += 1;
        self.peak_open = self.peak_open.max(self.open);
    }

    /// Counts one connection's outcome; `Err` carries the failure.
    fn record(&mut self, outcome: &Result<(), std::io::Error>) {
        match outcome {
            Ok(()) => self.ok += 1,
            Err(e) if e.raw_os_error() == Some(libc::EMFILE) => {
                self.emfile += 1;
                self.emfile_example.get_or_insert_with(|| e.to_string());
            }
            Err(e) => {
                self.other += 1;
                self.other_example.get_or_insert_with(|| e.to_string());
            }
        }
    }

    fn print(&self, fds_before: usize) {
        println!(
            "RESULT ok={} emfile={} other={} peak_open={} fds_before={fds_before} | emfile_example={} | other_example={} |",
            self.ok,
            self.emfile,
            self.other,
            self.peak_open,
            self.emfile_example.as_deref().unwrap_or(""),
            self.other_example.as_deref().unwrap_or("")
        );
    }
}

/// One request and its response on an open connection.
fn check_pong(reply: &[u8; 4]) -> std::io::Result<()> {
    if reply == b"pong" {
        Ok(())
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("the server answered {reply:?}, not \"pong\""),
        ))
    }
}

fn client_main(model: Model, args: &Args, p: Params) -> i32 {
    let Some(addr) = args.addr else {
        eprintln!("demo files: --client needs --addr");
        return 2;
    };
    let result = match model {
        Model::Loop => client_loop(addr, p, args.unbounded),
        _ => client_threads(addr, p, args.unbounded),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            println!("ERROR {e}");
            1
        }
    }
}

fn client_loop(addr: SocketAddr, p: Params, unbounded: bool) -> Result<(), String> {
    use std::cell::RefCell;
    use std::rc::Rc;

    use runtime::net::TcpStream;
    use runtime::sync::{Event, Semaphore};

    // The runtime first: its epoll and eventfd descriptors count as
    // "already open" below.
    let rt = runtime::Runtime::new().map_err(|e| format!("cannot build the runtime: {e}"))?;
    fdlimit::set_soft(p.limit)?;
    let fds_before = fdlimit::open_fds()?;
    let tally = Rc::new(RefCell::new(Tally::default()));
    let all_tried = Rc::new(Event::new());
    let semaphore = Rc::new(Semaphore::new(p.permits));
    let n = p.connections;
    rt.block_on(async {
        let tasks = (0..n).map(|_| {
            let (tally, all_tried, semaphore) =
                (tally.clone(), all_tried.clone(), semaphore.clone());
            async move {
                // The permit covers the connection's whole life, so that at
                // most K sockets exist at once.
                let _permit = if unbounded {
                    None
                } else {
                    Some(semaphore.acquire().await)
                };
                let connected = TcpStream::connect(addr).await;
                {
                    let mut t = tally.borrow_mut();
                    t.tried += 1;
                    if t.tried == n {
                        all_tried.set();
                    }
                }
                let outcome = match connected {
                    Ok(mut stream) => {
                        tally.borrow_mut().opened();
                        let outcome = async {
                            stream.write_all(b"ping").await?;
                            let mut reply = [0u8; 4];
                            stream.read_exact(&mut reply).await?;
                            check_pong(&reply)
                        }
                        .await;
                        if unbounded {
                            all_tried.wait().await;
                        } else {
                            runtime::time::sleep(HOLD).await;
                        }
                        drop(stream);
                        tally.borrow_mut().open -= 1;
                        outcome
                    }
                    Err(e) => Err(e),
                };
                tally.borrow_mut().record(&outcome);
            }
        });
        runtime::gather(tasks).await;
    });
    tally.borrow().print(fds_before);
    Ok(())
}

fn client_threads(addr: SocketAddr, p: Params, unbounded: bool) -> Result<(), String> {
    use std::sync::{Condvar, Mutex};

    use runtime::threaded::{self, Semaphore};

    fdlimit::set_soft(p.limit)?;
    let fds_before = fdlimit::open_fds()?;
    let n = p.connections;
    let shared = Arc::new((Mutex::new(Tally::default()), Condvar::new()));
    let semaphore = Arc::new(Semaphore::new(p.permits));
    let mut handles = Vec::with_capacity(n);
    let mut spawn_error = None;
    for _ in 0..n {
        let (shared, semaphore) = (shared.clone(), semaphore.clone());
        let spawned = threaded::Builder::new()
            .stack_size(64 * 1024)
            .spawn(move || {
                let (lock, cond) = &*shared;
                let tally = || lock.lock().unwrap_or_else(|e| e.into_inner());
                let _permit = if unbounded {
                    None
                } else {
                    Some(semaphore.acquire())
                };
                let connected = std::net::TcpStream::connect(addr);
                {
                    let mut t = tally();
                    t.tried += 1;
                    if t.tried == n {
                        cond.notify_all();
                    }
                }
                let outcome = match connected {
                    Ok(mut stream) => {
                        tally().opened();
                        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                        let outcome = stream.write_all(b"ping").and_then(|()| {
                            let mut reply = [0u8; 4];
                            stream.read_exact(&mut reply)?;
                            check_pong(&reply)
                        });
                        if unbounded {
                            // Held until every connection has been tried
                            // (bounded: a stuck run ends after 30 s).
                            let mut t = tally();
                            let deadline = Instant::now() + Duration::from_secs(30);
                            while t.tried < n && Instant::now() < deadline {
                                t = match cond.wait_timeout(t, Duration::from_millis(100)) {
                                    Ok((g, _)) => g,
                                    Err(e) => e.into_inner().0,
                                };
                            }
                        } else {
                            std::thread::sleep(HOLD);
                        }
                        drop(stream);
                        tally().open -= 1;
                        outcome
                    }
                    Err(e) => Err(e),
                };
                tally().record(&outcome);
            });
        match spawned {
            Ok(h) => handles.push(h),
            Err(e) => {
                spawn_error = Some(e);
                break;
            }
        }
    }
    if let Some(e) = &spawn_error {
        // The threads already started cannot see all N tried: count the
        // missing ones as tried so that they finish.
        let (lock, cond) = &*shared;
        let mut t = lock.lock().unwrap_or_else(|e| e.into_inner());
        t.tried += n - handles.len();
        cond.notify_all();
        eprintln!(
            "demo files: could start only {} client threads: {e}",
            handles.len()
        );
    }
    for h in handles {
        if let Err(e) = h.join() {
            return Err(format!("a client thread panicked: {e}"));
        }
    }
    let (lock, _) = &*shared;
    let t = lock.lock().unwrap_or_else(|e| e.into_inner());
    t.print(fds_before);
    match spawn_error {
        Some(e) => Err(format!("could not start a thread per connection: {e}")),
        None => Ok(()),
    }
}

// ---- report ----------------------------------------------------------------

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn per_sec(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

fn print_text(
    p: Params,
    lp: Option<&ReadRun>,
    th: Option<&ReadRun>,
    runs: &[ConnectRun],
    verdict: &Verdict,
) {
    println!(
        "part 1: {} files of {} B read at once (seed 001: aiofiles runs file I/O on a thread pool)",
        p.files, p.size
    );
    println!(
        "  {:<42} {:>9} {:>10} {:>22} {:>9}",
        "model", "wall ms", "files/s", "threads: peak/created", "read ok"
    );
    for (name, r) in [
        ("event loop: fs::read on the blocking pool", lp),
        ("threads: one thread per file", th),
    ] {
        let Some(r) = r else { continue };
        println!(
            "  {:<42} {:>9.1} {:>10.0} {:>22} {:>9}",
            name,
            ms(r.wall),
            per_sec(r.ok, r.wall),
            format!("{}/{}", r.threads, r.threads_created),
            format!("{}/{}", r.ok, p.files)
        );
        if let Some(e) = &r.first_error {
            println!("    {} failed, first: {e}", r.failed);
        }
    }
    println!();
    println!(
        "part 2: {} connections at once from a client process whose RLIMIT_NOFILE soft limit is {} (server in another process)",
        p.connections, p.limit
    );
    println!(
        "  {:<11} {:<13} {:>9} {:>7} {:>6} {:>10} {:>11}",
        "model", "semaphore", "succeeded", "EMFILE", "other", "peak open", "fds before"
    );
    for r in runs {
        println!(
            "  {:<11} {:<13} {:>9} {:>7} {:>6} {:>10} {:>11}",
            model_name(r.model),
            r.permits
                .map_or("none".to_string(), |k| format!("Semaphore({k})")),
            r.succeeded,
            r.emfile,
            r.other,
            r.peak_open,
            r.fds_before
        );
    }
    if let Some(r) = runs.iter().find(|r| !r.emfile_example.is_empty()) {
        println!("  EMFILE, as the OS says it: {}", r.emfile_example);
    }
    for r in runs.iter().filter(|r| !r.other_example.is_empty()) {
        println!(
            "  other failure ({}, {}): {}",
            model_name(r.model),
            r.permits
                .map_or("no semaphore".to_string(), |k| format!("Semaphore({k})")),
            r.other_example
        );
    }
    println!();
    verdict.print();
}

fn read_json(r: Option<&ReadRun>) -> String {
    let Some(r) = r else {
        return "null".to_string();
    };
    format!(
        "{{\"wall_ms\": {:.3}, \"files_per_sec\": {:.1}, \"threads_used\": {}, \"threads_created\": {}, \"read_ok\": {}, \"failed\": {}, \"first_error\": {}}}",
        ms(r.wall),
        per_sec(r.ok, r.wall),
        r.threads,
        r.threads_created,
        r.ok,
        r.failed,
        r.first_error
            .as_deref()
            .map_or("null".to_string(), json::string)
    )
}

fn print_json(
    quick: bool,
    p: Params,
    lp: Option<&ReadRun>,
    th: Option<&ReadRun>,
    runs: &[ConnectRun],
    verdict: &Verdict,
) {
    let rows: Vec<String> = runs
        .iter()
        .map(|r| {
            format!(
                "    {{\"model\": {}, \"permits\": {}, \"succeeded\": {}, \"emfile\": {}, \"other\": {}, \"peak_open\": {}, \"fds_before\": {}, \"emfile_example\": {}, \"other_example\": {}}}",
                json::string(if r.model == Model::Loop { "loop" } else { "threads" }),
                r.permits.map_or("null".to_string(), |k| k.to_string()),
                r.succeeded,
                r.emfile,
                r.other,
                r.peak_open,
                r.fds_before,
                json::string(&r.emfile_example),
                json::string(&r.other_example)
            )
        })
        .collect();
    println!("{{");
    println!("  \"quick\": {quick},");
    println!(
        "  \"files\": {}, \"size\": {}, \"connections\": {}, \"limit\": {}, \"permits\": {},",
        p.files, p.size, p.connections, p.limit, p.permits
    );
    println!(
        "  \"read\": {{\"event_loop\": {}, \"threads\": {}}},",
        read_json(lp),
        read_json(th)
    );
    println!("  \"connect\": [\n{}\n  ],", rows.join(",\n"));
    println!(
        "  \"verdicts\": {}",
        verdict::json_array(std::slice::from_ref(verdict))
    );
    println!("}}");
}
