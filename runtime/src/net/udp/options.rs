//! [`UdpSocket`]'s socket options: `SO_BROADCAST` and `IP_TTL`, each a
//! `setsockopt(2)`/`getsockopt(2)`.

use std::io;

use super::UdpSocket;

impl UdpSocket {
    /// Allows (`true`) or forbids sending to a broadcast address
    /// (`setsockopt(SO_BROADCAST)`); off by default, when such a send
    /// fails with `PermissionDenied`.
    ///
    /// # Errors
    /// The OS's.
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.sock.io().set_broadcast(on)
    }

    /// Whether sending to a broadcast address is allowed
    /// (`getsockopt(SO_BROADCAST)`).
    ///
    /// # Errors
    /// The OS's.
    pub fn broadcast(&self) -> io::Result<bool> {
        self.sock.io().broadcast()
    }

    /// Sets the time-to-live of the datagrams sent (`setsockopt(IP_TTL)`):
    /// how many routers they may cross.
    ///
    /// # Errors
    /// The OS's (`InvalidInput` for 0 or more than 255).
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.sock.io().set_ttl(ttl)
    }

    /// The time-to-live (`getsockopt(IP_TTL)`; 64 by default on Linux).
    ///
    /// # Errors
    /// The OS's.
    pub fn ttl(&self) -> io::Result<u32> {
        self.sock.io().ttl()
    }
}
