//! Leaf objects (timers, sockets, `JoinHandle`s) away from their runtime:
//! sent to other threads, dropped there, and used after their runtime is
//! gone (issue #13, item 6 and the `Send` leaf futures).
//!
//! They name their runtime by id (`runtime/src/handle.rs`): on the loop's
//! thread they work as before; dropped anywhere else, they send their
//! clean-up to the loop; polled anywhere else, a timer panics and an I/O
//! operation returns an error, each saying why, instead of hanging.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use integration_tests::within;
use runtime::net::{OwnedReadHalf, OwnedWriteHalf, TcpListener, TcpStream, UdpSocket};
use runtime::time::{Instant, Interval, Sleep, Timeout, sleep};
use runtime::{JoinHandle, Runtime, spawn};

fn paused() -> Runtime {
    Runtime::builder().paused_clock(true).build().unwrap()
}

fn message(panic: Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
fn leaf_futures_and_sockets_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}
    send_sync::<Sleep>();
    send_sync::<Timeout<Sleep>>();
    send_sync::<Interval>();
    send_sync::<JoinHandle<u32>>();
    send_sync::<TcpStream>();
    send_sync::<TcpListener>();
    send_sync::<UdpSocket>();
    send_sync::<OwnedReadHalf>();
    send_sync::<OwnedWriteHalf>();
    // What tower and hyper's `rt::Timer` ask for.
    let boxed: Pin<Box<dyn Future<Output = ()> + Send + Sync>> =
        Box::pin(sleep(Duration::from_millis(1)));
    send(&boxed);
    runtime::block_on(async {
        let read = runtime::fs::read("/dev/null");
        send(&read);
        let job = runtime::spawn_blocking(|| 1);
        send(&job);
        let connect = TcpStream::connect("127.0.0.1:9");
        send(&connect);
        let _ = job.await;
        drop((read, connect, boxed));
    });
}

/// A `Sleep` registered in a runtime that was then dropped: awaited in
/// another runtime it used to stay pending forever (its wheel was gone).
#[test]
#[allow(
    clippy::async_yields_async,
    reason = "the registered Sleep is carried out of block_on on purpose"
)]
fn a_sleep_from_a_dropped_runtime_panics_clearly() {
    let first = Runtime::new().unwrap();
    let mut sleep = first.block_on(async {
        let mut sleep = Box::pin(sleep(Duration::from_millis(20)));
        assert!(
            poll_fn(|cx| Poll::Ready(sleep.as_mut().poll(cx)))
                .await
                .is_pending()
        );
        sleep
    });
    drop(first);
    let second = Runtime::new().unwrap();
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        within_runtime(&second, async { sleep.as_mut().await })
    }))
    .expect_err("a sleep whose runtime is gone can never complete");
    let msg = message(panic);
    assert!(msg.contains("was dropped"), "{msg}");
    assert!(msg.contains("runtime::time::Sleep"), "{msg}");
}

fn within_runtime<F: Future>(rt: &Runtime, f: F) -> F::Output {
    rt.block_on(f)
}

/// A `TcpStream` with data waiting, made in a runtime that was then
/// dropped: a read in another runtime used to get nothing, forever.
#[test]
fn a_read_on_a_stream_from_a_dropped_runtime_is_an_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let first = Runtime::new().unwrap();
    let mut stream = first.block_on(async {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let mut buf = [0u8; 2];
        // Leave a read pending, so the reactor holds a waiter for it.
        let read = runtime::time::timeout(Duration::from_millis(1), stream.read(&mut buf)).await;
        assert!(read.is_err());
        stream
    });
    let (mut peer, _) = listener.accept().unwrap();
    std::io::Write::write_all(&mut peer, b"hi").unwrap();
    drop(first);
    let err = within(Duration::from_secs(20), "read after drop", move || {
        Runtime::new().unwrap().block_on(async move {
            let mut buf = [0u8; 2];
            stream
                .read(&mut buf)
                .await
                .expect_err("its runtime is gone")
        })
    });
    assert!(err.to_string().contains("has been dropped"), "{err}");
}

/// Polled on another thread while its runtime is alive: a clear panic.
#[test]
#[allow(
    clippy::async_yields_async,
    reason = "the registered Sleep is carried out of block_on on purpose"
)]
fn a_sleep_polled_on_another_thread_panics_clearly() {
    let rt = Runtime::new().unwrap();
    let sleep = rt.block_on(async {
        let mut sleep = Box::pin(sleep(Duration::from_secs(60)));
        assert!(
            poll_fn(|cx| Poll::Ready(sleep.as_mut().poll(cx)))
                .await
                .is_pending()
        );
        sleep
    });
    let panic = std::thread::spawn(move || futures::executor::block_on(sleep))
        .join()
        .expect_err("only the runtime's own thread can await it");
    let msg = message(panic);
    assert!(
        msg.contains("outside the runtime it was registered with"),
        "{msg}"
    );
}

/// A registered `Sleep` dropped on another thread: the loop removes its
/// timer on its next turn, so a paused clock does not jump to it.
#[test]
fn a_sleep_dropped_on_another_thread_is_cancelled() {
    let rt = paused();
    rt.block_on(async {
        let start = Instant::now();
        let mut hour = Box::pin(sleep(Duration::from_secs(3600)));
        assert!(
            poll_fn(|cx| Poll::Ready(hour.as_mut().poll(cx)))
                .await
                .is_pending()
        );
        std::thread::spawn(move || drop(hour)).join().unwrap();
        sleep(Duration::from_millis(5)).await;
        runtime::time::sleep(Duration::from_millis(5)).await;
        assert_eq!(start.elapsed(), Duration::from_millis(10));
    });
    assert_eq!(rt.stats().timers_cancelled, 1);
    assert_eq!(rt.stats().timers_fired, 2);
}

/// A `JoinHandle` dropped on another thread detaches its task (which then
/// runs to the end and leaves the table); one `abort`ed from another
/// thread is cancelled.
#[test]
fn join_handles_dropped_and_aborted_on_another_thread() {
    let rt = paused();
    rt.block_on(async {
        let detached = spawn(async {
            sleep(Duration::from_millis(5)).await;
            7
        });
        std::thread::spawn(move || drop(detached)).join().unwrap();
        let aborted = spawn(async { sleep(Duration::from_secs(3600)).await });
        let handle = std::sync::Arc::new(aborted);
        let remote = handle.clone();
        std::thread::spawn(move || remote.abort()).join().unwrap();
        sleep(Duration::from_millis(10)).await;
        let aborted = std::sync::Arc::into_inner(handle).unwrap();
        assert!(aborted.await.unwrap_err().is_cancelled());
    });
    assert_eq!(rt.stats().tasks_live, 0, "the detached task left the table");
}

/// A stream moved to another thread and back still works on the loop, and
/// one dropped on another thread frees its reactor slot: with nothing else
/// left, the paused clock reports the deadlock instead of waiting on it.
#[test]
fn sockets_move_between_threads() {
    let panic = within(Duration::from_secs(20), "sockets across threads", || {
        let rt = paused();
        rt.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            let client = TcpStream::connect(addr).await.unwrap();
            let (mut server, _) = listener.accept().await.unwrap();
            let mut client = std::thread::spawn(move || client).join().unwrap();
            client.write_all(b"ping").await.unwrap();
            let mut buf = [0u8; 4];
            server.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"ping");
            std::thread::spawn(move || drop((client, server, listener)))
                .join()
                .unwrap();
        });
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(std::future::pending::<()>())
        }))
        .map_err(message)
    })
    .expect_err("no task, timer or socket is left");
    assert!(panic.contains("deadlock"), "{panic}");
}
