//! An HTTP/1 server from the `hyper` crate on the event loop, through
//! `runtime::compat::hyper`.
//!
//! ```text
//! cargo run --release -p runtime --features hyper --example hyper_server -- [PORT]
//! ```
//!
//! It binds 127.0.0.1:PORT (default 0: a free port), prints
//! `listening on http://ADDR` as `demo serve` does, and serves every
//! connection on a task of its own, keep-alive:
//!
//! - `GET` (any path): `hello`;
//! - `POST` (any path): the request's body, streamed back as it arrives
//!   (the response's body *is* the request's, so a large upload is never
//!   held in memory whole);
//! - anything else: `405 Method Not Allowed`.
//!
//! Every response carries `X-Model: loop`, which `demo load --addr ADDR`
//! reads to name the model it measured. Stop it with Ctrl-C.

use std::convert::Infallible;
use std::process::ExitCode;
use std::time::Duration;

use http_body_util::{Either, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use runtime::compat::hyper::{Io, Timer};
use runtime::net::TcpListener;

/// What a response's body is: a fixed text, or the request's own body.
type Body = Either<Full<Bytes>, Incoming>;

/// A client that sends no complete request head for this long is dropped
/// (hyper's `header_read_timeout`, on the runtime's timer wheel).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

fn main() -> ExitCode {
    let port = match std::env::args().nth(1) {
        None => 0,
        Some(arg) => match arg.parse::<u16>() {
            Ok(port) => port,
            Err(e) => {
                eprintln!("hyper_server: {arg:?} is not a port (0-65535): {e}");
                return ExitCode::from(2);
            }
        },
    };
    match runtime::block_on(serve(port)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hyper_server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Accepts connections forever, one task per connection.
async fn serve(port: u16) -> std::io::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| std::io::Error::new(e.kind(), format!("bind 127.0.0.1:{port}: {e}")))?;
    println!("listening on http://{}", listener.local_addr()?);
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _peer)) => stream,
            Err(e) => {
                // Out of file descriptors, a connection reset before it was
                // accepted...: say so, breathe, go on serving the others.
                eprintln!("hyper_server: accept: {e}");
                runtime::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        // Small responses go out at once rather than waiting on Nagle.
        let _ = stream.set_nodelay(true);
        runtime::spawn(async move {
            let served = http1::Builder::new()
                .timer(Timer)
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(Io::new(stream), service_fn(respond))
                .await;
            if let Err(e) = served {
                eprintln!("hyper_server: connection: {e}");
            }
        });
    }
}

/// The service: `hello` for a `GET`, the body back for a `POST`.
async fn respond(request: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let mut response = match *request.method() {
        Method::GET => Response::new(Either::Left(Full::new(Bytes::from_static(b"hello\n")))),
        Method::POST => Response::new(Either::Right(request.into_body())),
        _ => {
            let mut r = Response::new(Either::Left(Full::new(Bytes::from_static(
                b"GET for hello, POST to echo the body\n",
            ))));
            *r.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
            r
        }
    };
    response
        .headers_mut()
        .insert("x-model", hyper::header::HeaderValue::from_static("loop"));
    Ok(response)
}
