//! [`TcpStream`]'s socket options: `TCP_NODELAY`, `SO_LINGER`, `IP_TTL`,
//! each a `setsockopt(2)`/`getsockopt(2)`.

use std::io;
use std::time::Duration;

use super::TcpStream;
use crate::net::sockopt;

impl TcpStream {
    /// Turns Nagle's algorithm off (`true`) or on: `setsockopt(TCP_NODELAY)`.
    /// Small writes then leave at once instead of waiting to be coalesced.
    ///
    /// # Errors
    /// The OS's.
    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.inner.io().set_nodelay(on)
    }

    /// Whether Nagle's algorithm is off: `getsockopt(TCP_NODELAY)`.
    ///
    /// # Errors
    /// The OS's.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.inner.io().nodelay()
    }

    /// Sets `SO_LINGER`, what `close(2)` does with unsent data: `None` (the
    /// default) returns at once and the kernel sends it in the background;
    /// `Some(d)` makes the close wait up to `d` (whole seconds) for it to
    /// be sent, blocking the loop's thread while it does (the drop of the
    /// stream is that close); `Some(Duration::ZERO)` resets the connection
    /// (`RST`) at once and discards it.
    ///
    /// ```
    /// use std::time::Duration;
    /// use runtime::net::{TcpListener, TcpStream};
    ///
    /// runtime::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    ///     let stream = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     assert_eq!(stream.linger().unwrap(), None);
    ///     stream.set_linger(Some(Duration::ZERO)).unwrap(); // drop sends RST
    ///     assert_eq!(stream.linger().unwrap(), Some(Duration::ZERO));
    /// });
    /// ```
    ///
    /// # Errors
    /// The OS's.
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        sockopt::set_linger(self.inner.fd(), linger)
    }

    /// `SO_LINGER` as set (see [`set_linger`](TcpStream::set_linger)).
    ///
    /// # Errors
    /// The OS's.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        sockopt::linger(self.inner.fd())
    }

    /// Sets the time-to-live of the packets sent (`setsockopt(IP_TTL)`):
    /// how many routers they may cross.
    ///
    /// # Errors
    /// The OS's (`InvalidInput` for 0 or more than 255).
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.inner.io().set_ttl(ttl)
    }

    /// The time-to-live (`getsockopt(IP_TTL)`; 64 by default on Linux).
    ///
    /// # Errors
    /// The OS's.
    pub fn ttl(&self) -> io::Result<u32> {
        self.inner.io().ttl()
    }
}
