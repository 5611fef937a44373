//! Timers and the virtual clock: every test here runs on the paused clock,
//! so none depends on the machine's speed.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use runtime::time::{Instant, MissedTickBehavior, interval, sleep, sleep_until, timeout};
use runtime::{Runtime, spawn};

fn paused() -> Runtime {
    Runtime::builder().paused_clock(true).build().unwrap()
}

#[test]
fn an_hour_long_sleep_finishes_at_once_and_moves_the_clock_by_an_hour() {
    let rt = paused();
    let wall = std::time::Instant::now();
    let virtual_elapsed = rt.block_on(async {
        let start = Instant::now();
        sleep(Duration::from_secs(3600)).await;
        start.elapsed()
    });
    assert_eq!(virtual_elapsed, Duration::from_secs(3600));
    assert!(
        wall.elapsed() < Duration::from_secs(30),
        "virtual time is not real time"
    );
}

#[test]
fn gathered_sleeps_take_the_longest_not_the_sum() {
    let rt = paused();
    rt.block_on(async {
        let start = Instant::now();
        let a = spawn(sleep(Duration::from_secs(2)));
        let b = spawn(sleep(Duration::from_secs(1)));
        a.await.unwrap();
        b.await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    });
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

#[test]
fn sub_millisecond_sleeps_never_end_early() {
    let rt = paused();
    rt.block_on(async {
        for micros in [1u64, 999, 1000, 1001, 1500] {
            let start = Instant::now();
            sleep(Duration::from_micros(micros)).await;
            assert!(start.elapsed() >= Duration::from_micros(micros));
        }
    });
    // Real clock too: never early.
    Runtime::new().unwrap().block_on(async {
        let start = std::time::Instant::now();
        sleep(Duration::from_micros(1500)).await;
        assert!(start.elapsed() >= Duration::from_micros(1500));
    });
}

#[test]
fn timeout_gives_elapsed_or_the_output() {
    let rt = paused();
    rt.block_on(async {
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
    });
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

#[test]
fn interval_ticks_at_once_then_every_period() {
    let rt = paused();
    rt.block_on(async {
        let start = Instant::now();
        let mut every = interval(Duration::from_millis(250));
        let mut ticks = Vec::new();
        for _ in 0..5 {
            let at = every.tick().await;
            ticks.push(at.duration_since(start).as_millis());
        }
        assert_eq!(ticks, [0, 250, 500, 750, 1000]);
    });
}

#[test]
fn interval_missed_tick_policies() {
    let rt = paused();
    rt.block_on(async {
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
    });
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

#[test]
fn a_pending_timer_is_not_a_deadlock() {
    let rt = paused();
    rt.block_on(async {
        let t = spawn(sleep(Duration::from_secs(86_400)));
        t.await.unwrap();
    });
}

#[test]
fn instant_arithmetic() {
    let rt = paused();
    rt.block_on(async {
        let a = Instant::now();
        let b = a + Duration::from_secs(2);
        assert!(b > a);
        assert_eq!(b - a, Duration::from_secs(2));
        assert_eq!(a - b, Duration::ZERO, "saturating");
        assert_eq!(b.duration_since(a), Duration::from_secs(2));
        sleep(Duration::from_millis(1500)).await;
        assert_eq!(a.elapsed(), Duration::from_millis(1500));
    });
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
