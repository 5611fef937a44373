//! Part 2's server, in the parent process: one thread per connection,
//! which answers `ping` with `pong` and then waits for EOF.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::support::net::listen_local;

/// The local server of part 2, in the parent process: one thread per
/// connection, which answers `ping` with `pong` and then waits for EOF.
/// Stopped (and its threads joined) by `stop` or when dropped.
pub(super) struct Server {
    pub(super) addr: SocketAddr,
    stop: Arc<AtomicBool>,
    acceptor: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    pub(super) fn start() -> Result<Server, String> {
        let (listener, addr) = listen_local()?;
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = std::thread::Builder::new()
            .name("files-server".into())
            .spawn({
                let stop = stop.clone();
                move || accept_loop(&listener, &stop)
            })
            .map_err(|e| format!("cannot start the server thread: {e}"))?;
        Ok(Server {
            addr,
            stop,
            acceptor: Some(acceptor),
        })
    }

    pub(super) fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let Some(acceptor) = self.acceptor.take() else {
            return;
        };
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept(2) with one last connection.
        let _ = std::net::TcpStream::connect(self.addr);
        let _ = acceptor.join();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}
fn accept_loop(listener: &std::net::TcpListener, stop: &AtomicBool) {
    let mut handlers = Vec::new();
    loop {
        let accepted = listener.accept();
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok((mut stream, _)) = accepted else {
            // (EMFILE, ECONNABORTED...): not a busy loop if it persists.
            std::thread::sleep(Duration::from_millis(1));
            continue;
        };
        let spawned = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(move || {
                let mut req = [0u8; 4];
                if stream.read_exact(&mut req).is_ok() && &req == b"ping" {
                    let _ = stream.write_all(b"pong");
                }
                let mut rest = [0u8; 16];
                while matches!(stream.read(&mut rest), Ok(n) if n > 0) {}
            });
        if let Ok(h) = spawned {
            handlers.push(h);
        }
        handlers.retain(|h| !h.is_finished());
    }
    // Every client process has exited by now: its sockets are closed, each
    // handler sees EOF.
    for h in handlers {
        let _ = h.join();
    }
}
