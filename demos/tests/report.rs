//! `demo report` end to end: a short report (`--quick --only` a few fast
//! claims and the timeline) is written, its `--json` stdout is one JSON
//! object while the progress goes to stderr, and headless Chromium loads
//! the page: every section is there and not empty, every chart was drawn
//! (the page's script marks each `<svg>` whose drawn box is not empty),
//! and the embedded timeline drew both models. A screenshot is kept in
//! the tests' output directory (`target/tmp/report.png`) to look at.
//!
//! Chromium missing fails the test with the install command, unless
//! `RUNTIME_TEST_SKIP_TOOLS` lists `chromium` (README, "Run the tests").

use std::path::Path;
use std::process::Command;

#[path = "common/chromium.rs"]
mod chromium;
mod common;
#[path = "common/tool.rs"]
mod tool;

use tool::ScratchDir;

/// The claims the test runs: fast ones, each with a chart, and the
/// timeline.
const ONLY: &str = "sleep,switch,errors,timeline";
const SECTIONS: [&str; 4] = ["sleep", "switch", "errors", "timeline"];

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
    // The page, the browser's profile and its temporary files; removed on
    // every path.
    let scratch = ScratchDir::new("demo-report-test");
    let dir = scratch.path();
    let page = dir.join("report.html");
    let out = Command::new(env!("CARGO_BIN_EXE_demo"))
        .args(["report", "--quick", "--json", "--only", ONLY, "--out"])
        .arg(&page)
        .env("TMPDIR", dir) // the timeline's page, before it is embedded
        .output()
        .expect("the demo binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");

    // stdout is the JSON object and nothing else; the progress is on stderr.
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON object ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let claims = json["claims"].as_array().expect("claims");
    assert_eq!(claims.len(), SECTIONS.len(), "{json}");
    for claim in claims {
        assert!(claim["error"].is_null(), "{claim}");
        assert!(
            claim["took_ms"].as_f64().is_some_and(|t| t > 0.0),
            "{claim}"
        );
    }
    assert!(!common::holds(&json).is_empty(), "{json}");
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

#[test]
fn bad_input_is_refused_before_any_claim_runs() {
    common::assert_bad_input(
        &["report", "--only", "sleep,nope"],
        "\"nope\" is not one of",
    );
    common::assert_bad_input(&["report", "--only", ","], "names no subcommand");
    common::assert_bad_input(
        &["report", "--out", "/nonexistent-dir/report.html"],
        "cannot write /nonexistent-dir/report.html",
    );
}
