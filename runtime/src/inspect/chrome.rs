//! One writer of Chrome Trace Event Format JSON, for both models' traces
//! (the event loop's `inspect/trace.rs`, the thread model's
//! `threaded/trace.rs`): Perfetto (ui.perfetto.dev) and chrome://tracing
//! open what it writes, and `demo timeline` draws the two side by side.
//!
//! The format is a JSON object whose `traceEvents` array holds one object
//! per event; the kinds used here are:
//!
//! | `ph` | method | what it draws |
//! |---|---|---|
//! | `M` | [`process_name`](Chrome::process_name), [`thread_name`](Chrome::thread_name), [`sort_index`](Chrome::sort_index) | names and order of tracks |
//! | `X` | [`slice`](Chrome::slice) | a slice from `ts` lasting `dur` (a poll, an `epoll_wait`, a blocked call) |
//! | `i` | [`instant`](Chrome::instant) | a mark (a spawn, a wake, timers fired) |
//! | `s`, `f` | [`flow_from`](Chrome::flow_from), [`flow_to`](Chrome::flow_to) | an arrow from one event to another (a wake to the poll it caused) |
//!
//! Times are given in nanoseconds since the trace began and written in
//! microseconds, the format's unit.

use std::fmt::Write as _;

/// A value in an event's `args`.
pub(crate) enum Arg<'a> {
    Str(&'a str),
    Int(i64),
    /// Written with three decimals.
    Float(f64),
    Bool(bool),
}

/// A trace being written (see the module doc).
pub(crate) struct Chrome {
    out: String,
    first: bool,
}

impl Chrome {
    /// Starts a trace; `other` goes into the top-level `otherData` object.
    pub(crate) fn new(capacity: usize, other: &[(&str, Arg<'_>)]) -> Chrome {
        let mut out = String::with_capacity(capacity);
        out.push_str("{\"displayTimeUnit\":\"ns\",\"otherData\":");
        write_args(&mut out, other);
        out.push_str(",\"traceEvents\":[\n");
        Chrome { out, first: true }
    }

    /// Opens the next event object with the fields every event has.
    fn event(&mut self, name: &str, ph: &str, pid: u32, tid: i64) -> &mut String {
        if !self.first {
            self.out.push_str(",\n");
        }
        self.first = false;
        self.out.push_str("{\"name\":");
        write_str(&mut self.out, name);
        let _ = write!(self.out, ",\"ph\":\"{ph}\",\"pid\":{pid},\"tid\":{tid}");
        &mut self.out
    }

    /// Names process `pid`.
    pub(crate) fn process_name(&mut self, pid: u32, name: &str) {
        let out = self.event("process_name", "M", pid, 0);
        out.push_str(",\"args\":");
        write_args(out, &[("name", Arg::Str(name))]);
        out.push('}');
    }

    /// Names track `tid` of process `pid`.
    pub(crate) fn thread_name(&mut self, pid: u32, tid: i64, name: &str) {
        let out = self.event("thread_name", "M", pid, tid);
        out.push_str(",\"args\":");
        write_args(out, &[("name", Arg::Str(name))]);
        out.push('}');
    }

    /// Orders track `tid` among its process's tracks.
    pub(crate) fn sort_index(&mut self, pid: u32, tid: i64, index: i64) {
        let out = self.event("thread_sort_index", "M", pid, tid);
        out.push_str(",\"args\":");
        write_args(out, &[("sort_index", Arg::Int(index))]);
        out.push('}');
    }

    /// A slice (`ph` X) from `t0` to `t1` (ns), at least 1 ns long so that
    /// a viewer shows it.
    #[allow(clippy::too_many_arguments, reason = "one per field of the event")]
    pub(crate) fn slice(
        &mut self,
        name: &str,
        cat: &str,
        pid: u32,
        tid: i64,
        t0: u64,
        t1: u64,
        args: &[(&str, Arg<'_>)],
    ) {
        let out = self.event(name, "X", pid, tid);
        let _ = write!(
            out,
            ",\"cat\":\"{cat}\",\"ts\":{:.3},\"dur\":{:.3}",
            us(t0),
            us(t1.saturating_sub(t0)).max(0.001)
        );
        finish_args(out, args);
    }

    /// An instant (`ph` i) at `t` (ns), on its track.
    pub(crate) fn instant(
        &mut self,
        name: &str,
        cat: &str,
        pid: u32,
        tid: i64,
        t: u64,
        args: &[(&str, Arg<'_>)],
    ) {
        let out = self.event(name, "i", pid, tid);
        let _ = write!(out, ",\"s\":\"t\",\"cat\":\"{cat}\",\"ts\":{:.3}", us(t));
        finish_args(out, args);
    }

    /// The start of flow arrow `id`, at `t` on track `tid`.
    pub(crate) fn flow_from(&mut self, name: &str, id: u64, pid: u32, tid: i64, t: u64) {
        let out = self.event(name, "s", pid, tid);
        let _ = write!(out, ",\"cat\":\"{name}\",\"id\":{id},\"ts\":{:.3}}}", us(t));
    }

    /// The end of flow arrow `id`, bound to the slice that starts at `t` on
    /// track `tid`.
    pub(crate) fn flow_to(&mut self, name: &str, id: u64, pid: u32, tid: i64, t: u64) {
        let out = self.event(name, "f", pid, tid);
        let _ = write!(
            out,
            ",\"cat\":\"{name}\",\"bp\":\"e\",\"id\":{id},\"ts\":{:.3}}}",
            us(t)
        );
    }

    /// How many bytes are waiting in the buffer.
    pub(crate) fn buffered(&self) -> usize {
        self.out.len()
    }

    /// Writes what is buffered to `sink` and empties the buffer (keeping its
    /// memory), so that a long trace is written in pieces instead of being
    /// built whole in memory first.
    pub(crate) fn drain_to(&mut self, sink: &mut impl std::io::Write) -> std::io::Result<()> {
        sink.write_all(self.out.as_bytes())?;
        self.out.clear();
        Ok(())
    }

    /// Closes the array and the object: the finished JSON.
    pub(crate) fn finish(mut self) -> String {
        self.out.push_str("\n]}\n");
        self.out
    }
}

fn us(ns: u64) -> f64 {
    ns as f64 / 1000.0
}

fn finish_args(out: &mut String, args: &[(&str, Arg<'_>)]) {
    if !args.is_empty() {
        out.push_str(",\"args\":");
        write_args(out, args);
    }
    out.push('}');
}

fn write_args(out: &mut String, args: &[(&str, Arg<'_>)]) {
    out.push('{');
    for (i, (key, value)) in args.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(out, key);
        out.push(':');
        match value {
            Arg::Str(s) => write_str(out, s),
            Arg::Int(n) => {
                let _ = write!(out, "{n}");
            }
            Arg::Float(x) => {
                let _ = write!(out, "{x:.3}");
            }
            Arg::Bool(b) => {
                let _ = write!(out, "{b}");
            }
        }
    }
    out.push('}');
}

/// `s` as a JSON string literal, quotes included: the one escaper of the
/// traces.
fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_each_kind_of_event_as_valid_json_shapes() {
        let mut trace = Chrome::new(
            256,
            &[("runtime", Arg::Str("test")), ("dropped", Arg::Int(0))],
        );
        trace.process_name(1, "p \"quoted\"");
        trace.thread_name(1, 7, "task 7 src/a\\b.rs:1:2");
        trace.sort_index(1, 7, 7);
        trace.slice(
            "poll",
            "task",
            1,
            7,
            1_000,
            3_500,
            &[("ready", Arg::Bool(true))],
        );
        trace.instant(
            "wake",
            "wake",
            1,
            0,
            2_000,
            &[("source", Arg::Str("timer"))],
        );
        trace.flow_from("wake", 9, 1, 0, 2_000);
        trace.flow_to("wake", 9, 1, 7, 2_500);
        let json = trace.finish();
        assert!(json.starts_with(
            "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"runtime\":\"test\",\"dropped\":0},\"traceEvents\":[\n"
        ));
        assert!(json.contains(r#""args":{"name":"p \"quoted\""}"#), "{json}");
        assert!(json.contains(r#"task 7 src/a\\b.rs:1:2"#), "{json}");
        assert!(json.contains(
            r#"{"name":"poll","ph":"X","pid":1,"tid":7,"cat":"task","ts":1.000,"dur":2.500,"args":{"ready":true}}"#
        ), "{json}");
        assert!(
            json.contains(r#""ph":"f","pid":1,"tid":7,"cat":"wake","bp":"e","id":9"#),
            "{json}"
        );
        assert!(json.ends_with("\n]}\n"));
        assert_eq!(json.matches('{').count(), json.matches('}').count());
    }
}
