//! [`TcpListener`]: accepting TCP connections on the loop's reactor.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::os::fd::{AsRawFd, RawFd};
use std::panic::Location;

use super::TcpStream;
use super::registered::Registered;

/// A TCP socket listening for connections, registered with the reactor of
/// the runtime it was made in.
///
/// ```
/// use runtime::net::{TcpListener, TcpStream};
///
/// runtime::block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").unwrap();
///     let addr = listener.local_addr().unwrap();
///     let client = runtime::spawn(async move { TcpStream::connect(addr).await.unwrap() });
///     let (_conn, peer) = listener.accept().await.unwrap();
///     let client = client.await.unwrap();
///     assert_eq!(peer, client.local_addr().unwrap());
/// });
/// ```
pub struct TcpListener {
    sock: Registered<mio::net::TcpListener>,
}

impl TcpListener {
    /// Binds to `addr`, trying each address it resolves to in turn, and
    /// listens: `socket(2)`, `setsockopt(SO_REUSEADDR)`, `bind(2)`,
    /// `listen(2)` with a backlog of 1024 (as `mio` does). Port 0 picks a
    /// free port: read it back with [`local_addr`](TcpListener::local_addr).
    /// For other options (`SO_REUSEPORT`, the backlog, buffer sizes), use
    /// [`TcpSocket`](super::TcpSocket).
    ///
    /// # Errors
    /// The last address's error (`AddrInUse`, `PermissionDenied`, ...),
    /// `InvalidInput` if `addr` resolves to nothing; `Other` outside a
    /// runtime.
    pub fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        TcpListener::from_mio(super::each_addr(addr, mio::net::TcpListener::bind)?)
    }

    /// Registers a listening `mio` socket (from `bind` or
    /// [`TcpSocket::listen`](super::TcpSocket::listen)).
    pub(crate) fn from_mio(io: mio::net::TcpListener) -> io::Result<TcpListener> {
        Ok(TcpListener {
            sock: Registered::new(io)?,
        })
    }

    /// Waits for and accepts the next connection (`accept4(2)` with
    /// `SOCK_NONBLOCK|SOCK_CLOEXEC`), registering it with the reactor.
    ///
    /// When the process or the system is out of file descriptors (`EMFILE`,
    /// `ENFILE`) or of socket memory (`ENOBUFS`, `ENOMEM`), the connection
    /// stays in the kernel's backlog and `accept` does not fail and does not
    /// spin: it sleeps (10 ms, doubling up to 100 ms) and tries again, while
    /// the other tasks, and the connections already open, keep running. A
    /// connection the peer aborted before it was accepted (`ECONNABORTED`)
    /// is skipped.
    ///
    /// # Errors
    /// Other errors of `accept4(2)` or `epoll_ctl(2)`.
    #[track_caller]
    pub fn accept(&self) -> impl Future<Output = io::Result<(TcpStream, SocketAddr)>> {
        // Not an `async fn`, to be `#[track_caller]`: the caller's site is
        // the task's await site while it waits (`inspect::note_at`).
        let at = Location::caller();
        async move {
            let (io, addr) =
                super::accept::accept(self.sock.reg(), || self.sock.io().accept(), at).await?;
            Ok((TcpStream::from_mio(io)?, addr))
        }
    }

    /// The address it listens on (`getsockname(2)`): where the port chosen
    /// for `bind("127.0.0.1:0")` shows.
    ///
    /// # Errors
    /// The OS's.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.sock.io().local_addr()
    }
}

impl AsRawFd for TcpListener {
    fn as_raw_fd(&self) -> RawFd {
        self.sock.fd()
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.sock.fmt_local(f, "TcpListener", self.local_addr())
    }
}
