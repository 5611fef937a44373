//! Creating a thread: [`spawn`], [`Builder`] and the spawn-site names.
//!
//! Every task thread is made by `std::thread::Builder`, which calls
//! `pthread_create`; the task's closure is wrapped so that its panic is
//! caught (`catch_unwind`) and its result, value or panic, is put in the
//! join slot (see [`JoinHandle`]).
//!
//! A thread with no explicit name is named after the line that spawned it
//! ([`site_name`]), so `ps -L`, gdb's `info threads` and
//! `/proc/PID/task/*/comm` tell where it came from.

use std::io;
use std::panic::Location;

use super::join::{self, JoinHandle};
use super::stats::{self, LiveThread};

/// Linux keeps at most this many bytes of a thread name (`TASK_COMM_LEN`
/// is 16, counting the NUL).
pub const MAX_COMM_LEN: usize = 15;

/// The name given to a thread spawned at `location` without a name.
///
/// `t:FILE:LINE`, FILE without its directories; if that is longer than
/// Linux's 15-byte limit the `.rs` is dropped, and if it is still too long
/// the file name is cut from the left and marked with `~`, so the line
/// number always survives.
///
/// ```
/// use runtime::threaded::site_name;
///
/// let here = std::panic::Location::caller();
/// let name = site_name(here);
/// assert!(name.len() <= 15);
/// assert!(name.ends_with(&format!(":{}", here.line())));
/// ```
pub fn site_name(location: &Location<'_>) -> String {
    name_from(location.file(), location.line())
}

fn name_from(file: &str, line: u32) -> String {
    let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let full = format!("t:{base}:{line}");
    if full.len() <= MAX_COMM_LEN {
        return full;
    }
    let stem = base.strip_suffix(".rs").unwrap_or(base);
    let short = format!("t:{stem}:{line}");
    if short.len() <= MAX_COMM_LEN {
        return short;
    }
    let tail = format!("{stem}:{line}");
    let keep = MAX_COMM_LEN - "t:~".len();
    // Cut at a char boundary at or after `len - keep`.
    let mut start = tail.len().saturating_sub(keep);
    while !tail.is_char_boundary(start) {
        start += 1;
    }
    format!("t:~{}", &tail[start..])
}

/// Runs `f` on a new OS thread and returns a handle to join it.
///
/// The thread is named after the caller's file and line (see
/// [`site_name`]) and gets the default stack size (2 MiB unless
/// `RUST_MIN_STACK` says otherwise). A panic in `f` is caught and returned
/// by [`JoinHandle::join`] as a [`JoinError`](crate::threaded::JoinError).
///
/// # Panics
///
/// Panics if the OS refuses to create the thread (out of memory for the
/// stack, `ulimit -u` or `/proc/sys/kernel/threads-max` reached); use
/// [`Builder::spawn`] to get that error as an `io::Error` instead.
///
/// ```
/// use runtime::threaded;
///
/// let handle = threaded::spawn(|| std::thread::current().name().map(str::to_owned));
/// let name = handle.join().unwrap().unwrap();
/// assert!(name.starts_with("t:"), "{name}");
/// ```
#[track_caller]
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let location = Location::caller();
    match spawn_task(None, None, location, f) {
        Ok(handle) => handle,
        Err(err) => panic!(
            "threaded::spawn at {location}: the OS could not create a thread: {err} \
             (thread limit or memory for the stack exhausted?)"
        ),
    }
}

/// Configures a thread before spawning it: its name and its stack size.
///
/// ```
/// use runtime::threaded::Builder;
///
/// let handle = Builder::new()
///     .name("worker-1")
///     .stack_size(256 * 1024)
///     .spawn(|| std::thread::current().name().map(str::to_owned))?;
/// assert_eq!(handle.join().unwrap().as_deref(), Some("worker-1"));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Builder {
    name: Option<String>,
    stack_size: Option<usize>,
}

impl Builder {
    /// A builder with no name (the spawn site will be used) and the default
    /// stack size.
    pub fn new() -> Self {
        Builder::default()
    }

    /// Names the thread. `std::thread::current().name()` sees the whole
    /// name; the kernel (`comm`, what `ps` and gdb show) keeps only the
    /// first 15 bytes.
    pub fn name(mut self, n: impl Into<String>) -> Self {
        self.name = Some(n.into());
        self
    }

    /// Sets the stack size in bytes: the size of the `mmap` reservation
    /// for the stack (rounded up to whole pages, plus a guard page). Only
    /// the pages the thread touches become resident.
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = Some(bytes);
        self
    }

    /// Spawns the thread, returning the OS error if it cannot be created.
    ///
    /// # Errors
    ///
    /// - `InvalidInput` if the name contains a NUL byte;
    /// - the error of `pthread_create`: `EAGAIN` ("Resource temporarily
    ///   unavailable") when the stack cannot be mapped (an absurd
    ///   [`Builder::stack_size`] such as `usize::MAX / 2`) or a thread limit
    ///   is reached, `EINVAL` for a size that overflows when rounded up to
    ///   whole pages (`usize::MAX`).
    ///
    /// ```
    /// use runtime::threaded::Builder;
    ///
    /// let result = Builder::new().stack_size(usize::MAX / 2).spawn(|| ());
    /// assert!(result.is_err());
    /// ```
    #[track_caller]
    pub fn spawn<F, T>(self, f: F) -> io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        spawn_task(self.name, self.stack_size, Location::caller(), f)
    }
}

/// Spawns a task thread: the slot, the accounting and the panic catching.
pub(crate) fn spawn_task<F, T>(
    name: Option<String>,
    stack_size: Option<usize>,
    location: &'static Location<'static>,
    f: F,
) -> io::Result<JoinHandle<T>>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let name = name.unwrap_or_else(|| site_name(location));
    let (completer, mut handle) = join::pair(Some(name.clone()), location);
    let flow = super::trace::spawning(&name);
    let thread = spawn_os_thread_traced(name, stack_size, flow, move || {
        completer.run(f);
    })?;
    handle.set_thread(thread);
    Ok(handle)
}

/// Creates one OS thread of this module (a task or a pool worker) and
/// keeps the counters: `live` from just before `pthread_create` until the
/// thread's closure returns, `spawned` once creation succeeded.
pub(crate) fn spawn_os_thread(
    name: String,
    stack_size: Option<usize>,
    main: impl FnOnce() + Send + 'static,
) -> io::Result<std::thread::JoinHandle<()>> {
    let flow = super::trace::spawning(&name);
    spawn_os_thread_traced(name, stack_size, flow, main)
}

/// [`spawn_os_thread`] with the trace's flow id already taken.
fn spawn_os_thread_traced(
    name: String,
    stack_size: Option<usize>,
    flow: u64,
    main: impl FnOnce() + Send + 'static,
) -> io::Result<std::thread::JoinHandle<()>> {
    if name.contains('\0') {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "thread name may not contain a NUL byte",
        ));
    }
    let mut builder = std::thread::Builder::new().name(name.clone());
    if let Some(bytes) = stack_size {
        builder = builder.stack_size(bytes);
    }
    let live = LiveThread::enter();
    let record_name = name.clone();
    // On failure std drops the closure unrun, and `live` with it.
    let thread = builder.spawn(move || {
        let _live = live;
        // What a debugger lists (`info threaded-tasks`), until the end.
        let _record = super::debug::Registered::new(&record_name);
        super::trace::thread_start(flow);
        main();
        super::trace::thread_end();
    })?;
    stats::record_spawn();
    Ok(thread)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_site_names_are_kept_whole() {
        assert_eq!(name_from("demos/src/main.rs", 42), "t:main.rs:42");
        assert_eq!(name_from("tests/threaded.rs", 7), "t:threaded.rs:7");
    }

    #[test]
    fn long_site_names_lose_the_extension_then_the_left() {
        assert_eq!(name_from("tests/threaded.rs", 123), "t:threaded:123");
        assert_eq!(name_from("src/threaded/semaphore.rs", 12), "t:semaphore:12");
        assert_eq!(
            name_from("src/threaded/semaphores.rs", 123),
            "t:~maphores:123"
        );
        assert_eq!(
            name_from("a/b/very_long_module_name.rs", 4_000_000_000),
            "t:~e:4000000000"
        );
        // A cut inside a two-byte char moves right to the next boundary.
        assert_eq!(name_from("src/éééééééé.rs", 12), "t:~éééé:12");
    }

    #[test]
    fn site_names_fit_and_keep_the_line() {
        let here = Location::caller();
        let name = site_name(here);
        assert!(name.len() <= MAX_COMM_LEN, "{name}");
        assert!(name.ends_with(&format!(":{}", here.line())), "{name}");
        assert!(name.starts_with("t:"), "{name}");
    }
}
