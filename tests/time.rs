//! Timers and the virtual clock: every test here runs on the paused clock
//! (`#[runtime::test]`'s default) unless it is about the real one, so none
//! depends on the machine's speed. The tests that build their runtime by
//! hand need it outside the body: its `Stats` afterwards, a second
//! `block_on`, a deadlock panic caught around `block_on`, or a watchdog
//! thread (`within`) for a loop that could spin, which no timer on that
//! loop could interrupt.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use runtime::time::{Instant, MissedTickBehavior, interval, sleep, sleep_until, timeout};
use runtime::{Runtime, spawn};

fn paused() -> Runtime {
    Runtime::builder().paused_clock(true).build().unwrap()
}

#[runtime::test]
async fn an_hour_long_sleep_finishes_at_once_and_moves_the_clock_by_an_hour() {
    let wall = std::time::Instant::now();
    let start = Instant::now();
    sleep(Duration::from_secs(3600)).await;
    assert_eq!(start.elapsed(), Duration::from_secs(3600));
    assert!(
        wall.elapsed() < Duration::from_secs(30),
        "virtual time is not real time"
    );
}

#[runtime::test]
async fn gathered_sleeps_take_the_longest_not_the_sum() {
    let start = Instant::now();
    let a = spawn(sleep(Duration::from_secs(2)));
    let b = spawn(sleep(Duration::from_secs(1)));
    a.await.unwrap();
    b.await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(2));
}

#[test]
fn two_thousand_timers_fire_in_deadline_order() {
    let rt = paused();
    let log = Rc::new(RefCell::new(Vec::new()));
    rt.block_on({
        let log = log.clone();
        async move {
            let start = Instant::now();
            // Deadlines spread over all wheel levels, spawned out of order.
            let mut handles = Vec::new();
            for i in 0..2000u64 {
                let ms = (i * 7919) % 2000 * 37 + 1; // a permutation, up to ~74 s
                let log = log.clone();
                handles.push(spawn(async move {
                    sleep_until(start + Duration::from_millis(ms)).await;
                    assert_eq!(
                        start.elapsed(),
                        Duration::from_millis(ms),
                        "fired exactly on time"
                    );
                    log.borrow_mut().push(ms);
                }));
            }
            for h in handles {
                h.await.unwrap();
            }
        }
    });
    let log = log.borrow();
    assert_eq!(log.len(), 2000);
    assert!(log.windows(2).all(|w| w[0] < w[1]), "fired out of order");
    assert_eq!(rt.stats().timers_fired, 2000);
}

#[runtime::test]
async fn sub_millisecond_sleeps_never_end_early() {
    for micros in [1u64, 999, 1000, 1001, 1500] {
        let start = Instant::now();
        sleep(Duration::from_micros(micros)).await;
        assert!(start.elapsed() >= Duration::from_micros(micros));
    }
}

#[runtime::test(real_clock)]
async fn sub_millisecond_sleeps_never_end_early_on_the_real_clock() {
    let start = std::time::Instant::now();
    sleep(Duration::from_micros(1500)).await;
    assert!(start.elapsed() >= Duration::from_micros(1500));
}

#[runtime::test]
async fn timeout_gives_elapsed_or_the_output() {
    let err = timeout(Duration::from_secs(1), sleep(Duration::from_secs(5)))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "deadline has elapsed");
    let ok = timeout(Duration::from_secs(5), async {
        sleep(Duration::from_secs(1)).await;
        9
    })
    .await;
    assert_eq!(ok, Ok(9));
    // A ready future wins even with a zero timeout.
    assert_eq!(timeout(Duration::ZERO, async { 3 }).await, Ok(3));
}

#[test]
fn cancelled_timeouts_leave_nothing_behind() {
    let rt = paused();
    rt.block_on(async {
        for _ in 0..100_000 {
            let r = timeout(Duration::from_secs(60), async { 1 }).await;
            assert_eq!(r, Ok(1));
        }
        // Registered and dropped before firing.
        for i in 0..1000 {
            let s = sleep(Duration::from_secs(i + 1));
            let mut s = std::pin::pin!(s);
            let _ = futures::poll!(s.as_mut());
        }
    });
    let stats = rt.stats();
    assert_eq!(stats.timers_cancelled, 1000);
    assert_eq!(stats.timers_fired, 0);
}

#[runtime::test]
async fn interval_ticks_at_once_then_every_period() {
    let start = Instant::now();
    let mut every = interval(Duration::from_millis(250));
    let mut ticks = Vec::new();
    for _ in 0..5 {
        let at = every.tick().await;
        ticks.push(at.duration_since(start).as_millis());
    }
    assert_eq!(ticks, [0, 250, 500, 750, 1000]);
}

#[runtime::test]
async fn interval_missed_tick_policies() {
    for (policy, expected) in [
        (MissedTickBehavior::Burst, [0u128, 100, 200, 300, 400]),
        (MissedTickBehavior::Delay, [0, 100, 350, 450, 550]),
        (MissedTickBehavior::Skip, [0, 100, 350, 400, 500]),
    ] {
        let start = Instant::now();
        let mut every = interval(Duration::from_millis(100));
        every.set_missed_tick_behavior(policy);
        let mut seen = Vec::new();
        for i in 0..5 {
            let at = every.tick().await;
            seen.push(Instant::now().duration_since(start).as_millis());
            let _ = at;
            if i == 1 {
                // The loop is late: 250 ms pass before the next tick().
                sleep(Duration::from_millis(250)).await;
            }
        }
        match policy {
            MissedTickBehavior::Burst => {
                assert_eq!(seen, [0, 100, 350, 350, 400], "{policy:?}")
            }
            _ => assert_eq!(seen, expected, "{policy:?}"),
        }
    }
}

#[test]
fn deadlock_is_reported_with_the_spawn_site() {
    let rt = paused();
    let line = line!() + 4;
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async {
            let (_tx, rx) = futures::channel::oneshot::channel::<()>();
            let stuck = spawn(async move {
                let _ = rx.await;
            });
            // Keep the sender alive but never send: nobody can ever wake it.
            let _keep = _tx;
            stuck.await.unwrap();
        })
    }));
    let payload = result.expect_err("a deadlock must panic, not hang");
    let msg = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(msg.contains("deadlock"), "{msg}");
    assert!(
        msg.contains(&format!("tests/time.rs:{line}")),
        "spawn site missing in: {msg}"
    );
}

#[runtime::test]
async fn a_pending_timer_is_not_a_deadlock() {
    let t = spawn(sleep(Duration::from_secs(86_400)));
    t.await.unwrap();
}

#[runtime::test]
async fn instant_arithmetic() {
    let a = Instant::now();
    let b = a + Duration::from_secs(2);
    assert!(b > a);
    assert_eq!(b - a, Duration::from_secs(2));
    assert_eq!(a - b, Duration::ZERO, "saturating");
    assert_eq!(b.duration_since(a), Duration::from_secs(2));
    sleep(Duration::from_millis(1500)).await;
    assert_eq!(a.elapsed(), Duration::from_millis(1500));
}

#[test]
fn a_sleep_wakes_the_loop_once_not_once_per_wheel_level() {
    // Paused: one clock jump per distinct deadline, even for deadlines that
    // sit in the wheel's higher levels and cascade on their way down.
    let rt = paused();
    rt.block_on(async {
        sleep(Duration::from_millis(100)).await;
        sleep(Duration::from_secs(2)).await;
        sleep(Duration::from_secs(3 * 3600)).await;
    });
    assert_eq!(rt.stats().clock_jumps, 3, "{:?}", rt.stats());
    // Real clock: one blocking epoll_wait for a 100 ms sleep (a second one
    // only if epoll_wait returned early, which Linux does not do).
    let rt = Runtime::new().unwrap();
    rt.block_on(sleep(Duration::from_millis(100)));
    assert!(rt.stats().epoll_waits_blocking <= 2, "{:?}", rt.stats());
}

// ---- Far deadlines (issue #13, item 2) -------------------------------------

/// The hang of issue #13: a few milliseconds after the runtime started, a
/// deadline beyond the wheel's ~2.2-year range was linked into the slot
/// being processed and the loop spun on it forever at 100 % CPU; no task,
/// timer or I/O ran again. Real clock: the timeout must end in ~100 ms.
#[test]
fn a_timeout_around_a_sleep_of_duration_max_ends_on_the_real_clock() {
    let waited = integration_tests::within(Duration::from_secs(20), "timeout(sleep(MAX))", || {
        let rt = Runtime::new().unwrap();
        rt.block_on(async {
            sleep(Duration::from_millis(3)).await;
            let start = std::time::Instant::now();
            let result = timeout(Duration::from_millis(100), sleep(Duration::MAX)).await;
            assert!(result.is_err(), "sleep(Duration::MAX) must never complete");
            // Other timers still run afterwards.
            sleep(Duration::from_millis(1)).await;
            start.elapsed()
        })
    });
    assert!(waited >= Duration::from_millis(100), "{waited:?}");
}

#[test]
fn a_sleep_of_three_years_ends_on_the_dot() {
    let elapsed = integration_tests::within(Duration::from_secs(20), "3-year sleep", || {
        paused().block_on(async {
            sleep(Duration::from_millis(5)).await;
            let start = Instant::now();
            sleep(Duration::from_secs(3 * 365 * 86_400)).await;
            start.elapsed()
        })
    });
    // It used to end after 795 days: the deadline was clamped to the wheel's range.
    assert_eq!(elapsed, Duration::from_secs(3 * 365 * 86_400));
}

#[test]
fn a_sleep_of_duration_max_never_completes() {
    integration_tests::within(Duration::from_secs(20), "sleep(MAX)", || {
        paused().block_on(async {
            sleep(Duration::from_millis(7)).await;
            let start = Instant::now();
            let ten_years = Duration::from_secs(10 * 365 * 86_400);
            assert!(
                timeout(ten_years, sleep(Duration::MAX)).await.is_err(),
                "sleep(Duration::MAX) completed"
            );
            assert_eq!(start.elapsed(), ten_years);
        })
    });
}

#[test]
fn a_lone_sleep_of_duration_max_is_a_deadlock_not_a_jump() {
    let rt = paused();
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async {
            let sleeper = spawn(sleep(Duration::MAX));
            sleeper.await.unwrap();
        })
    }))
    .expect_err("nothing can ever wake the sleeper");
    let msg = runtime_panic_message(&panic);
    assert!(msg.contains("deadlock"), "{msg}");
    assert!(msg.contains("timer (never fires)"), "{msg}");
}

#[runtime::test]
async fn a_deadline_beyond_the_clock_never_fires() {
    let now = Instant::now();
    // u64::MAX milliseconds and 10 more: the deadline in ms used to be
    // truncated to u64, and the timer fired after 10 ms.
    let far = now + Duration::from_millis(u64::MAX) + Duration::from_millis(10);
    let result = timeout(Duration::from_secs(1), sleep_until(far)).await;
    assert!(result.is_err());
    assert_eq!(now.elapsed(), Duration::from_secs(1));
}

#[test]
fn advancing_the_clock_by_duration_max_saturates_and_the_runtime_goes_on() {
    let rt = paused();
    rt.block_on(async {
        let before = Instant::now();
        let hour = spawn(sleep(Duration::from_secs(3600)));
        runtime::yield_now().await; // the hour-long sleep registers
        runtime::time::advance(Duration::MAX).await;
        // Every later clock read used to panic (Instant overflow).
        let after = Instant::now();
        assert!(after.duration_since(before) > Duration::from_secs(86_400 * 365 * 1_000_000));
        // The clock stops at its end (~146 million years); timers due by
        // then fire.
        hour.await.unwrap();
        runtime::time::advance(Duration::from_secs(1)).await;
        assert_eq!(Instant::now(), after, "the clock's end does not move");
    });
    // The runtime is not poisoned: it runs the next block_on.
    assert_eq!(rt.block_on(async { spawn(async { 7 }).await.unwrap() }), 7);
}

#[runtime::test]
async fn an_interval_of_duration_max_ticks_once_and_resets_without_overflow() {
    let mut every = interval(Duration::MAX);
    every.tick().await; // the first tick is immediate
    assert!(
        timeout(Duration::from_secs(3600), every.tick())
            .await
            .is_err(),
        "the second tick is at the end of time"
    );
    every.reset();
    for behavior in [MissedTickBehavior::Delay, MissedTickBehavior::Skip] {
        let mut every = interval(Duration::MAX);
        every.set_missed_tick_behavior(behavior);
        every.tick().await;
        assert!(timeout(Duration::from_secs(1), every.tick()).await.is_err());
    }
}

fn runtime_panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}
