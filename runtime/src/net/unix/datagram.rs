//! [`UnixDatagram`]: Unix datagrams on the loop's reactor.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::Shutdown;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::SocketAddr;
use std::panic::Location;
use std::path::Path;
use std::task::{Context, Poll};

use crate::driver::reactor::Direction;
use crate::net::registered::Registered;

/// A Unix datagram socket (`AF_UNIX, SOCK_DGRAM`), registered with the
/// reactor of the runtime it was made in. Datagrams keep their boundaries
/// and, unlike UDP's, are never lost or reordered: a full receiver makes
/// the sender wait.
///
/// Its methods take `&self`, as [`UdpSocket`](crate::net::UdpSocket)'s:
/// one task may receive while another sends, and several tasks may wait on
/// one direction (each is woken; one gets the datagram).
///
/// ```
/// use runtime::net::UnixDatagram;
///
/// runtime::block_on(async {
///     let (a, b) = UnixDatagram::pair().unwrap();
///     a.send(b"one").await.unwrap();
///     a.send(b"two").await.unwrap();
///     let mut buf = [0u8; 16];
///     let n = b.recv(&mut buf).await.unwrap();
///     assert_eq!(&buf[..n], b"one"); // boundaries kept
/// });
/// ```
pub struct UnixDatagram {
    sock: Registered<mio::net::UnixDatagram>,
}

impl UnixDatagram {
    /// A socket bound to the file `path` (`socket(2)`, `bind(2)`); the file
    /// stays after the socket is dropped.
    ///
    /// # Errors
    /// `AddrInUse` if the file exists, or the OS's; `Other` outside a
    /// runtime.
    pub fn bind<P: AsRef<Path>>(path: P) -> io::Result<UnixDatagram> {
        UnixDatagram::from_mio(mio::net::UnixDatagram::bind(path)?)
    }

    /// As [`bind`](UnixDatagram::bind), to any address (an abstract name on
    /// Linux).
    ///
    /// # Errors
    /// As [`bind`](UnixDatagram::bind).
    pub fn bind_addr(addr: &SocketAddr) -> io::Result<UnixDatagram> {
        UnixDatagram::from_mio(mio::net::UnixDatagram::bind_addr(addr)?)
    }

    /// A socket bound to no address: it can send, and receive replies only
    /// after it [`connect`](UnixDatagram::connect)s or from a `pair`.
    ///
    /// # Errors
    /// The OS's; `Other` outside a runtime.
    pub fn unbound() -> io::Result<UnixDatagram> {
        UnixDatagram::from_mio(mio::net::UnixDatagram::unbound()?)
    }

    /// Two connected sockets (`socketpair(AF_UNIX, SOCK_DGRAM)`).
    ///
    /// # Errors
    /// The OS's; `Other` outside a runtime.
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = mio::net::UnixDatagram::pair()?;
        Ok((UnixDatagram::from_mio(a)?, UnixDatagram::from_mio(b)?))
    }

    fn from_mio(io: mio::net::UnixDatagram) -> io::Result<UnixDatagram> {
        Ok(UnixDatagram {
            sock: Registered::new(io)?,
        })
    }

    /// Sets the default peer (`connect(2)`): [`send`](UnixDatagram::send)
    /// goes there, and only its datagrams are received.
    ///
    /// # Errors
    /// `NotFound`, `ConnectionRefused`, or the OS's.
    pub fn connect<P: AsRef<Path>>(&self, path: P) -> io::Result<()> {
        self.sock.io().connect(path)
    }

    /// Sends one datagram to the connected peer (`send(2)`), waiting while
    /// the peer's queue is full.
    ///
    /// # Errors
    /// `NotConnected` without a peer, or the OS's.
    #[track_caller]
    pub fn send(&self, buf: &[u8]) -> impl Future<Output = io::Result<usize>> {
        // Not an `async fn`, to be `#[track_caller]`: the caller's site is
        // the task's await site while it waits (`inspect::note_at`).
        let at = Location::caller();
        self.sock.io_at(Direction::Write, at, |io| io.send(buf))
    }

    /// Receives one datagram (`recv(2)`); one longer than `buf` is
    /// truncated.
    ///
    /// # Errors
    /// The OS's.
    #[track_caller]
    pub fn recv(&self, buf: &mut [u8]) -> impl Future<Output = io::Result<usize>> {
        // Not an `async fn`, to be `#[track_caller]`: the caller's site is
        // the task's await site while it waits (`inspect::note_at`).
        let at = Location::caller();
        self.sock.io_at(Direction::Read, at, |io| io.recv(buf))
    }

    /// Sends one datagram to the socket bound to `path` (`sendto(2)`).
    ///
    /// # Errors
    /// `NotFound`, `ConnectionRefused`, or the OS's.
    #[track_caller]
    pub fn send_to<P: AsRef<Path>>(
        &self,
        buf: &[u8],
        path: P,
    ) -> impl Future<Output = io::Result<usize>> {
        // Not an `async fn`, to be `#[track_caller]`: the caller's site is
        // the task's await site while it waits (`inspect::note_at`).
        let at = Location::caller();
        async move {
            let path = path.as_ref();
            let send = |io: &mio::net::UnixDatagram| io.send_to(buf, path);
            self.sock.io_at(Direction::Write, at, send).await
        }
    }

    /// Receives one datagram and its sender's address (`recvfrom(2)`).
    ///
    /// # Errors
    /// The OS's.
    #[track_caller]
    pub fn recv_from(
        &self,
        buf: &mut [u8],
    ) -> impl Future<Output = io::Result<(usize, SocketAddr)>> {
        // Not an `async fn`, to be `#[track_caller]`: the caller's site is
        // the task's await site while it waits (`inspect::note_at`).
        let at = Location::caller();
        self.sock.io_at(Direction::Read, at, |io| io.recv_from(buf))
    }

    /// The poll form of [`send`](UnixDatagram::send).
    pub fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.sock.poll_io(Direction::Write, cx, |io| io.send(buf))
    }

    /// The poll form of [`recv`](UnixDatagram::recv).
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.sock.poll_io(Direction::Read, cx, |io| io.recv(buf))
    }

    /// The address it is bound to (`getsockname(2)`).
    ///
    /// # Errors
    /// The OS's.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.sock.io().local_addr()
    }

    /// The connected peer's address (`getpeername(2)`).
    ///
    /// # Errors
    /// `NotConnected` without a peer.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.sock.io().peer_addr()
    }

    /// Shuts down receiving, sending or both (`shutdown(2)`).
    ///
    /// # Errors
    /// The OS's.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.sock.io().shutdown(how)
    }
}

impl AsRawFd for UnixDatagram {
    fn as_raw_fd(&self) -> RawFd {
        self.sock.fd()
    }
}

impl fmt::Debug for UnixDatagram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.sock.fmt_local(f, "UnixDatagram", self.local_addr())
    }
}
