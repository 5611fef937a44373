//! `demo c10k`'s output: a table per model, or JSON.

use super::{Notes, Side};
use crate::support::cli::Model;
use crate::support::fdlimit;
use crate::support::json::{self, Object};
use crate::support::measure::ms;
use crate::support::verdict::{self, Verdict};

pub(super) fn text(n: usize, notes: &Notes, sides: &[Side], verdict: &Verdict) {
    println!(
        "c10k: {n} idle connections on 127.0.0.1, each served by a task or a thread blocked in a read"
    );
    for l in &notes.lines {
        println!("  note: {l}");
    }
    println!(
        "  {:<11} {:>11} {:>8} {:>13} {:>14} {:>19} {:>9}",
        "model",
        "connections",
        "held",
        "establish ms",
        "RSS/conn B",
        "addr space/conn KiB",
        "threads"
    );
    for s in sides {
        println!(
            "  {:<11} {:>11} {:>8} {:>13.0} {:>14.0} {:>19.1} {:>9}",
            s.model.label(),
            s.connections,
            s.held,
            s.establish.as_secs_f64() * 1e3,
            s.rss_per_conn(),
            s.vm_per_conn() / 1024.0,
            s.threads
        );
    }
    println!(
        "  (RSS and address space: growth of the server process, measured in it, divided by the connections held; the clients live in another process)"
    );
    println!();
    verdict.print();
}

fn side_json(s: &Side) -> Object {
    Object::new()
        .int("connections", s.connections as u64)
        .int("held", s.held as u64)
        .num("establish_ms", ms(s.establish))
        .num("rss_delta_bytes", s.rss_delta)
        .num("rss_per_conn_bytes", s.rss_per_conn())
        .num("vm_delta_bytes", s.vm_delta)
        .num("vm_per_conn_bytes", s.vm_per_conn())
        .int("threads", s.threads as u64)
}

pub(super) fn json(
    quick: bool,
    asked: usize,
    n: usize,
    limit: fdlimit::Limit,
    notes: &Notes,
    sides: &[Side],
    verdict: &Verdict,
) {
    let side = |model: Model| sides.iter().find(|s| s.model == model).map(side_json);
    println!(
        "{}",
        Object::new()
            .bool("quick", quick)
            .int("connections_asked", asked as u64)
            .int("connections", n as u64)
            .value(
                "fd_limit",
                Object::new()
                    .int("soft", limit.soft)
                    .int("hard", limit.hard)
            )
            .int("thread_cap", notes.thread_cap as u64)
            .value("notes", json::array(notes.lines.iter().map(String::as_str)))
            .value("event_loop", side(Model::Loop))
            .value("threads", side(Model::Threads))
            .value(
                "verdicts",
                verdict::json_array(std::slice::from_ref(verdict))
            )
    );
}
