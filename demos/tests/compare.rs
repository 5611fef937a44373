//! `demo compare --quick --json` prints seed 000's Key Differences table as
//! JSON: every row measured on both models, each with a computed verdict
//! and its criterion; with one model, the rows that compare both say "not
//! run" instead of agreeing. README's table of a run ("What it printed
//! here") has the rows it prints, in its order, with its claims.

mod common;

use std::time::{Duration, Instant};

const ROWS: [&str; 7] = [
    "scheduling",
    "context switch",
    "syscalls per switch",
    "memory footprint",
    "blocking call handling",
    "threads used",
    "CPU-bound job",
];

const VERDICTS: [&str; 5] = ["yes", "no", "partly", "measurement error", "not run"];

fn row<'a>(json: &'a serde_json::Value, aspect: &str) -> &'a serde_json::Value {
    json["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["aspect"] == aspect)
        .unwrap_or_else(|| panic!("no row {aspect}: {json}"))
}

#[test]
fn quick_json_has_every_row_for_both_models() {
    let start = Instant::now();
    let out = common::demo(&["compare", "--quick", "--json"]);
    let took = start.elapsed();
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}\n{err}");
    // Generous: --quick targets < 10 s; the test machine is busy.
    assert!(took < Duration::from_secs(90), "took {took:?}");
    assert!(err.contains("compare: "), "progress goes to stderr: {err}");
    let json: serde_json::Value = serde_json::from_str(&text).expect("stdout is JSON");
    assert_eq!(
        json["rows"].as_array().map(Vec::len),
        Some(ROWS.len()),
        "{text}"
    );
    for aspect in ROWS {
        let row = row(&json, aspect);
        for column in ["event_loop", "threads", "claim", "agrees", "criterion"] {
            let cell = row[column].as_str().unwrap_or("");
            assert!(
                !cell.is_empty() && cell != "not run",
                "{aspect}/{column}: {text}"
            );
        }
        let holds = row["holds"].as_str().unwrap_or("");
        assert!(VERDICTS.contains(&holds), "{aspect}: {holds}");
        assert!(
            row["agrees"].as_str().unwrap_or("").starts_with(holds),
            "{aspect}: the text is the verdict: {text}"
        );
    }
    // The seed's blocking claim is true of an awaited call only.
    assert_eq!(
        row(&json, "blocking call handling")["holds"],
        "partly",
        "{text}"
    );
    for model in ["event_loop", "threads"] {
        let side = &json[model];
        for number in [
            "switch_ns",
            "rss_per_unit_bytes",
            "max_tick_gap_ms",
            "cpu_ms",
        ] {
            assert!(
                side[number].as_f64().is_some_and(|n| n > 0.0),
                "{model}.{number}: {text}"
            );
        }
        // Medians come with their spread.
        assert!(side["switch_ns_spread"]["samples"].is_array(), "{text}");
    }
    // Threads counted in /proc/self/task, not assumed.
    assert_eq!(json["event_loop"]["threads_used"], 1, "{text}");
    assert!(
        json["threads"]["threads_used"].as_u64().unwrap_or(0) >= 1000,
        "{text}"
    );
    // Switching tasks needs no syscall (bar the loop's periodic epoll
    // check); switching threads needs the kernel (futex wake + wait).
    let per_switch = |model: &str| json[model]["syscalls_per_switch"].as_f64();
    assert!(per_switch("event_loop").is_some_and(|n| n < 0.5), "{text}");
    assert!(per_switch("threads").is_some_and(|n| n >= 1.0), "{text}");
    // The loop stalls under a blocking call; the thread model does not.
    assert!(
        json["event_loop"]["max_tick_gap_ms"]
            .as_f64()
            .unwrap_or(0.0)
            >= 100.0,
        "{text}"
    );
    assert!(
        json["threads"]["max_tick_gap_ms"].as_f64().unwrap_or(1e9) < 100.0,
        "{text}"
    );
    assert_eq!(json["verdicts"].as_array().map(Vec::len), Some(ROWS.len()));
}

#[test]
fn one_model_agrees_with_nothing_it_did_not_compare() {
    let json = common::demo_json(&["compare", "--quick", "--json", "--model", "loop"]);
    for aspect in ROWS {
        let row = row(&json, aspect);
        assert_eq!(row["threads"], "not run", "{aspect}: {json}");
        assert_eq!(row["holds"], "not run", "{aspect}: {json}");
        assert!(
            row["agrees"]
                .as_str()
                .unwrap_or("")
                .contains("--model both"),
            "{aspect}: {json}"
        );
    }
    assert!(json["threads"].is_null(), "{json}");
}

/// The rows of README's table under "What it printed here" (the first
/// Markdown table after that heading): each row's cells, trimmed.
fn readme_table() -> Vec<Vec<String>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
    let readme = std::fs::read_to_string(path).expect("README.md");
    let (_, after) = readme
        .split_once("### What it printed here")
        .expect("README has the heading \"What it printed here\"");
    after
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2) // the header and the |---| line
        .map(|l| {
            l.trim()
                .trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

/// README's compare table prints the rows `compare` prints, in its order,
/// and quotes each row's claim as the demo prints it (the other columns
/// are a run's numbers; the criteria depend on the models run and the
/// cores, so the smallest run, one model, cannot check them).
#[test]
fn the_readme_table_has_the_rows_compare_prints() {
    let json = common::demo_json(&["compare", "--quick", "--json", "--model", "loop"]);
    let rows = json["rows"].as_array().expect("rows");
    let printed: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["aspect"].as_str().unwrap_or(""),
                r["claim"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let table = readme_table();
    assert!(
        table.iter().all(|cells| cells.len() == 6),
        "README's table has 6 columns (aspect, event loop, threads, seed's claim, agrees?, criterion): {table:?}"
    );
    let readme: Vec<(&str, &str)> = table
        .iter()
        .map(|cells| (cells[0].as_str(), cells[3].as_str()))
        .collect();
    assert_eq!(readme, printed, "README's (aspect, seed's claim) columns");
}
