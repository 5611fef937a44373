//! `Semaphore`: close, `acquire_many`, owned permits, forget/merge/split.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Poll;

use futures::executor::{LocalPool, block_on};
use futures::task::LocalSpawnExt;
use integration_tests::{CountingWaker, poll_once, poll_with};
use runtime::sync::{AcquireError, Semaphore, SharedSemaphore, TryAcquireError};

#[test]
fn close_wakes_every_waiter_and_each_fails() {
    let sem = Arc::new(Semaphore::new(0));
    let mut one = sem.acquire_checked();
    let mut many = sem.acquire_many(3);
    let mut owned = sem.clone().acquire_owned();
    let counters: Vec<_> = (0..3).map(|_| CountingWaker::new()).collect();
    assert!(poll_with(&mut one, &counters[0].1).is_pending());
    assert!(poll_with(&mut many, &counters[1].1).is_pending());
    assert!(poll_with(&mut owned, &counters[2].1).is_pending());
    sem.close();
    assert!(sem.is_closed());
    let wakes: Vec<_> = counters.iter().map(|(c, _)| c.wakes()).collect();
    assert_eq!(wakes, [1, 1, 1], "close wakes every waiter");
    assert!(matches!(
        poll_once(&mut one),
        Poll::Ready(Err(AcquireError { .. }))
    ));
    assert!(matches!(poll_once(&mut many), Poll::Ready(Err(_))));
    assert!(matches!(poll_once(&mut owned), Poll::Ready(Err(_))));
}

#[test]
fn acquires_after_close_fail_and_held_permits_stay_valid() {
    let sem = Semaphore::new(3);
    let held = sem.try_acquire_many(2).expect("free");
    sem.close();
    assert!(block_on(sem.acquire_checked()).is_err());
    assert!(block_on(sem.acquire_many(1)).is_err());
    assert_eq!(
        sem.try_acquire_many(1).unwrap_err(),
        TryAcquireError::Closed
    );
    assert!(sem.try_acquire().is_none());
    assert_eq!(held.num_permits(), 2);
    drop(held);
    assert_eq!(sem.available_permits(), 3, "permits come back after close");
    let err = block_on(sem.acquire_checked()).unwrap_err();
    assert_eq!(err.to_string(), "semaphore closed");
}

#[test]
#[should_panic(expected = "acquire_checked")]
fn infallible_acquire_panics_on_a_closed_semaphore() {
    let sem = Semaphore::new(1);
    sem.close();
    let _permit = block_on(sem.acquire());
}

#[test]
fn try_acquire_many_tells_no_permits_from_closed() {
    let sem = Semaphore::new(2);
    assert_eq!(
        sem.try_acquire_many(3).unwrap_err(),
        TryAcquireError::NoPermits
    );
    assert!(sem.try_acquire_many(3).unwrap_err().is_no_permits());
    let two = sem.try_acquire_many(2).expect("two free");
    assert_eq!(two.num_permits(), 2);
    assert_eq!(sem.available_permits(), 0);
}

#[test]
fn acquire_many_zero_completes_at_once() {
    let sem = Semaphore::new(0);
    let _queued = {
        let mut a = sem.acquire_checked();
        assert!(poll_once(&mut a).is_pending());
        a
    };
    let none = block_on(sem.acquire_many(0)).expect("open");
    assert_eq!(none.num_permits(), 0);
}

/// The fairness rule: a large request at the head of the queue collects
/// permits as they are released, and the small requests behind it wait
/// for it, even though each of them could have been served.
#[test]
fn a_large_request_at_the_head_is_not_starved_by_small_ones() {
    let sem = Semaphore::new(0);
    let mut big = sem.acquire_many(3);
    assert!(poll_once(&mut big).is_pending());
    let mut small: Vec<_> = (0..3).map(|_| sem.acquire_checked()).collect();
    for s in &mut small {
        assert!(poll_once(s).is_pending());
    }
    sem.add_permits(1);
    sem.add_permits(1);
    for s in &mut small {
        assert!(poll_once(s).is_pending(), "behind the big request");
    }
    assert!(
        sem.try_acquire().is_none(),
        "try_acquire does not barge either"
    );
    sem.add_permits(1);
    let big = match poll_once(&mut big) {
        Poll::Ready(Ok(p)) => p,
        other => panic!("the big request should be served first: {other:?}"),
    };
    assert_eq!(big.num_permits(), 3);
    drop(big);
    for s in &mut small {
        assert!(matches!(poll_once(s), Poll::Ready(Ok(_))));
    }
}

#[test]
fn mixed_sizes_are_admitted_in_arrival_order() {
    let mut pool = LocalPool::new();
    let sem = Rc::new(Semaphore::new(4));
    let entries = Rc::new(RefCell::new(Vec::new()));
    for id in 0..40u32 {
        let (sem, entries) = (sem.clone(), entries.clone());
        pool.spawner()
            .spawn_local(async move {
                let n = 1 + id % 4;
                let _permits = sem.acquire_many(n).await.expect("open");
                entries.borrow_mut().push(id);
                runtime::yield_now().await;
            })
            .expect("spawn");
    }
    pool.run();
    assert_eq!(*entries.borrow(), (0..40).collect::<Vec<_>>());
    assert_eq!(sem.available_permits(), 4);
}

#[test]
fn a_dropped_partial_request_gives_back_what_it_collected() {
    let sem = Semaphore::new(2);
    let mut big = sem.acquire_many(5);
    assert!(poll_once(&mut big).is_pending());
    assert_eq!(
        sem.available_permits(),
        0,
        "the two free permits went to big"
    );
    drop(big);
    assert_eq!(
        sem.available_permits(),
        2,
        "and came back when it was dropped"
    );
}

#[test]
fn owned_permits_outlive_the_borrow() {
    let sem = Arc::new(Semaphore::new(1));
    let permit = sem.clone().try_acquire_owned().expect("free");
    assert!(Arc::ptr_eq(permit.semaphore(), &sem));
    let thread = std::thread::spawn(move || drop(permit));
    thread.join().expect("thread");
    assert_eq!(sem.available_permits(), 1);
    let two = block_on(sem.clone().acquire_many_owned(1)).expect("open");
    assert_eq!(two.num_permits(), 1);
}

#[test]
fn owned_permits_on_an_rc_and_in_a_spawned_task() {
    let sem = Rc::new(Semaphore::new(2));
    runtime::block_on(async {
        let permit = sem.clone().acquire_owned().await.expect("open");
        let task = runtime::spawn(async move {
            runtime::yield_now().await;
            permit.num_permits()
        });
        assert_eq!(sem.available_permits(), 1);
        assert_eq!(task.await.expect("task"), 1);
        assert_eq!(sem.available_permits(), 2);
    });
    let err = sem.clone().try_acquire_many_owned(3).unwrap_err();
    assert!(err.is_no_permits());
}

#[test]
fn forget_merge_and_split() {
    let sem = Semaphore::new(6);
    let mut a = sem.try_acquire_many(2).expect("free");
    let b = sem.try_acquire_many(3).expect("free");
    a.merge(b);
    assert_eq!(a.num_permits(), 5);
    assert!(a.split(6).is_none(), "cannot split off more than it holds");
    let c = a.split(4).expect("holds 5");
    assert_eq!((a.num_permits(), c.num_permits()), (1, 4));
    c.forget();
    drop(a);
    assert_eq!(sem.available_permits(), 2, "the four forgotten are gone");
    assert_eq!(
        sem.forget_permits(5),
        2,
        "forget_permits removes only free ones"
    );
    assert_eq!(sem.available_permits(), 0);
}

#[test]
#[should_panic(expected = "different semaphores")]
fn merging_permits_of_two_semaphores_panics() {
    let (x, y) = (Semaphore::new(1), Semaphore::new(1));
    let mut a = x.try_acquire().expect("free");
    a.merge(y.try_acquire().expect("free"));
}

#[test]
fn owned_split_and_merge() {
    let sem = Arc::new(Semaphore::new(3));
    let mut all = sem.clone().try_acquire_many_owned(3).expect("free");
    let one = all.split(1).expect("holds 3");
    assert_eq!(sem.available_permits(), 0);
    drop(one);
    assert_eq!(sem.available_permits(), 1);
    let back = sem.clone().try_acquire_owned().expect("free");
    all.merge(back);
    assert_eq!(all.num_permits(), 3);
}
