//! The process-wide list of live runtimes that debuggers read
//! (`RUNTIME_DEBUG_HEAD`, `runtime/src/inspect/debug_table.rs`): runtimes
//! dropped in and out of creation order, on one thread and across threads,
//! leave exactly the live ones in the list.
//!
//! Written for Miri (`cargo +nightly miri test -p integration-tests --test
//! debug_list`): before the fix, unlinking a runtime that was not the head
//! read the next node through a pointer the node's `Box` had invalidated when
//! it moved, undefined behaviour under Stacked and Tree Borrows that a native
//! run does not notice.
//!
//! The walk below reads the list the way `runtime/gdb/runtime_gdb.py` does:
//! by the documented `#[repr(C)]` offsets. It is sound only while no other
//! thread of this process creates or drops a runtime, so every test here
//! holds [`SERIAL`] and joins or parks the threads it starts before walking.

use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, mpsc};
use std::thread;

use runtime::Runtime;
use runtime::inspect::{DebugRuntime, RUNTIME_DEBUG_HEAD};

/// `DebugRuntime::magic` (offset 0).
const MAGIC: u64 = u64::from_le_bytes(*b"RTDEBUG5");
/// Offset of `DebugRuntime::next: AtomicPtr<DebugRuntime>`.
const NEXT: usize = 32;
/// Offset of `DebugRuntime::thread: u64` (the builder's `gettid`).
const THREAD: usize = 40;

/// Held by every test: one test at a time creates and drops runtimes.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// This thread's Linux thread id, as the runtime records it.
fn gettid() -> u64 {
    // SAFETY: `gettid` has no preconditions and cannot fail.
    unsafe { libc::syscall(libc::SYS_gettid) as u64 }
}

/// The builder thread id of every runtime in the list, head first.
///
/// Callers hold [`SERIAL`], and every runtime of this process lives on a
/// thread that is parked or joined: no node is linked, unlinked or freed
/// during the walk.
fn live_runtimes() -> Vec<u64> {
    let mut threads = Vec::new();
    let mut node: *mut DebugRuntime = RUNTIME_DEBUG_HEAD.load(Ordering::Acquire);
    while !node.is_null() {
        assert!(threads.len() < 1000, "the list has a cycle");
        let base = node.cast::<u8>();
        // SAFETY: `node` is a live runtime's header (see above); `magic` and
        // `thread` are plain `u64`s at offsets 0 and 40 of the `#[repr(C)]`
        // struct, written once before the node was published (the Acquire
        // load above pairs with the Release store that linked it) and never
        // again; `next` is an `AtomicPtr` at offset 32. All three are
        // 8-byte aligned in an 8-byte-aligned struct.
        unsafe {
            assert_eq!(base.cast::<u64>().read(), MAGIC, "node {node:p}: bad magic");
            threads.push(base.add(THREAD).cast::<u64>().read());
            node = (*base.add(NEXT).cast::<AtomicPtr<DebugRuntime>>()).load(Ordering::Acquire);
        }
    }
    threads
}

/// The reproduction, without walking the list from here: the
/// runtime's own unlinking of `a` reads `b`'s node.
#[test]
fn the_older_of_two_runtimes_dropped_first() {
    let _serial = serial();
    let a = Runtime::new().unwrap();
    let b = Runtime::new().unwrap();
    drop(a);
    drop(b);
}

#[test]
fn runtimes_dropped_out_of_creation_order_leave_the_rest_listed() {
    let _serial = serial();
    let me = gettid();
    assert_eq!(live_runtimes(), Vec::<u64>::new());

    let a = Runtime::new().unwrap();
    let b = Runtime::new().unwrap();
    let c = Runtime::new().unwrap();
    assert_eq!(live_runtimes(), vec![me; 3]);

    // The middle one, then the oldest (the tail), then the last.
    drop(b);
    assert_eq!(live_runtimes(), vec![me; 2]);
    drop(a);
    assert_eq!(live_runtimes(), vec![me]);
    // `c` still runs after its neighbours went.
    assert_eq!(c.block_on(async { 7 }), 7);
    drop(c);
    assert_eq!(live_runtimes(), Vec::<u64>::new());
}

#[test]
fn runtimes_dropped_in_creation_order_and_reverse() {
    let _serial = serial();
    let me = gettid();

    let a = Runtime::new().unwrap();
    let b = Runtime::new().unwrap();
    drop(a);
    assert_eq!(live_runtimes(), vec![me]);
    drop(b);
    assert_eq!(live_runtimes(), Vec::<u64>::new());

    let a = Runtime::new().unwrap();
    let b = Runtime::new().unwrap();
    drop(b);
    assert_eq!(live_runtimes(), vec![me]);
    drop(a);
    assert_eq!(live_runtimes(), Vec::<u64>::new());
}

#[test]
fn a_runtime_whose_task_table_grew_unlinks_cleanly() {
    let _serial = serial();
    let me = gettid();
    let a = Runtime::new().unwrap();
    let b = Runtime::new().unwrap();
    // Spawning moves `a`'s task table (it grows), which rewrites its node.
    a.block_on(async {
        let handles: Vec<_> = (0..40u32)
            .map(|i| runtime::spawn(async move { i }))
            .collect();
        for (i, h) in (0..).zip(handles) {
            assert_eq!(h.await.unwrap(), i);
        }
    });
    assert_eq!(live_runtimes(), vec![me; 2]);
    drop(a);
    assert_eq!(live_runtimes(), vec![me]);
    b.block_on(async { runtime::yield_now().await });
    drop(b);
    assert_eq!(live_runtimes(), Vec::<u64>::new());
}

/// What the main thread tells a runtime thread.
enum Order {
    Drop,
}

#[test]
fn runtimes_on_several_threads_dropped_out_of_order() {
    let _serial = serial();
    const THREADS: usize = 3;
    let (built_tx, built_rx) = mpsc::channel::<(usize, u64)>();
    let (dropped_tx, dropped_rx) = mpsc::channel::<usize>();
    let mut orders = Vec::new();
    let mut joins = Vec::new();
    for i in 0..THREADS {
        let (order_tx, order_rx) = mpsc::channel::<Order>();
        orders.push(order_tx);
        let built_tx = built_tx.clone();
        let dropped_tx = dropped_tx.clone();
        joins.push(thread::spawn(move || {
            let rt = Runtime::new().unwrap();
            assert_eq!(rt.block_on(async move { i }), i);
            built_tx.send((i, gettid())).unwrap();
            let Ok(Order::Drop) = order_rx.recv() else {
                panic!("the main thread hung up");
            };
            drop(rt);
            dropped_tx.send(i).unwrap();
        }));
    }
    let mut tids = [0u64; THREADS];
    for _ in 0..THREADS {
        let (i, tid) = built_rx.recv().unwrap();
        tids[i] = tid;
    }
    // Every runtime thread now waits for its order: the list is still.
    let mut expected: Vec<u64> = tids.to_vec();
    let mut listed = live_runtimes();
    listed.sort_unstable();
    expected.sort_unstable();
    assert_eq!(listed, expected);

    // The middle one first, then the oldest (the tail), then the newest;
    // each drop finishes (`dropped_rx`) before the next walk.
    for i in [1, 0, 2] {
        orders[i].send(Order::Drop).unwrap();
        assert_eq!(dropped_rx.recv().unwrap(), i);
        expected.retain(|&t| t != tids[i]);
        let mut listed = live_runtimes();
        listed.sort_unstable();
        assert_eq!(listed, expected, "after dropping thread {i}'s runtime");
    }
    for j in joins {
        j.join().unwrap();
    }
    assert_eq!(live_runtimes(), Vec::<u64>::new());
}

#[test]
fn runtimes_built_and_dropped_concurrently_leave_an_empty_list() {
    let _serial = serial();
    // Threads that race each other through link and unlink (LIST_LOCK
    // orders them); each keeps two runtimes and drops the older first.
    let joins: Vec<_> = (0..3)
        .map(|_| {
            thread::spawn(|| {
                for _ in 0..3 {
                    let a = Runtime::new().unwrap();
                    let b = Runtime::new().unwrap();
                    drop(a);
                    drop(b);
                }
            })
        })
        .collect();
    for j in joins {
        j.join().unwrap();
    }
    assert_eq!(live_runtimes(), Vec::<u64>::new());
}

/// The thread model's list (`THREADED_DEBUG_HEAD`,
/// `runtime/src/threaded/debug.rs`) is built the same way and had the same
/// flaw: each record was a `Box` moved after its address was linked. Threads
/// that end out of creation order must leave exactly the live ones listed.
#[test]
fn thread_model_records_unlinked_out_of_order() {
    use runtime::threaded;
    let _serial = serial();
    let names = ["debug-list-a", "debug-list-b", "debug-list-c"];
    let mut orders = Vec::new();
    let mut handles = Vec::new();
    for name in names {
        let (order_tx, order_rx) = mpsc::channel::<Order>();
        orders.push(order_tx);
        handles.push(Some(
            threaded::Builder::new()
                .name(name)
                .spawn(move || {
                    let Ok(Order::Drop) = order_rx.recv() else {
                        panic!("the main thread hung up");
                    };
                })
                .unwrap(),
        ));
    }
    let ours = || {
        let mut listed: Vec<String> = threaded::tasks()
            .into_iter()
            .map(|t| t.name)
            .filter(|n| n.starts_with("debug-list-"))
            .collect();
        listed.sort_unstable();
        listed
    };
    // A record is linked first thing in its thread; wait until all three are.
    while ours().len() < names.len() {
        thread::yield_now();
    }
    let mut expected: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    // The middle one, then the oldest, then the newest; `join` returns after
    // the thread's record was unlinked and freed.
    for i in [1, 0, 2] {
        orders[i].send(Order::Drop).unwrap();
        handles[i].take().unwrap().join().unwrap();
        expected.retain(|n| n != names[i]);
        assert_eq!(ours(), expected, "after thread {} ended", names[i]);
    }
}
