//! `demo files`' output: both parts as tables, or as JSON.

use std::time::Duration;

use super::{ConnectRun, Params, ReadRun};
use crate::support::json;
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

fn read_json(r: Option<&ReadRun>) -> String {
    let Some(r) = r else {
        return "null".to_string();
    };
    format!(
        "{{\"wall_ms\": {:.3}, \"files_per_sec\": {:.1}, \"threads_used\": {}, \"threads_created\": {}, \"read_ok\": {}, \"failed\": {}, \"first_error\": {}}}",
        ms(r.wall),
        per_sec(r.ok, r.wall),
        r.threads,
        r.threads_created,
        r.ok,
        r.failed,
        r.first_error
            .as_deref()
            .map_or("null".to_string(), json::string)
    )
}

pub(super) fn json(
    quick: bool,
    p: Params,
    lp: Option<&ReadRun>,
    th: Option<&ReadRun>,
    runs: &[ConnectRun],
    verdict: &Verdict,
) {
    let rows: Vec<String> = runs
        .iter()
        .map(|r| {
            format!(
                "    {{\"model\": {}, \"permits\": {}, \"succeeded\": {}, \"emfile\": {}, \"other\": {}, \"peak_open\": {}, \"fds_before\": {}, \"emfile_example\": {}, \"other_example\": {}}}",
                json::string(r.model.flag()),
                r.permits.map_or("null".to_string(), |k| k.to_string()),
                r.succeeded,
                r.emfile,
                r.other,
                r.peak_open,
                r.fds_before,
                json::string(&r.emfile_example),
                json::string(&r.other_example)
            )
        })
        .collect();
    println!("{{");
    println!("  \"quick\": {quick},");
    println!(
        "  \"files\": {}, \"size\": {}, \"connections\": {}, \"limit\": {}, \"permits\": {},",
        p.files, p.size, p.connections, p.limit, p.permits
    );
    println!(
        "  \"read\": {{\"event_loop\": {}, \"threads\": {}}},",
        read_json(lp),
        read_json(th)
    );
    println!("  \"connect\": [\n{}\n  ],", rows.join(",\n"));
    println!(
        "  \"verdicts\": {}",
        verdict::json_array(std::slice::from_ref(verdict))
    );
    println!("}}");
}
