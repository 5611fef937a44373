//! The tokio-shaped additions to `runtime::sync` (issue #20): semaphore
//! closing, multi-permit and owned permits; mpsc reservations, unbounded
//! channels, `recv_many`, closing, `send_timeout`, weak senders; oneshot
//! `closed`/`close`. Each test pins a behaviour tokio documents for the
//! same method, written here from that documentation.
//!
//! Most tests drive the futures by hand (`poll_once`, `CountingWaker`) or
//! with `futures::executor`: the primitives need no runtime. `send_timeout`
//! needs the runtime's timers, and runs on a paused clock.

mod mpsc;
mod oneshot;
mod semaphore;
