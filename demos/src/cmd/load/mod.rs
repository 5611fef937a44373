//! `demo load`: a closed-loop HTTP load generator on the event loop. Each
//! of C connections sends a keep-alive `GET`, waits for the whole response,
//! and sends the next, until the time is up; latencies are recorded per
//! request. Without `--addr` it starts `demo serve --port 0` as a child
//! process (with `--workers N` event loops for the loop model) and stops it
//! at the end (also on error).
//!
//! Files: the runs and their verdicts here; the clients in
//! `workloads/http_load.rs` (`latency` and `scale` load servers the same
//! way); the output in `print.rs`.

mod print;

use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use clap::Args as ClapArgs;

use crate::support::child::Child;
use crate::support::claims;
use crate::support::cli::{Model, pick, positive_duration, positive_usize};
use crate::support::proc_self::ThreadSampler;
use crate::support::server;
use crate::support::verdict::{self, Holds, Outcome, Verdict};
use crate::workloads::http_load::{self, Load, Measured};

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
    /// Event loops of the loop server this demo starts (`serve --workers`:
    /// one listener each on the same port, SO_REUSEPORT) [default: 1].
    #[arg(long, value_parser = positive_usize)]
    workers: Option<usize>,
    /// The request target every connection sends, e.g. `/cpu?iters=200000`
    /// (CPU-bound work on the server) [default: /].
    #[arg(long, default_value = "/", value_parser = parse_path)]
    path: String,
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
/// `--path`: an origin-form target, `/` then printable ASCII.
fn parse_path(text: &str) -> Result<String, String> {
    if text.starts_with('/') && text.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(text.to_string())
    } else {
        Err(format!(
            "{text:?}: a target starts with / and has no spaces or control characters"
        ))
    }
}

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

/// One server loaded: what was measured, and the verdicts.
struct Run<'a> {
    target: &'a Target,
    /// The server's pid, if this demo started it.
    pid: Option<u32>,
    measured: Measured,
    /// The most threads seen in the server during the load.
    server_threads: Option<usize>,
    verdicts: Vec<Verdict>,
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
    let workers = args.workers.unwrap_or(1);
    let mut targets = Vec::new();
    if let Some(addr) = args.addr {
        if args.workers.is_some() {
            return verdict::bad_input(
                "load",
                "--workers sets the loop server this demo starts; not with --addr",
            );
        }
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
        if workers > 1 && !model.has_loop() {
            return verdict::bad_input(
                "load",
                "--workers is the number of event loops: it needs --model loop or both",
            );
        }
        for m in model.each() {
            let extra = if m == Model::Loop {
                vec!["--workers".to_string(), workers.to_string()]
            } else {
                Vec::new()
            };
            match server::start(
                m.flag(),
                connections + 16,
                &extra,
                &format!("{} server", m.flag()),
            ) {
                Ok(s) => targets.push(Target {
                    addr: s.addr,
                    started: Some(m),
                    child: Some(s.child),
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
        let sampler = pid.map(|pid| ThreadSampler::start(pid, SAMPLE_EVERY));
        let load = Load {
            path: args.path.clone(),
            ..Load::plain(connections, duration)
        };
        let measured = http_load::measure(&t.addr.to_string(), &load);
        let server_threads = sampler.map(ThreadSampler::stop);
        match measured {
            Ok(m) => {
                let verdicts = verdicts_of(t, pid, (connections, workers), &m, server_threads);
                runs.push(Run {
                    target: t,
                    pid,
                    measured: m,
                    server_threads,
                    verdicts,
                });
            }
            Err(e) => return verdict::failed("load", &e),
        }
    }
    let verdicts: Vec<Verdict> = runs.iter().flat_map(|r| r.verdicts.clone()).collect();
    if args.json {
        print::json(connections, duration, &runs, &verdicts);
    } else {
        print::text(connections, &runs);
    }
    drop(targets); // stops the servers we started
    Outcome::Ran(verdicts)
}

/// The verdicts of one server's run: it served every connection, and (if
/// this demo started it) its model's thread count.
fn verdicts_of(
    t: &Target,
    pid: Option<u32>,
    (connections, workers): (usize, usize),
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
            &if workers == 1 {
                format!("one event-loop thread serves {connections} keep-alive connections")
            } else {
                format!(
                    "{workers} event-loop threads (serve --workers {workers}) serve {connections} keep-alive connections"
                )
            },
            &how(pid),
            n,
            workers,
            workers,
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

#[cfg(test)]
mod tests {
    use super::*;

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
