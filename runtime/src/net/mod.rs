//! Sockets on the loop's reactor: TCP ([`TcpListener`], [`TcpStream`],
//! [`TcpSocket`] to set options before `bind`/`connect`), UDP
//! ([`UdpSocket`]) and Unix domain sockets ([`UnixListener`],
//! [`UnixStream`], [`UnixDatagram`]).
//!
//! Files: every socket type is a `Registered` `mio` socket
//! (`registered.rs`: registered when made, deregistered when dropped, a
//! syscall retried on readiness in a `poll_*` or an `async` form); the
//! stream sockets share one core, `stream.rs` (every read and write),
//! whose syscalls are in `sys.rs` (`recv(2)`, also into uninitialised
//! memory, `send(2)` with `MSG_NOSIGNAL`, `readv(2)`, `sendmsg(2)`); the
//! public methods both stream types have come from one macro
//! (`stream_methods.rs`), their halves from another (`halves.rs`); the `io` and `futures-io`
//! trait impls are in `io_impls.rs`; the accept loop with its `EMFILE`
//! backoff in `accept.rs`; socket options in `sockopt.rs`.
//!
//! Each type is a thin wrapper over its `mio` socket (non-blocking, created
//! with `SOCK_NONBLOCK|SOCK_CLOEXEC`) plus a `Registration` with the
//! reactor of the runtime running on this thread: registered
//! (`epoll_ctl(EPOLL_CTL_ADD)`, edge-triggered, both directions) when made
//! by `bind`, `connect`, `accept`, `pair` or `TcpSocket::listen`,
//! deregistered when dropped. They must therefore be created inside a
//! runtime, and used on its thread (a `TcpSocket` is a plain fd until it
//! listens or connects, and may be made anywhere). They are
//! `Send` and `Sync` (as tokio's are, so that `Pin<Box<dyn Future + Send>>`
//! and the libraries that need it accept them): moved to another thread or
//! dropped there, they close their fd at once and the loop frees their slot
//! on its next turn; an operation on them there returns an `io::Error`
//! saying why, as does one on a socket whose runtime has been dropped.
//!
//! Every operation tries the syscall first and only waits when it reports
//! `WouldBlock` (see `registration.rs` and `driver/reactor.rs`, and DESIGN.md, "The life of a read").
//! Read and write readiness are tracked separately, so one task may read a
//! socket while another writes it ([`TcpStream::into_split`],
//! [`TcpStream::split`], or the `&self` methods `poll_read`/`poll_write`).
//! Several tasks may wait on the same direction of one socket (two
//! `recv_from`s on a shared `UdpSocket`, two `accept`s on one listener):
//! the reactor keeps every waiter and wakes them all on the next event.
//!
//! Every successful operation spends one unit of the task's cooperative
//! budget (`coop.rs`): a socket that always has data cannot keep its task
//! from yielding to the others.
//!
//! With the `futures-io` feature, the stream types and their halves also
//! implement `futures_io::AsyncRead`/`AsyncWrite` (for libraries built on
//! the `futures` traits), forwarding to the same calls.
//!
//! Names are resolved with [`std::net::ToSocketAddrs`], synchronously on the
//! loop's thread: pass IP addresses (as all the examples do), or resolve
//! host names with [`spawn_blocking`](crate::spawn_blocking) first.

mod accept;
mod halves;
mod io_impls;
mod registered;
mod registration;
mod sockopt;
mod stream;
mod stream_futures;
mod stream_methods;
mod sys;
mod tcp_listener;
mod tcp_socket;
mod tcp_stream;
mod udp;
pub mod unix;

pub use tcp_listener::TcpListener;
pub use tcp_socket::TcpSocket;
pub use tcp_stream::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, TcpStream, WriteHalf};
pub use udp::UdpSocket;
pub use unix::{UnixDatagram, UnixListener, UnixStream};

/// The halves of a [`TcpStream`] under tokio's paths
/// (`tokio::net::tcp::OwnedReadHalf`, ...); the same types as
/// [`net::ReadHalf`](ReadHalf) and the others.
pub mod tcp {
    pub use super::tcp_stream::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
}

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};

/// Calls `f` with each address `addr` resolves to, until one succeeds;
/// returns the last error (or `InvalidInput` if it resolved to nothing).
fn each_addr<A: ToSocketAddrs, T>(
    addr: A,
    mut f: impl FnMut(SocketAddr) -> io::Result<T>,
) -> io::Result<T> {
    let mut last = None;
    for addr in addr.to_socket_addrs()? {
        match f(addr) {
            Ok(t) => return Ok(t),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(no_addresses))
}

/// The error for an address that resolved to nothing.
fn no_addresses() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "could not resolve to any address",
    )
}
