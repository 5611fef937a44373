//! The event-loop executor: spawn, join, wakers, panics, abort, shutdown.
//!
//! Tests are `#[runtime::test]`s unless they need the runtime outside
//! their body: its `Stats` afterwards, a second `block_on`, dropping it
//! while tasks or wakers live, a child process with its own builder
//! options, a panic caught around `block_on`, or FIFO order itself.

use std::cell::{Cell, RefCell};
use std::future::{Future, poll_fn};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Poll, Waker};
use std::time::Duration;

use runtime::{Runtime, spawn, yield_now};

/// Counts drops, to check that destructors ran.
struct DropCounter(Rc<Cell<usize>>);
impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

/// A future that hands its waker out the first time and is ready once woken.
fn wait_for_wake(out: Rc<RefCell<Option<Waker>>>) -> impl Future<Output = ()> {
    let mut first = true;
    poll_fn(move |cx| {
        if first {
            first = false;
            *out.borrow_mut() = Some(cx.waker().clone());
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
}

#[test]
fn hundred_thousand_tasks_spawned_and_joined() {
    let rt = Runtime::new().unwrap();
    let sum = rt.block_on(async {
        let handles: Vec<_> = (0..100_000u64).map(|i| spawn(async move { i })).collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        sum
    });
    assert_eq!(sum, (0..100_000u64).sum());
    let stats = rt.stats();
    assert_eq!(stats.tasks_spawned, 100_000);
    assert_eq!(stats.tasks_completed, 100_000);
    assert_eq!(stats.tasks_live, 0);
}

// By hand, not #[runtime::test]: FIFO order is the subject, and the
// attribute would take a seeded order from RUNTIME_SEED if it is set.
#[test]
fn yield_now_alternates_two_tasks() {
    let log = Rc::new(RefCell::new(String::new()));
    runtime::block_on({
        let log = log.clone();
        async move {
            let task = |name: char| {
                let log = log.clone();
                spawn(async move {
                    for _ in 0..3 {
                        log.borrow_mut().push(name);
                        yield_now().await;
                    }
                })
            };
            let (a, b) = (task('a'), task('b'));
            a.await.unwrap();
            b.await.unwrap();
        }
    });
    assert_eq!(*log.borrow(), "ababab");
}

// By hand, not #[runtime::test]: FIFO order is the subject, and the
// attribute would take a seeded order from RUNTIME_SEED if it is set.
#[test]
fn tasks_run_in_fifo_order() {
    let log = Rc::new(RefCell::new(Vec::new()));
    runtime::block_on({
        let log = log.clone();
        async move {
            let handles: Vec<_> = (0..10)
                .map(|i| {
                    let log = log.clone();
                    spawn(async move { log.borrow_mut().push(i) })
                })
                .collect();
            for h in handles {
                h.await.unwrap();
            }
        }
    });
    assert_eq!(*log.borrow(), (0..10).collect::<Vec<_>>());
}

#[test]
fn panic_in_task_reaches_join_handle_and_loop_keeps_running() {
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let bad = spawn(async { panic!("boom in a task") });
        let good = spawn(async { 7 });
        let err = bad.await.unwrap_err();
        assert!(err.is_panic());
        assert!(!err.is_cancelled());
        assert!(err.to_string().contains("boom in a task"), "{err}");
        let payload = err.into_panic();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom in a task"));
        assert_eq!(good.await.unwrap(), 7);
    });
    assert_eq!(rt.stats().tasks_panicked, 1);
}

#[test]
fn panic_in_block_on_future_propagates() {
    let rt = Runtime::new().unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async { panic!("main panicked") })
    }));
    assert!(result.is_err());
    // The runtime is still usable afterwards.
    assert_eq!(rt.block_on(async { spawn(async { 1 }).await.unwrap() }), 1);
}

#[runtime::test]
#[should_panic(expected = "block_on called inside a running runtime")]
async fn nested_block_on_panics_clearly() {
    runtime::block_on(async {});
}

#[test]
#[should_panic(expected = "outside a runtime")]
fn spawn_outside_a_runtime_panics_clearly() {
    drop(spawn(async {}));
}

#[runtime::test]
#[should_panic(expected = "into_panic")]
async fn into_panic_on_cancelled_panics() {
    let h = spawn(std::future::pending::<()>());
    h.abort();
    let err = h.await.unwrap_err();
    assert!(err.is_cancelled());
    let _ = err.into_panic();
}

#[runtime::test]
async fn abort_drops_the_future_before_the_handle_reports_cancelled() {
    let drops = Rc::new(Cell::new(0));
    let guard = DropCounter(drops.clone());
    let h = spawn(async move {
        let _guard = guard;
        std::future::pending::<()>().await;
    });
    yield_now().await; // let it start
    assert!(!h.is_finished());
    h.abort();
    let err = h.await.unwrap_err();
    assert!(err.is_cancelled());
    assert_eq!(drops.get(), 1, "destructors ran before is_cancelled");
}

#[runtime::test]
async fn abort_of_a_finished_task_keeps_its_output() {
    let h = spawn(async { 5 });
    yield_now().await;
    assert!(h.is_finished());
    h.abort();
    assert_eq!(h.await.unwrap(), 5);
}

#[runtime::test]
async fn a_task_can_abort_itself_through_its_handle() {
    let slot: Rc<RefCell<Option<runtime::JoinHandle<()>>>> = Rc::default();
    let h = spawn({
        let slot = slot.clone();
        async move {
            yield_now().await;
            if let Some(me) = slot.borrow().as_ref() {
                me.abort();
            }
            std::future::pending::<()>().await;
        }
    });
    // Keep a second handle-like view: abort through the same handle.
    *slot.borrow_mut() = Some(h);
    yield_now().await;
    yield_now().await;
    let h = slot.borrow_mut().take().unwrap();
    assert!(h.await.unwrap_err().is_cancelled());
}

#[runtime::test]
async fn dropping_the_handle_detaches_the_task() {
    let done = Rc::new(Cell::new(false));
    let flag = done.clone();
    drop(spawn(async move {
        yield_now().await;
        flag.set(true);
    }));
    for _ in 0..3 {
        yield_now().await;
    }
    assert!(done.get());
}

#[test]
fn pending_tasks_survive_block_on_and_drop_with_the_runtime() {
    let drops = Rc::new(Cell::new(0));
    let progress = Rc::new(Cell::new(0));
    let rt = Runtime::new().unwrap();
    let waker_slot: Rc<RefCell<Option<Waker>>> = Rc::default();
    rt.block_on({
        let (drops, progress, waker_slot) = (drops.clone(), progress.clone(), waker_slot.clone());
        async move {
            for _ in 0..10 {
                let guard = DropCounter(drops.clone());
                spawn(async move {
                    let _guard = guard;
                    std::future::pending::<()>().await;
                });
            }
            let progress = progress.clone();
            spawn(async move {
                progress.set(1);
                wait_for_wake(waker_slot).await;
                progress.set(2);
            });
            yield_now().await;
        }
    });
    assert_eq!(progress.get(), 1);
    assert_eq!(drops.get(), 0, "pending tasks stay in the runtime");
    // Wake it from outside the loop: it runs on the next block_on, once the
    // loop checks its cross-thread queue (when idle, or every 61 polls).
    waker_slot.borrow_mut().take().unwrap().wake();
    rt.block_on(runtime::time::sleep(Duration::from_millis(1)));
    assert_eq!(progress.get(), 2);
    assert_eq!(rt.stats().tasks_live, 10);
    drop(rt);
    assert_eq!(drops.get(), 10, "dropping the runtime drops every task");
}

#[runtime::test]
async fn woken_while_running_is_polled_exactly_once_more() {
    let polls = Rc::new(Cell::new(0));
    let h = spawn({
        let polls = polls.clone();
        poll_fn(move |cx| {
            polls.set(polls.get() + 1);
            if polls.get() == 1 {
                // Three wakes during one poll: one more poll.
                cx.waker().wake_by_ref();
                cx.waker().wake_by_ref();
                #[allow(clippy::waker_clone_wake)] // the by-value path is under test
                cx.waker().clone().wake();
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        })
    });
    h.await.unwrap();
    for _ in 0..3 {
        yield_now().await;
    }
    assert_eq!(polls.get(), 2);
}

#[test]
fn late_wakes_after_the_task_finished_are_harmless() {
    let polls = Rc::new(Cell::new(0));
    let kept: Rc<RefCell<Vec<Waker>>> = Rc::default();
    let rt = Runtime::new().unwrap();
    rt.block_on({
        let (polls, kept) = (polls.clone(), kept.clone());
        async move {
            let h = spawn({
                let (polls, kept) = (polls.clone(), kept.clone());
                poll_fn(move |cx| {
                    polls.set(polls.get() + 1);
                    kept.borrow_mut().push(cx.waker().clone());
                    Poll::Ready(())
                })
            });
            h.await.unwrap();
            // The slot is free now; a new task may reuse it.
            let reuse = spawn(async { 1 });
            for w in kept.borrow().iter() {
                w.wake_by_ref(); // local path, stale task
            }
            assert_eq!(reuse.await.unwrap(), 1);
            // Remote path, stale task.
            let wakers = kept.borrow().clone();
            std::thread::spawn(move || wakers.into_iter().for_each(Waker::wake))
                .join()
                .unwrap();
            yield_now().await;
        }
    });
    assert_eq!(polls.get(), 1, "a finished task is never polled again");
    // Wakers outliving the runtime, woken on this thread and another.
    let wakers = kept.borrow().clone();
    drop(rt);
    for w in &wakers {
        w.wake_by_ref();
    }
    std::thread::spawn(move || wakers.into_iter().for_each(Waker::wake))
        .join()
        .unwrap();
}

#[test]
fn a_task_is_dropped_on_the_loop_thread_even_when_another_thread_holds_its_last_waker() {
    // The task's allocation lives as long as any waker; its future and its
    // output must still be dropped by the loop (they need not be `Send`),
    // not by whichever thread lets the last waker go.
    let loop_thread = std::thread::current().id();
    let dropped_on: Arc<std::sync::Mutex<Vec<std::thread::ThreadId>>> = Arc::default();
    /// Records the thread it is dropped on; the `Rc` makes it `!Send`.
    struct RecordDrop(
        Arc<std::sync::Mutex<Vec<std::thread::ThreadId>>>,
        #[allow(dead_code)] Rc<()>,
    );
    impl Drop for RecordDrop {
        fn drop(&mut self) {
            self.0.lock().unwrap().push(std::thread::current().id());
        }
    }
    let (tx, rx) = std::sync::mpsc::channel::<Waker>();
    let holder = std::thread::spawn(move || {
        let wakers: Vec<Waker> = rx.iter().collect();
        // Outlive the tasks and the runtime, then wake and drop.
        std::thread::sleep(Duration::from_millis(20));
        wakers.into_iter().for_each(Waker::wake);
    });
    {
        let rt = Runtime::new().unwrap();
        rt.block_on({
            let dropped_on = dropped_on.clone();
            async move {
                // One finishes with a `!Send` output; one is still pending
                // when the runtime drops.
                for pending in [false, true] {
                    let future_guard = RecordDrop(dropped_on.clone(), Rc::new(()));
                    let output = RecordDrop(dropped_on.clone(), Rc::new(()));
                    let tx = tx.clone();
                    let h = spawn(async move {
                        let _guard = future_guard;
                        poll_fn(|cx| {
                            let _ = tx.send(cx.waker().clone());
                            if pending {
                                Poll::Pending
                            } else {
                                Poll::Ready(())
                            }
                        })
                        .await;
                        output
                    });
                    if !pending {
                        drop(h.await.unwrap());
                    }
                }
                yield_now().await;
            }
        });
    }
    holder.join().unwrap();
    let on = dropped_on.lock().unwrap();
    // The first task's guard and output; the pending task's guard and the
    // output it had not yet returned (both held by its future).
    assert_eq!(on.len(), 4, "every guard and output was dropped");
    assert!(on.iter().all(|&t| t == loop_thread), "dropped on {on:?}");
}

#[test]
fn remote_wakes_from_eight_threads() {
    const TASKS: usize = 64;
    let rt = Runtime::new().unwrap();
    let woken = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let slots: Vec<Rc<RefCell<Option<Waker>>>> = (0..TASKS).map(|_| Rc::default()).collect();
        let handles: Vec<_> = slots
            .iter()
            .map(|slot| spawn(wait_for_wake(slot.clone())))
            .collect();
        yield_now().await; // every task has handed out its waker
        let wakers: Vec<Waker> = slots
            .iter()
            .map(|s| s.borrow_mut().take().unwrap())
            .collect();
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let mine: Vec<Waker> = wakers.iter().skip(t).step_by(8).cloned().collect();
                let woken = woken.clone();
                std::thread::spawn(move || {
                    for _ in 0..100 {
                        for w in &mine {
                            w.wake_by_ref();
                        }
                    }
                    woken.fetch_add(mine.len(), Ordering::SeqCst);
                })
            })
            .collect();
        for h in handles {
            h.await.unwrap();
        }
        for t in threads {
            t.join().unwrap();
        }
    });
    assert_eq!(woken.load(Ordering::SeqCst), TASKS);
    let stats = rt.stats();
    assert!(stats.remote_wakes >= TASKS as u64);
    assert!(stats.eventfd_writes <= stats.remote_wakes);
}

#[test]
fn a_burst_of_remote_wakes_costs_one_eventfd_write() {
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let slots: Vec<Rc<RefCell<Option<Waker>>>> = (0..1000).map(|_| Rc::default()).collect();
        let handles: Vec<_> = slots
            .iter()
            .map(|s| spawn(wait_for_wake(s.clone())))
            .collect();
        yield_now().await;
        let wakers: Vec<Waker> = slots
            .iter()
            .map(|s| s.borrow_mut().take().unwrap())
            .collect();
        // The loop is busy (blocked in this poll) while another thread wakes
        // 1,000 different tasks.
        std::thread::spawn(move || wakers.iter().for_each(Waker::wake_by_ref))
            .join()
            .unwrap();
        for h in handles {
            h.await.unwrap();
        }
    });
    let stats = rt.stats();
    assert_eq!(stats.remote_wakes, 1000);
    assert_eq!(stats.eventfd_writes, 1, "{stats:?}");
}

#[test]
fn the_reactor_is_checked_while_tasks_keep_the_queue_busy() {
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let spinners: Vec<_> = (0..4)
            .map(|_| {
                spawn(async {
                    for _ in 0..610 {
                        yield_now().await;
                    }
                })
            })
            .collect();
        for s in spinners {
            s.await.unwrap();
        }
    });
    let stats = rt.stats();
    // 2,440 polls with a full queue: a zero-timeout epoll_wait every 61.
    assert!(stats.polls >= 2440);
    assert!(stats.epoll_waits >= 2440 / 61, "{stats:?}");
}

/// Real clock: a task that yields forever must not keep a 5 ms timer from
/// firing (the loop checks timers every 61 polls even when busy).
#[runtime::test(real_clock)]
async fn a_busy_task_does_not_starve_timers() {
    let flag = Rc::new(Cell::new(false));
    let spinner = spawn({
        let flag = flag.clone();
        async move {
            let start = std::time::Instant::now();
            while !flag.get() {
                assert!(start.elapsed() < Duration::from_secs(30), "timer starved");
                yield_now().await;
            }
        }
    });
    runtime::time::sleep(Duration::from_millis(5)).await;
    flag.set(true);
    spinner.await.unwrap();
}

/// Real clock: the last part waits for a `std::thread`, which the paused
/// clock would not wait for.
#[runtime::test(real_clock)]
async fn futures_crate_combinators_work() {
    use futures::FutureExt;
    use futures::channel::{mpsc, oneshot};
    use futures::{SinkExt, StreamExt};

    // join_all over our JoinHandles.
    let handles: Vec<_> = (0..10).map(|i| spawn(async move { i * 2 })).collect();
    let outs: Vec<i32> = futures::future::join_all(handles)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(outs, (0..10).map(|i| i * 2).collect::<Vec<_>>());

    // select: the sleep loses to the ready future.
    let slow = runtime::time::sleep(Duration::from_secs(10)).boxed_local();
    let fast = async { 1 }.boxed_local();
    match futures::future::select(slow, fast).await {
        futures::future::Either::Right((v, _)) => assert_eq!(v, 1),
        futures::future::Either::Left(_) => panic!("the sleep won"),
    }

    // futures::channel between tasks.
    let (tx, rx) = oneshot::channel();
    spawn(async move { tx.send(41).unwrap() });
    assert_eq!(rx.await.unwrap(), 41);
    let (mut tx, mut rx) = mpsc::channel::<u32>(2);
    let producer = spawn(async move {
        for i in 0..100 {
            tx.send(i).await.unwrap();
        }
    });
    let mut sum = 0;
    while let Some(v) = rx.next().await {
        sum += v;
    }
    producer.await.unwrap();
    assert_eq!(sum, (0..100).sum());

    // A futures::channel fed from another OS thread (remote wakes).
    let (tx, rx) = oneshot::channel();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        tx.send("from a thread").unwrap();
    });
    assert_eq!(rx.await.unwrap(), "from a thread");
    t.join().unwrap();
}

#[test]
fn join_error_and_handles_implement_debug() {
    runtime::block_on(async {
        let h = spawn(async { panic!("dbg") });
        assert!(format!("{h:?}").contains("JoinHandle"));
        let err = h.await.unwrap_err();
        assert!(format!("{err:?}").contains("Panic"));
    });
    let rt = Runtime::new().unwrap();
    assert!(format!("{:?}", rt.stats()).contains("polls"));
}

/// Runs in a child process (see below) so that its stderr can be read.
#[test]
fn child_warnings_scenario() {
    if std::env::var_os("RUNTIME_TEST_CHILD").is_none() {
        return; // only meaningful when run by the test below
    }
    let rt = Runtime::builder()
        .slow_poll_threshold(Duration::from_millis(20))
        .report_pending_on_drop(true)
        .build()
        .unwrap();
    rt.block_on(async {
        let blocker = spawn(async {
            std::thread::sleep(Duration::from_millis(60)); // blocks the loop
        });
        blocker.await.unwrap();
        spawn(std::future::pending::<()>()); // still pending at drop
        yield_now().await;
    });
    drop(rt);
}

#[test]
fn slow_polls_and_pending_tasks_at_drop_are_reported_with_spawn_sites() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_warnings_scenario",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("RUNTIME_TEST_CHILD", "1")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let slow: Vec<&str> = stderr.lines().filter(|l| l.contains("slow poll")).collect();
    assert_eq!(
        slow.len(),
        1,
        "one warning for the one slow poll:\n{stderr}"
    );
    assert!(
        slow[0].contains("tests/core.rs:"),
        "names the spawn site: {}",
        slow[0]
    );
    assert!(slow[0].contains("threshold 20ms"), "{}", slow[0]);
    let pending: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("destroyed but it is pending"))
        .collect();
    assert_eq!(pending.len(), 1, "{stderr}");
    assert!(pending[0].contains("tests/core.rs:"), "{}", pending[0]);
}

// ---- Issue #13, items 8 and 9 ----------------------------------------------

/// A `JoinHandle` polled again after it gave its output panics, as tokio's
/// does. It used to say `Err(task 2 was cancelled)`, which was false.
#[runtime::test]
async fn a_join_handle_polled_after_completion_panics() {
    let mut handle = spawn(async { 5 });
    let first = poll_fn(|cx| std::pin::Pin::new(&mut handle).poll(cx)).await;
    assert_eq!(first.unwrap(), 5);
    let again = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut cx = std::task::Context::from_waker(Waker::noop());
        let _ = std::pin::Pin::new(&mut handle).poll(&mut cx);
    }))
    .expect_err("a second poll must panic");
    let message = again.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("polled after completion"), "{message}");
}

/// A trace buffer that cannot be allocated is an error from `build`, not
/// an abort of the whole process.
#[test]
#[cfg_attr(
    miri,
    ignore = "the check compares with the machine's memory (sysconf), which Miri does not know"
)]
fn an_impossible_trace_capacity_is_an_error() {
    let err = Runtime::builder()
        .trace(std::env::temp_dir().join("never-written.trace.json"))
        .trace_capacity(1 << 40)
        .build()
        .expect_err("52 TB cannot be allocated");
    assert_eq!(err.kind(), std::io::ErrorKind::OutOfMemory);
    assert!(err.to_string().contains("trace_capacity"), "{err}");
}
