//! A closed-loop HTTP load on the event loop (`demo load`, `latency`,
//! `scale`): C connections, each a loop of keep-alive requests until the
//! time is up, every latency recorded; and, optionally, one more
//! connection sending another request at a steady period (an open loop: a
//! CPU-heavy request "in the mix"), its latencies kept apart.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::support::http;

/// What to send, how many at once, for how long.
#[derive(Clone, Debug)]
pub struct Load {
    /// Connections of the closed loop.
    pub connections: usize,
    /// How long.
    pub duration: Duration,
    /// The target of their requests (`/`).
    pub path: String,
    /// One more connection sending this target every so often.
    pub side: Option<(String, Duration)>,
}

impl Load {
    /// `connections` connections sending `GET /` for `duration`.
    pub fn plain(connections: usize, duration: Duration) -> Load {
        Load {
            connections,
            duration,
            path: "/".into(),
            side: None,
        }
    }
}

/// What a run measured.
pub struct Measured {
    /// One latency per successful request of the closed loop, in
    /// microseconds, sorted.
    pub latencies_us: Vec<u64>,
    /// The side requests' latencies, microseconds, sorted.
    pub side_latencies_us: Vec<u64>,
    /// Failed connects, broken connections and non-200 answers.
    pub errors: u64,
    /// The first error, to show its cause.
    pub first_error: Option<String>,
    /// The fewest requests any one connection of the closed loop had
    /// answered.
    pub fewest_per_connection: u64,
    /// The model the server named in an `X-Model` header, if it did.
    pub model_header: Option<String>,
    /// Wall time of the run.
    pub took: Duration,
}

impl Measured {
    /// Requests of the closed loop answered per second.
    pub fn throughput(&self) -> f64 {
        self.latencies_us.len() as f64 / self.took.as_secs_f64().max(1e-9)
    }
}

/// What the connections share.
#[derive(Default)]
struct Shared {
    latencies: RefCell<Vec<u64>>,
    side: RefCell<Vec<u64>>,
    errors: Cell<u64>,
    first_error: RefCell<Option<String>>,
    model_header: RefCell<Option<String>>,
}

impl Shared {
    fn failed(&self, e: String) {
        self.errors.set(self.errors.get() + 1);
        self.first_error.borrow_mut().get_or_insert(e);
    }
}

/// Runs the load on a fresh runtime.
///
/// # Errors
/// If the runtime cannot start.
pub fn measure(addr: &str, load: &Load) -> Result<Measured, String> {
    let rt = runtime::Runtime::new().map_err(|e| format!("cannot start the runtime: {e}"))?;
    let shared = Rc::new(Shared::default());
    let start = Instant::now();
    let deadline = start + load.duration;
    let served = rt.block_on(async {
        let side = load.side.clone().map(|(path, every)| {
            let (shared, addr) = (shared.clone(), addr.to_string());
            runtime::spawn(async move {
                if let Err(e) = side_client(&addr, &path, every, deadline, &shared).await {
                    shared.failed(e);
                }
            })
        });
        let clients: Vec<_> = (0..load.connections)
            .map(|_| {
                let (shared, addr, path) = (shared.clone(), addr.to_string(), load.path.clone());
                runtime::spawn(async move {
                    let mut served = 0u64;
                    if let Err(e) = client(&addr, &path, deadline, &shared, &mut served).await {
                        shared.failed(e);
                    }
                    served
                })
            })
            .collect();
        let mut served = Vec::with_capacity(load.connections);
        for c in clients {
            served.push(c.await.unwrap_or(0));
        }
        if let Some(s) = side {
            let _ = s.await;
        }
        served
    });
    let mut latencies_us = shared.latencies.take();
    latencies_us.sort_unstable();
    let mut side_latencies_us = shared.side.take();
    side_latencies_us.sort_unstable();
    Ok(Measured {
        latencies_us,
        side_latencies_us,
        errors: shared.errors.get(),
        first_error: shared.first_error.take(),
        fewest_per_connection: served.iter().copied().min().unwrap_or(0),
        model_header: shared.model_header.take(),
        took: start.elapsed(),
    })
}

/// One request on `stream`: sends it, reads the whole response; its
/// latency in microseconds.
async fn request(
    stream: &mut runtime::net::TcpStream,
    bytes: &[u8],
    buf: &mut Vec<u8>,
    shared: &Shared,
) -> Result<u64, String> {
    let t0 = Instant::now();
    stream
        .write_all(bytes)
        .await
        .map_err(|e| format!("write: {e}"))?;
    let (status, model) = read_response(stream, buf).await?;
    if status != 200 {
        return Err(format!("the server answered {status}"));
    }
    if model.is_some() && shared.model_header.borrow().is_none() {
        *shared.model_header.borrow_mut() = model;
    }
    Ok(u64::try_from(t0.elapsed().as_micros()).unwrap_or(u64::MAX))
}

async fn connect(addr: &str) -> Result<runtime::net::TcpStream, String> {
    let stream = runtime::net::TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect to {addr}: {e}"))?;
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: demo\r\n\r\n").into_bytes()
}

/// One connection's closed loop: request, whole response, repeat.
async fn client(
    addr: &str,
    path: &str,
    deadline: Instant,
    shared: &Shared,
    served: &mut u64,
) -> Result<(), String> {
    let mut stream = connect(addr).await?;
    let (bytes, mut buf) = (get(path), Vec::with_capacity(4096));
    while Instant::now() < deadline {
        let us = request(&mut stream, &bytes, &mut buf, shared).await?;
        shared.latencies.borrow_mut().push(us);
        *served += 1;
    }
    Ok(())
}

/// The side connection: a request every `every` (the next one right away
/// if an answer took longer).
async fn side_client(
    addr: &str,
    path: &str,
    every: Duration,
    deadline: Instant,
    shared: &Shared,
) -> Result<(), String> {
    let mut stream = connect(addr).await?;
    let (bytes, mut buf) = (get(path), Vec::with_capacity(4096));
    let mut next = Instant::now() + every / 2;
    while next < deadline {
        runtime::time::sleep_until(runtime::time::Instant::from_std(next)).await;
        let us = request(&mut stream, &bytes, &mut buf, shared).await?;
        shared.side.borrow_mut().push(us);
        next = (next + every).max(Instant::now());
    }
    Ok(())
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
            let model = http::model_header(&buf[..total]);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_sorted_values() {
        let v: Vec<u64> = (1..=1000).collect();
        assert_eq!(percentile(&v, 50.0), 501);
        assert_eq!(percentile(&v, 99.9), 999);
        assert_eq!(percentile(&v, 100.0), 1000);
        assert_eq!(percentile(&[], 99.0), 0);
    }
}
