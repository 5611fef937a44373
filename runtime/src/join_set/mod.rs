//! [`JoinSet`]: a set of spawned tasks, joined in the order they finish
//! (tokio's `task::JoinSet`).
//!
//! A set is a slab of `JoinHandle`s, each with its own waker from the ready
//! list (`ready.rs`): a task that finishes wakes its entry's waker, which
//! files the entry and wakes the task awaiting [`JoinSet::join_next`]; that
//! one polls the filed entries only. Nothing here is new machinery of the
//! loop: a set is `spawn` plus the public `JoinHandle` (poll, `abort`, drop
//! to detach), held many at a time.

mod ready;
#[cfg(test)]
mod tests;

use std::fmt;
use std::future::Future;
use std::panic::{Location, resume_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use crate::handle::RuntimeId;
use crate::inspect::WaitReason;
use crate::task::{JoinError, JoinHandle};
use ready::ReadyList;

/// A set of tasks spawned on the event loop, awaited in the order they
/// finish.
///
/// [`spawn`](JoinSet::spawn) starts a task at once (as [`spawn`](crate::spawn)
/// does) and keeps its handle in the set; [`join_next`](JoinSet::join_next)
/// waits for whichever task of the set finishes first and gives its output.
/// All tasks have the same output type `T`.
///
/// **Dropping the set aborts every task still in it** (their futures are
/// dropped at their next scheduling point), as tokio's does; to let them run
/// on, [`detach_all`](JoinSet::detach_all) first.
///
/// ```
/// use std::time::Duration;
/// use runtime::JoinSet;
/// use runtime::time::sleep;
///
/// let rt = runtime::Runtime::builder().paused_clock(true).build().unwrap();
/// let finished = rt.block_on(async {
///     let mut set = JoinSet::new();
///     for (name, ms) in [("slow", 30), ("fast", 10), ("middle", 20)] {
///         set.spawn(async move {
///             sleep(Duration::from_millis(ms)).await;
///             name
///         });
///     }
///     let mut finished = Vec::new();
///     while let Some(joined) = set.join_next().await {
///         finished.push(joined.unwrap());
///     }
///     finished
/// });
/// // In the order they finished, not the order they were spawned.
/// assert_eq!(finished, ["fast", "middle", "slow"]);
/// ```
///
/// Cost: a `join_next` polls only the handles of tasks that finished (or
/// were added) since the last one, so joining `n` tasks costs `O(n)` handle
/// polls in all, however they interleave. The set is `Send` when `T` is (as
/// a `JoinHandle`); joining needs the thread running the tasks' runtime.
pub struct JoinSet<T> {
    /// The entries; a slot's handle is `None` when the slot is free.
    slots: Vec<Slot<T>>,
    /// Free slots, reused before the slab grows.
    free: Vec<usize>,
    /// How many slots hold a handle.
    len: usize,
    /// Entries to poll: woken since the last look, or new.
    ready: Arc<ReadyList>,
    /// `JoinHandle` polls made so far (unit tests check they stay linear).
    handle_polls: u64,
    /// The runtime the set's tasks were spawned on; `None` when empty.
    runtime: Option<RuntimeId>,
    /// The set holds tasks of more than one runtime (it outlived one, and
    /// was used in the next).
    mixed: bool,
}

/// One entry: a task's handle and the waker it is polled with.
struct Slot<T> {
    handle: Option<JoinHandle<T>>,
    /// Files this slot's index on the ready list; kept when the slot is
    /// reused (the index is the same).
    waker: Waker,
}

impl<T> JoinSet<T> {
    /// An empty set. It allocates nothing until a task is added.
    pub fn new() -> JoinSet<T> {
        JoinSet {
            slots: Vec::new(),
            free: Vec::new(),
            len: 0,
            ready: ReadyList::new(),
            handle_polls: 0,
            runtime: None,
            mixed: false,
        }
    }

    /// How many tasks are in the set: running, or finished and not joined
    /// yet.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the set holds no task.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a spawned task's handle, filed for its first poll.
    fn insert(&mut self, handle: JoinHandle<T>) {
        let index = match self.free.pop() {
            Some(index) => {
                self.slots[index].handle = Some(handle);
                index
            }
            None => {
                let index = self.slots.len();
                let waker = self.ready.waker(index);
                self.slots.push(Slot {
                    handle: Some(handle),
                    waker,
                });
                index
            }
        };
        self.len += 1;
        self.ready.push_new(index);
        // `insert` follows a spawn, which succeeded: a runtime runs here.
        let here = crate::context::with_current(|sched| sched.id());
        match self.runtime {
            None => self.runtime = here,
            Some(rt) => self.mixed |= here != Some(rt),
        }
    }

    /// Waits for the next task of the set to finish and gives its output
    /// (`Ok`), or the [`JoinError`] of a task that panicked or was aborted.
    /// `None` once the set is empty. Once the tasks' runtime was dropped
    /// (the set outlived it), each task left joins as a cancelled
    /// [`JoinError`], as its `JoinHandle` would.
    ///
    /// Tasks come out in the order they finished (as far as the loop saw:
    /// two tasks that finish in the same turn come out in the order their
    /// wakes were filed).
    ///
    /// **Cancel safe**: a `JoinNext` dropped before it completes (a lost
    /// `select`, a `timeout`) has taken no task out of the set; the output
    /// waits for the next call.
    ///
    /// `#[track_caller]`: the caller's line is the await site that task dumps
    /// and the debugger show for the joining task ("join of any of 3 tasks
    /// (JoinSet) at src/x.rs:12:9").
    #[track_caller]
    pub fn join_next(&mut self) -> JoinNext<'_, T> {
        JoinNext {
            set: self,
            at: Location::caller(),
        }
    }

    /// The output of a task of the set that has finished, without waiting:
    /// `None` if none has finished since the last look (or the set is
    /// empty). A task that finished is seen once its wake was filed, which
    /// the loop does when the task finishes.
    ///
    /// # Panics
    /// On a thread that is not running the tasks' runtime (as polling a
    /// `JoinHandle` does).
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        self.poll_filed()
    }

    /// [`join_next`](JoinSet::join_next) as a poll function, for a
    /// hand-written `Future`: `Ready(None)` when the set is empty; `Pending`
    /// with `cx`'s waker filed to be woken when a task finishes.
    #[track_caller]
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        self.poll_join_next_at(cx, Location::caller())
    }

    fn poll_join_next_at(
        &mut self,
        cx: &mut Context<'_>,
        at: &'static Location<'static>,
    ) -> Poll<Option<Result<T, JoinError>>> {
        if self.is_empty() {
            return Poll::Ready(None);
        }
        // Before the list is read: a task that finishes after the last pop
        // below finds the waiter filed, and wakes it.
        self.ready.set_waiter(cx.waker());
        match self.poll_filed() {
            Some(joined) => Poll::Ready(Some(joined)),
            None => {
                let tasks = self.len as u64;
                crate::inspect::note_at(WaitReason::JoinSet { tasks }, at);
                Poll::Pending
            }
        }
    }

    /// Polls the filed entries, oldest first, until one gives its output;
    /// `None` when the list runs dry first. An entry whose handle is still
    /// pending has its waker in the task table again (the poll put it
    /// there), so it is filed again when its task finishes.
    ///
    /// Off the tasks' runtime (it was dropped, and its task table with the
    /// entries' wakers, unwoken; or it runs on another thread) nothing
    /// would ever file an entry: then every entry is filed and polled, and
    /// each handle gives a cancelled error (runtime gone) or panics (runtime
    /// elsewhere), as a `JoinHandle` awaited there does. A set holding tasks
    /// of two runtimes takes this path on every dry look (a rare case: it
    /// costs a poll of every handle, not a hang).
    fn poll_filed(&mut self) -> Option<Result<T, JoinError>> {
        if let Some(joined) = self.poll_ready_list() {
            return Some(joined);
        }
        let on_own_runtime =
            !self.mixed && self.runtime.is_some_and(|rt| rt.with(|_| ()).is_some());
        if self.len == 0 || on_own_runtime {
            return None;
        }
        for (index, slot) in self.slots.iter().enumerate() {
            if slot.handle.is_some() {
                self.ready.push_new(index);
            }
        }
        self.poll_ready_list()
    }

    /// `poll_filed`'s walk of the ready list.
    fn poll_ready_list(&mut self) -> Option<Result<T, JoinError>> {
        while let Some(index) = self.ready.pop() {
            // A late wake of a slot that was emptied (or dropped by
            // `detach_all`) is skipped.
            let Some(slot) = self.slots.get_mut(index) else {
                continue;
            };
            let Some(handle) = slot.handle.as_mut() else {
                continue;
            };
            self.handle_polls += 1;
            let mut cx = Context::from_waker(&slot.waker);
            if let Poll::Ready(joined) = Pin::new(handle).poll(&mut cx) {
                slot.handle = None;
                self.free.push(index);
                self.len -= 1;
                if self.len == 0 {
                    (self.runtime, self.mixed) = (None, false);
                }
                return Some(joined);
            }
        }
        None
    }

    /// Asks every task of the set to be cancelled
    /// ([`JoinHandle::abort`]). They stay in the set: joining them gives a
    /// [`JoinError`] with [`is_cancelled`](JoinError::is_cancelled), or the
    /// output of a task that had already finished.
    pub fn abort_all(&mut self) {
        for handle in self.slots.iter().filter_map(|slot| slot.handle.as_ref()) {
            handle.abort();
        }
    }

    /// Empties the set without cancelling anything: each task runs on, and
    /// its output is dropped when it finishes (as dropping its
    /// `JoinHandle` does).
    pub fn detach_all(&mut self) {
        // Dropping each handle detaches its task.
        self.slots.clear();
        self.free.clear();
        self.len = 0;
        (self.runtime, self.mixed) = (None, false);
        self.ready.clear();
    }

    /// Aborts every task of the set and waits until all have finished; the
    /// set is then empty. Their outputs and errors are dropped.
    ///
    /// Waiting matters: an aborted task's future is dropped at its next
    /// scheduling point, not during `abort_all`; once `shutdown` returns,
    /// every destructor of the set's tasks has run.
    #[track_caller]
    pub fn shutdown(&mut self) -> impl Future<Output = ()> + '_ {
        let at = Location::caller();
        async move {
            self.abort_all();
            while (JoinNext { set: self, at }).await.is_some() {}
        }
    }

    /// Waits for every task of the set and returns their outputs, in the
    /// order they finished.
    ///
    /// # Panics
    /// As tokio's: if a task panicked, its panic is resumed here (with its
    /// payload, [`resume_unwind`]); if a task was cancelled, this panics with
    /// the [`JoinError`]. Either way the set is dropped on the way out, which
    /// aborts every task still in it. To keep the errors, loop on
    /// [`join_next`](JoinSet::join_next) instead.
    #[track_caller]
    pub fn join_all(mut self) -> impl Future<Output = Vec<T>> {
        let at = Location::caller();
        async move {
            let mut outputs = Vec::with_capacity(self.len());
            while let Some(joined) = (JoinNext { set: &mut self, at }).await {
                match joined {
                    Ok(output) => outputs.push(output),
                    Err(e) if e.is_panic() => resume_unwind(e.into_panic()),
                    Err(e) => panic!("JoinSet::join_all: {e}"),
                }
            }
            outputs
        }
    }
}

impl<T: 'static> JoinSet<T> {
    /// Spawns `future` as a new task on the runtime running on this thread
    /// (as [`spawn`](crate::spawn)) and adds it to the set. It starts at
    /// once, whether or not the set is ever awaited.
    ///
    /// `#[track_caller]`: the task's spawn site, in dumps and the debugger,
    /// is the caller's line.
    ///
    /// # Panics
    /// Outside a runtime (not inside `block_on` or a task it runs).
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F)
    where
        F: Future<Output = T> + 'static,
    {
        self.insert(crate::spawn(future));
    }

    /// Runs `f` on the blocking pool (as
    /// [`spawn_blocking`](crate::spawn_blocking)) and adds its task to the
    /// set. Aborting it does not stop a job that already runs (the pool
    /// finishes it and drops the result); joining gives a cancelled error.
    ///
    /// # Panics
    /// Outside a runtime.
    #[track_caller]
    pub fn spawn_blocking<F>(&mut self, f: F)
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send,
    {
        self.insert(crate::spawn_blocking(f));
    }
}

impl<T> Drop for JoinSet<T> {
    /// Aborts every task still in the set, then detaches it: its future is
    /// dropped at its next scheduling point, and nobody waits for that.
    fn drop(&mut self) {
        self.abort_all();
        self.detach_all();
    }
}

impl<T> Default for JoinSet<T> {
    fn default() -> JoinSet<T> {
        JoinSet::new()
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len).finish()
    }
}

impl<T, F> Extend<F> for JoinSet<T>
where
    F: Future<Output = T> + 'static,
    T: 'static,
{
    /// Spawns each future into the set; the spawn site of each task is the
    /// caller of `extend`.
    #[track_caller]
    fn extend<I: IntoIterator<Item = F>>(&mut self, futures: I) {
        for future in futures {
            // Not in a closure: a `#[track_caller]` call in this body passes
            // our caller's location on.
            self.spawn(future);
        }
    }
}

impl<T, F> FromIterator<F> for JoinSet<T>
where
    F: Future<Output = T> + 'static,
    T: 'static,
{
    /// Spawns each future into a new set. Through `collect`, the spawn site
    /// recorded is `collect`'s own (in `core`), not the caller's line: to
    /// keep it, use `extend` or `spawn`.
    #[track_caller]
    fn from_iter<I: IntoIterator<Item = F>>(futures: I) -> JoinSet<T> {
        let mut set = JoinSet::new();
        set.extend(futures);
        set
    }
}

/// The future returned by [`JoinSet::join_next`].
#[must_use = "futures do nothing unless polled"]
pub struct JoinNext<'a, T> {
    set: &'a mut JoinSet<T>,
    /// The caller of `join_next`: the await site noted while it waits.
    at: &'static Location<'static>,
}

impl<T> Future for JoinNext<'_, T> {
    type Output = Option<Result<T, JoinError>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.set.poll_join_next_at(cx, this.at)
    }
}

impl<T> fmt::Debug for JoinNext<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinNext")
            .field("len", &self.set.len)
            .finish()
    }
}
