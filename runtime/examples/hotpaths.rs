//! Quick measurements of the executor's hot paths, medians of 7 runs. The
//! benches crate compares against peers properly; this is the one-minute
//! sanity check: `cargo run --release -p runtime --example hotpaths`.
use std::cell::Cell;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::Poll;
use std::time::{Duration, Instant};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn measure(name: &str, n: u64, f: impl Fn()) {
    let runs: Vec<f64> = (0..7)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_nanos() as f64 / n as f64
        })
        .collect();
    println!("{name:<28} {:>8.1} ns", median(runs));
}

fn main() {
    const N: u64 = 100_000;
    measure("spawn+join", N, || {
        runtime::block_on(async {
            let hs: Vec<_> = (0..N).map(|i| runtime::spawn(async move { i })).collect();
            for h in hs {
                h.await.unwrap();
            }
        })
    });
    let rt = runtime::Runtime::new().unwrap();
    measure("spawn+join (reused runtime)", N, || {
        rt.block_on(async {
            let hs: Vec<_> = (0..N).map(|i| runtime::spawn(async move { i })).collect();
            for h in hs {
                h.await.unwrap();
            }
        })
    });
    measure("spawn+join 1 at a time", N, || {
        rt.block_on(async {
            for i in 0..N {
                runtime::spawn(async move { i }).await.unwrap();
            }
        })
    });
    measure("yield_now", N, || {
        runtime::block_on(async {
            for _ in 0..N {
                runtime::yield_now().await;
            }
        })
    });
    measure("ping-pong (per switch)", 2 * N, || {
        runtime::block_on(async {
            let turn = Rc::new(Cell::new(0u64));
            let waiter: Rc<Cell<Option<std::task::Waker>>> = Rc::default();
            let (t2, w2) = (turn.clone(), waiter.clone());
            let other = runtime::spawn(async move {
                for i in 0..N {
                    poll_fn(|cx| {
                        if t2.get() == 2 * i + 1 {
                            Poll::Ready(())
                        } else {
                            w2.set(Some(cx.waker().clone()));
                            Poll::Pending
                        }
                    })
                    .await;
                    t2.set(2 * i + 2);
                    if let Some(w) = w2.take() {
                        w.wake()
                    }
                }
            });
            for i in 0..N {
                turn.set(2 * i + 1);
                if let Some(w) = waiter.take() {
                    w.wake()
                }
                poll_fn(|cx| {
                    if turn.get() == 2 * i + 2 {
                        Poll::Ready(())
                    } else {
                        waiter.set(Some(cx.waker().clone()));
                        Poll::Pending
                    }
                })
                .await;
            }
            other.await.unwrap();
        })
    });
    let paused = || {
        runtime::Runtime::builder()
            .paused_clock(true)
            .build()
            .unwrap()
    };
    measure("timer register+fire", N, || {
        paused().block_on(async {
            let hs: Vec<_> = (0..N)
                .map(|i| runtime::spawn(runtime::time::sleep(Duration::from_millis(1 + i % 1000))))
                .collect();
            for h in hs {
                h.await.unwrap();
            }
        })
    });
    measure("timer register+cancel", N, || {
        paused().block_on(async {
            for _ in 0..N {
                let _ = runtime::time::timeout(Duration::from_secs(5), runtime::yield_now()).await;
            }
        })
    });
}
