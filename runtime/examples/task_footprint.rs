//! Memory per idle event-loop task: RSS (from /proc/self/statm) before and
//! after spawning 100,000 tasks that wait forever. One measurement per
//! process (a second runtime in the same process reuses the first one's
//! freed memory): run it several times and take the median.
//! `cargo run --release -p runtime --example task_footprint`

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn main() {
    const N: u64 = 100_000;
    let per_task: Vec<u64> = (0..1)
        .map(|_| {
            let rt = runtime::Runtime::new().expect("runtime");
            let before = rss_bytes();
            rt.block_on(async {
                for _ in 0..N {
                    drop(runtime::spawn(std::future::pending::<()>()));
                }
                runtime::yield_now().await; // every task polled once, now idle
            });
            let after = rss_bytes();
            (after.saturating_sub(before)) / N
        })
        .collect();
    println!(
        "memory per idle task (RSS delta / {N}): {} bytes",
        per_task[0]
    );
}
