//! Adapters that let libraries written against another runtime's traits run
//! on this one, each behind the Cargo feature of the same name.
//!
//! - [`hyper`] (feature `hyper`): [`Io`](hyper::Io), [`Executor`](hyper::Executor)
//!   and [`Timer`](hyper::Timer), what hyper-util's `TokioIo`,
//!   `TokioExecutor` and `TokioTimer` are for tokio: an HTTP/1 or HTTP/2
//!   server or client from the `hyper` crate, on the event loop.
//!
//! The runtime's required dependencies stay mio, slab, crossbeam-channel and
//! libc: a compat module's crate is an optional dependency, pulled in only by
//! its feature.

#[cfg(feature = "hyper")]
pub mod hyper;
