//! [`UdpSocket`]: datagrams on the loop's reactor, to any address
//! (`sendto(2)`/`recvfrom(2)`) or, once [`connect`](UdpSocket::connect)ed,
//! to and from one peer (`send(2)`/`recv(2)`). Its socket options
//! (`SO_BROADCAST`, `IP_TTL`) are in `udp/options.rs`.

mod options;

use std::fmt;
use std::future::Future;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::os::fd::{AsRawFd, RawFd};
use std::panic::Location;
use std::task::{Context, Poll};

use super::registered::Registered;
use crate::driver::reactor::Direction;

/// A UDP socket, registered with the reactor of the runtime it was made in.
///
/// Its methods take `&self`: one task may receive while another sends, and
/// several tasks may receive (or send) on one shared socket at once: every
/// waiting task is woken when a datagram arrives, and one of them gets it.
///
/// Unconnected, it sends to any address with [`send_to`](UdpSocket::send_to)
/// and receives from any with [`recv_from`](UdpSocket::recv_from).
/// [`connect`](UdpSocket::connect) gives it a default peer: then
/// [`send`](UdpSocket::send) and [`recv`](UdpSocket::recv) talk to that
/// peer, and the kernel drops datagrams from anyone else.
///
/// ```
/// use runtime::net::UdpSocket;
///
/// runtime::block_on(async {
///     let a = UdpSocket::bind("127.0.0.1:0").unwrap();
///     let b = UdpSocket::bind("127.0.0.1:0").unwrap();
///     a.send_to(b"ping", b.local_addr().unwrap()).await.unwrap();
///     let mut buf = [0u8; 16];
///     let (n, from) = b.recv_from(&mut buf).await.unwrap();
///     assert_eq!(&buf[..n], b"ping");
///     assert_eq!(from, a.local_addr().unwrap());
/// });
/// ```
pub struct UdpSocket {
    sock: Registered<mio::net::UdpSocket>,
}

impl UdpSocket {
    /// Creates a socket bound to `addr` (`socket(2)`, `bind(2)`), trying
    /// each address it resolves to in turn. Port 0 picks a free port.
    ///
    /// # Errors
    /// The last address's error (`AddrInUse`, ...), `InvalidInput` if
    /// `addr` resolves to nothing; `Other` outside a runtime.
    pub fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
        let io = super::each_addr(addr, mio::net::UdpSocket::bind)?;
        Ok(UdpSocket {
            sock: Registered::new(io)?,
        })
    }

    /// Sets the socket's default peer (`connect(2)`), trying each address
    /// `addr` resolves to in turn until one is accepted: from then on
    /// [`send`](UdpSocket::send) goes to that peer, and the kernel delivers
    /// only that peer's datagrams ([`recv`](UdpSocket::recv),
    /// [`recv_from`](UdpSocket::recv_from) and the others all see only
    /// those). Datagrams from others that were already queued before the
    /// call stay queued and are still received (Linux does not purge the
    /// queue). Connecting again replaces the peer. On a connected socket,
    /// an ICMP "port unreachable" from the peer makes the next receive (or
    /// send) fail with [`io::ErrorKind::ConnectionRefused`].
    ///
    /// A plain function, not `async` as tokio's is: on a datagram socket
    /// `connect(2)` sends nothing and never waits (it records the address
    /// and picks the route and the local address), and names are resolved
    /// synchronously here as for [`bind`](UdpSocket::bind), which is not
    /// `async` either. Code written for tokio drops the `.await`.
    ///
    /// ```
    /// use runtime::net::UdpSocket;
    ///
    /// runtime::block_on(async {
    ///     let a = UdpSocket::bind("127.0.0.1:0").unwrap();
    ///     let b = UdpSocket::bind("127.0.0.1:0").unwrap();
    ///     a.connect(b.local_addr().unwrap()).unwrap();
    ///     b.connect(a.local_addr().unwrap()).unwrap();
    ///     assert_eq!(a.peer_addr().unwrap(), b.local_addr().unwrap());
    ///
    ///     a.send(b"ping").await.unwrap();
    ///     let mut buf = [0u8; 16];
    ///     let n = b.recv(&mut buf).await.unwrap();
    ///     assert_eq!(&buf[..n], b"ping");
    ///     b.send(b"pong").await.unwrap();
    ///     let n = a.recv(&mut buf).await.unwrap();
    ///     assert_eq!(&buf[..n], b"pong");
    /// });
    /// ```
    ///
    /// # Errors
    /// The last address's error (`EAFNOSUPPORT` for an IPv6 peer of an
    /// IPv4 socket, `NetworkUnreachable`, ...), `InvalidInput` if `addr`
    /// resolves to nothing.
    pub fn connect<A: ToSocketAddrs>(&self, addr: A) -> io::Result<()> {
        super::each_addr(addr, |addr| self.sock.io().connect(addr))
    }

    /// Sends one datagram to the connected peer (`send(2)`), waiting while
    /// the socket's send buffer is full. Returns its length: a datagram is
    /// sent whole or not at all. See [`connect`](UdpSocket::connect) for an
    /// example.
    ///
    /// # Errors
    /// Without a peer, the OS's `EDESTADDRREQ` (Linux; `std` gives it no
    /// [`io::ErrorKind`] of its own: match
    /// [`raw_os_error`](io::Error::raw_os_error)). `ConnectionRefused` if an
    /// ICMP "port unreachable" came back for an earlier datagram; `EMSGSIZE`
    /// for a datagram too large; the OS's.
    #[track_caller]
    pub fn send(&self, buf: &[u8]) -> impl Future<Output = io::Result<usize>> {
        // Not an `async fn`, to be `#[track_caller]`: the caller's site is
        // the task's await site while it waits (`inspect::note_at`).
        let at = Location::caller();
        self.sock.io_at(Direction::Write, at, |io| io.send(buf))
    }

    /// Receives one datagram into `buf` (`recv(2)`), waiting until one
    /// arrives; returns its length. A datagram longer than `buf` is
    /// truncated (the rest is lost). On a connected socket only the peer's
    /// datagrams arrive; on an unconnected one it receives from anyone, as
    /// [`recv_from`](UdpSocket::recv_from) does without saying who. See
    /// [`connect`](UdpSocket::connect) for an example.
    ///
    /// # Errors
    /// `ConnectionRefused` on a connected socket after an ICMP "port
    /// unreachable" from the peer (the error is reported once, and the
    /// socket stays usable); the OS's.
    #[track_caller]
    pub fn recv(&self, buf: &mut [u8]) -> impl Future<Output = io::Result<usize>> {
        // Not an `async fn`, to be `#[track_caller]`: the caller's site is
        // the task's await site while it waits (`inspect::note_at`).
        let at = Location::caller();
        self.sock.io_at(Direction::Read, at, |io| io.recv(buf))
    }

    /// Sends one datagram to `target` (`sendto(2)`), waiting while the
    /// socket's send buffer is full. `target` is resolved first; the first
    /// address is used.
    ///
    /// # Errors
    /// `InvalidInput` if `target` resolves to nothing; the OS's
    /// (`EMSGSIZE` for a datagram too large, ...).
    #[track_caller]
    pub fn send_to<A: ToSocketAddrs>(
        &self,
        buf: &[u8],
        target: A,
    ) -> impl Future<Output = io::Result<usize>> {
        // Not an `async fn`, to be `#[track_caller]`: the caller's site is
        // the task's await site while it waits (`inspect::note_at`).
        let at = Location::caller();
        async move {
            let target = target
                .to_socket_addrs()?
                .next()
                .ok_or_else(super::no_addresses)?;
            let send = |io: &mio::net::UdpSocket| io.send_to(buf, target);
            self.sock.io_at(Direction::Write, at, send).await
        }
    }

    /// Receives one datagram into `buf` (`recvfrom(2)`), waiting until one
    /// arrives. Returns its length and sender; a datagram longer than `buf`
    /// is truncated.
    ///
    /// # Errors
    /// The OS's (`ConnectionRefused` on a connected socket after an ICMP
    /// port unreachable, ...).
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

    /// Copies the next datagram into `buf` without taking it off the
    /// queue (`recvfrom(2)` with `MSG_PEEK`), waiting until one arrives:
    /// the next receive returns it again. Returns its length (truncated to
    /// `buf`'s) and sender.
    ///
    /// # Errors
    /// As [`recv_from`](UdpSocket::recv_from).
    #[track_caller]
    pub fn peek_from(
        &self,
        buf: &mut [u8],
    ) -> impl Future<Output = io::Result<(usize, SocketAddr)>> {
        // Not an `async fn`, to be `#[track_caller]`: the caller's site is
        // the task's await site while it waits (`inspect::note_at`).
        let at = Location::caller();
        self.sock.io_at(Direction::Read, at, |io| io.peek_from(buf))
    }

    /// The poll form of [`send`](UdpSocket::send).
    pub fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.sock.poll_io(Direction::Write, cx, |io| io.send(buf))
    }

    /// The poll form of [`recv`](UdpSocket::recv). Takes a slice and
    /// returns the length, as [`poll_recv_from`](UdpSocket::poll_recv_from)
    /// and [`UnixDatagram::poll_recv`](super::UnixDatagram::poll_recv) do
    /// (tokio's takes a `ReadBuf`).
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.sock.poll_io(Direction::Read, cx, |io| io.recv(buf))
    }

    /// The poll form of [`send_to`](UdpSocket::send_to), with the target
    /// already resolved.
    pub fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        target: SocketAddr,
    ) -> Poll<io::Result<usize>> {
        self.sock
            .poll_io(Direction::Write, cx, |io| io.send_to(buf, target))
    }

    /// The poll form of [`recv_from`](UdpSocket::recv_from).
    pub fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        self.sock
            .poll_io(Direction::Read, cx, |io| io.recv_from(buf))
    }

    /// The poll form of [`peek_from`](UdpSocket::peek_from).
    pub fn poll_peek_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        self.sock
            .poll_io(Direction::Read, cx, |io| io.peek_from(buf))
    }

    /// The address it is bound to (`getsockname(2)`).
    ///
    /// # Errors
    /// The OS's.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.sock.io().local_addr()
    }

    /// The peer it is [`connect`](UdpSocket::connect)ed to
    /// (`getpeername(2)`).
    ///
    /// # Errors
    /// [`io::ErrorKind::NotConnected`] before `connect`; the OS's.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.sock.io().peer_addr()
    }
}

impl AsRawFd for UdpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.sock.fd()
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.sock.fmt_local(f, "UdpSocket", self.local_addr())
    }
}
