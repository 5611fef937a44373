//! Unix domain sockets on the loop's reactor: [`UnixListener`],
//! [`UnixStream`] (and its halves, here as in tokio's `net::unix`), and
//! [`UnixDatagram`].
//!
//! The same design as the TCP types (see the `net` module docs): a `mio`
//! socket plus a registration with the reactor of the runtime it was made
//! in; `Send` and `Sync`, usable only on that runtime's thread (elsewhere
//! an operation returns an error); every waiter of a direction kept and
//! woken. The stream shares its reads and writes with `TcpStream`
//! (`net/stream.rs`): `recv(2)` (into uninitialised memory for `read_buf`),
//! `send(2)` with `MSG_NOSIGNAL` (so a closed peer is `EPIPE`, never
//! `SIGPIPE`), `readv(2)`, `sendmsg(2)`.
//!
//! Addresses are `std::os::unix::net::SocketAddr`: a path
//! (`bind("/run/app.sock")`, removed by nobody: delete the file before
//! binding again), or on Linux an abstract name that lives in a namespace
//! of its own and vanishes with the socket
//! (`SocketAddr::from_abstract_name`, through `bind_addr`/`connect_addr`).

mod datagram;
mod listener;
mod split;
mod stream;

pub use datagram::UnixDatagram;
pub use listener::UnixListener;
pub use split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
pub use stream::UnixStream;
