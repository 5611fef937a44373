//! A scripted mock stream: [`Builder`] writes the script, [`Mock`] plays the
//! peer, [`Handle`] adds steps while it runs.
//!
//! **Why.** Protocol code (an HTTP parser, an SMTP client, a framing layer)
//! is easiest to test against a peer that says exactly what the test wants,
//! in the pieces it wants, and that checks every byte the code sends back.
//! A real socket pair needs a second task, an address and a runtime, and a
//! wrong byte shows up as a hang or a parse error three calls later. A
//! [`Mock`] needs none of that, and fails at the wrong byte with a diff.
//!
//! **What.** A script is the peer's side of the conversation, a list of
//! steps it takes in order:
//!
//! | step | the peer | the code under test |
//! |---|---|---|
//! | [`read(b"…")`](Builder::read) | sends these bytes | reads them (one read gets at most one step's bytes: a step is one segment, and a message split over two steps tests that the code reassembles it); `read(b"")` is one end of stream |
//! | [`write(b"…")`](Builder::write) | waits to receive these bytes | must write exactly them, in one write or many (one write may also cover several write steps, as a socket takes a whole buffer) |
//! | [`read_error(e)`](Builder::read_error) | breaks the connection | its next read fails with `e` |
//! | [`write_error(e)`](Builder::write_error) | breaks the connection | its next write fails with `e` |
//! | [`wait(d)`](Builder::wait) | is silent for `d` on the runtime's clock | reads and writes that reach this step are `Pending` until then; under a paused clock that is virtual time, so a timeout fires deterministically and at once |
//!
//! When the script is over, reads return end of stream (`Ok(0)`).
//!
//! What follows from the peer's point of view:
//!
//! - a read waits (`Pending`) while the step in front is a write: the peer
//!   sends nothing more until it has received what it waits for (the read
//!   may be in another task than the write, and is woken by it);
//! - a write is matched against the next write step even when read steps
//!   before it are not read yet: those bytes were sent already, and a
//!   server answers a pipelined request before reading the next one. A
//!   wrong write's message lists the steps not read yet.
//!
//! Every write is checked at once, and the mock **panics** when the code
//! writes bytes other than the script's (the step number, both byte strings
//! escaped, a caret under the first byte that differs), or writes past the
//! script's last write step:
//!
//! ```text
//! mock stream: step 2 of 2: the code under test wrote other bytes than the script expects
//!   expected: b"PONG 8\n"
//!   written:  b"PONG 7\n"
//!                    ^ first difference: byte 5
//! ```
//!
//! Dropped with steps left, the mock panics too and lists them (unless the
//! thread is already panicking, or it was made by
//! [`build_lenient`](Builder::build_lenient)); a script may end with waits
//! the code does not sit through. Inside a task, the panic reaches the test
//! through the task's `JoinHandle`; in `block_on`'s future, it fails the test
//! directly.
//!
//! `Mock` has the same read and write methods as
//! [`TcpStream`](crate::net::TcpStream) (`read`, `read_exact`, `write`,
//! `write_all`, `shutdown`) and implements
//! [`AsyncRead`](crate::io::AsyncRead) and
//! [`AsyncWrite`](crate::io::AsyncWrite), as does `&Mock` (to read in one
//! future and write in another; `impls.rs`). A read or write on a wait step needs a runtime (it sleeps on the
//! runtime's timer); everything else works in any executor, or polled by hand
//! with [`testing::task::spawn`](crate::testing::task::spawn).
//!
//! A hung test instead of a failure means the code waits for a read the
//! script never gives (it expects a write first): run such tests on a
//! paused-clock runtime, which panics with "deadlock" and names the task
//! instead of hanging, or under [`time::timeout`](crate::time::timeout).
//!
//! # Example
//!
//! ```
//! use runtime::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
//! use runtime::testing::io::Builder;
//!
//! /// Reads a `PING <n>\n` and answers `PONG <n>\n`.
//! async fn pong<S: AsyncRead + AsyncWrite + Unpin>(io: &mut S) -> std::io::Result<()> {
//!     let mut line = Vec::new();
//!     let mut byte = [0u8; 1];
//!     while io.read(&mut byte).await? == 1 && byte[0] != b'\n' {
//!         line.push(byte[0]);
//!     }
//!     let n = line.strip_prefix(b"PING ").unwrap_or(b"?");
//!     io.write_all(&[b"PONG ", n, b"\n"].concat()).await
//! }
//!
//! // The request arrives in two segments; the reply must be exact.
//! let mut mock = Builder::new().read(b"PIN").read(b"G 7\n").write(b"PONG 7\n").build();
//! runtime::block_on(pong(&mut mock)).unwrap();
//!
//! // A wrong reply panics, and says where:
//! let mut mock = Builder::new().read(b"PING 7\n").write(b"PONG 8\n").build();
//! let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
//!     runtime::block_on(pong(&mut mock))
//! }))
//! .unwrap_err();
//! let message = panic.downcast_ref::<String>().unwrap();
//! assert_eq!(
//!     message,
//!     "mock stream: step 2 of 2: the code under test wrote other bytes than the script expects\n\
//!      \x20 expected: b\"PONG 8\\n\"\n\
//!      \x20 written:  b\"PONG 7\\n\"\n\
//!      \x20                  ^ first difference: byte 5"
//! );
//! ```

mod builder;
mod diff;
mod handle;
mod impls;
mod script;

use std::fmt;
use std::future::Future as _;
use std::io;
use std::net::Shutdown;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use crate::io::{AsyncReadExt, AsyncWriteExt};
use crate::time::Sleep;
pub use builder::Builder;
pub use handle::Handle;
use script::{Mismatch, ReadOutcome, Script, WriteOutcome};

/// A scripted peer with [`TcpStream`](crate::net::TcpStream)'s read and write
/// API; made by [`Builder`]. See the [module docs](self) for the rules.
pub struct Mock {
    shared: Arc<MockState>,
    check_on_drop: bool,
}

/// What the mock, its `&Mock`s and its handles share: the script's
/// progress behind a lock, and the mock's name.
struct MockState {
    state: Mutex<State>,
    name: Option<String>,
}

struct State {
    script: Script,
    /// The wait step being waited out (its number) and its timer, once a
    /// read or write reached it.
    sleep: Option<(usize, Sleep)>,
    /// The last reader and writer that got `Pending`: woken when a step is
    /// done, so a reader blocked on a write step runs once the write is in.
    read_waker: Option<Waker>,
    write_waker: Option<Waker>,
    /// Live `Handle`s: while any, the script may still grow.
    handles: usize,
    /// The mock panicked on a wrong write: do not panic again on drop.
    poisoned: bool,
    read_shut: bool,
    write_shut: bool,
}

impl MockState {
    /// The state, even after a panic while it was held (a mock that panicked
    /// is still dropped, and its drop must not panic a second time).
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn title(&self) -> String {
        match &self.name {
            Some(name) => format!("mock stream {name:?}"),
            None => "mock stream".to_string(),
        }
    }
}

impl State {
    /// The wakers of everyone who waited: a step was done or added.
    fn take_wakers(&mut self) -> [Option<Waker>; 2] {
        [self.read_waker.take(), self.write_waker.take()]
    }

    /// Polls wait step number `step` (starting its timer on the first
    /// poll); `Ready` once it is over and marked done.
    fn poll_wait(
        &mut self,
        title: &str,
        step: usize,
        d: Duration,
        cx: &mut Context<'_>,
    ) -> Poll<()> {
        if self.sleep.as_ref().is_none_or(|(s, _)| *s != step) {
            assert!(
                crate::context::with_current(|_| ()).is_some(),
                "{title}: a wait step ({d:?}) needs a runtime's clock: poll the mock inside \
                 block_on or a task it runs"
            );
            self.sleep = Some((step, crate::time::sleep(d)));
        }
        let Some((_, sleep)) = self.sleep.as_mut() else {
            return Poll::Pending;
        };
        if Pin::new(sleep).poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.sleep = None;
        self.script.finish_wait(step);
        Poll::Ready(())
    }
}

fn wake(wakers: [Option<Waker>; 2]) {
    for waker in wakers.into_iter().flatten() {
        waker.wake();
    }
}

impl Mock {
    /// Reads some bytes into `buf`, as [`TcpStream::read`](crate::net::TcpStream::read).
    ///
    /// # Errors
    /// A scripted read error.
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        AsyncReadExt::read(self, buf).await
    }

    /// Fills `buf`, as [`TcpStream::read_exact`](crate::net::TcpStream::read_exact).
    ///
    /// # Errors
    /// `UnexpectedEof` if the script ends first, or a scripted read error.
    pub async fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        AsyncReadExt::read_exact(self, buf).await
    }

    /// Writes some of `buf`, as [`TcpStream::write`](crate::net::TcpStream::write):
    /// as much as matches the write steps in front.
    ///
    /// # Errors
    /// A scripted write error, or `BrokenPipe` after a write shutdown.
    ///
    /// # Panics
    /// If the bytes are not the script's (see the [module docs](self)).
    pub async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        AsyncWriteExt::write(self, buf).await
    }

    /// Writes all of `buf`, as [`TcpStream::write_all`](crate::net::TcpStream::write_all).
    ///
    /// # Errors
    /// A scripted write error, or `BrokenPipe` after a write shutdown.
    ///
    /// # Panics
    /// If the bytes are not the script's (see the [module docs](self)).
    pub async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        AsyncWriteExt::write_all(self, buf).await
    }

    /// As [`TcpStream::shutdown`](crate::net::TcpStream::shutdown): after
    /// `Write` (or `Both`) a write fails with `BrokenPipe`; after `Read` (or
    /// `Both`) a read gives end of stream. Never fails.
    ///
    /// # Errors
    /// None; the `Result` is the socket's signature.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        let mut state = self.shared.lock();
        if matches!(how, Shutdown::Write | Shutdown::Both) {
            state.write_shut = true;
        }
        if matches!(how, Shutdown::Read | Shutdown::Both) {
            state.read_shut = true;
        }
        Ok(())
    }

    /// Whether every step was done (trailing waits aside).
    pub fn is_done(&self) -> bool {
        self.shared.lock().script.is_done()
    }

    /// Panics, listing them, if steps are left (trailing waits aside): the
    /// check a [`build`](Builder::build) mock makes when dropped, by hand.
    #[track_caller]
    pub fn assert_done(&self) {
        if let Some(message) = self.leftover() {
            panic!("{message}");
        }
    }

    fn leftover(&self) -> Option<String> {
        let state = self.shared.lock();
        let left = state.script.left();
        (left > 0).then(|| {
            format!(
                "{}: {left} of {} steps not done{}",
                self.shared.title(),
                state.script.added(),
                state.script.describe_remaining()
            )
        })
    }

    fn poll_read_shared(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let title = self.shared.title();
        let mut state = self.shared.lock();
        loop {
            if state.read_shut {
                return Poll::Ready(Ok(0));
            }
            let open = state.handles > 0;
            match state.script.read(buf, open) {
                ReadOutcome::Wait { step, duration } => {
                    if state.poll_wait(&title, step, duration, cx).is_pending() {
                        state.read_waker = Some(cx.waker().clone());
                        return Poll::Pending;
                    }
                }
                ReadOutcome::Blocked => {
                    state.read_waker = Some(cx.waker().clone());
                    return Poll::Pending;
                }
                outcome => {
                    let wakers = state.take_wakers();
                    drop(state);
                    wake(wakers);
                    return Poll::Ready(match outcome {
                        ReadOutcome::Data(n) => Ok(n),
                        ReadOutcome::Error(e) => Err(e),
                        ReadOutcome::Wait { .. } | ReadOutcome::Blocked => unreachable!(),
                    });
                }
            }
        }
    }

    fn poll_write_shared(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let title = self.shared.title();
        let mut state = self.shared.lock();
        if state.write_shut {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the mock stream's write direction was shut down",
            )));
        }
        loop {
            let open = state.handles > 0;
            match state.script.write(buf, open) {
                Err(Mismatch(message)) => {
                    state.poisoned = true;
                    drop(state);
                    panic!("{title}: {message}");
                }
                Ok(WriteOutcome::Wait { step, duration }) => {
                    if state.poll_wait(&title, step, duration, cx).is_pending() {
                        state.write_waker = Some(cx.waker().clone());
                        return Poll::Pending;
                    }
                }
                Ok(WriteOutcome::Blocked) => {
                    state.write_waker = Some(cx.waker().clone());
                    return Poll::Pending;
                }
                Ok(outcome) => {
                    let wakers = state.take_wakers();
                    drop(state);
                    wake(wakers);
                    return Poll::Ready(match outcome {
                        WriteOutcome::Took(n) => Ok(n),
                        WriteOutcome::Error(e) => Err(e),
                        WriteOutcome::Wait { .. } | WriteOutcome::Blocked => unreachable!(),
                    });
                }
            }
        }
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        if !self.check_on_drop || std::thread::panicking() || self.shared.lock().poisoned {
            return;
        }
        if let Some(message) = self.leftover() {
            panic!("{message}\n(dropped with steps left; Builder::build_lenient allows it)");
        }
    }
}

impl fmt::Debug for Mock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.lock();
        let next = state.script.remaining().next().map(|s| s.to_string());
        f.debug_struct("Mock")
            .field("name", &self.shared.name)
            .field("steps", &state.script.added())
            .field("left", &state.script.left())
            .field("next", &next)
            .finish()
    }
}
