//! `demo load`: a closed-loop HTTP load generator on the event loop. Each
//! of C connections sends a keep-alive `GET`, waits for the whole response,
//! and sends the next, until the time is up; latencies are recorded per
//! request. Without `--addr` it starts `demo serve --port 0` as a child
//! process and stops it at the end (also on error).

use std::cell::{Cell, RefCell};
use std::net::{SocketAddr, ToSocketAddrs};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::Args as ClapArgs;

use crate::support::child::Child;
use crate::support::claims;
use crate::support::cli::Model;
use crate::support::cli::{pick, positive_duration, positive_usize};
use crate::support::http;
use crate::support::json::{self, Object};
use crate::support::proc_self::threads_of;
use crate::support::verdict::{self, Holds, Outcome, Verdict};

/// Arguments of `demo load`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// The server, host:port (default: start `demo serve` for each
    /// --model). Checked before the load: an address that does not parse
    /// or does not accept a connection is refused (exit 2).
    #[arg(long, value_parser = parse_addr)]
    addr: Option<SocketAddr>,
    /// Which server(s) to start and load, one after the other [default:
    /// both]. Not with --addr: a server given by address says which model
    /// it runs in an `X-Model` response header, or no claim is made about
    /// its model.
    #[arg(long, value_enum)]
    model: Option<Model>,
    /// Connections, each with one request in flight [default: 50; quick:
    /// 10].
    #[arg(long, value_parser = positive_usize)]
    connections: Option<usize>,
    /// How long to load each server, above 0 [default: 5s; quick: 1s].
    #[arg(long, value_parser = positive_duration)]
    duration: Option<Duration>,
    /// A short run: the smaller defaults shown as `quick:` (values given
    /// explicitly still win).
    #[arg(long)]
    quick: bool,
    /// Print the measurements and verdicts as JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// `--addr`: `host:port`, resolved now.
fn parse_addr(text: &str) -> Result<SocketAddr, String> {
    text.to_socket_addrs()
        .map_err(|e| format!("{text:?} is not a host:port address: {e}"))?
        .next()
        .ok_or_else(|| format!("{text:?} resolves to no address"))
}

/// The request every connection sends.
const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: demo\r\n\r\n";
/// How often the server's threads are counted during the load.
const SAMPLE_EVERY: Duration = Duration::from_millis(10);

/// One server to load.
struct Target {
    addr: SocketAddr,
    /// The model we started it with, if we started it.
    started: Option<Model>,
    /// Our child process, if we started it (killed when dropped).
    child: Option<Child>,
}

/// Runs the demo.
pub fn run(args: &Args) -> Outcome {
    let connections = pick(args.quick, args.connections, 50, 10);
    let duration = pick(
        args.quick,
        args.duration,
        Duration::from_secs(5),
        Duration::from_secs(1),
    );
    let mut targets = Vec::new();
    if let Some(addr) = args.addr {
        if args.model.is_some() {
            return verdict::bad_input(
                "load",
                "--model chooses the server this demo starts; a server given by --addr says its own model (X-Model header)",
            );
        }
        if let Err(e) = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
            return verdict::bad_input("load", &format!("cannot connect to {addr}: {e}"));
        }
        targets.push(Target {
            addr,
            started: None,
            child: None,
        });
    } else {
        let model = args.model.unwrap_or(Model::Both);
        for (m, name) in [(Model::Loop, "loop"), (Model::Threads, "threads")] {
            if !(model == m || model == Model::Both) {
                continue;
            }
            match start_server(name, connections) {
                Ok((addr, child)) => targets.push(Target {
                    addr,
                    started: Some(m),
                    child: Some(child),
                }),
                Err(e) => return verdict::failed("load", &e),
            }
        }
    }
    let mut runs = Vec::new();
    for t in &targets {
        eprintln!(
            "load: {connections} connections to http://{} for {duration:?}...",
            t.addr
        );
        let pid = t.child.as_ref().map(Child::id);
        let sampler = pid.map(ThreadSampler::start);
        let measured = measure(&t.addr.to_string(), connections, duration);
        let server_threads = sampler.map(ThreadSampler::stop);
        match measured {
            Ok(m) => {
                let verdicts = verdicts_of(t, pid, connections, &m, server_threads);
                runs.push((t, pid, m, server_threads, verdicts));
            }
            Err(e) => return verdict::failed("load", &e),
        }
    }
    let verdicts: Vec<Verdict> = runs.iter().flat_map(|r| r.4.clone()).collect();
    if args.json {
        let runs_json = json::array(runs.iter().map(|(t, pid, m, threads, vs)| {
            Object::new()
                .str("addr", &t.addr.to_string())
                .raw(
                    "started_model",
                    t.started
                        .map_or("null".into(), |m| json::string(model_name(m))),
                )
                .raw(
                    "server_says",
                    m.model_header
                        .as_deref()
                        .map_or("null".into(), json::string),
                )
                .raw("server_pid", pid.map_or("null".into(), |p| p.to_string()))
                .raw(
                    "server_threads_max",
                    threads.map_or("null".into(), |n| n.to_string()),
                )
                .int("requests", m.latencies_us.len() as u64)
                .int("errors", m.errors)
                .num("wall_ms", m.took.as_secs_f64() * 1e3)
                .num(
                    "throughput_per_s",
                    m.latencies_us.len() as f64 / m.took.as_secs_f64().max(1e-9),
                )
                .int("p50_us", percentile(&m.latencies_us, 50.0))
                .int("p90_us", percentile(&m.latencies_us, 90.0))
                .int("p99_us", percentile(&m.latencies_us, 99.0))
                .int("max_us", m.latencies_us.last().copied().unwrap_or(0))
                .raw("verdicts", verdict::json_array(vs))
                .finish()
        }));
        println!(
            "{}",
            Object::new()
                .int("connections", connections as u64)
                .num("duration_ms", duration.as_secs_f64() * 1e3)
                .raw("runs", runs_json)
                .raw("verdicts", verdict::json_array(&verdicts))
                .finish()
        );
    } else {
        for (i, (t, pid, m, threads, vs)) in runs.iter().enumerate() {
            if i > 0 {
                println!();
            }
            print(t, *pid, connections, m, *threads);
            for v in vs {
                v.print();
            }
        }
    }
    drop(targets); // stops the servers we started
    Outcome::Ran(verdicts)
}

fn model_name(m: Model) -> &'static str {
    match m {
        Model::Loop => "loop",
        Model::Threads => "threads",
        Model::Both => "both",
    }
}

/// Starts `demo serve --model <name> --port 0` with room for every
/// connection; returns its address.
fn start_server(name: &str, connections: usize) -> Result<(SocketAddr, Child), String> {
    let mut child = Child::spawn(
        &[
            "serve".to_string(),
            "--model".into(),
            name.into(),
            "--port".into(),
            "0".into(),
            "--max-conns".into(),
            (connections + 16).to_string(),
        ],
        &format!("{name} server"),
    )?;
    let addr = child.line("listening on http://", Duration::from_secs(10))?;
    let addr = addr
        .parse()
        .map_err(|e| format!("the server printed a bad address {addr:?}: {e}"))?;
    Ok((addr, child))
}

/// Counts a process's threads (`/proc/<pid>/task`) every `SAMPLE_EVERY`
/// on a thread of its own, keeping the most seen.
struct ThreadSampler {
    stop: Arc<AtomicBool>,
    most: Arc<AtomicUsize>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ThreadSampler {
    fn start(pid: u32) -> ThreadSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let most = Arc::new(AtomicUsize::new(0));
        let (s, m) = (stop.clone(), most.clone());
        let thread = std::thread::Builder::new()
            .name("thread-sampler".into())
            .spawn(move || {
                while !s.load(Ordering::Relaxed) {
                    if let Ok(n) = threads_of(pid) {
                        m.fetch_max(n, Ordering::Relaxed);
                    }
                    std::thread::sleep(SAMPLE_EVERY);
                }
            })
            .ok();
        ThreadSampler { stop, most, thread }
    }

    /// Stops sampling; the most threads seen (0 if none could be read).
    fn stop(mut self) -> usize {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.most.load(Ordering::Relaxed)
    }
}

/// The verdicts of one server's run: it served every connection, and (if
/// this demo started it) its model's thread count.
fn verdicts_of(
    t: &Target,
    pid: Option<u32>,
    connections: usize,
    m: &Measured,
    server_threads: Option<usize>,
) -> Vec<Verdict> {
    let served = claims::load_served(
        connections,
        m.latencies_us.len() as u64,
        m.errors,
        m.fewest_per_connection,
    );
    let how = |pid: u32| {
        format!(
            "in /proc/{pid}/task of the server, sampled every {} ms during the load",
            SAMPLE_EVERY.as_millis()
        )
    };
    let threads = match (t.started, pid, server_threads) {
        (Some(Model::Loop), Some(pid), Some(n)) => claims::thread_count(
            &format!("one event-loop thread serves {connections} keep-alive connections"),
            &how(pid),
            n,
            1,
            1,
        ),
        (Some(Model::Threads), Some(pid), Some(n)) => claims::thread_count(
            &format!("the thread model serves {connections} connections with a thread each"),
            &how(pid),
            n,
            connections,
            usize::MAX,
        ),
        _ => Verdict::new(
            "the server's model",
            "counted only for a server this demo started (its /proc/<pid>/task)",
            Holds::NotRun(match &m.model_header {
                Some(said) => format!(
                    "the server says it runs {said:?} (X-Model header), but it is not this demo's child: its threads cannot be counted"
                ),
                None => "the server does not say which model it runs (no X-Model header)".into(),
            }),
            "",
        ),
    };
    vec![served, threads]
}

/// What a run measured.
pub struct Measured {
    /// One latency per successful request, in microseconds, sorted.
    pub latencies_us: Vec<u64>,
    /// Failed connects, broken connections and non-200 answers.
    pub errors: u64,
    /// The first error, to show its cause.
    pub first_error: Option<String>,
    /// The fewest requests any one connection had answered.
    pub fewest_per_connection: u64,
    /// The model the server named in an `X-Model` header, if it did.
    pub model_header: Option<String>,
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
    let model_header: Rc<RefCell<Option<String>>> = Rc::default();
    let start = Instant::now();
    let deadline = start + duration;
    let served = rt.block_on(async {
        let clients: Vec<_> = (0..connections)
            .map(|_| {
                let (latencies, errors, first_error, model_header) = (
                    latencies.clone(),
                    errors.clone(),
                    first_error.clone(),
                    model_header.clone(),
                );
                let addr = addr.to_string();
                runtime::spawn(async move {
                    let mut served = 0u64;
                    if let Err(e) =
                        client(&addr, deadline, &latencies, &model_header, &mut served).await
                    {
                        errors.set(errors.get() + 1);
                        first_error.borrow_mut().get_or_insert(e);
                    }
                    served
                })
            })
            .collect();
        let mut served = Vec::with_capacity(connections);
        for c in clients {
            served.push(c.await.unwrap_or(0));
        }
        served
    });
    let mut latencies_us = latencies.take();
    latencies_us.sort_unstable();
    let first_error = first_error.take();
    Ok(Measured {
        latencies_us,
        errors: errors.get(),
        first_error,
        fewest_per_connection: served.iter().copied().min().unwrap_or(0),
        model_header: model_header.take(),
        took: start.elapsed(),
    })
}

/// One connection's closed loop: request, whole response, repeat.
async fn client(
    addr: &str,
    deadline: Instant,
    latencies: &RefCell<Vec<u64>>,
    model_header: &RefCell<Option<String>>,
    served: &mut u64,
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
        let (status, model) = read_response(&mut stream, &mut buf).await?;
        if status != 200 {
            return Err(format!("the server answered {status}"));
        }
        if model.is_some() && model_header.borrow().is_none() {
            *model_header.borrow_mut() = model;
        }
        latencies
            .borrow_mut()
            .push(u64::try_from(t0.elapsed().as_micros()).unwrap_or(u64::MAX));
        *served += 1;
    }
    Ok(())
}

/// The value of an `X-Model` header (any case) in a response's head.
pub fn model_header(response: &[u8]) -> Option<String> {
    let head_end = response.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&response[..head_end]).ok()?;
    head.split("\r\n").skip(1).find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("x-model")
            .then(|| value.trim().to_string())
    })
}

/// Reads one whole response (head and `Content-Length` body) off `stream`,
/// keeping any bytes after it in `buf`; returns its status and its
/// `X-Model` header, if any.
///
/// # Errors
/// A closed connection, a read error or a malformed response.
pub async fn read_response(
    stream: &mut runtime::net::TcpStream,
    buf: &mut Vec<u8>,
) -> Result<(u16, Option<String>), String> {
    let mut chunk = [0u8; 4096];
    loop {
        if let Some((status, total)) = http::response_head(buf)?
            && buf.len() >= total
        {
            let model = model_header(&buf[..total]);
            buf.drain(..total);
            return Ok((status, model));
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

fn print(t: &Target, pid: Option<u32>, connections: usize, m: &Measured, threads: Option<usize>) {
    let n = m.latencies_us.len();
    let rate = n as f64 / m.took.as_secs_f64().max(1e-9);
    let ms = |us: u64| us as f64 / 1e3;
    let server = match (t.started, pid) {
        (Some(model), Some(pid)) => format!(
            "`demo serve --model {}` started by this demo, pid {pid}",
            model_name(model)
        ),
        _ => match &m.model_header {
            Some(said) => format!("a server that says it runs {said:?}"),
            None => "a server that does not say its model".to_string(),
        },
    };
    println!(
        "closed-loop load on http://{} ({server}): {connections} connections, one request in flight each",
        t.addr
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
    if let Some(n) = threads {
        println!("  server threads (most seen) {n}");
    }
    if let Some(e) = &m.first_error {
        println!("  first error: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_header_is_found_in_any_case() {
        let r = b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nx-MODEL: loop \r\n\r\nhello\n";
        assert_eq!(model_header(r), Some("loop".to_string()));
        let r = b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nX-Model: in the body\n";
        assert_eq!(model_header(r), None);
        assert_eq!(model_header(b"HTTP/1.1 200 OK\r\n"), None);
    }

    #[test]
    fn addresses_are_checked_when_parsed() {
        assert!(parse_addr("nonsense").is_err());
        assert!(parse_addr("127.0.0.1").is_err(), "no port");
        assert_eq!(
            parse_addr("127.0.0.1:8080"),
            Ok("127.0.0.1:8080".parse().unwrap())
        );
    }
}
