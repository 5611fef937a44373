//! `runtime::JoinSet` seen from a user program: completion order, the empty
//! set, `abort_all`, panics, dropping the set, cancel safety of
//! `join_next`, `detach_all`, `shutdown`, `join_all`, 10,000 tasks, and
//! what a task dump says about a set's tasks and its joiner. All on the
//! paused clock: the sleeps below order the tasks, and take no wall time.
//! (How many handle polls a join costs is read from the set's insides by
//! the unit tests in `runtime/src/join_set/tests.rs`.)

use std::cell::Cell;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use runtime::inspect::{DumpState, WaitReason};
use runtime::time::{Instant, sleep, timeout};
use runtime::{JoinError, JoinSet, spawn, yield_now};

/// A task that sleeps `ms` virtual milliseconds, then returns `value`.
async fn after(ms: u64, value: u32) -> u32 {
    sleep(Duration::from_millis(ms)).await;
    value
}

/// Sets its flag when dropped: a task holding one was dropped (finished or
/// aborted).
struct DropFlag(Rc<Cell<bool>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

/// A task that holds a [`DropFlag`] and never finishes on its own (its
/// timer is an hour away); `finished` is set if it ever does.
fn guarded(
    dropped: &Rc<Cell<bool>>,
    finished: &Rc<Cell<bool>>,
) -> impl Future<Output = u32> + use<> {
    let flag = DropFlag(dropped.clone());
    let finished = finished.clone();
    async move {
        let _flag = flag;
        sleep(Duration::from_secs(3600)).await;
        finished.set(true);
        0
    }
}

fn panic_message(e: JoinError) -> String {
    let payload = e.into_panic();
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

#[test]
fn a_set_is_send_when_its_output_is() {
    fn send<T: Send>() {}
    send::<JoinSet<u32>>();
    send::<runtime::JoinNext<'static, u32>>();
}

#[runtime::test]
async fn tasks_come_out_in_the_order_they_finish_not_the_order_they_were_spawned() {
    let start = Instant::now();
    let mut set = JoinSet::new();
    for (i, ms) in [50, 10, 40, 20, 30].into_iter().enumerate() {
        set.spawn(after(ms, i as u32));
    }
    assert_eq!(set.len(), 5);
    let mut order = Vec::new();
    let mut at_ms = Vec::new();
    while let Some(joined) = set.join_next().await {
        order.push(joined.expect("no task fails"));
        at_ms.push(start.elapsed().as_millis());
    }
    assert_eq!(order, [1, 3, 4, 2, 0]);
    // Each came out as it finished, not all at the end.
    assert_eq!(at_ms, [10, 20, 30, 40, 50]);
    assert!(set.is_empty());
}

#[runtime::test]
async fn an_empty_set_joins_to_none() {
    let mut set: JoinSet<u32> = JoinSet::default();
    assert!(set.is_empty());
    assert!(set.join_next().await.is_none());
    assert!(set.try_join_next().is_none());
    set.spawn(async { 7 });
    assert_eq!(set.join_next().await.map(Result::unwrap), Some(7));
    // Emptied by the join: None again, at once.
    assert!(set.join_next().await.is_none());
    assert_eq!(set.len(), 0);
    assert_eq!(format!("{set:?}"), "JoinSet { len: 0 }");
}

#[runtime::test]
async fn abort_all_gives_cancelled_errors_and_a_finished_task_keeps_its_output() {
    let mut set = JoinSet::new();
    set.spawn(async { 1 });
    yield_now().await; // the first task runs and finishes
    let (dropped, finished) = (Rc::new(Cell::new(false)), Rc::new(Cell::new(false)));
    for _ in 0..3 {
        set.spawn(guarded(&dropped, &finished));
    }
    set.abort_all();
    assert_eq!(set.len(), 4, "aborted tasks stay in the set until joined");
    let (mut outputs, mut cancelled) = (Vec::new(), 0);
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(output) => outputs.push(output),
            Err(e) => {
                assert!(e.is_cancelled(), "{e}");
                cancelled += 1;
            }
        }
    }
    assert_eq!((outputs, cancelled), (vec![1], 3));
    assert!(dropped.get() && !finished.get());
}

#[runtime::test]
async fn a_panicking_task_gives_a_panic_error_and_the_others_go_on() {
    let mut set = JoinSet::new();
    set.spawn(after(20, 7));
    set.spawn(async { panic!("boom") });
    set.spawn(after(10, 5));
    let first = set.join_next().await.expect("a task");
    let e = first.expect_err("the panicking task finishes first");
    assert!(e.is_panic(), "{e}");
    assert_eq!(panic_message(e), "boom");
    assert_eq!(set.join_next().await.map(Result::unwrap), Some(5));
    assert_eq!(set.join_next().await.map(Result::unwrap), Some(7));
    assert!(set.join_next().await.is_none());
}

#[runtime::test]
async fn dropping_the_set_aborts_its_tasks() {
    let (dropped, finished) = (Rc::new(Cell::new(false)), Rc::new(Cell::new(false)));
    let mut set = JoinSet::new();
    set.spawn(guarded(&dropped, &finished));
    yield_now().await; // the task runs up to its hour-long sleep
    assert!(!dropped.get());
    let start = Instant::now();
    drop(set);
    // An aborted task's future is dropped at its next scheduling point.
    yield_now().await;
    assert!(dropped.get(), "the task's future was dropped");
    assert!(!finished.get(), "the task never finished its sleep");
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[runtime::test]
async fn join_next_inside_a_timeout_loses_no_output() {
    let mut set = JoinSet::new();
    set.spawn(after(10, 1));
    set.spawn(after(30, 2));
    set.spawn(after(30, 3));
    let (mut outputs, mut timeouts) = (Vec::new(), 0);
    loop {
        // Every 4 ms the join is dropped, mid-wait, and a new one begun.
        match timeout(Duration::from_millis(4), set.join_next()).await {
            Ok(Some(joined)) => outputs.push(joined.expect("no task fails")),
            Ok(None) => break,
            Err(_elapsed) => timeouts += 1,
        }
    }
    outputs[1..].sort();
    assert_eq!(outputs, [1, 2, 3]);
    assert!(timeouts >= 6, "{timeouts} timeouts");
}

#[runtime::test]
async fn a_join_dropped_after_its_task_finished_leaves_the_output_in_the_set() {
    let mut set = JoinSet::new();
    set.spawn(after(10, 1));
    {
        let mut next = set.join_next();
        let polled = poll_fn(|cx| Poll::Ready(Pin::new(&mut next).poll(cx))).await;
        assert!(polled.is_pending());
        sleep(Duration::from_millis(20)).await; // the task finishes; `next` sees none of it
    } // `next` dropped: it woke, and was never polled again
    assert_eq!(set.len(), 1);
    assert_eq!(set.try_join_next().map(Result::unwrap), Some(1));
    assert!(set.try_join_next().is_none());
}

#[runtime::test]
async fn try_join_next_gives_only_finished_tasks() {
    let mut set = JoinSet::new();
    set.spawn(after(10, 1));
    set.spawn(after(20, 2));
    assert!(set.try_join_next().is_none(), "nothing finished yet");
    sleep(Duration::from_millis(15)).await;
    assert_eq!(set.try_join_next().map(Result::unwrap), Some(1));
    assert!(set.try_join_next().is_none());
    assert_eq!(set.len(), 1);
    assert_eq!(set.join_next().await.map(Result::unwrap), Some(2));
}

#[runtime::test]
async fn detach_all_lets_the_tasks_finish() {
    let done = Rc::new(Cell::new(0));
    let mut set = JoinSet::new();
    for ms in [10, 20, 30] {
        let done = done.clone();
        set.spawn(async move {
            sleep(Duration::from_millis(ms)).await;
            done.set(done.get() + 1);
        });
    }
    set.detach_all();
    assert!(set.is_empty());
    assert!(set.join_next().await.is_none());
    drop(set); // aborts nothing: the set is empty
    sleep(Duration::from_millis(50)).await;
    assert_eq!(done.get(), 3);
}

#[runtime::test]
async fn shutdown_aborts_every_task_and_waits_for_them() {
    let (dropped, finished) = (Rc::new(Cell::new(false)), Rc::new(Cell::new(false)));
    let mut set = JoinSet::new();
    for _ in 0..5 {
        set.spawn(guarded(&dropped, &finished));
    }
    set.shutdown().await;
    assert!(set.is_empty());
    assert!(
        dropped.get(),
        "shutdown returned after the futures were dropped"
    );
    assert!(!finished.get());
    // The set is usable again.
    set.spawn(async { 3 });
    assert_eq!(set.join_all().await, [3]);
}

#[runtime::test]
async fn join_all_gives_the_outputs_in_finish_order() {
    let set: JoinSet<u32> = [after(30, 3), after(10, 1), after(20, 2)]
        .into_iter()
        .collect();
    assert_eq!(set.join_all().await, [1, 2, 3]);
}

#[runtime::test]
async fn join_all_resumes_a_tasks_panic_and_aborts_the_rest() {
    let (dropped, finished) = (Rc::new(Cell::new(false)), Rc::new(Cell::new(false)));
    let mut set = JoinSet::new();
    set.spawn(guarded(&dropped, &finished));
    set.spawn(async {
        sleep(Duration::from_millis(10)).await;
        panic!("task failed")
    });
    let joiner = spawn(set.join_all());
    let e = joiner.await.expect_err("join_all panics");
    assert_eq!(panic_message(e), "task failed", "the task's own payload");
    yield_now().await;
    assert!(
        dropped.get() && !finished.get(),
        "the other task was aborted"
    );
}

#[runtime::test]
async fn join_all_panics_on_a_cancelled_task() {
    let mut set = JoinSet::new();
    set.spawn(after(10, 1));
    set.abort_all();
    let e = spawn(set.join_all()).await.expect_err("join_all panics");
    let message = panic_message(e);
    assert!(message.starts_with("JoinSet::join_all: "), "{message}");
    assert!(message.contains("cancelled"), "{message}");
}

/// Counts the polls of the future it wraps.
struct CountPolls<F> {
    inner: Pin<Box<F>>,
    polls: Rc<Cell<u64>>,
}

impl<F: Future> Future for CountPolls<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.polls.set(self.polls.get() + 1);
        self.inner.as_mut().poll(cx)
    }
}

/// 10,000 tasks finishing one per clock tick: the joining task is polled
/// once per finish (plus the first poll), and every task is polled twice
/// (to its sleep, then to its end). The set's own handle polls are counted
/// by the unit test `joining_n_tasks_costs_linear_handle_polls`.
#[runtime::test]
async fn ten_thousand_tasks_join_in_linear_polls() {
    const N: u32 = 10_000;
    let mut set = JoinSet::new();
    set.extend((0..N).map(|i| after(u64::from(i) + 1, i)));
    assert_eq!(set.len(), N as usize);
    let polls = Rc::new(Cell::new(0));
    let joining = CountPolls {
        inner: Box::pin(async move {
            let mut next = 0;
            while let Some(joined) = set.join_next().await {
                assert_eq!(joined.expect("no task fails"), next, "finish order");
                next += 1;
            }
            next
        }),
        polls: polls.clone(),
    };
    let joined = spawn(joining).await.expect("the joiner finishes");
    assert_eq!(joined, N);
    assert!(
        polls.get() <= u64::from(N) + 2,
        "the joining task was polled {} times for {N} tasks",
        polls.get()
    );
}

/// A task dump shows each task of the set at the caller's `spawn` line,
/// and the joining task waiting on the set at its `join_next` line.
#[runtime::test]
async fn a_dump_shows_the_spawn_sites_and_the_join_next_site() {
    let mut set = JoinSet::new();
    let (spawn_line, ()) = (line!(), set.spawn(std::future::pending::<()>()));
    let site = Rc::new(Cell::new(0));
    let joiner = {
        let site = site.clone();
        spawn(async move {
            let (line, next) = (line!(), set.join_next());
            site.set(line);
            let _ = next.await;
        })
    };
    for _ in 0..3 {
        yield_now().await;
    }
    let dump = runtime::inspect::dump();
    let text = dump.to_string();
    let spawned_here: Vec<_> = dump
        .tasks
        .iter()
        .filter(|t| t.spawned_at.file() == file!() && t.id != joiner.id())
        .map(|t| t.spawned_at.line())
        .collect();
    assert_eq!(spawned_here, [spawn_line], "{text}");
    let waiting = dump
        .tasks
        .iter()
        .find(|t| t.id == joiner.id())
        .expect("the joiner is live");
    assert_eq!(waiting.state, DumpState::Waiting, "{text}");
    assert_eq!(
        waiting.waiting_on,
        WaitReason::JoinSet { tasks: 1 },
        "{text}"
    );
    assert!(text.contains("join of any of 1 tasks (JoinSet)"), "{text}");
    let at = waiting.awaiting_at.expect("an await site");
    assert_eq!((at.file(), at.line()), (file!(), site.get()), "{text}");
    // Aborting the joiner drops the set (one turn), which aborts its task
    // (the next).
    joiner.abort();
    yield_now().await;
    yield_now().await;
}

#[runtime::test]
async fn spawn_blocking_adds_a_pool_job_spawned_at_the_callers_line() {
    let mut set = JoinSet::new();
    let (line, ()) = (line!(), set.spawn_blocking(|| 21 * 2));
    let dump = runtime::inspect::dump();
    let sites: Vec<_> = dump
        .tasks
        .iter()
        .filter(|t| t.spawned_at.file() == file!())
        .map(|t| t.spawned_at.line())
        .collect();
    assert_eq!(sites, [line], "{dump}");
    assert_eq!(set.join_next().await.map(Result::unwrap), Some(42));
}
