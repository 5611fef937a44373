//! The local listener the demos' own servers use (`files`' echo server,
//! `c10k`'s thread server): `127.0.0.1`, any free port, a wide backlog.

use std::net::{SocketAddr, TcpListener};

/// A listener on `127.0.0.1` at a port the kernel picks, with the backlog
/// widened (see [`widen_backlog`]), and its address.
pub fn listen_local() -> Result<(TcpListener, SocketAddr), String> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listener's address: {e}"))?;
    widen_backlog(&listener);
    Ok((listener, addr))
}

/// std listens with a backlog of 128; a burst of hundreds of connects
/// could overflow it (dropped SYNs wait out 1 s retransmissions). Linux
/// lets `listen(2)` be called again to change the backlog.
fn widen_backlog(listener: &TcpListener) {
    use std::os::fd::AsRawFd;
    // SAFETY: listen(2) on a descriptor we own; a failure leaves the old
    // backlog in place, which is only slower.
    unsafe {
        libc::listen(listener.as_raw_fd(), 4096);
    }
}
