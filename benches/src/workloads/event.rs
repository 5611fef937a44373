//! **event**: ping-pong through set/wait/clear events, the primitive a
//! user reaches for to signal a task (`asyncio.Event`). Two tasks hand a
//! turn back and forth N times: each sets the other's event, waits on its
//! own and clears it. Reported per switch (ns/switch; a round trip is two
//! switches): the [`pingpong`](super::pingpong) switch plus the
//! primitive's own cost (its lock, waiter queue and waker handling).
//!
//! Ours: `runtime::sync::Event` (`Send + Sync`, a waiter list under a
//! `Mutex`); tokio: `tokio::sync::Notify` (`notify_one` stores a permit that
//! the next `notified` consumes, so set and clear are one call each side);
//! smol: a `Cell<bool>` flag beside an `event_listener::Event` (the crate
//! smol's own primitives are built on; waiting is the usual check, listen,
//! check again); threads: a `Mutex<bool>` + `Condvar` per side.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::measure::Stopwatch;
use crate::peers;

super::per_op_workload! {
    name: "event",
    unit: "ns/switch",
    n: (50_000, 10_000),
    ops_per_n: 2,
    impls: [
        "ours" => ours,
        "tokio" => tokio,
        "smol" => smol,
        "threads" => threads,
    ],
}

/// Our event loop: two spawned tasks and two `runtime::sync::Event`s.
pub fn ours(rounds: usize) -> Duration {
    use runtime::sync::Event;
    peers::ours(async move {
        let (ping, pong) = (Rc::new(Event::new()), Rc::new(Event::new()));
        let start = Stopwatch::start();
        let (p1, q1) = (ping.clone(), pong.clone());
        let a = runtime::spawn(async move {
            for _ in 0..rounds {
                q1.set();
                p1.wait().await;
                p1.clear();
            }
        });
        let b = runtime::spawn(async move {
            for _ in 0..rounds {
                pong.wait().await;
                pong.clear();
                ping.set();
            }
        });
        a.await.expect("ping task");
        b.await.expect("pong task");
        start.elapsed()
    })
}

/// tokio: two `spawn_local` tasks and two `Notify`s (`notify_one`,
/// `notified`): tokio's primitive for "wake that task" has no flag to clear,
/// so this is exactly the `pingpong` workload's tokio side, run from here.
pub fn tokio(rounds: usize) -> Duration {
    super::pingpong::tokio(rounds)
}

/// A set/clear flag on `event_listener::Event`, as smol's users build one.
#[derive(Default)]
struct ListenerFlag {
    set: Cell<bool>,
    event: event_listener::Event,
}

impl ListenerFlag {
    fn set(&self) {
        if !self.set.replace(true) {
            self.event.notify(usize::MAX);
        }
    }

    async fn wait(&self) {
        while !self.set.get() {
            let listener = self.event.listen();
            // Set between the check and `listen`: the notification missed
            // the listener, so look again before sleeping.
            if self.set.get() {
                return;
            }
            listener.await;
        }
    }

    fn clear(&self) {
        self.set.set(false);
    }
}

/// smol: two `LocalExecutor` tasks and two [`ListenerFlag`]s.
pub fn smol(rounds: usize) -> Duration {
    peers::smol(|ex| async move {
        let (ping, pong) = (
            Rc::new(ListenerFlag::default()),
            Rc::new(ListenerFlag::default()),
        );
        let start = Stopwatch::start();
        let (p1, q1) = (ping.clone(), pong.clone());
        let a = ex.spawn(async move {
            for _ in 0..rounds {
                q1.set();
                p1.wait().await;
                p1.clear();
            }
        });
        let b = ex.spawn(async move {
            for _ in 0..rounds {
                pong.wait().await;
                pong.clear();
                ping.set();
            }
        });
        a.await;
        b.await;
        start.elapsed()
    })
}

/// A set/clear flag and a condition variable: the blocking `Event`
/// (Python's `threading.Event`).
#[derive(Default)]
struct CondvarFlag {
    set: Mutex<bool>,
    cv: Condvar,
}

impl CondvarFlag {
    fn set(&self) {
        *self.set.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.cv.notify_all();
    }

    fn wait(&self) {
        let mut set = self.set.lock().unwrap_or_else(|e| e.into_inner());
        while !*set {
            set = self.cv.wait(set).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn clear(&self) {
        *self.set.lock().unwrap_or_else(|e| e.into_inner()) = false;
    }
}

/// Two OS threads and two [`CondvarFlag`]s.
pub fn threads(rounds: usize) -> Duration {
    let (ping, pong) = (
        Arc::new(CondvarFlag::default()),
        Arc::new(CondvarFlag::default()),
    );
    let start = Stopwatch::start();
    let (p1, q1) = (ping.clone(), pong.clone());
    let a = std::thread::spawn(move || {
        for _ in 0..rounds {
            q1.set();
            p1.wait();
            p1.clear();
        }
    });
    let b = std::thread::spawn(move || {
        for _ in 0..rounds {
            pong.wait();
            pong.clear();
            ping.set();
        }
    });
    a.join().expect("ping thread");
    b.join().expect("pong thread");
    start.elapsed()
}
