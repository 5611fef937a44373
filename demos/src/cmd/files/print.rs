//! `demo files`' output: both parts as tables, or as JSON.

use std::time::Duration;

use super::{ConnectRun, Params, ReadRun};
use crate::support::json::{self, Object};
use crate::support::measure::ms;
use crate::support::verdict::{self, Verdict};

fn per_sec(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64().max(1e-9)
}

pub(super) fn text(
    p: Params,
    lp: Option<&ReadRun>,
    th: Option<&ReadRun>,
    runs: &[ConnectRun],
    verdict: &Verdict,
) {
    println!(
        "part 1: {} files of {} B read at once (seed 001: aiofiles runs file I/O on a thread pool)",
        p.files, p.size
    );
    println!(
        "  {:<42} {:>9} {:>10} {:>22} {:>9}",
        "model", "wall ms", "files/s", "threads: peak/created", "read ok"
    );
    for (name, r) in [
        ("event loop: fs::read on the blocking pool", lp),
        ("threads: one thread per file", th),
    ] {
        let Some(r) = r else { continue };
        println!(
            "  {:<42} {:>9.1} {:>10.0} {:>22} {:>9}",
            name,
            ms(r.wall),
            per_sec(r.ok, r.wall),
            format!("{}/{}", r.threads, r.threads_created),
            format!("{}/{}", r.ok, p.files)
        );
        if let Some(e) = &r.first_error {
            println!("    {} failed, first: {e}", r.failed);
        }
    }
    println!();
    println!(
        "part 2: {} connections at once from a client process whose RLIMIT_NOFILE soft limit is {} (server in another process)",
        p.connections, p.limit
    );
    println!(
        "  {:<11} {:<13} {:>9} {:>7} {:>6} {:>10} {:>11}",
        "model", "semaphore", "succeeded", "EMFILE", "other", "peak open", "fds before"
    );
    for r in runs {
        println!(
            "  {:<11} {:<13} {:>9} {:>7} {:>6} {:>10} {:>11}",
            r.model.label(),
            r.permits
                .map_or("none".to_string(), |k| format!("Semaphore({k})")),
            r.succeeded,
            r.emfile,
            r.other,
            r.peak_open,
            r.fds_before
        );
    }
    if let Some(r) = runs.iter().find(|r| !r.emfile_example.is_empty()) {
        println!("  EMFILE, as the OS says it: {}", r.emfile_example);
    }
    for r in runs.iter().filter(|r| !r.other_example.is_empty()) {
        println!(
            "  other failure ({}, {}): {}",
            r.model.label(),
            r.permits
                .map_or("no semaphore".to_string(), |k| format!("Semaphore({k})")),
            r.other_example
        );
    }
    println!();
    verdict.print();
}

fn read_json(r: &ReadRun) -> Object {
    Object::new()
        .num("wall_ms", ms(r.wall))
        .num("files_per_sec", per_sec(r.ok, r.wall))
        .int("threads_used", r.threads)
        .int("threads_created", r.threads_created)
        .int("read_ok", r.ok as u64)
        .int("failed", r.failed as u64)
        .value("first_error", r.first_error.as_deref())
}

fn connect_json(r: &ConnectRun) -> Object {
    Object::new()
        .str("model", r.model.flag())
        .value("permits", r.permits)
        .int("succeeded", r.succeeded as u64)
        .int("emfile", r.emfile as u64)
        .int("other", r.other as u64)
        .int("peak_open", r.peak_open as u64)
        .int("fds_before", r.fds_before as u64)
        .str("emfile_example", &r.emfile_example)
        .str("other_example", &r.other_example)
}

pub(super) fn json(
    quick: bool,
    p: Params,
    lp: Option<&ReadRun>,
    th: Option<&ReadRun>,
    runs: &[ConnectRun],
    verdict: &Verdict,
) {
    println!(
        "{}",
        Object::new()
            .bool("quick", quick)
            .int("files", p.files as u64)
            .int("size", p.size as u64)
            .int("connections", p.connections as u64)
            .int("limit", p.limit)
            .int("permits", p.permits as u64)
            .value(
                "read",
                Object::new()
                    .value("event_loop", lp.map(read_json))
                    .value("threads", th.map(read_json))
            )
            .value("connect", json::array(runs.iter().map(connect_json)))
            .value(
                "verdicts",
                verdict::json_array(std::slice::from_ref(verdict))
            )
    );
}
