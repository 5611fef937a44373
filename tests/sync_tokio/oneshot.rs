//! `oneshot`: `Sender::closed`/`poll_closed`, `Receiver::close`,
//! `is_empty`, `is_terminated`.

use std::future::poll_fn;
use std::task::Poll;

use futures::executor::block_on;
use integration_tests::{CountingWaker, poll_once, poll_with};
use runtime::sync::oneshot::{self, RecvError, TryRecvError};

#[test]
fn sender_closed_completes_when_the_receiver_is_dropped() {
    let (mut tx, rx) = oneshot::channel::<u32>();
    let (wakes, waker) = CountingWaker::new();
    {
        let mut closed = tx.closed();
        assert!(poll_with(&mut closed, &waker).is_pending());
    }
    assert!(!tx.is_closed());
    drop(rx);
    assert_eq!(wakes.wakes(), 1, "dropping the receiver wakes closed()");
    block_on(tx.closed());
    assert!(tx.is_closed());
    assert_eq!(tx.send(1), Err(1));
}

#[test]
fn receiver_close_fails_later_sends_and_wakes_the_sender() {
    let (mut tx, mut rx) = oneshot::channel::<u32>();
    let (wakes, waker) = CountingWaker::new();
    let mut cx = std::task::Context::from_waker(&waker);
    assert!(tx.poll_closed(&mut cx).is_pending());
    rx.close();
    assert_eq!(wakes.wakes(), 1);
    block_on(poll_fn(|cx| tx.poll_closed(cx)));
    assert_eq!(tx.send(5), Err(5), "a send after close fails");
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn a_value_sent_before_close_can_still_be_received() {
    let (tx, mut rx) = oneshot::channel();
    tx.send("will receive").expect("open");
    rx.close();
    assert_eq!(rx.try_recv(), Ok("will receive"));
}

#[test]
fn is_empty_until_sent_and_after_received() {
    let (tx, mut rx) = oneshot::channel();
    assert!(rx.is_empty(), "nothing sent yet");
    tx.send(0).expect("open");
    assert!(!rx.is_empty(), "a value waits");
    assert_eq!(poll_once(&mut rx), Poll::Ready(Ok(0)));
    assert!(rx.is_empty(), "received");
    let (tx, rx) = oneshot::channel::<()>();
    drop(tx);
    assert!(rx.is_empty(), "a dropped sender leaves it empty");
}

#[test]
fn is_terminated_after_the_receiver_gave_its_result() {
    let (tx, mut rx) = oneshot::channel();
    assert!(!rx.is_terminated());
    assert!(poll_once(&mut rx).is_pending());
    assert!(!rx.is_terminated(), "pending is not a result");
    tx.send(0).expect("open");
    assert_eq!(poll_once(&mut rx), Poll::Ready(Ok(0)));
    assert!(rx.is_terminated());
    let again: Poll<Result<i32, RecvError>> = poll_once(&mut rx);
    assert!(
        matches!(again, Poll::Ready(Err(_))),
        "polled again: an error"
    );
}

#[test]
fn is_terminated_after_an_error_or_try_recv() {
    let (tx, mut rx) = oneshot::channel::<()>();
    drop(tx);
    assert!(!rx.is_terminated(), "not until it is polled");
    assert!(block_on(&mut rx).is_err());
    assert!(rx.is_terminated());
    let (tx, mut rx) = oneshot::channel();
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    assert!(!rx.is_terminated(), "Empty does not terminate");
    tx.send(1).expect("open");
    assert_eq!(rx.try_recv(), Ok(1));
    assert!(rx.is_terminated());
}
