//! [`UdpSocket`]: datagrams on the loop's reactor.

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
    /// The OS's (`ConnectionRefused` after an ICMP port unreachable, ...).
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

    /// The address it is bound to (`getsockname(2)`).
    ///
    /// # Errors
    /// The OS's.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.sock.io().local_addr()
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
