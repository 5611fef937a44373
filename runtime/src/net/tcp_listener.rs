//! [`TcpListener`]: accepting TCP connections on the loop's reactor.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;

use super::TcpStream;
use super::registration::{Registration, Waiter};
use crate::driver::reactor::Direction;

/// The first pause after `accept4(2)` fails for lack of file descriptors.
const BACKOFF_MIN: Duration = Duration::from_millis(10);
/// The longest pause: the backoff doubles up to this.
const BACKOFF_MAX: Duration = Duration::from_millis(100);

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
    io: mio::net::TcpListener,
    reg: Registration,
}

impl TcpListener {
    /// Binds to `addr`, trying each address it resolves to in turn, and
    /// listens: `socket(2)`, `setsockopt(SO_REUSEADDR)`, `bind(2)`,
    /// `listen(2)` with a backlog of 1024 (as `mio` does). Port 0 picks a
    /// free port: read it back with [`local_addr`](TcpListener::local_addr).
    ///
    /// # Errors
    /// The last address's error (`AddrInUse`, `PermissionDenied`, ...),
    /// `InvalidInput` if `addr` resolves to nothing; `Other` outside a
    /// runtime.
    pub fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        let mut io = super::each_addr(addr, mio::net::TcpListener::bind)?;
        let fd = io.as_raw_fd();
        let reg = Registration::new(&mut io, fd)?;
        Ok(TcpListener { io, reg })
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
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let mut backoff = BACKOFF_MIN;
        let mut waiter = Waiter::new(&self.reg, Direction::Read);
        loop {
            match poll_fn(|cx| waiter.poll_io(cx, || self.io.accept())).await {
                Ok((io, addr)) => {
                    let rt = self.reg.runtime();
                    rt.with(|sched| sched.driver().counters().accepted());
                    return Ok((TcpStream::from_mio(io)?, addr));
                }
                Err(e) if is_out_of_resources(&e) => {
                    // Readiness stays set (the backlog still holds the
                    // connection): after the pause, accept4 is tried again.
                    crate::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(BACKOFF_MAX);
                }
                Err(e) if e.kind() == io::ErrorKind::ConnectionAborted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// The address it listens on (`getsockname(2)`): where the port chosen
    /// for `bind("127.0.0.1:0")` shows.
    ///
    /// # Errors
    /// The OS's.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.local_addr()
    }
}

/// Errors after which `accept4(2)` may succeed later, once descriptors or
/// memory are freed.
fn is_out_of_resources(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}

impl Drop for TcpListener {
    fn drop(&mut self) {
        self.reg.deregister(&mut self.io);
    }
}

impl AsRawFd for TcpListener {
    fn as_raw_fd(&self) -> RawFd {
        self.io.as_raw_fd()
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener")
            .field("fd", &self.io.as_raw_fd())
            .field("local", &self.io.local_addr().ok())
            .finish()
    }
}
