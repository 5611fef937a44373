//! `mpsc`: reservations, closing, `recv_many`, `send_timeout`, weak and
//! unbounded senders, the receiver as a `Stream`.

use std::future::poll_fn;
use std::task::Poll;
use std::time::Duration;

use futures::executor::block_on;
use integration_tests::{CountingWaker, poll_once, poll_with};
use runtime::sync::mpsc::{self, SendError, SendTimeoutError, TryRecvError, TrySendError};

// ------------------------------------------------------------ reservations

#[test]
fn a_permit_holds_a_slot_and_a_dropped_permit_returns_it() {
    let (tx, mut rx) = mpsc::channel::<u32>(1);
    let permit = tx.try_reserve().expect("one free slot");
    assert_eq!(tx.capacity(), 0);
    assert!(matches!(tx.try_send(1), Err(TrySendError::Full(1))));
    drop(permit);
    assert_eq!(tx.capacity(), 1, "the unused slot came back");
    let permit = block_on(tx.reserve()).expect("open");
    permit.send(7);
    assert_eq!(rx.try_recv(), Ok(7));
}

#[test]
fn a_dropped_permit_passes_its_slot_to_the_next_blocked_sender() {
    let (tx, mut rx) = mpsc::channel::<u32>(1);
    let permit = tx.try_reserve().expect("one free slot");
    let mut blocked = tx.send(1);
    let (wakes, waker) = CountingWaker::new();
    assert!(poll_with(&mut blocked, &waker).is_pending());
    drop(permit);
    assert_eq!(wakes.wakes(), 1, "the slot went to the blocked send");
    assert!(matches!(poll_once(&mut blocked), Poll::Ready(Ok(()))));
    assert_eq!(rx.try_recv(), Ok(1));
}

#[test]
fn reserve_waits_in_fifo_order_with_sends() {
    let (tx, mut rx) = mpsc::channel::<u32>(1);
    tx.try_send(0).expect("room");
    let mut send = tx.send(1);
    let mut reserve = tx.reserve();
    assert!(poll_once(&mut send).is_pending());
    assert!(poll_once(&mut reserve).is_pending());
    assert_eq!(rx.try_recv(), Ok(0));
    assert!(poll_once(&mut reserve).is_pending(), "the send was first");
    assert!(matches!(poll_once(&mut send), Poll::Ready(Ok(()))));
    assert_eq!(rx.try_recv(), Ok(1));
    match poll_once(&mut reserve) {
        Poll::Ready(Ok(permit)) => permit.send(2),
        other => panic!("the reserve should have its slot: {other:?}"),
    }
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn a_cancelled_reserve_passes_a_granted_slot_on() {
    let (tx, mut rx) = mpsc::channel::<u32>(1);
    tx.try_send(0).expect("room");
    let mut reserve = tx.reserve();
    let mut send = tx.send(1);
    assert!(poll_once(&mut reserve).is_pending());
    assert!(poll_once(&mut send).is_pending());
    assert_eq!(rx.try_recv(), Ok(0)); // the slot is granted to `reserve`
    drop(reserve);
    assert!(matches!(poll_once(&mut send), Poll::Ready(Ok(()))));
    assert_eq!(rx.try_recv(), Ok(1));
}

#[test]
fn owned_permits_give_the_sender_back() {
    let (tx, mut rx) = mpsc::channel::<u32>(1);
    let permit = block_on(tx.reserve_owned()).expect("open");
    let tx = permit.send(1);
    assert_eq!(rx.try_recv(), Ok(1));
    let permit = tx.try_reserve_owned().expect("room");
    let tx = permit.release();
    assert_eq!(tx.capacity(), 1);
    let _held = tx.clone().try_reserve_owned().expect("room");
    match tx.try_reserve_owned() {
        Err(TrySendError::Full(tx)) => assert_eq!(tx.capacity(), 0),
        other => panic!("expected Full with the sender: {other:?}"),
    }
}

#[test]
fn try_reserve_reports_closed() {
    let (tx, mut rx) = mpsc::channel::<u32>(2);
    rx.close();
    assert!(matches!(tx.try_reserve(), Err(TrySendError::Closed(()))));
    assert_eq!(block_on(tx.reserve()).unwrap_err(), SendError(()));
}

// ----------------------------------------------------------------- closing

#[test]
fn close_fails_blocked_senders_and_keeps_buffered_messages() {
    let (tx, mut rx) = mpsc::channel::<u32>(1);
    tx.try_send(1).expect("room");
    let mut blocked = tx.send(2);
    let (wakes, waker) = CountingWaker::new();
    assert!(poll_with(&mut blocked, &waker).is_pending());
    rx.close();
    assert_eq!(wakes.wakes(), 1, "close wakes the blocked sender");
    assert!(matches!(
        poll_once(&mut blocked),
        Poll::Ready(Err(SendError(2)))
    ));
    assert!(tx.is_closed());
    assert!(rx.is_closed());
    assert!(matches!(tx.try_send(3), Err(TrySendError::Closed(3))));
    assert_eq!(block_on(rx.recv()), Some(1), "buffered messages survive");
    assert_eq!(block_on(rx.recv()), None);
}

#[test]
fn after_close_recv_waits_for_outstanding_permits() {
    let (tx, mut rx) = mpsc::channel::<u32>(2);
    let permit = tx.try_reserve().expect("room");
    rx.close();
    let mut recv = rx.recv();
    assert!(poll_once(&mut recv).is_pending(), "a permit may still send");
    drop(recv);
    permit.send(5);
    assert_eq!(block_on(rx.recv()), Some(5));
    assert_eq!(block_on(rx.recv()), None);
    // A permit dropped unused after the close ends the stream too.
    let (tx, mut rx) = mpsc::channel::<u32>(2);
    let permit = tx.try_reserve().expect("room");
    rx.close();
    let mut recv = rx.recv();
    let (wakes, waker) = CountingWaker::new();
    assert!(poll_with(&mut recv, &waker).is_pending());
    drop(permit);
    assert_eq!(wakes.wakes(), 1);
    assert_eq!(poll_once(&mut recv), Poll::Ready(None));
}

#[test]
fn sender_closed_completes_for_every_sender_on_close_and_on_drop() {
    let (tx, mut rx) = mpsc::channel::<u32>(1);
    let tx2 = tx.clone();
    let mut a = tx.closed();
    let mut b = tx2.closed();
    let (wakes_a, waker_a) = CountingWaker::new();
    let (wakes_b, waker_b) = CountingWaker::new();
    assert!(poll_with(&mut a, &waker_a).is_pending());
    assert!(poll_with(&mut b, &waker_b).is_pending());
    rx.close();
    assert_eq!((wakes_a.wakes(), wakes_b.wakes()), (1, 1));
    assert!(poll_once(&mut a).is_ready());
    assert!(poll_once(&mut b).is_ready());
    let (tx, rx) = mpsc::unbounded_channel::<u32>();
    let waiter = std::thread::spawn(move || block_on(tx.closed()));
    drop(rx);
    waiter
        .join()
        .expect("closed() completes once the receiver is dropped");
}

// ---------------------------------------------------------------- recv_many

#[test]
fn recv_many_respects_the_limit() {
    let (tx, mut rx) = mpsc::channel::<u32>(8);
    for i in 0..5 {
        tx.try_send(i).expect("room");
    }
    let mut got = vec![100];
    assert_eq!(block_on(rx.recv_many(&mut got, 0)), 0, "limit 0: nothing");
    assert_eq!(block_on(rx.recv_many(&mut got, 2)), 2);
    assert_eq!(got, [100, 0, 1], "appended, not overwritten");
    assert_eq!(block_on(rx.recv_many(&mut got, 10)), 3);
    assert_eq!(got, [100, 0, 1, 2, 3, 4]);
    drop(tx);
    assert_eq!(block_on(rx.recv_many(&mut got, 10)), 0, "finished");
}

#[test]
fn recv_many_waits_for_one_and_grants_the_freed_slots() {
    let (tx, mut rx) = mpsc::channel::<u32>(2);
    let mut got = Vec::new();
    {
        let mut waiting = Box::pin(rx.recv_many(&mut got, 4));
        assert!(poll_once(&mut waiting).is_pending(), "waits for one");
    }
    tx.try_send(0).expect("room");
    tx.try_send(1).expect("room");
    let mut blocked: Vec<_> = (2..4).map(|i| tx.send(i)).collect();
    let counters: Vec<_> = blocked
        .iter_mut()
        .map(|send| {
            let (count, waker) = CountingWaker::new();
            assert!(poll_with(send, &waker).is_pending());
            count
        })
        .collect();
    assert_eq!(block_on(rx.recv_many(&mut got, 4)), 2);
    let wakes: Vec<_> = counters.iter().map(|c| c.wakes()).collect();
    assert_eq!(wakes, [1, 1], "both freed slots were granted");
    for send in &mut blocked {
        assert!(matches!(poll_once(send), Poll::Ready(Ok(()))));
    }
    assert_eq!(block_on(rx.recv_many(&mut got, 4)), 2);
    assert_eq!(got, [0, 1, 2, 3]);
}

// ---------------------------------------------- len, capacity, poll_recv

#[test]
fn len_capacity_and_max_capacity() {
    let (tx, mut rx) = mpsc::channel::<u32>(3);
    assert!(rx.is_empty());
    assert_eq!((tx.capacity(), tx.max_capacity()), (3, 3));
    tx.try_send(1).expect("room");
    let _permit = tx.try_reserve().expect("room");
    assert_eq!(rx.len(), 1, "a reservation is not a message");
    assert_eq!(tx.capacity(), 1, "but it takes a slot");
    assert_eq!((rx.capacity(), rx.max_capacity()), (1, 3));
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn poll_recv_in_a_hand_written_future() {
    let (tx, mut rx) = mpsc::channel::<u32>(1);
    tx.try_send(4).expect("room");
    drop(tx);
    let got = block_on(poll_fn(|cx| rx.poll_recv(cx)));
    assert_eq!(got, Some(4));
    assert_eq!(block_on(poll_fn(|cx| rx.poll_recv(cx))), None);
}

// -------------------------------------------------------------- send_timeout

#[runtime::test(paused)]
async fn send_timeout_gives_the_value_back_at_the_deadline() {
    let (tx, mut rx) = mpsc::channel::<u32>(1);
    tx.send(0).await.unwrap();
    let start = runtime::time::Instant::now();
    let err = tx.send_timeout(1, Duration::from_secs(5)).await;
    assert_eq!(err, Err(SendTimeoutError::Timeout(1)));
    assert_eq!(start.elapsed(), Duration::from_secs(5));
    assert_eq!(rx.try_recv(), Ok(0));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty), "not delivered");
}

#[runtime::test(paused)]
async fn send_timeout_sends_when_room_comes_in_time() {
    let (tx, mut rx) = mpsc::channel::<u32>(1);
    tx.send(0).await.unwrap();
    let receiver = runtime::spawn(async move {
        runtime::time::sleep(Duration::from_secs(1)).await;
        (rx.recv().await, rx.recv().await)
    });
    tx.send_timeout(1, Duration::from_secs(5)).await.unwrap();
    drop(tx);
    assert_eq!(receiver.await.unwrap(), (Some(0), Some(1)));
}

#[runtime::test(paused)]
async fn send_timeout_on_a_closed_channel_fails_at_once() {
    let (tx, rx) = mpsc::channel::<u32>(1);
    drop(rx);
    let start = runtime::time::Instant::now();
    let err = tx
        .send_timeout(3, Duration::from_secs(5))
        .await
        .unwrap_err();
    assert_eq!(err, SendTimeoutError::Closed(3));
    assert_eq!(err.into_inner(), 3);
    assert_eq!(start.elapsed(), Duration::ZERO);
}

// ------------------------------------------------------ weak and unbounded

#[test]
fn a_weak_sender_does_not_keep_the_channel_open() {
    let (tx, mut rx) = mpsc::channel::<u32>(1);
    let weak = tx.downgrade();
    let upgraded = weak.upgrade().expect("a strong sender exists");
    assert!(upgraded.same_channel(&tx));
    drop((tx, upgraded));
    assert!(weak.upgrade().is_none());
    assert_eq!(block_on(rx.recv()), None, "weak senders do not count");
}

#[test]
fn unbounded_send_never_waits_and_close_stops_it() {
    let (tx, mut rx) = mpsc::unbounded_channel::<u32>();
    for i in 0..10_000 {
        tx.send(i).expect("open");
    }
    assert_eq!(rx.len(), 10_000);
    let weak = tx.downgrade();
    rx.close();
    assert!(tx.is_closed());
    assert_eq!(tx.send(1), Err(SendError(1)));
    let mut all = Vec::new();
    while block_on(rx.recv_many(&mut all, 1000)) > 0 {}
    assert_eq!(all, (0..10_000).collect::<Vec<_>>());
    assert!(weak.upgrade().is_some(), "the sender itself is still alive");
    drop(tx);
    assert!(weak.upgrade().is_none());
}

#[test]
fn unbounded_receiver_sees_the_end_after_the_last_sender() {
    let (tx, mut rx) = mpsc::unbounded_channel::<u32>();
    let tx2 = tx.clone();
    std::thread::spawn(move || tx2.send(2).expect("open"))
        .join()
        .expect("thread");
    tx.send(3).expect("open");
    drop(tx);
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(block_on(rx.recv()), Some(3));
    assert_eq!(block_on(rx.recv()), None);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    assert!(rx.is_closed());
}

// ----------------------------------------------------------------- Stream

#[test]
fn receivers_are_streams() {
    use futures::StreamExt;
    let (tx, rx) = mpsc::channel::<u32>(4);
    let producer = std::thread::spawn(move || {
        for i in 0..20 {
            block_on(tx.send(i)).expect("open");
        }
    });
    let got: Vec<u32> = block_on(rx.collect());
    producer.join().expect("thread");
    assert_eq!(got, (0..20).collect::<Vec<_>>());
    let (tx, rx) = mpsc::unbounded_channel::<u32>();
    tx.send(1).expect("open");
    drop(tx);
    assert_eq!(block_on(rx.map(|v| v * 10).collect::<Vec<_>>()), [10]);
}

#[test]
fn the_new_handles_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    type C = std::cell::Cell<u8>;
    check::<mpsc::Permit<'_, C>>();
    check::<mpsc::OwnedPermit<C>>();
    check::<mpsc::Reserve<'_, C>>();
    check::<mpsc::ReserveOwned<C>>();
    check::<mpsc::WeakSender<C>>();
    check::<mpsc::UnboundedSender<C>>();
    check::<mpsc::UnboundedReceiver<C>>();
    check::<mpsc::WeakUnboundedSender<C>>();
    check::<mpsc::Closed<'_, C>>();
}
