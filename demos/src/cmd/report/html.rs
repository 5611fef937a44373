//! The report page: one self-contained HTML file (inline CSS and SVG, one
//! small inline script, no network). On top, the machine and a summary
//! line per claim; then a section per claim: the seed's sentence, the
//! charts (`figures.rs`), each verdict (coloured by its result) with the
//! numbers behind it and its criterion, and the measured numbers
//! (`numbers.rs`); last, the timeline page, embedded whole in an
//! `<iframe srcdoc>`.
//!
//! The script only checks what the browser drew: it marks each chart with
//! `data-drawn="yes"` when its drawn box is not empty, and the timeline's
//! frame with how many timelines it holds (`tests/report.rs` reads these).

use std::time::Duration;

use crate::cmd::report::claims::Claim;
use crate::cmd::report::figures::figures;
use crate::cmd::report::numbers;
use crate::cmd::report::run::{Machine, Run};
use crate::cmd::report::text::esc;
use crate::support::json::Value;

/// Everything the page shows.
pub struct Report<'a> {
    pub machine: &'a Machine,
    /// The load averages after the last claim.
    pub load_after: String,
    /// The report's own command line, after `demo`.
    pub command: String,
    /// The claims, each with its run.
    pub runs: Vec<(&'a Claim, &'a Run)>,
    /// The timeline, if it was asked for: its claim and run (`timeline`'s
    /// JSON names the page it wrote; `page` is that page, or why not).
    pub timeline: Option<(&'a Claim, &'a Run, Result<String, String>)>,
    pub total: Duration,
}

const STYLE: &str = r#"
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; padding: 16px 24px; max-width: 1480px; color: #222; background: #fafafa; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 0 0 6px; }
h2 a { color: inherit; text-decoration: none; }
.machine, .cmd, .took { color: #555; }
.took { font-size: 13px; font-weight: normal; margin-left: 8px; }
section { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 14px 18px; margin: 14px 0; }
blockquote.seed { margin: 6px 0 10px; padding: 6px 12px; border-left: 4px solid #bbb; background: #f4f4f4; font-style: italic; }
blockquote.seed cite { font-style: normal; color: #666; margin-left: 6px; }
.verdict { display: flex; gap: 10px; margin: 6px 0; padding: 6px 8px; border-radius: 4px; background: #f7f7f7; }
.verdict p { margin: 1px 0; }
.holds, .chip { flex: none; align-self: flex-start; font-weight: 600; color: #fff; border-radius: 3px; padding: 1px 8px; font-size: 13px; white-space: nowrap; }
.chip { display: inline-block; margin: 1px 3px 1px 0; }
.yes .holds, .chip.yes { background: #2e7d32; }
.no .holds, .chip.no { background: #c62828; }
.partly .holds, .chip.partly { background: #e08a00; }
.measurement-error .holds, .chip.measurement-error { background: #6a1b9a; }
.not-run .holds, .chip.not-run { background: #757575; }
.could-not-run .holds, .chip.could-not-run { background: #000; }
.claim-text { font-weight: 600; }
.json-title { font-weight: 600; margin: 4px 0; }
ul.notes { color: #444; margin: 6px 0; }
.criterion { color: #555; font-size: 13px; }
.figures { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0; }
svg.chart { background: #fff; border: 1px solid #e2e2e2; font: 11px system-ui, sans-serif; }
svg .title { font-size: 13px; font-weight: 600; } svg .label { font-size: 12px; fill: #333; }
svg .tick, svg .legend { fill: #444; } svg .value { font-size: 10px; fill: #222; } svg .ref-label { font-size: 10px; }
details summary { cursor: pointer; color: #444; }
dl.params { display: flex; flex-wrap: wrap; gap: 2px 16px; margin: 6px 0; font-size: 12px; }
dl.params div { display: flex; gap: 4px; } dt { color: #666; } dd { margin: 0; font-family: ui-monospace, monospace; }
table { border-collapse: collapse; margin: 8px 0; font-size: 12px; }
caption { text-align: left; font-weight: 600; padding: 2px 0; }
th, td { border: 1px solid #ddd; padding: 2px 6px; text-align: left; vertical-align: top; }
td { font-family: ui-monospace, monospace; } th { background: #f3f3f3; font-weight: 600; }
table.summary td { font-family: inherit; }
pre { white-space: pre-wrap; background: #f3f3f3; padding: 6px; font-size: 12px; }
iframe { width: 100%; height: 480px; border: 1px solid #ddd; background: #fff; }
"#;

const SCRIPT: &str = r#"
for (const svg of document.querySelectorAll("svg.chart")) {
  const box = svg.getBBox();
  svg.setAttribute("data-drawn", box.width > 0 && box.height > 0 ? "yes" : "no");
}
"#;

/// The CSS class of a verdict word: `measurement error` -> `measurement-error`.
fn class(word: &str) -> String {
    word.replace(' ', "-")
}

/// The verdicts of a subcommand's JSON: `(holds, claim, detail,
/// criterion, reason)`.
fn verdicts(json: &Value) -> Vec<[String; 5]> {
    let field = |v: &Value, k: &str| v[k].as_str().unwrap_or("").to_string();
    json["verdicts"]
        .as_array()
        .map(|vs| {
            vs.iter()
                .map(|v| ["holds", "claim", "detail", "criterion", "reason"].map(|k| field(v, k)))
                .collect()
        })
        .unwrap_or_default()
}

/// `1.2 s`, `2 min 5 s`.
pub fn took(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 59.95 {
        format!("{s:.1} s")
    } else {
        let whole = s.round() as u64;
        format!("{} min {} s", whole / 60, whole % 60)
    }
}

/// The chips of one run: a verdict word each, or "could not run".
fn chips(run: &Run) -> String {
    match &run.json {
        Ok(json) => verdicts(json)
            .iter()
            .map(|[holds, claim, ..]| {
                format!(
                    "<span class=\"chip {}\" title=\"{}\">{}</span>",
                    class(holds),
                    esc(claim),
                    esc(holds)
                )
            })
            .collect(),
        Err(_) => "<span class=\"chip could-not-run\">could not run</span>".into(),
    }
}

fn header(r: &Report, out: &mut String) {
    let m = r.machine;
    out.push_str(&format!(
        "<h1>Threads vs an event loop: the seed articles' claims, measured</h1>\
         <p class=\"machine\">{} &middot; {} core(s) in the affinity mask &middot; Linux {} &middot; \
         load average {} before, {} after (1, 5, 15 min) &middot; <code>demo {}</code> took {} in all</p>",
        esc(&m.date),
        m.cores,
        esc(&m.kernel),
        esc(&m.load_before),
        esc(&r.load_after),
        esc(&r.command),
        took(r.total)
    ));
    out.push_str("<table class=\"summary\"><tr><th>subcommand</th><th>seed</th><th>verdicts</th><th>took</th></tr>");
    let timeline = r.timeline.iter().map(|(c, run, _)| (*c, *run));
    for (claim, run) in r.runs.iter().copied().chain(timeline) {
        out.push_str(&format!(
            "<tr><td><a href=\"#claim-{n}\">{n}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            claim.seed,
            chips(run),
            took(run.took),
            n = claim.name
        ));
    }
    out.push_str("</table>");
}

/// The opening of a section: its title, command, time and seed quote.
fn section_top(claim: &Claim, run: &Run, out: &mut String) {
    out.push_str(&format!(
        "<section class=\"claim\" id=\"claim-{n}\" data-claim=\"{n}\"><h2><a href=\"#claim-{n}\">{n}</a>\
         <span class=\"took\">took {}</span></h2><p class=\"cmd\"><code>demo {}</code></p>\
         <blockquote class=\"seed\">&ldquo;{}&rdquo;<cite>seed {}</cite></blockquote>",
        took(run.took),
        esc(&run.args.join(" ")),
        esc(claim.quote),
        claim.seed,
        n = claim.name
    ));
}

fn failure(error: &str, out: &mut String) {
    out.push_str(&format!(
        "<div class=\"verdict could-not-run\"><span class=\"holds\">could not run</span><pre>{}</pre></div>",
        esc(error)
    ));
}

fn section(claim: &Claim, run: &Run, out: &mut String) {
    section_top(claim, run, out);
    let json = match &run.json {
        Ok(json) => json,
        Err(e) => {
            failure(e, out);
            out.push_str("</section>");
            return;
        }
    };
    if let Some(title) = json.get("title").and_then(Value::as_str) {
        out.push_str(&format!("<p class=\"json-title\">{}</p>", esc(title)));
    }
    // The pictures first: what people look at before they read.
    out.push_str("<div class=\"figures\">");
    for svg in figures(claim.name, json) {
        out.push_str(&svg);
    }
    out.push_str("</div><div class=\"verdicts\">");
    for [holds, claim, detail, criterion, reason] in verdicts(json) {
        let reason = if reason.is_empty() {
            String::new()
        } else {
            format!(" ({})", esc(&reason))
        };
        out.push_str(&format!(
            "<div class=\"verdict {}\"><span class=\"holds\">{}</span><div><p class=\"claim-text\">{}</p>\
             <p class=\"detail\">{}{reason}</p><p class=\"criterion\">criterion: {}</p></div></div>",
            class(&holds),
            esc(&holds),
            esc(&claim),
            esc(&detail),
            esc(&criterion)
        ));
    }
    out.push_str("</div>");
    let notes: Vec<&str> = json
        .get("notes")
        .and_then(Value::as_array)
        .map(|n| n.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !notes.is_empty() {
        out.push_str("<ul class=\"notes\">");
        for note in notes {
            out.push_str(&format!("<li>{}</li>", esc(note)));
        }
        out.push_str("</ul>");
    }
    out.push_str("<details open><summary>measured numbers</summary>");
    out.push_str(&numbers::html(json));
    out.push_str("</details></section>");
}

fn timeline(claim: &Claim, run: &Run, page: &Result<String, String>, out: &mut String) {
    section_top(claim, run, out);
    match page {
        Ok(page) => out.push_str(&format!(
            "<p>The same small workload traced on each model (the page <code>demo timeline</code> writes, embedded whole).</p>\
             <iframe title=\"timeline\" srcdoc=\"{}\" \
             onload=\"this.dataset.timelines = this.contentDocument.querySelectorAll('.timeline').length\"></iframe>",
            esc(page)
        )),
        Err(e) => failure(e, out),
    }
    out.push_str("</section>");
}

/// The whole page.
pub fn page(r: &Report) -> String {
    let mut out = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>demo report</title><style>{STYLE}</style></head><body>"
    );
    header(r, &mut out);
    for (claim, run) in &r.runs {
        section(claim, run, &mut out);
    }
    if let Some((claim, run, page)) = &r.timeline {
        timeline(claim, run, page, &mut out);
    }
    out.push_str(&format!("<script>{SCRIPT}</script></body></html>\n"));
    out
}
