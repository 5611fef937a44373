//! One wakeup from another thread, for stepping through in a debugger
//! (DEBUGGING.md): a task hands its waker to an OS thread and waits; the
//! thread sleeps 50 ms and calls `wake`, which travels through the remote
//! queue and the eventfd to the loop's `epoll_wait` and the task's next poll.

use std::future::poll_fn;
use std::task::Poll;
use std::time::Duration;

fn main() -> std::io::Result<()> {
    let rt = runtime::Runtime::new()?;
    rt.block_on(async {
        let waiter = runtime::spawn(async {
            let mut handed_out = false;
            poll_fn(|cx| {
                if handed_out {
                    return Poll::Ready(());
                }
                handed_out = true;
                let waker = cx.waker().clone();
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(50));
                    waker.wake(); // the remote path: not the loop's thread
                });
                Poll::Pending
            })
            .await;
            println!("woken by the other thread");
        });
        let _ = waiter.await;
    });
    let stats = rt.stats();
    println!(
        "remote wakes: {}, eventfd writes: {}, epoll_wait calls: {}",
        stats.remote_wakes, stats.eventfd_writes, stats.epoll_waits
    );
    Ok(())
}
