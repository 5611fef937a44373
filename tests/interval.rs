//! `Interval::reset`, `reset_immediately`, `reset_after` and `reset_at`
//! on the paused clock, with tokio's documented semantics: the reset moves
//! the next tick, and the ticks after it run one period apart from the new
//! one. Each test records the virtual time (ms since the start) at which
//! every tick completed, and the instant the tick reported.

use std::time::Duration;

use runtime::time::{Instant, Interval, MissedTickBehavior, advance, interval, sleep};

/// Milliseconds from `start` to now.
fn now_ms(start: Instant) -> u128 {
    Instant::now().duration_since(start).as_millis()
}

/// Waits for `n` ticks; returns, for each, (when it completed, the instant
/// it reported), both in ms since `start`.
async fn ticks(every: &mut Interval, start: Instant, n: usize) -> Vec<(u128, u128)> {
    let mut seen = Vec::new();
    for _ in 0..n {
        let at = every.tick().await;
        seen.push((now_ms(start), at.duration_since(start).as_millis()));
    }
    seen
}

#[runtime::test]
async fn reset_moves_the_next_tick_a_period_from_now() {
    let start = Instant::now();
    let mut every = interval(Duration::from_millis(100));
    every.tick().await;
    sleep(Duration::from_millis(30)).await;
    every.reset();
    assert_eq!(
        ticks(&mut every, start, 3).await,
        [(130, 130), (230, 230), (330, 330)]
    );
}

#[runtime::test]
async fn reset_immediately_ticks_at_once_then_a_period_apart_from_now() {
    let start = Instant::now();
    let mut every = interval(Duration::from_millis(100));
    every.tick().await;
    sleep(Duration::from_millis(30)).await;
    every.reset_immediately();
    assert_eq!(
        ticks(&mut every, start, 3).await,
        [(30, 30), (130, 130), (230, 230)]
    );
}

#[runtime::test]
async fn reset_after_sets_the_next_tick_then_a_period_apart() {
    let start = Instant::now();
    let mut every = interval(Duration::from_millis(100));
    every.tick().await;
    sleep(Duration::from_millis(30)).await;
    // Shorter than the period, then longer: only the next tick moves.
    every.reset_after(Duration::from_millis(20));
    assert_eq!(ticks(&mut every, start, 2).await, [(50, 50), (150, 150)]);
    every.reset_after(Duration::from_millis(250));
    assert_eq!(ticks(&mut every, start, 2).await, [(400, 400), (500, 500)]);
}

#[runtime::test]
async fn reset_at_a_future_instant_ticks_there() {
    let start = Instant::now();
    let mut every = interval(Duration::from_millis(100));
    every.tick().await;
    every.reset_at(start + Duration::from_millis(1000));
    assert_eq!(
        ticks(&mut every, start, 2).await,
        [(1000, 1000), (1100, 1100)]
    );
}

/// A deadline in the past: the tick completes at once and reports the
/// deadline; the late schedule then follows the missed-tick behaviour.
#[runtime::test]
async fn reset_at_a_past_instant_ticks_at_once_reporting_it() {
    for (behavior, expected) in [
        // Catch up from the deadline: 20 (reported), 120, 220, then on time.
        (
            MissedTickBehavior::Burst,
            [(250, 20), (250, 120), (250, 220), (320, 320)],
        ),
        // Restart from now: 250 + 100, +100.
        (
            MissedTickBehavior::Delay,
            [(250, 20), (350, 350), (450, 450), (550, 550)],
        ),
        // The next tick on the deadline's schedule that lies ahead: 320.
        (
            MissedTickBehavior::Skip,
            [(250, 20), (320, 320), (420, 420), (520, 520)],
        ),
    ] {
        let start = Instant::now();
        let mut every = interval(Duration::from_millis(100));
        every.set_missed_tick_behavior(behavior);
        every.tick().await;
        sleep(Duration::from_millis(250)).await;
        every.reset_at(start + Duration::from_millis(20));
        let got = ticks(&mut every, start, 4).await;
        assert_eq!(got, expected, "{behavior:?}");
        // Leave the next interval a fresh start.
        sleep(Duration::from_millis(1000)).await;
    }
}

/// A reset moves a tick that is already being awaited: a task waiting on
/// `tick` is woken at the new time, not the old one.
#[runtime::test]
async fn a_reset_while_a_tick_is_pending_takes_effect_at_the_next_poll() {
    let start = Instant::now();
    let mut every = interval(Duration::from_millis(100));
    every.tick().await;
    let mut tick = std::pin::pin!(async move {
        // Poll once (registers the 100 ms timer), then reset and wait.
        let first = std::future::poll_fn(|cx| match every.poll_tick(cx) {
            std::task::Poll::Pending => std::task::Poll::Ready(None),
            ready => ready.map(Some),
        })
        .await;
        assert_eq!(first, None, "the tick was not due yet");
        every.reset_after(Duration::from_millis(500));
        every.tick().await;
        now_ms(start)
    });
    assert_eq!(tick.as_mut().await, 500);
}

/// `advance` lets a due interval tick fire: after `advance(period)` the
/// ticking task has run; after its `reset_after`, a tick is not fired early.
#[runtime::test]
async fn advance_fires_due_ticks_and_respects_resets() {
    let start = Instant::now();
    let count = std::rc::Rc::new(std::cell::Cell::new(0u32));
    let ticker = runtime::spawn({
        let count = count.clone();
        async move {
            let mut every = interval(Duration::from_millis(100));
            for n in 1..=4 {
                every.tick().await;
                count.set(n);
                if n == 2 {
                    // The next tick 300 ms from now (at 400 ms), not at 200 ms.
                    every.reset_after(Duration::from_millis(300));
                }
            }
        }
    });
    runtime::yield_now().await;
    assert_eq!(count.get(), 1, "the first tick is at once");
    advance(Duration::from_millis(100)).await;
    assert_eq!(count.get(), 2);
    advance(Duration::from_millis(200)).await;
    assert_eq!(count.get(), 2, "the reset tick fired early");
    advance(Duration::from_millis(100)).await;
    assert_eq!(count.get(), 3);
    assert_eq!(now_ms(start), 400);
    advance(Duration::from_millis(100)).await;
    assert_eq!(count.get(), 4);
    ticker.await.unwrap();
}
