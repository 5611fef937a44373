//! Unit tests of the watch channel's bookkeeping: bounds, versions seen by
//! clones and new subscribers, the marks, the receiver count. The tests of
//! waiting (on the loop, and from other threads) are in
//! `tests/rwlock_watch.rs`.

use std::pin::pin;
use std::task::{Context, Waker};

use super::*;

fn poll<F: std::future::Future>(f: std::pin::Pin<&mut F>) -> std::task::Poll<F::Output> {
    f.poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn send_sync_bounds() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Sender<Vec<u8>>>();
    send_sync::<Receiver<Vec<u8>>>();
    send_sync::<Changed<'_, u8>>();
    send_sync::<Closed<'_, u8>>();
    fn sync<T: Sync>() {}
    sync::<Ref<'_, u8>>();
}

#[test]
fn a_clone_has_seen_what_its_original_had_and_a_subscriber_the_latest() {
    let (tx, mut rx) = channel(0);
    tx.send(1).expect("a receiver");
    let unseen = rx.clone();
    assert!(unseen.has_changed().expect("open"));
    rx.mark_unchanged();
    let seen = rx.clone();
    assert!(!seen.has_changed().expect("open"));
    let subscribed = tx.subscribe();
    assert!(!subscribed.has_changed().expect("open"));
    assert_eq!(tx.receiver_count(), 4);
    drop((unseen, seen, subscribed));
    assert_eq!(tx.receiver_count(), 1);
}

#[test]
fn mark_changed_makes_changed_complete_at_once_and_marks_seen() {
    let (_tx, mut rx) = channel("a");
    rx.mark_changed();
    assert!(rx.has_changed().expect("open"));
    assert!(rx.borrow().has_changed());
    assert!(matches!(
        poll(pin!(rx.changed())),
        std::task::Poll::Ready(Ok(()))
    ));
    assert!(poll(pin!(rx.changed())).is_pending());
}

#[test]
fn a_dropped_changed_frees_its_waiter_node_and_marks_nothing() {
    let (tx, mut rx) = channel(0);
    {
        let changed = pin!(rx.changed());
        assert!(poll(changed).is_pending());
    }
    assert_eq!(rx.shared.notify_rx.node_count(), 0);
    tx.send(1).expect("a receiver");
    assert!(rx.has_changed().expect("open"));
}

#[test]
fn has_changed_fails_once_the_sender_is_gone_but_changed_still_gives_the_value() {
    let (tx, mut rx) = channel(0);
    tx.send(1).expect("a receiver");
    drop(tx);
    assert!(rx.has_changed().is_err());
    assert!(matches!(
        poll(pin!(rx.changed())),
        std::task::Poll::Ready(Ok(()))
    ));
    assert!(matches!(
        poll(pin!(rx.changed())),
        std::task::Poll::Ready(Err(_))
    ));
}

#[test]
fn a_panicking_modify_leaves_the_lock_usable_and_notifies_nobody() {
    let (tx, rx) = channel(1);
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        tx.send_modify(|v| {
            *v = 2;
            panic!("in modify");
        })
    }));
    assert!(caught.is_err());
    assert!(!rx.has_changed().expect("open"), "no new version");
    assert_eq!(*rx.borrow(), 2, "what it wrote before the panic stays");
    tx.send(3).expect("the lock is not poisoned");
    assert_eq!(*rx.borrow(), 3);
}

#[test]
fn debug_shows_the_version_and_counts_without_the_value() {
    let (tx, rx) = channel(0);
    tx.send(5).expect("a receiver");
    assert_eq!(
        format!("{rx:?}"),
        "Receiver { seen: 0, shared: Shared { version: 1, closed: false, receivers: 1 } }"
    );
    drop(tx);
    assert!(format!("{rx:?}").contains("closed: true"));
}
