//! Fault injection: the runtime under peers that misbehave, jobs and
//! destructors that panic, signals, and a teardown with everything pending.
//! Each test asserts what the runtime guarantees, not merely that nothing
//! crashed.
//!
//! Two scenarios run in a child process (this test binary re-executed with
//! `--exact child_process_entry` and `FAULTS_TEST_CHILD` set, as in
//! `tests/net.rs`): the reset peer, because it puts `SIGPIPE` back to its
//! default action (kill the process) to prove that no write raises it; and
//! the teardown, because it counts `/proc/self/fd`, which tests running in
//! parallel threads of one process would disturb.
//!
//! Everything is on 127.0.0.1 and bounded by `LIMIT`; no test asserts a
//! duration tighter than machine noise. EMFILE on accept, write after our
//! own shutdown and a reset before the write are in `tests/net.rs`.

use std::cell::Cell;
use std::future::{Future, pending};
use std::io::ErrorKind;
use std::net::Shutdown;
use std::os::fd::AsRawFd;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once, PoisonError, mpsc};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use integration_tests::{default_sigpipe, run_child};
use runtime::net::{TcpListener, TcpStream};
use runtime::time::{sleep, timeout};
use runtime::{Runtime, spawn, spawn_blocking, yield_now};

/// Every test's upper bound: a hang fails instead of stalling CI.
const LIMIT: Duration = Duration::from_secs(30);

fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "<not a string>".to_owned())
}

/// A connected pair on 127.0.0.1: (ours, the peer's), both on this loop.
async fn pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let ours = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (peer, _) = listener.accept().await.unwrap();
    (ours, peer)
}

/// A task that counts its turns on the loop (one per `sleep(1 ms)`): the
/// proof that the loop kept serving other tasks.
fn ticker() -> Rc<Cell<u64>> {
    let ticks = Rc::new(Cell::new(0));
    let t = Rc::clone(&ticks);
    drop(spawn(async move {
        loop {
            sleep(Duration::from_millis(1)).await;
            t.set(t.get() + 1);
        }
    }));
    ticks
}

// ---------------------------------------------------------------------------
// Child processes

#[test]
fn child_process_entry() {
    match std::env::var("FAULTS_TEST_CHILD").as_deref() {
        Ok("reset_mid_write") => reset_mid_write_scenario(),
        Ok("teardown") => teardown_scenario(),
        _ => return,
    }
    println!("CHILD-OK");
}

// ---------------------------------------------------------------------------
// A peer that resets while we write

/// `SO_LINGER` 0: closing the socket sends an RST instead of a FIN.
fn set_linger_zero(fd: i32) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket fd, a pointer to a live `linger` and its size.
    let rc = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0, "setsockopt(SO_LINGER)");
}

#[test]
fn a_peer_that_resets_mid_write_fails_the_write_without_sigpipe() {
    run_child("FAULTS_TEST_CHILD", "reset_mid_write");
}

fn reset_mid_write_scenario() {
    default_sigpipe();
    runtime::block_on(async {
        let ticks = ticker();
        let (mut ours, peer) = pair().await;
        // 64 MiB: far more than the socket buffers hold, so write_all is
        // pending (waiting on writable) when the peer resets.
        let writer = spawn(async move {
            let big = vec![0x5a_u8; 64 << 20];
            let result = ours.write_all(&big).await;
            (result, ours)
        });
        sleep(Duration::from_millis(100)).await;
        assert!(!writer.is_finished(), "64 MiB fit in the socket buffers?");
        let before = ticks.get();
        set_linger_zero(peer.as_raw_fd());
        drop(peer);
        let (result, mut ours) = timeout(LIMIT, writer)
            .await
            .expect("write_all to a reset peer hung")
            .expect("the writer task did not panic");
        let err = result.expect_err("write_all to a reset peer succeeded");
        assert!(
            matches!(
                err.kind(),
                ErrorKind::ConnectionReset | ErrorKind::BrokenPipe
            ),
            "{err:?}"
        );
        // The socket stays failed, still without SIGPIPE.
        let again = ours.write_all(b"more").await.expect_err("write after RST");
        assert!(
            matches!(
                again.kind(),
                ErrorKind::ConnectionReset | ErrorKind::BrokenPipe
            ),
            "{again:?}"
        );
        // And the loop goes on serving other tasks.
        sleep(Duration::from_millis(20)).await;
        assert!(ticks.get() > before, "the ticker stopped");
    });
}

// ---------------------------------------------------------------------------
// Half-close

#[runtime::test(real_clock)]
async fn half_close_gives_eof_one_way_and_keeps_the_other_open() {
    timeout(LIMIT, async {
        let (mut ours, mut peer) = pair().await;
        peer.write_all(b"last words").await.unwrap();
        peer.shutdown(Shutdown::Write).unwrap();

        let mut buf = [0u8; 64];
        let mut got = Vec::new();
        loop {
            let n = ours.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, b"last words");
        // EOF is sticky.
        assert_eq!(ours.read(&mut buf).await.unwrap(), 0);

        // Our write side is still open and the peer still reads.
        ours.write_all(b"reply after your FIN").await.unwrap();
        let mut reply = [0u8; 20];
        peer.read_exact(&mut reply).await.unwrap();
        assert_eq!(&reply, b"reply after your FIN");

        // Our shutdown(Write) gives the peer EOF.
        ours.shutdown(Shutdown::Write).unwrap();
        assert_eq!(peer.read(&mut buf).await.unwrap(), 0);
    })
    .await
    .expect("half-close hung");
}

// ---------------------------------------------------------------------------
// A peer that dribbles

#[test]
fn read_exact_assembles_a_message_sent_one_byte_at_a_time() {
    let rt = Runtime::builder().build().unwrap();
    rt.block_on(async {
        let (mut ours, mut peer) = pair().await;
        peer.set_nodelay(true).unwrap();
        let message: Vec<u8> = (0..600u32).map(|i| (i * 7 % 251) as u8).collect();
        let sent = message.clone();
        let dribbler = spawn(async move {
            for (i, byte) in sent.iter().enumerate() {
                peer.write_all(std::slice::from_ref(byte)).await.unwrap();
                if i % 50 == 0 {
                    sleep(Duration::from_millis(1)).await;
                } else {
                    yield_now().await;
                }
            }
            peer
        });
        let mut got = vec![0u8; message.len()];
        // Count read_exact's polls: each one after the first follows a
        // `Pending`, i.e. a trip back to the reactor for more bytes. (Not
        // `Stats::read_would_block`: a short TCP read now waits for the next
        // edge without a `recv(2)` that returns `EAGAIN`.)
        let mut polls = 0u32;
        {
            let mut read = std::pin::pin!(ours.read_exact(&mut got));
            let counted = std::future::poll_fn(|cx| {
                polls += 1;
                read.as_mut().poll(cx)
            });
            timeout(LIMIT, counted)
                .await
                .expect("read_exact hung")
                .unwrap();
        }
        assert_eq!(got, message);
        // The bytes really came in pieces: read_exact went back to the reactor.
        assert!(polls > 2, "read_exact was polled {polls} times");
        let _peer = dribbler.await.unwrap();
    });
}

// ---------------------------------------------------------------------------
// A peer that never reads

#[test]
fn a_peer_that_never_reads_gives_backpressure_not_unbounded_buffering() {
    // The paused clock: once both socket buffers are full, nothing is
    // ready, so the clock jumps to the timeout at once.
    let rt = Runtime::builder().paused_clock(true).build().unwrap();
    rt.block_on(async {
        let ticks = ticker();
        let (mut ours, mut peer) = pair().await;
        let chunk = vec![7u8; 1 << 20];
        let accepted = Cell::new(0usize);
        let filled = timeout(Duration::from_secs(1), async {
            loop {
                let n = ours.write(&chunk).await.unwrap();
                accepted.set(accepted.get() + n);
            }
        })
        .await;
        assert!(filled.is_err(), "the write loop ended without Elapsed");
        let accepted = accepted.get();
        // What write accepted sits in the kernel's buffers (loopback: our
        // send buffer and the peer's receive buffer), not in the runtime:
        // bounded by their sizes, a few MiB.
        println!("backpressure: write accepted {accepted} bytes before pending");
        assert!(accepted > 0);
        assert!(
            accepted < 64 << 20,
            "write accepted {accepted} bytes: buffering without bound?"
        );
        // The writer was pending on writable, not spinning, and the loop ran
        // the ticker meanwhile (virtual time: ~1,000 ticks of 1 ms).
        assert!(ticks.get() > 100, "ticks: {}", ticks.get());

        // write_all of a big buffer: pending until the timeout.
        let big = vec![9u8; 16 << 20];
        let t0 = runtime::time::Instant::now();
        let r = timeout(Duration::from_secs(5), ours.write_all(&big)).await;
        assert!(r.is_err(), "write_all completed with nobody reading");
        assert!(t0.elapsed() >= Duration::from_secs(5));

        // Once the peer reads, the same stream flows again.
        let reader = spawn(async move {
            let mut buf = vec![0u8; 1 << 16];
            let mut total = 0usize;
            loop {
                let n = peer.read(&mut buf).await.unwrap();
                if n == 0 {
                    return total;
                }
                total += n;
            }
        });
        let small = vec![1u8; 1 << 20];
        ours.write_all(&small).await.unwrap();
        ours.shutdown(Shutdown::Write).unwrap();
        let total = reader.await.unwrap();
        // Everything accepted (the fill, part of `big`, `small`) arrived.
        assert!(
            total >= accepted + small.len(),
            "{total} < {accepted} + 1 MiB"
        );
    });
    assert!(rt.stats().write_would_block > 0, "{:?}", rt.stats());
}

// ---------------------------------------------------------------------------
// A blocking job that panics

#[test]
fn a_panicking_blocking_job_is_reported_and_the_pool_keeps_working() {
    let rt = Runtime::builder().max_blocking_threads(2).build().unwrap();
    rt.block_on(async {
        let err = spawn_blocking(|| -> u32 { panic!("blocking job 42 failed") })
            .await
            .expect_err("the job panicked");
        assert!(err.is_panic() && !err.is_cancelled());
        assert_eq!(payload_text(&*err.into_panic()), "blocking job 42 failed");

        // Later jobs run, on the same (at most two) threads.
        let handles: Vec<_> = (0..20u32).map(|i| spawn_blocking(move || i * i)).collect();
        for (i, h) in (0..20u32).zip(handles) {
            assert_eq!(h.await.unwrap(), i * i);
        }
        // A panic between two good jobs does not disturb them.
        let a = spawn_blocking(|| 1);
        let b = spawn_blocking(|| -> i32 { panic!("again") });
        let c = spawn_blocking(|| 3);
        assert_eq!(a.await.unwrap(), 1);
        assert!(b.await.unwrap_err().is_panic());
        assert_eq!(c.await.unwrap(), 3);
    });
    let stats = rt.stats();
    assert!(stats.blocking_threads_peak <= 2, "{stats:?}");
    assert_eq!(stats.blocking_jobs, 24, "{stats:?}");
}

// ---------------------------------------------------------------------------
// Destructors that panic

/// A future that is pending forever and panics when dropped (unless the
/// thread is already unwinding, which would abort).
struct PendingPanicsOnDrop(&'static str, Arc<AtomicUsize>);

impl Future for PendingPanicsOnDrop {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        Poll::Pending
    }
}

impl Drop for PendingPanicsOnDrop {
    fn drop(&mut self) {
        self.1.fetch_add(1, Ordering::SeqCst);
        if !std::thread::panicking() {
            panic!("{}", self.0);
        }
    }
}

/// A future that is ready at once and panics when dropped afterwards.
struct ReadyPanicsOnDrop;

impl Future for ReadyPanicsOnDrop {
    type Output = u32;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u32> {
        Poll::Ready(7)
    }
}

impl Drop for ReadyPanicsOnDrop {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!("drop after completion");
        }
    }
}

/// Counts its drops.
struct DropCounter(Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_destructor_that_panics_on_abort_is_reported_through_the_join_handle() {
    let drops = Arc::new(AtomicUsize::new(0));
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let h = spawn(PendingPanicsOnDrop("drop on abort", Arc::clone(&drops)));
        yield_now().await;
        h.abort();
        let err = timeout(LIMIT, h).await.unwrap().unwrap_err();
        // The destructor ran (the abort contract) and its panic is the
        // task's outcome: is_panic, not is_cancelled.
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        assert!(err.is_panic(), "{err:?}");
        assert_eq!(payload_text(&*err.into_panic()), "drop on abort");
        // The task table is intact: tasks spawn, run and finish as before.
        let outs: Vec<_> = (0..100).map(|i| spawn(async move { i })).collect();
        for (i, h) in outs.into_iter().enumerate() {
            assert_eq!(h.await.unwrap(), i);
        }
    });
    assert!(rt.dump().tasks.is_empty(), "{}", rt.dump());
}

#[runtime::test]
async fn a_destructor_that_panics_on_completion_becomes_the_tasks_panic() {
    let err = spawn(ReadyPanicsOnDrop).await.unwrap_err();
    // The output (7) is discarded: the panic in dropping the finished
    // future wins, as in tokio.
    assert!(err.is_panic(), "{err:?}");
    assert_eq!(payload_text(&*err.into_panic()), "drop after completion");
    // Detached (no handle to report to): the loop goes on.
    drop(spawn(ReadyPanicsOnDrop));
    yield_now().await;
    yield_now().await;
    assert_eq!(spawn(async { 5 }).await.unwrap(), 5);
}

#[test]
fn a_destructor_that_panics_at_runtime_drop_does_not_stop_the_others() {
    let panicky = Arc::new(AtomicUsize::new(0));
    let counted = Arc::new(AtomicUsize::new(0));
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        for i in 0..10 {
            let c = DropCounter(Arc::clone(&counted));
            drop(spawn(async move {
                let _c = c;
                pending::<()>().await
            }));
            if i % 3 == 0 {
                drop(spawn(PendingPanicsOnDrop(
                    "drop at runtime drop",
                    Arc::clone(&panicky),
                )));
            }
        }
        yield_now().await;
    });
    // The runtime catches each destructor's panic (and reports it on
    // stderr), and goes on dropping the rest: nothing aborts, nothing leaks.
    drop(rt);
    assert_eq!(panicky.load(Ordering::SeqCst), 4);
    assert_eq!(counted.load(Ordering::SeqCst), 10);
    // A new runtime on this thread works.
    assert_eq!(
        runtime::block_on(async { spawn(async { 1 }).await }).unwrap(),
        1
    );
}

// ---------------------------------------------------------------------------
// Signals

static SIGUSR1_HANDLED: AtomicUsize = AtomicUsize::new(0);

extern "C" fn on_sigusr1(_: libc::c_int) {
    SIGUSR1_HANDLED.fetch_add(1, Ordering::Relaxed);
}

/// A no-op `SIGUSR1` handler *without* `SA_RESTART`: a blocking system
/// call that it interrupts fails with `EINTR` instead of being restarted.
fn install_sigusr1() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: a zeroed `sigaction` is a valid starting value; the handler
        // is an `extern "C" fn(c_int)` that only touches an atomic
        // (async-signal-safe); the pointers are to live locals.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_sigusr1 as extern "C" fn(libc::c_int) as libc::sighandler_t;
            sa.sa_flags = 0;
            libc::sigemptyset(&mut sa.sa_mask);
            assert_eq!(libc::sigaction(libc::SIGUSR1, &sa, std::ptr::null_mut()), 0);
        }
    });
}

fn pthread_self() -> libc::pthread_t {
    // SAFETY: `pthread_self` cannot fail and touches no memory of ours.
    unsafe { libc::pthread_self() }
}

/// Sends `SIGUSR1` to `target`, which must be alive (the callers keep it
/// alive until the signaller is joined).
fn signal(target: libc::pthread_t) {
    // SAFETY: `target` is a live thread of this process (see above), and
    // SIGUSR1 has a handler, so it does not terminate the process.
    let rc = unsafe { libc::pthread_kill(target, libc::SIGUSR1) };
    assert_eq!(rc, 0, "pthread_kill");
}

/// The task's side of a cross-thread counter: completes once the other
/// thread has set `finished`, with the count it saw; registers its waker
/// on every pending poll.
struct AwaitFinish {
    waker: Arc<Mutex<Option<Waker>>>,
    finished: Arc<AtomicBool>,
    count: Arc<AtomicUsize>,
    polls: usize,
}

impl Future for AwaitFinish {
    type Output = (usize, usize);
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<(usize, usize)> {
        self.polls += 1;
        *self.waker.lock().unwrap_or_else(PoisonError::into_inner) = Some(cx.waker().clone());
        if self.finished.load(Ordering::Acquire) {
            Poll::Ready((self.count.load(Ordering::SeqCst), self.polls))
        } else {
            Poll::Pending
        }
    }
}

#[test]
fn wakes_from_a_signal_heavy_thread_all_arrive() {
    install_sigusr1();
    const SIGNALS: usize = 5_000;
    let handled_before = SIGUSR1_HANDLED.load(Ordering::Relaxed);
    let rt = Runtime::new().unwrap();
    let (loop_polls, seen, wakes) = rt.block_on(async {
        let waker_slot = Arc::new(Mutex::new(None::<Waker>));
        let finished = Arc::new(AtomicBool::new(false));
        let count = Arc::new(AtomicUsize::new(0));
        let task = spawn(AwaitFinish {
            waker: Arc::clone(&waker_slot),
            finished: Arc::clone(&finished),
            count: Arc::clone(&count),
            polls: 0,
        });
        yield_now().await; // the task has polled once and stored its waker

        let signaller_done = Arc::new(AtomicBool::new(false));
        let (tid_tx, tid_rx) = mpsc::channel();
        // The waking thread: wakes the task until the signaller is done,
        // then publishes the final count and wakes once more.
        let waking = {
            let (slot, finished, count, done) = (
                Arc::clone(&waker_slot),
                Arc::clone(&finished),
                Arc::clone(&count),
                Arc::clone(&signaller_done),
            );
            std::thread::spawn(move || {
                tid_tx.send(pthread_self()).unwrap();
                let mut wakes = 0;
                let wake = |wakes: &mut usize| {
                    let w = slot.lock().unwrap_or_else(PoisonError::into_inner).clone();
                    if let Some(w) = w {
                        w.wake_by_ref();
                        *wakes += 1;
                    }
                };
                while !done.load(Ordering::SeqCst) {
                    count.fetch_add(1, Ordering::SeqCst);
                    wake(&mut wakes);
                }
                count.fetch_add(1, Ordering::SeqCst);
                finished.store(true, Ordering::Release);
                wake(&mut wakes);
                wakes
            })
        };
        let waking_tid = tid_rx.recv().unwrap();
        let loop_tid = pthread_self();
        // Signals both to the waking thread (EINTR around its eventfd
        // writes) and to the loop thread (EINTR in its epoll_wait).
        let signaller = {
            let done = Arc::clone(&signaller_done);
            std::thread::spawn(move || {
                for i in 0..SIGNALS {
                    signal(if i % 2 == 0 { waking_tid } else { loop_tid });
                    if i % 16 == 0 {
                        std::thread::yield_now();
                    }
                }
                done.store(true, Ordering::SeqCst);
            })
        };
        let (seen, polls) = timeout(LIMIT, task)
            .await
            .expect("a wake was lost: the task never saw the final count")
            .unwrap();
        // The loop thread stays alive (it is this one) until the signaller
        // is done; the waking thread ends on its own after `done`.
        signaller.join().unwrap();
        let wakes = waking.join().unwrap();
        assert_eq!(seen, count.load(Ordering::SeqCst));
        (polls, seen, wakes)
    });
    assert!(wakes >= 1 && seen >= 1);
    // Coalesced wakes: at most one poll per wake, plus the first.
    assert!(
        loop_polls <= wakes + 1,
        "{loop_polls} polls for {wakes} wakes"
    );
    assert!(
        SIGUSR1_HANDLED.load(Ordering::Relaxed) > handled_before,
        "no signal was delivered"
    );
}

#[test]
fn signals_to_the_loop_sleeping_in_epoll_wait_neither_wake_a_timer_early_nor_hang() {
    install_sigusr1();
    let rt = Runtime::new().unwrap();
    let loop_tid = pthread_self();
    let stop = Arc::new(AtomicBool::new(false));
    let signaller = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut sent = 0usize;
            while !stop.load(Ordering::SeqCst) {
                signal(loop_tid);
                sent += 1;
                std::thread::sleep(Duration::from_micros(200));
            }
            sent
        })
    };
    let before = rt.stats().epoll_waits;
    let elapsed = rt.block_on(async {
        let t0 = runtime::time::Instant::now();
        // No other task: the loop sleeps in epoll_wait for the timer, and
        // each signal interrupts it.
        timeout(LIMIT, sleep(Duration::from_millis(300)))
            .await
            .expect("sleep under signals hung");
        t0.elapsed()
    });
    stop.store(true, Ordering::SeqCst);
    let sent = signaller.join().unwrap();
    let waits = rt.stats().epoll_waits - before;
    assert!(sent > 0);
    // Never early: an EINTR is a turn with no events, not a fired timer.
    assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
    // The interrupted epoll_waits were retried (more turns than one sleep
    // needs), not taken as a timeout.
    assert!(waits > 1, "{waits} epoll_waits for {sent} signals");
}

// ---------------------------------------------------------------------------
// Dropping the runtime with everything pending

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

#[test]
fn dropping_the_runtime_with_everything_pending_leaks_nothing_and_does_not_wait() {
    let stderr = run_child("FAULTS_TEST_CHILD", "teardown");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

fn teardown_scenario() {
    let fds_before = open_fds();
    let drops = Arc::new(AtomicUsize::new(0));
    let held_waker = Arc::new(Mutex::new(None::<Waker>));
    let job_done = Arc::new(AtomicBool::new(false));
    let (release_job, release_rx) = mpsc::channel::<()>();
    let rt = Runtime::builder().build().unwrap();
    let expected_drops = rt.block_on(async {
        let mut expected = 0;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        // Connected streams with pending reads, both ends.
        for _ in 0..4 {
            let client = TcpStream::connect(addr).await.unwrap();
            let (server, _) = listener.accept().await.unwrap();
            for mut s in [client, server] {
                let c = DropCounter(Arc::clone(&drops));
                drop(spawn(async move {
                    let _c = c;
                    let mut buf = [0u8; 16];
                    let _ = s.read(&mut buf).await;
                    unreachable!("nobody writes");
                }));
                expected += 1;
            }
        }
        // The listener, in a pending accept.
        let c = DropCounter(Arc::clone(&drops));
        drop(spawn(async move {
            let _c = c;
            let _ = listener.accept().await;
            unreachable!("nobody connects");
        }));
        expected += 1;
        // Timers.
        for i in 0..10u64 {
            let c = DropCounter(Arc::clone(&drops));
            drop(spawn(async move {
                let _c = c;
                sleep(Duration::from_secs(3600 + i)).await;
            }));
            expected += 1;
        }
        // A blocking job still running at the drop, awaited by a task. It
        // must have started before the drop (a queued job that no worker
        // has taken yet is dropped unrun, as tokio's are; on a loaded
        // machine a worker can take longer than the yields below), and it
        // runs until the test lets it go after the drop (or LIMIT: a drop
        // that waited for it would then find it done, and fail below).
        let done = Arc::clone(&job_done);
        let started = Arc::new(AtomicBool::new(false));
        let job_started = Arc::clone(&started);
        let job = spawn_blocking(move || {
            job_started.store(true, Ordering::SeqCst);
            let _ = release_rx.recv_timeout(LIMIT);
            done.store(true, Ordering::SeqCst);
        });
        let c = DropCounter(Arc::clone(&drops));
        drop(spawn(async move {
            let _c = c;
            let _ = job.await;
        }));
        expected += 1;
        // A task whose waker another thread holds.
        let c = DropCounter(Arc::clone(&drops));
        let slot = Arc::clone(&held_waker);
        drop(spawn(async move {
            let _c = c;
            std::future::poll_fn(|cx| {
                *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(cx.waker().clone());
                Poll::<()>::Pending
            })
            .await;
        }));
        expected += 1;
        // Let everything start and register.
        for _ in 0..5 {
            yield_now().await;
        }
        sleep(Duration::from_millis(10)).await;
        let deadline = Instant::now() + LIMIT;
        while !started.load(Ordering::SeqCst) {
            assert!(Instant::now() < deadline, "the blocking job never started");
            sleep(Duration::from_millis(1)).await;
        }
        expected
    });
    let waker = held_waker
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
        .expect("the task stored its waker");
    let holder = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        // Woken after the runtime is gone: a no-op, no panic.
        waker.wake_by_ref();
        waker.wake_by_ref();
        drop(waker.clone());
        waker
    });

    let t0 = Instant::now();
    drop(rt);
    let drop_took = t0.elapsed();
    // The drop does not wait for the job, which had started: it is
    // detached (had the drop waited, the job would be done). No bound on
    // `drop_took` itself: a loaded machine's noise is larger than any
    // useful one.
    assert!(!job_done.load(Ordering::SeqCst), "drop waited for the job");
    let _ = release_job.send(());
    // Every pending future's destructor ran.
    assert_eq!(drops.load(Ordering::SeqCst), expected_drops);

    let waker = holder.join().unwrap();
    // The held waker keeps the runtime's wake queue (and its eventfd)
    // alive; dropping it frees them.
    let fds_with_waker = open_fds();
    drop(waker);
    // The detached job finishes on its own and its thread exits.
    let deadline = Instant::now() + LIMIT;
    while !job_done.load(Ordering::SeqCst) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(job_done.load(Ordering::SeqCst));
    let fds_after = open_fds();
    println!(
        "fds: before {fds_before}, with a held waker {fds_with_waker}, after {fds_after}; drop took {drop_took:?}"
    );
    assert!(fds_with_waker <= fds_before + 1);
    assert_eq!(fds_after, fds_before, "fds leaked");
}

#[test]
fn a_detached_tasks_output_that_panics_when_dropped_is_reported_and_the_loop_goes_on() {
    // Nobody can receive this panic (the handle is gone), so the executor
    // catches it and reports it on stderr; before that, it unwound out of
    // `block_on` and took the whole runtime down.
    struct PanicsOnDrop;
    impl Drop for PanicsOnDrop {
        fn drop(&mut self) {
            if !std::thread::panicking() {
                panic!("drop of a detached task's output");
            }
        }
    }
    let rt = Runtime::new().unwrap();
    let answer = rt.block_on(async {
        drop(spawn(async { PanicsOnDrop }));
        for _ in 0..3 {
            yield_now().await;
        }
        spawn(async { 7 }).await.unwrap()
    });
    assert_eq!(answer, 7);
    assert_eq!(rt.stats().tasks_completed, 2);
}
