//! Unit tests of [`JoinSet`] that read its insides: how many handle polls a
//! join costs, and the ready list's dedup. The behaviour seen from outside
//! is tested in `tests/join_set.rs`.

use std::task::Waker;
use std::time::Duration;

use super::JoinSet;
use super::ready::ReadyList;
use crate::Runtime;
use crate::test_wakers::counter;
use crate::time::sleep;

fn paused_runtime() -> Runtime {
    Runtime::builder()
        .paused_clock(true)
        .build()
        .expect("a runtime")
}

/// 10,000 tasks that finish one per loop turn (each on its own timer):
/// every finish wakes the joiner once. Polling every handle on each wake
/// would cost n²/2 = 50 million handle polls; the ready list keeps it to
/// one poll to file each entry's waker and one to take its output.
#[test]
#[cfg_attr(
    miri,
    ignore = "10,000 tasks take minutes interpreted; a_wake_polls_only_the_woken_entry checks the same rule"
)]
fn joining_n_tasks_costs_linear_handle_polls() {
    const N: u64 = 10_000;
    let rt = paused_runtime();
    let (polls, order) = rt.block_on(async {
        let mut set = JoinSet::new();
        for i in 0..N {
            set.spawn(async move {
                sleep(Duration::from_millis(i + 1)).await;
                i
            });
        }
        let mut order = Vec::new();
        while let Some(joined) = set.join_next().await {
            order.push(joined.expect("no task fails"));
        }
        (set.handle_polls, order)
    });
    assert_eq!(order, (0..N).collect::<Vec<_>>(), "finish order");
    assert!(
        polls <= 2 * N + 2,
        "{polls} handle polls to join {N} tasks: more than 2 per task"
    );
}

/// Entries added while the set waits are polled once each, not once per
/// later wake of the set.
#[test]
fn a_wake_polls_only_the_woken_entry() {
    let rt = paused_runtime();
    let polls = rt.block_on(async {
        let mut set = JoinSet::new();
        for i in 0..100u64 {
            set.spawn(async move {
                sleep(Duration::from_secs(i + 1)).await;
            });
        }
        // The first join files the 100 wakers (100 polls) and takes task 0.
        set.join_next().await.expect("a task").expect("no failure");
        let after_first = set.handle_polls;
        // The second: one wake, one poll.
        set.join_next().await.expect("a task").expect("no failure");
        let second = set.handle_polls - after_first;
        set.shutdown().await;
        (after_first, second)
    });
    assert_eq!(polls, (101, 1));
}

#[test]
fn a_double_wake_files_an_entry_once() {
    let list = ReadyList::new();
    let waker: Waker = list.waker(3);
    waker.wake_by_ref();
    waker.wake_by_ref();
    assert_eq!(list.len(), 1);
    assert_eq!(list.pop(), Some(3));
    assert_eq!(list.pop(), None);
    // Unfiled by the pop: the next wake files it again.
    waker.wake();
    assert_eq!(list.pop(), Some(3));
}

#[test]
fn a_filing_wakes_the_waiter_once_per_entry() {
    let (count, waker) = counter();
    let list = ReadyList::new();
    list.set_waiter(&waker);
    let (a, b) = (list.waker(0), list.waker(1));
    a.wake_by_ref();
    a.wake_by_ref();
    b.wake_by_ref();
    assert_eq!(count.wakes(), 2);
    // A new entry is filed for its first poll without a wake.
    list.push_new(2);
    assert_eq!(count.wakes(), 2);
    list.clear();
    assert_eq!(list.pop(), None);
    a.wake_by_ref(); // after `clear`: filed, but nobody to wake
    assert_eq!(count.wakes(), 2);
}

/// An entry waker is `Send`: woken on another thread, it files its entry
/// and wakes the waiter there.
#[test]
fn an_entry_woken_from_another_thread_files_it() {
    let (count, waker) = counter();
    let list = ReadyList::new();
    list.set_waiter(&waker);
    let wakers: Vec<Waker> = (0..4).map(|i| list.waker(i)).collect();
    let threads: Vec<_> = wakers
        .into_iter()
        .map(|waker| std::thread::spawn(move || waker.wake()))
        .collect();
    for thread in threads {
        thread.join().expect("a waking thread");
    }
    let mut filed: Vec<usize> = std::iter::from_fn(|| list.pop()).collect();
    filed.sort();
    assert_eq!(filed, [0, 1, 2, 3]);
    assert_eq!(count.wakes(), 4);
}

/// Abort, detach, panics, a second joiner, and a set inside an aborted or dropped
/// task or runtime, on the loop.
mod lifecycle {
    use std::cell::Cell;
    use std::future::{Future, pending, poll_fn};
    use std::rc::Rc;
    use std::task::Poll;
    use std::time::Duration;

    use super::paused_runtime;
    use crate::JoinSet;
    use crate::time::sleep;

    struct Flag(Rc<Cell<bool>>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }

    fn guarded(dropped: &Rc<Cell<bool>>) -> impl Future<Output = u32> + use<> {
        let flag = Flag(dropped.clone());
        async move {
            let _flag = flag;
            pending::<()>().await;
            0
        }
    }

    #[test]
    fn runtime_dropped_while_a_task_holds_a_set() {
        let dropped = Rc::new(Cell::new(false));
        let rt = paused_runtime();
        let d = dropped.clone();
        rt.block_on(async move {
            crate::spawn(async move {
                let mut set = JoinSet::new();
                set.spawn(guarded(&d));
                set.join_next().await
            });
            crate::yield_now().await;
            crate::yield_now().await;
        });
        drop(rt);
        assert!(dropped.get());
    }

    #[test]
    fn aborting_the_task_holding_a_set_cancels_its_children() {
        let dropped = Rc::new(Cell::new(false));
        let rt = paused_runtime();
        let d = dropped.clone();
        rt.block_on(async move {
            let owner = crate::spawn(async move {
                let mut set = JoinSet::new();
                set.spawn(guarded(&d));
                set.join_next().await
            });
            crate::yield_now().await;
            owner.abort();
            assert!(owner.await.unwrap_err().is_cancelled());
            for _ in 0..4 {
                crate::yield_now().await;
            }
        });
        assert!(dropped.get());
    }

    #[test]
    fn a_set_joined_by_a_second_task_wakes_that_task() {
        let rt = paused_runtime();
        let got = rt.block_on(async {
            let mut set = JoinSet::new();
            set.spawn(async {
                sleep(Duration::from_millis(10)).await;
                5u32
            });
            // Task A (here) waits once, then gives up.
            let mut polled = false;
            poll_fn(|cx| {
                if polled {
                    return Poll::Ready(());
                }
                polled = true;
                assert!(set.poll_join_next(cx).is_pending());
                cx.waker().wake_by_ref();
                Poll::Pending
            })
            .await;
            let b = crate::spawn(async move { set.join_next().await.map(|r| r.unwrap()) });
            crate::time::timeout(Duration::from_secs(1), b).await
        });
        assert_eq!(got.expect("B was woken").unwrap(), Some(5));
    }

    #[test]
    fn join_next_after_detach_all_and_respawn() {
        let rt = paused_runtime();
        rt.block_on(async {
            let mut set = JoinSet::new();
            for i in 0..3u32 {
                set.spawn(async move {
                    sleep(Duration::from_millis(10)).await;
                    i
                });
            }
            crate::yield_now().await;
            assert!(set.try_join_next().is_none());
            set.detach_all();
            assert!(set.join_next().await.is_none());
            set.spawn(async {
                sleep(Duration::from_millis(20)).await;
                9
            });
            let r = crate::time::timeout(Duration::from_secs(1), set.join_next()).await;
            assert_eq!(r.expect("woken").map(|r| r.unwrap()), Some(9));
            assert!(set.is_empty());
        });
    }

    #[test]
    fn len_after_a_panicked_task_and_abort_all_cancels() {
        let rt = paused_runtime();
        rt.block_on(async {
            let mut set: JoinSet<u32> = JoinSet::new();
            set.spawn(async { panic!("boom") });
            let dropped = Rc::new(Cell::new(false));
            set.spawn(guarded(&dropped));
            crate::yield_now().await;
            assert_eq!(set.len(), 2);
            let first = set.join_next().await.unwrap();
            assert!(first.unwrap_err().is_panic());
            assert_eq!(set.len(), 1);
            set.abort_all();
            let r = crate::time::timeout(Duration::from_secs(1), set.join_next()).await;
            assert!(r.expect("woken").unwrap().unwrap_err().is_cancelled());
            assert_eq!(set.len(), 0);
            assert!(dropped.get());
        });
    }

    #[test]
    fn try_join_next_sees_a_task_finished_before_any_join() {
        let rt = paused_runtime();
        rt.block_on(async {
            let mut set = JoinSet::new();
            set.spawn(async { 1 });
            set.spawn(async { 2 });
            crate::yield_now().await;
            let mut got = vec![];
            while let Some(r) = set.try_join_next() {
                got.push(r.unwrap());
            }
            got.sort();
            assert_eq!(got, [1, 2]);
        });
    }
}

/// A set whose runtime was dropped: its tasks were dropped with it, so
/// joining gives their cancelled errors (as awaiting a `JoinHandle` does).
mod outliving_its_runtime {
    use std::future::pending;
    use std::task::{Context, Poll, Waker};
    use std::time::Duration;

    use super::paused_runtime;
    use crate::JoinSet;

    #[test]
    fn a_set_that_outlives_its_runtime_joins_cancelled_errors() {
        let rt = paused_runtime();
        let mut set = rt.block_on(async {
            let mut set = JoinSet::new();
            set.spawn(pending::<u32>());
            crate::yield_now().await;
            assert!(
                set.try_join_next().is_none(),
                "polled once: waker in the table"
            );
            set
        });
        drop(rt);
        let mut cx = Context::from_waker(Waker::noop());
        match set.poll_join_next(&mut cx) {
            Poll::Ready(Some(Err(e))) => assert!(e.is_cancelled()),
            other => panic!(
                "expected a cancelled error, got {:?}",
                other.map(|o| o.map(|r| r.map(|_| ())))
            ),
        }
        assert!(set.is_empty());
    }

    #[test]
    fn a_set_that_outlives_its_runtime_joins_in_the_next_one() {
        let mut set = paused_runtime().block_on(async {
            let mut set = JoinSet::new();
            set.spawn(pending::<u32>());
            set.spawn(pending::<u32>());
            crate::yield_now().await;
            assert!(set.try_join_next().is_none(), "both wakers in the table");
            set
        }); // the runtime is dropped here, and the two tasks with it
        paused_runtime().block_on(async {
            for _ in 0..2 {
                let joined = crate::time::timeout(Duration::from_secs(1), set.join_next()).await;
                let joined = joined.expect("join_next gave up waiting for a dropped runtime");
                assert!(joined.expect("a task").unwrap_err().is_cancelled());
            }
            assert!(set.join_next().await.is_none());
        });
    }
}
