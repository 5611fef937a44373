//! White-box tests of the channel's slot accounting.

use super::*;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

fn poll<F: Future + Unpin>(f: &mut F) -> Poll<F::Output> {
    Pin::new(f).poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn cancelled_send_frees_its_place() {
    let (tx, mut rx) = channel(1);
    tx.try_send(0).expect("room for one");
    let mut a = tx.send(1);
    let mut b = tx.send(2);
    assert!(poll(&mut a).is_pending());
    assert!(poll(&mut b).is_pending());
    drop(a);
    assert_eq!(rx.try_recv(), Ok(0));
    assert!(matches!(poll(&mut b), Poll::Ready(Ok(()))));
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn dropped_receiver_returns_blocked_values() {
    let (tx, rx) = channel(1);
    tx.try_send(0).expect("room for one");
    let mut a = tx.send(1);
    assert!(poll(&mut a).is_pending());
    drop(rx);
    assert!(matches!(poll(&mut a), Poll::Ready(Err(SendError(1)))));
    assert!(tx.is_closed());
}

#[test]
fn send_sync_bounds() {
    fn check<T: std::marker::Send + Sync>() {}
    check::<Sender<std::cell::Cell<u8>>>();
    check::<Receiver<std::cell::Cell<u8>>>();
}
