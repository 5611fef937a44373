//! How each implementation is set up, once, so every workload builds its
//! runtime the same way.

use std::future::Future;
use std::rc::Rc;

/// Our event loop with the default configuration.
pub fn ours<F: Future>(f: F) -> F::Output {
    let rt = runtime::Runtime::new().expect("runtime: cannot build (epoll/eventfd refused)");
    rt.block_on(f)
}

/// Our event loop with `Builder::trace` on, writing to a temporary file
/// that is removed afterwards. The buffer is made large enough that no event
/// is dropped (a dropped event would be cheaper than a recorded one).
pub fn ours_traced<F: Future>(f: F) -> F::Output {
    let path = std::env::temp_dir().join(format!("benches-trace-{}.json", std::process::id()));
    let rt = runtime::Runtime::builder()
        .trace(&path)
        .trace_capacity(1 << 21)
        .build()
        .expect("runtime: cannot build (epoll/eventfd refused)");
    let out = rt.block_on(f);
    drop(rt); // writes the trace
    let _ = std::fs::remove_file(&path);
    out
}

/// tokio's current-thread runtime with all drivers, tasks on a `LocalSet`
/// (`spawn_local`), the single-threaded setup comparable to ours.
pub fn tokio<F: Future>(f: F) -> F::Output {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio: cannot build a current-thread runtime");
    tokio::task::LocalSet::new().block_on(&rt, f)
}

/// smol: a `LocalExecutor` driven by `async_io::block_on` (which runs the
/// async-io reactor while the executor is idle). `f` gets the executor to
/// spawn on.
pub fn smol<F, G>(f: F) -> G::Output
where
    F: FnOnce(Rc<async_executor::LocalExecutor<'static>>) -> G,
    G: Future,
{
    let ex = Rc::new(async_executor::LocalExecutor::new());
    let fut = f(ex.clone());
    async_io::block_on(ex.run(fut))
}
