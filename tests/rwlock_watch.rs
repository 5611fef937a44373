//! `runtime::sync::RwLock` and `runtime::sync::watch` seen from a user
//! program on the loop, on the paused clock (the sleeps below order the
//! tasks and take no wall time): readers together, a writer alone, FIFO
//! order with a queued writer keeping later readers out, `downgrade`,
//! cancelled waits, guards across `.await`, and what a task dump says; the
//! watch channel's versions, coalescing, closing, `wait_for`, and wakes
//! that come from other threads (the blocking pool, and plain OS threads
//! under `futures`' executor).

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use runtime::inspect::{DumpState, WaitReason};
use runtime::sync::{RwLock, watch};
use runtime::time::{Instant, sleep, timeout};
use runtime::{spawn, yield_now};

const TEN_MS: Duration = Duration::from_millis(10);

// ------------------------------------------------------------------ RwLock

#[runtime::test]
async fn many_readers_hold_the_lock_at_once() {
    let lock = Rc::new(RwLock::new(42));
    let inside = Rc::new(Cell::new(0));
    let most_inside = Rc::new(Cell::new(0));
    let start = Instant::now();
    let readers: Vec<_> = (0..10)
        .map(|_| {
            let (lock, inside, most) = (lock.clone(), inside.clone(), most_inside.clone());
            spawn(async move {
                let value = lock.read().await;
                inside.set(inside.get() + 1);
                most.set(most.get().max(inside.get()));
                sleep(TEN_MS).await; // holding the read guard
                inside.set(inside.get() - 1);
                *value
            })
        })
        .collect();
    for reader in readers {
        assert_eq!(reader.await.unwrap(), 42);
    }
    assert_eq!(most_inside.get(), 10, "all ten read together");
    assert_eq!(start.elapsed(), TEN_MS, "so they took one sleep, not ten");
}

#[runtime::test]
async fn a_writer_excludes_readers_and_other_writers() {
    let lock = Rc::new(RwLock::new(0));
    let writing = Rc::new(Cell::new(false));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..6 {
        let (lock, writing) = (lock.clone(), writing.clone());
        tasks.push(spawn(async move {
            if i % 3 == 0 {
                let mut w = lock.write().await;
                assert!(!writing.replace(true), "two writers inside");
                sleep(TEN_MS).await;
                *w += 1;
                writing.set(false);
            } else {
                let _r = lock.read().await;
                assert!(!writing.get(), "a reader beside a writer");
                sleep(TEN_MS).await;
                assert!(!writing.get(), "a writer got in beside a reader");
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(*lock.read().await, 2);
    // w, (r r), w, (r r): four turns of one sleep each.
    assert_eq!(start.elapsed(), 4 * TEN_MS);
}

#[runtime::test]
async fn a_writer_queued_before_a_reader_gets_the_lock_first() {
    let lock = Rc::new(RwLock::new(0));
    let log = Rc::new(RefCell::new(Vec::new()));
    let held = lock.read().await;
    let writer = {
        let (lock, log) = (lock.clone(), log.clone());
        spawn(async move {
            let mut w = lock.write().await;
            log.borrow_mut().push("writer".to_string());
            *w += 1;
        })
    };
    yield_now().await; // the writer queues behind `held`
    assert!(
        lock.try_read().is_err(),
        "a queued writer keeps new readers out"
    );
    let reader = {
        let (lock, log) = (lock.clone(), log.clone());
        spawn(async move {
            let r = lock.read().await;
            log.borrow_mut().push(format!("reader saw {}", *r));
        })
    };
    yield_now().await; // the reader queues behind the writer
    assert!(log.borrow().is_empty());
    drop(held);
    writer.await.unwrap();
    reader.await.unwrap();
    assert_eq!(*log.borrow(), ["writer", "reader saw 1"]);
}

#[runtime::test]
async fn try_read_and_try_write_fail_while_excluded() {
    let lock = RwLock::new(String::from("v"));
    {
        let _r = lock.read().await;
        let err = lock.try_write().expect_err("a reader is inside");
        assert_eq!(
            err.to_string(),
            "the lock is held, or others are queued for it"
        );
        assert_eq!(*lock.try_read().expect("readers share"), "v");
    }
    {
        let _w = lock.write().await;
        assert!(lock.try_read().is_err());
        assert!(lock.try_write().is_err());
    }
    lock.try_write().expect("free again").push('2');
    assert_eq!(lock.into_inner(), "v2");
}

#[runtime::test]
async fn downgrade_lets_the_queued_readers_in_and_keeps_writers_out() {
    let lock = Rc::new(RwLock::new(0));
    let mut w = lock.write().await;
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let lock = lock.clone();
            spawn(async move { *lock.read().await })
        })
        .collect();
    let late_writer = {
        let lock = lock.clone();
        spawn(async move {
            *lock.write().await += 10;
        })
    };
    yield_now().await; // three readers, then a writer, queue
    *w = 1;
    let r = w.downgrade();
    for reader in readers {
        assert_eq!(
            reader.await.unwrap(),
            1,
            "got in beside the downgraded guard"
        );
    }
    yield_now().await;
    assert!(
        !late_writer.is_finished(),
        "the downgraded guard still reads"
    );
    assert_eq!(*r, 1);
    drop(r);
    late_writer.await.unwrap();
    assert_eq!(*lock.read().await, 11);
}

#[runtime::test]
async fn a_write_that_times_out_gives_back_what_it_collected() {
    let lock = Rc::new(RwLock::with_max_readers(0, 4));
    let reader = lock.read().await;
    // The write collects the 3 free permits, then waits for the 4th.
    assert!(timeout(TEN_MS, lock.write()).await.is_err());
    // Nothing was lost: readers get in at once again...
    let readers: Vec<_> = (0..3).map(|_| lock.try_read().expect("free")).collect();
    drop(readers);
    drop(reader);
    // ...and once they are gone, a writer gets every permit.
    *lock.try_write().expect("all four permits are back") = 1;
    // A read that times out behind a writer leaves no trace either.
    let w = lock.write().await;
    assert!(timeout(TEN_MS, lock.read()).await.is_err());
    drop(w);
    assert_eq!(*lock.try_read().expect("nobody queued"), 1);
    assert!(lock.try_write().is_ok());
}

#[runtime::test]
async fn a_write_guard_held_across_an_await_makes_readers_wait() {
    let lock = Rc::new(RwLock::new(Vec::new()));
    let start = Instant::now();
    let writer = {
        let lock = lock.clone();
        spawn(async move {
            let mut w = lock.write().await;
            w.push(1);
            sleep(TEN_MS).await;
            w.push(2);
        })
    };
    yield_now().await;
    let seen = lock.read().await.clone();
    assert_eq!(seen, [1, 2], "the reader never saw the half-done write");
    assert_eq!(start.elapsed(), TEN_MS);
    writer.await.unwrap();
}

/// A task dump names what each waiting task waits on and where: the line
/// that called `read` or `write`.
#[runtime::test]
async fn a_dump_shows_rwlock_waits_at_the_callers_line() {
    let lock = Rc::new(RwLock::new(0));
    let held = lock.write().await;
    let read_site = Rc::new(Cell::new(0));
    let write_site = Rc::new(Cell::new(0));
    let reader = {
        let (lock, site) = (lock.clone(), read_site.clone());
        spawn(async move {
            let (line, read) = (line!(), lock.read());
            site.set(line);
            let _r = read.await;
        })
    };
    let writer = {
        let (lock, site) = (lock.clone(), write_site.clone());
        spawn(async move {
            let (line, write) = (line!(), lock.write());
            site.set(line);
            let _w = write.await;
        })
    };
    yield_now().await;
    let dump = runtime::inspect::dump();
    let text = dump.to_string();
    for (task, reason, site, words) in [
        (
            &reader,
            WaitReason::RwLockRead,
            read_site.get(),
            "rwlock read",
        ),
        (
            &writer,
            WaitReason::RwLockWrite,
            write_site.get(),
            "rwlock write",
        ),
    ] {
        let t = dump
            .tasks
            .iter()
            .find(|t| t.id == task.id())
            .expect("the task is live");
        assert_eq!(t.state, DumpState::Waiting, "{text}");
        assert_eq!(t.waiting_on, reason, "{text}");
        let at = t.awaiting_at.expect("an await site");
        assert_eq!((at.file(), at.line()), (file!(), site), "{text}");
        assert!(text.contains(words), "{text}");
    }
    drop(held);
    reader.await.unwrap();
    writer.await.unwrap();
}

// ------------------------------------------------------------------- watch

#[runtime::test]
async fn changed_completes_after_a_send_and_not_without_one() {
    let (tx, mut rx) = watch::channel("a");
    assert!(
        timeout(TEN_MS, rx.changed()).await.is_err(),
        "the initial value counts as seen"
    );
    let sender = spawn(async move {
        sleep(TEN_MS).await;
        tx.send("b").unwrap();
        tx
    });
    let start = Instant::now();
    rx.changed().await.unwrap();
    assert_eq!(start.elapsed(), TEN_MS);
    assert_eq!(*rx.borrow(), "b");
    assert!(timeout(TEN_MS, rx.changed()).await.is_err(), "b was seen");
    drop(sender.await.unwrap());
}

#[runtime::test]
async fn two_sends_make_one_change_with_the_last_value() {
    let (tx, mut rx) = watch::channel(0);
    tx.send(1).unwrap();
    tx.send(2).unwrap();
    rx.changed().await.unwrap();
    assert_eq!(*rx.borrow(), 2);
    assert!(
        timeout(TEN_MS, rx.changed()).await.is_err(),
        "one change, not two"
    );
}

#[runtime::test]
async fn borrow_and_update_marks_the_value_seen_and_borrow_does_not() {
    let (tx, mut rx) = watch::channel(0);
    tx.send(1).unwrap();
    {
        let r = rx.borrow();
        assert!(r.has_changed());
        assert_eq!(*r, 1);
    }
    assert!(rx.has_changed().unwrap());
    assert!(rx.borrow_and_update().has_changed());
    assert!(!rx.has_changed().unwrap());
    assert!(!rx.borrow().has_changed());
    assert!(timeout(TEN_MS, rx.changed()).await.is_err());
}

#[runtime::test]
async fn dropping_the_sender_wakes_changed_with_an_error() {
    let (tx, mut rx) = watch::channel(0);
    let waiter = spawn(async move { rx.changed().await });
    yield_now().await;
    assert!(!waiter.is_finished());
    drop(tx);
    assert!(waiter.await.unwrap().is_err());
    // An unseen value sent before the drop is still given first.
    let (tx, mut rx) = watch::channel(0);
    tx.send(1).unwrap();
    drop(tx);
    assert!(rx.has_changed().is_err());
    assert!(rx.changed().await.is_ok());
    assert_eq!(*rx.borrow(), 1);
    assert!(rx.changed().await.is_err());
}

#[runtime::test]
async fn wait_for_skips_values_until_the_predicate_holds() {
    let (tx, mut rx) = watch::channel(0);
    let calls = Rc::new(RefCell::new(Vec::new()));
    let sender = spawn(async move {
        for i in 1..=5 {
            sleep(TEN_MS).await;
            tx.send(i).unwrap();
        }
    });
    let start = Instant::now();
    {
        let log = calls.clone();
        let three = rx
            .wait_for(move |v| {
                log.borrow_mut().push(*v);
                *v == 3
            })
            .await
            .unwrap();
        assert_eq!(*three, 3);
    }
    assert_eq!(*calls.borrow(), [0, 1, 2, 3]);
    assert_eq!(start.elapsed(), 3 * TEN_MS);
    assert!(!rx.has_changed().unwrap(), "3 is marked seen");
    // Already true of the current value: returns at once, even though seen.
    assert_eq!(*rx.wait_for(|v| *v == 3).await.unwrap(), 3);
    // Never true: fails once the sender is gone, after a look at the last.
    assert!(rx.wait_for(|v| *v > 5).await.is_err());
    assert_eq!(start.elapsed(), 5 * TEN_MS);
    sender.await.unwrap();
}

#[runtime::test]
async fn send_without_receivers_fails_and_subscribe_sees_the_current_value() {
    let (tx, rx) = watch::channel(1);
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send(2).unwrap_err().0, 2, "the value comes back");
    assert_eq!(*tx.borrow(), 1, "and was not stored");
    assert_eq!(tx.send_replace(3), 1, "send_replace stores regardless");
    let mut rx = tx.subscribe();
    assert_eq!(tx.receiver_count(), 1);
    assert_eq!(*rx.borrow(), 3);
    assert!(
        !rx.has_changed().unwrap(),
        "a subscriber has seen the current value"
    );
    assert!(timeout(TEN_MS, rx.changed()).await.is_err());
    tx.send(4).unwrap();
    rx.changed().await.unwrap();
    assert_eq!(*rx.borrow_and_update(), 4);
}

#[runtime::test]
async fn send_if_modified_false_wakes_nobody() {
    let (tx, mut rx) = watch::channel(0);
    let polls = Rc::new(Cell::new(0));
    let waiter = {
        let polls = polls.clone();
        spawn(async move {
            let mut changed = std::pin::pin!(rx.changed());
            std::future::poll_fn(|cx| {
                polls.set(polls.get() + 1);
                changed.as_mut().poll(cx)
            })
            .await
        })
    };
    yield_now().await;
    assert_eq!(polls.get(), 1);
    assert!(!tx.send_if_modified(|v| *v != 0 && {
        *v = 0;
        true
    }));
    yield_now().await;
    yield_now().await;
    assert_eq!(polls.get(), 1, "not woken");
    tx.send_modify(|v| *v += 5);
    assert!(waiter.await.unwrap().is_ok());
    assert_eq!(polls.get(), 2, "woken once, by the modification");
}

#[runtime::test]
async fn a_cancelled_changed_marks_nothing_seen() {
    let (tx, mut rx) = watch::channel(0);
    assert!(timeout(TEN_MS, rx.changed()).await.is_err());
    tx.send(1).unwrap();
    // Dropped after the send, before it was polled again.
    drop(rx.changed());
    assert!(rx.has_changed().unwrap());
    rx.changed().await.unwrap();
    assert_eq!(*rx.borrow(), 1);
}

#[runtime::test]
async fn a_clone_has_seen_what_its_original_had() {
    let (tx, mut rx) = watch::channel(0);
    tx.send(1).unwrap();
    let mut unseen = rx.clone();
    rx.mark_unchanged();
    let mut seen = rx.clone();
    assert!(unseen.changed().await.is_ok());
    assert!(timeout(TEN_MS, seen.changed()).await.is_err());
    seen.mark_changed();
    assert!(seen.changed().await.is_ok());
}

#[runtime::test]
async fn closed_waits_for_the_last_receiver() {
    let (tx, rx) = watch::channel(());
    let rx2 = rx.clone();
    let start = Instant::now();
    spawn(async move {
        sleep(TEN_MS).await;
        drop(rx);
        sleep(TEN_MS).await;
        drop(rx2);
    });
    tx.closed().await;
    assert_eq!(start.elapsed(), 2 * TEN_MS);
    assert!(tx.is_closed());
    let _again = tx.subscribe();
    assert!(!tx.is_closed());
    assert!(timeout(TEN_MS, tx.closed()).await.is_err(), "reopened");
}

/// A send made on a blocking-pool thread while a task waits on the loop:
/// the wake crosses threads (the loop's remote queue). The pool is the
/// runtime's own, so the paused clock holds still while the job runs.
#[runtime::test]
async fn a_send_from_another_thread_wakes_a_task_on_the_loop() {
    let (tx, mut rx) = watch::channel(0u32);
    let waiter = spawn(async move {
        rx.changed().await?;
        Ok::<_, watch::RecvError>(*rx.borrow())
    });
    yield_now().await;
    let dump = runtime::inspect::dump();
    let task = dump
        .tasks
        .iter()
        .find(|t| t.id == waiter.id())
        .expect("live");
    assert_eq!(task.waiting_on, WaitReason::ChannelRecv, "{dump}");
    let loop_thread = std::thread::current().id();
    let sent_on = runtime::spawn_blocking(move || {
        tx.send(7).unwrap();
        std::thread::current().id()
    })
    .await
    .unwrap();
    assert_ne!(sent_on, loop_thread);
    assert_eq!(waiter.await.unwrap(), Ok(7));
}

/// A sender on a plain OS thread, racing the receiver's `changed`: every
/// wake must arrive (a lost one hangs `block_on`), and the values seen only
/// grow and end at the last one.
#[test]
fn changed_keeps_up_with_a_sender_on_another_os_thread() {
    let last = if cfg!(miri) { 50 } else { 20_000u32 };
    let (tx, mut rx) = watch::channel(0u32);
    let sender = std::thread::spawn(move || {
        for i in 1..=last {
            tx.send(i).unwrap();
        }
    });
    let seen = futures::executor::block_on(async {
        let mut seen = Vec::new();
        while rx.changed().await.is_ok() {
            seen.push(*rx.borrow_and_update());
        }
        seen
    });
    sender.join().unwrap();
    assert_eq!(seen.last(), Some(&last));
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
}
