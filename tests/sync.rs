//! Tests of `runtime::sync`, driven by `futures`' executors (the primitives
//! need no runtime) and by plain OS threads; one test that races a send
//! against a timer runs on the runtime's paused clock, under explored
//! schedules (`#[runtime::test(explore = 100)]`).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::task::Poll;

use futures::executor::{LocalPool, block_on};
use futures::task::LocalSpawnExt;
use integration_tests::{CountingWaker, poll_once, poll_with, yield_now};
use runtime::sync::{Event, Mutex, Semaphore, mpsc, oneshot};

// ---------------------------------------------------------------- Semaphore

#[test]
fn semaphore_bounds_concurrency_and_admits_in_arrival_order() {
    let mut pool = LocalPool::new();
    let sem = Rc::new(Semaphore::new(3));
    let inside = Rc::new(Cell::new(0usize));
    let max_inside = Rc::new(Cell::new(0usize));
    let arrivals = Rc::new(RefCell::new(Vec::new()));
    let entries = Rc::new(RefCell::new(Vec::new()));
    for id in 0..100 {
        let (sem, inside, max_inside) = (sem.clone(), inside.clone(), max_inside.clone());
        let (arrivals, entries) = (arrivals.clone(), entries.clone());
        pool.spawner()
            .spawn_local(async move {
                arrivals.borrow_mut().push(id);
                let _permit = sem.acquire().await;
                entries.borrow_mut().push(id);
                inside.set(inside.get() + 1);
                max_inside.set(max_inside.get().max(inside.get()));
                for _ in 0..3 {
                    yield_now().await;
                }
                inside.set(inside.get() - 1);
            })
            .expect("spawn");
    }
    pool.run();
    assert_eq!(max_inside.get(), 3);
    assert_eq!(entries.borrow().len(), 100);
    assert_eq!(*entries.borrow(), *arrivals.borrow());
    assert_eq!(sem.available_permits(), 3);
}

#[test]
fn dropping_a_waiting_acquire_leaves_the_queue() {
    let sem = Semaphore::new(1);
    let held = sem.try_acquire().expect("one permit");
    let mut a = sem.acquire();
    let mut b = sem.acquire();
    assert!(poll_once(&mut a).is_pending());
    assert!(poll_once(&mut b).is_pending());
    drop(a);
    let (b_wakes, b_waker) = CountingWaker::new();
    assert!(poll_with(&mut b, &b_waker).is_pending());
    drop(held);
    assert_eq!(b_wakes.wakes(), 1, "b is next in line once a left");
    assert!(poll_once(&mut b).is_ready());
    assert_eq!(sem.available_permits(), 1);
}

#[test]
fn dropping_a_granted_but_unpolled_acquire_passes_the_permit_on() {
    let sem = Semaphore::new(1);
    let held = sem.try_acquire().expect("one permit");
    let mut a = sem.acquire();
    let mut b = sem.acquire();
    let (a_wakes, a_waker) = CountingWaker::new();
    let (b_wakes, b_waker) = CountingWaker::new();
    assert!(poll_with(&mut a, &a_waker).is_pending());
    assert!(poll_with(&mut b, &b_waker).is_pending());
    drop(held);
    assert_eq!((a_wakes.wakes(), b_wakes.wakes()), (1, 0));
    assert_eq!(sem.available_permits(), 0, "the permit is a's now");
    drop(a);
    assert_eq!(b_wakes.wakes(), 1);
    match poll_once(&mut b) {
        Poll::Ready(permit) => drop(permit),
        Poll::Pending => panic!("b should have the permit"),
    }
    assert_eq!(sem.available_permits(), 1, "no permit lost or invented");
}

#[test]
fn try_acquire_does_not_barge_past_waiters() {
    let sem = Semaphore::new(1);
    let held = sem.try_acquire().expect("one permit");
    let mut a = sem.acquire();
    assert!(poll_once(&mut a).is_pending());
    drop(held);
    assert!(sem.try_acquire().is_none(), "the freed permit belongs to a");
    assert!(poll_once(&mut a).is_ready());
}

#[test]
fn add_permits_wakes_waiters_and_keeps_the_rest() {
    let sem = Semaphore::new(0);
    let mut waiting: Vec<_> = (0..3).map(|_| sem.acquire()).collect();
    let counters: Vec<_> = waiting
        .iter_mut()
        .map(|acquire| {
            let (count, waker) = CountingWaker::new();
            assert!(poll_with(acquire, &waker).is_pending());
            count
        })
        .collect();
    sem.add_permits(2);
    let wakes: Vec<_> = counters.iter().map(|c| c.wakes()).collect();
    assert_eq!(wakes, vec![1, 1, 0]);
    sem.add_permits(5);
    assert_eq!(counters[2].wakes(), 1);
    assert_eq!(sem.available_permits(), 4);
    let permits: Vec<_> = waiting
        .iter_mut()
        .map(|a| match poll_once(a) {
            Poll::Ready(p) => p,
            Poll::Pending => panic!("every waiter was granted"),
        })
        .collect();
    drop(permits);
    assert_eq!(sem.available_permits(), 7);
}

#[test]
fn permit_forget_keeps_it_out() {
    let sem = Semaphore::new(2);
    sem.try_acquire().expect("free").forget();
    assert_eq!(sem.available_permits(), 1);
}

#[test]
fn semaphore_is_shared_with_os_threads() {
    let sem = Arc::new(Semaphore::new(2));
    let inside = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (sem, inside) = (sem.clone(), inside.clone());
            std::thread::spawn(move || {
                for _ in 0..200 {
                    block_on(async {
                        let _p = sem.acquire().await;
                        let now = inside.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        assert!(now < 2, "at most two inside");
                        inside.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                    });
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread");
    }
    assert_eq!(sem.available_permits(), 2);
}

// -------------------------------------------------------------------- Mutex

#[test]
fn mutex_excludes_and_serves_in_fifo_order() {
    let mut pool = LocalPool::new();
    let mutex = Rc::new(Mutex::new(Vec::new()));
    let busy = Rc::new(Cell::new(false));
    let arrivals = Rc::new(RefCell::new(Vec::new()));
    for id in 0..50 {
        let (mutex, busy, arrivals) = (mutex.clone(), busy.clone(), arrivals.clone());
        pool.spawner()
            .spawn_local(async move {
                arrivals.borrow_mut().push(id);
                let mut guard = mutex.lock().await;
                assert!(!busy.replace(true), "two tasks inside the mutex");
                yield_now().await;
                guard.push(id);
                busy.set(false);
            })
            .expect("spawn");
    }
    pool.run();
    let order = block_on(mutex.lock()).clone();
    assert_eq!(order, *arrivals.borrow());
}

#[test]
fn mutex_try_lock_and_cancelled_lock() {
    let mutex = Mutex::new(5);
    let guard = mutex.try_lock().expect("unlocked");
    let err = mutex.try_lock().expect_err("locked");
    assert!(!err.to_string().is_empty());
    let mut waiting = mutex.lock();
    assert!(poll_once(&mut waiting).is_pending());
    drop(waiting);
    drop(guard);
    assert_eq!(*mutex.try_lock().expect("unlocked again"), 5);
    assert_eq!(format!("{mutex:?}"), "Mutex { data: 5 }");
}

#[test]
fn mutex_counts_across_os_threads() {
    let mutex = Arc::new(Mutex::new(0u64));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let mutex = mutex.clone();
            std::thread::spawn(move || {
                for _ in 0..1000 {
                    block_on(async { *mutex.lock().await += 1 });
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread");
    }
    assert_eq!(*block_on(mutex.lock()), 4000);
}

// -------------------------------------------------------------------- Event

#[test]
fn event_set_wakes_every_waiter() {
    let mut pool = LocalPool::new();
    let event = Rc::new(Event::new());
    let done = Rc::new(Cell::new(0));
    for _ in 0..10 {
        let (event, done) = (event.clone(), done.clone());
        pool.spawner()
            .spawn_local(async move {
                event.wait().await;
                done.set(done.get() + 1);
            })
            .expect("spawn");
    }
    pool.run_until_stalled();
    assert_eq!(done.get(), 0);
    assert!(!event.is_set());
    event.set();
    assert!(event.is_set());
    pool.run_until_stalled();
    assert_eq!(done.get(), 10);
}

#[test]
fn event_wait_on_set_event_is_immediate_and_clear_resets() {
    let event = Event::new();
    event.set();
    event.set(); // idempotent
    assert!(poll_once(&mut event.wait()).is_ready());
    event.clear();
    assert!(!event.is_set());
    let mut w = event.wait();
    assert!(poll_once(&mut w).is_pending());
    drop(w); // cancelling a wait is fine
    let mut w = event.wait();
    let (wakes, waker) = CountingWaker::new();
    assert!(poll_with(&mut w, &waker).is_pending());
    event.set();
    assert_eq!(wakes.wakes(), 1);
    assert!(poll_once(&mut w).is_ready());
}

#[test]
fn event_set_from_another_thread() {
    let event = Arc::new(Event::new());
    let setter = {
        let event = event.clone();
        std::thread::spawn(move || event.set())
    };
    block_on(event.wait());
    setter.join().expect("thread");
}

// --------------------------------------------------------------------- mpsc

#[test]
fn mpsc_send_waits_while_full() {
    let mut pool = LocalPool::new();
    let (tx, mut rx) = mpsc::channel(2);
    let sent = Rc::new(Cell::new(0));
    {
        let sent = sent.clone();
        pool.spawner()
            .spawn_local(async move {
                for i in 0..5 {
                    tx.send(i).await.expect("receiver alive");
                    sent.set(sent.get() + 1);
                }
            })
            .expect("spawn");
    }
    pool.run_until_stalled();
    assert_eq!(sent.get(), 2, "the third send waits for room");
    assert_eq!(rx.try_recv(), Ok(0));
    pool.run_until_stalled();
    assert_eq!(sent.get(), 3);
    let rest = pool.run_until(async {
        let mut rest = Vec::new();
        while let Some(v) = rx.recv().await {
            rest.push(v);
        }
        rest
    });
    assert_eq!(rest, vec![1, 2, 3, 4]);
}

#[test]
fn mpsc_blocked_senders_are_served_in_fifo_order() {
    let mut pool = LocalPool::new();
    let (tx, mut rx) = mpsc::channel(1);
    let arrivals = Rc::new(RefCell::new(Vec::new()));
    for id in 0..20 {
        let (tx, arrivals) = (tx.clone(), arrivals.clone());
        pool.spawner()
            .spawn_local(async move {
                arrivals.borrow_mut().push(id);
                tx.send(id).await.expect("receiver alive")
            })
            .expect("spawn");
    }
    drop(tx);
    pool.run_until_stalled();
    let got = pool.run_until(async {
        let mut got = Vec::new();
        while let Some(v) = rx.recv().await {
            got.push(v);
        }
        got
    });
    assert_eq!(got, *arrivals.borrow());
}

#[test]
fn mpsc_recv_gives_none_after_every_sender_is_dropped() {
    block_on(async {
        let (tx, mut rx) = mpsc::channel(4);
        let tx2 = tx.clone();
        tx.send("a").await.expect("open");
        drop(tx);
        tx2.try_send("b").expect("room");
        drop(tx2);
        assert_eq!(rx.recv().await, Some("a"));
        assert_eq!(rx.recv().await, Some("b"));
        assert_eq!(rx.recv().await, None);
        assert_eq!(rx.try_recv(), Err(mpsc::TryRecvError::Disconnected));
    });
}

#[test]
fn mpsc_recv_wakes_when_last_sender_drops() {
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    let mut recv = rx.recv();
    let (wakes, waker) = CountingWaker::new();
    assert!(poll_with(&mut recv, &waker).is_pending());
    drop(tx);
    assert_eq!(wakes.wakes(), 1);
    assert_eq!(poll_once(&mut recv), Poll::Ready(None));
}

#[test]
fn mpsc_send_to_dropped_receiver_returns_the_value() {
    struct NotDebug(u32);
    let (tx, rx) = mpsc::channel(1);
    drop(rx);
    assert!(tx.is_closed());
    let err = block_on(tx.send(NotDebug(7))).expect_err("receiver is gone");
    assert_eq!(err.0.0, 7);
    assert_eq!(format!("{err:?}"), "SendError { .. }");
    assert!(!err.to_string().is_empty());
    let err: Box<dyn std::error::Error> = Box::new(err);
    drop(err);
    match tx.try_send(NotDebug(8)) {
        Err(mpsc::TrySendError::Closed(v)) => assert_eq!(v.0, 8),
        _ => panic!("expected Closed"),
    }
}

#[test]
fn mpsc_try_send_reports_full() {
    let (tx, _rx) = mpsc::channel(1);
    tx.try_send(1).expect("room");
    let err = tx.try_send(2).expect_err("full");
    assert!(matches!(err, mpsc::TrySendError::Full(2)));
    assert_eq!(err.into_inner(), 2);
}

#[test]
fn mpsc_cancelled_send_loses_nothing_and_stalls_nobody() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(0).expect("room");
    let mut a = tx.send(1);
    let mut b = tx.send(2);
    assert!(poll_once(&mut a).is_pending());
    let (b_wakes, b_waker) = CountingWaker::new();
    assert!(poll_with(&mut b, &b_waker).is_pending());
    drop(a);
    assert_eq!(rx.try_recv(), Ok(0));
    assert_eq!(b_wakes.wakes(), 1, "b moves up when a is gone");
    assert!(matches!(poll_once(&mut b), Poll::Ready(Ok(()))));
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(rx.try_recv(), Err(mpsc::TryRecvError::Empty));
    tx.try_send(3).expect("capacity intact");
}

#[test]
#[should_panic(expected = "capacity must be at least 1")]
fn mpsc_zero_capacity_panics() {
    let _ = mpsc::channel::<u8>(0);
}

#[test]
fn mpsc_sender_on_another_os_thread() {
    let (tx, mut rx) = mpsc::channel(4);
    let producer = std::thread::spawn(move || {
        block_on(async {
            for i in 0..1000u32 {
                tx.send(i).await.expect("receiver alive");
            }
        })
    });
    let got = block_on(async {
        let mut got = Vec::new();
        while let Some(v) = rx.recv().await {
            got.push(v);
        }
        got
    });
    producer.join().expect("thread");
    assert_eq!(got, (0..1000).collect::<Vec<_>>());
}

#[test]
fn mpsc_dropping_receiver_drops_buffered_values() {
    let marker = Rc::new(());
    let (tx, rx) = mpsc::channel(2);
    tx.try_send(marker.clone()).expect("room");
    assert_eq!(Rc::strong_count(&marker), 2);
    drop(rx);
    assert_eq!(Rc::strong_count(&marker), 1);
}

// ------------------------------------------------------------------ oneshot

#[test]
fn oneshot_send_then_recv() {
    let (tx, rx) = oneshot::channel();
    assert!(!tx.is_closed());
    tx.send("hi").expect("receiver alive");
    assert_eq!(block_on(rx), Ok("hi"));
}

#[test]
fn oneshot_recv_waits_for_a_thread() {
    let (tx, rx) = oneshot::channel();
    let t = std::thread::spawn(move || tx.send(42u64).expect("receiver alive"));
    assert_eq!(block_on(rx), Ok(42));
    t.join().expect("thread");
}

#[test]
fn oneshot_dropped_sender_gives_recv_error() {
    let (tx, mut rx) = oneshot::channel::<u8>();
    let (wakes, waker) = CountingWaker::new();
    assert!(poll_with(&mut rx, &waker).is_pending());
    drop(tx);
    assert_eq!(wakes.wakes(), 1);
    let err = block_on(rx).expect_err("sender dropped");
    assert!(!err.to_string().is_empty());
    assert!(format!("{err:?}").contains("RecvError"));
}

#[test]
fn oneshot_dropped_receiver_returns_the_value() {
    let (tx, rx) = oneshot::channel();
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send(9), Err(9));
}

// ---- A send completes only when it returns Ready (issue #13, item 3) ------

/// The receiver frees a slot while a blocked `send` waits; the `send` is
/// dropped before it is polled again (a losing `select!` arm, an aborted
/// task). It never returned `Ready`, so its message must not arrive, and a
/// retry must deliver it exactly once. (It used to be moved into the
/// buffer at the moment the slot was freed, and arrived anyway.)
#[test]
fn a_cancelled_send_is_not_delivered() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(0).unwrap();
    let mut send = Box::pin(tx.send(1));
    assert!(poll_once(&mut send).is_pending());
    assert_eq!(rx.try_recv(), Ok(0)); // frees the slot for the blocked send
    drop(send); // ... which never completed
    assert_eq!(rx.try_recv(), Err(mpsc::TryRecvError::Empty));
    // The retry is delivered once.
    block_on(tx.send(1)).unwrap();
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Err(mpsc::TryRecvError::Empty));
}

/// A slot granted to a send that is then dropped passes to the next
/// blocked send, in order: nothing is lost, nothing overtakes.
#[test]
fn a_granted_slot_left_by_a_cancelled_send_goes_to_the_next_sender() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(0).unwrap();
    let mut a = Box::pin(tx.send(1));
    let mut b = Box::pin(tx.send(2));
    let (b_wakes, b_waker) = CountingWaker::new();
    assert!(poll_once(&mut a).is_pending());
    assert!(poll_with(&mut b, &b_waker).is_pending());
    assert_eq!(rx.try_recv(), Ok(0)); // granted to a
    assert!(
        matches!(tx.try_send(9), Err(mpsc::TrySendError::Full(9))),
        "a later send must not take a's slot"
    );
    drop(a);
    assert_eq!(b_wakes.wakes(), 1, "a's slot went on to b");
    assert!(matches!(poll_with(&mut b, &b_waker), Poll::Ready(Ok(()))));
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(rx.try_recv(), Err(mpsc::TryRecvError::Empty));
}

/// The same through a real `select`: a send that loses a race against a
/// timeout, after the receiver made room, leaves no message. The receiver's
/// timer and the timeout are due at the same tick, so which one runs first
/// is the schedule's choice: under 100 explored schedules the send wins in
/// about half and loses in the rest (54 and 46 when this was written), and
/// both outcomes are checked.
#[runtime::test(explore = 100)]
async fn a_send_that_loses_a_timeout_race_is_not_delivered() {
    let (tx, mut rx) = mpsc::channel::<u32>(1);
    tx.send(0).await.unwrap();
    let receiver = runtime::spawn(async move {
        // Makes room while the send below waits, at the same instant
        // the timeout fires.
        runtime::time::sleep(std::time::Duration::from_millis(10)).await;
        let first = rx.recv().await;
        runtime::time::sleep(std::time::Duration::from_millis(10)).await;
        (first, rx.try_recv())
    });
    let lost = runtime::time::timeout(std::time::Duration::from_millis(10), tx.send(1)).await;
    let (first, second) = receiver.await.unwrap();
    assert_eq!(first, Some(0));
    match lost {
        Ok(sent) => {
            sent.unwrap();
            assert_eq!(second, Ok(1), "a send that returned Ok was delivered");
        }
        Err(_) => assert_eq!(
            second,
            Err(mpsc::TryRecvError::Empty),
            "a timed-out send was delivered"
        ),
    }
}

// ---- A dropped receiver lets go of its waker (issue #13, item 7) ----------

#[test]
fn a_dropped_receiver_releases_its_last_waker() {
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    let (counter, waker) = CountingWaker::new();
    {
        let mut recv = Box::pin(rx.recv());
        assert!(poll_with(&mut recv, &waker).is_pending());
    }
    drop(waker);
    assert_eq!(
        Arc::strong_count(&counter),
        2,
        "the channel holds the waker"
    );
    drop(rx);
    assert_eq!(
        Arc::strong_count(&counter),
        1,
        "the receiver is gone but its waker (and its task) is still held"
    );
    drop(tx);
}
