//! White-box tests of the semaphore: partial grants to a multi-permit
//! waiter, and what a cancelled or closed waiter gives back.

use super::*;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

fn poll<F: Future + Unpin>(f: &mut F) -> Poll<F::Output> {
    Pin::new(f).poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn granted_but_unpolled_permit_goes_to_the_next_waiter() {
    let sem = Semaphore::new(1);
    let held = sem.try_acquire().expect("one permit");
    let mut a = sem.acquire();
    let mut b = sem.acquire();
    assert!(poll(&mut a).is_pending());
    assert!(poll(&mut b).is_pending());
    drop(held); // granted to `a`
    assert_eq!(sem.available_permits(), 0);
    drop(a); // never collected: goes to `b`
    assert!(poll(&mut b).is_ready());
    assert_eq!(sem.available_permits(), 1);
}

#[test]
fn a_queued_request_takes_what_is_free_and_the_head_collects_releases() {
    let sem = Semaphore::new(2);
    let mut big = sem.acquire_many(5);
    assert!(poll(&mut big).is_pending());
    // The two free permits went to `big` at once (free > 0 ⇒ nobody queued).
    assert_eq!(sem.available_permits(), 0);
    sem.add_permits(2);
    assert_eq!(sem.available_permits(), 0, "collected by the head waiter");
    assert_eq!(sem.lock().waiters.front_mut().copied(), Some(1));
    sem.add_permits(3);
    // One covers `big`, two are left over.
    assert_eq!(sem.available_permits(), 2);
    match poll(&mut big) {
        Poll::Ready(Ok(permit)) => assert_eq!(permit.num_permits(), 5),
        other => panic!("expected five permits, got {other:?}"),
    }
    assert_eq!(sem.available_permits(), 7);
}

#[test]
fn a_cancelled_partial_request_gives_back_what_it_collected() {
    let sem = Semaphore::new(3);
    let mut big = sem.acquire_many(5);
    assert!(poll(&mut big).is_pending());
    let mut small = sem.acquire();
    assert!(
        poll(&mut small).is_pending(),
        "FIFO: behind the big request"
    );
    drop(big); // its 3 permits go to `small` first, the rest to the count
    assert_eq!(sem.available_permits(), 2);
    assert!(poll(&mut small).is_ready());
    assert_eq!(sem.available_permits(), 3);
}

#[test]
fn close_returns_partial_grants_to_the_count() {
    let sem = Semaphore::new(3);
    let mut big = sem.acquire_many(5);
    assert!(poll(&mut big).is_pending());
    sem.close();
    assert!(matches!(poll(&mut big), Poll::Ready(Err(AcquireError(())))));
    assert_eq!(sem.available_permits(), 3);
}

#[test]
fn is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Semaphore>();
    check::<SemaphorePermit<'_>>();
    check::<Acquire<'_>>();
    check::<AcquireMany<'_>>();
    check::<AcquireOwned>();
    check::<OwnedSemaphorePermit<Arc<Semaphore>>>();
}
