//! **ping-pong**: two tasks hand a turn back and forth N times through a
//! wake-up signal. Reported per switch (ns/switch; a round trip is two
//! switches): the cost of waking a task and getting it polled, the
//! heartbeat of every channel, lock and I/O completion.
//!
//! Ours and smol use the same tiny [`Signal`] (a `Cell<bool>` and a
//! `Waker`), tokio its `Notify`, threads a `Mutex<bool>` + `Condvar`.

use std::rc::Rc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::measure::Stopwatch;
use crate::peers;
use crate::signal::Signal;

super::per_op_workload! {
    name: "pingpong",
    unit: "ns/switch",
    n: (50_000, 10_000),
    ops_per_n: 2,
    impls: [
        "ours" => ours,
        "ours+trace" => ours_traced,
        "tokio" => tokio,
        "smol" => smol,
        "threads" => threads,
    ],
}

/// Our event loop: two spawned tasks and two [`Signal`]s.
pub fn ours(rounds: usize) -> Duration {
    peers::ours(body_ours(rounds))
}

/// Ours with tracing on (the same body).
pub fn ours_traced(rounds: usize) -> Duration {
    peers::ours_traced(body_ours(rounds))
}

async fn body_ours(rounds: usize) -> Duration {
    let (ping, pong) = (Rc::new(Signal::default()), Rc::new(Signal::default()));
    let start = Stopwatch::start();
    let (p1, q1) = (ping.clone(), pong.clone());
    let a = runtime::spawn(async move {
        for _ in 0..rounds {
            q1.notify();
            p1.wait().await;
        }
    });
    let b = runtime::spawn(async move {
        for _ in 0..rounds {
            pong.wait().await;
            ping.notify();
        }
    });
    a.await.expect("ping task");
    b.await.expect("pong task");
    start.elapsed()
}

/// tokio: two `spawn_local` tasks and two `Notify`s.
pub fn tokio(rounds: usize) -> Duration {
    use tokio::sync::Notify;
    peers::tokio(async move {
        let (ping, pong) = (Rc::new(Notify::new()), Rc::new(Notify::new()));
        let start = Stopwatch::start();
        let (p1, q1) = (ping.clone(), pong.clone());
        let a = tokio::task::spawn_local(async move {
            for _ in 0..rounds {
                q1.notify_one();
                p1.notified().await;
            }
        });
        let b = tokio::task::spawn_local(async move {
            for _ in 0..rounds {
                pong.notified().await;
                ping.notify_one();
            }
        });
        a.await.expect("ping task");
        b.await.expect("pong task");
        start.elapsed()
    })
}

/// smol: two `LocalExecutor` tasks and two [`Signal`]s.
pub fn smol(rounds: usize) -> Duration {
    peers::smol(|ex| async move {
        let (ping, pong) = (Rc::new(Signal::default()), Rc::new(Signal::default()));
        let start = Stopwatch::start();
        let (p1, q1) = (ping.clone(), pong.clone());
        let a = ex.spawn(async move {
            for _ in 0..rounds {
                q1.notify();
                p1.wait().await;
            }
        });
        let b = ex.spawn(async move {
            for _ in 0..rounds {
                pong.wait().await;
                ping.notify();
            }
        });
        a.await;
        b.await;
        start.elapsed()
    })
}

/// A flag and a condition variable: the blocking equivalent of [`Signal`].
#[derive(Default)]
struct Flag {
    set: Mutex<bool>,
    cv: Condvar,
}

impl Flag {
    fn notify(&self) {
        *self.set.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.cv.notify_one();
    }

    fn wait(&self) {
        let mut set = self.set.lock().unwrap_or_else(|e| e.into_inner());
        while !*set {
            set = self.cv.wait(set).unwrap_or_else(|e| e.into_inner());
        }
        *set = false;
    }
}

/// Two OS threads and two [`Flag`]s (`Mutex` + `Condvar`).
pub fn threads(rounds: usize) -> Duration {
    let (ping, pong) = (Arc::new(Flag::default()), Arc::new(Flag::default()));
    let start = Stopwatch::start();
    let (p1, q1) = (ping.clone(), pong.clone());
    let a = std::thread::spawn(move || {
        for _ in 0..rounds {
            q1.notify();
            p1.wait();
        }
    });
    let b = std::thread::spawn(move || {
        for _ in 0..rounds {
            pong.wait();
            ping.notify();
        }
    });
    a.join().expect("ping thread");
    b.join().expect("pong thread");
    start.elapsed()
}
