//! hyper on this runtime: [`Io`], [`Executor`] and [`Timer`], the
//! equivalents of hyper-util's `TokioIo`, `TokioExecutor` and `TokioTimer`.
//!
//! **Why.** hyper 1 owns no runtime: it reads and writes through its own
//! traits (`hyper::rt::Read`, `hyper::rt::Write`), spawns through
//! `hyper::rt::Executor` and sleeps through `hyper::rt::Timer`, and leaves
//! it to the user to connect those to a runtime. These three adapters
//! connect them to this one, so a hyper server or client runs on the event
//! loop like any other task.
//!
//! **What each does.**
//!
//! - [`Io<T>`] wraps any [`AsyncRead`] + [`AsyncWrite`] (a
//!   [`TcpStream`](crate::net::TcpStream), its halves, a
//!   [`UnixStream`](crate::net::UnixStream), the test
//!   [`Mock`](crate::testing::io::Mock)) as `hyper::rt::Read + Write`. A
//!   read goes through [`AsyncRead::poll_read_buf`], so hyper's buffer,
//!   which it hands over uninitialised, is filled by `recv(2)` straight into
//!   that memory with no `memset` first. A write forwards `poll_write`
//!   (`send(2)`) and `poll_write_vectored` (`sendmsg(2)`: hyper gathers a
//!   response's head and body into one syscall when the stream says
//!   [`is_write_vectored`](AsyncWrite::is_write_vectored)); `poll_shutdown`
//!   is `shutdown(SHUT_WR)`. The other way round, `Io<T>` for a
//!   `T: hyper::rt::Read + Write` (such as `hyper::upgrade::Upgraded`) is
//!   this runtime's [`AsyncRead`] + [`AsyncWrite`], so `AsyncReadExt` and
//!   `AsyncWriteExt` work on an upgraded connection.
//! - [`Executor`] is `hyper::rt::Executor<F>` for every `F: Future +
//!   'static`, through [`crate::spawn`]. The future need not be `Send`: the
//!   loop runs every task on its one thread. hyper's HTTP/1 server and
//!   client never spawn; HTTP/2 spawns a task per stream, and so needs an
//!   executor. Like `spawn`, `execute` panics off the runtime's thread;
//!   hyper calls it from the connection's task, which is on it.
//! - [`Timer`] is `hyper::rt::Timer` on the runtime's timer wheel:
//!   `sleep`/`sleep_until` box a [`time::Sleep`](crate::time::Sleep)
//!   (which is `Send + Sync`, as hyper's `Sleep` requires: it names its
//!   runtime by id), `reset` moves its deadline in place, and `now` reads
//!   the runtime's clock, so under a paused clock hyper's timeouts
//!   (`header_read_timeout`, HTTP/2 keep-alive) run on virtual time. A due
//!   timer is what bounds the loop's `epoll_wait` timeout.
//!
//! ```
//! use std::convert::Infallible;
//! use http_body_util::Full;
//! use hyper::body::{Bytes, Incoming};
//! use hyper::{Request, Response, server::conn::http1, service::service_fn};
//! use runtime::compat::hyper::{Io, Timer};
//! use runtime::io::{AsyncReadExt, AsyncWriteExt};
//! use runtime::net::{TcpListener, TcpStream};
//!
//! async fn hello(_: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
//!     Ok(Response::new(Full::new(Bytes::from("hello"))))
//! }
//!
//! runtime::block_on(async {
//!     let listener = TcpListener::bind("127.0.0.1:0").unwrap();
//!     let addr = listener.local_addr().unwrap();
//!     runtime::spawn(async move {
//!         let (stream, _) = listener.accept().await.unwrap();
//!         http1::Builder::new()
//!             .timer(Timer)
//!             .serve_connection(Io::new(stream), service_fn(hello))
//!             .await
//!             .unwrap();
//!     });
//!     let mut client = TcpStream::connect(addr).await.unwrap();
//!     client
//!         .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
//!         .await
//!         .unwrap();
//!     let mut response = Vec::new();
//!     AsyncReadExt::read_to_end(&mut client, &mut response).await.unwrap();
//!     assert!(response.starts_with(b"HTTP/1.1 200 OK\r\n"));
//!     assert!(response.ends_with(b"\r\n\r\nhello"));
//! });
//! ```

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use hyper::rt::ReadBufCursor;

use crate::io::{AsyncRead, AsyncWrite, ReadBuf};
use crate::time::Instant;

/// A stream seen through the other runtime's I/O traits: this runtime's
/// [`AsyncRead`] + [`AsyncWrite`] as `hyper::rt::Read` + `Write`, and
/// hyper's as ours (see the module docs). hyper-util's `TokioIo`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Io<T> {
    inner: T,
}

impl<T> Io<T> {
    /// Wraps `inner`.
    pub fn new(inner: T) -> Io<T> {
        Io { inner }
    }

    /// The wrapped stream.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// The wrapped stream, mutably.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Unwraps the stream.
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// Pins the wrapped stream where `self` is pinned.
    fn project(self: Pin<&mut Self>) -> Pin<&mut T> {
        // SAFETY: structural pinning of the one field. `Io` has no `Drop`
        // impl and is not `repr(packed)`; it is `Unpin` exactly when `T` is
        // (the auto trait); and no method hands out `&mut T` from a
        // `Pin<&mut Io<T>>` (`inner_mut` takes a plain `&mut self`, which a
        // pinned `!Unpin` `Io` cannot give). So a pinned `T` is never moved.
        unsafe { self.map_unchecked_mut(|io| &mut io.inner) }
    }
}

impl<T: AsyncRead> hyper::rt::Read for Io<T> {
    /// Reads into hyper's (possibly uninitialised) buffer through
    /// [`AsyncRead::poll_read_buf`]: `recv(2)` into it for a socket.
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut cursor: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let room = cursor.remaining();
        // SAFETY: `as_mut` asks that no byte initialised before be made
        // uninitialised. The slice is only reachable through `buf`, a
        // `ReadBuf`, whose safe methods write only initialised values
        // (data or zeroes) and whose `unsafe fn unfilled_mut` puts the same
        // duty on its callers (`recv(2)` writes bytes, never "uninit").
        let unfilled = unsafe { cursor.as_mut() };
        let start = unfilled.as_ptr().cast::<u8>();
        let mut buf = ReadBuf::uninit(unfilled);
        ready!(self.project().poll_read_buf(cx, &mut buf))?;
        let filled = buf.filled();
        // A reader could replace the `ReadBuf` it was lent with another
        // (`*buf = ReadBuf::new(..)`): its "filled" bytes would then not be
        // hyper's. Refuse to count them rather than claim hyper's memory
        // initialised.
        assert!(
            filled.is_empty() || std::ptr::eq(filled.as_ptr(), start),
            "AsyncRead::poll_read_buf replaced the ReadBuf it was given"
        );
        let n = filled.len();
        assert!(n <= room, "ReadBuf filled past its capacity");
        // SAFETY: the `ReadBuf` over hyper's unfilled part counts `n`
        // bytes, from its start, as filled, and it only counts initialised
        // bytes as filled (its invariant `filled ≤ initialized`); the
        // assertions above make sure those are hyper's bytes.
        unsafe { cursor.advance(n) };
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite> hyper::rt::Write for Io<T> {
    crate::io::forward_write!(Io::project, Io::inner);
}

impl<T: hyper::rt::Read> AsyncRead for Io<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let mut theirs = hyper::rt::ReadBuf::new(buf);
        ready!(self.project().poll_read(cx, theirs.unfilled()))?;
        Poll::Ready(Ok(theirs.filled().len()))
    }

    /// Lends our unfilled part, uninitialised as it may be, to hyper's
    /// `ReadBuf`: no zeroing on this side either.
    fn poll_read_buf(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        // SAFETY: `unfilled_mut` asks that no uninitialised value be
        // written into the slice; hyper's `ReadBuf` is the only thing that
        // writes to it, and it writes data or zeroes (its cursor's
        // `as_mut` puts the same duty on its readers).
        let mut theirs = hyper::rt::ReadBuf::uninit(unsafe { buf.unfilled_mut() });
        ready!(self.project().poll_read(cx, theirs.unfilled()))?;
        // hyper's `ReadBuf` is ours, on our stack: a reader cannot swap it
        // (its cursor's fields are private), so its filled bytes are the
        // first `n` of our unfilled part.
        let n = theirs.filled().len();
        // SAFETY: hyper's `ReadBuf` counts a byte filled only once it is
        // initialised (`advance`'s contract, `put_slice`'s copy).
        unsafe { buf.assume_init(n) };
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl<T: hyper::rt::Write> AsyncWrite for Io<T> {
    crate::io::forward_write!(Io::project, Io::inner);
}

/// `hyper::rt::Executor` on the event loop: `execute` is [`crate::spawn`]
/// (the task is detached). hyper-util's `TokioExecutor`, without the
/// `Send` bound. For HTTP/2 (`http2::Builder::new(Executor)`).
///
/// # Panics
/// `execute` off the runtime's thread, as `spawn` does.
#[derive(Debug, Default, Clone, Copy)]
pub struct Executor;

impl<F> hyper::rt::Executor<F> for Executor
where
    F: Future + 'static,
    F::Output: 'static,
{
    #[track_caller]
    fn execute(&self, future: F) {
        // Dropping the handle detaches the task: it runs to completion.
        drop(crate::spawn(future));
    }
}

/// `hyper::rt::Timer` on the runtime's timer wheel and clock (virtual when
/// paused): see the module docs. hyper-util's `TokioTimer`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Timer;

/// hyper's boxed timer future is the runtime's own [`time::Sleep`](crate::time::Sleep).
impl hyper::rt::Sleep for crate::time::Sleep {}

impl hyper::rt::Timer for Timer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(crate::time::sleep(duration))
    }

    fn sleep_until(&self, deadline: std::time::Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(crate::time::sleep_until(Instant::from_std(deadline)))
    }

    /// The runtime's clock: virtual under a paused clock, so the deadlines
    /// hyper computes as `now() + timeout` are on the clock that fires them.
    fn now(&self) -> std::time::Instant {
        Instant::now().into_std()
    }

    /// Moves a sleep made by this timer in place (its wheel entry is
    /// re-registered at the next poll); any other gets replaced.
    fn reset(&self, sleep: &mut Pin<Box<dyn hyper::rt::Sleep>>, new_deadline: std::time::Instant) {
        match sleep.as_mut().downcast_mut_pin::<crate::time::Sleep>() {
            Some(mut ours) => ours.reset(Instant::from_std(new_deadline)),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}
