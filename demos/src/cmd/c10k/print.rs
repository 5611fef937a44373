//! `demo c10k`'s output: a table per model, or JSON.

use super::{Notes, Side};
use crate::support::cli::Model;
use crate::support::fdlimit;
use crate::support::json;
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

fn side_json(s: Option<&Side>) -> String {
    let Some(s) = s else {
        return "null".to_string();
    };
    format!(
        "{{\"connections\": {}, \"held\": {}, \"establish_ms\": {:.3}, \"rss_delta_bytes\": {:.0}, \"rss_per_conn_bytes\": {:.1}, \"vm_delta_bytes\": {:.0}, \"vm_per_conn_bytes\": {:.1}, \"threads\": {}}}",
        s.connections,
        s.held,
        s.establish.as_secs_f64() * 1e3,
        s.rss_delta,
        s.rss_per_conn(),
        s.vm_delta,
        s.vm_per_conn(),
        s.threads
    )
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
    let notes_json: Vec<String> = notes.lines.iter().map(|l| json::string(l)).collect();
    println!("{{");
    println!("  \"quick\": {quick},");
    println!("  \"connections_asked\": {asked}, \"connections\": {n},");
    println!(
        "  \"fd_limit\": {{\"soft\": {}, \"hard\": {}}},",
        limit.soft, limit.hard
    );
    println!("  \"thread_cap\": {},", notes.thread_cap);
    println!("  \"notes\": [{}],", notes_json.join(", "));
    println!(
        "  \"event_loop\": {},",
        side_json(sides.iter().find(|s| s.model == Model::Loop))
    );
    println!(
        "  \"threads\": {},",
        side_json(sides.iter().find(|s| s.model == Model::Threads))
    );
    println!(
        "  \"verdicts\": {}",
        verdict::json_array(std::slice::from_ref(verdict))
    );
    println!("}}");
}
