//! hyper on this runtime (issue #20): `runtime::compat::hyper::{Io,
//! Executor, Timer}`, the equivalents of hyper-util's `TokioIo`,
//! `TokioExecutor` and `TokioTimer`.
//!
//! A hyper HTTP/1 server and a hyper HTTP/1 client, both on one event loop
//! over a loopback connection: 1,000 keep-alive requests on one connection,
//! and a 10 MB body up and down (collected and checked by the server, then
//! streamed back as it arrives), every byte checked. Then the adapters one
//! by one: `Io` both ways over the scripted mock, `Timer` on the paused
//! clock (hyper's `header_read_timeout` fires on virtual time), `Executor`
//! running a `!Send` future.
//!
//! The network tests run on the real clock. Their `timeout = "300s"` is a
//! hang guard, not a speed target: together they take about 2 s natively
//! (debug build) and about 20 s of CPU under valgrind (CI's memcheck step,
//! where a read of hyper's uninitialised buffer would be reported), which
//! stretched to 60 s on the 2-core machine under a load of 13.

use std::cell::Cell;
use std::convert::Infallible;
use std::rc::Rc;
use std::sync::OnceLock;
use std::time::Duration;

use http_body_util::{BodyExt, Either, Full};
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http1 as client;
use hyper::rt::{Executor as _, Timer as _};
use hyper::server::conn::http1 as server;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use runtime::compat::hyper::{Executor, Io, Timer};
use runtime::io::{AsyncReadExt, AsyncWriteExt};
use runtime::net::{TcpListener, TcpStream};
use runtime::time::Instant;

/// The big body: 10 MB.
const BIG: usize = 10 * 1000 * 1000;

/// The 10 MB body: bytes with no short period, so a dropped, repeated or
/// misplaced chunk cannot line up with the expected bytes by chance. Made
/// once (shared by the client and the server side): byte loops in a debug
/// build are slow under valgrind.
fn big() -> &'static Bytes {
    static BIG_BODY: OnceLock<Bytes> = OnceLock::new();
    BIG_BODY.get_or_init(|| {
        (0..BIG)
            .map(|i| ((i as u32).wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect::<Vec<u8>>()
            .into()
    })
}

/// Whether `got` is `want`; if not, where they part (no 10 MB dumps).
fn same_bytes(got: &[u8], want: &[u8]) -> Result<(), String> {
    if got == want {
        return Ok(());
    }
    if got.len() != want.len() {
        return Err(format!("{} bytes, expected {}", got.len(), want.len()));
    }
    let i = got.iter().zip(want).position(|(a, b)| a != b).unwrap_or(0);
    Err(format!(
        "byte {i} is {:#04x}, expected {:#04x}",
        got[i], want[i]
    ))
}

type Body = Either<Full<Bytes>, Incoming>;

fn text(status: StatusCode, body: String) -> Response<Body> {
    let mut response = Response::new(Either::Left(Full::new(Bytes::from(body))));
    *response.status_mut() = status;
    response
}

/// The server's service. `GET /n`: `hello n`. `POST /collect`: the whole
/// body gathered, checked against `big()` (400 naming the first wrong
/// byte otherwise), and sent back. `POST /stream`: the body sent back as
/// it arrives (the response's body is the request's).
async fn respond(request: Request<Incoming>) -> Result<Response<Body>, hyper::Error> {
    let path = request.uri().path().to_string();
    Ok(match (request.method().clone(), path.as_str()) {
        (Method::GET, _) => text(StatusCode::OK, format!("hello {}", &path[1..])),
        (Method::POST, "/collect") => {
            let body = request.into_body().collect().await?.to_bytes();
            match same_bytes(&body, big()) {
                Ok(()) => Response::new(Either::Left(Full::new(body))),
                Err(e) => text(StatusCode::BAD_REQUEST, format!("upload: {e}")),
            }
        }
        (Method::POST, "/stream") => Response::new(Either::Right(request.into_body())),
        _ => text(StatusCode::NOT_FOUND, path),
    })
}

/// A listener serving exactly one connection with hyper's HTTP/1 server
/// (`header_read_timeout` on, so `Timer` arms and resets a sleep for every
/// request), and the client end of that connection after hyper's client
/// handshake. The server task's handle gives how the connection ended.
async fn connection() -> (
    client::SendRequest<Full<Bytes>>,
    runtime::JoinHandle<Result<(), hyper::Error>>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = runtime::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        server::Builder::new()
            .timer(Timer)
            .header_read_timeout(Duration::from_secs(30))
            .serve_connection(Io::new(stream), service_fn(respond))
            .await
    });
    let stream = TcpStream::connect(addr).await.unwrap();
    let (sender, conn) = client::handshake(Io::new(stream)).await.unwrap();
    runtime::spawn(async move {
        if let Err(e) = conn.await {
            panic!("client connection: {e}");
        }
    });
    (sender, server)
}

async fn send(
    sender: &mut client::SendRequest<Full<Bytes>>,
    method: Method,
    path: &str,
    body: Bytes,
) -> (StatusCode, Bytes) {
    sender.ready().await.unwrap();
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "test")
        .body(Full::new(body))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    let status = response.status();
    (
        status,
        response.into_body().collect().await.unwrap().to_bytes(),
    )
}

#[runtime::test(real_clock, timeout = "300s")]
async fn a_thousand_keep_alive_requests_on_one_connection() {
    let (mut sender, server) = connection().await;
    for n in 0..1000 {
        let (status, body) = send(&mut sender, Method::GET, &format!("/{n}"), Bytes::new()).await;
        assert_eq!(status, StatusCode::OK, "request {n}");
        assert_eq!(body, format!("hello {n}").as_bytes(), "request {n}");
    }
    // The server accepted one connection: all 1,000 went over it. Dropping
    // the client's sender closes it, and the server sees a clean end.
    drop(sender);
    server.await.unwrap().unwrap();
}

#[runtime::test(real_clock, timeout = "300s")]
async fn ten_megabytes_up_and_down_every_byte_checked() {
    let (mut sender, server) = connection().await;
    let data = big().clone();
    // Gathered by the server (it checks the upload), then sent back.
    let (status, body) = send(&mut sender, Method::POST, "/collect", data.clone()).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    same_bytes(&body, &data).unwrap();
    // Streamed back while it is still arriving, on the same connection.
    let (status, body) = send(&mut sender, Method::POST, "/stream", data.clone()).await;
    assert_eq!(status, StatusCode::OK);
    same_bytes(&body, &data).unwrap();
    drop(sender);
    server.await.unwrap().unwrap();
}

/// `Io` both ways: `Io<Io<Mock>>` is the mock seen as hyper's `Read` +
/// `Write` and back again as ours, so every byte crosses both adapters
/// (reads into uninitialised memory through `read_to_end`).
#[runtime::test]
async fn io_adapts_both_ways_over_the_mock() {
    let mock = runtime::testing::io::Builder::new()
        .read(b"hello ")
        .read(b"hyper")
        .write(b"gathered write")
        .build();
    let mut io = Io::new(Io::new(mock));
    let bufs = [
        std::io::IoSlice::new(b"gathered"),
        std::io::IoSlice::new(b" write"),
    ];
    let mut written = 0;
    while written < 14 {
        written += io.write_vectored(&bufs).await.unwrap();
        assert!(written == 8 || written == 14, "wrote {written}");
        if written == 8 {
            io.write_all(b" write").await.unwrap();
            written = 14;
        }
    }
    let mut got = Vec::new();
    io.read_to_end(&mut got).await.unwrap();
    assert_eq!(got, b"hello hyper");
    io.flush().await.unwrap();
}

/// `Timer` on the paused clock: `now` is the virtual clock, sleeps end on
/// it, and `reset` moves a registered sleep in place.
#[runtime::test(paused)]
async fn timer_sleeps_and_resets_on_the_virtual_clock() {
    let start = Timer.now();
    assert_eq!(start, Instant::now().into_std());
    Timer.sleep(Duration::from_secs(3600)).await;
    assert_eq!(Timer.now() - start, Duration::from_secs(3600));

    let start = Timer.now();
    let mut sleep = Timer.sleep_until(start + Duration::from_secs(60));
    // Registered, not fired yet.
    let early = runtime::time::timeout(Duration::from_secs(1), &mut sleep).await;
    assert!(early.is_err());
    Timer.reset(&mut sleep, start + Duration::from_secs(5));
    assert!(
        sleep
            .as_mut()
            .downcast_mut_pin::<runtime::time::Sleep>()
            .is_some(),
        "reset kept the runtime's Sleep (moved, not replaced)"
    );
    sleep.await;
    assert_eq!(Timer.now() - start, Duration::from_secs(5));
}

/// hyper's `header_read_timeout` through `Timer`, on virtual time: a
/// client that sends half a request head is cut off after exactly 30 s of
/// the paused clock, which an hour of virtual time has already passed (a
/// `Timer::now` on the real clock would put the deadline an hour in the
/// past, and it would fire at once).
#[runtime::test(paused, timeout = "2h")]
async fn a_header_read_timeout_fires_on_the_paused_clock() {
    runtime::time::advance(Duration::from_secs(3600)).await;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (stream, _) = listener.accept().await.unwrap();
    client.write_all(b"GET / HTTP/1.1\r\nHost:").await.unwrap();
    let start = Instant::now();
    let served = server::Builder::new()
        .timer(Timer)
        .header_read_timeout(Duration::from_secs(30))
        .serve_connection(
            Io::new(stream),
            service_fn(|_| async { Ok::<_, Infallible>(Response::new(Full::new(Bytes::new()))) }),
        )
        .await;
    let waited = start.elapsed();
    let err = served.expect_err("half a head must time out");
    assert!(err.is_timeout(), "{err}");
    assert!(
        waited >= Duration::from_secs(30) && waited <= Duration::from_millis(30_001),
        "{waited:?}"
    );
}

/// `Executor` spawns on the loop, and the future need not be `Send`.
#[runtime::test]
async fn the_executor_runs_non_send_futures_on_the_loop() {
    let ran = Rc::new(Cell::new(false));
    let flag = Rc::clone(&ran);
    Executor.execute(async move { flag.set(true) });
    assert!(!ran.get(), "spawned, not run inline");
    runtime::yield_now().await;
    assert!(ran.get());
}
