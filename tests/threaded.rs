//! Integration tests of `runtime::threaded`, the thread-per-task model.
//!
//! No test may hang: every wait is bounded by `LIMIT`, after which the test
//! fails. No test asserts a duration.

use std::collections::HashSet;
use std::hint::black_box;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use runtime::threaded::{self, Builder, Semaphore, Stats, ThreadPool};

/// The longest any test waits for something that should happen at once.
const LIMIT: Duration = Duration::from_secs(30);

/// A counter with a condvar: threads `bump` it, others wait (bounded) until
/// it satisfies a predicate. A barrier that cannot hang.
#[derive(Default)]
struct Gate {
    count: Mutex<usize>,
    changed: Condvar,
}

impl Gate {
    fn bump(&self) {
        *self.count.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.changed.notify_all();
    }

    /// Waits until `pred(count)`; false if `LIMIT` passed first.
    fn wait_until(&self, pred: impl Fn(usize) -> bool) -> bool {
        let guard = self.count.lock().unwrap_or_else(PoisonError::into_inner);
        let (_guard, timeout) = self
            .changed
            .wait_timeout_while(guard, LIMIT, |n| !pred(*n))
            .unwrap_or_else(PoisonError::into_inner);
        !timeout.timed_out()
    }

    /// Arrives and waits until `n` have arrived: a rendezvous.
    fn arrive_and_wait(&self, n: usize) -> bool {
        self.bump();
        self.wait_until(|count| count >= n)
    }

    fn get(&self) -> usize {
        *self.count.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Polls `cond` until it holds; false if `LIMIT` passed first. For state
/// with no condvar to wait on (the semaphore's queue length).
fn eventually(cond: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + LIMIT;
    while !cond() {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    true
}

/// The kernel's name for the calling thread: `/proc/self/task/<tid>/comm`.
fn comm_of_current_thread() -> String {
    // SAFETY: `gettid` takes no arguments, cannot fail and touches no
    // memory of ours.
    let tid = unsafe { libc::syscall(libc::SYS_gettid) };
    let path = format!("/proc/self/task/{tid}/comm");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("reading {path}: {err}"))
        .trim_end()
        .to_owned()
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("<not a string>")
}

#[test]
fn gathered_threads_run_in_parallel() {
    const N: usize = 20;
    let gate = Arc::new(Gate::default());
    let left = Arc::new(AtomicUsize::new(0));
    let seen_on_entry: Vec<(bool, usize)> = threaded::gather((0..N).map(|_| {
        let gate = Arc::clone(&gate);
        let left = Arc::clone(&left);
        move || {
            // Nobody may have left before everybody has entered.
            let left_before_entering = left.load(Ordering::SeqCst);
            let all_arrived = gate.arrive_and_wait(N);
            left.fetch_add(1, Ordering::SeqCst);
            (all_arrived, left_before_entering)
        }
    }));
    assert_eq!(seen_on_entry.len(), N);
    for (all_arrived, left_before) in seen_on_entry {
        assert!(all_arrived, "not all {N} threads arrived within {LIMIT:?}");
        assert_eq!(left_before, 0, "a thread left before all had entered");
    }
}

#[test]
fn gather_returns_results_in_input_order() {
    // Later tasks finish first; order must still be the input's.
    let results = threaded::gather((0..8u64).map(|i| {
        move || {
            threaded::sleep(Duration::from_millis((8 - i) * 2));
            i * i
        }
    }));
    assert_eq!(results, [0, 1, 4, 9, 16, 25, 36, 49]);
    let empty: Vec<u8> = threaded::gather(Vec::<fn() -> u8>::new());
    assert!(empty.is_empty());
}

#[test]
fn ten_thousand_small_threads() {
    const TOTAL: usize = 10_000;
    const BATCH: usize = 1_000;
    let mut sum = 0;
    for batch in 0..TOTAL / BATCH {
        let handles: Vec<_> = (0..BATCH)
            .map(|i| {
                Builder::new()
                    .stack_size(64 * 1024)
                    .spawn(move || batch * BATCH + i)
                    .expect("a 64 KiB thread can be created")
            })
            .collect();
        for handle in handles {
            sum += handle.join().expect("the task does not panic");
        }
    }
    assert_eq!(sum, TOTAL * (TOTAL - 1) / 2);
}

#[test]
fn builder_names_are_honoured() {
    let handle = Builder::new()
        .name("worker-7")
        .spawn(|| {
            (
                std::thread::current().name().map(str::to_owned),
                comm_of_current_thread(),
            )
        })
        .expect("spawn");
    assert_eq!(handle.name(), Some("worker-7"));
    let (name, comm) = handle.join().expect("no panic");
    assert_eq!(name.as_deref(), Some("worker-7"));
    assert_eq!(comm, "worker-7");

    // Rust keeps the long name; the kernel keeps its first 15 bytes.
    let (name, comm) = Builder::new()
        .name("a-rather-long-thread-name")
        .spawn(|| {
            (
                std::thread::current().name().map(str::to_owned),
                comm_of_current_thread(),
            )
        })
        .expect("spawn")
        .join()
        .expect("no panic");
    assert_eq!(name.as_deref(), Some("a-rather-long-thread-name"));
    assert_eq!(comm, "a-rather-long-t");
}

#[test]
fn default_name_is_the_spawn_site() {
    let line = line!() + 1;
    let handle = threaded::spawn(|| {
        (
            std::thread::current().name().map(str::to_owned),
            comm_of_current_thread(),
        )
    });
    let expected = threaded::site_name(handle.location());
    assert_eq!(handle.location().line(), line);
    assert_eq!(handle.name(), Some(expected.as_str()));
    let (name, comm) = handle.join().expect("no panic");
    assert_eq!(name.as_deref(), Some(expected.as_str()));
    assert_eq!(comm, expected);
    // `t:threaded.rs:NNN` is too long for comm, so the `.rs` goes.
    assert_eq!(comm, format!("t:threaded:{line}"));

    // gather names its threads after its own caller.
    let line = line!() + 1;
    let names = threaded::gather((0..2).map(|_| comm_of_current_thread));
    assert_eq!(
        names,
        [format!("t:threaded:{line}"), format!("t:threaded:{line}")]
    );
}

/// The size of the calling thread's stack mapping, as glibc reports it.
fn current_stack_size() -> usize {
    let mut attr = std::mem::MaybeUninit::<libc::pthread_attr_t>::uninit();
    let mut addr: *mut libc::c_void = std::ptr::null_mut();
    let mut size: libc::size_t = 0;
    // SAFETY: `pthread_getattr_np` initialises `attr` for the calling
    // thread (checked by its return value) before `pthread_attr_getstack`
    // reads it and writes into the two locals; `attr` is destroyed once,
    // after its last use.
    unsafe {
        assert_eq!(
            libc::pthread_getattr_np(libc::pthread_self(), attr.as_mut_ptr()),
            0
        );
        assert_eq!(
            libc::pthread_attr_getstack(attr.as_ptr(), &mut addr, &mut size),
            0
        );
        libc::pthread_attr_destroy(attr.as_mut_ptr());
    }
    size
}

/// Uses about `depth` × 16 KiB of stack.
fn deep(depth: usize) -> u64 {
    let mut frame = [0u8; 16 * 1024];
    frame[depth % frame.len()] = 1;
    black_box(&mut frame);
    if depth == 0 {
        u64::from(frame[0])
    } else {
        deep(depth - 1) + u64::from(frame[depth % frame.len()])
    }
}

#[test]
fn stack_sizes_are_honoured() {
    const MIB: usize = 1024 * 1024;
    // An 8 MiB stack takes 4 MiB of frames (256 × 16 KiB).
    let (size, sum) = Builder::new()
        .stack_size(8 * MIB)
        .spawn(|| (current_stack_size(), deep(256)))
        .expect("an 8 MiB thread can be created")
        .join()
        .expect("no stack overflow");
    assert!(size >= 8 * MIB, "stack of {size} bytes");
    assert_eq!(sum, 257);

    let size = Builder::new()
        .stack_size(64 * 1024)
        .spawn(current_stack_size)
        .expect("spawn")
        .join()
        .expect("no panic");
    assert!((64 * 1024..MIB).contains(&size), "stack of {size} bytes");
}

#[test]
fn impossible_stack_size_is_an_error_not_a_panic() {
    let result = Builder::new()
        .stack_size(usize::MAX / 2)
        .spawn(|| unreachable!("this thread cannot exist"));
    let err = result.expect_err("no machine has that much address space");
    assert!(!err.to_string().is_empty());

    let err = Builder::new()
        .name("nul\0byte")
        .spawn(|| ())
        .expect_err("a NUL byte cannot be in a thread name");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn join_delivers_a_panic() {
    let handle = threaded::spawn(|| -> u32 { panic!("task failed on purpose") });
    let err = handle.join().expect_err("the task panicked");
    assert!(err.is_panic());
    assert!(!err.is_cancelled());
    assert!(err.to_string().contains("task failed on purpose"), "{err}");
    assert!(format!("{err:?}").contains("task failed on purpose"));
    let payload = err.into_panic();
    assert_eq!(payload_text(&*payload), "task failed on purpose");
}

#[test]
fn is_finished_turns_true_without_join() {
    let gate = Arc::new(Gate::default());
    let task_gate = Arc::clone(&gate);
    let handle = threaded::spawn(move || task_gate.wait_until(|n| n >= 1));
    assert!(!handle.is_finished());
    gate.bump();
    assert!(eventually(|| handle.is_finished()));
    assert!(
        handle.join().expect("no panic"),
        "the task saw the gate open"
    );
}

#[test]
fn gather_reraises_a_panic_after_joining_every_thread() {
    type Task = Box<dyn FnOnce() -> u32 + Send>;
    let about_to_panic = Arc::new(Gate::default());
    let sibling_done = Arc::new(AtomicBool::new(false));

    let panicker: Task = {
        let about_to_panic = Arc::clone(&about_to_panic);
        Box::new(move || {
            about_to_panic.bump();
            panic!("first task fails")
        })
    };
    let slow_sibling: Task = {
        let about_to_panic = Arc::clone(&about_to_panic);
        let sibling_done = Arc::clone(&sibling_done);
        Box::new(move || {
            // Start finishing only once the panic is under way, then take
            // a while: an eager re-raise would return before this is done.
            assert!(about_to_panic.wait_until(|n| n >= 1));
            threaded::sleep(Duration::from_millis(100));
            sibling_done.store(true, Ordering::SeqCst);
            2
        })
    };

    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        threaded::gather(vec![panicker, slow_sibling])
    }));
    let payload = outcome.expect_err("gather re-raises the task's panic");
    assert_eq!(payload_text(&*payload), "first task fails");
    assert!(
        sibling_done.load(Ordering::SeqCst),
        "gather re-raised before the slow sibling was joined"
    );
}

#[test]
fn semaphore_admits_three_at_a_time_in_arrival_order() {
    const PERMITS: usize = 3;
    const THREADS: usize = 6;
    let sem = Arc::new(Semaphore::new(PERMITS));
    let order = Arc::new(Mutex::new(Vec::new()));
    let inside = Arc::new(AtomicUsize::new(0));
    let max_inside = Arc::new(AtomicUsize::new(0));
    // Thread i gives its permit back once `release` has reached i + 1.
    let release = Arc::new(Gate::default());

    // The test holds every permit while the queue forms.
    let held: Vec<_> = (0..PERMITS).map(|_| sem.acquire()).collect();
    assert_eq!(sem.available_permits(), 0);

    let mut handles = Vec::new();
    for i in 0..THREADS {
        let (task_sem, order, inside, max_inside, release) = (
            Arc::clone(&sem),
            Arc::clone(&order),
            Arc::clone(&inside),
            Arc::clone(&max_inside),
            Arc::clone(&release),
        );
        handles.push(threaded::spawn(move || {
            let _permit = task_sem.acquire();
            let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
            max_inside.fetch_max(now, Ordering::SeqCst);
            order.lock().unwrap_or_else(PoisonError::into_inner).push(i);
            let released = release.wait_until(|n| n > i);
            inside.fetch_sub(1, Ordering::SeqCst);
            released
        }));
        // Deterministic arrival order: the next thread starts only once
        // this one is seen queued.
        assert!(
            eventually(|| sem.waiting() == i + 1),
            "thread {i} did not queue"
        );
    }

    let entered = || order.lock().unwrap_or_else(PoisonError::into_inner).len();
    // Free the test's permits one by one: each admits exactly the next
    // thread in line.
    for (n, permit) in held.into_iter().enumerate() {
        drop(permit);
        assert!(eventually(|| entered() == n + 1), "nobody entered");
    }
    assert_eq!(sem.waiting(), THREADS - PERMITS);
    assert_eq!(sem.available_permits(), 0);
    assert!(sem.try_acquire().is_none());
    // Now let the holders go, one at a time.
    for n in PERMITS..THREADS {
        release.bump();
        assert!(eventually(|| entered() == n + 1), "nobody entered");
    }
    for _ in 0..PERMITS {
        release.bump();
    }
    for handle in handles {
        assert!(
            handle.join().expect("no panic"),
            "a holder was not released"
        );
    }

    let order = order.lock().unwrap_or_else(PoisonError::into_inner).clone();
    assert_eq!(order, (0..THREADS).collect::<Vec<_>>());
    assert_eq!(max_inside.load(Ordering::SeqCst), PERMITS);
    assert_eq!(sem.available_permits(), PERMITS);
    assert_eq!(sem.waiting(), 0);
}

#[test]
fn semaphore_loses_no_permit_under_contention() {
    // 8 threads × 1,000 acquire/release on 3 permits: never more than 3
    // inside, and every permit is back at the end (a handoff that lost or
    // duplicated a permit shows here).
    const PERMITS: usize = 3;
    let sem = Arc::new(Semaphore::new(PERMITS));
    let inside = Arc::new(AtomicUsize::new(0));
    let max_inside = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (sem, inside, max_inside) = (
                Arc::clone(&sem),
                Arc::clone(&inside),
                Arc::clone(&max_inside),
            );
            threaded::spawn(move || {
                for i in 0..1_000 {
                    let _permit = if i % 7 == 0 {
                        match sem.try_acquire() {
                            Some(p) => p,
                            None => sem.acquire(),
                        }
                    } else {
                        sem.acquire()
                    };
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    max_inside.fetch_max(now, Ordering::SeqCst);
                    inside.fetch_sub(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("no panic");
    }
    assert!(max_inside.load(Ordering::SeqCst) <= PERMITS);
    assert_eq!(sem.available_permits(), PERMITS);
    assert_eq!(sem.waiting(), 0);
}

#[test]
fn semaphore_permit_returns_when_the_holder_panics() {
    let sem = Arc::new(Semaphore::new(1));
    let task_sem = Arc::clone(&sem);
    let err = threaded::spawn(move || {
        let _permit = task_sem.acquire();
        panic!("holder panics");
    })
    .join()
    .expect_err("the holder panicked");
    assert!(err.is_panic());
    assert_eq!(sem.available_permits(), 1);
    let permit = sem.try_acquire().expect("the permit came back");
    drop(permit);
}

#[test]
fn pool_uses_at_most_its_threads_and_survives_a_panic() {
    let pool = ThreadPool::new(3);
    assert_eq!(pool.threads(), 3);
    let ids = |pool: &ThreadPool| -> Vec<(ThreadId, Option<String>)> {
        let handles: Vec<_> = (0..60)
            .map(|_| {
                pool.submit(|| {
                    threaded::sleep(Duration::from_micros(200));
                    let me = std::thread::current();
                    (me.id(), me.name().map(str::to_owned))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no panic"))
            .collect()
    };

    let mut seen = ids(&pool);
    let failing = pool.submit(|| -> () { panic!("job failed on purpose") });
    let err = failing.join().expect_err("the job panicked");
    assert!(err.is_panic());
    seen.extend(ids(&pool));

    let distinct: HashSet<ThreadId> = seen.iter().map(|(id, _)| *id).collect();
    assert!(distinct.len() <= 3, "{} distinct threads", distinct.len());
    for (_, name) in &seen {
        let name = name.as_deref().unwrap_or("");
        assert!(["pool-0", "pool-1", "pool-2"].contains(&name), "{name}");
    }
}

#[test]
fn dropping_the_pool_finishes_queued_jobs() {
    let done = Arc::new(AtomicUsize::new(0));
    let pool = ThreadPool::new(1);
    let gate = Arc::new(Gate::default());
    // The first job holds the only worker until the others are queued.
    let first_gate = Arc::clone(&gate);
    let first = pool.submit(move || first_gate.wait_until(|n| n >= 1));
    let handles: Vec<_> = (0..10)
        .map(|_| {
            let done = Arc::clone(&done);
            pool.submit(move || {
                done.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    assert!(pool.queued() >= 10);
    gate.bump();
    drop(pool);
    assert_eq!(done.load(Ordering::SeqCst), 10);
    assert!(first.is_finished());
    assert!(first.join().expect("no panic"));
    for handle in handles {
        assert!(handle.is_finished());
        handle.join().expect("no panic");
    }
}

#[test]
#[should_panic(expected = "ThreadPool::new(0): a thread pool needs at least one worker thread")]
fn pool_of_zero_threads_panics() {
    let _ = ThreadPool::new(0);
}

#[test]
fn stats_count_spawned_and_peak_live_threads() {
    const N: usize = 8;
    let before = Stats::snapshot();
    let gate = Arc::new(Gate::default());
    let handles: Vec<_> = (0..N)
        .map(|_| {
            let gate = Arc::clone(&gate);
            threaded::spawn(move || gate.arrive_and_wait(N + 1))
        })
        .collect();
    // All N are alive and waiting for the test: the 9th arrival.
    assert!(gate.wait_until(|n| n >= N), "the threads did not start");
    let during = threaded::stats();
    assert!(during.live >= N as u64, "{during:?}");
    assert!(during.peak_live >= N as u64, "{during:?}");
    assert!(gate.arrive_and_wait(N + 1));
    for handle in handles {
        assert!(handle.join().expect("no panic"));
    }
    let delta = Stats::snapshot().since(&before);
    assert!(delta.spawned >= N as u64, "{delta:?}");
    assert!(delta.joins >= N as u64, "{delta:?}");
    assert!(delta.peak_live >= N as u64, "{delta:?}");
    // The waits above put threads to sleep in the kernel.
    assert!(delta.voluntary_switches >= 1, "{delta:?}");
    assert_eq!(gate.get(), N + 1);
}

#[test]
fn sleep_sleeps_at_least_as_long_as_asked() {
    let start = Instant::now();
    threaded::sleep(Duration::from_millis(5));
    assert!(start.elapsed() >= Duration::from_millis(5));
}

#[test]
fn semaphore_grants_queued_threads_in_fifo_order() {
    const THREADS: usize = 16;
    let sem = Arc::new(Semaphore::new(1));
    let order = Arc::new(Mutex::new(Vec::new()));
    let held = sem.acquire();
    let mut handles = Vec::new();
    for i in 0..THREADS {
        let (sem_t, order) = (Arc::clone(&sem), Arc::clone(&order));
        handles.push(threaded::spawn(move || {
            let _permit = sem_t.acquire();
            order.lock().unwrap_or_else(PoisonError::into_inner).push(i);
        }));
        // Thread i is queued before thread i + 1 starts: arrival order is i.
        assert!(
            eventually(|| sem.waiting() == i + 1),
            "thread {i} did not queue"
        );
    }
    drop(held);
    for handle in handles {
        handle.join().expect("no panic");
    }
    let order = order.lock().unwrap_or_else(PoisonError::into_inner).clone();
    assert_eq!(order, (0..THREADS).collect::<Vec<_>>());
    assert_eq!(sem.available_permits(), 1);
    assert_eq!(sem.waiting(), 0);
}

#[test]
fn semaphore_try_acquire_does_not_barge_past_a_queued_waiter() {
    let sem = Arc::new(Semaphore::new(1));
    let held = sem.acquire();
    let got = Arc::new(AtomicBool::new(false));
    let (sem_t, got_t) = (Arc::clone(&sem), Arc::clone(&got));
    let waiter = threaded::spawn(move || {
        let permit = sem_t.acquire();
        got_t.store(true, Ordering::SeqCst);
        // Hold it until the main thread has tried to barge.
        std::thread::sleep(Duration::from_millis(20));
        drop(permit);
    });
    assert!(
        eventually(|| sem.waiting() == 1),
        "the waiter did not queue"
    );
    // The release hands the permit to the queued thread: it is never free
    // for a late try_acquire, however quickly that comes.
    drop(held);
    assert!(
        sem.try_acquire().is_none(),
        "try_acquire took a permit owed to a queued waiter"
    );
    assert_eq!(sem.available_permits(), 0);
    waiter.join().expect("no panic");
    assert!(got.load(Ordering::SeqCst));
    assert_eq!(sem.available_permits(), 1);
    assert!(sem.try_acquire().is_some());
}

/// Issue #19: each thread of the model says what it is blocked on (the
/// record a debugger's `info threaded-tasks` reads), and is gone from the
/// list once it ends.
#[test]
fn tasks_lists_what_each_thread_is_blocked_on() {
    let gate = Arc::new(Semaphore::new(1));
    let held = gate.acquire(); // this thread is not one of the model's
    let waiter = {
        let gate = gate.clone();
        Builder::new()
            .name("i19-semaphore")
            .spawn(move || drop(gate.acquire()))
            .unwrap()
    };
    let joiner = Builder::new()
        .name("i19-join")
        .spawn(move || waiter.join().is_ok())
        .unwrap();
    let (io_tx, io_rx) = std::sync::mpsc::channel::<()>();
    let reader = Builder::new()
        .name("i19-io")
        .spawn(move || threaded::blocking_io(|| io_rx.recv().is_ok()))
        .unwrap();
    // Other tests run threads too: only ours, by name.
    let state = |name: &str| {
        threaded::tasks()
            .into_iter()
            .find(|t| t.name == name)
            .map(|t| t.blocked_on)
    };
    let wanted = [
        ("i19-semaphore", "semaphore"),
        ("i19-join", "join"),
        ("i19-io", "I/O"),
    ];
    let started = Instant::now();
    while !wanted.iter().all(|(name, what)| state(name) == Some(*what)) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "threads never blocked: {:?}",
            threaded::tasks()
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    io_tx.send(()).unwrap();
    assert!(reader.join().unwrap());
    drop(held);
    assert!(joiner.join().unwrap());
    for (name, _) in wanted {
        assert_eq!(state(name), None, "{name} ended: its record is unlinked");
    }
}
