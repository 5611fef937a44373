//! TESTING.md kept true.
//!
//! The page's ```` ```rust ```` blocks are doctests (`tests/lib.rs` includes
//! the page). Its `#[runtime::test]` examples cannot be: a doctest is
//! compiled without `--test`, which removes every `#[test]` function. So
//! each of them is here, verbatim, as a real test, named after its section;
//! [`every_attribute_example_on_the_page_is_a_test_here`] checks that each
//! `rust,ignore` block of the page appears in this file. The examples that
//! fail on purpose are `#[ignore]`d (run one with `cargo test -p
//! integration-tests --test testing_md -- --ignored NAME` to see its
//! failure); [`the_failures_quoted_on_the_page_are_what_the_runner_prints`]
//! runs them and compares their messages with the page's ```` ```text ````
//! blocks.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use runtime::net::UdpSocket;
use runtime::sync::{mpsc, oneshot};
use runtime::time::{Instant, interval, sleep, timeout};
use runtime::{spawn, threaded};

// ---- 1. The attribute ------------------------------------------------------

#[runtime::test]
async fn a_timeout_fires() {
    let slow = sleep(Duration::from_secs(3600));
    let result = timeout(Duration::from_secs(1), slow).await;
    assert!(result.is_err()); // at once: the clock is virtual
}

#[runtime::test]
async fn a_test_may_return_a_result() -> Result<(), std::io::Error> {
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    assert!(socket.local_addr()?.port() > 0);
    Ok(())
}

// ---- 2. Virtual time -------------------------------------------------------

#[runtime::test]
async fn an_hour_passes_at_once() {
    let start = Instant::now();
    let wall = std::time::Instant::now();
    sleep(Duration::from_secs(3600)).await;
    assert_eq!(start.elapsed(), Duration::from_secs(3600)); // to the millisecond
    assert!(wall.elapsed() < Duration::from_secs(1)); // and no real hour
}

#[runtime::test(real_clock, timeout = "10s")]
async fn a_reply_from_a_std_thread() {
    let (tx, rx) = oneshot::channel();
    let worker = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        tx.send("done").unwrap();
    });
    assert_eq!(rx.await, Ok("done"));
    worker.join().unwrap();
}

// ---- 6. Deadlocks and hangs ------------------------------------------------

#[runtime::test]
#[ignore = "fails on purpose: TESTING.md quotes its failure"]
async fn a_request_and_its_reply_wait_for_each_other() {
    let (request_tx, mut requests) = mpsc::channel::<u32>(1);
    let (reply_tx, reply) = oneshot::channel::<u32>();
    let server = spawn(async move {
        let n = requests.recv().await.unwrap();
        reply_tx.send(n * 2).unwrap();
    });
    let client = spawn(async move {
        // The bug: the client waits for the reply before it sends the request.
        let doubled = reply.await.unwrap();
        request_tx.send(21).await.unwrap();
        doubled
    });
    assert_eq!(client.await.unwrap(), 42);
    server.await.unwrap();
}

#[runtime::test(timeout = "5s")]
#[ignore = "fails on purpose: TESTING.md quotes its failure"]
async fn a_datagram_that_never_comes() {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let listener = spawn(async move {
        let mut buf = [0u8; 64];
        socket.recv_from(&mut buf).await.map(|(n, _)| n)
    });
    // Nobody sends to the socket: the listener waits on its fd forever.
    let n = listener.await.unwrap().unwrap();
    assert!(n > 0);
}

// ---- 7. Tasks left pending -------------------------------------------------

#[runtime::test]
#[ignore = "fails on purpose: TESTING.md quotes its failure"]
async fn a_forgotten_heartbeat() {
    let beats = Rc::new(Cell::new(0));
    let counter = beats.clone();
    spawn(async move {
        let mut every = interval(Duration::from_secs(1));
        loop {
            every.tick().await;
            counter.set(counter.get() + 1);
        }
    });
    sleep(Duration::from_millis(3500)).await;
    assert_eq!(beats.get(), 4); // ticks at 0, 1, 2 and 3 s
}

#[runtime::test]
async fn a_heartbeat_stopped_at_the_end() {
    let beats = Rc::new(Cell::new(0));
    let counter = beats.clone();
    let heartbeat = spawn(async move {
        let mut every = interval(Duration::from_secs(1));
        loop {
            every.tick().await;
            counter.set(counter.get() + 1);
        }
    });
    sleep(Duration::from_millis(3500)).await;
    assert_eq!(beats.get(), 4);
    heartbeat.abort();
    assert!(heartbeat.await.unwrap_err().is_cancelled());
}

#[runtime::test(allow_pending)]
async fn a_heartbeat_left_running_on_purpose() {
    spawn(async {
        let mut every = interval(Duration::from_secs(1));
        loop {
            every.tick().await;
        }
    });
    sleep(Duration::from_millis(3500)).await;
}

// ---- 8. Schedule exploration -------------------------------------------------

#[runtime::test(explore = 200)]
#[ignore = "fails on purpose: TESTING.md quotes its failure"]
async fn both_workers_are_counted() {
    let total = Rc::new(Cell::new(0));
    let (to_a, input_a) = oneshot::channel();
    let (to_b, input_b) = oneshot::channel();
    let producer = spawn(async move {
        to_a.send(1).unwrap();
        to_b.send(10).unwrap();
    });
    let worker = |input: oneshot::Receiver<u32>| {
        let total = total.clone();
        spawn(async move {
            let before = total.get(); // the bug: read before the await...
            let x = input.await.unwrap();
            total.set(before + x); // ...written after it
        })
    };
    let (a, b) = (worker(input_a), worker(input_b));
    producer.await.unwrap();
    a.await.unwrap();
    b.await.unwrap();
    assert_eq!(total.get(), 11, "a worker's result was lost");
}

#[runtime::test(explore = 200)]
async fn both_workers_are_counted_once_fixed() {
    let total = Rc::new(Cell::new(0));
    let (to_a, input_a) = oneshot::channel();
    let (to_b, input_b) = oneshot::channel();
    let producer = spawn(async move {
        to_a.send(1).unwrap();
        to_b.send(10).unwrap();
    });
    let worker = |input: oneshot::Receiver<u32>| {
        let total = total.clone();
        spawn(async move {
            let x = input.await.unwrap();
            total.set(total.get() + x); // read and write with no await between
        })
    };
    let (a, b) = (worker(input_a), worker(input_b));
    producer.await.unwrap();
    a.await.unwrap();
    b.await.unwrap();
    assert_eq!(total.get(), 11, "a worker's result was lost");
}

// ---- 9. The thread model ---------------------------------------------------

#[runtime::test(threaded, timeout = "30s")]
fn four_threads_count_to_four() {
    let count = Arc::new(AtomicU32::new(0));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let count = count.clone();
            threaded::spawn(move || count.fetch_add(1, Ordering::SeqCst))
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(count.load(Ordering::SeqCst), 4);
}

// ---- The page's blocks, checked ----------------------------------------------

const PAGE: &str = include_str!("../TESTING.md");
const THIS_FILE: &str = include_str!("testing_md.rs");

/// The fenced blocks of the page: (info string, text).
fn blocks(page: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in page.lines() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => open = Some((info.trim().to_string(), String::new())),
            (Some(_), Some("")) => out.extend(open.take()),
            (Some((_, text)), _) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "TESTING.md: a code block is not closed");
    out
}

/// The message of a panic payload.
fn message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// What may differ between the page and a run without the page being
/// wrong: the line and column of a spawn site (this file's lines move when
/// it is edited) and an fd number (the tests of this binary run in
/// parallel and open their own).
fn normalized(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text.trim_end();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("tests/testing_md.rs:") {
            out.push_str("tests/testing_md.rs:L:C");
            rest = after.trim_start_matches(|c: char| c.is_ascii_digit() || c == ':');
            // Keep the ':' that ends "spawned at FILE:L:C: waiting".
            if after.len() > rest.len() && after[..after.len() - rest.len()].ends_with(':') {
                out.push(':');
            }
        } else if let Some(after) = rest.strip_prefix("fd ") {
            out.push_str("fd N");
            rest = after.trim_start_matches(|c: char| c.is_ascii_digit());
        } else {
            let c = rest.chars().next().unwrap_or_default();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The failure the page quotes for the test `name`: its ```` ```text ````
/// block is `cargo test`'s output, a `thread 'NAME' (TID) panicked at
/// tests/testing_md.rs:LINE:COL:` line and then the message, returned here.
fn quoted(name: &str) -> String {
    let header = format!("thread '{name}' ");
    let found: Vec<String> = blocks(PAGE)
        .into_iter()
        .filter(|(info, text)| info == "text" && text.starts_with(&header))
        .map(|(_, text)| text)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "TESTING.md should quote the failure of {name} once"
    );
    let text = found.into_iter().next().unwrap_or_default();
    let (first, message) = text.split_once('\n').unwrap_or_default();
    assert!(
        first.contains(") panicked at tests/testing_md.rs:") && first.ends_with(':'),
        "the quote of {name} starts with cargo test's `thread ... panicked at` line: {first}"
    );
    message.to_string()
}

#[test]
fn the_failures_quoted_on_the_page_are_what_the_runner_prints() {
    let failing: [(&str, fn()); 4] = [
        (
            "a_request_and_its_reply_wait_for_each_other",
            a_request_and_its_reply_wait_for_each_other,
        ),
        ("a_datagram_that_never_comes", a_datagram_that_never_comes),
        ("a_forgotten_heartbeat", a_forgotten_heartbeat),
        ("both_workers_are_counted", both_workers_are_counted),
    ];
    for (name, test) in failing {
        let printed = message(catch_unwind(AssertUnwindSafe(test)).expect_err(name));
        assert_eq!(
            normalized(&printed),
            normalized(&quoted(name)),
            "TESTING.md's quote of {name} differs from what the runner prints; it printed:\n{printed}"
        );
    }
}

#[test]
fn every_attribute_example_on_the_page_is_a_test_here() {
    let mut checked = 0;
    for (info, text) in blocks(PAGE) {
        if info == "rust,ignore" && text.contains("#[runtime::test") {
            assert!(
                THIS_FILE.contains(&text),
                "this #[runtime::test] example of TESTING.md is not a test in \
                 tests/testing_md.rs (copy it here verbatim):\n{text}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} attribute examples found");
}

#[test]
fn every_rust_block_on_the_page_is_a_doctest_or_a_test_here() {
    for (info, text) in blocks(PAGE) {
        let runs = info == "rust";
        let attribute_example = info == "rust,ignore" && text.contains("#[runtime::test");
        let foreign = info == "rust,ignore" && text.contains("tokio");
        assert!(
            !info.starts_with("rust") || runs || attribute_example || foreign,
            "a ```{info} block of TESTING.md is neither a doctest, nor a \
             #[runtime::test] example checked here, nor tokio's code:\n{text}"
        );
    }
}
