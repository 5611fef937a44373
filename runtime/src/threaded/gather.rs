//! [`gather`]: run closures on one thread each, collect results in order.

use std::panic::{self, Location};

use super::builder::spawn_task;
use super::join::JoinHandle;

/// Runs every closure on its own thread, all at once, and returns their
/// results in input order; the thread-per-task counterpart of the event
/// loop's `gather` (and of `asyncio.gather`).
///
/// Every thread is named after the caller's line (see
/// [`site_name`](super::site_name)).
///
/// # Panics
///
/// If a task panics, its panic is re-raised here with
/// [`std::panic::resume_unwind`], but only after every thread has been
/// joined, so no task is left running behind the caller's back. If several
/// panic, the first in input order is re-raised. Also panics, after joining
/// the threads already started, if the OS cannot create a thread.
///
/// ```
/// use runtime::threaded;
///
/// let lengths = threaded::gather(["a", "bb", "ccc"].map(|s| move || s.len()));
/// assert_eq!(lengths, [1, 2, 3]);
/// ```
#[track_caller]
pub fn gather<I, F, T>(tasks: I) -> Vec<T>
where
    I: IntoIterator<Item = F>,
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let location = Location::caller();
    let mut handles: Vec<JoinHandle<T>> = Vec::new();
    let mut spawn_error = None;
    for task in tasks {
        match spawn_task(None, None, location, task) {
            Ok(handle) => handles.push(handle),
            Err(err) => {
                spawn_error = Some(err);
                break;
            }
        }
    }

    let started = handles.len();
    let mut results = Vec::with_capacity(started);
    let mut first_failure = None;
    for handle in handles {
        match handle.join() {
            Ok(value) => results.push(value),
            Err(err) => {
                if first_failure.is_none() {
                    first_failure = Some(err);
                }
            }
        }
    }

    // Every thread has been joined: now report.
    if let Some(err) = spawn_error {
        panic!(
            "threaded::gather at {location}: the OS could not create a thread: {err} \
             (after {started} threads)"
        );
    }
    if let Some(err) = first_failure {
        match err.try_into_panic() {
            Ok(payload) => panic::resume_unwind(payload),
            Err(err) => panic!("threaded::gather at {location}: {err}"),
        }
    }
    results
}
