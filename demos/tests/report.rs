//! `demo report` end to end: a short report (`--quick --only` a few fast
//! claims and the timeline) is written, its `--json` stdout is one JSON
//! object while the progress goes to stderr, and headless Chromium loads
//! the page: every section is there and not empty, every chart was drawn
//! (the page's script marks each `<svg>` whose drawn box is not empty),
//! and the embedded timeline drew both models. A screenshot is kept in
//! the tests' output directory (`target/tmp/report.png`) to look at.
//! A second report renders the claims added later (switch-scale, counter,
//! unbounded, latency, hybrid, scale, baseline) with the small sizes
//! their own tests use: each section has its charts, each chart a series
//! with something in it.
//!
//! Chromium missing fails the test with the install command, unless
//! `RUNTIME_TEST_SKIP_TOOLS` lists `chromium` (README, "Run the tests").

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "common/chromium.rs"]
mod chromium;
mod common;
#[path = "common/tool.rs"]
mod tool;

use tool::Scratch;

/// The claims the test runs: fast ones, each with a chart, and the
/// timeline.
const ONLY: &str = "sleep,switch,errors,timeline";
const SECTIONS: [&str; 4] = ["sleep", "switch", "errors", "timeline"];

/// The claims added after the first report, in the page's order, each
/// with the arguments its own test (`tests/<name>.rs`) runs it with,
/// passed through the report's hidden `--claim-args`; `unbounded`'s test
/// uses `--quick`'s sizes.
const NEWER: [(&str, &str); 7] = [
    ("switch-scale", "--counts 2,8 --switches 2000"),
    ("counter", "--increments 20000"),
    ("unbounded", ""),
    ("latency", "--duration 300ms --connections 4"),
    ("hybrid", "--requests 20 --concurrency 5 --io 5ms --cpu 1ms"),
    ("scale", "--duration 300ms --connections 4 --cpu 200us"),
    ("baseline", "--requests 10 --files 40"),
];

/// A report written into a scratch directory (removed on every path).
struct Report {
    scratch: Scratch,
    page: PathBuf,
    /// Its `--json` stdout.
    json: serde_json::Value,
    stderr: String,
}

/// Runs `demo report --quick --json --only <only>` plus `extra` in the
/// scratch directory `$TMPDIR/<scratch>-<pid>`, insists
/// it succeeded with one JSON object on stdout (the progress on stderr),
/// every claim run without an error.
fn report(scratch: &str, only: &str, extra: &[String]) -> Report {
    let scratch = Scratch::new(scratch);
    let page = scratch.path().join("report.html");
    let out = Command::new(env!("CARGO_BIN_EXE_demo"))
        .args(["report", "--quick", "--json", "--only", only])
        .args(extra)
        .arg("--out")
        .arg(&page)
        .env("TMPDIR", scratch.path()) // the timeline's page, before it is embedded
        .output()
        .expect("the demo binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");

    // stdout is the JSON object and nothing else; the progress is on stderr.
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON object ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let claims = json["claims"].as_array().expect("claims");
    assert_eq!(claims.len(), only.split(',').count(), "{json}");
    for claim in claims {
        assert!(claim["error"].is_null(), "{claim}");
        assert!(
            claim["took_ms"].as_f64().is_some_and(|t| t > 0.0),
            "{claim}"
        );
    }
    assert!(!common::holds(&json).is_empty(), "{json}");
    Report {
        scratch,
        page,
        json,
        stderr,
    }
}

/// The text of the section `id="claim-<name>"`, up to its `</section>`.
fn section<'a>(dom: &'a str, name: &str) -> &'a str {
    let start = dom
        .find(&format!("id=\"claim-{name}\""))
        .unwrap_or_else(|| panic!("no section for {name}"));
    let end = dom[start..].find("</section>").expect("a closed section");
    &dom[start..start + end]
}

#[test]
fn the_report_page_has_every_section_and_chart_in_chromium() {
    let Report {
        scratch,
        page,
        json: _,
        stderr,
    } = report("demo-report-test", ONLY, &[]);
    let dir = scratch.path();
    for (i, name) in SECTIONS.iter().enumerate() {
        let line = format!("report: [{}/4] {name}: ", i + 1);
        assert!(
            stderr.contains(&line),
            "no progress line {line:?}:\n{stderr}"
        );
    }

    let html = std::fs::read_to_string(&page).expect("the page");
    chromium::assert_self_contained(&html);

    let Some(browser) = chromium::find() else {
        return;
    };
    let dom = chromium::dump_dom(browser, dir, &page);

    for name in ["sleep", "switch", "errors"] {
        let s = section(&dom, name);
        assert!(s.contains("class=\"seed\""), "{name}: no seed sentence");
        assert!(s.contains("class=\"verdict "), "{name}: no verdict");
        assert!(s.contains("criterion: "), "{name}: no criterion");
        assert!(s.contains("<table class=\"numbers"), "{name}: no numbers");
    }
    for name in ["sleep", "switch"] {
        let s = section(&dom, name);
        assert!(s.contains("<svg class=\"chart\""), "{name}: no chart");
    }
    let charts = dom.matches("<svg class=\"chart\"").count();
    let drawn = dom.matches("data-drawn=\"yes\"").count();
    assert!(charts >= 2, "{charts} charts");
    assert_eq!(
        drawn, charts,
        "a chart was not drawn (the script did not run, or a box is empty)"
    );
    assert!(
        dom.matches("<rect class=\"bar\"").count() >= 4,
        "sleep's and switch's bars, two models each"
    );
    assert!(
        section(&dom, "timeline").contains("data-timelines=\"2\""),
        "the embedded timeline drew both models"
    );

    // A picture to look at, kept in the tests' output directory.
    let png = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report.png");
    let _ = std::fs::remove_file(&png);
    let shot = chromium::command(browser, dir)
        .arg("--window-size=1400,2400")
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    let bytes = std::fs::read(&png).unwrap_or_else(|e| {
        panic!(
            "no screenshot at {} ({e}): {}",
            png.display(),
            String::from_utf8_lossy(&shot.stderr)
        )
    });
    assert!(
        bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000,
        "{} bytes",
        bytes.len()
    );
}

/// Each chart in `section`: (drawn by the browser, has a series with
/// something in it: a bar taller than 0, or a line through 2 points or
/// more).
fn charts(section: &str) -> Vec<(bool, bool)> {
    section
        .split("<svg class=\"chart\"")
        .skip(1)
        .map(|chart| {
            let chart = &chart[..chart.find("</svg>").expect("a closed <svg>")];
            let drawn =
                chart[..chart.find('>').expect("an <svg> tag")].contains("data-drawn=\"yes\"");
            let bars = chart.split("<rect class=\"bar\"").skip(1).any(|bar| {
                attribute(bar, "height").is_some_and(|h| h.parse::<f64>().is_ok_and(|h| h > 0.0))
            });
            let lines = chart
                .split("<polyline class=\"series\"")
                .skip(1)
                .any(|line| attribute(line, "points").is_some_and(|p| p.split(' ').count() >= 2));
            (drawn, bars || lines)
        })
        .collect()
}

/// The value of `name="..."` in the tag `tag` starts.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let tag = &tag[..tag.find('>')?];
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

#[test]
fn a_chart_without_data_is_told_from_one_with_data() {
    let svg = |body: &str, drawn: &str| {
        format!("<svg class=\"chart\" width=\"380\" data-drawn=\"{drawn}\">{body}</svg>")
    };
    let bar = |h: &str| format!("<rect class=\"bar\" x=\"1\" height=\"{h}\" fill=\"#fff\"></rect>");
    let line = |p: &str| format!("<polyline class=\"series\" fill=\"none\" points=\"{p}\"/>");
    let page = [
        svg(&bar("12.5"), "yes"),
        svg(&bar("0.0"), "yes"),
        svg(&line("1,2 3,4"), "no"),
        svg(&line(""), "yes"),
        svg("<text class=\"tick\">0</text>", "yes"),
    ]
    .concat();
    assert_eq!(
        charts(&page),
        [
            (true, true),
            (true, false),
            (false, true),
            (true, false),
            (true, false)
        ]
    );
}

#[test]
fn the_newer_claims_are_drawn_with_their_tests_sizes_in_chromium() {
    let only: Vec<&str> = NEWER.iter().map(|(name, _)| *name).collect();
    let extra: Vec<String> = NEWER
        .iter()
        .filter(|(_, args)| !args.is_empty())
        .flat_map(|(name, args)| ["--claim-args".to_string(), format!("{name}={args}")])
        .collect();
    let Report {
        scratch,
        page,
        json,
        stderr: _,
    } = report("demo-report-newer-test", &only.join(","), &extra);
    // The sizes reached the claims, and the page's JSON says so.
    let claims = json["claims"].as_array().expect("claims");
    for ((name, args), claim) in NEWER.iter().zip(claims) {
        assert_eq!(claim["subcommand"], *name, "{json}");
        let command = claim["command"].as_str().unwrap_or("");
        assert!(command.ends_with(args), "{name}: {command}");
    }

    let html = std::fs::read_to_string(&page).expect("the page");
    chromium::assert_self_contained(&html);
    let Some(browser) = chromium::find() else {
        return;
    };
    let dom = chromium::dump_dom(browser, scratch.path(), &page);
    for (name, _) in NEWER {
        let s = section(&dom, name);
        assert!(s.contains("class=\"seed\""), "{name}: no seed sentence");
        assert!(s.contains("class=\"verdict "), "{name}: no verdict");
        assert!(s.contains("criterion: "), "{name}: no criterion");
        assert!(s.contains("<table class=\"numbers"), "{name}: no numbers");
        let charts = charts(s);
        assert!(!charts.is_empty(), "{name}: no chart");
        for (i, (drawn, has_series)) in charts.into_iter().enumerate() {
            assert!(drawn, "{name}: chart {i} was not drawn");
            assert!(has_series, "{name}: chart {i} has no series with data");
        }
    }
}

#[test]
fn bad_input_is_refused_before_any_claim_runs() {
    common::assert_bad_input(
        &["report", "--only", "sleep,nope"],
        "\"nope\" is not one of",
    );
    common::assert_bad_input(&["report", "--only", ","], "names no subcommand");
    common::assert_bad_input(
        &["report", "--claim-args", "nope=--quick"],
        "\"nope\" is not one of",
    );
    common::assert_bad_input(
        &[
            "report",
            "--only",
            "sleep",
            "--claim-args",
            "latency=--duration 1s",
        ],
        "names latency, which --only leaves out",
    );
    common::assert_bad_input(
        &["report", "--out", "/nonexistent-dir/report.html"],
        "cannot write /nonexistent-dir/report.html",
    );
}
