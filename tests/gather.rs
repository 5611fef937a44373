//! Tests of `runtime::{gather, try_gather}` and `runtime::gather!`, driven by
//! `futures`' executors and hand-polling.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use futures::executor::{LocalPool, block_on};
use futures::task::LocalSpawnExt;
use integration_tests::{CountingWaker, poll_once, poll_with, yield_now};
use runtime::sync::oneshot;
use runtime::{gather, try_gather};

/// Pending on its first poll (parking its waker in `parked`), ready on the
/// next; counts every poll in `polls`.
struct WakeOnce {
    id: usize,
    polls: Rc<Cell<usize>>,
    parked: Parked,
    first: bool,
}

impl Future for WakeOnce {
    type Output = usize;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        self.polls.set(self.polls.get() + 1);
        if self.first {
            self.first = false;
            self.parked.borrow_mut()[self.id] = Some(cx.waker().clone());
            Poll::Pending
        } else {
            Poll::Ready(self.id)
        }
    }
}

/// Where each [`WakeOnce`] parks its waker, by id.
type Parked = Rc<RefCell<Vec<Option<Waker>>>>;

fn wake_once_futures(n: usize) -> (Vec<WakeOnce>, Rc<Cell<usize>>, Parked) {
    let polls = Rc::new(Cell::new(0));
    let parked = Rc::new(RefCell::new(vec![None; n]));
    let futures = (0..n)
        .map(|id| WakeOnce {
            id,
            polls: polls.clone(),
            parked: parked.clone(),
            first: true,
        })
        .collect();
    (futures, polls, parked)
}

#[test]
fn gather_keeps_input_order_whatever_the_completion_order() {
    let mut pool = LocalPool::new();
    let (senders, receivers): (Vec<_>, Vec<_>) = (0..5).map(|_| oneshot::channel()).unzip();
    let out = Rc::new(RefCell::new(None));
    {
        let out = out.clone();
        pool.spawner()
            .spawn_local(async move {
                let results = gather(receivers).await;
                *out.borrow_mut() = Some(results);
            })
            .expect("spawn");
    }
    pool.run_until_stalled();
    for (i, tx) in senders.into_iter().enumerate().rev() {
        tx.send(i * 10).expect("receiver alive");
        pool.run_until_stalled();
    }
    let results: Vec<usize> = out
        .borrow_mut()
        .take()
        .expect("gather finished")
        .into_iter()
        .map(|r| r.expect("sent"))
        .collect();
    assert_eq!(results, vec![0, 10, 20, 30, 40]);
}

#[test]
fn gather_of_nothing_is_an_empty_vec_at_once() {
    let mut g = gather(std::iter::empty::<std::future::Ready<u8>>());
    assert_eq!(poll_once(&mut g), Poll::Ready(Vec::new()));
}

#[test]
fn gather_polls_only_woken_children() {
    const N: usize = 10_000;
    let (futures, polls, parked) = wake_once_futures(N);
    let mut g = gather(futures);
    let (parent_wakes, parent) = CountingWaker::new();

    assert!(poll_with(&mut g, &parent).is_pending());
    assert_eq!(polls.get(), N, "the first poll polls everyone once");

    // A poll with nobody woken polls nobody.
    assert!(poll_with(&mut g, &parent).is_pending());
    assert_eq!(polls.get(), N);

    // Waking ten children costs ten polls, and a double wake counts once.
    let wakers: Vec<Waker> = parked
        .borrow_mut()
        .iter_mut()
        .map(|w| w.take().expect("parked"))
        .collect();
    for w in &wakers[..10] {
        w.wake_by_ref();
    }
    wakers[3].wake_by_ref();
    assert!(parent_wakes.wakes() >= 1);
    assert!(poll_with(&mut g, &parent).is_pending());
    assert_eq!(polls.get(), N + 10);

    for w in &wakers[10..] {
        w.wake_by_ref();
    }
    match poll_with(&mut g, &parent) {
        Poll::Ready(out) => assert_eq!(out, (0..N).collect::<Vec<_>>()),
        Poll::Pending => panic!("every child was woken"),
    }
    assert_eq!(polls.get(), 2 * N, "O(n) polls in total");
}

#[test]
fn gather_under_an_executor_with_wakes_from_threads() {
    let (senders, receivers): (Vec<_>, Vec<_>) = (0..64).map(|_| oneshot::channel()).unzip();
    let threads: Vec<_> = senders
        .into_iter()
        .enumerate()
        .map(|(i, tx)| std::thread::spawn(move || tx.send(i).expect("receiver alive")))
        .collect();
    let out: Vec<usize> = block_on(gather(receivers))
        .into_iter()
        .map(|r| r.expect("sent"))
        .collect();
    for t in threads {
        t.join().expect("thread");
    }
    assert_eq!(out, (0..64).collect::<Vec<_>>());
}

/// Counts its drops.
struct DropCounter(Rc<Cell<usize>>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn try_gather_returns_the_first_error_and_drops_the_rest_at_once() {
    let drops = Rc::new(Cell::new(0));
    let (fail_tx, fail_rx) = oneshot::channel::<()>();
    type BoxedTry = Pin<Box<dyn Future<Output = Result<u32, String>>>>;
    let futures: Vec<BoxedTry> = vec![
        Box::pin(async { Ok(1) }),
        {
            let guard = DropCounter(drops.clone());
            Box::pin(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
                Ok(2)
            })
        },
        Box::pin(async move {
            let _ = fail_rx.await;
            Err("boom".to_string())
        }),
        {
            let guard = DropCounter(drops.clone());
            Box::pin(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
                Err("never seen".to_string())
            })
        },
    ];
    let mut g = try_gather(futures);
    assert!(poll_once(&mut g).is_pending());
    assert_eq!(drops.get(), 0);
    fail_tx.send(()).expect("receiver alive");
    assert_eq!(poll_once(&mut g), Poll::Ready(Err("boom".to_string())));
    assert_eq!(
        drops.get(),
        2,
        "the pending futures are dropped before `g` is"
    );
    drop(g);
    assert_eq!(drops.get(), 2);
}

#[test]
fn try_gather_collects_all_successes_in_order() {
    let futures = (0..10u32).map(|i| async move {
        for _ in 0..(10 - i) {
            yield_now().await;
        }
        Ok::<_, ()>(i)
    });
    assert_eq!(block_on(try_gather(futures)), Ok((0..10).collect()));
}

#[test]
fn try_gather_of_nothing_is_ok_empty() {
    let empty: Vec<std::future::Ready<Result<u8, ()>>> = Vec::new();
    assert_eq!(block_on(try_gather(empty)), Ok(Vec::new()));
}

#[test]
fn gather_macro_yields_a_tuple_and_runs_concurrently() {
    block_on(async {
        let (tx, rx) = oneshot::channel();
        // The first waits for the second: only concurrent polling finishes.
        let (got, sent, n) = runtime::gather!(
            async { rx.await.expect("sent") },
            async { tx.send("ping").expect("receiver alive") },
            async { 3u8 },
        );
        assert_eq!((got, sent, n), ("ping", (), 3));
        let (one,) = runtime::gather!(async { 1 });
        assert_eq!(one, 1);
        let () = runtime::gather!();
    });
}

#[test]
fn gather_macro_inside_spawned_tasks() {
    let mut pool = LocalPool::new();
    let order = Rc::new(RefCell::new(Vec::new()));
    {
        let order = order.clone();
        pool.spawner()
            .spawn_local(async move {
                let step = |name: &'static str, yields: usize| {
                    let order = order.clone();
                    async move {
                        for _ in 0..yields {
                            yield_now().await;
                        }
                        order.borrow_mut().push(name);
                        name.len()
                    }
                };
                let lens = runtime::gather!(step("slow", 3), step("fast", 0), step("mid", 1));
                assert_eq!(lens, (4, 4, 3));
            })
            .expect("spawn");
    }
    pool.run();
    assert_eq!(*order.borrow(), vec!["fast", "mid", "slow"]);
}
