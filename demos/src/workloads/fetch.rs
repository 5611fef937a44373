//! The network-bound fetch of `demo fetch` and `demo baseline`: N
//! requests to a server with an injected latency, each on a fresh
//! connection (`Connection: close`, read to EOF): C at a time on the loop
//! (N tasks behind a `Semaphore(C)`), on a `ThreadPool` of C, or one after
//! the other on this thread (`baseline`'s synchronous side).

use std::io::{Read, Write};
use std::rc::Rc;

use crate::support::http;

/// The request: one `GET`, then the server closes.
const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: demo\r\nConnection: close\r\n\r\n";

/// Checks a whole response read to EOF.
fn check(response: &[u8]) -> Result<(), String> {
    match http::response_head(response)? {
        Some((200, total)) if response.len() >= total => Ok(()),
        Some((200, _)) => Err("the response was cut short".into()),
        Some((status, _)) => Err(format!("the server answered {status}")),
        None => Err("no whole response before EOF".into()),
    }
}

/// The loop: N tasks, at most C past the semaphore at once.
pub fn fetch_loop(
    addr: &str,
    requests: usize,
    concurrency: usize,
) -> Result<Vec<Result<(), String>>, String> {
    let rt = runtime::Runtime::new().map_err(|e| format!("cannot start the runtime: {e}"))?;
    Ok(rt.block_on(async {
        let permits = Rc::new(runtime::sync::Semaphore::new(concurrency));
        let tasks: Vec<_> = (0..requests)
            .map(|_| {
                let (permits, addr) = (permits.clone(), addr.to_string());
                runtime::spawn(async move {
                    let _permit = permits.acquire().await;
                    let mut stream = runtime::net::TcpStream::connect(addr.as_str())
                        .await
                        .map_err(|e| format!("connect: {e}"))?;
                    stream
                        .write_all(REQUEST)
                        .await
                        .map_err(|e| format!("write: {e}"))?;
                    let mut response = Vec::new();
                    let mut chunk = [0u8; 1024];
                    loop {
                        let n = stream
                            .read(&mut chunk)
                            .await
                            .map_err(|e| format!("read: {e}"))?;
                        if n == 0 {
                            break;
                        }
                        response.extend_from_slice(&chunk[..n]);
                    }
                    check(&response)
                })
            })
            .collect();
        let mut outcomes = Vec::with_capacity(requests);
        for t in tasks {
            outcomes.push(
                t.await
                    .unwrap_or_else(|e| Err(format!("the task failed: {e}"))),
            );
        }
        outcomes
    }))
}

/// Threads: a pool of C, each request a blocking job.
pub fn fetch_threads(
    addr: &str,
    requests: usize,
    concurrency: usize,
) -> Result<Vec<Result<(), String>>, String> {
    let pool = runtime::threaded::ThreadPool::new(concurrency);
    let jobs: Vec<_> = (0..requests)
        .map(|_| {
            let addr = addr.to_string();
            pool.submit(move || fetch_one(&addr))
        })
        .collect();
    Ok(jobs
        .into_iter()
        .map(|j| {
            j.join()
                .unwrap_or_else(|e| Err(format!("the job failed: {e}")))
        })
        .collect())
}

/// One request after the other on this thread, blocking: the synchronous
/// program concurrency is measured against.
pub fn fetch_sequential(addr: &str, requests: usize) -> Vec<Result<(), String>> {
    (0..requests).map(|_| fetch_one(addr)).collect()
}

/// One blocking request on a fresh connection.
fn fetch_one(addr: &str) -> Result<(), String> {
    let mut stream = std::net::TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    stream
        .write_all(REQUEST)
        .map_err(|e| format!("write: {e}"))?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .map_err(|e| format!("read: {e}"))?;
    check(&response)
}
