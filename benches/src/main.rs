//! `benches`: every workload × implementation, one process per run,
//! interleaved, medians and ratios in one table.
//!
//! ```text
//! benches table [--quick] [--rounds N] [--only W1,W2] [--trace-baseline] [--cpu]
//!                                                       the table (markdown)
//! benches run <workload> <impl> [--quick] [--cpu]       one run: RESULT lines
//! benches scale [--rounds N] [--max N] [--only R1,R2] [--wall]
//!                                                       cost per item at N = 10³ … 10⁶
//! benches run-scale <row> <n> <impl> [--wall]           one run of it: RESULT lines
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
        Some("scale") => scale(&args[1..]),
        Some("run-scale") => run_scale(&args[1..]),
        Some("loadgen") => loadgen(&args[1..]),
        _ => Err(
            "usage: benches table [--quick] [--rounds N] [--only W1,W2] [--trace-baseline] [--cpu]\n       \
             benches run <workload> <impl> [--quick] [--cpu]\n       \
             benches scale [--rounds N] [--max N] [--only R1,R2] [--wall]\n       \
             benches run-scale <row> <n> <impl> [--wall]\n       \
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
    benches::measure::use_cpu_clock(rest.iter().any(|a| a == "--cpu"));
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

/// `run-scale <row> <n> <impl> [--wall]`: one measurement of `benches
/// scale`, in CPU time unless `--wall`.
fn run_scale(args: &[String]) -> Result<(), String> {
    let [row, n, imp, rest @ ..] = args else {
        return Err("usage: benches run-scale <row> <n> <impl> [--wall]".into());
    };
    let n: usize = n
        .parse()
        .map_err(|_| format!("run-scale: N must be a number, not {n:?}"))?;
    benches::measure::use_cpu_clock(!rest.iter().any(|a| a == "--wall"));
    for sample in benches::scale::run(row, imp, n)? {
        println!("{}", sample.line());
    }
    Ok(())
}

/// `--rounds N` (`table`, `scale`): the argument after it, a positive number.
fn rounds_value<'a>(it: &mut impl Iterator<Item = &'a String>) -> Result<u32, String> {
    it.next()
        .and_then(|n| n.parse().ok())
        .filter(|&n| n > 0)
        .ok_or_else(|| "--rounds needs a positive number".to_string())
}

/// `--only A,B` (`table`, `scale`): the argument after it, split at commas.
fn only_value<'a>(it: &mut impl Iterator<Item = &'a String>) -> Result<Vec<String>, String> {
    let list = it.next().ok_or("--only needs a list")?;
    Ok(list.split(',').map(String::from).collect())
}

/// `scale`: every row × impl × N in its own process, rounds interleaved
/// (each round visits every N, row and impl once), then one table of the
/// medians per N with their spread, and one of page faults per item.
fn scale(args: &[String]) -> Result<(), String> {
    use benches::scale::{IMPLS, ROWS, SIZES, faults_metric, metric};
    let mut rounds = 5;
    let mut max = 1_000_000;
    let mut rows: Vec<String> = ROWS.iter().map(|r| r.to_string()).collect();
    let mut wall = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--wall" => wall = true,
            "--rounds" => rounds = rounds_value(&mut it)?,
            "--max" => {
                max = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--max needs a number")?;
            }
            "--only" => rows = only_value(&mut it)?,
            other => return Err(format!("scale: unknown argument {other:?}")),
        }
    }
    if let Some(bad) = rows.iter().find(|r| !ROWS.contains(&r.as_str())) {
        return Err(format!("scale: no row {bad:?} (rows: {})", ROWS.join(",")));
    }
    let sizes: Vec<usize> = SIZES.iter().copied().filter(|&n| n <= max).collect();
    if sizes.is_empty() {
        return Err(format!(
            "scale: --max {max} leaves no size (sizes: {SIZES:?})"
        ));
    }
    let extra: Vec<String> = if wall { vec!["--wall".into()] } else { vec![] };
    let mut values: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    let mut units: BTreeMap<String, String> = BTreeMap::new();
    let mut errors: BTreeMap<(String, String), String> = BTreeMap::new();
    let started = Instant::now();
    for round in 0..rounds {
        for &n in &sizes {
            for row in &rows {
                for imp in IMPLS {
                    let what = format!("scale {row} {n}");
                    match run_child(&what, imp, false, None, &extra) {
                        Ok(samples) => {
                            for s in samples {
                                units.insert(s.metric.clone(), s.unit.clone());
                                values.entry((s.metric, s.imp)).or_default().push(s.value);
                            }
                        }
                        Err(e) => {
                            eprintln!("round {round}: {what} {imp}: {e}");
                            errors.insert((metric(row, n), imp.to_string()), e);
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

    let sup = |n: usize| match n {
        1_000 => "10³".to_string(),
        10_000 => "10⁴".to_string(),
        100_000 => "10⁵".to_string(),
        1_000_000 => "10⁶".to_string(),
        n => n.to_string(),
    };
    println!(
        "{rounds} rounds, interleaved (every N, row and impl once per round), one process \
         per run; {}; median of the runs (min–max); last column: the median at the \
         largest N over the median at the smallest (1.00 = flat).\n",
        if wall {
            "wall time"
        } else {
            "process CPU time (CLOCK_PROCESS_CPUTIME_ID)"
        }
    );
    let mut header = "| row | impl | unit |".to_string();
    let mut rule = "|---|---|---|".to_string();
    for &n in &sizes {
        header.push_str(&format!(" N = {} |", sup(n)));
        rule.push_str("---:|");
    }
    println!("{header} largest ÷ smallest |\n{rule}---:|");
    let stats = |key: &(String, String)| -> Option<(f64, f64, f64, usize)> {
        let mut v = values.get(key)?.clone();
        let med = median(&mut v);
        Some((med, v[0], v[v.len() - 1], v.len()))
    };
    for row in &rows {
        for imp in IMPLS {
            let unit = units
                .get(&metric(row, sizes[0]))
                .cloned()
                .unwrap_or_default();
            let mut line = format!("| {row} | {imp} | {unit} |");
            let mut ends = (None, None);
            for &n in &sizes {
                let key = (metric(row, n), imp.to_string());
                match stats(&key) {
                    Some((med, lo, hi, _)) => {
                        line.push_str(&format!(" {} ({}–{}) |", num(med), num(lo), num(hi)));
                        if ends.0.is_none() {
                            ends.0 = Some(med);
                        }
                        ends.1 = Some(med);
                    }
                    None => {
                        let why = errors.get(&key).map_or("no result", String::as_str);
                        line.push_str(&format!(" n/a: {why} |"));
                    }
                }
            }
            match ends {
                (Some(a), Some(b)) if a > 0.0 => line.push_str(&format!(" {:.2} |", b / a)),
                _ => line.push_str(" – |"),
            }
            println!("{line}");
        }
    }
    println!("\nMinor page faults per item (median of the runs):\n");
    let mut header = "| row | impl |".to_string();
    let mut rule = "|---|---|".to_string();
    for &n in &sizes {
        header.push_str(&format!(" N = {} |", sup(n)));
        rule.push_str("---:|");
    }
    println!("{header}\n{rule}");
    for row in &rows {
        for imp in IMPLS {
            let mut line = format!("| {row} | {imp} |");
            for &n in &sizes {
                match stats(&(faults_metric(row, n), imp.to_string())) {
                    Some((med, ..)) => line.push_str(&format!(" {med:.3} |")),
                    None => line.push_str(" n/a |"),
                }
            }
            println!("{line}");
        }
    }
    println!("\ntotal {:.1?}", started.elapsed());
    Ok(())
}

/// A cost for the scale table: no decimals from 100 up, one below.
fn num(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
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
/// Runs one `(workload, impl)` in a child process (`run`, or `run-scale`
/// when `workload` is `scale <row> <n>`), with `extra` arguments; its
/// samples or why not. `ours-notrace` runs `ours` in the baseline binary and
/// relabels it.
fn run_child(
    workload: &str,
    imp: &str,
    quick: bool,
    baseline: Option<&std::path::Path>,
    extra: &[String],
) -> Result<Vec<Sample>, String> {
    let (exe, child_imp) = match baseline {
        Some(path) if imp == NO_TRACE => (path.to_path_buf(), "ours"),
        _ => (
            std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?,
            imp,
        ),
    };
    let mut cmd = Command::new(exe);
    match workload.strip_prefix("scale ") {
        Some(row_n) => {
            cmd.arg("run-scale");
            cmd.args(row_n.split(' '));
            cmd.arg(child_imp);
        }
        None => {
            cmd.args(["run", workload, child_imp]);
        }
    }
    if quick {
        cmd.arg("--quick");
    }
    cmd.args(extra);
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
    let mut cpu = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => {}
            "--cpu" => cpu = true,
            "--trace-baseline" => trace_baseline = true,
            "--rounds" => rounds = rounds_value(&mut it)?,
            "--only" => only = Some(only_value(&mut it)?),
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

    let extra: Vec<String> = if cpu { vec!["--cpu".into()] } else { vec![] };
    // (metric, impl) -> values, units, and the last error of a pair.
    let mut values: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    let mut units: BTreeMap<String, String> = BTreeMap::new();
    let mut errors: BTreeMap<(String, String), String> = BTreeMap::new();
    let started = Instant::now();
    for round in 0..rounds {
        for w in &all {
            for imp in impls_of(w) {
                match run_child(w.name, imp, quick, baseline.as_deref(), &extra) {
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
        "{} rounds, interleaved, one process per run{}{}; median of the runs; \
         min–max = the fastest and slowest run; \
         \"× best peer\" = this median / the best peer's median \
         (cost: lower is better; rt/s: higher is better).\n",
        rounds,
        if quick { ", --quick sizes" } else { "" },
        if cpu {
            ", per-op costs in process CPU time (--cpu)"
        } else {
            ""
        }
    );
    println!("| workload | impl | median | min–max | unit | × best peer | runs |");
    println!("|---|---|---:|---:|---|---:|---:|");
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
                        // `median` sorted the values: the spread is the ends.
                        let v = &values[&key];
                        let (lo, hi) = (v[0], v[v.len() - 1]);
                        println!(
                            "| {metric} | {imp} | {m:.1} | {lo:.1}–{hi:.1} | {unit} | {ratio} | {runs} |"
                        );
                        if *imp == "ours"
                            && let Some((peer, b)) = best
                        {
                            summary.push(format!("{metric}: ours {:.2}× {peer}", m / b));
                        }
                    }
                    None => {
                        let why = errors.get(&key).map_or("no result", String::as_str);
                        println!("| {metric} | {imp} | n/a | – | {unit} | {why} | 0 |");
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
