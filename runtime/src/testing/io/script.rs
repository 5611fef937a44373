//! The script of a mock stream: an ordered list of [`Step`]s and the rules
//! for matching the code's reads and writes against it. Pure bookkeeping,
//! no waiting: `mod.rs` turns "blocked" into `Pending` and "wait" into a
//! timer.
//!
//! The rules, one step at a time from the front:
//!
//! - a **read** takes bytes from the front `Read` step, at most that step's
//!   remaining bytes (a step is one segment from the peer: the code must
//!   cope with a message split across reads); an empty `Read` step is one
//!   end of stream; a `ReadError` step fails the read; in front of a write
//!   step the read is *blocked* (the peer waits for the code to speak);
//! - a **write** is matched byte by byte against the front `Write` steps,
//!   across step boundaries (a socket takes a whole buffer at once); it stops
//!   with a partial count at the first step that is not a write, as a socket
//!   that took part of a buffer does; a `WriteError` step fails the write;
//!   a byte that differs from the script, or a write in front of a read step
//!   or past the end, is a [`Mismatch`]: the message the mock panics with;
//! - a **wait** step blocks both directions until its time has passed.

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::time::Duration;

use super::diff::{diff, show};

/// One step of the script, with its number (from 1, in the order given).
pub(crate) struct Step {
    pub(crate) number: usize,
    pub(crate) kind: Kind,
}

pub(crate) enum Kind {
    /// The code reads `data`; `done` bytes of it were read already.
    Read { data: Vec<u8>, done: usize },
    /// The code must write `data`; `done` bytes of it were written already.
    Write { data: Vec<u8>, done: usize },
    /// The code's next read fails with this error (taken when delivered).
    ReadError(Option<io::Error>),
    /// The code's next write fails with this error.
    WriteError(Option<io::Error>),
    /// Nothing happens for this long.
    Wait(Duration),
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "step {}: ", self.number)?;
        match &self.kind {
            Kind::Read { data, .. } if data.is_empty() => f.write_str("read end of stream"),
            Kind::Read { data, done } => {
                write!(f, "read {}", show(data))?;
                if *done > 0 {
                    write!(f, " ({done} of {} bytes read)", data.len())?;
                }
                Ok(())
            }
            Kind::Write { data, done } => {
                write!(f, "write {}", show(data))?;
                if *done > 0 {
                    write!(f, " ({done} of {} bytes written)", data.len())?;
                }
                Ok(())
            }
            Kind::ReadError(e) => write!(f, "read error ({})", error_text(e)),
            Kind::WriteError(e) => write!(f, "write error ({})", error_text(e)),
            Kind::Wait(d) => write!(f, "wait {d:?}"),
        }
    }
}

fn error_text(e: &Option<io::Error>) -> String {
    match e {
        Some(e) => format!("{:?}: {e}", e.kind()),
        None => "delivered".to_string(),
    }
}

/// What a read gets from the script.
pub(crate) enum ReadOutcome {
    /// `n` bytes were copied into the buffer (`0`: end of stream).
    Data(usize),
    /// The scripted error.
    Error(io::Error),
    /// The front step is a wait of this long.
    Wait(Duration),
    /// The front step is for the writer (or the script is empty but may
    /// still grow): try again after the next step is done.
    Blocked,
}

/// What a write gets from the script.
pub(crate) enum WriteOutcome {
    /// `n` bytes matched the script.
    Took(usize),
    /// The scripted error.
    Error(io::Error),
    /// The front step is a wait of this long.
    Wait(Duration),
    /// Nothing to match yet (the script is empty but may still grow).
    Blocked,
}

/// The code wrote what the script does not allow; the message says what.
pub(crate) struct Mismatch(pub(crate) String);

#[derive(Default)]
pub(crate) struct Script {
    steps: VecDeque<Step>,
    /// Steps ever added: the number the next one gets, less one.
    added: usize,
}

impl Script {
    pub(crate) fn push(&mut self, kind: Kind) {
        self.added += 1;
        self.steps.push_back(Step {
            number: self.added,
            kind,
        });
    }

    /// The steps not done yet, front first.
    pub(crate) fn remaining(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter()
    }

    /// Whether every step that matters was done: what is left, if anything,
    /// is only waits (a script may end with the peer going silent; the code
    /// need not sit through it).
    pub(crate) fn is_done(&self) -> bool {
        self.steps.iter().all(|s| matches!(s.kind, Kind::Wait(_)))
    }

    /// The wait at the front is over.
    pub(crate) fn finish_wait(&mut self) {
        if let Some(Step {
            kind: Kind::Wait(_),
            ..
        }) = self.steps.front()
        {
            self.steps.pop_front();
        }
    }

    /// One read into `buf`. `open`: more steps may still be added (a
    /// `Handle` lives), so an empty script blocks instead of ending.
    pub(crate) fn read(&mut self, buf: &mut [u8], open: bool) -> ReadOutcome {
        let Some(step) = self.steps.front_mut() else {
            return if open {
                ReadOutcome::Blocked
            } else {
                ReadOutcome::Data(0)
            };
        };
        match &mut step.kind {
            Kind::Wait(d) => ReadOutcome::Wait(*d),
            Kind::Write { .. } | Kind::WriteError(_) => ReadOutcome::Blocked,
            Kind::ReadError(e) => {
                let e = e.take().unwrap_or_else(|| io::Error::other("scripted"));
                self.steps.pop_front();
                ReadOutcome::Error(e)
            }
            Kind::Read { data, done } => {
                if buf.is_empty() {
                    return ReadOutcome::Data(0);
                }
                let n = buf.len().min(data.len() - *done);
                buf[..n].copy_from_slice(&data[*done..*done + n]);
                *done += n;
                if *done == data.len() {
                    self.steps.pop_front();
                }
                ReadOutcome::Data(n)
            }
        }
    }

    /// One write of `buf` (not empty). `open` as for [`read`](Self::read).
    pub(crate) fn write(&mut self, buf: &[u8], open: bool) -> Result<WriteOutcome, Mismatch> {
        let mut taken = 0;
        while taken < buf.len() {
            let rest = &buf[taken..];
            let total = self.added;
            let Some(step) = self.steps.front_mut() else {
                if taken > 0 {
                    break;
                }
                if open {
                    return Ok(WriteOutcome::Blocked);
                }
                return Err(Mismatch(format!(
                    "the code under test wrote {}, but the script has ended (all {total} steps done)",
                    show(rest)
                )));
            };
            let number = step.number;
            match &mut step.kind {
                Kind::Write { data, done } => {
                    let expected = &data[*done..];
                    let n = rest.len().min(expected.len());
                    if let Some(i) = (0..n).find(|&i| rest[i] != expected[i]) {
                        // In the step's coordinates: what the step expects
                        // whole, and what was written for it so far.
                        let mut written = data[..*done].to_vec();
                        written.extend_from_slice(rest);
                        return Err(Mismatch(format!(
                            "step {number} of {total}: the code under test wrote other bytes than the script expects\n{}",
                            diff(data, &written, *done + i)
                        )));
                    }
                    *done += n;
                    taken += n;
                    if *done == data.len() {
                        self.steps.pop_front();
                    }
                }
                _ if taken > 0 => break,
                Kind::Wait(d) => return Ok(WriteOutcome::Wait(*d)),
                Kind::WriteError(e) => {
                    let e = e.take().unwrap_or_else(|| io::Error::other("scripted"));
                    self.steps.pop_front();
                    return Ok(WriteOutcome::Error(e));
                }
                Kind::Read { .. } | Kind::ReadError(_) => {
                    let step = &*step;
                    return Err(Mismatch(format!(
                        "the code under test wrote {}, but step {number} of {total} is a read: \
                         the script expects the code to read first\n  {step}",
                        show(rest)
                    )));
                }
            }
        }
        Ok(WriteOutcome::Took(taken))
    }

    /// The steps left, one a line, for a panic message.
    pub(crate) fn describe_remaining(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            out.push_str("\n  ");
            out.push_str(&step.to_string());
        }
        out
    }

    pub(crate) fn added(&self) -> usize {
        self.added
    }

    /// Steps left that are not trailing waits (see [`is_done`](Self::is_done)).
    pub(crate) fn left(&self) -> usize {
        let trailing_waits = self
            .steps
            .iter()
            .rev()
            .take_while(|s| matches!(s.kind, Kind::Wait(_)))
            .count();
        self.steps.len() - trailing_waits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(kinds: Vec<Kind>) -> Script {
        let mut s = Script::default();
        for k in kinds {
            s.push(k);
        }
        s
    }

    fn read(data: &[u8]) -> Kind {
        Kind::Read {
            data: data.to_vec(),
            done: 0,
        }
    }

    fn write(data: &[u8]) -> Kind {
        Kind::Write {
            data: data.to_vec(),
            done: 0,
        }
    }

    fn took(outcome: Result<WriteOutcome, Mismatch>) -> usize {
        match outcome {
            Ok(WriteOutcome::Took(n)) => n,
            Ok(_) => panic!("not a plain write"),
            Err(Mismatch(m)) => panic!("{m}"),
        }
    }

    fn mismatch(outcome: Result<WriteOutcome, Mismatch>) -> String {
        match outcome {
            Err(Mismatch(m)) => m,
            Ok(_) => panic!("the write matched"),
        }
    }

    #[test]
    fn a_read_never_crosses_a_step_boundary() {
        let mut s = script(vec![read(b"abc"), read(b"de")]);
        let mut buf = [0u8; 10];
        assert!(matches!(s.read(&mut buf, false), ReadOutcome::Data(3)));
        assert!(matches!(s.read(&mut buf[..1], false), ReadOutcome::Data(1)));
        assert_eq!(buf[0], b'd');
        assert!(matches!(s.read(&mut buf, false), ReadOutcome::Data(1)));
        assert!(matches!(s.read(&mut buf, false), ReadOutcome::Data(0)));
        assert!(s.is_done());
    }

    #[test]
    fn a_write_spans_write_steps_and_stops_before_a_read() {
        let mut s = script(vec![write(b"ab"), write(b"cd"), read(b"x"), write(b"e")]);
        assert_eq!(took(s.write(b"a", false)), 1);
        assert_eq!(took(s.write(b"bcde", false)), 3);
        let m = mismatch(s.write(b"e", false));
        assert!(m.contains("wrote b\"e\", but step 3 of 4 is a read"), "{m}");
    }

    #[test]
    fn a_wrong_byte_is_shown_in_the_steps_coordinates() {
        let mut s = script(vec![write(b"HTTP/1.1 200 OK")]);
        assert_eq!(took(s.write(b"HTTP/", false)), 5);
        let m = mismatch(s.write(b"1.1 404", false));
        assert!(m.starts_with("step 1 of 1:"), "{m}");
        assert!(m.contains(r#"expected: b"HTTP/1.1 200 OK""#), "{m}");
        assert!(m.contains(r#"written:  b"HTTP/1.1 404""#), "{m}");
        assert!(m.ends_with("first difference: byte 9"), "{m}");
    }

    #[test]
    fn reads_block_on_writes_and_the_end_blocks_while_open() {
        let mut s = script(vec![write(b"q")]);
        let mut buf = [0u8; 4];
        assert!(matches!(s.read(&mut buf, false), ReadOutcome::Blocked));
        assert_eq!(took(s.write(b"q", true)), 1);
        assert!(matches!(s.read(&mut buf, true), ReadOutcome::Blocked));
        assert!(matches!(s.write(b"z", true), Ok(WriteOutcome::Blocked)));
        let m = mismatch(s.write(b"z", false));
        assert!(m.contains("script has ended (all 1 steps done)"), "{m}");
    }

    #[test]
    fn trailing_waits_need_not_be_consumed() {
        let s = script(vec![Kind::Wait(Duration::from_secs(1))]);
        assert!(s.is_done());
        assert_eq!(s.left(), 0);
        let s = script(vec![Kind::Wait(Duration::from_secs(1)), read(b"x")]);
        assert!(!s.is_done());
        assert_eq!(s.left(), 2);
    }
}
