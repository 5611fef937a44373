//! **channel**: a bounded channel of capacity 128, one producer task
//! sending N `u64`s, one consumer receiving them. Reported per message
//! (ns/message): the channel's own bookkeeping plus the wakes when the
//! buffer fills and drains.
//!
//! Ours: `runtime::sync::mpsc::channel`; tokio: `tokio::sync::mpsc::channel`;
//! smol: `async_channel::bounded` (what `smol::channel` re-exports);
//! threads: `std::sync::mpsc::sync_channel` between two OS threads.

use std::time::Duration;

use crate::measure::Stopwatch;
use crate::peers;

super::per_op_workload! {
    name: "channel",
    unit: "ns/message",
    n: (1_000_000, 200_000),
    ops_per_n: 1,
    impls: [
        "ours" => ours,
        "tokio" => tokio,
        "smol" => smol,
        "threads" => threads,
    ],
}

const CAP: usize = 128;

/// Our event loop: `runtime::sync::mpsc`, producer and consumer spawned.
pub fn ours(n: usize) -> Duration {
    peers::ours(async move {
        let (tx, mut rx) = runtime::sync::mpsc::channel::<u64>(CAP);
        let start = Stopwatch::start();
        let producer = runtime::spawn(async move {
            for i in 0..n as u64 {
                if tx.send(i).await.is_err() {
                    panic!("receiver gone");
                }
            }
        });
        let consumer = runtime::spawn(async move {
            let mut sum = 0u64;
            while let Some(v) = rx.recv().await {
                sum = sum.wrapping_add(v);
            }
            sum
        });
        producer.await.expect("producer");
        std::hint::black_box(consumer.await.expect("consumer"));
        start.elapsed()
    })
}

/// tokio: `tokio::sync::mpsc`, producer and consumer in `spawn_local`.
pub fn tokio(n: usize) -> Duration {
    peers::tokio(async move {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<u64>(CAP);
        let start = Stopwatch::start();
        let producer = tokio::task::spawn_local(async move {
            for i in 0..n as u64 {
                tx.send(i).await.expect("receiver gone");
            }
        });
        let consumer = tokio::task::spawn_local(async move {
            let mut sum = 0u64;
            while let Some(v) = rx.recv().await {
                sum = sum.wrapping_add(v);
            }
            sum
        });
        producer.await.expect("producer");
        std::hint::black_box(consumer.await.expect("consumer"));
        start.elapsed()
    })
}

/// smol: `async_channel::bounded` in `LocalExecutor` tasks.
pub fn smol(n: usize) -> Duration {
    peers::smol(|ex| async move {
        let (tx, rx) = async_channel::bounded::<u64>(CAP);
        let start = Stopwatch::start();
        let producer = ex.spawn(async move {
            for i in 0..n as u64 {
                tx.send(i).await.expect("receiver gone");
            }
        });
        let consumer = ex.spawn(async move {
            let mut sum = 0u64;
            while let Ok(v) = rx.recv().await {
                sum = sum.wrapping_add(v);
            }
            sum
        });
        producer.await;
        std::hint::black_box(consumer.await);
        start.elapsed()
    })
}

/// `std::sync::mpsc::sync_channel` between two OS threads.
pub fn threads(n: usize) -> Duration {
    let (tx, rx) = std::sync::mpsc::sync_channel::<u64>(CAP);
    let start = Stopwatch::start();
    let producer = std::thread::spawn(move || {
        for i in 0..n as u64 {
            tx.send(i).expect("receiver gone");
        }
    });
    let consumer = std::thread::spawn(move || rx.iter().fold(0u64, u64::wrapping_add));
    producer.join().expect("producer");
    std::hint::black_box(consumer.join().expect("consumer"));
    start.elapsed()
}
