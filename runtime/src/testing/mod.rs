//! Tools for testing async code with this runtime (TESTING.md tells the
//! whole story, tokio's way and ours side by side):
//!
//! - `#[runtime::test]` runs an `async fn` test on a fresh runtime, with
//!   virtual time, a timeout, schedule exploration and a report of tasks
//!   left pending;
//! - [`explore`] is the same exploration as a function, reporting the
//!   failing schedule instead of panicking;
//! - test doubles: a hand-polled task ([`task::spawn`] and the `assert_*!`
//!   macros) and a scripted mock stream ([`io::Builder`] → [`io::Mock`]).
//!
//! **Why.** Two kinds of test are awkward with only `block_on`:
//!
//! - *Does this future return `Pending`, and does the right event wake it?*
//!   `.await` polls until done and hides both answers. [`task::spawn`]
//!   polls once at a time with a waker that counts its wakes, so a test can
//!   say "pending; the send woke it; now ready with 7", and catch a lost
//!   wakeup (pending with no waker kept: [`task::Spawned::waker_ref_count`]
//!   is 0) or a wake that never comes.
//! - *Does this protocol code send exactly the right bytes, and cope with
//!   what a peer can do (short reads, errors, silence)?* A socket pair needs
//!   a second task and reports a wrong byte as a hang or a garbled parse
//!   later. An [`io::Mock`] plays a script, checks every byte written against
//!   it, panics with a diff at the first wrong one, and panics when dropped
//!   with steps left. Protocol code written against
//!   [`AsyncRead`](crate::io::AsyncRead) + [`AsyncWrite`](crate::io::AsyncWrite)
//!   runs unchanged on the mock and on a [`TcpStream`](crate::net::TcpStream).
//!
//! These are tokio-test's `task::spawn`, `assert_*!` and `io::Builder`, with
//! messages that show the value found, wake counts, byte-string diffs with
//! the first differing byte marked, partial writes matched across steps,
//! and waits on the runtime's (virtual, when paused) clock.
//!
//! # A full example
//!
//! A tiny protocol: the client sends `GET <key>\n`, the server answers
//! `VALUE <v>\n` or `MISSING\n`. The client function is generic; the test
//! runs it on a script, then checks it times out on a silent server under a
//! paused clock (an hour of silence, no real time spent).
//!
//! ```
//! use std::io;
//! use std::time::Duration;
//! use runtime::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
//! use runtime::testing::io::Builder;
//! use runtime::time::{timeout, Instant};
//!
//! async fn get<S>(io: &mut S, key: &str) -> io::Result<Option<String>>
//! where
//!     S: AsyncRead + AsyncWrite + Unpin,
//! {
//!     io.write_all(format!("GET {key}\n").as_bytes()).await?;
//!     let mut line = Vec::new();
//!     let mut byte = [0u8; 1];
//!     loop {
//!         if io.read(&mut byte).await? == 0 {
//!             return Err(io::ErrorKind::UnexpectedEof.into());
//!         }
//!         if byte[0] == b'\n' {
//!             break;
//!         }
//!         line.push(byte[0]);
//!     }
//!     Ok(line.strip_prefix(b"VALUE ").map(|v| String::from_utf8_lossy(v).into_owned()))
//! }
//!
//! // The reply arrives in two segments: the client must reassemble it.
//! let mut server = Builder::new().write(b"GET color\n").read(b"VAL").read(b"UE blue\n").build();
//! let value = runtime::block_on(get(&mut server, "color")).unwrap();
//! assert_eq!(value.as_deref(), Some("blue"));
//!
//! // A server that resets the connection.
//! let mut server = Builder::new()
//!     .write(b"GET x\n")
//!     .read_error(io::ErrorKind::ConnectionReset.into())
//!     .build();
//! let err = runtime::block_on(get(&mut server, "x")).unwrap_err();
//! assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
//!
//! // A silent server, on virtual time: the timeout fires after exactly 5 s.
//! let rt = runtime::Runtime::builder().paused_clock(true).build().unwrap();
//! rt.block_on(async {
//!     let mut server = Builder::new().write(b"GET x\n").wait(Duration::from_secs(3600)).build();
//!     let start = Instant::now();
//!     let outcome = timeout(Duration::from_secs(5), get(&mut server, "x")).await;
//!     assert!(outcome.is_err());
//!     assert_eq!(start.elapsed(), Duration::from_secs(5));
//! });
//! ```
//!
//! And the harness, on a future that needs a runtime (a timer) — polled by
//! hand inside one:
//!
//! ```
//! use std::time::Duration;
//! use runtime::testing::task;
//! use runtime::{assert_pending, assert_ready};
//!
//! let rt = runtime::Runtime::builder().paused_clock(true).build().unwrap();
//! rt.block_on(async {
//!     let mut sleep = task::spawn(runtime::time::sleep(Duration::from_secs(10)));
//!     assert_pending!(sleep.poll());
//!     assert_eq!(sleep.waker_ref_count(), 1); // the timer keeps its waker
//!     runtime::time::sleep(Duration::from_secs(10)).await; // the clock jumps 10 s
//!     assert!(sleep.is_woken());
//!     assert_ready!(sleep.poll());
//! });
//! ```

pub mod io;
mod macros;
pub mod task;

/// What the `assert_*!` macros expand to; not an API.
#[doc(hidden)]
pub mod __private {
    pub use super::macros::{ShowDebug, ShowOpaque, Shown, fail};
}

pub use crate::test_runner::{Exploration, ExploredFailure, explore};
