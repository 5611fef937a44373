//! `benches`: every workload × implementation, one process per run,
//! interleaved, medians and ratios in one table.
//!
//! ```text
//! benches table [--quick] [--rounds N] [--only W1,W2] [--trace-baseline]
//!                                                       the table (markdown)
//! benches run <workload> <impl> [--quick]               one run: RESULT lines
//! benches loadgen <addr> <conns> <warm_ms> <dur_ms>     the echo client
//! ```
//!
//! `table` re-executes this binary as `run <workload> <impl>` for every
//! pair, round after round (A B C A B C ...), so that the machine's drift
//! hits every implementation alike; ratios from one interleaved run are
//! stable where absolute times on a shared machine are not.

use std::collections::BTreeMap;
use std::io::Read;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use benches::measure::Sample;
use benches::workloads::{self, OURS};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("table") => table(&args[1..]),
        Some("run") => run(&args[1..]),
        Some("loadgen") => loadgen(&args[1..]),
        _ => Err(
            "usage: benches table [--quick] [--rounds N] [--only W1,W2] [--trace-baseline]\n       \
             benches run <workload> <impl> [--quick]\n       \
             benches loadgen <addr> <conns> <warm_ms> <dur_ms>"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let [workload, imp, rest @ ..] = args else {
        return Err("usage: benches run <workload> <impl> [--quick]".into());
    };
    let quick = rest.iter().any(|a| a == "--quick");
    let w = workloads::find(workload).ok_or_else(|| format!("no workload {workload:?}"))?;
    for sample in (w.run)(imp, quick)? {
        println!("{}", sample.line());
    }
    Ok(())
}

fn loadgen(args: &[String]) -> Result<(), String> {
    let [addr, conns, warm, dur] = args else {
        return Err("usage: benches loadgen <addr> <conns> <warm_ms> <dur_ms>".into());
    };
    let num = |s: &String, what: &str| {
        s.parse::<u64>()
            .map_err(|_| format!("loadgen: {what} must be a number, not {s:?}"))
    };
    let addr = addr
        .parse()
        .map_err(|_| format!("loadgen: bad address {addr:?}"))?;
    workloads::loadgen::run(
        addr,
        num(conns, "conns")? as usize,
        Duration::from_millis(num(warm, "warm_ms")?),
        Duration::from_millis(num(dur, "dur_ms")?),
    )
}

/// The implementation name of our event loop built with
/// `--cfg runtime_trace_compiled_out`: the trace hooks are gone, so the
/// difference to `ours` is what the one branch per hook costs with tracing off.
const NO_TRACE: &str = "ours-notrace";

/// The workloads whose tracing-off cost the issue asks about.
const TRACE_BASELINE_WORKLOADS: &[&str] = &["spawn", "pingpong"];

/// Builds this binary a second time with the trace hooks compiled out (in
/// its own target directory, so neither build invalidates the other) and
/// returns its path.
fn build_trace_baseline() -> Result<std::path::PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    // target/<profile>/benches -> target/trace-compiled-out
    let target = exe
        .parent()
        .and_then(|p| p.parent())
        .ok_or("cannot find the target directory")?
        .join("trace-compiled-out");
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("cannot find the workspace")?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!(
        "building the trace-compiled-out baseline in {}",
        target.display()
    );
    let status = Command::new(cargo)
        .current_dir(workspace)
        .args([
            "build",
            "--release",
            "-p",
            "benches",
            "--features",
            "peers",
            "--bin",
            "benches",
        ])
        .env("CARGO_TARGET_DIR", &target)
        .env("RUSTFLAGS", "--cfg runtime_trace_compiled_out")
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("building the baseline failed: {status}"));
    }
    Ok(target.join("release").join("benches"))
}

/// Runs one `(workload, impl)` in a child process; its samples or why not.
/// `ours-notrace` runs `ours` in the baseline binary and relabels it.
fn run_child(
    workload: &str,
    imp: &str,
    quick: bool,
    baseline: Option<&std::path::Path>,
) -> Result<Vec<Sample>, String> {
    let (exe, child_imp) = match baseline {
        Some(path) if imp == NO_TRACE => (path.to_path_buf(), "ours"),
        _ => (
            std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?,
            imp,
        ),
    };
    let mut cmd = Command::new(exe);
    cmd.args(["run", workload, child_imp]);
    if quick {
        cmd.arg("--quick");
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start a run: {e}"))?;
    let (mut out, mut err) = (child.stdout.take(), child.stderr.take());
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(o) = out.as_mut() {
            let _ = o.read_to_string(&mut s);
        }
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(e) = err.as_mut() {
            let _ = e.read_to_string(&mut s);
        }
        s
    });
    let limit = Duration::from_secs(120);
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("timed out after {limit:?}"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("waiting for the run: {e}")),
        }
    };
    let stdout = reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    if !status.success() {
        let msg = stderr.lines().last().unwrap_or("no message").to_string();
        return Err(format!("{status}: {msg}"));
    }
    let mut samples: Vec<Sample> = stdout.lines().filter_map(Sample::parse).collect();
    if imp == NO_TRACE {
        for s in &mut samples {
            s.imp = NO_TRACE.to_string();
        }
    }
    Ok(samples)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn table(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let mut rounds = if quick { 3 } else { 5 };
    let mut only: Option<Vec<String>> = None;
    let mut trace_baseline = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => {}
            "--trace-baseline" => trace_baseline = true,
            "--rounds" => {
                rounds = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n > 0)
                    .ok_or("--rounds needs a positive number")?;
            }
            "--only" => {
                let list = it.next().ok_or("--only needs a list")?;
                only = Some(list.split(',').map(String::from).collect());
            }
            other => return Err(format!("table: unknown argument {other:?}")),
        }
    }
    let all: Vec<_> = workloads::all()
        .into_iter()
        .filter(|w| only.as_ref().is_none_or(|o| o.iter().any(|n| n == w.name)))
        .collect();
    let baseline = if trace_baseline {
        Some(build_trace_baseline()?)
    } else {
        None
    };
    // Each workload's implementations, plus the baseline where it applies.
    let impls_of = |w: &workloads::Workload| -> Vec<&'static str> {
        let mut v = w.impls.to_vec();
        if baseline.is_some() && TRACE_BASELINE_WORKLOADS.contains(&w.name) {
            v.insert(1, NO_TRACE);
        }
        v
    };

    // (metric, impl) -> values, units, and the last error of a pair.
    let mut values: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    let mut units: BTreeMap<String, String> = BTreeMap::new();
    let mut errors: BTreeMap<(String, String), String> = BTreeMap::new();
    let started = Instant::now();
    for round in 0..rounds {
        for w in &all {
            for imp in impls_of(w) {
                match run_child(w.name, imp, quick, baseline.as_deref()) {
                    Ok(samples) => {
                        for s in samples {
                            units.insert(s.metric.clone(), s.unit.clone());
                            values.entry((s.metric, s.imp)).or_default().push(s.value);
                        }
                    }
                    Err(e) => {
                        eprintln!("round {round}: {} {imp}: {e}", w.name);
                        for m in w.metrics {
                            errors.insert((m.to_string(), imp.to_string()), e.clone());
                        }
                    }
                }
            }
        }
        eprintln!(
            "round {}/{rounds} done ({:.0?})",
            round + 1,
            started.elapsed()
        );
    }

    println!(
        "{} rounds, interleaved, one process per run{}; median of the runs; \
         \"× best peer\" = this median / the best peer's median \
         (cost: lower is better; rt/s: higher is better).\n",
        rounds,
        if quick { ", --quick sizes" } else { "" }
    );
    println!("| workload | impl | median | unit | × best peer | runs |");
    println!("|---|---|---:|---|---:|---:|");
    let mut summary = Vec::new();
    for w in &all {
        for metric in w.metrics {
            let unit = units.get(*metric).cloned().unwrap_or_default();
            let higher = Sample::higher_is_better(&unit);
            let mut medians: Vec<(&str, Option<f64>, usize)> = Vec::new();
            for imp in impls_of(w) {
                let key = (metric.to_string(), imp.to_string());
                let med = values.get_mut(&key).map(|v| (median(v), v.len()));
                medians.push((imp, med.map(|m| m.0), med.map_or(0, |m| m.1)));
            }
            let best = medians
                .iter()
                .filter(|(imp, _, _)| !OURS.contains(imp) && *imp != NO_TRACE)
                .filter_map(|&(imp, m, _)| m.map(|m| (imp, m)))
                .reduce(|a, b| {
                    let better = if higher { b.1 > a.1 } else { b.1 < a.1 };
                    if better { b } else { a }
                });
            for (imp, med, runs) in &medians {
                let key = (metric.to_string(), imp.to_string());
                match med {
                    Some(m) => {
                        let ratio = match best {
                            Some((peer, b)) if b > 0.0 => format!("{:.2}× {peer}", m / b),
                            _ => "–".into(),
                        };
                        println!("| {metric} | {imp} | {m:.1} | {unit} | {ratio} | {runs} |");
                        if *imp == "ours"
                            && let Some((peer, b)) = best
                        {
                            summary.push(format!("{metric}: ours {:.2}× {peer}", m / b));
                        }
                    }
                    None => {
                        let why = errors.get(&key).map_or("no result", String::as_str);
                        println!("| {metric} | {imp} | n/a | {unit} | {why} | 0 |");
                    }
                }
            }
        }
    }
    // Tracing overhead: ours+trace against ours, same workload, same run.
    for w in &all {
        for metric in w.metrics {
            let get = |imp: &str| {
                values
                    .get(&(metric.to_string(), imp.to_string()))
                    .map(|v| median(&mut v.clone()))
            };
            if let (Some(on), Some(off)) = (get("ours+trace"), get("ours")) {
                summary.push(format!(
                    "{metric}: tracing on costs {:+.1} % over off",
                    (on / off - 1.0) * 100.0
                ));
            }
            if let (Some(off), Some(out)) = (get("ours"), get(NO_TRACE)) {
                summary.push(format!(
                    "{metric}: tracing off (one branch per hook) costs {:+.1} % over \
                     the hooks compiled out",
                    (off / out - 1.0) * 100.0
                ));
            }
        }
    }
    println!();
    for line in summary {
        println!("- {line}");
    }
    println!("\ntotal {:.1?}", started.elapsed());
    Ok(())
}
