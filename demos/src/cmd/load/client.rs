//! The load itself: C connections on the event loop, each a closed loop
//! of keep-alive requests until the time is up, every latency recorded.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::support::http;

/// The request every connection sends.
const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: demo\r\n\r\n";

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
