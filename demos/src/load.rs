//! `demo load`: a closed-loop HTTP load generator on the event loop. Each
//! of C connections sends a keep-alive `GET`, waits for the whole response,
//! and sends the next, until the time is up; latencies are recorded per
//! request. Without `--addr` it starts `demo serve --port 0` as a child
//! process and stops it at the end (also on error).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use clap::Args as ClapArgs;

use crate::child::Child;
use crate::http;

/// Arguments of `demo load`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// The server, host:port (default: start `demo serve` on the loop).
    #[arg(long)]
    addr: Option<String>,
    /// Connections, each with one request in flight.
    #[arg(long, default_value_t = 50)]
    connections: usize,
    /// How long to load the server.
    #[arg(long, value_parser = http::parse_duration, default_value = "5s")]
    duration: Duration,
    /// A short run: 10 connections for 1 s.
    #[arg(long)]
    quick: bool,
}

/// The request every connection sends.
const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: demo\r\n\r\n";

/// Runs the demo; returns the process exit code.
pub fn run(args: &Args) -> i32 {
    let (connections, duration) = if args.quick {
        (10, Duration::from_secs(1))
    } else {
        (args.connections, args.duration)
    };
    if connections == 0 || duration.is_zero() {
        eprintln!("demo load: --connections and --duration must be above 0");
        return 2;
    }
    // The server: given, or a child we own (killed when `_server` drops).
    let (addr, _server) = match &args.addr {
        Some(addr) => (addr.clone(), None),
        None => {
            let started = Child::spawn(
                &["serve", "--model", "loop", "--port", "0"].map(String::from),
                "server",
            )
            .and_then(|mut child| {
                let addr = child.line("listening on http://", Duration::from_secs(10))?;
                Ok((addr, child))
            });
            match started {
                Ok((addr, child)) => (addr, Some(child)),
                Err(e) => {
                    eprintln!("demo load: {e}");
                    return 1;
                }
            }
        }
    };
    eprintln!("load: {connections} connections to http://{addr} for {duration:?}...");
    match measure(&addr, connections, duration) {
        Ok(m) => {
            print(&addr, connections, &m);
            i32::from(m.errors > 0 || m.latencies_us.is_empty())
        }
        Err(e) => {
            eprintln!("demo load: {e}");
            1
        }
    }
}

/// What a run measured.
pub struct Measured {
    /// One latency per successful request, in microseconds, sorted.
    pub latencies_us: Vec<u64>,
    /// Failed connects, broken connections and non-200 answers.
    pub errors: u64,
    /// The first error, to show its cause.
    pub first_error: Option<String>,
    /// Wall time of the run.
    pub took: Duration,
}

/// Runs the load on a fresh runtime.
///
/// # Errors
/// If the runtime cannot start.
pub fn measure(addr: &str, connections: usize, duration: Duration) -> Result<Measured, String> {
    let rt = runtime::Runtime::new().map_err(|e| format!("cannot start the runtime: {e}"))?;
    let latencies = Rc::new(RefCell::new(Vec::new()));
    let errors = Rc::new(Cell::new(0u64));
    let first_error: Rc<RefCell<Option<String>>> = Rc::default();
    let start = Instant::now();
    let deadline = start + duration;
    rt.block_on(async {
        let clients: Vec<_> = (0..connections)
            .map(|_| {
                let (latencies, errors, first_error) =
                    (latencies.clone(), errors.clone(), first_error.clone());
                let addr = addr.to_string();
                runtime::spawn(async move {
                    if let Err(e) = client(&addr, deadline, &latencies).await {
                        errors.set(errors.get() + 1);
                        first_error.borrow_mut().get_or_insert(e);
                    }
                })
            })
            .collect();
        for c in clients {
            let _ = c.await;
        }
    });
    let mut latencies_us = latencies.take();
    latencies_us.sort_unstable();
    let first_error = first_error.take();
    Ok(Measured {
        latencies_us,
        errors: errors.get(),
        first_error,
        took: start.elapsed(),
    })
}

/// One connection's closed loop: request, whole response, repeat.
async fn client(
    addr: &str,
    deadline: Instant,
    latencies: &RefCell<Vec<u64>>,
) -> Result<(), String> {
    let mut stream = runtime::net::TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect to {addr}: {e}"))?;
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::with_capacity(4096);
    while Instant::now() < deadline {
        let t0 = Instant::now();
        stream
            .write_all(REQUEST)
            .await
            .map_err(|e| format!("write: {e}"))?;
        let status = read_response(&mut stream, &mut buf).await?;
        if status != 200 {
            return Err(format!("the server answered {status}"));
        }
        latencies
            .borrow_mut()
            .push(u64::try_from(t0.elapsed().as_micros()).unwrap_or(u64::MAX));
    }
    Ok(())
}

/// Reads one whole response (head and `Content-Length` body) off `stream`,
/// keeping any bytes after it in `buf`; returns its status.
///
/// # Errors
/// A closed connection, a read error or a malformed response.
pub async fn read_response(
    stream: &mut runtime::net::TcpStream,
    buf: &mut Vec<u8>,
) -> Result<u16, String> {
    let mut chunk = [0u8; 4096];
    loop {
        if let Some((status, total)) = http::response_head(buf)?
            && buf.len() >= total
        {
            buf.drain(..total);
            return Ok(status);
        }
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            return Err("the server closed the connection mid-response".into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// The `p`-th percentile of sorted values.
pub fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn print(addr: &str, connections: usize, m: &Measured) {
    let n = m.latencies_us.len();
    let rate = n as f64 / m.took.as_secs_f64().max(1e-9);
    let ms = |us: u64| us as f64 / 1e3;
    println!(
        "closed-loop load on http://{addr}: {connections} connections, one request in flight each"
    );
    println!("  requests   {n:>10}");
    println!("  wall time  {:>10.0} ms", m.took.as_secs_f64() * 1e3);
    println!("  throughput {rate:>10.0} req/s");
    println!("  errors     {:>10}", m.errors);
    println!(
        "  latency    p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        ms(percentile(&m.latencies_us, 50.0)),
        ms(percentile(&m.latencies_us, 90.0)),
        ms(percentile(&m.latencies_us, 99.0)),
        ms(m.latencies_us.last().copied().unwrap_or(0)),
    );
    if let Some(e) = &m.first_error {
        println!("  first error: {e}");
    }
    println!(
        "claim: one event-loop thread serves {connections} keep-alive connections -> {}",
        if m.errors == 0 && n > 0 {
            format!("holds: {n} requests, 0 errors, {rate:.0} req/s")
        } else {
            format!("does not hold here: {} errors", m.errors)
        }
    );
}
