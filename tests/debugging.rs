//! DEBUGGING.md, replayed: every ```` ```console ```` block of the page is
//! run against the current source, and the output lines the page shows must
//! come out of it. A rename, a moved line or a changed message then fails
//! here instead of silently staling the page.
//!
//! How a block is read:
//!
//! - `$ command` (continued by a trailing `\`) is run from the repository
//!   root: `cargo ...` with the cargo running this test, `gdb ...` in batch
//!   mode (`gdb -batch -nx -x script ...`, the script being the block's
//!   `(gdb) ` lines, which the page shows as typed), anything else with
//!   `sh -c` (`lldb ...` too, with lldb's Python path set right). Paths under `/tmp/` go to a scratch directory of this test
//!   (removed at the end), and are written back as `/tmp/` in the output.
//! - Every other line is a line the command must print (stdout and stderr
//!   together, in order; in a block fenced ```` ```console any-order ````,
//!   in any order, for `strace -f` of several threads). `...` within a line
//!   stands for any text; a line of just `...` for lines left out.
//! - Numbers must be the same, except hex numbers (addresses) and durations
//!   (`64.000ms`), which differ from run to run; in a block fenced
//!   ```` ```console loose ```` no number is compared (strace's timestamps,
//!   pids and fds, syscall counts). The numbers that point into the code are
//!   compared in every block: the line (and column) after `file.rs:`, the
//!   `line N` of gdb's `Breakpoint 1 at ...: file x.rs, line N.` and the
//!   line number gdb puts before a source line.
//!
//! When only those line numbers are stale (the code above them moved),
//! `UPDATE_DEBUGGING_MD=1 cargo test -p integration-tests --test debugging`
//! writes the build's numbers into the page; anything else needs an edit by
//! hand.
//!
//! gdb, lldb or strace missing fails the test with the install command, unless
//! `RUNTIME_TEST_SKIP_TOOLS` lists the tool (its blocks are then skipped).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use integration_tests::tools::{Scratch, lldb_command, require_tool, target_dir, workspace_root};

/// One `$` command of a block, with its gdb script and expected lines.
#[derive(Debug, Default)]
struct Step {
    /// The command as the page shows it (continuations joined).
    command: String,
    /// The `(gdb) ` lines after it, without the prompt.
    gdb: Vec<String>,
    /// The output lines it must print: (line in the page, text).
    expect: Vec<(usize, String)>,
}

#[derive(Debug)]
struct Block {
    /// The line of the opening fence (1-based).
    line: usize,
    /// `console any-order`: the expected lines may come in any order.
    any_order: bool,
    /// `console loose`: numbers other than code lines are not compared.
    loose: bool,
    steps: Vec<Step>,
}

fn page_path() -> PathBuf {
    workspace_root().join("DEBUGGING.md")
}

fn parse(page: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut lines = page.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        let Some(info) = line.strip_prefix("```console") else {
            continue;
        };
        let mut block = Block {
            line: i + 1,
            any_order: info.split_whitespace().any(|w| w == "any-order"),
            loose: info.split_whitespace().any(|w| w == "loose"),
            steps: Vec::new(),
        };
        let mut continued = false;
        for (j, line) in lines.by_ref() {
            if line.starts_with("```") {
                break;
            }
            if continued {
                let step = block.steps.last_mut().expect("a command continues");
                step.command.push(' ');
                step.command
                    .push_str(line.trim().trim_end_matches('\\').trim());
                continued = line.ends_with('\\');
            } else if let Some(command) = line.strip_prefix("$ ") {
                block.steps.push(Step {
                    command: command.trim_end_matches('\\').trim().to_string(),
                    ..Step::default()
                });
                continued = line.ends_with('\\');
            } else if let Some(gdb) = line.strip_prefix("(gdb) ") {
                let step = block
                    .steps
                    .last_mut()
                    .expect("a (gdb) line follows a $ gdb");
                step.gdb.push(gdb.to_string());
            } else if line.trim() != "..." && !line.trim().is_empty() {
                let step = block.steps.last_mut().unwrap_or_else(|| {
                    panic!("DEBUGGING.md:{}: output before any $ command", j + 1)
                });
                step.expect.push((j + 1, line.to_string()));
            }
        }
        blocks.push(block);
    }
    blocks
}

/// Whether the number that follows `before` points into the code: the line
/// of `file.rs:LINE`, the column of `file.rs:LINE:COL`, gdb's `file x.rs,
/// line N`.
fn keeps_number(before: &str) -> bool {
    let column = before.strip_suffix(':').is_some_and(|head| {
        head.trim_end_matches(|c: char| c.is_ascii_digit())
            .ends_with(".rs:")
    });
    before.ends_with(".rs:") || before.ends_with(".rs, line ") || column
}

/// How [`normalize`] treats numbers other than hex and durations.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Numbers {
    /// Keep the numbers that point into the code (file lines).
    code: bool,
    /// Keep the others (counts, ids).
    other: bool,
}

/// The line with run-to-run noise taken out (see the module doc): hex
/// numbers become `0x?`, durations `#dur`, whitespace runs one space; the
/// numbers `keep` does not keep become `#`. Also returns the byte ranges in
/// `line` of the numbers that point into the code.
fn normalize(line: &str, keep: Numbers) -> (String, Vec<std::ops::Range<usize>>) {
    let mut out = String::new();
    let mut kept = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    // gdb's source line: "105\t    code".
    let lead = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if lead > 0 && bytes.get(lead) == Some(&b'\t') {
        out.push_str(if keep.code { &line[..lead] } else { "#" });
        out.push(' ');
        kept.push(0..lead);
        i = lead + 1;
    }
    while i < bytes.len() {
        let rest = &line[i..];
        let c = rest.chars().next().expect("not at the end");
        if rest.starts_with("0x") && rest[2..].starts_with(|c: char| c.is_ascii_hexdigit()) {
            let n = rest[2..]
                .find(|c: char| !c.is_ascii_hexdigit())
                .unwrap_or(rest.len() - 2);
            out.push_str("0x?");
            i += 2 + n;
        } else if c.is_ascii_digit() {
            let int = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            let mut end = int;
            if rest[int..].starts_with('.')
                && rest[int + 1..].starts_with(|c: char| c.is_ascii_digit())
            {
                end = int
                    + 1
                    + rest[int + 1..]
                        .find(|c: char| !c.is_ascii_digit())
                        .unwrap_or(rest.len() - int - 1);
            }
            let unit = ["ns", "µs", "us", "ms", "s"].into_iter().find(|u| {
                rest[end..].starts_with(u)
                    && !rest[end + u.len()..].starts_with(|c: char| c.is_alphanumeric())
            });
            if end == int && keeps_number(&line[..i]) {
                out.push_str(if keep.code { &rest[..int] } else { "#" });
                kept.push(i..i + int);
                i += int;
            } else if let Some(unit) = unit {
                out.push_str("#dur");
                i += end + unit.len();
            } else {
                out.push_str(if keep.other { &rest[..end] } else { "#" });
                i += end;
            }
        } else if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
            i += c.len_utf8();
        } else {
            out.push(c);
            i += c.len_utf8();
        }
    }
    (out.trim_end().to_string(), kept)
}

/// Whether `actual` matches `expected`, both normalized; `...` in
/// `expected` stands for any text.
fn matches(expected: &str, actual: &str) -> bool {
    let parts: Vec<&str> = expected.split("...").collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if parts.len() == 1 {
        return expected == actual;
    }
    if !actual.starts_with(first) || actual.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &actual[first.len()..];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// What became of one expected line.
enum Found {
    Yes,
    /// Matched but for a number pointing into the code: the build's line.
    Stale(String),
    No,
}

/// Finds each expected line in `output`: in order, or in any order (each
/// output line used once). A line that matches only with the code's line
/// numbers left out is `Stale`.
fn check(expect: &[(usize, String)], output: &str, block: &Block) -> Vec<Found> {
    let any_order = block.any_order;
    let strict_rule = Numbers {
        code: true,
        other: !block.loose,
    };
    let loose_rule = Numbers {
        code: false,
        ..strict_rule
    };
    let actual: Vec<&str> = output.lines().collect();
    let strict: Vec<String> = actual.iter().map(|l| normalize(l, strict_rule).0).collect();
    let loose: Vec<String> = actual.iter().map(|l| normalize(l, loose_rule).0).collect();
    let mut used = vec![false; actual.len()];
    let mut from = 0;
    let mut found = Vec::new();
    for (_, line) in expect {
        let want_strict = normalize(line, strict_rule).0;
        let want_loose = normalize(line, loose_rule).0;
        let candidates: Vec<usize> = if any_order {
            (0..actual.len()).filter(|&i| !used[i]).collect()
        } else {
            (from..actual.len()).collect()
        };
        let exact = candidates
            .iter()
            .copied()
            .find(|&i| matches(&want_strict, &strict[i]));
        let near = candidates
            .iter()
            .copied()
            .find(|&i| matches(&want_loose, &loose[i]));
        match (exact, near) {
            (Some(i), _) => {
                used[i] = true;
                from = i + 1;
                found.push(Found::Yes);
            }
            (None, Some(i)) => {
                used[i] = true;
                from = i + 1;
                found.push(Found::Stale(actual[i].to_string()));
            }
            (None, None) => found.push(Found::No),
        }
    }
    found
}

/// `page_line` with its code-pointing numbers replaced by those of `actual`,
/// if both have the same count of them.
fn take_numbers(page_line: &str, actual: &str) -> Option<String> {
    let all = Numbers {
        code: true,
        other: true,
    };
    let (_, ours) = normalize(page_line, all);
    let (_, theirs) = normalize(actual, all);
    if ours.len() != theirs.len() {
        return None;
    }
    let mut fixed = page_line.to_string();
    for (o, t) in ours.iter().zip(&theirs).rev() {
        fixed.replace_range(o.clone(), &actual[t.clone()]);
    }
    Some(fixed)
}

/// Runs `program args` from the repository root with stdout and stderr into
/// one file (so their lines keep their order), killing it after `limit`.
fn run(mut command: Command, scratch: &Path, limit: Duration) -> String {
    let log_path = scratch.join(".output");
    let log = File::create(&log_path).expect("the output file");
    let child = command
        .current_dir(workspace_root())
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("dup"))
        .stderr(log)
        .spawn();
    let mut child = child.unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} did not finish in {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let text = std::fs::read_to_string(&log_path).unwrap_or_default();
    let _ = std::fs::remove_file(&log_path);
    text.replace(&format!("{}/", scratch.display()), "/tmp/")
}

/// The page's command, made runnable here: `/tmp/` into the scratch dir,
/// `target/` into this build's target directory.
fn localize(text: &str, scratch: &Path, target: &Path) -> String {
    text.split(' ')
        .map(|word| {
            let word = word.replace("/tmp/", &format!("{}/", scratch.display()));
            match word.strip_prefix("target/") {
                Some(rest) => format!("{}/{rest}", target.display()),
                None => word,
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs one step; `None` if its tool is missing and the user said to skip.
fn replay(step: &Step, scratch: &Path, target: &Path) -> Option<String> {
    let command = localize(&step.command, scratch, target);
    let words: Vec<&str> = command.split_whitespace().collect();
    let limit = Duration::from_secs(600);
    match words.first().copied() {
        Some("cargo") => {
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let mut c = Command::new(cargo);
            c.args(&words[1..]).arg("--target-dir").arg(target);
            Some(run(c, scratch, limit))
        }
        Some("gdb") => {
            if !require_tool("gdb", "--version", "apt-get install -y gdb") {
                return None;
            }
            let script = scratch.join(".script.gdb");
            let lines: Vec<String> = step
                .gdb
                .iter()
                .map(|l| localize(l, scratch, target))
                .collect();
            std::fs::write(&script, lines.join("\n") + "\n").expect("the gdb script");
            let mut c = Command::new("gdb");
            c.args(["-batch", "-nx", "-x"])
                .arg(&script)
                .args(&words[1..]);
            Some(run(c, scratch, Duration::from_secs(120)))
        }
        Some("lldb") => {
            if !require_tool("lldb", "--version", "apt-get install -y lldb") {
                return None;
            }
            // Through the shell (the page quotes lldb's `-o` commands), with
            // the Python path lldb 14 gets wrong on Debian set right.
            let lldb = lldb_command();
            let mut c = Command::new("sh");
            c.args(["-c", &command]);
            for (key, value) in lldb.get_envs() {
                if let Some(value) = value {
                    c.env(key, value);
                }
            }
            Some(run(c, scratch, Duration::from_secs(120)))
        }
        Some(program) => {
            if program == "strace" && !require_tool("strace", "-V", "apt-get install -y strace") {
                return None;
            }
            let mut c = Command::new("sh");
            c.args(["-c", &command]);
            Some(run(c, scratch, Duration::from_secs(120)))
        }
        None => panic!("an empty $ command"),
    }
}

#[test]
fn every_console_session_of_debugging_md_replays_against_this_build() {
    let page = std::fs::read_to_string(page_path()).expect("DEBUGGING.md");
    let blocks = parse(&page);
    assert!(
        blocks.len() >= 6,
        "DEBUGGING.md has {} console blocks: is the parser lost?",
        blocks.len()
    );
    // Removed on every path (a failed assertion included).
    let scratch = Scratch::new("runtime-debugging-md");
    let target = target_dir();

    let mut report = String::new();
    let mut fixes: Vec<(usize, String)> = Vec::new();
    for block in &blocks {
        for step in &block.steps {
            let Some(output) = replay(step, scratch.path(), &target) else {
                continue;
            };
            let found = check(&step.expect, &output, block);
            let mut bad = String::new();
            for ((line, text), found) in step.expect.iter().zip(found) {
                match found {
                    Found::Yes => {}
                    Found::Stale(actual) => {
                        bad += &format!(
                            "  DEBUGGING.md:{line}: stale line number\n    page:  {text}\n    build: {actual}\n"
                        );
                        if let Some(fixed) = take_numbers(text, &actual) {
                            fixes.push((*line, fixed));
                        }
                    }
                    Found::No => bad += &format!("  DEBUGGING.md:{line}: not printed: {text}\n"),
                }
            }
            if !bad.is_empty() {
                report += &format!(
                    "block at DEBUGGING.md:{}, `$ {}`:\n{bad}  --- what it printed:\n{}\n",
                    block.line,
                    step.command,
                    output
                        .lines()
                        .map(|l| format!("    | {l}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                );
            }
        }
    }
    if report.is_empty() {
        return;
    }
    if std::env::var_os("UPDATE_DEBUGGING_MD").is_some() && !fixes.is_empty() {
        let mut lines: Vec<String> = page.lines().map(str::to_string).collect();
        for (line, fixed) in &fixes {
            lines[line - 1] = fixed.clone();
        }
        std::fs::write(page_path(), lines.join("\n") + "\n").expect("DEBUGGING.md written");
        report += &format!(
            "\nUPDATE_DEBUGGING_MD: took the build's line numbers into {} line(s) of DEBUGGING.md; run again to check.\n",
            fixes.len()
        );
    } else if !fixes.is_empty() {
        report += "\nOnly line numbers stale? `UPDATE_DEBUGGING_MD=1 cargo test -p integration-tests --test debugging` takes the build's.\n";
    }
    panic!("DEBUGGING.md does not match this build:\n{report}");
}

/// Every file the page names exists, and every `Type::function` it names
/// is a function in the source: a rename fails here too.
#[test]
fn every_file_and_function_debugging_md_names_exists() {
    let page = std::fs::read_to_string(page_path()).expect("DEBUGGING.md");
    let root = workspace_root();
    let mut sources = String::new();
    for dir in ["runtime/src", "runtime/examples", "demos/src", "tests"] {
        collect_sources(&root.join(dir), &mut sources);
    }
    let mut missing = Vec::new();
    for code in page.split('`').skip(1).step_by(2) {
        let code = code.trim();
        if code.contains(' ') || code.contains('\n') {
            continue;
        }
        let looks_like_path =
            code.contains('/') && [".rs", ".py", ".md"].iter().any(|ext| code.ends_with(ext));
        if looks_like_path && !root.join(code).exists() {
            missing.push(format!("file {code}"));
        }
        // `Executor::drain_remote`, `runtime::waker::wake_raw`: the last
        // segment, if it is a function name, must be defined somewhere.
        if let Some((_, name)) = code.rsplit_once("::") {
            let name = name.trim_end_matches("()");
            let is_fn = name.starts_with(|c: char| c.is_ascii_lowercase())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if is_fn && !sources.contains(&format!("fn {name}")) && !code.starts_with("std::") {
                missing.push(format!("function {code}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "DEBUGGING.md names what the source does not have: {missing:?}"
    );
}

fn collect_sources(dir: &Path, into: &mut String) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_sources(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
        }
    }
}

#[test]
fn normalize_keeps_the_numbers_that_do_not_change_between_runs() {
    let all = Numbers {
        code: true,
        other: true,
    };
    let (n, kept) = normalize(
        "#1  0x0000555555813f6f in runtime::executor::Executor::turn (self=0x5555559d8ba0, timeout=...) at runtime/src/executor.rs:600",
        all,
    );
    assert_eq!(
        n,
        "#1 0x? in runtime::executor::Executor::turn (self=0x?, timeout=...) at runtime/src/executor.rs:600"
    );
    assert_eq!(kept.len(), 1);
    let (n, _) = normalize(
        "  task 2      waiting   polls 1      last poll 102.000ms ago  spawned at demos/src/sleep.rs:71:17  waits on: timer (fires in 0.000ns)",
        all,
    );
    assert_eq!(
        n,
        "task 2 waiting polls 1 last poll #dur ago spawned at demos/src/sleep.rs:71:17 waits on: timer (fires in #dur)"
    );
    let (n, _) = normalize(
        "105\t        let mut events = self.events.borrow_mut();",
        all,
    );
    assert_eq!(n, "105 let mut events = self.events.borrow_mut();");
    let lines_loose = Numbers {
        code: false,
        other: true,
    };
    let (n, _) = normalize(
        "Breakpoint 1 at 0x2a13f0: file runtime/src/reactor.rs, line 105.",
        lines_loose,
    );
    assert_eq!(
        n,
        "Breakpoint 1 at 0x?: file runtime/src/reactor.rs, line #."
    );
    let (n, _) = normalize(
        "[pid  8975]      0.100263 futex(0x55d0a8f33748, FUTEX_WAKE_PRIVATE, 2147483647) = 0",
        Numbers {
            code: true,
            other: false,
        },
    );
    assert_eq!(n, "[pid #] # futex(0x?, FUTEX_WAKE_PRIVATE, #) = #");
    assert!(matches("a ... c ... e", "a b c d e"));
    assert!(!matches("a ... c ... e", "a b d e"));
    assert_eq!(
        take_numbers("x at a.rs:10 and b.rs:3:4", "y at a.rs:12 and b.rs:5:6").as_deref(),
        Some("x at a.rs:12 and b.rs:5:6")
    );
}
