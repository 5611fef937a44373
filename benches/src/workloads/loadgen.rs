//! The echo load generator: a separate process (`benches loadgen ...`) so
//! that the server's CPU time, read with `getrusage(RUSAGE_SELF)` in the
//! server process, is the server's alone.
//!
//! One thread, a raw `mio` loop, `conns` connections to 127.0.0.1, each
//! with one 64-byte message in flight: send, wait for the 64 bytes to come
//! back, send again. After `warm_ms` it prints `START`, then counts round
//! trips for `dur_ms` and prints `DONE <round trips> <elapsed ns>`.
//! Everything the OS controls (connect, fds, poll) fails with a message
//! naming the step, never a bare `unwrap`.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};

/// Size of one echo message.
pub const MSG: usize = 64;

struct Conn {
    stream: TcpStream,
    /// Bytes of the current message received so far.
    got: usize,
    /// Bytes of the current message still to send.
    to_send: usize,
}

impl Conn {
    /// Sends what is left of the current message; `Ok(false)` on WouldBlock.
    fn flush(&mut self) -> io::Result<bool> {
        let msg = [b'x'; MSG];
        while self.to_send > 0 {
            match self.stream.write(&msg[MSG - self.to_send..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => self.to_send -= n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// Reads what arrived; returns the number of completed round trips.
    fn receive(&mut self) -> io::Result<u64> {
        let mut buf = [0u8; 4 * MSG];
        let mut done = 0;
        loop {
            match self.stream.read(&mut buf) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => {
                    self.got += n;
                    while self.got >= MSG {
                        self.got -= MSG;
                        done += 1;
                        self.to_send += MSG;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(done),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// Runs the load generator (see the module doc); errors name the step.
pub fn run(addr: SocketAddr, conns: usize, warm: Duration, dur: Duration) -> Result<(), String> {
    crate::measure::raise_nofile(conns as u64 + 64)?;
    let mut poll = Poll::new().map_err(|e| format!("loadgen: epoll_create: {e}"))?;
    let mut all = Vec::with_capacity(conns);
    for i in 0..conns {
        let std = std::net::TcpStream::connect(addr)
            .map_err(|e| format!("loadgen: connect #{i} to {addr}: {e}"))?;
        std.set_nodelay(true)
            .and_then(|()| std.set_nonblocking(true))
            .map_err(|e| format!("loadgen: configuring connection #{i}: {e}"))?;
        let mut stream = TcpStream::from_std(std);
        poll.registry()
            .register(
                &mut stream,
                Token(i),
                Interest::READABLE | Interest::WRITABLE,
            )
            .map_err(|e| format!("loadgen: registering connection #{i}: {e}"))?;
        all.push(Conn {
            stream,
            got: 0,
            to_send: MSG,
        });
    }
    for (i, c) in all.iter_mut().enumerate() {
        c.flush()
            .map_err(|e| format!("loadgen: first send on #{i}: {e}"))?;
    }

    let mut events = Events::with_capacity(1024);
    let started = Instant::now();
    let mut measuring_since: Option<Instant> = None;
    let mut trips: u64 = 0;
    loop {
        let now = Instant::now();
        match measuring_since {
            None if now - started >= warm => {
                println!("START");
                io::stdout()
                    .flush()
                    .map_err(|e| format!("loadgen: stdout: {e}"))?;
                measuring_since = Some(Instant::now());
                trips = 0;
            }
            Some(since) if now - since >= dur => {
                println!("DONE {trips} {}", since.elapsed().as_nanos());
                return io::stdout()
                    .flush()
                    .map_err(|e| format!("loadgen: stdout: {e}"));
            }
            _ => {}
        }
        if let Err(e) = poll.poll(&mut events, Some(Duration::from_millis(5))) {
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(format!("loadgen: epoll_wait: {e}"));
        }
        for ev in events.iter() {
            let i = ev.token().0;
            let c = &mut all[i];
            if ev.is_readable() {
                trips += c
                    .receive()
                    .map_err(|e| format!("loadgen: connection #{i} receive: {e}"))?;
            }
            c.flush()
                .map_err(|e| format!("loadgen: connection #{i} send: {e}"))?;
        }
    }
}
