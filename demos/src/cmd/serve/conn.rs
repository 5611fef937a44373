//! The policy of one `demo serve` connection, the same on both models: what
//! the connection does next (read until a deadline, reply, close) and when
//! a client has been too slow. The models only carry it out: the loop reads
//! with `runtime::time::timeout_at`, a thread sets `SO_RCVTIMEO` to the
//! time left before each blocking `read(2)`.
//!
//! The three timeouts, each a deadline for a whole part of a request, never
//! a per-read timeout (a slowloris client sending one byte a second would
//! reset that forever):
//!
//! - *Header*: a request head is due `header` after the connection was
//!   accepted (the first request), or after its own first byte (a later
//!   request; if its first bytes came pipelined behind the previous
//!   request, after the end of the previous response). Too late: `408
//!   Request Timeout`, then the lingering close of a bad request.
//! - *Body*: the body its `Content-Length` announced is due `body` after
//!   the whole head arrived. Too late: 408 as above.
//! - *Idle*: after a response on a keep-alive connection, the first byte of
//!   the next request is due `idle` after it. Too late: close without a
//!   word (a 408 there would race a request the client may be sending, and
//!   look like that request's answer). A fresh connection that sends no
//!   byte at all until its header deadline is closed the same silent way.
//!
//! A read that returns bytes is always taken, even after the deadline; only
//! a read that waited until the deadline with nothing cuts the client, and
//! only this module decides that (a timer that fires a little early just
//! means one more short wait).

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::{BODY, Counts};
use crate::support::http::{self, Parse, Parser, Progress, Status};

/// The three timeouts of a connection (see the module doc).
#[derive(Clone, Copy, Debug)]
pub(super) struct Timeouts {
    pub(super) header: Duration,
    pub(super) idle: Duration,
    pub(super) body: Duration,
}

/// What a connection does next.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Step {
    /// Read more bytes, waiting until `deadline` at most; whether or not
    /// some came, ask again.
    Read { deadline: Instant },
    /// Send `reply`, after the `--latency` if `delayed` and after `cpu`
    /// steps of CPU-bound work (a `/cpu?iters=N` request: `work(0, N)`,
    /// the hash chain of `workloads/cpu.rs`); then keep going, or close
    /// (after a lingering close if the request was bad or too slow).
    Reply {
        reply: Vec<u8>,
        delayed: bool,
        cpu: u64,
        then: After,
    },
    /// Close now, without a word (an idle connection).
    Close,
}

/// What follows a reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum After {
    /// Keep-alive: the next request.
    Continue,
    /// The client asked to close.
    Close,
    /// A bad or too slow request: half-close, discard what the client still
    /// sends (bounded), then close. Closing with unread request bytes would
    /// send a reset that can destroy the answer in the client's buffer.
    Linger,
}

/// What the connection waits for, and until when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wait {
    /// The first byte of a request; past `deadline`, a silent close.
    /// `head_due`: the head's deadline if already fixed (the first request
    /// of a connection: `header` after the accept).
    Request {
        deadline: Instant,
        head_due: Option<Instant>,
    },
    /// The rest of a head; past `deadline`, 408.
    Head { deadline: Instant },
    /// The rest of a body; past `deadline`, 408.
    Body { deadline: Instant },
}

impl Wait {
    fn deadline(self) -> Instant {
        match self {
            Wait::Request { deadline, .. } | Wait::Head { deadline } | Wait::Body { deadline } => {
                deadline
            }
        }
    }
}

/// One connection's parser and timers.
pub(super) struct Conn {
    parser: Parser,
    timeouts: Timeouts,
    wait: Wait,
    /// A keep-alive reply was handed out: the next [`Conn::next_step`]
    /// comes after it was written and starts the idle wait.
    replied: bool,
    /// Which model serves it, for the `X-Model` header.
    model: &'static str,
}

impl Conn {
    /// A connection accepted at `now`, served by `model` ("loop" or
    /// "threads").
    pub(super) fn new(timeouts: Timeouts, now: Instant, model: &'static str) -> Conn {
        let due = now + timeouts.header;
        Conn {
            parser: Parser::new(),
            timeouts,
            wait: Wait::Request {
                deadline: due,
                head_due: Some(due),
            },
            replied: false,
            model,
        }
    }

    /// Bytes the connection read.
    pub(super) fn feed(&mut self, bytes: &[u8]) {
        self.parser.feed(bytes);
    }

    /// The next step at `now`: after the connection opened, after a read
    /// (whether or not it returned bytes) and after a reply was written.
    pub(super) fn next_step(&mut self, now: Instant, counts: &Counts) -> Step {
        if std::mem::take(&mut self.replied) {
            // `now` is the end of the previous response.
            self.wait = Wait::Request {
                deadline: now + self.timeouts.idle,
                head_due: None,
            };
        }
        match self.parser.next() {
            Parse::Incomplete => {
                self.wait = match (self.wait, self.parser.progress()) {
                    (wait, Progress::Nothing) => wait,
                    (Wait::Request { head_due, .. }, Progress::Head) => Wait::Head {
                        deadline: head_due.unwrap_or(now + self.timeouts.header),
                    },
                    (wait @ (Wait::Head { .. } | Wait::Body { .. }), Progress::Head) => wait,
                    (Wait::Request { .. } | Wait::Head { .. }, Progress::Body) => Wait::Body {
                        deadline: now + self.timeouts.body,
                    },
                    (wait @ Wait::Body { .. }, Progress::Body) => wait,
                };
                let deadline = self.wait.deadline();
                if now < deadline {
                    Step::Read { deadline }
                } else if let Wait::Request { .. } = self.wait {
                    counts.idle_closed.fetch_add(1, Ordering::Relaxed);
                    Step::Close
                } else {
                    counts.timed_out.fetch_add(1, Ordering::Relaxed);
                    Step::Reply {
                        reply: http::response(
                            Status::TIMEOUT,
                            Status::TIMEOUT.reason().as_bytes(),
                            false,
                            self.model,
                        ),
                        delayed: false,
                        cpu: 0,
                        then: After::Linger,
                    }
                }
            }
            Parse::Request(request) => match cpu_iters(&request.target) {
                Some(cpu) => {
                    counts.requests.fetch_add(1, Ordering::Relaxed);
                    self.replied = request.keep_alive;
                    Step::Reply {
                        reply: http::response(Status::OK, BODY, request.keep_alive, self.model),
                        delayed: cpu == 0,
                        cpu,
                        then: if request.keep_alive {
                            After::Continue
                        } else {
                            After::Close
                        },
                    }
                }
                None => self.bad(Status::BAD_REQUEST, counts),
            },
            Parse::Error(status) => self.bad(status, counts),
        }
    }

    /// A bad request: its status, then the lingering close.
    fn bad(&self, status: Status, counts: &Counts) -> Step {
        counts.bad.fetch_add(1, Ordering::Relaxed);
        Step::Reply {
            reply: http::response(status, status.reason().as_bytes(), false, self.model),
            delayed: false,
            cpu: 0,
            then: After::Linger,
        }
    }
}

/// The most CPU work one request may ask for (about a minute here).
pub(super) const MAX_CPU_ITERS: u64 = 100_000_000_000;

/// The CPU work a request target asks for: `/cpu?iters=N` is N steps of
/// the hash chain (1..=[`MAX_CPU_ITERS`]); any other target none. `None`:
/// a `/cpu` target without a valid count (answered 400).
fn cpu_iters(target: &str) -> Option<u64> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != "/cpu" {
        return Some(0);
    }
    query
        .strip_prefix("iters=")?
        .parse::<u64>()
        .ok()
        .filter(|n| (1..=MAX_CPU_ITERS).contains(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMEOUTS: Timeouts = Timeouts {
        header: Duration::from_millis(300),
        idle: Duration::from_millis(500),
        body: Duration::from_millis(700),
    };

    /// A connection accepted at `t0`, and a clock in milliseconds from it.
    fn conn() -> (Conn, impl Fn(u64) -> Instant, Counts) {
        let t0 = Instant::now();
        (
            Conn::new(TIMEOUTS, t0, "loop"),
            move |ms| t0 + Duration::from_millis(ms),
            Counts::default(),
        )
    }

    fn status(step: &Step) -> Option<u16> {
        match step {
            Step::Reply { reply, .. } => http::response_head(reply).ok()?.map(|(s, _)| s),
            _ => None,
        }
    }

    #[test]
    fn a_slowloris_head_is_cut_at_the_header_deadline_from_the_accept() {
        let (mut c, at, counts) = conn();
        assert_eq!(
            c.next_step(at(0), &counts),
            Step::Read { deadline: at(300) }
        );
        // One byte every 50 ms: each read gives bytes, the deadline stays.
        for (i, byte) in b"GET /".iter().enumerate() {
            let now = at(50 * i as u64 + 1);
            c.feed(&[*byte]);
            assert_eq!(c.next_step(now, &counts), Step::Read { deadline: at(300) });
        }
        let step = c.next_step(at(300), &counts);
        assert_eq!(status(&step), Some(408));
        assert!(matches!(
            step,
            Step::Reply {
                then: After::Linger,
                delayed: false,
                ..
            }
        ));
        assert_eq!(counts.timed_out.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn a_fresh_connection_that_sends_nothing_is_closed_without_a_word() {
        let (mut c, at, counts) = conn();
        assert_eq!(
            c.next_step(at(0), &counts),
            Step::Read { deadline: at(300) }
        );
        // A timer that fires early: one more short wait.
        assert_eq!(
            c.next_step(at(299), &counts),
            Step::Read { deadline: at(300) }
        );
        assert_eq!(c.next_step(at(301), &counts), Step::Close);
        assert_eq!(counts.idle_closed.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn keep_alive_waits_idle_then_gives_the_next_head_its_own_deadline() {
        let (mut c, at, counts) = conn();
        c.feed(b"GET / HTTP/1.1\r\n\r\n");
        assert_eq!(status(&c.next_step(at(10), &counts)), Some(200));
        // The reply was written at 20: idle until 520.
        assert_eq!(
            c.next_step(at(20), &counts),
            Step::Read { deadline: at(520) }
        );
        // The next request starts at 400: its head is due at 700.
        c.feed(b"GET /");
        assert_eq!(
            c.next_step(at(400), &counts),
            Step::Read { deadline: at(700) }
        );
        c.feed(b" HTTP/1.1\r\n\r\n");
        assert_eq!(status(&c.next_step(at(650), &counts)), Some(200));
        // Idle past the deadline: closed, no 408.
        assert_eq!(
            c.next_step(at(660), &counts),
            Step::Read { deadline: at(1160) }
        );
        assert_eq!(c.next_step(at(1160), &counts), Step::Close);
        assert_eq!(counts.timed_out.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn a_pipelined_head_is_due_from_the_end_of_the_previous_response() {
        let (mut c, at, counts) = conn();
        c.feed(b"GET / HTTP/1.1\r\n\r\nGET /b HT");
        assert_eq!(status(&c.next_step(at(10), &counts)), Some(200));
        assert_eq!(
            c.next_step(at(90), &counts),
            Step::Read { deadline: at(390) }
        );
    }

    #[test]
    fn a_trickling_body_is_cut_at_the_body_deadline_from_the_end_of_the_head() {
        let (mut c, at, counts) = conn();
        c.feed(b"POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n");
        assert_eq!(
            c.next_step(at(100), &counts),
            Step::Read { deadline: at(800) }
        );
        c.feed(b"a");
        assert_eq!(
            c.next_step(at(750), &counts),
            Step::Read { deadline: at(800) }
        );
        assert_eq!(status(&c.next_step(at(800), &counts)), Some(408));
    }

    #[test]
    fn a_cpu_request_asks_for_work_and_no_delay() {
        let (mut c, at, counts) = conn();
        c.feed(b"GET /cpu?iters=1000 HTTP/1.1\r\n\r\n");
        let step = c.next_step(at(1), &counts);
        assert!(
            matches!(
                step,
                Step::Reply {
                    cpu: 1000,
                    delayed: false,
                    ..
                }
            ),
            "{step:?}"
        );
        c.feed(b"GET / HTTP/1.1\r\n\r\n");
        let step = c.next_step(at(2), &counts);
        assert!(
            matches!(
                step,
                Step::Reply {
                    cpu: 0,
                    delayed: true,
                    ..
                }
            ),
            "{step:?}"
        );
        for bad in [
            "/cpu",
            "/cpu?iters=0",
            "/cpu?iters=x",
            "/cpu?n=5",
            "/cpu?iters=999999999999999",
        ] {
            let (mut c, at, counts) = conn();
            c.feed(format!("GET {bad} HTTP/1.1\r\n\r\n").as_bytes());
            assert_eq!(status(&c.next_step(at(1), &counts)), Some(400), "{bad}");
        }
        assert_eq!(cpu_iters("/index.html?iters=5"), Some(0));
    }

    #[test]
    fn a_head_that_completes_late_is_served() {
        // Bytes that arrive are taken, even after the deadline.
        let (mut c, at, counts) = conn();
        c.feed(b"GET / HTTP/1.1\r\n\r\n");
        assert_eq!(status(&c.next_step(at(5000), &counts)), Some(200));
    }
}
