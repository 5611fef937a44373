//! `demo timeline`: one small workload traced on each model, drawn side by
//! side in a self-contained HTML page (inline SVG and JavaScript, no network).
//!
//! The page embeds the Chrome Trace Event JSON of each run; the same files
//! open in Perfetto. The drawing code is `timeline.html`, included at build
//! time. Seed 003's workload, small: three sleeps of 30, 20 and 10 ms.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args as ClapArgs;

use crate::support::cli::Common;
use crate::support::json::{self, Object};
use crate::support::verdict::{self, Outcome};

/// Arguments of `demo timeline`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub(crate) common: Common,
    /// Where to write the page.
    #[arg(long, default_value = "timeline.html")]
    out: PathBuf,
}

const PAGE: &str = include_str!("timeline.html");

/// Runs the demo: no claim, a page to look at.
pub fn run(args: &Args) -> Outcome {
    let c = &args.common;
    // Refuse an unwritable path before tracing anything.
    if let Err(e) = std::fs::write(&args.out, "") {
        return verdict::bad_input(
            "timeline",
            &format!("cannot write {}: {e}", args.out.display()),
        );
    }
    let mut traces: Vec<(String, String)> = Vec::new();
    if c.model.has_loop() {
        match loop_trace() {
            Ok(json) => traces.push(("event loop (one thread)".into(), json)),
            Err(e) => {
                return verdict::failed("timeline", &format!("the event-loop run failed: {e}"));
            }
        }
    }
    if c.model.has_threads() {
        traces.push(("threads (one OS thread per task)".into(), threads_trace()));
    }
    let page = match render(&traces) {
        Ok(page) => page,
        Err(e) => return verdict::failed("timeline", &e),
    };
    if let Err(e) = std::fs::write(&args.out, page) {
        return verdict::failed(
            "timeline",
            &format!("cannot write {}: {e}", args.out.display()),
        );
    }
    if c.json {
        println!(
            "{}",
            Object::new()
                .str("out", &args.out.display().to_string())
                .value(
                    "models",
                    json::array(traces.iter().map(|(t, _)| t.as_str()))
                )
                .value("verdicts", json::array(Vec::<json::Value>::new()))
        );
    } else {
        println!(
            "wrote {} ({} model{}): open it in any browser, no network needed",
            args.out.display(),
            traces.len(),
            if traces.len() == 1 { "" } else { "s" }
        );
    }
    Outcome::Ran(Vec::new())
}

/// The page with `traces` (title, Chrome Trace JSON) embedded, or why a
/// trace cannot be: each is checked to be JSON (`serde_json`) and embedded
/// as written; the titles are escaped by `serde_json`.
pub fn render(traces: &[(String, String)]) -> Result<String, String> {
    let mut items = Vec::with_capacity(traces.len());
    for (title, trace) in traces {
        serde_json::from_str::<serde::de::IgnoredAny>(trace)
            .map_err(|e| format!("the {title} trace is not JSON: {e}"))?;
        let title = serde_json::to_string(title).map_err(|e| e.to_string())?;
        items.push(format!("{{\"title\":{title},\"trace\":{}}}", trace.trim()));
    }
    let data = format!("[{}]", items.join(","));
    // Inside <script>, "</" would end the element: escape it in the JSON.
    Ok(PAGE.replace("__DATA__", &data.replace("</", "<\\/")))
}

/// Seed 003's workload, small: three tasks sleep 30, 20 and 10 ms while a
/// fourth yields a few times; traced on the event loop.
fn loop_trace() -> std::io::Result<String> {
    let path = std::env::temp_dir().join(format!("demo-timeline-{}.json", std::process::id()));
    {
        let rt = runtime::Runtime::builder().trace(&path).build()?;
        rt.block_on(async {
            let sleepers: Vec<_> = [30u64, 20, 10]
                .into_iter()
                .map(|ms| runtime::spawn(runtime::time::sleep(Duration::from_millis(ms))))
                .collect();
            let yielder = runtime::spawn(async {
                for _ in 0..3 {
                    runtime::yield_now().await;
                }
            });
            for s in sleepers {
                let _ = s.await;
            }
            let _ = yielder.await;
        });
    }
    let json = std::fs::read_to_string(&path);
    let _ = std::fs::remove_file(&path);
    json
}

/// The same three sleeps as three OS threads, joined by the main thread.
fn threads_trace() -> String {
    use runtime::threaded;
    threaded::trace::start();
    let handles: Vec<_> = [30u64, 20, 10]
        .into_iter()
        .map(|ms| threaded::spawn(move || threaded::sleep(Duration::from_millis(ms))))
        .collect();
    for h in handles {
        let _ = h.join();
    }
    threaded::trace::finish()
}
