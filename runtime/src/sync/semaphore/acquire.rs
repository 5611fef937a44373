//! The acquire futures: [`Acquire`] (one permit, infallible), [`AcquireMany`]
//! (`n` permits, fails on a closed semaphore) and [`AcquireOwned`] (the same,
//! holding the semaphore through a shared handle). All three drive one
//! [`Waiter`], the state machine that queues, collects and gives back.

use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::panic::Location;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::{AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit};

/// One request for `wanted` permits: not yet polled, queued under a key, or
/// finished.
///
/// ```text
///  Init ──enough free──────────────────────────────▶ Done (Ok)
///   │ └──closed────────────────────────────────────▶ Done (Err)
///   └─not enough: take the free ones, queue ─▶ Queued(key)
///        Queued ──node unlinked, lacks 0 (granted)──▶ Done (Ok)
///        Queued ──node unlinked, lacks > 0 (closed)─▶ Done (Err), gives back
///        Queued ──dropped──────────────────────────▶ gives back wanted − lacks
/// ```
///
/// The number wanted is not stored here but passed to each call: for
/// [`Acquire`] it is the constant 1, which the inlined `poll` folds away.
#[derive(Debug)]
pub(super) struct Waiter {
    state: State,
    /// Where the acquire was called (`#[track_caller]`): the task's await
    /// site in dumps and the debugger while it waits (`inspect::note_at`).
    at: &'static Location<'static>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Not polled yet.
    Init,
    /// Queued under this key (or granted/closed, once the node is unlinked).
    Queued(usize),
    /// Returned its result.
    Done,
}

impl Waiter {
    #[track_caller]
    pub(super) fn new() -> Self {
        Waiter {
            state: State::Init,
            at: Location::caller(),
        }
    }

    /// Polls the request: `Ready(Ok(()))` once the caller owns `wanted`
    /// permits of `sem`. Inlined into each future's `poll` (the semaphore
    /// benchmark pays for the extra call otherwise).
    #[inline(always)]
    pub(super) fn poll(
        &mut self,
        sem: &Semaphore,
        wanted: usize,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), AcquireError>> {
        let mut inner = sem.lock();
        match self.state {
            State::Init => {
                if inner.closed {
                    self.state = State::Done;
                    return Poll::Ready(Err(AcquireError(())));
                }
                // Free permits imply an empty queue: taking them passes
                // nobody.
                if inner.permits >= wanted {
                    inner.permits -= wanted;
                    self.state = State::Done;
                    return Poll::Ready(Ok(()));
                }
                // Take what is free now (leaving 0, so the invariant holds)
                // and queue for the rest.
                let lacks = wanted - inner.permits;
                inner.permits = 0;
                let key = inner.waiters.push_back(cx.waker().clone(), lacks);
                self.state = State::Queued(key);
                crate::inspect::note_at(crate::inspect::WaitReason::Semaphore, self.at);
                Poll::Pending
            }
            State::Queued(key) => {
                if inner.waiters.is_linked(key) {
                    inner.waiters.set_waker(key, cx.waker());
                    crate::inspect::note_at(crate::inspect::WaitReason::Semaphore, self.at);
                    return Poll::Pending;
                }
                let lacks = inner.waiters.remove_unlinked(key);
                self.state = State::Done;
                if lacks == 0 {
                    // A releaser covered the whole request.
                    return Poll::Ready(Ok(()));
                }
                // Unlinked short of its request: the semaphore was closed.
                // Give back what had been handed to us.
                drop(inner);
                sem.release(wanted - lacks);
                Poll::Ready(Err(AcquireError(())))
            }
            State::Done => panic!("a semaphore acquire future was polled after completion"),
        }
    }

    /// Leaves the queue (from a future's `Drop`), giving back every permit
    /// handed to this request so far: all of them if it had been granted
    /// but not yet collected, part of them if it was still waiting.
    ///
    /// Inlined down to one comparison: most futures are dropped after they
    /// completed, and the benchmark pays for a call and its register saves
    /// on every one of those drops otherwise.
    #[inline]
    pub(super) fn cancel(&mut self, sem: &Semaphore, wanted: usize) {
        if let State::Queued(key) = self.state {
            self.state = State::Done;
            Self::leave(sem, key, wanted);
        }
    }

    #[cold]
    #[inline(never)]
    fn leave(sem: &Semaphore, key: usize, wanted: usize) {
        let (lacks, _) = sem.lock().waiters.remove(key);
        sem.release(wanted - lacks);
    }
}

/// The future returned by [`Semaphore::acquire`]: one permit, and a panic
/// if the semaphore is closed.
#[must_use = "futures do nothing unless polled"]
pub struct Acquire<'a> {
    semaphore: &'a Semaphore,
    waiter: Waiter,
}

impl<'a> Acquire<'a> {
    #[track_caller]
    pub(super) fn new(semaphore: &'a Semaphore) -> Self {
        Acquire {
            semaphore,
            waiter: Waiter::new(),
        }
    }
}

impl<'a> Future for Acquire<'a> {
    type Output = SemaphorePermit<'a>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let semaphore = self.semaphore;
        match self.waiter.poll(semaphore, 1, cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(())) => Poll::Ready(SemaphorePermit::new(semaphore, 1)),
            Poll::Ready(Err(_)) => panic!(
                "Semaphore::acquire: the semaphore is closed; \
                 use Semaphore::acquire_checked to get an AcquireError instead"
            ),
        }
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        self.waiter.cancel(self.semaphore, 1);
    }
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("state", &self.waiter.state)
            .finish_non_exhaustive()
    }
}

/// The future returned by [`Semaphore::acquire_many`] and
/// [`Semaphore::acquire_checked`].
#[must_use = "futures do nothing unless polled"]
pub struct AcquireMany<'a> {
    semaphore: &'a Semaphore,
    wanted: usize,
    waiter: Waiter,
}

impl<'a> AcquireMany<'a> {
    #[track_caller]
    pub(super) fn new(semaphore: &'a Semaphore, wanted: usize) -> Self {
        AcquireMany {
            semaphore,
            wanted,
            waiter: Waiter::new(),
        }
    }
}

impl<'a> Future for AcquireMany<'a> {
    type Output = Result<SemaphorePermit<'a>, AcquireError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let (semaphore, wanted) = (self.semaphore, self.wanted);
        self.waiter
            .poll(semaphore, wanted, cx)
            .map_ok(|()| SemaphorePermit::new(semaphore, wanted))
    }
}

impl Drop for AcquireMany<'_> {
    fn drop(&mut self) {
        self.waiter.cancel(self.semaphore, self.wanted);
    }
}

impl fmt::Debug for AcquireMany<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcquireMany")
            .field("wanted", &self.wanted)
            .field("state", &self.waiter.state)
            .finish_non_exhaustive()
    }
}

/// The future returned by [`Semaphore::acquire_owned`] and the other owned
/// acquires: it holds the semaphore through the handle `S` (an `Arc` or an
/// `Rc`) and hands that handle to the permit.
#[must_use = "futures do nothing unless polled"]
pub struct AcquireOwned<S: Deref<Target = Semaphore> = Arc<Semaphore>> {
    /// `None` once the handle moved into the permit.
    semaphore: Option<S>,
    wanted: usize,
    waiter: Waiter,
}

// Nothing in the future is pinned: the handle is only moved out.
impl<S: Deref<Target = Semaphore>> Unpin for AcquireOwned<S> {}

impl<S: Deref<Target = Semaphore>> AcquireOwned<S> {
    #[track_caller]
    pub(super) fn new(semaphore: S, wanted: usize) -> Self {
        AcquireOwned {
            semaphore: Some(semaphore),
            wanted,
            waiter: Waiter::new(),
        }
    }
}

impl<S: Deref<Target = Semaphore>> Future for AcquireOwned<S> {
    type Output = Result<OwnedSemaphorePermit<S>, AcquireError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let Some(semaphore) = this.semaphore.as_ref() else {
            panic!("a semaphore acquire future was polled after completion");
        };
        let result = std::task::ready!(this.waiter.poll(semaphore, this.wanted, cx));
        // Completed either way: the handle leaves the future (into the
        // permit, or dropped with the error).
        let semaphore = this.semaphore.take();
        Poll::Ready(result.map(|()| match semaphore {
            Some(semaphore) => OwnedSemaphorePermit::new(semaphore, this.wanted),
            None => unreachable!("the handle was checked at the top of poll"),
        }))
    }
}

impl<S: Deref<Target = Semaphore>> Drop for AcquireOwned<S> {
    fn drop(&mut self) {
        if let Some(semaphore) = &self.semaphore {
            self.waiter.cancel(semaphore, self.wanted);
        }
    }
}

impl<S: Deref<Target = Semaphore>> fmt::Debug for AcquireOwned<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcquireOwned")
            .field("wanted", &self.wanted)
            .field("state", &self.waiter.state)
            .finish_non_exhaustive()
    }
}
