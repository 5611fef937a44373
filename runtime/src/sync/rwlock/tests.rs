//! Unit tests of `RwLock`: bounds, the queue order the semaphore gives it,
//! downgrade, and the constructors' checks. Polled by hand with no-op
//! wakers; the runtime-driven tests are in `tests/rwlock_watch.rs`.

use std::task::Waker;

use super::*;

fn poll<F: Future + Unpin>(f: &mut F) -> Poll<F::Output> {
    Pin::new(f).poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn send_sync_bounds() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<RwLock<Vec<u8>>>();
    send::<RwLock<std::cell::Cell<u8>>>();
    // A read guard needs only `T: Sync`, as tokio's.
    send_sync::<RwLockReadGuard<'_, std::sync::MutexGuard<'_, u8>>>();
    send_sync::<RwLockWriteGuard<'_, u8>>();
    send::<ReadLock<'_, u8>>();
    send::<WriteLock<'_, u8>>();
}

#[test]
fn a_writer_queued_behind_readers_keeps_later_readers_out() {
    let lock = RwLock::with_max_readers(0, 4);
    let r1 = lock.try_read().expect("free");
    let mut w = lock.write();
    assert!(poll(&mut w).is_pending(), "a reader is inside");
    assert!(lock.try_read().is_err(), "a writer is queued");
    let mut r2 = lock.read();
    assert!(poll(&mut r2).is_pending(), "behind the writer");
    drop(r1);
    let Poll::Ready(mut guard) = poll(&mut w) else {
        panic!("the writer collected every permit");
    };
    *guard += 1;
    assert!(poll(&mut r2).is_pending());
    drop(guard);
    let Poll::Ready(read) = poll(&mut r2) else {
        panic!("the reader is next");
    };
    assert_eq!(*read, 1);
}

#[test]
fn downgrade_lets_the_queued_readers_in_but_not_a_writer() {
    let lock = RwLock::with_max_readers(String::from("a"), 3);
    let mut w = lock.try_write().expect("free");
    w.push('b');
    let mut readers = [lock.read(), lock.read()];
    let mut writer = lock.write();
    assert!(readers.iter_mut().all(|r| poll(r).is_pending()));
    assert!(poll(&mut writer).is_pending());
    let r = w.downgrade();
    for reader in &mut readers {
        let Poll::Ready(g) = poll(reader) else {
            panic!("a queued reader got in");
        };
        assert_eq!(*g, "ab");
    }
    assert!(poll(&mut writer).is_pending(), "the downgraded guard reads");
    assert_eq!(*r, "ab");
    drop(r);
    assert!(poll(&mut writer).is_ready());
}

#[test]
fn a_dropped_write_gives_back_what_it_collected() {
    let lock = RwLock::with_max_readers((), 2);
    let r1 = lock.try_read().expect("free");
    let mut w = lock.write();
    assert!(poll(&mut w).is_pending(), "holds 1 of 2 permits");
    drop(w);
    let _r2 = lock.try_read().expect("the collected permit came back");
    drop(r1);
    assert!(lock.try_write().is_err());
}

#[test]
fn max_readers_of_one_is_a_mutex_and_downgrade_keeps_it() {
    let lock = RwLock::with_max_readers(7, 1);
    let w = lock.try_write().expect("free");
    let r = w.downgrade();
    assert!(lock.try_read().is_err());
    assert_eq!(*r, 7);
}

#[test]
#[should_panic(expected = "0 readers")]
fn zero_readers_panics() {
    let _ = RwLock::with_max_readers((), 0);
}

#[test]
#[should_panic(expected = "more than MAX_READS")]
fn more_than_max_reads_panics() {
    let _ = RwLock::with_max_readers((), MAX_READS + 1);
}

#[test]
fn get_mut_into_inner_default_from_and_debug() {
    let mut lock = RwLock::from(vec![1]);
    lock.get_mut().push(2);
    assert_eq!(format!("{lock:?}"), "RwLock { data: [1, 2] }");
    {
        let _w = lock.try_write().expect("free");
        assert_eq!(format!("{lock:?}"), "RwLock { data: <locked> }");
    }
    assert_eq!(lock.into_inner(), vec![1, 2]);
    assert_eq!(RwLock::<u8>::default().into_inner(), 0);
    let unsized_lock: &RwLock<[u8]> = &RwLock::new([1u8, 2]);
    assert_eq!(unsized_lock.try_read().expect("free").len(), 2);
}

/// Which waiters a release wakes: a dropped write, a downgrade; the
/// `max_readers` edges and `Debug` under a reader.
mod wakes_and_edges {
    use std::task::Waker;

    use super::super::*;
    use crate::test_wakers::counter;

    fn poll_with<F: Future + Unpin>(f: &mut F, w: &Waker) -> Poll<F::Output> {
        Pin::new(f).poll(&mut Context::from_waker(w))
    }

    #[test]
    fn a_dropped_write_at_max_reads_wakes_the_reader_behind_it() {
        let lock = RwLock::new(0u8);
        let r1 = lock.try_read().expect("free");
        let (cw, ww) = counter();
        let mut w = lock.write();
        assert!(poll_with(&mut w, &ww).is_pending());
        assert!(lock.try_read().is_err());
        let (cr, wr) = counter();
        let mut r2 = lock.read();
        assert!(poll_with(&mut r2, &wr).is_pending());
        drop(w);
        assert_eq!(cr.wakes(), 1, "the reader is woken");
        assert!(poll_with(&mut r2, &wr).is_ready());
        assert_eq!(cw.wakes(), 0);
        drop(r1);
        assert!(lock.try_read().is_ok());
        let _ = lock.try_read();
        assert!(lock.try_write().is_ok(), "every permit is back");
    }

    #[test]
    fn downgrade_wakes_the_queued_readers() {
        let lock = RwLock::new(1);
        let w = lock.try_write().expect("free");
        let (c1, w1) = counter();
        let (c2, w2) = counter();
        let (c3, w3) = counter();
        let mut r1 = lock.read();
        let mut r2 = lock.read();
        let mut wr = lock.write();
        assert!(poll_with(&mut r1, &w1).is_pending());
        assert!(poll_with(&mut r2, &w2).is_pending());
        assert!(poll_with(&mut wr, &w3).is_pending());
        let g = w.downgrade();
        assert_eq!(c1.wakes(), 1);
        assert_eq!(c2.wakes(), 1);
        assert_eq!(c3.wakes(), 0);
        let (Poll::Ready(a), Poll::Ready(b)) = (poll_with(&mut r1, &w1), poll_with(&mut r2, &w2))
        else {
            panic!("readers in");
        };
        drop((a, b));
        assert_eq!(c3.wakes(), 0);
        drop(g);
        assert_eq!(c3.wakes(), 1);
        assert!(poll_with(&mut wr, &w3).is_ready());
    }

    #[test]
    fn max_readers_at_max_reads_admits_that_many() {
        let lock = RwLock::with_max_readers((), MAX_READS);
        let w = lock.try_write().expect("free");
        assert!(lock.try_read().is_err());
        drop(w);
        let rs: Vec<_> = (0..3).map(|_| lock.try_read().expect("free")).collect();
        assert!(lock.try_write().is_err());
        drop(rs);
        let lock = RwLock::with_max_readers((), 2);
        let a = lock.try_read().unwrap();
        let b = lock.try_read().unwrap();
        assert!(lock.try_read().is_err());
        drop((a, b));
    }

    #[test]
    fn debug_while_read_locked_shows_the_value() {
        let lock = RwLock::new(3);
        let _r = lock.try_read().unwrap();
        assert_eq!(format!("{lock:?}"), "RwLock { data: 3 }");
    }
}
