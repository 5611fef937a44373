//! Awaiting many futures at once inside one task: [`gather`], [`try_gather`]
//! and the [`gather!`](crate::gather!) macro.
//!
//! Nothing is spawned: the children are polled by the gathering future
//! itself, like `futures::future::join_all` or `asyncio.gather`. Each child
//! gets its own waker, which records the child's index in a shared ready
//! queue and wakes the parent; the parent then polls only the children that
//! were woken. Gathering `n` futures that are each woken once therefore costs
//! `2n` child polls, not `n²`.

use std::fmt;
use std::future::Future;
use std::mem;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};

/// Runs every future of `futures` concurrently and returns their outputs in
/// input order.
///
/// An empty input gives an empty `Vec` at once.
///
/// ```
/// use runtime::gather;
///
/// let outputs = futures::executor::block_on(gather((1..=3).map(|i| async move { i * 10 })));
/// assert_eq!(outputs, vec![10, 20, 30]);
/// ```
pub fn gather<I>(futures: I) -> Gather<I::Item>
where
    I: IntoIterator,
    I::Item: Future,
{
    let core = Core::new(futures);
    let outputs = (0..core.children.len()).map(|_| None).collect();
    Gather { core, outputs }
}

/// Runs every future of `futures` concurrently until all succeed (outputs in
/// input order) or one fails.
///
/// The first `Err` seen is returned at once, and the futures still running
/// are dropped right then.
///
/// ```
/// use runtime::try_gather;
///
/// let parse = |s: &'static str| async move { s.parse::<u8>() };
/// let ok = futures::executor::block_on(try_gather(["1", "2"].map(parse)));
/// assert_eq!(ok, Ok(vec![1, 2]));
/// let err = futures::executor::block_on(try_gather(["1", "x"].map(parse)));
/// assert!(err.is_err());
/// ```
pub fn try_gather<I, T, E>(futures: I) -> TryGather<I::Item, T, E>
where
    I: IntoIterator,
    I::Item: Future<Output = Result<T, E>>,
{
    let core = Core::new(futures);
    let outputs = (0..core.children.len()).map(|_| None).collect();
    TryGather { core, outputs }
}

/// The future returned by [`gather`].
#[must_use = "futures do nothing unless polled"]
pub struct Gather<F: Future> {
    core: Core<F>,
    outputs: Vec<Option<F::Output>>,
}

// Outputs are never pinned and the children are boxed, so moving is fine.
impl<F: Future> Unpin for Gather<F> {}

impl<F: Future> Future for Gather<F> {
    type Output = Vec<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let outputs = &mut this.outputs;
        this.core.poll_woken(cx, |index, output| {
            outputs[index] = Some(output);
            true
        });
        if this.core.pending > 0 {
            return Poll::Pending;
        }
        this.core.finish();
        Poll::Ready(mem::take(outputs).into_iter().flatten().collect())
    }
}

impl<F: Future> fmt::Debug for Gather<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gather")
            .field("len", &self.outputs.len())
            .field("pending", &self.core.pending)
            .finish()
    }
}

/// The future returned by [`try_gather`].
#[must_use = "futures do nothing unless polled"]
pub struct TryGather<F, T, E>
where
    F: Future<Output = Result<T, E>>,
{
    core: Core<F>,
    outputs: Vec<Option<T>>,
}

// Outputs are never pinned and the children are boxed, so moving is fine.
impl<F, T, E> Unpin for TryGather<F, T, E> where F: Future<Output = Result<T, E>> {}

impl<F, T, E> Future for TryGather<F, T, E>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<Vec<T>, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let outputs = &mut this.outputs;
        let mut error = None;
        this.core.poll_woken(cx, |index, output| match output {
            Ok(value) => {
                outputs[index] = Some(value);
                true
            }
            Err(e) => {
                error = Some(e);
                false
            }
        });
        if let Some(e) = error {
            // Fail fast: drop every future still running, right now.
            this.core.finish();
            outputs.clear();
            return Poll::Ready(Err(e));
        }
        if this.core.pending > 0 {
            return Poll::Pending;
        }
        this.core.finish();
        Poll::Ready(Ok(mem::take(outputs).into_iter().flatten().collect()))
    }
}

impl<F, T, E> fmt::Debug for TryGather<F, T, E>
where
    F: Future<Output = Result<T, E>>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TryGather")
            .field("len", &self.outputs.len())
            .field("pending", &self.core.pending)
            .finish()
    }
}

/// The machinery shared by [`Gather`] and [`TryGather`].
struct Core<F> {
    /// The children still running; `None` once done. Boxed so that `Core` is
    /// `Unpin` and each child stays pinned in place without `unsafe`.
    children: Vec<Option<Pin<Box<F>>>>,
    /// One waker per child, made on the first poll.
    wakers: Vec<Waker>,
    /// How many children have not finished.
    pending: usize,
    /// Where woken children are queued.
    ready_set: Arc<ReadySet>,
    /// The batch being polled; swapped with the shared queue so both
    /// allocations are reused.
    batch: Vec<usize>,
    /// Set once the outputs were handed out.
    finished: bool,
}

impl<F: Future> Core<F> {
    fn new<I: IntoIterator<Item = F>>(futures: I) -> Self {
        let children: Vec<_> = futures.into_iter().map(|f| Some(Box::pin(f))).collect();
        let n = children.len();
        Core {
            pending: n,
            children,
            wakers: Vec::new(),
            ready_set: Arc::new(ReadySet {
                ready: Mutex::new(ReadyQueue {
                    queue: Vec::new(),
                    queued: Vec::new(),
                    parent: None,
                }),
            }),
            batch: Vec::new(),
            finished: false,
        }
    }

    /// Polls the children due for a poll (all of them the first time, then
    /// only the woken ones), passing each output to `done`; stops early when
    /// `done` returns `false`.
    fn poll_woken(&mut self, cx: &mut Context<'_>, mut done: impl FnMut(usize, F::Output) -> bool) {
        assert!(!self.finished, "gather future polled after completion");
        let first = self.wakers.is_empty() && !self.children.is_empty();
        {
            let mut guard = self.ready_set.lock();
            let ready = &mut *guard;
            match &ready.parent {
                Some(old) if old.will_wake(cx.waker()) => {}
                _ => ready.parent = Some(cx.waker().clone()),
            }
            if first {
                let n = self.children.len();
                ready.queue.reserve_exact(n);
                ready.queued = vec![true; n];
                ready.queue.extend(0..n);
                self.batch.reserve_exact(n);
            }
            for &index in &ready.queue {
                ready.queued[index] = false;
            }
            mem::swap(&mut ready.queue, &mut self.batch);
        }
        if first {
            self.wakers = (0..self.children.len())
                .map(|index| {
                    Waker::from(Arc::new(ChildWaker {
                        index,
                        ready_set: Arc::clone(&self.ready_set),
                    }))
                })
                .collect();
        }
        let mut batch = mem::take(&mut self.batch);
        for &index in &batch {
            let Some(child) = &mut self.children[index] else {
                continue; // a late wake of a finished child
            };
            let mut child_cx = Context::from_waker(&self.wakers[index]);
            if let Poll::Ready(output) = child.as_mut().poll(&mut child_cx) {
                self.children[index] = None;
                self.pending -= 1;
                if !done(index, output) {
                    break;
                }
            }
        }
        batch.clear();
        self.batch = batch;
    }

    /// Drops every child still running and the wakers' link to the parent.
    fn finish(&mut self) {
        self.finished = true;
        self.children.clear();
        self.ready_set.lock().parent = None;
    }
}

impl<F> Drop for Core<F> {
    fn drop(&mut self) {
        // A child waker may outlive us (kept by some other task); it must not
        // keep the parent task's waker alive too.
        self.ready_set.lock().parent = None;
    }
}

/// The ready queue, shared by the parent and the child wakers.
struct ReadySet {
    ready: Mutex<ReadyQueue>,
}

struct ReadyQueue {
    /// Indices of children woken since the parent last looked.
    queue: Vec<usize>,
    /// `queued[i]`: child `i` is already in `queue` (dedupes double wakes).
    queued: Vec<bool>,
    /// The gathering task's waker.
    parent: Option<Waker>,
}

impl ReadySet {
    fn lock(&self) -> std::sync::MutexGuard<'_, ReadyQueue> {
        self.ready.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The waker given to one child: queues its index, then wakes the parent.
struct ChildWaker {
    index: usize,
    ready_set: Arc<ReadySet>,
}

impl Wake for ChildWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let parent = {
            let mut ready = self.ready_set.lock();
            if ready.queued[self.index] {
                return; // already queued, and the parent already woken
            }
            ready.queued[self.index] = true;
            ready.queue.push(self.index);
            ready.parent.clone()
        };
        if let Some(parent) = parent {
            parent.wake();
        }
    }
}

/// Awaits several futures concurrently and yields their outputs as a tuple,
/// like `tokio::join!`.
///
/// Use it inside `async` code. Every future that is not finished yet is
/// polled each time the gathering task is woken. The futures are pinned in
/// place on the stack: no allocation.
///
/// ```
/// use runtime::gather;
///
/// futures::executor::block_on(async {
///     let (a, b) = gather!(async { 1 }, async { "two" });
///     assert_eq!((a, b), (1, "two"));
/// });
/// ```
#[macro_export]
macro_rules! gather {
    () => { () };
    ($($fut:expr),+ $(,)?) => {
        $crate::__gather_internal!(@pin [] [] $($fut,)+)
    };
}

/// Implementation detail of [`gather!`](crate::gather!): pins each future
/// under a hygienically distinct name, then polls them all in one `poll_fn`.
#[doc(hidden)]
#[macro_export]
macro_rules! __gather_internal {
    (@pin [$($f:ident)*] [$($o:ident)*] $head:expr, $($rest:expr,)*) => {{
        // Each recursion level makes its own `f` and `o`: same spelling,
        // different hygiene, so they do not shadow one another.
        let mut f = ::core::pin::pin!($head);
        let mut o = ::core::option::Option::None;
        $crate::__gather_internal!(@pin [$($f)* f] [$($o)* o] $($rest,)*)
    }};
    (@pin [$($f:ident)*] [$($o:ident)*]) => {
        ::core::future::poll_fn(|cx| {
            let mut all_done = true;
            $(
                if $o.is_none() {
                    match ::core::future::Future::poll($f.as_mut(), cx) {
                        ::core::task::Poll::Ready(v) => $o = ::core::option::Option::Some(v),
                        ::core::task::Poll::Pending => all_done = false,
                    }
                }
            )*
            if !all_done {
                return ::core::task::Poll::Pending;
            }
            ::core::task::Poll::Ready(($(
                match $o.take() {
                    ::core::option::Option::Some(v) => v,
                    ::core::option::Option::None => {
                        ::core::panic!("gather! polled after completion")
                    }
                },
            )*))
        })
        .await
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_gather_is_ready_at_once() {
        let mut g = gather(Vec::<std::future::Ready<u8>>::new());
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(Pin::new(&mut g).poll(&mut cx), Poll::Ready(vec![]));
    }

    #[test]
    fn double_wake_queues_once() {
        let mut g = gather([std::future::pending::<()>(), std::future::pending()]);
        let mut cx = Context::from_waker(Waker::noop());
        assert!(Pin::new(&mut g).poll(&mut cx).is_pending());
        g.core.wakers[1].wake_by_ref();
        g.core.wakers[1].wake_by_ref();
        assert_eq!(g.core.ready_set.lock().queue, vec![1]);
    }
}
