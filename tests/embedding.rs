//! Embedding the runtime in tests (issue #15): driving the loop by hand,
//! `time::advance` with tokio's semantics, schedule exploration finding a
//! real race, and the failures the test runner reports (a timeout, tasks
//! left pending, a deadlock pointing at the test's line).

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::Command;
use std::rc::Rc;
use std::time::Duration;

use runtime::__private::test::{Options, run};
use runtime::sync::{Event, mpsc};
use runtime::time::{Instant, advance, sleep};
use runtime::{Runtime, spawn, yield_now};

fn paused() -> Runtime {
    Runtime::builder().paused_clock(true).build().unwrap()
}

fn message(panic: Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

fn options(name: &'static str) -> Options {
    Options {
        name,
        module_path: module_path!(),
        file: file!(),
        line: line!(),
        paused: true,
        seed: None,
        explore: None,
        timeout: None,
        allow_pending: false,
        threaded: false,
    }
}

// ---- time::advance, awaited ------------------------------------------------

/// tokio's idiom: `advance(d).await` returns once the timers due by then
/// have fired and the tasks they woke (and the tasks those woke) have run.
/// It used to be synchronous: due timers fired "on the loop's next turn",
/// which a single `yield_now` did not always reach.
#[runtime::test]
async fn advance_fires_due_timers_and_runs_what_they_wake() {
    let log = Rc::new(std::cell::RefCell::new(Vec::new()));
    let event = Rc::new(Event::new());
    let (l, e) = (log.clone(), event.clone());
    spawn(async move {
        sleep(Duration::from_secs(10)).await;
        l.borrow_mut().push("timer");
        e.set(); // wakes the second task, in the same advance
    });
    let (l, e) = (log.clone(), event.clone());
    spawn(async move {
        e.wait().await;
        l.borrow_mut().push("chained");
    });
    yield_now().await; // both tasks start and wait
    let start = Instant::now();
    advance(Duration::from_secs(9)).await;
    assert!(log.borrow().is_empty(), "nothing is due at 9 s");
    advance(Duration::from_secs(1)).await;
    assert_eq!(*log.borrow(), ["timer", "chained"]);
    assert_eq!(start.elapsed(), Duration::from_secs(10));
}

/// Many tasks woken at one tick, each running more than the loop's 61
/// polls between turns: all of them have run when `advance` returns.
#[runtime::test]
async fn advance_waits_for_every_woken_task() {
    let done = Rc::new(Cell::new(0));
    for _ in 0..200 {
        let done = done.clone();
        spawn(async move {
            sleep(Duration::from_millis(5)).await;
            for _ in 0..3 {
                yield_now().await;
            }
            done.set(done.get() + 1);
        });
    }
    yield_now().await;
    advance(Duration::from_millis(5)).await;
    assert_eq!(done.get(), 200);
}

// ---- Driving the loop by hand ----------------------------------------------

#[test]
fn tick_polls_one_task_and_run_until_stalled_stops_without_moving_time() {
    let rt = paused();
    let steps = Rc::new(Cell::new(0));
    let s = steps.clone();
    let handle = rt.spawn(async move {
        s.set(1);
        yield_now().await;
        s.set(2);
        sleep(Duration::from_secs(1)).await;
        s.set(3);
        7
    });
    assert!(rt.tick());
    assert_eq!(steps.get(), 1);
    assert!(rt.tick());
    assert_eq!(steps.get(), 2);
    assert!(
        !rt.tick(),
        "the task waits on its timer; the clock does not move"
    );
    rt.run_until_stalled();
    assert_eq!(steps.get(), 2);
    assert_eq!(
        rt.block_on(handle).unwrap(),
        7,
        "block_on moves the paused clock"
    );
    assert_eq!(steps.get(), 3);
}

// ---- Schedule exploration finds a race ---------------------------------------

/// A check-then-act race: task A reads the balance, waits for a message
/// from task C, then writes what it read plus 10; task B adds 1 meanwhile.
/// Spawned C, A, B, FIFO order runs C first, the message is already there
/// when A asks, A never yields between read and write, and the result is
/// right (11). Any order that runs A before C makes A wait between its read
/// and its write; B's update is then lost (10).
async fn racy_deposit() {
    let balance = Rc::new(Cell::new(0));
    let (tx, mut rx) = mpsc::channel::<()>(1);
    let c = spawn(async move {
        tx.send(()).await.unwrap();
    });
    let b_balance = balance.clone();
    let a = spawn({
        let balance = balance.clone();
        async move {
            let read = balance.get();
            rx.recv().await;
            balance.set(read + 10);
        }
    });
    let b = spawn(async move {
        b_balance.set(b_balance.get() + 1);
    });
    c.await.unwrap();
    a.await.unwrap();
    b.await.unwrap();
    assert_eq!(balance.get(), 11, "a deposit was lost");
}

#[test]
fn the_race_passes_in_fifo_order() {
    for _ in 0..20 {
        paused().block_on(racy_deposit());
    }
}

#[test]
fn exploration_finds_the_race_and_its_seed_replays_it() {
    let found = runtime::testing::explore("racy_deposit", 200, racy_deposit);
    let failure = found
        .failure
        .expect("200 schedules include one that runs A before C");
    eprintln!(
        "exploration: seed {:#x} failed after {} passing schedules",
        failure.seed, failure.passed_before
    );
    assert!(
        failure.message.contains("a deposit was lost"),
        "{failure:?}"
    );
    // The seed is a reproduction: the same schedule fails every time.
    for _ in 0..5 {
        let replay = catch_unwind(|| {
            Runtime::builder()
                .paused_clock(true)
                .seed(failure.seed)
                .build()
                .unwrap()
                .block_on(racy_deposit())
        });
        assert!(
            replay.is_err(),
            "seed {:#x} did not replay the failure",
            failure.seed
        );
    }
}

/// The runner's form: the failure names the seed, how many schedules
/// passed, and the command that replays it.
#[test]
fn an_explored_failure_names_its_seed_and_the_replay_command() {
    let panic = catch_unwind(|| {
        run(
            Options {
                explore: Some(200),
                ..options("racy")
            },
            racy_deposit,
        )
    })
    .expect_err("exploration finds the race");
    let msg = message(panic);
    assert!(msg.contains("a deposit was lost"), "{msg}");
    assert!(msg.contains("RUNTIME_SEED=0x"), "{msg}");
    assert!(msg.contains("cargo test"), "{msg}");
    assert!(msg.contains("passed"), "{msg}");
}

/// A wake from another thread racing a local task. Task W waits for a
/// flag that a std thread sets before waking it (a remote wake, through the
/// eventfd); task A starts that thread and *joins* it, so the wake is
/// queued before A's poll returns (this is what makes the schedule a
/// function of the seed alone), then yields once and logs. W logs when it
/// runs. In FIFO order the loop finishes its batch (A's second step)
/// before it looks at the remote queue: "local" first. Under exploration
/// the loop may look right after A's first poll (the wake delivered early),
/// and then the run queue picks W or A; or the wake may be held back
/// (late).
async fn remote_wake_against_a_local_step() -> Vec<&'static str> {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    use std::task::{Poll, Waker};

    let log = Rc::new(std::cell::RefCell::new(Vec::new()));
    let flag = Arc::new(AtomicBool::new(false));
    let slot: Arc<Mutex<Option<Waker>>> = Arc::new(Mutex::new(None));
    let (f, s, l) = (flag.clone(), slot.clone(), log.clone());
    let w = spawn(async move {
        std::future::poll_fn(|cx| {
            if f.load(Ordering::SeqCst) {
                return Poll::Ready(());
            }
            *s.lock().unwrap() = Some(cx.waker().clone());
            Poll::Pending
        })
        .await;
        l.borrow_mut().push("remote");
    });
    // A starts only once W waits (in any schedule).
    while slot.lock().unwrap().is_none() {
        yield_now().await;
    }
    let l = log.clone();
    let a = spawn(async move {
        let waker = slot.lock().unwrap().take().unwrap();
        std::thread::spawn(move || {
            flag.store(true, Ordering::SeqCst);
            waker.wake();
        })
        .join()
        .unwrap();
        yield_now().await;
        l.borrow_mut().push("local");
    });
    a.await.unwrap();
    w.await.unwrap();
    log.take()
}

#[test]
fn a_remote_wake_races_a_local_task_and_exploration_reaches_both_orders() {
    let fifo = paused().block_on(remote_wake_against_a_local_step());
    assert_eq!(fifo, ["local", "remote"], "FIFO order");
    for _ in 0..10 {
        assert_eq!(paused().block_on(remote_wake_against_a_local_step()), fifo);
    }
    let run = |seed: u64| {
        Runtime::builder()
            .paused_clock(true)
            .seed(seed)
            .build()
            .unwrap()
            .block_on(remote_wake_against_a_local_step())
    };
    let mut count = [0, 0]; // remote first, local first
    for seed in 0..200 {
        let order = run(seed);
        count[usize::from(order[0] == "local")] += 1;
        // The seed alone decides the order.
        assert_eq!(run(seed), order, "seed {seed} gave two orders");
    }
    eprintln!("remote first: {}; local first: {}", count[0], count[1]);
    assert!(count[1] > 0, "no seed kept FIFO's order: {count:?}");
    // Seeds 0..200 give 18 (about one in ten: the early look comes one
    // time in four, then the run queue picks W one time in two, unless the
    // wake is held back). With turns alone it was 1 in 200 (a turn lands
    // right after A's first poll about once in 31), too rare for the
    // default budget of 200.
    assert!(
        count[0] >= 10,
        "remote wakes are rarely delivered early: {count:?} (remote first, local first)"
    );
}

/// The race under the attribute: fails on purpose, run (twice) by
/// `the_printed_replay_command_replays_the_failing_schedule`.
#[runtime::test(explore = 200)]
#[ignore = "fails on purpose: run by the_printed_replay_command_replays_the_failing_schedule"]
async fn racy_deposit_explored() {
    racy_deposit().await;
}

/// Runs this test binary again (as `cargo test` would) with `args`, and
/// `RUNTIME_SEED` set to `seed` or removed: whether it passed, and what it
/// printed.
fn rerun(args: &[&str], seed: Option<&str>) -> (bool, String) {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut command = Command::new(exe);
    command.args(args);
    match seed {
        Some(seed) => command.env("RUNTIME_SEED", seed),
        None => command.env_remove("RUNTIME_SEED"),
    };
    let out = command.output().expect("re-running the test binary");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The replay command an explored failure prints is executed: the first
/// run explores and fails, printing `RUNTIME_SEED=0x… cargo test NAME --
/// --exact`; that command (its environment, its filter and the arguments
/// after `--`, given to this binary as cargo would give them, plus
/// `--ignored` since the test is ignored here) runs one schedule, says it
/// is replaying it, and fails the same way.
#[test]
fn the_printed_replay_command_replays_the_failing_schedule() {
    const NAME: &str = "racy_deposit_explored";
    let (ok, explored) = rerun(&["--exact", NAME, "--ignored", "--test-threads=1"], None);
    assert!(!ok, "exploration did not fail:\n{explored}");
    assert!(explored.contains("a deposit was lost"), "{explored}");
    assert!(
        explored.contains(&format!(
            "schedule exploration of embedding::{NAME}: schedule "
        )),
        "{explored}"
    );
    // The command, on the line after "replay exactly this schedule with:".
    let command = explored
        .lines()
        .skip_while(|l| !l.contains("replay exactly this schedule with:"))
        .nth(1)
        .unwrap_or_else(|| panic!("no replay command:\n{explored}"))
        .trim();
    let words: Vec<&str> = command.split_whitespace().collect();
    let [assignment, "cargo", "test", filter, "--", after @ ..] = words.as_slice() else {
        panic!("not `RUNTIME_SEED=… cargo test NAME -- …`: {command:?}");
    };
    let seed = assignment
        .strip_prefix("RUNTIME_SEED=0x")
        .unwrap_or_else(|| panic!("no hex seed in {command:?}"));
    assert!(
        !seed.is_empty() && seed.chars().all(|c| c.is_ascii_hexdigit()),
        "{command:?}"
    );
    assert_eq!(*filter, NAME, "{command:?}");
    assert!(
        explored.contains(&format!("(seed 0x{seed}) failed")),
        "the command replays the seed that failed:\n{explored}"
    );

    let seed = format!("0x{seed}");
    let mut args = vec![*filter];
    args.extend(after);
    args.extend(["--ignored", "--test-threads=1"]);
    for _ in 0..3 {
        let (ok, replayed) = rerun(&args, Some(&seed));
        assert!(!ok, "the replay passed:\n{replayed}");
        assert!(
            replayed.contains(&format!(
                "runtime::test: embedding::{NAME}: replaying schedule RUNTIME_SEED={seed}"
            )),
            "{replayed}"
        );
        assert!(replayed.contains("a deposit was lost"), "{replayed}");
        assert!(
            !replayed.contains("schedule exploration of"),
            "one schedule replayed, not an exploration:\n{replayed}"
        );
        assert!(
            replayed.contains(&format!("test {NAME} ... FAILED")),
            "{replayed}"
        );
    }

    // A value that is not a seed is refused, not ignored.
    let (ok, refused) = rerun(&args, Some("nope"));
    assert!(!ok, "{refused}");
    assert!(
        refused.contains("RUNTIME_SEED=\"nope\" is not a seed"),
        "{refused}"
    );
}

// ---- What the runner reports -----------------------------------------------

#[test]
fn a_task_left_pending_fails_the_test_naming_it() {
    let panic = catch_unwind(|| {
        run(options("leaky"), || async {
            spawn(sleep(Duration::from_secs(60)));
            yield_now().await;
        })
    })
    .expect_err("a leaked task fails the test");
    let msg = message(panic);
    assert!(msg.contains("left 1 task pending"), "{msg}");
    assert!(msg.contains("tests/embedding.rs"), "the spawn site: {msg}");
    assert!(msg.contains("timer (fires in"), "what it waits on: {msg}");
    // Allowed when asked for.
    run(
        Options {
            allow_pending: true,
            ..options("leaky_allowed")
        },
        || async {
            spawn(sleep(Duration::from_secs(60)));
            yield_now().await;
        },
    );
}

#[test]
fn a_timeout_in_virtual_time_names_the_pending_tasks() {
    let wall = std::time::Instant::now();
    let panic = catch_unwind(|| {
        run(
            Options {
                timeout: Some(Duration::from_secs(5)),
                ..options("slow")
            },
            || async {
                let stuck = spawn(sleep(Duration::from_secs(3600)));
                stuck.await.unwrap();
            },
        )
    })
    .expect_err("an hour is longer than 5 s");
    let msg = message(panic);
    assert!(msg.contains("timed out after 5s of virtual time"), "{msg}");
    assert!(msg.contains("waiting on timer"), "{msg}");
    assert!(
        wall.elapsed() < Duration::from_secs(30),
        "virtual, not real, time"
    );
}

#[test]
fn an_err_fails_an_explored_test() {
    let panic = catch_unwind(|| {
        run(
            Options {
                explore: Some(3),
                ..options("errs")
            },
            || async { Err::<(), _>("nope") },
        )
    })
    .expect_err("an Err is a failure");
    assert!(message(panic).contains("the test returned Err(\"nope\")"));
}

/// The deadlock report names what the `block_on` future waits on, and its
/// panic points at the caller's line, not at the runtime's code.
#[test]
fn a_deadlock_names_what_block_on_waits_on_at_the_callers_line() {
    // The hook is process-wide and other tests panic on purpose meanwhile:
    // keep only the location of this panic.
    let hook_caught = std::sync::Arc::new(std::sync::Mutex::new(None::<String>));
    let hook_seen = hook_caught.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info
            .payload()
            .downcast_ref::<String>()
            .map_or("", String::as_str);
        if text.contains("waiting on event")
            && let Some(location) = info.location()
        {
            *hook_seen.lock().unwrap() = Some(location.file().to_string());
        }
    }));
    let panic = catch_unwind(AssertUnwindSafe(|| {
        paused().block_on(async {
            let event = Event::new();
            event.wait().await;
        })
    }));
    std::panic::set_hook(previous);
    let msg = message(panic.expect_err("nothing can set the event"));
    assert!(
        // The reason, then where block_on's future waits (`event.wait()`).
        msg.contains(&format!(
            "pending: the future given to block_on (waiting on event at {}:",
            file!()
        )),
        "{msg}"
    );
    assert_eq!(
        hook_caught.lock().unwrap().as_deref(),
        Some("tests/embedding.rs"),
        "the panic's location is the test's"
    );
}
