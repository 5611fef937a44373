//! Unit tests of `Event`: release by generation, cancellation, spurious
//! re-polls, batches larger than one wake batch, and threads racing.

use super::*;
use crate::test_wakers::counter;

fn poll(w: &mut Wait<'_>) -> Poll<()> {
    Pin::new(w).poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn waiter_released_by_set_completes_even_after_clear() {
    let event = Event::new();
    let mut w = event.wait();
    assert!(poll(&mut w).is_pending());
    event.set();
    event.clear();
    assert!(poll(&mut w).is_ready());
}

#[test]
fn waiter_queued_after_clear_keeps_waiting() {
    let event = Event::new();
    event.set();
    event.clear();
    let mut w = event.wait();
    assert!(poll(&mut w).is_pending());
    assert!(poll(&mut w).is_pending());
    event.set();
    assert!(poll(&mut w).is_ready());
}

fn poll_with(w: &mut Wait<'_>, waker: &Waker) -> Poll<()> {
    Pin::new(w).poll(&mut Context::from_waker(waker))
}

#[test]
fn released_waiter_dropped_late_leaves_the_next_waiter_queued() {
    // `set` frees the first waiter's node; the second waiter reuses its
    // slab key. Dropping the first (released, never polled again) must
    // not remove the second's node.
    let event = Event::new();
    let (first_c, first_w) = counter();
    let mut first = event.wait();
    assert!(poll_with(&mut first, &first_w).is_pending());
    event.set();
    assert_eq!(first_c.wakes(), 1);
    event.clear();
    let (second_c, second_w) = counter();
    let mut second = event.wait();
    assert!(poll_with(&mut second, &second_w).is_pending());
    drop(first);
    assert!(poll_with(&mut second, &second_w).is_pending());
    event.set();
    assert_eq!(second_c.wakes(), 1);
    assert!(poll_with(&mut second, &second_w).is_ready());
}

#[test]
fn dropped_waiter_is_not_woken_and_others_are() {
    let event = Event::new();
    let (a_c, a_w) = counter();
    let (b_c, b_w) = counter();
    let mut a = event.wait();
    let mut b = event.wait();
    assert!(poll_with(&mut a, &a_w).is_pending());
    assert!(poll_with(&mut b, &b_w).is_pending());
    drop(a);
    event.set();
    assert_eq!((a_c.wakes(), b_c.wakes()), (0, 1));
    assert!(poll_with(&mut b, &b_w).is_ready());
    // Only our own references to the wakers are left: the queue holds
    // none (the dropped waiter's node was freed, the woken one consumed).
    assert_eq!(std::sync::Arc::strong_count(&a_c), 2);
    assert_eq!(std::sync::Arc::strong_count(&b_c), 2);
}

#[test]
fn spurious_poll_replaces_the_waker() {
    let event = Event::new();
    let (old_c, old_w) = counter();
    let (new_c, new_w) = counter();
    let mut w = event.wait();
    assert!(poll_with(&mut w, &old_w).is_pending());
    assert!(poll_with(&mut w, &new_w).is_pending());
    event.set();
    assert_eq!((old_c.wakes(), new_c.wakes()), (0, 1));
    assert!(poll_with(&mut w, &new_w).is_ready());
}

#[test]
fn set_releases_more_waiters_than_one_batch() {
    let event = Event::new();
    let (c, waker) = counter();
    let n = 3 * WakeList::CAPACITY + 5;
    let mut ws: Vec<Wait<'_>> = (0..n).map(|_| event.wait()).collect();
    for w in &mut ws {
        assert!(poll_with(w, &waker).is_pending());
    }
    event.set();
    assert_eq!(c.wakes(), n);
    event.clear();
    for w in &mut ws {
        assert!(poll_with(w, &waker).is_ready());
    }
    drop(ws);
    assert_eq!(event.lock().node_count(), 0);
}

#[test]
fn threads_ping_pong_while_another_cancels_waits() {
    // Two threads hand a turn back and forth through set/wait/clear (a
    // lost wake hangs the test); a third keeps queueing waits on the
    // same events and dropping them, racing every `set`. At the end no
    // node is left behind.
    use futures::executor::block_on;
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;
    let rounds = if cfg!(miri) { 30 } else { 20_000 };
    let (ping, pong) = (Arc::new(Event::new()), Arc::new(Event::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let pong_side = {
        let (ping, pong) = (ping.clone(), pong.clone());
        std::thread::spawn(move || {
            block_on(async {
                for _ in 0..rounds {
                    pong.wait().await;
                    pong.clear();
                    ping.set();
                }
            })
        })
    };
    let canceller = {
        let (ping, pong, stop) = (ping.clone(), pong.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                for event in [&ping, &pong] {
                    let mut w = event.wait();
                    let _ = poll(&mut w);
                    let _ = poll(&mut w);
                }
            }
        })
    };
    block_on(async {
        for _ in 0..rounds {
            pong.set();
            ping.wait().await;
            ping.clear();
        }
    });
    pong_side.join().expect("pong thread");
    stop.store(true, Ordering::Relaxed);
    canceller.join().expect("canceller thread");
    assert_eq!(ping.lock().node_count(), 0);
    assert_eq!(pong.lock().node_count(), 0);
}

#[test]
fn is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Event>();
    check::<Wait<'_>>();
    fn unwind_safe<T: std::panic::UnwindSafe + std::panic::RefUnwindSafe>() {}
    unwind_safe::<Event>();
    unwind_safe::<Wait<'_>>();
}
