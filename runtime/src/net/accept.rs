//! The accept loop of [`TcpListener`](super::TcpListener) and
//! [`UnixListener`](super::UnixListener): `accept4(2)` until it gives a
//! connection, waiting on the reactor for `EAGAIN` and on a timer when the
//! process is out of descriptors or memory.

use std::future::poll_fn;
use std::io;
use std::panic::Location;
use std::time::Duration;

use super::registration::{Registration, Waiter};
use crate::driver::reactor::Direction;

/// The first pause after `accept4(2)` fails for lack of file descriptors.
const BACKOFF_MIN: Duration = Duration::from_millis(10);
/// The longest pause: the backoff doubles up to this.
const BACKOFF_MAX: Duration = Duration::from_millis(100);

/// Runs `op` (a non-blocking `accept4(2)`) until it accepts a connection.
///
/// When the process or the system is out of file descriptors (`EMFILE`,
/// `ENFILE`) or of socket memory (`ENOBUFS`, `ENOMEM`), the connection
/// stays in the kernel's backlog and this neither fails nor spins: it
/// sleeps (10 ms, doubling up to 100 ms) and tries again, while the other
/// tasks keep running. A connection the peer aborted before it was accepted
/// (`ECONNABORTED`) is skipped. Each accept counts in `Stats::accepts`.
pub(super) async fn accept<T>(
    reg: &Registration,
    mut op: impl FnMut() -> io::Result<T>,
    at: &'static Location<'static>,
) -> io::Result<T> {
    let mut backoff = BACKOFF_MIN;
    let mut waiter = Waiter::new(reg, Direction::Read, at);
    loop {
        match poll_fn(|cx| waiter.poll_io(cx, &mut op)).await {
            Ok(accepted) => {
                reg.runtime()
                    .with(|sched| sched.driver().counters().accepted());
                return Ok(accepted);
            }
            Err(e) if is_out_of_resources(&e) => {
                // Readiness stays set (the backlog still holds the
                // connection): after the pause, accept4 is tried again.
                crate::time::sleep(backoff).sited(at).await;
                backoff = (backoff * 2).min(BACKOFF_MAX);
            }
            Err(e) if e.kind() == io::ErrorKind::ConnectionAborted => {}
            Err(e) => return Err(e),
        }
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
