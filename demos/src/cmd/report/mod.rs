//! `demo report`: every claim run, one page to look at.
//!
//! Each subcommand of the registry (`claims.rs`, one entry each) runs as a
//! child process of this binary with `--json` (`run.rs`), its stderr
//! forwarded to ours between the report's own progress lines (which claim,
//! how many of how many, the time so far); then one self-contained HTML
//! page is written (`html.rs`): per claim the seed's sentence, charts
//! (`series.rs` for the curves a subcommand emits, `figures.rs` for the
//! rest, drawn by `svg.rs` on `axis.rs`), its verdicts with their numbers
//! and criteria, and the measured numbers (`numbers.rs`; `text.rs` for
//! both); the timeline page embedded at the end. With `--json`, stdout
//! carries one JSON object and nothing else: every claim's verdicts and
//! the page's path.
//!
//! The report concludes nothing of its own: its verdicts are the children's,
//! read back. A child that could not run is shown as such on the page,
//! and makes the report exit 1 once the page is written.

mod axis;
mod claims;
mod figures;
mod html;
mod numbers;
mod run;
mod series;
mod svg;
mod text;

use std::path::PathBuf;
use std::time::Instant;

use clap::Args as ClapArgs;

use crate::cmd::report::claims::{Claim, TIMELINE};
use crate::cmd::report::run::{Machine, Run};
use crate::support::cli::Common;
use crate::support::json::{self, Object, Value};
use crate::support::verdict::{self, Outcome, Verdict};

/// Arguments of `demo report`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Where to write the page.
    #[arg(long, default_value = "report.html")]
    out: PathBuf,
    /// Only these subcommands, comma-separated (e.g. `sleep,switch,timeline`);
    /// the page keeps its own order. Default: every one the report runs
    /// (a name it does not run is refused with the list).
    #[arg(long)]
    only: Option<String>,
    /// More arguments for one claim, `NAME=ARGS` (ARGS split on
    /// whitespace), repeatable: e.g. `latency=--duration 300ms`. Hidden:
    /// for the tests, which render the page from the small sizes each
    /// claim's own test uses. They go after the claim's usual arguments
    /// (so they win), and the page and the JSON show them in the claim's
    /// command and in the report's.
    #[arg(long = "claim-args", hide = true, value_parser = claims::parse_extra)]
    claim_args: Vec<(&'static str, Vec<String>)>,
}

/// Runs every claim, writes the page.
pub fn run(args: &Args) -> Outcome {
    let c = &args.common;
    let selected = match claims::select(args.only.as_deref()) {
        Ok(s) => s,
        Err(e) => return verdict::bad_input("report", &e),
    };
    if let Some((name, _)) = args
        .claim_args
        .iter()
        .find(|(name, _)| !selected.iter().any(|c| c.name == *name))
    {
        let message = format!("--claim-args names {name}, which --only leaves out");
        return verdict::bad_input("report", &message);
    }
    // Refuse an unwritable path before running anything.
    if let Err(e) = std::fs::write(&args.out, "") {
        let message = format!("cannot write {}: {e}", args.out.display());
        return verdict::bad_input("report", &message);
    }
    let machine = Machine::now();
    let start = Instant::now();
    let timeline_page =
        std::env::temp_dir().join(format!("demo-report-timeline-{}.html", std::process::id()));
    let total = selected.len();
    let mut runs: Vec<(&Claim, Run)> = Vec::new();
    for (i, claim) in selected.iter().enumerate() {
        let mut child_args = vec![claim.name.to_string(), "--json".into()];
        if c.quick {
            child_args.push("--quick".into());
        }
        child_args.extend(["--model".into(), c.model.flag().into()]);
        child_args.extend(claim.args.iter().map(|a| a.to_string()));
        for (_, extra) in args.claim_args.iter().filter(|(n, _)| *n == claim.name) {
            child_args.extend(extra.iter().cloned());
        }
        if claim.name == TIMELINE {
            child_args.extend(["--out".into(), timeline_page.display().to_string()]);
        }
        eprintln!(
            "report: [{}/{total}] {}: demo {}",
            i + 1,
            claim.name,
            child_args.join(" ")
        );
        let run = run::run(claim.name, child_args);
        eprintln!(
            "report: [{}/{total}] {}: {} in {}; {} so far",
            i + 1,
            claim.name,
            summary(&run),
            html::took(run.took),
            html::took(start.elapsed())
        );
        runs.push((claim, run));
    }
    let load_after = run::load_averages();
    // The timeline's page, read and removed (it is embedded whole).
    let timeline = runs.iter().find(|(c, _)| c.name == TIMELINE).map(|(c, r)| {
        let page = r.json.as_ref().map_err(String::clone).and_then(|_| {
            std::fs::read_to_string(&timeline_page)
                .map_err(|e| format!("cannot read the page `demo timeline` wrote: {e}"))
        });
        let _ = std::fs::remove_file(&timeline_page);
        (*c, r, page)
    });
    let mut command = vec!["report".to_string()];
    if c.quick {
        command.push("--quick".into());
    }
    if let Some(only) = &args.only {
        command.push(format!("--only {only}"));
    }
    for (name, extra) in &args.claim_args {
        command.push(format!("--claim-args '{name}={}'", extra.join(" ")));
    }
    let report = html::Report {
        machine: &machine,
        load_after: load_after.clone(),
        command: command.join(" "),
        runs: runs
            .iter()
            .filter(|(c, _)| c.name != TIMELINE)
            .map(|(c, r)| (*c, r))
            .collect(),
        timeline,
        total: start.elapsed(),
    };
    if let Err(e) = std::fs::write(&args.out, html::page(&report)) {
        return verdict::failed(
            "report",
            &format!("cannot write {}: {e}", args.out.display()),
        );
    }
    let verdicts: Vec<Verdict> = runs
        .iter()
        .filter_map(|(_, r)| r.json.as_ref().ok())
        .flat_map(|j| j["verdicts"].as_array().cloned().unwrap_or_default())
        .filter_map(|v| Verdict::from_json(&v))
        .collect();
    if c.json {
        let claims = runs.iter().map(|(_, r)| {
            Object::new()
                .str("subcommand", r.name)
                .str("command", &format!("demo {}", r.args.join(" ")))
                .num("took_ms", r.took.as_secs_f64() * 1e3)
                .value("error", r.json.as_ref().err().map(String::as_str))
                .value(
                    "verdicts",
                    r.json
                        .as_ref()
                        .ok()
                        .map_or(Value::Null, |j| j["verdicts"].clone()),
                )
        });
        println!(
            "{}",
            Object::new()
                .str("out", &args.out.display().to_string())
                .str("date", &machine.date)
                .int("cores", machine.cores as u64)
                .str("kernel", &machine.kernel)
                .str("load_before", &machine.load_before)
                .str("load_after", &load_after)
                .num("took_ms", report.total.as_secs_f64() * 1e3)
                .value("claims", json::array(claims))
                .value("verdicts", verdict::json_array(&verdicts))
        );
    } else {
        for (claim, run) in &runs {
            println!(
                "{:<9} {} ({})",
                claim.name,
                summary(run),
                html::took(run.took)
            );
        }
        println!(
            "wrote {} ({} subcommands in {}): open it in any browser, no network needed",
            args.out.display(),
            runs.len(),
            html::took(report.total)
        );
    }
    let failed: Vec<&str> = runs
        .iter()
        .filter(|(_, r)| r.json.is_err())
        .map(|(c, _)| c.name)
        .collect();
    if failed.is_empty() {
        Outcome::Ran(verdicts)
    } else {
        let message = format!(
            "{} could not run (the page says why): {}",
            failed.len(),
            failed.join(", ")
        );
        verdict::failed("report", &message)
    }
}

/// `7 verdicts: 5 yes, 1 partly, 1 no`, or `could not run`.
fn summary(run: &Run) -> String {
    let Ok(json) = &run.json else {
        return "could not run".into();
    };
    let words: Vec<&str> = json["verdicts"]
        .as_array()
        .map(|vs| vs.iter().filter_map(|v| v["holds"].as_str()).collect())
        .unwrap_or_default();
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for w in &words {
        match counts.iter_mut().find(|(x, _)| x == w) {
            Some((_, n)) => *n += 1,
            None => counts.push((w, 1)),
        }
    }
    let parts: Vec<String> = counts.iter().map(|(w, n)| format!("{n} {w}")).collect();
    match words.len() {
        0 => "no verdict".into(),
        n => format!(
            "{n} verdict{}: {}",
            if n == 1 { "" } else { "s" },
            parts.join(", ")
        ),
    }
}
