//! [`UnixListener`]: accepting Unix stream connections on the loop's reactor.

use std::fmt;
use std::future::Future;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::SocketAddr;
use std::panic::Location;
use std::path::Path;

use super::UnixStream;
use crate::net::registered::Registered;

/// A Unix stream socket listening for connections, registered with the
/// reactor of the runtime it was made in.
///
/// ```
/// use runtime::net::{UnixListener, UnixStream};
///
/// let dir = std::env::temp_dir().join(format!("unix-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("echo.sock");
/// let _ = std::fs::remove_file(&path);
/// runtime::block_on(async {
///     let listener = UnixListener::bind(&path).unwrap();
///     let mut client = UnixStream::connect(&path).await.unwrap();
///     let (mut server, _) = listener.accept().await.unwrap();
///     client.write_all(b"ping").await.unwrap();
///     let mut got = [0u8; 4];
///     server.read_exact(&mut got).await.unwrap();
///     assert_eq!(&got, b"ping");
/// });
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub struct UnixListener {
    sock: Registered<mio::net::UnixListener>,
}

impl UnixListener {
    /// Creates a socket bound to the file `path` and listens on it:
    /// `socket(AF_UNIX, SOCK_STREAM)`, `bind(2)`, `listen(2)` with a backlog
    /// of -1, which Linux reads as its maximum, `net.core.somaxconn` (as
    /// `mio` and `std` do). The file stays after the listener is dropped;
    /// remove it before binding the path again.
    ///
    /// # Errors
    /// `AddrInUse` if the file exists, `InvalidInput` for a path longer
    /// than 107 bytes, the OS's; `Other` outside a runtime.
    pub fn bind<P: AsRef<Path>>(path: P) -> io::Result<UnixListener> {
        UnixListener::from_mio(mio::net::UnixListener::bind(path)?)
    }

    /// As [`bind`](UnixListener::bind), to any address: a path, or on
    /// Linux an abstract name (`SocketAddr::from_abstract_name`, from
    /// `std::os::linux::net::SocketAddrExt`), which needs no file.
    ///
    /// # Errors
    /// As [`bind`](UnixListener::bind).
    pub fn bind_addr(addr: &SocketAddr) -> io::Result<UnixListener> {
        UnixListener::from_mio(mio::net::UnixListener::bind_addr(addr)?)
    }

    fn from_mio(io: mio::net::UnixListener) -> io::Result<UnixListener> {
        Ok(UnixListener {
            sock: Registered::new(io)?,
        })
    }

    /// Waits for and accepts the next connection (`accept4(2)` with
    /// `SOCK_NONBLOCK|SOCK_CLOEXEC`), registering it with the reactor. Out
    /// of descriptors (`EMFILE`, ...), it waits and retries as
    /// [`TcpListener::accept`](crate::net::TcpListener::accept) does.
    ///
    /// # Errors
    /// Other errors of `accept4(2)` or `epoll_ctl(2)`.
    #[track_caller]
    pub fn accept(&self) -> impl Future<Output = io::Result<(UnixStream, SocketAddr)>> {
        // Not an `async fn`, to be `#[track_caller]`: the caller's site is
        // the task's await site while it waits (`inspect::note_at`).
        let at = Location::caller();
        async move {
            let (io, addr) =
                crate::net::accept::accept(self.sock.reg(), || self.sock.io().accept(), at).await?;
            Ok((UnixStream::from_mio(io)?, addr))
        }
    }

    /// The address it listens on (`getsockname(2)`).
    ///
    /// # Errors
    /// The OS's.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.sock.io().local_addr()
    }
}

impl AsRawFd for UnixListener {
    fn as_raw_fd(&self) -> RawFd {
        self.sock.fd()
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.sock.fmt_local(f, "UnixListener", self.local_addr())
    }
}
