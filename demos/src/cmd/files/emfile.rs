//! Part 2's client process: this binary re-run with `--client`, its soft
//! `RLIMIT_NOFILE` lowered, opening N connections at once with or without a
//! semaphore; it reports one `RESULT` line, which [`run_client`] reads in
//! the parent.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Args, HOLD, Params};
use crate::support::child::{self, Child};
use crate::support::cli::Model;
use crate::support::fdlimit;

/// Part 2 on one model, with or without the semaphore.
pub(super) struct ConnectRun {
    pub(super) model: Model,
    pub(super) permits: Option<usize>,
    pub(super) succeeded: usize,
    pub(super) emfile: usize,
    pub(super) other: usize,
    /// Most connections open at once in the client.
    pub(super) peak_open: usize,
    /// Descriptors the client had open before its first socket.
    pub(super) fds_before: usize,
    /// One EMFILE message and one other error, as the OS gave them.
    pub(super) emfile_example: String,
    pub(super) other_example: String,
}

/// Runs one client process and reads its result line.
pub(super) fn run_client(
    model: Model,
    permits: Option<usize>,
    addr: SocketAddr,
    p: Params,
) -> Result<ConnectRun, String> {
    let mut args: Vec<String> = vec![
        "files".into(),
        "--client".into(),
        model.flag().into(),
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
    let field = |key: &str| child::field::<usize>(&line, key);
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

pub(super) fn client_main(model: Model, args: &Args, p: Params) -> i32 {
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
