//! `runtime::spawn_blocking` and the blocking pool.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use runtime::Runtime;
use runtime::time::{Instant, interval, sleep, timeout};

#[test]
fn the_loop_keeps_ticking_while_a_job_sleeps() {
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let ticks = Rc::new(Cell::new(0u32));
        let counted = ticks.clone();
        let ticker = runtime::spawn(async move {
            let mut every = interval(Duration::from_millis(10));
            loop {
                every.tick().await;
                counted.set(counted.get() + 1);
            }
        });
        let start = ticks.get();
        let out = runtime::spawn_blocking(|| {
            std::thread::sleep(Duration::from_millis(300));
            "slept"
        })
        .await
        .unwrap();
        assert_eq!(out, "slept");
        let during = ticks.get() - start;
        assert!(during >= 10, "only {during} ticks during a 300 ms job");
        ticker.abort();
    });
    let stats = rt.stats();
    assert_eq!(stats.blocking_jobs, 1);
    assert_eq!(stats.blocking_threads_peak, 1);
}

#[test]
fn a_panicking_job_gives_a_join_error_and_the_pool_goes_on() {
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let err = runtime::spawn_blocking(|| -> u32 { panic!("job blew up") })
            .await
            .unwrap_err();
        assert!(err.is_panic());
        assert!(err.to_string().contains("job blew up"), "{err}");
        // The same thread (kept alive) runs the next job.
        let name = runtime::spawn_blocking(|| std::thread::current().name().map(str::to_owned))
            .await
            .unwrap();
        assert_eq!(name.as_deref(), Some("blocking-0"));
    });
    let stats = rt.stats();
    assert_eq!(stats.blocking_jobs, 2);
    assert_eq!(stats.blocking_threads_alive, 1);
    assert_eq!(stats.blocking_threads_peak, 1);
}

#[test]
fn the_thread_cap_is_respected() {
    let rt = Runtime::builder().max_blocking_threads(2).build().unwrap();
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let handles: Vec<_> = (0..6)
            .map(|i| {
                let running = running.clone();
                let most = most.clone();
                runtime::spawn_blocking(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(30));
                    running.fetch_sub(1, Ordering::SeqCst);
                    i
                })
            })
            .collect();
        for (i, h) in handles.into_iter().enumerate() {
            assert_eq!(h.await.unwrap(), i);
        }
    });
    assert!(
        most.load(Ordering::SeqCst) <= 2,
        "more than 2 jobs ran at once"
    );
    let stats = rt.stats();
    assert_eq!(stats.blocking_jobs, 6);
    assert!(stats.blocking_threads_peak <= 2, "{stats:?}");
}

#[test]
fn idle_threads_exit_after_keep_alive() {
    let rt = Runtime::builder()
        .blocking_keep_alive(Duration::from_millis(20))
        .build()
        .unwrap();
    rt.block_on(async {
        runtime::spawn_blocking(|| ()).await.unwrap();
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while rt.stats().blocking_threads_alive > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "idle thread never exited"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // And the pool starts a new one when needed.
    rt.block_on(async {
        assert_eq!(runtime::spawn_blocking(|| 7).await.unwrap(), 7);
    });
    assert_eq!(rt.stats().blocking_jobs, 2);
}

#[runtime::test]
async fn the_paused_clock_holds_still_while_a_job_runs() {
    let start = Instant::now();
    let woke = Rc::new(Cell::new(false));
    let flag = woke.clone();
    let sleeper = runtime::spawn(async move {
        sleep(Duration::from_millis(10)).await;
        flag.set(true);
    });
    runtime::spawn_blocking(|| std::thread::sleep(Duration::from_millis(100)))
        .await
        .unwrap();
    // Had the clock jumped to the sleeper's timer while the job ran, the
    // sleeper would have woken before the job's result was seen.
    assert_eq!(Instant::now() - start, Duration::ZERO);
    assert!(!woke.get());
    sleeper.await.unwrap();
    assert_eq!(Instant::now() - start, Duration::from_millis(10));
}

#[runtime::test]
async fn a_job_alone_is_not_a_deadlock_with_the_paused_clock() {
    let n = runtime::spawn_blocking(|| {
        std::thread::sleep(Duration::from_millis(50));
        3
    })
    .await
    .unwrap();
    assert_eq!(n, 3);
}

#[runtime::test]
async fn an_aborted_wait_releases_the_paused_clock() {
    let (release, wait) = mpsc::channel::<()>();
    let h = runtime::spawn_blocking(move || {
        let _ = wait.recv();
    });
    runtime::yield_now().await;
    h.abort();
    // With the wait dropped, the clock may move again: this sleep ends
    // at once (virtual time) although the job still runs.
    timeout(Duration::from_secs(3600), sleep(Duration::from_secs(60)))
        .await
        .unwrap();
    release.send(()).unwrap();
}

#[test]
fn dropping_the_runtime_does_not_wait_for_a_stuck_job() {
    let (release, wait) = mpsc::channel::<()>();
    let (started_tx, started) = mpsc::channel::<()>();
    let rt = Runtime::builder().max_blocking_threads(1).build().unwrap();
    rt.block_on(async {
        // Runs, and blocks until released.
        drop(runtime::spawn_blocking(move || {
            started_tx.send(()).unwrap();
            let _ = wait.recv();
        }));
        // Queued behind it (one thread): dropped unrun at shutdown.
        drop(runtime::spawn_blocking(|| {
            panic!("a queued job must not run")
        }));
        runtime::spawn_blocking(|| ()).abort();
        runtime::yield_now().await;
    });
    started.recv_timeout(Duration::from_secs(10)).unwrap();
    let t = std::time::Instant::now();
    drop(rt);
    assert!(
        t.elapsed() < Duration::from_secs(1),
        "drop waited for the job"
    );
    release.send(()).unwrap(); // let the detached thread finish
}
