//! The script of a mock stream: the peer's side of the conversation, as an
//! ordered list of [`Step`]s, and the rules that match the code's reads and
//! writes against it. Pure bookkeeping, no waiting: `mod.rs` turns
//! "blocked" into `Pending` and "wait" into a timer.
//!
//! Think of the script as the program of a peer that runs one step at a
//! time: a `read` step is the peer *sending* bytes (they arrive at once, and
//! the code may read them whenever it likes); a `write` step is the peer
//! *waiting to receive* bytes (the step is done when the code has written
//! them); a `wait` step is the peer being silent for a while. So:
//!
//! - a **read** takes bytes from the first step not done, if it is a read
//!   step, at most that step's remaining bytes (a step is one segment from
//!   the peer: the code must cope with a message split across reads); an
//!   empty read step is one end of stream; a read-error step fails the read;
//!   a write step there *blocks* the read (the peer sends nothing more until
//!   it has received what it waits for);
//! - a **write** is matched byte by byte against the write steps in order,
//!   passing over read steps the code has not read yet (those bytes were
//!   sent already; answering a pipelined request before reading the next one
//!   is what servers do), and across step boundaries (a socket takes a whole
//!   buffer at once); a write-error step fails the write; a byte that differs
//!   from the script, or a write past the script's last write step, is a
//!   [`Mismatch`]: the message the mock panics with;
//! - a **wait** step is a barrier for both: reads and writes that reach it
//!   block until its time has passed (counted from the first that reached it).

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::time::Duration;

use super::diff::{diff, show};

/// One step of the script, with its number (from 1, in the order given).
pub(crate) struct Step {
    pub(crate) number: usize,
    pub(crate) kind: Kind,
    /// Done: read, written, delivered or waited out. Writes may finish steps
    /// behind read steps not done yet, so done steps are not only a prefix.
    finished: bool,
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

impl Kind {
    /// A step of the peer's sending side, which writes pass over.
    fn is_read(&self) -> bool {
        matches!(self, Kind::Read { .. } | Kind::ReadError(_))
    }
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
    /// The read reached wait step number `step`, of `duration`.
    Wait { step: usize, duration: Duration },
    /// The first step not done is for the writer (or the script is done but
    /// may still grow): try again after the next step is done.
    Blocked,
}

/// What a write gets from the script.
pub(crate) enum WriteOutcome {
    /// `n` bytes matched the script.
    Took(usize),
    /// The scripted error.
    Error(io::Error),
    /// The write reached wait step number `step`, of `duration`.
    Wait { step: usize, duration: Duration },
    /// Nothing to match yet (no write step left, but the script may grow).
    Blocked,
}

/// The code wrote what the script does not allow; the message says what.
pub(crate) struct Mismatch(pub(crate) String);

#[derive(Default)]
pub(crate) struct Script {
    /// The steps from the first one not done on.
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
            finished: false,
        });
    }

    /// The steps not done yet, in order.
    pub(crate) fn remaining(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| !s.finished)
    }

    /// Whether every step that matters was done: what is left, if anything,
    /// is only waits (a script may end with the peer going silent; the code
    /// need not sit through it). Reads and writes cannot pass a wait, so
    /// waits left alone are trailing ones.
    pub(crate) fn is_done(&self) -> bool {
        self.left() == 0
    }

    /// Steps not done that are not waits (see [`is_done`](Self::is_done)).
    pub(crate) fn left(&self) -> usize {
        self.remaining()
            .filter(|s| !matches!(s.kind, Kind::Wait(_)))
            .count()
    }

    /// Marks step `index` (in `steps`) done and drops the done prefix.
    fn finish(&mut self, index: usize) {
        self.steps[index].finished = true;
        while self.steps.front().is_some_and(|s| s.finished) {
            self.steps.pop_front();
        }
    }

    /// Wait step number `step` is over.
    pub(crate) fn finish_wait(&mut self, step: usize) {
        if let Some(i) = self.steps.iter().position(|s| s.number == step) {
            self.finish(i);
        }
    }

    /// One read into `buf`. `open`: more steps may still be added (a
    /// `Handle` lives), so a finished script blocks instead of ending.
    pub(crate) fn read(&mut self, buf: &mut [u8], open: bool) -> ReadOutcome {
        let Some(step) = self.steps.front_mut() else {
            return if open {
                ReadOutcome::Blocked
            } else {
                ReadOutcome::Data(0)
            };
        };
        let number = step.number;
        match &mut step.kind {
            Kind::Wait(d) => ReadOutcome::Wait {
                step: number,
                duration: *d,
            },
            Kind::Write { .. } | Kind::WriteError(_) => ReadOutcome::Blocked,
            Kind::ReadError(e) => {
                let e = e.take().unwrap_or_else(|| io::Error::other("scripted"));
                self.finish(0);
                ReadOutcome::Error(e)
            }
            Kind::Read { data, done } => {
                if buf.is_empty() && !data.is_empty() {
                    return ReadOutcome::Data(0);
                }
                let n = buf.len().min(data.len() - *done);
                buf[..n].copy_from_slice(&data[*done..*done + n]);
                *done += n;
                if *done == data.len() {
                    self.finish(0);
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
            // The write cursor: the first step not done that is not the
            // peer's sending (reads the code has yet to make).
            let Some(index) = self
                .steps
                .iter()
                .position(|s| !s.finished && !s.kind.is_read())
            else {
                if taken > 0 {
                    break;
                }
                if open {
                    return Ok(WriteOutcome::Blocked);
                }
                return Err(Mismatch(format!(
                    "the code under test wrote {}, but the script has no more writes \
                     ({total} steps){}",
                    show(rest),
                    self.still_to_do()
                )));
            };
            let unread = self.unread_before(index);
            let step = &mut self.steps[index];
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
                            "step {number} of {total}: the code under test wrote other bytes than \
                             the script expects\n{}{unread}",
                            diff(data, &written, *done + i)
                        )));
                    }
                    *done += n;
                    taken += n;
                    if *done == data.len() {
                        self.finish(index);
                    }
                }
                _ if taken > 0 => break,
                Kind::Wait(d) => {
                    return Ok(WriteOutcome::Wait {
                        step: number,
                        duration: *d,
                    });
                }
                Kind::WriteError(e) => {
                    let e = e.take().unwrap_or_else(|| io::Error::other("scripted"));
                    self.finish(index);
                    return Ok(WriteOutcome::Error(e));
                }
                Kind::Read { .. } | Kind::ReadError(_) => unreachable!("the cursor passes reads"),
            }
        }
        Ok(WriteOutcome::Took(taken))
    }

    /// A note for a wrong write: the read steps before the write step it was
    /// matched against that the code has not read (it may have answered too
    /// early, or be answering something else).
    fn unread_before(&self, index: usize) -> String {
        let unread: Vec<String> = self
            .steps
            .iter()
            .take(index)
            .filter(|s| !s.finished && s.kind.is_read())
            .map(|s| format!("\n  not read yet: {s}"))
            .collect();
        unread.concat()
    }

    /// `": still to do"` and the steps left, one a line; empty if none.
    fn still_to_do(&self) -> String {
        let left = self.describe_remaining();
        if left.is_empty() {
            String::new()
        } else {
            format!("; still to do:{left}")
        }
    }

    /// The steps left, one a line, for a panic message.
    pub(crate) fn describe_remaining(&self) -> String {
        let mut out = String::new();
        for step in self.remaining() {
            out.push_str("\n  ");
            out.push_str(&step.to_string());
        }
        out
    }

    pub(crate) fn added(&self) -> usize {
        self.added
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
    fn a_write_spans_write_steps_and_passes_unread_reads() {
        let mut s = script(vec![write(b"ab"), write(b"cd"), read(b"x"), write(b"e")]);
        assert_eq!(took(s.write(b"a", false)), 1);
        assert_eq!(took(s.write(b"bcde", false)), 4);
        let m = mismatch(s.write(b"f", false));
        assert_eq!(
            m,
            "the code under test wrote b\"f\", but the script has no more writes (4 steps); \
             still to do:\n  step 3: read b\"x\""
        );
        let mut buf = [0u8; 4];
        assert!(matches!(s.read(&mut buf, false), ReadOutcome::Data(1)));
        assert!(s.is_done());
    }

    #[test]
    fn a_wrong_write_names_the_reads_it_went_past() {
        let mut s = script(vec![read(b"EHLO\n"), write(b"250 ok\n")]);
        let m = mismatch(s.write(b"220 hi\n", false));
        assert!(m.starts_with("step 2 of 2:"), "{m}");
        assert!(
            m.ends_with("\n  not read yet: step 1: read b\"EHLO\\n\""),
            "{m}"
        );
    }

    #[test]
    fn a_wait_stops_reads_and_writes() {
        let mut s = script(vec![
            write(b"a"),
            Kind::Wait(Duration::from_secs(1)),
            write(b"b"),
        ]);
        assert_eq!(took(s.write(b"ab", false)), 1);
        assert!(matches!(
            s.write(b"b", false),
            Ok(WriteOutcome::Wait { step: 2, .. })
        ));
        let mut buf = [0u8; 1];
        assert!(matches!(
            s.read(&mut buf, false),
            ReadOutcome::Wait { step: 2, .. }
        ));
        s.finish_wait(2);
        assert_eq!(took(s.write(b"b", false)), 1);
        assert!(s.is_done());
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
        assert!(m.contains("script has no more writes (1 steps)"), "{m}");
    }

    #[test]
    fn trailing_waits_need_not_be_consumed() {
        let s = script(vec![Kind::Wait(Duration::from_secs(1))]);
        assert!(s.is_done());
        assert_eq!(s.left(), 0);
        let s = script(vec![Kind::Wait(Duration::from_secs(1)), read(b"x")]);
        assert!(!s.is_done());
        assert_eq!(s.left(), 1);
    }
}
