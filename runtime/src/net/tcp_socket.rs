//! [`TcpSocket`]: a TCP socket not yet bound or connected, to set options
//! on before `bind(2)`/`listen(2)` or `connect(2)`.

use std::fmt;
use std::future::Future;
use std::io;
use std::mem::ManuallyDrop;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::panic::Location;
use std::time::Duration;

use super::{TcpListener, TcpStream, sockopt};

/// A TCP socket before it is a listener or a connection: made by
/// [`new_v4`](TcpSocket::new_v4)/[`new_v6`](TcpSocket::new_v6)
/// (`socket(2)`), configured with `setsockopt(2)`, then turned into a
/// [`TcpListener`] by [`listen`](TcpSocket::listen) or a [`TcpStream`] by
/// [`connect`](TcpSocket::connect) (tokio's `TcpSocket`).
///
/// What it is for: options that must be set before `bind(2)` or
/// `connect(2)` to take effect. `SO_REUSEPORT` lets several listeners bind
/// one port, and the kernel spreads incoming connections over them (one
/// listener per event loop, each loop on its own thread: a multi-loop
/// server without a shared accept queue); the buffer sizes shape the TCP
/// window before the handshake advertises it.
///
/// It is created and configured outside a runtime too; `listen` and
/// `connect` register with the runtime running on this thread. `Send` and
/// `Sync`; closed when dropped.
///
/// ```
/// use runtime::net::{TcpSocket, TcpStream};
///
/// runtime::block_on(async {
///     // Two listeners on one port: each loop of a multi-loop server has one.
///     let addr = "127.0.0.1:0".parse().unwrap();
///     let first = TcpSocket::new_v4().unwrap();
///     first.set_reuseport(true).unwrap();
///     first.bind(addr).unwrap();
///     let port = first.local_addr().unwrap();
///     let first = first.listen(1024).unwrap();
///     let second = TcpSocket::new_v4().unwrap();
///     second.set_reuseport(true).unwrap();
///     second.bind(port).unwrap();
///     let second = second.listen(1024).unwrap();
///     assert_eq!(second.local_addr().unwrap(), first.local_addr().unwrap());
///     let _client = TcpStream::connect(port).await.unwrap();
/// });
/// ```
pub struct TcpSocket {
    fd: OwnedFd,
}

impl TcpSocket {
    /// A new IPv4 TCP socket: `socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK
    /// | SOCK_CLOEXEC, 0)`.
    ///
    /// # Errors
    /// The OS's (`EMFILE`, ...).
    pub fn new_v4() -> io::Result<TcpSocket> {
        TcpSocket::new(libc::AF_INET)
    }

    /// A new IPv6 TCP socket: `socket(AF_INET6, ...)`.
    ///
    /// # Errors
    /// The OS's (`EAFNOSUPPORT` without IPv6, ...).
    pub fn new_v6() -> io::Result<TcpSocket> {
        TcpSocket::new(libc::AF_INET6)
    }

    fn new(domain: libc::c_int) -> io::Result<TcpSocket> {
        let flags = libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC;
        // SAFETY: `socket(2)` takes no pointers.
        let fd = unsafe { libc::socket(domain, flags, 0) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just opened and nothing else owns it.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(TcpSocket { fd })
    }

    /// Allows binding an address still in `TIME_WAIT` from an earlier
    /// listener (`SO_REUSEADDR`), what [`TcpListener::bind`] sets.
    ///
    /// # Errors
    /// The OS's.
    pub fn set_reuseaddr(&self, on: bool) -> io::Result<()> {
        sockopt::set_flag(self.raw(), libc::SOL_SOCKET, libc::SO_REUSEADDR, on)
    }

    /// Whether `SO_REUSEADDR` is set.
    ///
    /// # Errors
    /// The OS's.
    pub fn reuseaddr(&self) -> io::Result<bool> {
        sockopt::flag(self.raw(), libc::SOL_SOCKET, libc::SO_REUSEADDR)
    }

    /// Allows several sockets to bind the same address and port
    /// (`SO_REUSEPORT`): every one of them must set it before `bind`. For
    /// listeners, the kernel spreads new connections over them by a hash
    /// of the connection's addresses and ports.
    ///
    /// # Errors
    /// The OS's.
    pub fn set_reuseport(&self, on: bool) -> io::Result<()> {
        sockopt::set_flag(self.raw(), libc::SOL_SOCKET, libc::SO_REUSEPORT, on)
    }

    /// Whether `SO_REUSEPORT` is set.
    ///
    /// # Errors
    /// The OS's.
    pub fn reuseport(&self) -> io::Result<bool> {
        sockopt::flag(self.raw(), libc::SOL_SOCKET, libc::SO_REUSEPORT)
    }

    /// Asks for a send buffer of `size` bytes (`SO_SNDBUF`). Linux doubles
    /// the value for its bookkeeping (and reports the doubled value), and
    /// caps it at `net.core.wmem_max`.
    ///
    /// # Errors
    /// The OS's; `InvalidInput` above `i32::MAX`.
    pub fn set_send_buffer_size(&self, size: u32) -> io::Result<()> {
        sockopt::set_int(self.raw(), libc::SOL_SOCKET, libc::SO_SNDBUF, size)
    }

    /// The send buffer size (`SO_SNDBUF`, as the kernel reports it).
    ///
    /// # Errors
    /// The OS's.
    pub fn send_buffer_size(&self) -> io::Result<u32> {
        sockopt::int(self.raw(), libc::SOL_SOCKET, libc::SO_SNDBUF)
    }

    /// Asks for a receive buffer of `size` bytes (`SO_RCVBUF`; doubled and
    /// capped at `net.core.rmem_max` as for the send buffer). Set it before
    /// `connect` or `listen`: the window scale is fixed by the handshake.
    ///
    /// # Errors
    /// The OS's; `InvalidInput` above `i32::MAX`.
    pub fn set_recv_buffer_size(&self, size: u32) -> io::Result<()> {
        sockopt::set_int(self.raw(), libc::SOL_SOCKET, libc::SO_RCVBUF, size)
    }

    /// The receive buffer size (`SO_RCVBUF`, as the kernel reports it).
    ///
    /// # Errors
    /// The OS's.
    pub fn recv_buffer_size(&self) -> io::Result<u32> {
        sockopt::int(self.raw(), libc::SOL_SOCKET, libc::SO_RCVBUF)
    }

    /// Turns TCP keep-alive probes on or off (`SO_KEEPALIVE`).
    ///
    /// # Errors
    /// The OS's.
    pub fn set_keepalive(&self, on: bool) -> io::Result<()> {
        sockopt::set_flag(self.raw(), libc::SOL_SOCKET, libc::SO_KEEPALIVE, on)
    }

    /// Whether `SO_KEEPALIVE` is set.
    ///
    /// # Errors
    /// The OS's.
    pub fn keepalive(&self) -> io::Result<bool> {
        sockopt::flag(self.raw(), libc::SOL_SOCKET, libc::SO_KEEPALIVE)
    }

    /// `TCP_NODELAY` (see [`TcpStream::set_nodelay`]); a listener's accepted
    /// connections inherit it.
    ///
    /// # Errors
    /// The OS's.
    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        sockopt::set_flag(self.raw(), libc::IPPROTO_TCP, libc::TCP_NODELAY, on)
    }

    /// Whether `TCP_NODELAY` is set.
    ///
    /// # Errors
    /// The OS's.
    pub fn nodelay(&self) -> io::Result<bool> {
        sockopt::flag(self.raw(), libc::IPPROTO_TCP, libc::TCP_NODELAY)
    }

    /// `SO_LINGER` (see [`TcpStream::set_linger`]).
    ///
    /// # Errors
    /// The OS's.
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        sockopt::set_linger(self.raw(), linger)
    }

    /// `SO_LINGER` as set.
    ///
    /// # Errors
    /// The OS's.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        sockopt::linger(self.raw())
    }

    /// Binds to `addr` (`bind(2)`); port 0 picks a free port, read back
    /// with [`local_addr`](TcpSocket::local_addr).
    ///
    /// # Errors
    /// `AddrInUse` (without `SO_REUSEPORT` on every socket of the port, or
    /// with it but another user's), `InvalidInput` for an address of the
    /// other family, or the OS's.
    pub fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        let (storage, len) = sockaddr(&addr);
        // SAFETY: `storage` holds a valid `sockaddr_in`/`sockaddr_in6` of
        // `len` bytes and lives for the call.
        let ret = unsafe { libc::bind(self.raw(), (&raw const storage).cast(), len) };
        if ret == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    /// The address it is bound to (`getsockname(2)`).
    ///
    /// # Errors
    /// The OS's.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.with_std(|s| s.local_addr())
    }

    /// Takes the pending socket error (`getsockopt(SO_ERROR)`).
    ///
    /// # Errors
    /// The OS's.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.with_std(|s| s.take_error())
    }

    /// Listens (`listen(2)`, with at most `backlog` connections waiting to
    /// be accepted; Linux caps it at `net.core.somaxconn`) and registers
    /// the listener with the runtime on this thread. An unbound socket is
    /// given a free port first.
    ///
    /// # Errors
    /// The OS's; `Other` outside a runtime.
    pub fn listen(self, backlog: u32) -> io::Result<TcpListener> {
        let backlog = libc::c_int::try_from(backlog).unwrap_or(libc::c_int::MAX);
        // SAFETY: `listen(2)` takes no pointers.
        if unsafe { libc::listen(self.raw(), backlog) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let std = std::net::TcpListener::from(self.fd);
        TcpListener::from_mio(mio::net::TcpListener::from_std(std))
    }

    /// Connects to `addr` (a non-blocking `connect(2)`, then the wait that
    /// [`TcpStream::connect`] does) and registers the stream with the
    /// runtime on this thread.
    ///
    /// # Errors
    /// `ConnectionRefused`, `TimedOut`, ... as for [`TcpStream::connect`];
    /// `Other` outside a runtime.
    #[track_caller]
    pub fn connect(self, addr: SocketAddr) -> impl Future<Output = io::Result<TcpStream>> {
        // Not an `async fn`, to be `#[track_caller]`: the caller's site is
        // the task's await site while it waits (`inspect::note_at`).
        let at = Location::caller();
        async move {
            let (storage, len) = sockaddr(&addr);
            // SAFETY: as in `bind`.
            let ret = unsafe { libc::connect(self.raw(), (&raw const storage).cast(), len) };
            if ret != 0 {
                let e = io::Error::last_os_error();
                // EINPROGRESS: the handshake goes on; EINTR: it goes on too
                // (POSIX), and its outcome is reported the same way.
                if !matches!(e.raw_os_error(), Some(libc::EINPROGRESS | libc::EINTR)) {
                    return Err(e);
                }
            }
            let std = std::net::TcpStream::from(self.fd);
            let stream = TcpStream::from_mio(mio::net::TcpStream::from_std(std))?;
            stream.finish_connect(at).await?;
            Ok(stream)
        }
    }

    fn raw(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Runs `f` on a `std::net::TcpStream` view of the fd, for the
    /// `getsockname`/`SO_ERROR` helpers `std` already has.
    fn with_std<T>(&self, f: impl FnOnce(&std::net::TcpStream) -> T) -> T {
        // SAFETY: the fd is open (owned by `self`, which outlives the
        // view), and `ManuallyDrop` keeps the view from closing it.
        let view = ManuallyDrop::new(unsafe { std::net::TcpStream::from_raw_fd(self.raw()) });
        f(&view)
    }
}

/// `addr` as a C socket address: a `sockaddr_in` or `sockaddr_in6` in a
/// `sockaddr_storage`, and its length.
fn sockaddr(addr: &SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: all-zero is a valid `sockaddr_storage` (an unspecified family).
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match addr {
        SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr {
                    // The octets in network order, as they are in memory.
                    s_addr: u32::from_ne_bytes(a.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: `sockaddr_storage` is large and aligned enough for
            // every socket address type (its definition's purpose).
            unsafe { (&raw mut storage).cast::<libc::sockaddr_in>().write(sin) };
            std::mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: a.port().to_be(),
                sin6_flowinfo: a.flowinfo(),
                sin6_addr: libc::in6_addr {
                    s6_addr: a.ip().octets(),
                },
                sin6_scope_id: a.scope_id(),
            };
            // SAFETY: as above.
            unsafe { (&raw mut storage).cast::<libc::sockaddr_in6>().write(sin6) };
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    // Both sizes are a few dozen bytes: they fit a socklen_t.
    (storage, len as libc::socklen_t)
}

impl AsRawFd for TcpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.raw()
    }
}

impl AsFd for TcpSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl fmt::Debug for TcpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpSocket")
            .field("fd", &self.raw())
            .field("local", &self.local_addr().ok())
            .finish()
    }
}
