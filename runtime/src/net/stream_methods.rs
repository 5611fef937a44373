//! The public methods that [`TcpStream`] and [`UnixStream`] share, written
//! once by the macro [`stream_methods!`]: the `async` reads and writes,
//! their `&self` `poll_*` forms, `shutdown`, the two addresses, `split` and
//! `into_split`, and the `AsRawFd` and `Debug` impls.
//!
//! Why a macro: they are inherent methods of two public types (a shared
//! trait would have to be imported by every caller, and tokio's API has
//! none), and each type documents them in its own words. So each type's
//! file lists the methods it has with its doc comment for each, and this
//! file writes the one body each method has on both: a forward to the
//! stream core (`stream.rs`, a field `inner`) or to the `mio` socket.
//!
//! Every `async` method is a `#[track_caller]` function returning
//! `impl Future` rather than an `async fn` (which cannot be
//! `#[track_caller]`): it captures `Location::caller()`, the user's call,
//! which is the task's await site while it waits (`inspect::note_at`).
//!
//! [`TcpStream`]: crate::net::TcpStream
//! [`UnixStream`]: crate::net::UnixStream

/// Defines, for `$stream` (a type with a field `inner:
/// net::stream::Stream<_>`, whose socket's addresses are `$addr`), each
/// method listed, with the doc comment given before its name, and
/// implements `AsRawFd` and `Debug` for it:
///
/// ```text
/// stream_methods! {
///     TcpStream, SocketAddr;
///     /// Reads into `buf` (one `recv(2)`) ...
///     fn read;
///     /// Fills all of `buf` ...
///     fn read_exact;
/// }
/// ```
///
/// The halves' types (`ReadHalf`, `WriteHalf`, `OwnedReadHalf`,
/// `OwnedWriteHalf`) are those in scope where it is invoked.
macro_rules! stream_methods {
    ($stream:ident, $addr:ty; $( $(#[$doc:meta])* fn $name:ident; )*) => {
        impl $stream {
            $( $crate::net::stream_methods::stream_method!($name, $addr, $(#[$doc])*); )*
        }

        impl ::std::os::fd::AsRawFd for $stream {
            fn as_raw_fd(&self) -> ::std::os::fd::RawFd {
                self.inner.fd()
            }
        }

        impl ::std::fmt::Debug for $stream {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($stream))
                    .field("fd", &self.inner.fd())
                    .field("local", &self.local_addr().ok())
                    .field("peer", &self.peer_addr().ok())
                    .finish()
            }
        }
    };
}

/// One method of [`stream_methods!`], by name.
macro_rules! stream_method {
    // The async forms: `at` is the user's call (see the module docs).
    (read, $addr:ty, $(#[$doc:meta])*) => {
        $(#[$doc])*
        #[track_caller]
        #[inline]
        pub fn read(
            &mut self,
            buf: &mut [u8],
        ) -> impl ::std::future::Future<Output = ::std::io::Result<usize>> {
            self.inner.read(buf, ::std::panic::Location::caller())
        }
    };
    (read_exact, $addr:ty, $(#[$doc:meta])*) => {
        $(#[$doc])*
        #[track_caller]
        pub fn read_exact(
            &mut self,
            buf: &mut [u8],
        ) -> impl ::std::future::Future<Output = ::std::io::Result<()>> {
            let at = ::std::panic::Location::caller();
            async move { self.inner.read_exact(buf, at).await }
        }
    };
    (read_buf, $addr:ty, $(#[$doc:meta])*) => {
        $(#[$doc])*
        #[track_caller]
        pub fn read_buf(
            &mut self,
            buf: &mut $crate::io::ReadBuf<'_>,
        ) -> impl ::std::future::Future<Output = ::std::io::Result<usize>> {
            let at = ::std::panic::Location::caller();
            async move { self.inner.read_buf(buf, at).await }
        }
    };
    (read_vectored, $addr:ty, $(#[$doc:meta])*) => {
        $(#[$doc])*
        #[track_caller]
        pub fn read_vectored(
            &mut self,
            bufs: &mut [::std::io::IoSliceMut<'_>],
        ) -> impl ::std::future::Future<Output = ::std::io::Result<usize>> {
            let at = ::std::panic::Location::caller();
            async move { self.inner.read_vectored(bufs, at).await }
        }
    };
    (peek, $addr:ty, $(#[$doc:meta])*) => {
        $(#[$doc])*
        #[track_caller]
        pub fn peek(
            &self,
            buf: &mut [u8],
        ) -> impl ::std::future::Future<Output = ::std::io::Result<usize>> {
            let at = ::std::panic::Location::caller();
            async move { self.inner.peek(buf, at).await }
        }
    };
    (write, $addr:ty, $(#[$doc:meta])*) => {
        $(#[$doc])*
        #[track_caller]
        pub fn write(
            &mut self,
            buf: &[u8],
        ) -> impl ::std::future::Future<Output = ::std::io::Result<usize>> {
            let at = ::std::panic::Location::caller();
            async move { self.inner.write(buf, at).await }
        }
    };
    (write_all, $addr:ty, $(#[$doc:meta])*) => {
        $(#[$doc])*
        #[track_caller]
        #[inline]
        pub fn write_all(
            &mut self,
            buf: &[u8],
        ) -> impl ::std::future::Future<Output = ::std::io::Result<()>> {
            self.inner.write_all(buf, ::std::panic::Location::caller())
        }
    };
    (write_vectored, $addr:ty, $(#[$doc:meta])*) => {
        $(#[$doc])*
        #[track_caller]
        pub fn write_vectored(
            &mut self,
            bufs: &[::std::io::IoSlice<'_>],
        ) -> impl ::std::future::Future<Output = ::std::io::Result<usize>> {
            let at = ::std::panic::Location::caller();
            async move { self.inner.write_vectored(bufs, at).await }
        }
    };

    // The poll forms.
    (poll_read, $addr:ty, $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn poll_read(
            &self,
            cx: &mut ::std::task::Context<'_>,
            buf: &mut [u8],
        ) -> ::std::task::Poll<::std::io::Result<usize>> {
            self.inner.poll_read(cx, buf)
        }
    };
    (poll_read_buf, $addr:ty, $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn poll_read_buf(
            &self,
            cx: &mut ::std::task::Context<'_>,
            buf: &mut $crate::io::ReadBuf<'_>,
        ) -> ::std::task::Poll<::std::io::Result<()>> {
            self.inner.poll_read_buf(cx, buf)
        }
    };
    (poll_read_vectored, $addr:ty, $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn poll_read_vectored(
            &self,
            cx: &mut ::std::task::Context<'_>,
            bufs: &mut [::std::io::IoSliceMut<'_>],
        ) -> ::std::task::Poll<::std::io::Result<usize>> {
            self.inner.poll_read_vectored(cx, bufs)
        }
    };
    (poll_peek, $addr:ty, $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn poll_peek(
            &self,
            cx: &mut ::std::task::Context<'_>,
            buf: &mut $crate::io::ReadBuf<'_>,
        ) -> ::std::task::Poll<::std::io::Result<usize>> {
            self.inner.poll_peek(cx, buf)
        }
    };
    (poll_write, $addr:ty, $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn poll_write(
            &self,
            cx: &mut ::std::task::Context<'_>,
            buf: &[u8],
        ) -> ::std::task::Poll<::std::io::Result<usize>> {
            self.inner.poll_write(cx, buf)
        }
    };
    (poll_write_vectored, $addr:ty, $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn poll_write_vectored(
            &self,
            cx: &mut ::std::task::Context<'_>,
            bufs: &[::std::io::IoSlice<'_>],
        ) -> ::std::task::Poll<::std::io::Result<usize>> {
            self.inner.poll_write_vectored(cx, bufs)
        }
    };

    // The socket's own calls: `shutdown(2)`, `getpeername(2)`, `getsockname(2)`.
    (shutdown, $addr:ty, $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn shutdown(&self, how: ::std::net::Shutdown) -> ::std::io::Result<()> {
            self.inner.io().shutdown(how)
        }
    };
    (peer_addr, $addr:ty, $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn peer_addr(&self) -> ::std::io::Result<$addr> {
            self.inner.io().peer_addr()
        }
    };
    (local_addr, $addr:ty, $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn local_addr(&self) -> ::std::io::Result<$addr> {
            self.inner.io().local_addr()
        }
    };

    // The halves (`net/halves.rs`).
    (split, $addr:ty, $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
            (ReadHalf(self), WriteHalf(self))
        }
    };
    (into_split, $addr:ty, $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
            let shared = ::std::sync::Arc::new(self);
            (OwnedReadHalf(shared.clone()), OwnedWriteHalf::new(shared))
        }
    };
}

pub(crate) use {stream_method, stream_methods};
