//! `demo fetch`: seed 002's network-bound fetch. A local HTTP server with an
//! injected latency (`demo serve --model threads --latency L`, a child
//! process, so that it never limits the clients) and N requests at
//! concurrency C: on the loop, N tasks behind a `Semaphore(C)` with
//! `runtime::net::TcpStream`; on threads, a `ThreadPool` of C with
//! `std::net`. Each model's client runs in its own child process, so that
//! its peak RSS and thread count are its own.
//!
//! The claim: I/O-bound work overlaps its waits, so the wall time is about
//! ceil(N / C) × latency, not N × latency, on either model.

use std::time::{Duration, Instant};

use clap::Args as ClapArgs;

use crate::support::child::{self, Child};
use crate::support::claims::{self, Fetched};
use crate::support::cli::Model;
use crate::support::cli::{Common, positive_duration, positive_usize};
use crate::support::json::{self, Object};
use crate::support::proc_self::{ThreadSampler, status_bytes};
use crate::support::verdict::{self, Outcome, Verdict};
use crate::workloads::fetch::{fetch_loop, fetch_threads};

/// Arguments of `demo fetch`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Requests in all [default: 200; quick: 40].
    #[arg(long, value_parser = positive_usize)]
    requests: Option<usize>,
    /// Requests in flight at once (the semaphore's permits, the pool's
    /// threads) [default: 20; quick: 10].
    #[arg(long, value_parser = positive_usize)]
    concurrency: Option<usize>,
    /// The server's delay before each response, above 0 [default: 50ms;
    /// quick: 20ms].
    #[arg(long, value_parser = positive_duration)]
    latency: Option<Duration>,
    /// Internal: run one model's client against this server and print a
    /// `RESULT` line.
    #[arg(long, hide = true)]
    client: Option<String>,
}

/// One model's client, as its process measured it.
struct Measured {
    wall: Duration,
    ok: usize,
    errors: usize,
    first_error: String,
    peak_rss_kb: u64,
    peak_threads: usize,
}

/// Runs the demo.
pub fn run(args: &Args) -> Outcome {
    let c = &args.common;
    let requests = c.pick(args.requests, 200, 40);
    let concurrency = c.pick(args.concurrency, 20, 10);
    let latency = c.pick(
        args.latency,
        Duration::from_millis(50),
        Duration::from_millis(20),
    );
    if let Some(addr) = &args.client {
        return match client_process(c.model, addr, requests, concurrency) {
            0 => Outcome::Ran(Vec::new()),
            _ => Outcome::Failed,
        };
    }
    match parent(c, requests, concurrency, latency) {
        Ok(verdicts) => Outcome::Ran(verdicts),
        Err(e) => verdict::failed("fetch", &e),
    }
}

fn parent(
    c: &Common,
    requests: usize,
    concurrency: usize,
    latency: Duration,
) -> Result<Vec<Verdict>, String> {
    eprintln!("fetch: starting the server (thread per connection, latency {latency:?})...");
    let mut server = Child::spawn(
        &[
            "serve".to_string(),
            "--model".into(),
            "threads".into(),
            "--port".into(),
            "0".into(),
            "--latency".into(),
            format!("{}us", latency.as_micros()),
            "--max-conns".into(),
            (concurrency + 64).to_string(),
        ],
        "server",
    )?;
    let addr = server.line("listening on http://", Duration::from_secs(10))?;
    let mut rows = Vec::new();
    for m in c.model.each() {
        let name = m.flag();
        eprintln!("fetch: {name}: {requests} requests, {concurrency} at a time...");
        let mut child = Child::spawn(
            &[
                "fetch".to_string(),
                "--model".into(),
                name.into(),
                "--requests".into(),
                requests.to_string(),
                "--concurrency".into(),
                concurrency.to_string(),
                "--client".into(),
                addr.clone(),
            ],
            &format!("{name} client"),
        )?;
        let line = child.line("RESULT ", Duration::from_secs(600))?;
        rows.push((name, parse_result(&line)?));
    }
    drop(server);

    let latency_ms = latency.as_secs_f64() * 1e3;
    let verdicts: Vec<Verdict> = rows
        .iter()
        .map(|(_, m)| {
            claims::requests_overlap(
                Fetched {
                    wall_ms: m.wall.as_secs_f64() * 1e3,
                    ok: m.ok,
                    errors: m.errors,
                },
                requests,
                concurrency,
                latency_ms,
            )
        })
        .collect();
    if c.json {
        let rows_json = json::array(rows.iter().map(|(name, m)| {
            Object::new()
                .str("model", name)
                .num("wall_ms", m.wall.as_secs_f64() * 1e3)
                .int("ok", m.ok as u64)
                .int("errors", m.errors as u64)
                .str("first_error", &m.first_error)
                .int("peak_rss_kb", m.peak_rss_kb)
                .int("peak_threads", m.peak_threads as u64)
        }));
        println!(
            "{}",
            Object::new()
                .int("requests", requests as u64)
                .int("concurrency", concurrency as u64)
                .num("latency_ms", latency_ms)
                .value("models", rows_json)
                .value("verdicts", verdict::json_array(&verdicts))
        );
        return Ok(verdicts);
    }
    let rounds = requests.div_ceil(concurrency) as f64;
    let expected = latency_ms * rounds;
    let serial = latency_ms * requests as f64;
    println!(
        "seed 002: {requests} requests to a server that takes {latency_ms:.0} ms each, {concurrency} at a time"
    );
    println!(
        "  {:<34} {:>9} {:>9} {:>6} {:>9} {:>12} {:>8}",
        "model", "wall ms", "req/s", "ok", "errors", "peak RSS", "threads"
    );
    for (name, m) in &rows {
        let label = if *name == "loop" {
            "event loop: tasks + Semaphore"
        } else {
            "threads: ThreadPool"
        };
        println!(
            "  {label:<34} {:>9.0} {:>9.0} {:>6} {:>9} {:>9} KiB {:>8}",
            m.wall.as_secs_f64() * 1e3,
            m.ok as f64 / m.wall.as_secs_f64().max(1e-9),
            m.ok,
            m.errors,
            m.peak_rss_kb,
            m.peak_threads
        );
        if m.errors > 0 {
            println!("    first error: {}", m.first_error);
        }
    }
    println!(
        "  expected with overlap: ceil({requests}/{concurrency}) x {latency_ms:.0} ms = {expected:.0} ms; one at a time: {serial:.0} ms"
    );
    println!(
        "  (Python's threads overlap these waits too: the GIL is released during I/O. What differs \
         is the cost per waiter: 1 thread against C + 1 here, and `demo c10k` at 10,000.)"
    );
    for ((name, _), v) in rows.iter().zip(&verdicts) {
        println!("{name}:");
        v.print();
    }
    Ok(verdicts)
}

fn parse_result(line: &str) -> Result<Measured, String> {
    let num = |name: &str| child::field::<u64>(line, name);
    Ok(Measured {
        wall: Duration::from_micros(num("wall_us")?),
        ok: num("ok")? as usize,
        errors: num("errors")? as usize,
        first_error: line
            .split_once("first_error=")
            .map_or(String::new(), |(_, e)| e.to_string()),
        peak_rss_kb: num("peak_rss_kb")?,
        peak_threads: num("threads")? as usize,
    })
}

/// The child: one model's client, then one `RESULT` line.
fn client_process(model: Model, addr: &str, requests: usize, concurrency: usize) -> i32 {
    // This process's thread count every millisecond (minus the sampler).
    let sampler = ThreadSampler::start(std::process::id(), Duration::from_millis(1));
    let start = Instant::now();
    let outcomes = match model {
        Model::Threads => fetch_threads(addr, requests, concurrency),
        _ => fetch_loop(addr, requests, concurrency),
    };
    let wall = start.elapsed();
    let peak = sampler.stop().saturating_sub(1);
    let outcomes = match outcomes {
        Ok(o) => o,
        Err(e) => {
            println!("ERROR {e}");
            return 1;
        }
    };
    let ok = outcomes.iter().filter(|o| o.is_ok()).count();
    let first_error = outcomes
        .iter()
        .find_map(|o| o.as_ref().err().cloned())
        .unwrap_or_default();
    println!(
        "RESULT wall_us={} ok={ok} errors={} peak_rss_kb={} threads={} first_error={first_error}",
        wall.as_micros(),
        outcomes.len() - ok,
        status_bytes("VmHWM").map_or(0, |b| (b / 1024.0) as u64),
        peak.max(1),
    );
    0
}
