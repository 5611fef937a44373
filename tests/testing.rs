//! `runtime::testing`: the hand-polled task harness and the scripted mock
//! stream, as a test author uses them; and `runtime::io`, the vocabulary
//! that lets one protocol function run on a mock and on a real socket.

use std::any::Any;
use std::io::{self, ErrorKind};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use runtime::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use runtime::net::{TcpListener, TcpStream};
use runtime::sync::{Semaphore, oneshot};
use runtime::testing::io::Builder;
use runtime::testing::task;
use runtime::time::{Instant, sleep, timeout};
use runtime::{Runtime, assert_pending, assert_ready, assert_ready_eq, assert_ready_err};

fn paused() -> Runtime {
    Runtime::builder()
        .paused_clock(true)
        .build()
        .expect("a paused-clock runtime")
}

/// The message of a panic payload (`panic!("{}", ..)` gives a `String`,
/// `panic!("literal")` a `&str`).
fn message(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => match payload.downcast::<&str>() {
            Ok(s) => s.to_string(),
            Err(_) => "<a panic payload that is not a string>".to_string(),
        },
    }
}

fn panic_of(f: impl FnOnce()) -> String {
    message(catch_unwind(AssertUnwindSafe(f)).expect_err("it was meant to panic"))
}

// ---- the harness -------------------------------------------------------

#[test]
fn harness_sees_pending_then_the_wake_then_ready() {
    let (tx, rx) = oneshot::channel::<u32>();
    let mut rx = task::spawn(rx);
    assert_pending!(rx.poll());
    assert!(!rx.is_woken());
    assert_eq!(rx.woken_count(), 0);
    assert_eq!(rx.waker_ref_count(), 1, "the receiver keeps its waker");
    tx.send(7).unwrap();
    assert!(rx.is_woken(), "the send wakes the receiver");
    assert_eq!(rx.woken_count(), 1);
    assert_ready_eq!(rx.poll(), Ok(7));
    assert!(!rx.is_woken(), "a poll clears the flag");
}

#[test]
fn harness_sees_a_dropped_sender_wake_the_receiver_with_an_error() {
    let (tx, rx) = oneshot::channel::<u32>();
    let mut rx = task::spawn(rx);
    assert_pending!(rx.poll());
    drop(tx);
    assert!(rx.is_woken());
    let _closed = assert_ready_err!(rx.poll());
}

#[test]
fn harness_sees_a_released_permit_wake_the_next_acquire() {
    let sem = Semaphore::new(1);
    let held = sem.try_acquire().expect("one permit");
    let mut acquire = task::spawn(sem.acquire());
    assert_pending!(acquire.poll());
    assert!(acquire.waker_ref_count() >= 1);
    drop(held);
    assert!(acquire.is_woken());
    let _permit = assert_ready!(acquire.poll());
    assert_eq!(sem.available_permits(), 0);
}

#[runtime::test]
async fn harness_polls_a_timer_inside_a_paused_runtime() {
    let mut timer = task::spawn(sleep(Duration::from_secs(10)));
    assert_pending!(timer.poll());
    sleep(Duration::from_secs(9)).await;
    assert!(!timer.is_woken(), "not due yet");
    sleep(Duration::from_secs(1)).await;
    assert!(timer.is_woken(), "due: the wheel woke it");
    assert_ready!(timer.poll());
}

#[test]
#[should_panic(expected = "assert_pending!(rx.poll()): expected Pending, got Ready(Ok(5))")]
fn assert_pending_shows_the_value_it_found() {
    let (tx, rx) = oneshot::channel::<u32>();
    tx.send(5).unwrap();
    let mut rx = task::spawn(rx);
    assert_pending!(rx.poll());
}

#[test]
#[should_panic(expected = "assert_ready_eq!(rx.poll()): expected Ready(Ok(1)), got Pending")]
fn assert_ready_eq_says_it_found_pending() {
    let (_tx, rx) = oneshot::channel::<u32>();
    let mut rx = task::spawn(rx);
    assert_ready_eq!(rx.poll(), Ok(1));
}

// ---- one protocol, on a mock and on a socket ---------------------------

/// A client of a line protocol: sends `GET <key>\n`, reads one line back,
/// `VALUE <v>` or `MISSING`. Generic: no socket in sight.
async fn get<S>(io: &mut S, key: &str) -> io::Result<Option<String>>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    io.write_all(format!("GET {key}\n").as_bytes()).await?;
    let line = read_line(io).await?;
    if line == "MISSING" {
        return Ok(None);
    }
    match line.strip_prefix("VALUE ") {
        Some(v) => Ok(Some(v.to_string())),
        None => Err(io::Error::new(
            ErrorKind::InvalidData,
            format!("bad reply {line:?}"),
        )),
    }
}

/// The matching server: answers every `GET` until end of stream.
async fn serve<S>(io: &mut S, value_of: impl Fn(&str) -> Option<String>) -> io::Result<usize>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut served = 0;
    loop {
        let line = match read_line(io).await {
            Ok(line) => line,
            Err(e) if e.kind() == ErrorKind::UnexpectedEof => return Ok(served),
            Err(e) => return Err(e),
        };
        let key = line.strip_prefix("GET ").unwrap_or("");
        let reply = match value_of(key) {
            Some(v) => format!("VALUE {v}\n"),
            None => "MISSING\n".to_string(),
        };
        io.write_all(reply.as_bytes()).await?;
        served += 1;
    }
}

/// One `\n`-terminated line, a byte at a time (short reads are the norm).
async fn read_line<S: AsyncRead + Unpin>(io: &mut S) -> io::Result<String> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        if io.read(&mut byte).await? == 0 {
            return Err(ErrorKind::UnexpectedEof.into());
        }
        if byte[0] == b'\n' {
            return String::from_utf8(line).map_err(|e| io::Error::new(ErrorKind::InvalidData, e));
        }
        line.push(byte[0]);
    }
}

fn colors(key: &str) -> Option<String> {
    (key == "sky").then(|| "blue".to_string())
}

#[runtime::test]
async fn the_client_passes_against_a_script() {
    let mut server = Builder::new()
        .write(b"GET sky\n")
        .read(b"VAL") // the reply in two segments
        .read(b"UE blue\n")
        .write(b"GET sea\n")
        .read(b"MISSING\n")
        .build();
    assert_eq!(
        get(&mut server, "sky").await.unwrap().as_deref(),
        Some("blue")
    );
    assert_eq!(get(&mut server, "sea").await.unwrap(), None);
    assert!(server.is_done());
}

#[runtime::test]
async fn the_server_passes_against_a_script() {
    let mut client = Builder::new()
        .read(b"GET sky\nGET s") // two requests over three segments
        .write(b"VALUE blue\n")
        .read(b"ea\n")
        .write(b"MISSING\n")
        .build(); // then end of stream
    let served = serve(&mut client, colors).await.unwrap();
    assert_eq!(served, 2);
}

#[runtime::test(real_clock)]
async fn the_same_client_and_server_run_on_a_real_socket_pair() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = runtime::spawn(async move {
        let (mut conn, _) = listener.accept().await.unwrap();
        serve(&mut conn, colors).await
    });
    let mut conn = TcpStream::connect(addr).await.unwrap();
    let work = async {
        assert_eq!(
            get(&mut conn, "sky").await.unwrap().as_deref(),
            Some("blue")
        );
        assert_eq!(get(&mut conn, "sea").await.unwrap(), None);
        // The trait's shutdown is shutdown(SHUT_WR): the server reads EOF.
        AsyncWriteExt::shutdown(&mut conn).await.unwrap();
        server.await.unwrap().unwrap()
    };
    let served = timeout(Duration::from_secs(30), work)
        .await
        .expect("no hang");
    assert_eq!(served, 2);
}

#[runtime::test(real_clock)]
async fn the_client_runs_on_split_halves_of_a_socket() {
    /// The halves implement the traits too; here, joined back into one
    /// value with `AsyncRead` from one and `AsyncWrite` from the other.
    struct Joined<R, W>(R, W);
    impl<R: AsyncRead + Unpin, W: Unpin> AsyncRead for Joined<R, W> {
        fn poll_read(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
            buf: &mut [u8],
        ) -> std::task::Poll<io::Result<usize>> {
            std::pin::Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
        }
    }
    impl<R: Unpin, W: AsyncWrite + Unpin> AsyncWrite for Joined<R, W> {
        fn poll_write(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
            buf: &[u8],
        ) -> std::task::Poll<io::Result<usize>> {
            std::pin::Pin::new(&mut self.get_mut().1).poll_write(cx, buf)
        }
        fn poll_flush(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<io::Result<()>> {
            std::pin::Pin::new(&mut self.get_mut().1).poll_flush(cx)
        }
        fn poll_shutdown(
            self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<io::Result<()>> {
            std::pin::Pin::new(&mut self.get_mut().1).poll_shutdown(cx)
        }
    }

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = runtime::spawn(async move {
        let (conn, _) = listener.accept().await.unwrap();
        let (r, w) = conn.into_split();
        serve(&mut Joined(r, w), colors).await
    });
    let mut conn = TcpStream::connect(addr).await.unwrap();
    {
        let (r, w) = conn.split();
        let mut joined = Joined(r, w);
        let got = timeout(Duration::from_secs(30), get(&mut joined, "sky")).await;
        assert_eq!(got.expect("no hang").unwrap().as_deref(), Some("blue"));
        joined.shutdown().await.unwrap();
    }
    assert_eq!(server.await.unwrap().unwrap(), 1);
}

// ---- the mock's failures -----------------------------------------------

#[test]
fn a_wrong_write_panics_with_the_step_and_a_diff() {
    let mut server = Builder::new()
        .write(b"GET sky\n")
        .read(b"VALUE blue\n")
        .build();
    let m = panic_of(|| {
        runtime::block_on(get(&mut server, "sea")).unwrap();
    });
    assert_eq!(
        m,
        "mock stream: step 1 of 2: the code under test wrote other bytes than the script expects\n\
         \x20 expected: b\"GET sky\\n\"\n\
         \x20 written:  b\"GET sea\\n\"\n\
         \x20                  ^ first difference: byte 5"
    );
}

#[test]
#[should_panic(expected = "step 2 of 3: the code under test wrote other bytes")]
fn a_wrong_write_fails_a_should_panic_test() {
    let mut mock = Builder::new()
        .read(b"GET sky\n")
        .write(b"VALUE blue\n")
        .read(b"")
        .build();
    runtime::block_on(serve(&mut mock, |_| Some("red".to_string()))).unwrap();
}

#[test]
fn a_wrong_write_lists_the_steps_the_code_has_not_read() {
    let mut mock = Builder::new()
        .read(b"EHLO me\r\n")
        .write(b"250 ok\r\n")
        .build();
    let m = panic_of(|| {
        runtime::block_on(mock.write_all(b"220 hello\r\n")).unwrap();
    });
    assert_eq!(
        m,
        "mock stream: step 2 of 2: the code under test wrote other bytes than the script expects\n\
         \x20 expected: b\"250 ok\\r\\n\"\n\
         \x20 written:  b\"220 hello\\r\\n\"\n\
         \x20              ^ first difference: byte 1\n\
         \x20 not read yet: step 1: read b\"EHLO me\\r\\n\""
    );
}

#[test]
fn a_write_past_the_end_of_the_script_panics() {
    let mut mock = Builder::new().name("client").write(b"ok\n").build();
    let m = panic_of(|| {
        runtime::block_on(mock.write_all(b"ok\nmore")).unwrap();
    });
    assert_eq!(
        m,
        "mock stream \"client\": the code under test wrote b\"more\", but the script has no more writes (1 steps)"
    );
}

#[test]
fn leftover_steps_panic_on_drop_and_are_listed() {
    let m = panic_of(|| {
        let mut server = Builder::new()
            .write(b"GET sky\n")
            .read(b"VALUE ")
            .read(b"blue\n")
            .write(b"GET sea\n")
            .build();
        runtime::block_on(async {
            let mut head = [0u8; 3];
            server.write_all(b"GET sky\n").await.unwrap();
            server.read_exact(&mut head).await.unwrap();
        });
        drop(server);
    });
    assert_eq!(
        m,
        "mock stream: 3 of 4 steps not done\n  \
         step 2: read b\"VALUE \" (3 of 6 bytes read)\n  \
         step 3: read b\"blue\\n\"\n  \
         step 4: write b\"GET sea\\n\"\n\
         (dropped with steps left; Builder::build_lenient allows it)"
    );
}

#[test]
fn a_lenient_mock_allows_leftovers_and_assert_done_checks_by_hand() {
    let mock = Builder::new().read(b"unread").build_lenient();
    assert!(!mock.is_done());
    let m = panic_of(|| mock.assert_done());
    assert_eq!(
        m,
        "mock stream: 1 of 1 steps not done\n  step 1: read b\"unread\""
    );
    drop(mock); // no panic
}

#[test]
fn a_mismatch_inside_a_task_reaches_its_join_handle_and_the_runtime_goes_on() {
    let rt = Runtime::new().unwrap();
    let (m, after) = rt.block_on(async {
        let task = runtime::spawn(async {
            let mut mock = Builder::new().write(b"yes").read(b"never read").build();
            mock.write_all(b"no").await
        });
        let err = task.await.expect_err("the task panicked");
        assert!(err.is_panic());
        // The mock was dropped after the panic with steps left: it did
        // not panic a second time (the first failure is the one to read).
        (message(err.into_panic()), runtime::spawn(async { 1 }).await)
    });
    assert!(m.starts_with("mock stream: step 1 of 2:"), "{m}");
    assert_eq!(after.unwrap(), 1);
}

#[runtime::test]
async fn scripted_errors_are_delivered_in_order() {
    let mut mock = Builder::new()
        .read(b"ab")
        .read_error(io::Error::new(ErrorKind::ConnectionReset, "peer reset"))
        .write_error(ErrorKind::BrokenPipe.into())
        .write(b"after")
        .build();
    let mut buf = [0u8; 8];
    assert_eq!(mock.read(&mut buf).await.unwrap(), 2);
    let e = mock.read(&mut buf).await.unwrap_err();
    assert_eq!(
        (e.kind(), e.to_string()),
        (ErrorKind::ConnectionReset, "peer reset".into())
    );
    let e = mock.write(b"after").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BrokenPipe);
    mock.write_all(b"after").await.unwrap();
    assert_eq!(
        mock.read(&mut buf).await.unwrap(),
        0,
        "the script ended: EOF"
    );
}

#[runtime::test]
async fn writes_match_across_step_boundaries_in_any_pieces() {
    for pieces in [
        vec![&b"GET / HTTP/1.1\r\n"[..]],
        vec![b"G", b"ET / HT", b"TP/1.1\r", b"\n"],
    ] {
        let mut mock = Builder::new()
            .write(b"GET ")
            .write(b"/ HTTP/1.1\r\n")
            .build();
        for piece in &pieces {
            mock.write_all(piece).await.unwrap();
        }
    }
}

#[runtime::test]
async fn a_write_stops_short_at_a_wait_as_a_socket_would() {
    let mut mock = Builder::new()
        .write(b"req")
        .wait(Duration::from_secs(2))
        .write(b"bye")
        .build();
    let start = Instant::now();
    assert_eq!(mock.write(b"reqbye").await.unwrap(), 3);
    assert_eq!(mock.write(b"bye").await.unwrap(), 3, "after the wait");
    assert_eq!(start.elapsed(), Duration::from_secs(2));
}

#[test]
fn a_read_blocked_on_a_write_step_is_woken_by_the_write() {
    let mock = Builder::new().write(b"ping").read(b"pong").build();
    let mut reader = task::spawn(&mock);
    let mut buf = [0u8; 4];
    assert_pending!(reader.poll_read(&mut buf), "the script wants a write first");
    let mut writer = task::spawn(&mock);
    assert_ready_eq!(writer.poll_write(b"ping").map_err(|e| e.kind()), Ok(4));
    assert!(reader.is_woken());
    assert_ready_eq!(reader.poll_read(&mut buf).map_err(|e| e.kind()), Ok(4));
    assert_eq!(&buf, b"pong");
}

#[runtime::test]
async fn a_reader_and_a_writer_share_one_mock() {
    let mock = Builder::new()
        .write(b"one\n")
        .read(b"1\n")
        .write(b"two\n")
        .read(b"2\n")
        .build();
    let (mut r, mut w) = (&mock, &mock);
    let reads = async move {
        let mut got = Vec::new();
        r.read_to_end(&mut got).await.unwrap();
        got
    };
    let writes = async move {
        w.write_all(b"one\n").await.unwrap();
        runtime::yield_now().await;
        w.write_all(b"two\n").await.unwrap();
    };
    let (got, ()) = runtime::gather!(reads, writes);
    assert_eq!(got, b"1\n2\n");
}

#[runtime::test]
async fn shutdown_ends_the_write_direction() {
    let mut mock = Builder::new().build();
    AsyncWriteExt::shutdown(&mut mock).await.unwrap();
    let e = mock.write(b"late").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BrokenPipe);
}

// ---- time: waits on the runtime's clock --------------------------------

#[runtime::test]
async fn a_wait_makes_a_timeout_fire_deterministically_under_a_paused_clock() {
    let mut mock = Builder::new()
        .read(b"HEL")
        .wait(Duration::from_secs(10))
        .read(b"LO")
        .build();
    let start = Instant::now();
    let mut buf = [0u8; 8];
    assert_eq!(mock.read(&mut buf).await.unwrap(), 3);
    let timed_out = timeout(Duration::from_secs(4), mock.read(&mut buf)).await;
    assert!(timed_out.is_err(), "the peer is silent for 10 s");
    assert_eq!(start.elapsed(), Duration::from_secs(4));
    // The silence goes on from where it was: 6 s more, then the rest.
    assert_eq!(mock.read(&mut buf).await.unwrap(), 2);
    assert_eq!(&buf[..2], b"LO");
    assert_eq!(start.elapsed(), Duration::from_secs(10));
}

#[runtime::test]
async fn a_script_may_end_in_a_silence_the_code_gives_up_on() {
    let mut server = Builder::new()
        .write(b"GET sky\n")
        .wait(Duration::from_secs(3600))
        .build();
    let start = Instant::now();
    let outcome = timeout(Duration::from_secs(5), get(&mut server, "sky")).await;
    assert!(outcome.is_err());
    assert_eq!(start.elapsed(), Duration::from_secs(5));
    // Dropped inside the wait: no leftover panic.
}

#[test]
fn a_wait_outside_a_runtime_says_it_needs_one() {
    let mut mock = Builder::new().wait(Duration::from_secs(1)).build_lenient();
    let m = panic_of(|| {
        let mut buf = [0u8; 1];
        let _ = futures::executor::block_on(mock.read(&mut buf));
    });
    assert!(
        m.contains("a wait step (1s) needs a runtime's clock"),
        "{m}"
    );
}

// ---- handles: steps added while the mock runs --------------------------

#[runtime::test]
async fn a_handle_feeds_a_running_mock() {
    let (mut mock, handle) = Builder::new().read(b"a").build_with_handle();
    let reader = runtime::spawn(async move {
        let mut all = Vec::new();
        mock.read_to_end(&mut all).await.map(|_| all)
    });
    sleep(Duration::from_millis(1)).await;
    assert!(!reader.is_finished(), "an open script waits for more");
    let more = handle.clone();
    more.read(b"b").read(b"c");
    drop(handle);
    sleep(Duration::from_millis(1)).await;
    assert!(!reader.is_finished(), "a clone still holds it open");
    drop(more);
    assert_eq!(reader.await.unwrap().unwrap(), b"abc");
}

#[test]
fn a_read_the_script_never_gives_is_a_deadlock_under_a_paused_clock() {
    // The code reads first, but the peer waits for the code to speak: with
    // nothing else to run, a paused-clock runtime says so instead of hanging.
    let mut mock = Builder::new().write(b"hello").read(b"hi").build();
    let m = panic_of(|| {
        paused().block_on(async {
            let mut buf = [0u8; 2];
            let _ = mock.read(&mut buf).await;
        });
    });
    assert!(m.contains("deadlock"), "{m}");
    // The mock outlived the runtime's panic, and still holds its steps.
    assert!(!mock.is_done());
    let m = panic_of(move || drop(mock));
    assert!(m.starts_with("mock stream: 2 of 2 steps not done"), "{m}");
}

/// A Builder prints its name and the steps scripted so far, in order, as the
/// Mock it builds does: a failing test that prints its fixture shows the script.
#[test]
fn a_mock_builder_debug_prints_its_script() {
    use runtime::testing::io::Builder;
    let b = Builder::new()
        .name("smtp")
        .read(b"220 hi\r\n")
        .write(b"EHLO\r\n");
    let text = format!("{b:?}");
    assert!(text.contains("smtp"), "{text}");
    let (read, write) = (text.find("read").unwrap(), text.find("write").unwrap());
    assert!(read < write, "{text}");
}
