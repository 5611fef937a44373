//! Faults: what the peers, the OS and user code can do to the runtime, and
//! what it must do in return (issue: reliability). Each test names the fault
//! and asserts the behaviour, not just survival. Neighbours elsewhere:
//! `net.rs` (a peer reset mid-write without SIGPIPE, EMFILE on accept, a
//! refused connect, EOF inside `read_exact`, a flooding connection),
//! `blocking.rs` (a panicking blocking job), `core.rs` (panicking tasks).

use std::cell::Cell;
use std::io::{Read, Write};
use std::net::Shutdown;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::Duration;

use runtime::net::{TcpListener, TcpStream};
use runtime::time::{sleep, timeout};
use runtime::{Runtime, spawn, spawn_blocking, yield_now};

/// The tests of this file run one at a time: one counts the process's open
/// descriptors, and one sends signals to whole threads.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A connected pair: ours (on the loop) and a plain blocking std peer.
async fn pair() -> (TcpStream, std::net::TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("local_addr");
    let peer = std::net::TcpStream::connect(addr).expect("connect");
    let (ours, _) = listener.accept().await.expect("accept");
    (ours, peer)
}

#[test]
fn half_close_works_in_both_directions() {
    let _serial = serial();
    Runtime::new().unwrap().block_on(async {
        let (mut ours, mut peer) = pair().await;
        // The peer says all it has to say and shuts its write side.
        peer.write_all(b"request").unwrap();
        peer.shutdown(Shutdown::Write).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 64];
        loop {
            let n = ours.read(&mut buf).await.unwrap();
            if n == 0 {
                break; // EOF: the peer's half-close
            }
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, b"request");
        // Our side is still open for writing, and the peer still reads.
        ours.write_all(b"response").await.unwrap();
        // Our half-close gives the peer EOF after the data.
        ours.shutdown(Shutdown::Write).unwrap();
        let reader = std::thread::spawn(move || {
            let mut all = Vec::new();
            peer.read_to_end(&mut all).map(|_| all)
        });
        // Reading again at EOF keeps returning 0, not an error or a hang.
        assert_eq!(ours.read(&mut buf).await.unwrap(), 0);
        assert_eq!(reader.join().unwrap().unwrap(), b"response");
    });
}

#[test]
fn a_peer_sending_one_byte_at_a_time_is_reassembled() {
    let _serial = serial();
    let message: Vec<u8> = (0..600u32).map(|i| (i * 7 % 251) as u8).collect();
    let expected = message.clone();
    Runtime::new().unwrap().block_on(async move {
        let (mut ours, mut peer) = pair().await;
        peer.set_nodelay(true).unwrap();
        let writer = std::thread::spawn(move || {
            for (i, byte) in message.iter().enumerate() {
                peer.write_all(std::slice::from_ref(byte)).unwrap();
                if i % 50 == 0 {
                    std::thread::sleep(Duration::from_millis(1)); // separate segments
                }
            }
            peer
        });
        // Meanwhile the loop keeps serving another task.
        let ticks = Rc::new(Cell::new(0u32));
        let ticker = spawn({
            let ticks = ticks.clone();
            async move {
                loop {
                    ticks.set(ticks.get() + 1);
                    yield_now().await;
                }
            }
        });
        let mut got = vec![0u8; expected.len()];
        ours.read_exact(&mut got).await.unwrap();
        assert_eq!(got, expected);
        let _peer = writer.join().unwrap();
        ticker.abort();
        assert!(ticks.get() > 0);
    });
}

#[test]
fn a_peer_that_never_reads_gets_backpressure_not_an_unbounded_buffer() {
    let _serial = serial();
    const TOTAL: usize = 256 << 20; // far more than any socket buffer
    Runtime::new().unwrap().block_on(async {
        let (ours, peer) = pair().await;
        let sent = Rc::new(Cell::new(0usize));
        let writer = spawn({
            let sent = sent.clone();
            async move {
                let mut ours = ours;
                let chunk = vec![7u8; 64 << 10];
                while sent.get() < TOTAL {
                    let n = ours.write(&chunk).await.expect("write");
                    sent.set(sent.get() + n);
                }
            }
        });
        // Let the loop go round many times: the writer fills the socket
        // buffers and then waits for writability that never comes, while
        // this task keeps running (the loop is not blocked).
        let mut last = usize::MAX;
        let mut stable_for = 0;
        for _ in 0..100_000 {
            yield_now().await;
            if sent.get() == last {
                stable_for += 1;
                if stable_for > 5_000 {
                    break;
                }
            } else {
                last = sent.get();
                stable_for = 0;
            }
        }
        assert!(
            !writer.is_finished(),
            "256 MiB cannot fit in the socket buffers"
        );
        let buffered = sent.get();
        assert!(buffered > 0, "nothing was written at all");
        assert!(
            buffered < 64 << 20,
            "{buffered} bytes accepted by a peer that never reads: not backpressure"
        );
        // The writer is parked on writability, visible in the task dump.
        let dump = runtime::inspect::dump().to_string();
        assert!(dump.contains("writable"), "{dump}");
        writer.abort();
        assert!(writer.await.unwrap_err().is_cancelled());
        drop(peer);
    });
}

/// A value whose destructor panics.
struct PanicsOnDrop(&'static str);
impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!("{}", self.0);
        }
    }
}

#[test]
fn a_task_that_panics_inside_drop_is_reported_and_the_loop_goes_on() {
    let _serial = serial();
    // Keep the expected panics' messages out of the test output.
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        // 1. Dropped by abort: the panic becomes the handle's error.
        let aborted = spawn(async {
            let _bomb = PanicsOnDrop("drop panicked on abort");
            std::future::pending::<()>().await;
        });
        yield_now().await;
        aborted.abort();
        let err = aborted.await.unwrap_err();
        assert!(err.is_panic(), "{err}");
        assert!(err.to_string().contains("drop panicked on abort"), "{err}");

        // 2. Dropped when the future completes: the same.
        let completed = spawn(async {
            let _bomb = PanicsOnDrop("drop panicked on completion");
            yield_now().await;
            42
        });
        let err = completed.await.unwrap_err();
        assert!(err.is_panic(), "{err}");

        // 3. A detached task whose *output* panics when dropped: nobody can
        //    receive it, the loop reports it and runs on.
        drop(spawn(async { PanicsOnDrop("drop of a detached output") }));
        for _ in 0..3 {
            yield_now().await;
        }

        // The loop is fine: new tasks run.
        assert_eq!(spawn(async { 7 }).await.unwrap(), 7);
    });
    // 4. At runtime drop: a pending task whose destructor panics.
    rt.block_on(async {
        drop(spawn(async {
            let _bomb = PanicsOnDrop("drop panicked at runtime drop");
            std::future::pending::<()>().await;
        }));
        yield_now().await;
    });
    drop(rt); // reported on stderr, not propagated
    // And a runtime still works on this thread afterwards.
    assert_eq!(Runtime::new().unwrap().block_on(async { 1 }), 1);
}

extern "C" fn on_signal(_: libc::c_int) {}

/// Installs a no-op SIGUSR1 handler *without* `SA_RESTART`, so that a
/// blocked system call returns EINTR instead of being restarted.
fn install_sigusr1() {
    // SAFETY: a zeroed sigaction is a valid starting value; the handler is
    // an `extern "C" fn(c_int)` that does nothing (async-signal-safe).
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
        action.sa_flags = 0;
        libc::sigemptyset(&mut action.sa_mask);
        assert_eq!(
            libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut()),
            0
        );
    }
}

/// Sends SIGUSR1 to `thread` until `stop` is set (tens of thousands a
/// second), counting in `sent`.
fn hammer(
    thread: libc::pthread_t,
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicUsize>,
) -> std::thread::JoinHandle<()> {
    // `pthread_t` is a plain integer on Linux/glibc.
    std::thread::spawn(move || {
        while !stop.load(Ordering::SeqCst) {
            // SAFETY: `thread` is alive until `stop` is set: its owner sets
            // `stop` and joins this thread before letting it exit.
            unsafe { libc::pthread_kill(thread, libc::SIGUSR1) };
            sent.fetch_add(1, Ordering::SeqCst);
            // A pause, or the target spends all its time in the handler:
            // an unthrottled storm starved the waking thread so that it made
            // one wake in three seconds (found by this test's first version).
            std::thread::sleep(Duration::from_micros(10));
        }
    })
}

/// Spins until `counter` reaches `at_least`.
fn wait_for(counter: &AtomicUsize, at_least: usize) {
    while counter.load(Ordering::SeqCst) < at_least {
        std::thread::yield_now();
    }
}

#[test]
fn wakes_survive_a_storm_of_signals_on_the_waker_and_on_the_loop() {
    let _serial = serial();
    install_sigusr1();
    const WAKES: usize = 20_000;
    let count = Arc::new(AtomicUsize::new(0));
    let slot: Arc<Mutex<Option<Waker>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let (to_loop, to_waker) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    // SAFETY: pthread_self has no preconditions.
    let loop_thread = unsafe { libc::pthread_self() };
    let on_loop = hammer(loop_thread, stop.clone(), to_loop.clone());

    // The waking thread: bumps the counter and wakes, WAKES times, while
    // being interrupted by signals itself; now and then it pauses, so that
    // the loop goes to sleep in epoll_wait and is woken (or interrupted)
    // there.
    let waking_thread = {
        let (count, slot, to_loop, to_waker) = (
            count.clone(),
            slot.clone(),
            to_loop.clone(),
            to_waker.clone(),
        );
        std::thread::spawn(move || {
            // SAFETY: as above.
            let me = unsafe { libc::pthread_self() };
            let stop_mine = Arc::new(AtomicBool::new(false));
            let on_me = hammer(me, stop_mine.clone(), to_waker.clone());
            wait_for(&to_waker, 1_000);
            wait_for(&to_loop, 1_000);
            for i in 0..WAKES {
                count.fetch_add(1, Ordering::SeqCst);
                if let Some(w) = slot.lock().unwrap().as_ref() {
                    w.wake_by_ref();
                }
                if i % 1_000 == 0 {
                    std::thread::sleep(Duration::from_micros(200));
                }
            }
            stop_mine.store(true, Ordering::SeqCst);
            on_me.join().unwrap();
        })
    };

    let rt = Runtime::new().unwrap();
    rt.block_on({
        let (count, slot) = (count.clone(), slot.clone());
        async move {
            // Sleeps in epoll_wait between wakes: signals interrupt it. The
            // minute is a bound for a failure, not a measurement.
            timeout(
                Duration::from_secs(60),
                std::future::poll_fn(|cx| {
                    *slot.lock().unwrap() = Some(cx.waker().clone());
                    if count.load(Ordering::SeqCst) == WAKES {
                        Poll::Ready(())
                    } else {
                        Poll::Pending
                    }
                }),
            )
            .await
            .expect("a wake was lost: the last increment was never seen");
        }
    });
    waking_thread.join().unwrap();
    stop.store(true, Ordering::SeqCst);
    on_loop.join().unwrap();
    assert!(to_loop.load(Ordering::SeqCst) >= 1_000);
    assert!(to_waker.load(Ordering::SeqCst) >= 1_000);
    // Coalescing still works under the storm: never more eventfd writes
    // than wakes.
    let stats = rt.stats();
    assert!(stats.eventfd_writes <= WAKES as u64, "{stats:?}");
    assert!(stats.eventfd_writes >= 1, "{stats:?}");
}

/// Open file descriptors of this process.
fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

#[test]
fn dropping_the_runtime_with_everything_pending_leaks_nothing_and_does_not_hang() {
    let _serial = serial();
    let fds_before = open_fds();
    let dropped = Rc::new(Cell::new(0usize));
    struct Counted(Rc<Cell<usize>>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.set(self.0.get() + 1);
        }
    }
    let job_finished = Arc::new(AtomicBool::new(false));
    let (waker_tx, waker_rx) = std::sync::mpsc::channel::<Waker>();
    let rt = Runtime::new().unwrap();
    rt.block_on({
        let dropped = dropped.clone();
        let job_finished = job_finished.clone();
        async move {
            // Tasks waiting on a long timer.
            for _ in 0..10 {
                let guard = Counted(dropped.clone());
                spawn(async move {
                    let _guard = guard;
                    sleep(Duration::from_secs(3600)).await;
                });
            }
            // A listener waiting to accept, and a connected pair whose
            // reader waits for bytes that never come.
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            let guard = Counted(dropped.clone());
            spawn(async move {
                let _guard = guard;
                let (mut conn, _) = listener.accept().await.unwrap();
                let mut buf = [0u8; 16];
                let _ = conn.read(&mut buf).await;
                unreachable!("nobody writes");
            });
            let client = TcpStream::connect(addr).await.unwrap();
            let guard = Counted(dropped.clone());
            spawn(async move {
                let _guard = guard;
                let mut client = client;
                let mut buf = [0u8; 16];
                let _ = client.read(&mut buf).await;
            });
            // A blocking job that outlives the runtime.
            let job = spawn_blocking(move || {
                std::thread::sleep(Duration::from_secs(2));
                job_finished.store(true, Ordering::SeqCst);
            });
            drop(job);
            // A task whose waker another thread holds.
            let guard = Counted(dropped.clone());
            spawn(async move {
                let _guard = guard;
                std::future::poll_fn(|cx| {
                    let _ = waker_tx.send(cx.waker().clone());
                    Poll::<()>::Pending
                })
                .await;
            });
            // Let everything reach its wait.
            for _ in 0..10 {
                yield_now().await;
            }
        }
    });
    let held = waker_rx.recv().unwrap();
    drop(rt);
    // Right after the drop only the eventfd may remain (see below).
    assert!(
        open_fds() <= fds_before + 1,
        "sockets or epoll outlived the runtime"
    );
    // Destructors of every pending future ran, on this thread, at the drop.
    assert_eq!(dropped.get(), 13);
    // The drop did not wait for the blocking job (it sleeps 2 s).
    assert!(
        !job_finished.load(Ordering::SeqCst),
        "the drop waited for a blocking job"
    );
    // A waker woken after its runtime is gone, from another thread: harmless.
    std::thread::spawn(move || {
        held.wake_by_ref();
        held.wake();
    })
    .join()
    .unwrap();
    // The sockets and epoll are closed at once; the eventfd lives on while
    // the blocking job that may still signal it runs, and closes after.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while open_fds() != fds_before && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(job_finished.load(Ordering::SeqCst) || open_fds() == fds_before);
    // Every descriptor (epoll, eventfd, listener, both sockets) is closed.
    assert_eq!(open_fds(), fds_before, "file descriptors leaked");
}
