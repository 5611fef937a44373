//! Running the claims: each subcommand as a child process of this same
//! binary with `--json` (`support/child.rs`: killed with the report, its
//! stderr on a pipe), its JSON line parsed, its time taken; and the
//! machine the numbers were taken on.
//!
//! A child's stderr (its own progress lines) is forwarded to the report's
//! stderr line by line as it comes, and its last lines are kept for the
//! page when it fails. Nothing a child prints reaches the report's stdout.

use std::collections::VecDeque;
use std::io::BufRead;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::child::Child;
use crate::support::json::Value;
use crate::support::measure;

/// How long one claim may run before it is called hung and killed: the
/// full (not `--quick`) runs take up to a minute or two here.
const HANG_GUARD: Duration = Duration::from_secs(20 * 60);

/// How many of a failed child's last stderr lines the page shows.
const STDERR_TAIL: usize = 20;

/// One subcommand, run.
pub struct Run {
    /// The subcommand.
    pub name: &'static str,
    /// Its command line after `demo`.
    pub args: Vec<String>,
    /// Its wall-clock time.
    pub took: Duration,
    /// Its `--json` output, or why there is none (with its stderr's last
    /// lines).
    pub json: Result<Value, String>,
}

/// Runs `demo <name> <args...>` and parses the JSON object it prints on
/// stdout. Its stderr goes to ours as it comes.
pub fn run(name: &'static str, args: Vec<String>) -> Run {
    let start = Instant::now();
    let json = run_child(name, &args);
    Run {
        name,
        args,
        took: start.elapsed(),
        json,
    }
}

fn run_child(name: &str, args: &[String]) -> Result<Value, String> {
    let what = format!("`demo {name}` child");
    let mut child = Child::spawn_keeping_stderr(args, &what)?;
    let tail = Arc::new(Mutex::new(VecDeque::new()));
    let forwarder = child.take_stderr().map(|stderr| {
        let tail = Arc::clone(&tail);
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                eprintln!("  {line}");
                let mut tail = tail.lock().unwrap_or_else(|p| p.into_inner());
                if tail.len() == STDERR_TAIL {
                    tail.pop_front();
                }
                tail.push_back(line);
            }
        })
    });
    let result = json_line(&mut child).and_then(|json| {
        let status = child.wait(HANG_GUARD)?;
        if status.success() {
            Ok(json)
        } else {
            Err(format!("it printed its JSON, then exited with {status}"))
        }
    });
    drop(child); // killed and reaped if still running: the pipe closes
    if let Some(forwarder) = forwarder {
        let _ = forwarder.join();
    }
    result.map_err(|e| {
        let tail = tail.lock().unwrap_or_else(|p| p.into_inner());
        if tail.is_empty() {
            e
        } else {
            let lines: Vec<&str> = tail.iter().map(String::as_str).collect();
            format!("{e}\nits stderr ended with:\n{}", lines.join("\n"))
        }
    })
}

/// The first line the child prints that is a JSON object.
fn json_line(child: &mut Child) -> Result<Value, String> {
    let deadline = Instant::now() + HANG_GUARD;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = child.line("", left)?;
        if let Ok(value @ Value::Object(_)) = serde_json::from_str(&line) {
            return Ok(value);
        }
    }
}

/// Where and when the numbers were taken.
pub struct Machine {
    /// UTC, `2026-12-01 13:30 UTC`.
    pub date: String,
    /// CPUs in this process's affinity mask (`sched_getaffinity(2)`).
    pub cores: usize,
    /// `uname -r`, read from `/proc/sys/kernel/osrelease`.
    pub kernel: String,
    /// `/proc/loadavg`'s 1, 5 and 15 minute averages, before the first
    /// claim.
    pub load_before: String,
}

impl Machine {
    /// The machine now.
    pub fn now() -> Machine {
        Machine {
            date: utc_now(),
            cores: measure::cores(),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map_or_else(|_| "unknown".into(), |s| s.trim().to_string()),
            load_before: load_averages(),
        }
    }
}

/// `/proc/loadavg`'s first three fields, `1.02 0.88 0.75`.
pub fn load_averages() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".into(),
        |s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}

/// The current time in UTC, to the minute.
fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    utc(secs)
}

/// `YYYY-MM-DD HH:MM UTC` for seconds since the epoch (the proleptic
/// Gregorian calendar: days to a civil date as in Howard Hinnant's
/// `civil_from_days`).
fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let (hour, minute) = ((secs % 86_400) / 3600, (secs % 3600) / 60);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097; // day of the 400-year era, 0..146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153; // month from March, 0..11
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc(1_798_761_599), "2026-12-31 23:59 UTC");
    }
}
