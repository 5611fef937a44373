//! The pictures of a claim, from its `--json` output: the charts of its
//! `series` (`series.rs`), then the bar charts made here for the
//! subcommands whose numbers are a handful of values per model and that
//! emit no series (compare's rows, a switch's cost, a speed-up against its
//! threshold...).
//!
//! Every value is read from the JSON by its pointer; a value that is
//! missing draws no bar, and a chart with no bar is not drawn. Reference
//! lines are the criteria's own thresholds, read from the JSON or from
//! `support/claims/`, never a number typed here.

use crate::cmd::report::series;
use crate::cmd::report::svg::{Bar, Bars, Group};
use crate::support::claims::MIN_PARALLEL_SPEEDUP;
use crate::support::json::Value;

/// Every chart for subcommand `name`'s JSON, as SVG text.
pub fn figures(name: &str, json: &Value) -> Vec<String> {
    let mut out = Vec::new();
    series::charts(json, "", &mut out);
    let made = match name {
        "compare" => compare(json),
        "switch" => vec![pair(
            json,
            "cost of a context switch",
            "ns per switch",
            "ns_per_switch",
        )],
        "cpu" => vec![one(
            "CPU-bound job: speed-up over the sequential run",
            "speed-up (x)",
            vec![
                bar("loop: gather", json, "/loop_gather/speedup"),
                bar("spawn_blocking", json, "/spawn_blocking/speedup"),
                bar("threads", json, "/threads/speedup"),
            ],
            speedup_refs(json),
        )],
        "blocking" => blocking(json),
        "sleep" => sleep(json),
        "c10k" => c10k(json),
        "fetch" => fetch(json),
        "files" => files(json),
        "load" => load(json),
        _ => Vec::new(),
    };
    out.extend(made.into_iter().flatten());
    out
}

/// A bar from the value at `pointer`: a number, or a spread (`median`,
/// with `min`..`max` as its whisker).
fn bar(label: &str, json: &Value, pointer: &str) -> Option<Bar> {
    let v = json.pointer(pointer)?;
    let (value, range) = match v {
        Value::Object(_) => {
            let median = v["median"].as_f64()?;
            let range = v["min"].as_f64().zip(v["max"].as_f64());
            (median, range)
        }
        _ => (v.as_f64()?, None),
    };
    Some(Bar {
        label: label.to_string(),
        value,
        range,
    })
}

/// A chart of one group of bars (each labelled under itself).
fn one(
    title: &str,
    y_label: &str,
    bars: Vec<Option<Bar>>,
    refs: Vec<(String, f64)>,
) -> Option<String> {
    Bars {
        title: title.into(),
        x_label: String::new(),
        y_label: y_label.into(),
        groups: vec![Group {
            label: String::new(),
            bars: bars.into_iter().flatten().collect(),
        }],
        refs,
    }
    .svg()
}

/// The two bars of a value each model's object holds: `event loop` at
/// `{within}/event_loop/{key}`, `threads` at `{within}/threads/{key}`.
fn both(json: &Value, within: &str, key: &str) -> Vec<Option<Bar>> {
    vec![
        bar("event loop", json, &format!("{within}/event_loop/{key}")),
        bar("threads", json, &format!("{within}/threads/{key}")),
    ]
}

/// A chart of [`both`] models' value at `key`, with no reference line.
fn pair(json: &Value, title: &str, y_label: &str, key: &str) -> Option<String> {
    one(title, y_label, both(json, "", key), vec![])
}

/// The number at `pointer`.
fn num(json: &Value, pointer: &str) -> Option<f64> {
    json.pointer(pointer)?.as_f64()
}

/// `event loop` or `threads` for a model's name as a subcommand writes it
/// (`loop`, `event loop (gather on one thread)`, `threads (one OS ...)`).
fn model(name: &str) -> String {
    if name.contains("loop") {
        "event loop".into()
    } else if name.contains("thread") {
        "threads".into()
    } else {
        name.into()
    }
}

/// The thresholds of the parallel speed-up criterion: 1.5x, and the cores
/// measured (no run can exceed them).
fn speedup_refs(json: &Value) -> Vec<(String, f64)> {
    let mut refs = vec![(
        format!("parallel: {MIN_PARALLEL_SPEEDUP}x"),
        MIN_PARALLEL_SPEEDUP,
    )];
    if let Some(cores) = num(json, "/cores") {
        refs.push((format!("{cores} cores"), cores));
    }
    refs
}

/// Seed 000's table as bars, a chart per row that has numbers.
fn compare(json: &Value) -> Vec<Option<String>> {
    vec![
        pair(json, "context switch", "ns per switch", "switch_ns_spread"),
        pair(
            json,
            "syscalls per switch",
            "syscalls",
            "syscalls_per_switch",
        ),
        pair(
            json,
            "memory footprint",
            "RSS bytes per idle task/thread",
            "rss_per_unit_bytes",
        ),
        pair(json, "threads used", "threads", "threads_used"),
        one(
            "blocking call handling",
            "longest tick gap, ms",
            vec![
                bar("loop: blocked", json, "/event_loop/max_tick_gap_ms"),
                bar("loop: spawn_blocking", json, "/event_loop/offloaded_gap_ms"),
                bar("threads", json, "/threads/max_tick_gap_ms"),
            ],
            vec![],
        ),
        one(
            "CPU-bound job",
            "speed-up (x)",
            both(json, "", "cpu_speedup_spread"),
            speedup_refs(json),
        ),
    ]
}

fn blocking(json: &Value) -> Vec<Option<String>> {
    let mut refs = Vec::new();
    if let (Some(block), Some(tick)) = (num(json, "/block_ms"), num(json, "/tick_ms")) {
        refs.push((format!("half the {block} ms block"), block / 2.0));
        refs.push(("half a tick: an error below".into(), tick / 2.0));
    }
    vec![one(
        "longest gap between ticks while a call blocks",
        "ms",
        vec![
            bar("loop: in a task", json, "/loop_blocked_gap_ms"),
            bar("loop: spawn_blocking", json, "/loop_spawn_blocking_gap_ms"),
            bar("threads", json, "/threads_gap_ms"),
        ],
        refs,
    )]
}

fn sleep(json: &Value) -> Vec<Option<String>> {
    let sleeps: Vec<f64> = json["sleeps_ms"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    let mut refs = Vec::new();
    if !sleeps.is_empty() {
        refs.push((
            "longest sleep".into(),
            sleeps.iter().copied().fold(0.0, f64::max),
        ));
        refs.push(("one after the other".into(), sleeps.iter().sum()));
    }
    vec![one(
        "sleeps gathered: total time",
        "ms",
        runs(json, "/runs", "model", "took_ms"),
        refs,
    )]
}

/// A bar per element of the array at `array`: labelled by its `label`
/// field's model, valued by `value`.
fn runs(json: &Value, array: &str, label: &str, value: &str) -> Vec<Option<Bar>> {
    let items = json.pointer(array).and_then(Value::as_array);
    items
        .into_iter()
        .flatten()
        .map(|r| {
            bar(
                &model(r[label].as_str().unwrap_or("?")),
                r,
                &format!("/{value}"),
            )
        })
        .collect()
}

fn c10k(json: &Value) -> Vec<Option<String>> {
    vec![
        pair(
            json,
            "memory per idle connection",
            "RSS bytes",
            "rss_per_conn_bytes",
        ),
        pair(
            json,
            "address space per idle connection",
            "VmSize bytes",
            "vm_per_conn_bytes",
        ),
        pair(
            json,
            "threads holding the connections",
            "threads",
            "threads",
        ),
    ]
}

fn fetch(json: &Value) -> Vec<Option<String>> {
    let mut refs = Vec::new();
    if let (Some(n), Some(c), Some(l)) = (
        num(json, "/requests"),
        num(json, "/concurrency"),
        num(json, "/latency_ms"),
    ) {
        refs.push(("ceil(N/C) x latency".into(), (n / c).ceil() * l));
        refs.push(("one at a time".into(), n * l));
    }
    vec![one(
        "requests with injected latency: wall time",
        "ms",
        runs(json, "/models", "model", "wall_ms"),
        refs,
    )]
}

fn files(json: &Value) -> Vec<Option<String>> {
    let connects = json["connect"].as_array().cloned().unwrap_or_default();
    let groups = connects
        .iter()
        .map(|c| {
            let label = format!(
                "{}: {}",
                model(c["model"].as_str().unwrap_or("?")),
                c["permits"]
                    .as_u64()
                    .map_or("no semaphore".into(), |k| format!("Semaphore({k})"))
            );
            Group {
                label,
                bars: [
                    bar("succeeded", c, "/succeeded"),
                    bar("EMFILE", c, "/emfile"),
                ]
                .into_iter()
                .flatten()
                .collect(),
            }
        })
        .collect();
    let limit = num(json, "/limit").map_or(String::new(), |l| format!(" (fd limit {l})"));
    vec![
        Bars {
            title: format!("opening connections at once{limit}"),
            x_label: String::new(),
            y_label: "connections".into(),
            groups,
            refs: num(json, "/connections")
                .map(|n| ("asked".to_string(), n))
                .into_iter()
                .collect(),
        }
        .svg(),
        one(
            "reading files at once: wall time",
            "ms",
            both(json, "/read", "wall_ms"),
            vec![],
        ),
    ]
}

fn load(json: &Value) -> Vec<Option<String>> {
    let runs_ = json["runs"].as_array().cloned().unwrap_or_default();
    let groups = ["p50", "p90", "p99", "max"]
        .into_iter()
        .map(|p| Group {
            label: p.into(),
            bars: runs_
                .iter()
                .filter_map(|r| {
                    bar(
                        &model(r["started_model"].as_str().unwrap_or("?")),
                        r,
                        &format!("/{p}_us"),
                    )
                })
                .collect(),
        })
        .collect();
    vec![
        Bars {
            title: "latency distribution under load".into(),
            x_label: "percentile".into(),
            y_label: "µs".into(),
            groups,
            refs: vec![],
        }
        .svg(),
        one(
            "throughput",
            "requests per second",
            runs(json, "/runs", "started_model", "throughput_per_s"),
            vec![],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_numbers_draw_no_chart() {
        let json: Value = serde_json::from_str(r#"{"verdicts": []}"#).unwrap();
        for name in [
            "compare", "switch", "cpu", "blocking", "sleep", "c10k", "fetch", "files", "load",
        ] {
            assert!(figures(name, &json).is_empty(), "{name}");
        }
    }
}
