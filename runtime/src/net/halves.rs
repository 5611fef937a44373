//! The four halves of a stream socket, written once for [`TcpStream`] and
//! [`UnixStream`] by the macro [`stream_halves!`]: `ReadHalf`/`WriteHalf`
//! (borrowed, from `split`) and `OwnedReadHalf`/`OwnedWriteHalf` (sharing
//! the stream through an `Arc`, from `into_split`), with tokio's names and
//! semantics:
//!
//! - a read half reads (`read`, `read_exact`, `read_buf`, `read_vectored`,
//!   `peek`), a write half writes (`write`, `write_all`, `write_vectored`,
//!   `shutdown`); each also implements `io::AsyncRead` or `io::AsyncWrite`
//!   (`io_impls.rs`);
//! - the two halves of one stream may be used by two tasks at once: read
//!   and write readiness have separate bits and waiter lists in the
//!   reactor, so a reader waiting for data never holds up a writer;
//! - dropping an `OwnedWriteHalf` shuts the write direction down
//!   (`shutdown(SHUT_WR)`: the peer reads EOF) unless it was
//!   [`forget`](crate::net::OwnedWriteHalf::forget)-ten, as tokio's does;
//!   dropping a borrowed `WriteHalf` does nothing;
//! - `OwnedReadHalf::reunite` gives the stream back from its two halves.
//!
//! [`TcpStream`]: crate::net::TcpStream
//! [`UnixStream`]: crate::net::UnixStream

/// Defines `ReadHalf`, `WriteHalf`, `OwnedReadHalf`, `OwnedWriteHalf` and
/// `ReuniteError` for `$stream` (a type with a field `inner:
/// net::stream::Stream<_>`) in the module where it is invoked. The doc
/// comments given after `OwnedReadHalf:` and `OwnedWriteHalf:` are added
/// to those types' docs: each stream's file writes its own runnable
/// example (a TCP pair and a Unix pair are made differently).
///
/// ```text
/// stream_halves! {
///     TcpStream;
///     OwnedReadHalf: /// # Example ...
///     OwnedWriteHalf: /// # Example ...
/// }
/// ```
macro_rules! stream_halves {
    (
        $stream:ident;
        OwnedReadHalf: $(#[$read_doc:meta])*
        OwnedWriteHalf: $(#[$write_doc:meta])*
    ) => {
        use std::io::{IoSlice, IoSliceMut};
        use std::net::Shutdown;
        use std::sync::Arc;
        use std::{fmt, io};

        use crate::io::ReadBuf;

        #[doc = concat!("The read half of [`", stringify!($stream), "::split`].")]
        #[derive(Debug)]
        pub struct ReadHalf<'a>(pub(crate) &'a $stream);

        #[doc = concat!("The write half of [`", stringify!($stream), "::split`].")]
        #[derive(Debug)]
        pub struct WriteHalf<'a>(pub(crate) &'a $stream);

        #[doc = concat!("The read half of [`", stringify!($stream), "::into_split`]: `Send`, `Sync`, `'static`.")]
        $(#[$read_doc])*
        #[derive(Debug)]
        pub struct OwnedReadHalf(pub(crate) Arc<$stream>);

        #[doc = concat!("The write half of [`", stringify!($stream), "::into_split`]: `Send`, `Sync`, `'static`.")]
        ///
        /// Dropping it shuts the write direction down (`shutdown(SHUT_WR)`),
        /// so the peer reads EOF even while the read half lives on, as
        /// tokio's does; [`forget`](Self::forget) drops it without that.
        $(#[$write_doc])*
        #[derive(Debug)]
        pub struct OwnedWriteHalf {
            pub(crate) stream: Arc<$stream>,
            pub(crate) shutdown_on_drop: bool,
        }

        impl OwnedWriteHalf {
            pub(crate) fn new(stream: Arc<$stream>) -> OwnedWriteHalf {
                OwnedWriteHalf {
                    stream,
                    shutdown_on_drop: true,
                }
            }

            /// Drops the half without shutting the write direction down.
            pub fn forget(mut self) {
                self.shutdown_on_drop = false;
            }
        }

        impl Drop for OwnedWriteHalf {
            fn drop(&mut self) {
                if self.shutdown_on_drop {
                    // The peer may be gone already (`NotConnected`):
                    // nothing to tell anyone then.
                    let _ = self.stream.shutdown(Shutdown::Write);
                }
            }
        }

        impl OwnedReadHalf {
            #[doc = concat!("Puts the two halves of one [`", stringify!($stream), "`] back together.")]
            ///
            /// # Errors
            /// [`ReuniteError`], holding both halves, if they come from
            /// two different streams.
            pub fn reunite(self, other: OwnedWriteHalf) -> Result<$stream, ReuniteError> {
                if !Arc::ptr_eq(&self.0, &other.stream) {
                    return Err(ReuniteError(self, other));
                }
                let mut other = other;
                other.shutdown_on_drop = false;
                drop(other);
                match Arc::try_unwrap(self.0) {
                    Ok(stream) => Ok(stream),
                    // `into_split` made exactly two references, one per
                    // half, and neither half can be cloned.
                    Err(_) => unreachable!("the two halves hold the only references"),
                }
            }
        }

        #[doc = concat!("The error of [`OwnedReadHalf::reunite`]: the halves come from two different [`", stringify!($stream), "`]s; both are given back.")]
        #[derive(Debug)]
        pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

        impl fmt::Display for ReuniteError {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "tried to reunite halves that are not from the same socket")
            }
        }

        impl std::error::Error for ReuniteError {}

        $crate::net::halves::read_half_methods!($stream, ReadHalf<'_>);
        $crate::net::halves::read_half_methods!($stream, OwnedReadHalf);
        $crate::net::halves::write_half_methods!($stream, WriteHalf<'_>, stream => &*stream.0);
        $crate::net::halves::write_half_methods!($stream, OwnedWriteHalf, stream => &*stream.stream);
    };
}

/// The read methods of a read half (`self.0` reaches the stream).
macro_rules! read_half_methods {
    ($stream:ident, $half:ty) => {
        impl $half {
            #[doc = concat!("As [`", stringify!($stream), "::read`].")]
            ///
            /// # Errors
            /// As the stream's.
            #[track_caller]
            pub fn read(&mut self, buf: &mut [u8]) -> impl std::future::Future<Output = io::Result<usize>> {
                // Not an `async fn`, to be `#[track_caller]`: the caller's site is
                // the task's await site while it waits (`inspect::note_at`).
                let at = std::panic::Location::caller();
                async move {
                    self.0.inner.read(buf, at).await
                }
            }

            #[doc = concat!("As [`", stringify!($stream), "::read_exact`].")]
            ///
            /// # Errors
            /// As the stream's.
            #[track_caller]
            pub fn read_exact(&mut self, buf: &mut [u8]) -> impl std::future::Future<Output = io::Result<()>> {
                // Not an `async fn`, to be `#[track_caller]`: the caller's site is
                // the task's await site while it waits (`inspect::note_at`).
                let at = std::panic::Location::caller();
                async move {
                    self.0.inner.read_exact(buf, at).await
                }
            }

            #[doc = concat!("As [`", stringify!($stream), "::read_buf`]: into uninitialised memory.")]
            ///
            /// # Errors
            /// As the stream's.
            #[track_caller]
            pub fn read_buf(&mut self, buf: &mut ReadBuf<'_>) -> impl std::future::Future<Output = io::Result<usize>> {
                // Not an `async fn`, to be `#[track_caller]`: the caller's site is
                // the task's await site while it waits (`inspect::note_at`).
                let at = std::panic::Location::caller();
                async move {
                    self.0.inner.read_buf(buf, at).await
                }
            }

            #[doc = concat!("As [`", stringify!($stream), "::read_vectored`] (`readv(2)`).")]
            ///
            /// # Errors
            /// As the stream's.
            #[track_caller]
            pub fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> impl std::future::Future<Output = io::Result<usize>> {
                // Not an `async fn`, to be `#[track_caller]`: the caller's site is
                // the task's await site while it waits (`inspect::note_at`).
                let at = std::panic::Location::caller();
                async move {
                    self.0.inner.read_vectored(bufs, at).await
                }
            }

            #[doc = concat!("As [`", stringify!($stream), "::peek`] (`MSG_PEEK`).")]
            ///
            /// # Errors
            /// As the stream's.
            #[track_caller]
            pub fn peek(&mut self, buf: &mut [u8]) -> impl std::future::Future<Output = io::Result<usize>> {
                // Not an `async fn`, to be `#[track_caller]`: the caller's site is
                // the task's await site while it waits (`inspect::note_at`).
                let at = std::panic::Location::caller();
                async move {
                    self.0.inner.peek(buf, at).await
                }
            }
        }
    };
}

/// The write methods of a write half (`$s => expr` reaches the stream).
macro_rules! write_half_methods {
    ($stream:ident, $half:ty, $s:ident => $get:expr) => {
        impl $half {
            #[doc = concat!("As [`", stringify!($stream), "::write`].")]
            ///
            /// # Errors
            /// As the stream's.
            #[track_caller]
            pub fn write(
                &mut self,
                buf: &[u8],
            ) -> impl std::future::Future<Output = io::Result<usize>> {
                // Not an `async fn`, to be `#[track_caller]`: the caller's site is
                // the task's await site while it waits (`inspect::note_at`).
                let at = std::panic::Location::caller();
                async move {
                    let $s = &*self;
                    let stream: &$stream = $get;
                    stream.inner.write(buf, at).await
                }
            }

            #[doc = concat!("As [`", stringify!($stream), "::write_all`].")]
            ///
            /// # Errors
            /// As the stream's.
            #[track_caller]
            pub fn write_all(
                &mut self,
                buf: &[u8],
            ) -> impl std::future::Future<Output = io::Result<()>> {
                // Not an `async fn`, to be `#[track_caller]`: the caller's site is
                // the task's await site while it waits (`inspect::note_at`).
                let at = std::panic::Location::caller();
                async move {
                    let $s = &*self;
                    let stream: &$stream = $get;
                    stream.inner.write_all(buf, at).await
                }
            }

            #[doc = concat!("As [`", stringify!($stream), "::write_vectored`] (`sendmsg(2)`).")]
            ///
            /// # Errors
            /// As the stream's.
            #[track_caller]
            pub fn write_vectored(
                &mut self,
                bufs: &[IoSlice<'_>],
            ) -> impl std::future::Future<Output = io::Result<usize>> {
                // Not an `async fn`, to be `#[track_caller]`: the caller's site is
                // the task's await site while it waits (`inspect::note_at`).
                let at = std::panic::Location::caller();
                async move {
                    let $s = &*self;
                    let stream: &$stream = $get;
                    stream.inner.write_vectored(bufs, at).await
                }
            }

            /// `shutdown(2)` of the write direction: the peer reads EOF.
            ///
            /// # Errors
            /// As the stream's `shutdown`.
            pub fn shutdown(&self) -> io::Result<()> {
                let $s = self;
                let stream: &$stream = $get;
                stream.shutdown(Shutdown::Write)
            }
        }
    };
}

pub(crate) use {read_half_methods, stream_halves, write_half_methods};
