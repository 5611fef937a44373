//! DESIGN.md names functions and files so that a reader can break on them
//! in gdb; this test keeps those names true. Every `Type::function` in
//! backticks must be a `fn function` in a file of `runtime/src` that also
//! names `Type`, and every `path/to/file.rs` must exist. A rename in the code
//! then fails here instead of silently staling the page.

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn sources(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    for entry in std::fs::read_dir(dir).expect("a readable directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().and_then(|e| e.to_str()) == Some("rs") {
            let text = std::fs::read_to_string(&path).expect("a source file");
            out.push((path, text));
        }
    }
}

/// The backticked spans of `text` (inline code, not fenced blocks).
fn code_spans(text: &str) -> Vec<String> {
    let mut spans = Vec::new();
    let mut in_fence = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        let mut parts = line.split('`');
        parts.next();
        while let (Some(span), Some(_)) = (parts.next(), parts.next()) {
            spans.push(span.to_string());
        }
    }
    spans
}

/// `Type::function` pairs named in a span (`Waker::wake`,
/// `runtime::scheduler::Scheduler::run_task`), ignoring std and tokio.
fn type_functions(span: &str) -> Option<(String, String)> {
    let span = span.trim_end_matches("()");
    let parts: Vec<&str> = span.split("::").collect();
    if parts.len() < 2 {
        return None;
    }
    let (ty, func) = (parts[parts.len() - 2], parts[parts.len() - 1]);
    let is_type = ty.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && ty.chars().all(|c| c.is_ascii_alphanumeric());
    let is_fn = !func.is_empty()
        && func
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    let foreign = [
        "std",
        "core",
        "mio",
        "tokio",
        "libc",
        "futures",
        "crossbeam_channel",
    ]
    .iter()
    .any(|k| span.starts_with(k));
    (is_type && is_fn && !foreign).then(|| (ty.to_string(), func.to_string()))
}

#[test]
fn every_function_design_md_names_exists() {
    let design = std::fs::read_to_string(repo().join("DESIGN.md")).expect("DESIGN.md");
    let mut files = Vec::new();
    sources(&repo().join("runtime/src"), &mut files);
    // Std types DESIGN.md talks about, whose methods are not ours.
    let foreign_types = [
        "Waker",
        "Arc",
        "Rc",
        "Mutex",
        "Condvar",
        "Vec",
        "Instant",
        "Duration",
        "Box",
        "Pin",
        "Poll",
        "Location",
        "Builder",
        "JoinHandle",
        "Pool",
    ];
    let mut missing = Vec::new();
    for span in code_spans(&design) {
        let Some((ty, func)) = type_functions(&span) else {
            continue;
        };
        // A method, or a field (`Stats::accepts`, `Scheduler::source`).
        let found = files.iter().any(|(_, text)| {
            let field =
                text.contains(&format!("struct {ty}")) && text.contains(&format!(" {func}: "));
            field
                || text.contains(&format!("fn {func}"))
                    && (text.contains(&format!("struct {ty}"))
                        || text.contains(&format!("impl {ty}"))
                        // A generic impl: `impl<T> Sender<T>`.
                        || text.contains(&format!("> {ty}<"))
                        || text.contains(&format!("trait {ty}"))
                        || text.contains(&format!("for {ty}")))
        });
        let std_method = foreign_types.contains(&ty.as_str())
            && !files.iter().any(|(_, t)| t.contains(&format!("fn {func}")));
        if !found && !std_method {
            missing.push(span);
        }
    }
    assert!(
        missing.is_empty(),
        "DESIGN.md names functions that do not exist in runtime/src: {missing:?}"
    );
}

#[test]
fn every_file_design_md_names_exists() {
    let design = std::fs::read_to_string(repo().join("DESIGN.md")).expect("DESIGN.md");
    let mut missing = Vec::new();
    for span in code_spans(&design) {
        for word in span.split_whitespace() {
            let word = word.trim_matches(|c: char| "(),:;".contains(c));
            let path = word.split("::").next().unwrap_or(word);
            if !path.ends_with(".rs") && !path.ends_with(".py") {
                continue;
            }
            let candidates = [
                repo().join(path),
                repo().join("runtime/src").join(path),
                repo().join("runtime").join(path),
                repo().join("tests").join(path.trim_start_matches("tests/")),
            ];
            if !candidates.iter().any(|c| c.exists()) {
                missing.push(path.to_string());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "DESIGN.md names files that do not exist: {missing:?}"
    );
}

#[test]
fn the_name_reader_finds_names() {
    assert_eq!(
        type_functions("runtime::scheduler::Scheduler::run_task"),
        Some(("Scheduler".into(), "run_task".into()))
    );
    assert_eq!(type_functions("std::thread::sleep"), None);
    assert_eq!(type_functions("waker::wake_cell"), None);
    assert_eq!(
        code_spans("a `X::y` b `c.rs`\n```\n`no`\n```"),
        ["X::y", "c.rs"]
    );
}
