//! `demo errors`: how failures surface on each model: a panicking task or
//! thread, a timeout, a refused connection, and a `try_gather` that fails
//! fast. Every error is printed with its cause.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use clap::Args as ClapArgs;

use crate::support::claims;
use crate::support::cli::Common;
use crate::support::json::{self, Object};
use crate::support::verdict::{self, Outcome};

/// Arguments of `demo errors`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub(crate) common: Common,
}

/// One check: how an error surfaced on one model.
struct Check {
    model: &'static str,
    what: &'static str,
    expected: bool,
    detail: String,
}

/// One check's result.
fn check(model: &'static str, what: &'static str, expected: bool, detail: String) -> Check {
    Check {
        model,
        what,
        expected,
        detail,
    }
}

/// The panic check of either model: `panicked` is the join of a task or
/// thread that panicked (is it a panic, its message), `after` that of one
/// started after it, which must have run (returned 42). `words`: how the
/// model's message begins, what kept running, and its unit of work.
fn panic_check(
    model: &'static str,
    (how, kept, unit): (&str, &str, &str),
    panicked: Result<(), (bool, String)>,
    after: Result<i32, String>,
) -> Check {
    match panicked {
        Err((true, e)) => check(
            model,
            "panic",
            after.as_ref().is_ok_and(|&v| v == 42),
            format!(
                "{how}JoinError is_panic=true: {e}; {kept} kept running: next {unit} returned {}",
                after.map_or_else(|e| e, |v| v.to_string())
            ),
        ),
        Err((false, e)) => check(
            model,
            "panic",
            false,
            format!("JoinError, not a panic: {e}"),
        ),
        Ok(()) => check(model, "panic", false, format!("the {unit} did not fail")),
    }
}

/// The refused-connection check of either model: `connect(2)` to `addr`,
/// where nothing listens, must fail with `ECONNREFUSED`.
fn refused_check(
    model: &'static str,
    addr: std::net::SocketAddr,
    connected: std::io::Result<()>,
) -> Check {
    match connected {
        Err(e) => check(
            model,
            "refused connection",
            e.kind() == std::io::ErrorKind::ConnectionRefused,
            format!("connect to {addr}: {:?}: {e}", e.kind()),
        ),
        Ok(()) => check(
            model,
            "refused connection",
            false,
            format!("connected to {addr}"),
        ),
    }
}

/// An address nothing listens on: a listener bound to port 0, then dropped.
fn refused_addr() -> Result<std::net::SocketAddr, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| format!("cannot bind 127.0.0.1:0: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listener's address: {e}"))?;
    drop(listener);
    Ok(addr)
}

/// Runs the demo.
pub fn run(args: &Args) -> Outcome {
    let c = &args.common;
    let slow = if c.quick {
        Duration::from_millis(300)
    } else {
        Duration::from_secs(1)
    };
    // Panic messages are printed by the checks, not by the default hook.
    std::panic::set_hook(Box::new(|_| {}));
    let mut checks = Vec::new();
    if c.model.has_loop() {
        match run_loop(slow) {
            Ok(mut more) => checks.append(&mut more),
            Err(e) => return verdict::failed("errors", &e),
        }
    }
    if c.model.has_threads() {
        match run_threads(slow) {
            Ok(mut more) => checks.append(&mut more),
            Err(e) => return verdict::failed("errors", &e),
        }
    }
    let _ = std::panic::take_hook();
    let passed = checks.iter().filter(|c| c.expected).count();
    let v = claims::errors_surface(passed, checks.len());
    if c.json {
        let rows = json::array(checks.iter().map(|k| {
            Object::new()
                .str("model", k.model)
                .str("check", k.what)
                .bool("as_expected", k.expected)
                .str("detail", &k.detail)
        }));
        println!(
            "{}",
            Object::new()
                .value("checks", rows)
                .value("verdicts", verdict::json_array(std::slice::from_ref(&v)))
        );
    } else {
        println!("how errors surface on each model (panics below are deliberate)");
        for k in &checks {
            println!(
                "{}: {}: {} ({})",
                k.model,
                k.what,
                if k.expected { "ok" } else { "UNEXPECTED" },
                k.detail
            );
        }
        v.print();
    }
    Outcome::Ran(vec![v])
}

fn run_loop(slow: Duration) -> Result<Vec<Check>, String> {
    const M: &str = "event loop";
    let addr = refused_addr()?;
    let rt = runtime::Runtime::builder()
        .build()
        .map_err(|e| format!("cannot build the runtime: {e}"))?;
    Ok(rt.block_on(async move {
        let mut checks = Vec::new();

        let panicked = runtime::spawn(async { panic!("boom in a task") }).await;
        let after = runtime::spawn(async {
            runtime::time::sleep(Duration::from_millis(1)).await;
            42
        })
        .await;
        checks.push(panic_check(
            M,
            ("", "the loop", "task"),
            panicked.map_err(|e| (e.is_panic(), e.to_string())),
            after.map_err(|e| e.to_string()),
        ));

        let start = Instant::now();
        let timed = runtime::time::timeout(
            Duration::from_millis(20),
            runtime::time::sleep(Duration::from_secs(5)),
        )
        .await;
        checks.push(match timed {
            Err(e) => check(
                M,
                "timeout",
                true,
                format!("Elapsed: {e}, after {:.1?} of a 20 ms timeout", start.elapsed()),
            ),
            Ok(()) => check(M, "timeout", false, "the 5 s sleep finished".to_string()),
        });

        let connected = runtime::net::TcpStream::connect(addr).await;
        checks.push(refused_check(M, addr, connected.map(drop)));

        // try_gather: one fails after 10 ms; the two slow ones are dropped.
        let dropped = Rc::new(Cell::new(0u32));
        struct Guard(Rc<Cell<u32>>);
        impl Drop for Guard {
            fn drop(&mut self) {
                self.0.set(self.0.get() + 1);
            }
        }
        let futures = (0..3).map(|i| {
            let guard = Guard(dropped.clone());
            async move {
                if i == 1 {
                    runtime::time::sleep(Duration::from_millis(10)).await;
                    return Err(format!("part {i}: bad input"));
                }
                runtime::time::sleep(slow).await;
                std::mem::forget(guard); // finished: not dropped midway
                Ok(i)
            }
        });
        let start = Instant::now();
        let result = runtime::try_gather(futures).await;
        let took = start.elapsed();
        // The failing future's own guard is dropped too.
        let siblings_dropped = dropped.get().saturating_sub(1);
        checks.push(match result {
            Err(e) => check(
                M,
                "try_gather",
                took < slow && siblings_dropped == 2,
                format!(
                    "failed fast with {e:?} after {took:.1?} (< {slow:?}); {siblings_dropped} slow siblings dropped"
                ),
            ),
            Ok(v) => check(M, "try_gather", false, format!("succeeded: {v:?}")),
        });
        checks
    }))
}

fn run_threads(slow: Duration) -> Result<Vec<Check>, String> {
    use runtime::threaded;
    const M: &str = "threads";
    let mut checks = Vec::new();

    let panicked = threaded::Builder::new()
        .name("panics".to_string())
        .spawn(|| panic!("boom in a thread"))
        .map_err(|e| format!("cannot start a thread: {e}"))?
        .join();
    let after = threaded::Builder::new()
        .spawn(|| 42)
        .map_err(|e| format!("cannot start a thread: {e}"))?
        .join();
    checks.push(panic_check(
        M,
        ("join: ", "the process", "thread"),
        panicked.map_err(|e| (e.is_panic(), e.to_string())),
        after.map_err(|e| e.to_string()),
    ));

    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let start = Instant::now();
    checks.push(match rx.recv_timeout(Duration::from_millis(20)) {
        Err(e) => check(
            M,
            "timeout",
            e == std::sync::mpsc::RecvTimeoutError::Timeout,
            format!(
                "recv_timeout: {e:?}: {e}, after {:.1?} of 20 ms (a thread cannot be cancelled, only waited on with a deadline)",
                start.elapsed()
            ),
        ),
        Ok(()) => check(M, "timeout", false, "a message arrived".to_string()),
    });
    drop(tx);

    let addr = refused_addr()?;
    checks.push(refused_check(
        M,
        addr,
        std::net::TcpStream::connect(addr).map(drop),
    ));

    // threaded::gather has no fail-fast: threads cannot be dropped midway,
    // so the error is seen only once the slow ones have finished.
    let start = Instant::now();
    let results = threaded::gather((0..3).map(|i| {
        move || {
            if i == 1 {
                threaded::sleep(Duration::from_millis(10));
                return Err(format!("part {i}: bad input"));
            }
            threaded::sleep(slow);
            Ok(i)
        }
    }));
    let took = start.elapsed();
    let first_err = results.iter().find_map(|r| r.as_ref().err());
    checks.push(check(
        M,
        "gather with a failing part",
        first_err.is_some(),
        format!(
            "error {first_err:?} seen after {took:.1?}: no fail-fast, the slow threads ran to the end"
        ),
    ));
    Ok(checks)
}
