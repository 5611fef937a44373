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

/// Which waker a wait wakes (the latest one given), from this or another
/// thread, and the close semantics checked against tokio's.
mod wakes_and_close {
    use std::pin::pin;
    use std::task::{Context, Poll};

    use super::super::*;
    use crate::test_wakers::counter;

    #[test]
    fn changed_polled_with_a_new_waker_wakes_the_new_one() {
        let (tx, mut rx) = channel(0);
        let (c1, w1) = counter();
        let (c2, w2) = counter();
        let mut ch = pin!(rx.changed());
        assert!(ch.as_mut().poll(&mut Context::from_waker(&w1)).is_pending());
        assert!(ch.as_mut().poll(&mut Context::from_waker(&w2)).is_pending());
        tx.send(1).unwrap();
        assert_eq!(c2.wakes(), 1);
        assert_eq!(c1.wakes(), 0);
        assert!(matches!(
            ch.as_mut().poll(&mut Context::from_waker(&w2)),
            Poll::Ready(Ok(()))
        ));
    }

    #[test]
    fn closed_wakes_when_the_last_receiver_drops_on_another_thread() {
        let (tx, rx) = channel(0);
        let rx2 = rx.clone();
        let (c1, w1) = counter();
        let (c2, w2) = counter();
        let mut cl = pin!(tx.closed());
        assert!(cl.as_mut().poll(&mut Context::from_waker(&w1)).is_pending());
        assert!(cl.as_mut().poll(&mut Context::from_waker(&w2)).is_pending());
        std::thread::spawn(move || drop(rx)).join().unwrap();
        assert!(cl.as_mut().poll(&mut Context::from_waker(&w2)).is_pending());
        std::thread::spawn(move || drop(rx2)).join().unwrap();
        assert_eq!(c2.wakes(), 1);
        assert_eq!(c1.wakes(), 0);
        assert!(cl.as_mut().poll(&mut Context::from_waker(&w2)).is_ready());
        assert_eq!(tx.receiver_count(), 0);
        let again = tx.subscribe();
        assert_eq!(tx.receiver_count(), 1);
        assert!(!tx.is_closed());
        tx.send(3).unwrap();
        assert_eq!(*again.borrow(), 3);
    }

    #[test]
    fn changed_after_sender_drop_with_an_unseen_value_is_ok_once() {
        let (tx, mut rx) = channel(0);
        tx.send(1).unwrap();
        drop(tx);
        assert!(matches!(
            super::poll(pin!(rx.changed())),
            Poll::Ready(Ok(()))
        ));
        assert_eq!(*rx.borrow(), 1);
        assert!(matches!(
            super::poll(pin!(rx.changed())),
            Poll::Ready(Err(_))
        ));
        rx.mark_changed();
        assert!(matches!(
            super::poll(pin!(rx.changed())),
            Poll::Ready(Ok(()))
        ));
        assert!(matches!(
            super::poll(pin!(rx.changed())),
            Poll::Ready(Err(_))
        ));
    }

    #[test]
    fn wait_for_after_sender_drop() {
        let (tx, mut rx) = channel(0);
        tx.send(5).unwrap();
        drop(tx);
        {
            let r = super::poll(pin!(rx.wait_for(|v| *v == 5)));
            let Poll::Ready(Ok(r)) = r else {
                panic!("ready")
            };
            assert!(r.has_changed());
        }
        // Seen now; the sender is gone: f is called on the current value
        // first (as tokio), then Err.
        {
            let r = super::poll(pin!(rx.wait_for(|v| *v == 5)));
            assert!(matches!(r, Poll::Ready(Ok(_))));
        }
        let r = super::poll(pin!(rx.wait_for(|v| *v == 6)));
        assert!(matches!(r, Poll::Ready(Err(_))));
    }

    #[test]
    fn wait_for_waits_and_sees_a_later_value() {
        let (tx, mut rx) = channel(0);
        let mut w = pin!(rx.wait_for(|v| *v == 2));
        assert!(super::poll(w.as_mut()).is_pending());
        tx.send(1).unwrap();
        assert!(super::poll(w.as_mut()).is_pending());
        tx.send(2).unwrap();
        let Poll::Ready(Ok(r)) = super::poll(w.as_mut()) else {
            panic!()
        };
        assert_eq!(*r, 2);
        drop(r);
    }

    #[test]
    fn send_replace_without_receivers_stores() {
        let tx = Sender::new(1);
        assert_eq!(tx.receiver_count(), 0);
        assert!(tx.send(2).is_err());
        assert_eq!(tx.send_replace(3), 1);
        assert_eq!(*tx.borrow(), 3);
        let rx = tx.subscribe();
        assert_eq!(*rx.borrow(), 3);
        assert!(!rx.has_changed().unwrap());
    }

    #[test]
    fn a_panicking_send_modify_keeps_changes_and_later_sends_work() {
        let (tx, mut rx) = channel(vec![1]);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            tx.send_modify(|v| {
                v.push(2);
                panic!("in modify");
            })
        }));
        assert!(r.is_err());
        assert!(!rx.has_changed().unwrap());
        assert_eq!(*rx.borrow(), [1, 2]);
        tx.send_modify(|v| v.push(3));
        assert!(rx.has_changed().unwrap());
        assert_eq!(*rx.borrow_and_update(), [1, 2, 3]);
    }
}
