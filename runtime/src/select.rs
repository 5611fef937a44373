//! Waiting for the first of several futures inside one task: the
//! [`select!`](crate::select!) macro, tokio's `select!` for this runtime.
//!
//! The macro itself is parsed and expanded by `runtime-macros`
//! (`macros/src/select/`: why a proc macro is explained there); this file
//! holds the `macro_rules!` front that users call, its documentation, and
//! the one piece of run-time support the expansion calls: [`start`], which
//! picks the branch polled first.
//!
//! # Where the randomness comes from
//!
//! Without `biased;`, each poll of a `select!` starts at a pseudo-random
//! branch and goes round, so that a branch that is always ready cannot
//! starve the ones after it (tokio does the same, from a thread-local
//! generator). Here it is a thread-local xorshift64* generator (the
//! runtime's one, `xorshift.rs`) that restarts whenever a different runtime
//! is running on the thread than at its previous use (one thread-local read
//! to tell, through `context::with_current`): from a fixed state, or, for a
//! runtime with a `Builder::seed` (or `#[runtime::test(seed = N)]`, or
//! `RUNTIME_SEED`), from that seed. So a program's choices are a function
//! of its own run, never of what ran before on the thread or of the clock:
//! the same program on a fresh runtime makes the same choices, one seed
//! replays a failing schedule with its `select!` choices, and another seed
//! explores other choices as well as another order of polls.
//! Outside a runtime (a `select!` under `futures::executor::block_on`) the
//! stream simply continues from the thread's last use.

use std::cell::Cell;

use crate::context;
use crate::handle::RuntimeId;
use crate::inspect::framed;
use crate::scheduler::FiledWait;
use crate::xorshift::XorShift;

/// Mixed into a seed so that `select!`'s stream is not the run queue's
/// (whose generator starts from the seed itself).
const SELECT_STREAM: u64 = 0x5E1E_C7A2_3B9D_41F7;

/// One thread's stream of starts, and the runtime it belongs to.
#[derive(Clone, Copy)]
struct Stream {
    /// The runtime running when the stream was last used; `None` outside
    /// any runtime.
    runtime: Option<RuntimeId>,
    rng: XorShift,
}

impl Stream {
    /// The stream at the start of a runtime: from a fixed state, or from
    /// the runtime's seed when it has one.
    const fn start(runtime: Option<RuntimeId>, seed: Option<u64>) -> Stream {
        let rng = match seed {
            Some(seed) => XorShift::new(seed ^ SELECT_STREAM),
            None => XorShift::new(0),
        };
        Stream { runtime, rng }
    }
}

thread_local! {
    static STREAM: Cell<Stream> = const { Cell::new(Stream::start(None, None)) };
}

/// The branch a `select!` of `branches` branches polls first this time: a
/// pseudo-random number in `0..branches` (see the module doc).
///
/// Called by the expansion of [`select!`](crate::select!); not part of the
/// API.
#[doc(hidden)]
pub fn start(branches: u32) -> u32 {
    let (runtime, seed) = context::with_current(|sched| (sched.id(), sched.seed()))
        .map_or((None, None), |(id, seed)| (Some(id), seed));
    let draw = STREAM
        .try_with(|cell| {
            let mut stream = cell.get();
            if stream.runtime != runtime {
                stream = Stream::start(runtime, seed);
            }
            let draw = stream.rng.next();
            cell.set(stream);
            draw
        })
        // A `select!` in a thread-local's destructor: start at the first
        // branch (still correct, only not shuffled).
        .unwrap_or(0);
    // The high 32 bits (xorshift*'s best), scaled into `0..branches`
    // without the bias of `%`: `hi * branches < 2^32 * branches`.
    (((draw >> 32) * u64::from(branches)) >> 32) as u32
}

/// What the task being polled had filed as its wait (`inspect`) when a
/// poll of a `select!` began; put back with [`Waits::restore`] when that
/// poll decides the `select!`. The branches polled before the winner may
/// have filed "waits on a timer" (and their await site and frame); they
/// are dropped, so the task no longer waits on them, and a later wait on a
/// future that files nothing (std's `pending`, a foreign channel) must not
/// be shown as that timer. What was filed before, outside the `select!`,
/// is still true and stays.
///
/// Called by the expansion of [`select!`](crate::select!), within one poll
/// (never held across one); not part of the API.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct Waits {
    filed: Option<FiledWait>,
    /// `inspect::framed::drops()` when taken: the filed frame is followed
    /// by dumps, so it is put back only if no frame was dropped since.
    frame_drops: u64,
}

impl Waits {
    /// The wait filed so far in this poll (nothing outside a runtime).
    #[doc(hidden)]
    pub fn filed() -> Waits {
        Waits {
            filed: context::with_current(|sched| sched.filed_wait()),
            frame_drops: framed::drops(),
        }
    }

    /// Puts it back, discarding what was filed since.
    #[doc(hidden)]
    pub fn restore(self) {
        if let Some(wait) = self.filed {
            let frame_alive = framed::drops() == self.frame_drops;
            context::with_current(|sched| sched.refile_wait(wait, frame_alive));
        }
    }
}

/// Waits on several futures at once in the current task and runs the
/// handler of the first to complete with an output that matches its
/// pattern; the other futures are dropped. tokio's `select!`, with the
/// same syntax and semantics.
///
/// ```text
/// runtime::select! {
///     biased;                                                  // optional: poll in order
///     <pattern> = <async expression> (, if <precondition>)? => <handler>,
///     ...
///     else => <expression>                                     // optional, last
/// }
/// ```
///
/// Use it inside `async` code: it is an expression whose value is the
/// handler's. Step by step, each time the `select!` is reached:
///
/// 1. Every `<precondition>` is evaluated, in order; a branch whose
///    precondition is `false` is **disabled** for this `select!`.
/// 2. Every `<async expression>` is evaluated, in order, disabled branches'
///    too, and turned into a future (`IntoFuture`, so `&mut fut` of an
///    `Unpin` future, a `JoinHandle` or an `async` block all work). The
///    futures are pinned on the stack: no allocation.
/// 3. The futures are polled together in the current task: each poll of the
///    task polls every enabled future once, starting from a pseudo-random
///    branch (fairness: a future that is always ready cannot starve the
///    others), or from the first with `biased;`.
/// 4. When a future completes, its branch is disabled. If the output
///    matches its `<pattern>`, the `select!` is decided; if not (say
///    `Some(v) = rx.recv()` when the channel is closed and gives `None`), the
///    remaining branches go on.
/// 5. Every future is dropped, then the winner's `<handler>` runs with the
///    pattern's bindings. The handler is ordinary code of the enclosing
///    function, outside any closure or loop of the macro: `?`, `return`,
///    `break`, `continue` and `.await` in it act on the code around the
///    `select!`, and it may use what the futures borrowed.
/// 6. If every branch is disabled, the `else` expression runs; without an
///    `else` the `select!` panics ("all branches are disabled and there is
///    no `else` branch"), as tokio's does.
///
/// A handler that is a `{ block }` may leave out its trailing comma; any
/// other handler needs one unless it is the last. At most 64 branches (the
/// set of disabled ones is a `u64`); a mistake in the syntax is a compile
/// error at the offending tokens.
///
/// The pseudo-random start is deterministic: the same program on a fresh
/// runtime makes the same choices, also under a fixed `Builder::seed`
/// (the module doc of `runtime/src/select.rs` says how).
///
/// # Cancellation
///
/// The losing futures are dropped mid-way, so in a loop use futures that
/// lose nothing when dropped ("cancel-safe"): `mpsc::Receiver::recv`,
/// `sleep` and `Semaphore::acquire` are; a `read_exact` half done is not
/// (keep it outside the loop and select on `&mut` of it, or use a task).
///
/// # Example
///
/// A consumer that takes messages until the producer is gone or a second
/// passes in silence:
///
/// ```
/// use std::time::Duration;
/// use runtime::sync::mpsc;
/// use runtime::time::sleep;
///
/// let rt = runtime::Runtime::builder().paused_clock(true).build().unwrap();
/// let got = rt.block_on(async {
///     let (tx, mut rx) = mpsc::channel(8);
///     runtime::spawn(async move {
///         for i in 1..=3 {
///             sleep(Duration::from_millis(100)).await;
///             tx.send(i).await.unwrap();
///         }
///         // `tx` is dropped here: `recv` gives `None` from now on.
///     });
///     let mut got = Vec::new();
///     loop {
///         runtime::select! {
///             // A closed channel gives `None`: no match, branch disabled,
///             // and the sleep decides.
///             Some(v) = rx.recv() => got.push(v),
///             _ = sleep(Duration::from_secs(1)) => break,
///         }
///     }
///     got
/// });
/// assert_eq!(got, [1, 2, 3]);
/// ```
///
/// `else` instead of a panic when nothing can match, and a precondition:
///
/// ```
/// runtime::block_on(async {
///     let (done_a, done_b) = (true, true);
///     let which = runtime::select! {
///         v = async { 1 }, if !done_a => v,
///         v = async { 2 }, if !done_b => v,
///         else => 0,
///     };
///     assert_eq!(which, 0);
/// });
/// ```
///
/// `else` must come last:
///
/// ```compile_fail
/// runtime::block_on(async {
///     runtime::select! {
///         else => 0,
///         v = async { 1 } => v,
///     }
/// });
/// ```
#[macro_export]
macro_rules! select {
    ($($branches:tt)*) => {
        $crate::__private::select::select_internal! { $crate; $($branches)* }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_stay_in_range_and_cover_it() {
        // Interpreted, 50,000 draws take most of a minute; 2,000 per size
        // still cover 64 starts (about 31 draws each).
        let draws = if cfg!(miri) { 2_000 } else { 10_000 };
        for branches in [1u32, 2, 3, 7, 64] {
            let mut seen = vec![0u32; branches as usize];
            for _ in 0..draws {
                let s = start(branches);
                assert!(s < branches, "start {s} of {branches}");
                seen[s as usize] += 1;
            }
            assert!(
                seen.iter().all(|&n| n > 0),
                "{branches} branches: every start comes up: {seen:?}"
            );
        }
    }

    #[test]
    fn a_new_runtime_restarts_the_stream() {
        let draws = || {
            let rt = crate::Runtime::new().expect("a runtime");
            rt.block_on(async { (0..32).map(|_| start(1 << 20)).collect::<Vec<_>>() })
        };
        let first = draws();
        start(5); // outside a runtime: its own stream
        assert_eq!(first, draws());
    }
}
