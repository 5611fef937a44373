//! The demos' source keeps its roles (`demos/src/cmd/mod.rs`): a
//! subcommand (`cmd/<name>`) never names another subcommand; `workloads/`
//! (measurements) and `support/` (tools) never name a subcommand; `support/`
//! never names a measurement; and no source file grows past the size where
//! it holds more than one idea.
//!
//! Read from the source as text: every `crate::cmd::<name>` and
//! `crate::workloads::<name>` path (so imports are spelled out in full: a
//! `use crate::{...}` group would hide them, and is refused), and every
//! `super::super::` that climbs out of a subcommand's folder.

use std::path::{Path, PathBuf};

/// The longest a source file may be, in lines (the generated syscall
/// table aside).
const MAX_LINES: usize = 520;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file below `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("a readable source folder") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The subcommand a file belongs to: `cmd/files/read.rs` -> `files`.
fn subcommand_of(rel: &Path) -> Option<String> {
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
    if parts.next()? != "cmd" {
        return None;
    }
    let name = parts.next()?;
    Some(name.trim_end_matches(".rs").to_string())
}

/// The modules a file's code names under `crate::<root>::`.
fn named(code: &str, root: &str) -> Vec<String> {
    let needle = format!("crate::{root}::");
    code.match_indices(&needle)
        .map(|(i, _)| {
            code[i + needle.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

#[test]
fn no_subcommand_calls_into_another_and_tools_call_into_none() {
    let root = src();
    let mut wrong = Vec::new();
    for path in rust_files(&root) {
        let rel = path.strip_prefix(&root).expect("below src");
        let code = std::fs::read_to_string(&path).expect("a source file");
        let top = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        for name in named(&code, "cmd") {
            match (top.as_str(), subcommand_of(rel)) {
                ("cmd", Some(own)) if name == own => {}
                ("main.rs", _) => {}
                _ => wrong.push(format!("{} names crate::cmd::{name}", rel.display())),
            }
        }
        if code.contains("crate::{") {
            wrong.push(format!(
                "{} groups a `use crate::{{...}}`: spell the paths out",
                rel.display()
            ));
        }
        if top == "support" {
            for name in named(&code, "workloads") {
                wrong.push(format!("{} names crate::workloads::{name}", rel.display()));
            }
        }
        // `super::super::` out of a subcommand's folder reaches `cmd/mod.rs`'s
        // siblings, that is, other subcommands.
        if subcommand_of(rel).is_some() && code.contains("super::super::") {
            wrong.push(format!("{} climbs out with super::super::", rel.display()));
        }
    }
    assert!(
        wrong.is_empty(),
        "the roles are crossed:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn main_only_parses_and_dispatches() {
    let main = std::fs::read_to_string(src().join("main.rs")).expect("main.rs");
    let fns = main.matches("\nfn ").count();
    assert!(
        fns <= 2,
        "main.rs has {fns} functions: it holds the clap enum, `main` and the SIGPIPE setup; anything else belongs in cmd/ or support/"
    );
}

#[test]
fn no_source_file_is_longer_than_one_idea() {
    let root = src();
    let long: Vec<String> = rust_files(&root)
        .into_iter()
        .filter(|p| !p.ends_with("support/syscalls/names.rs"))
        .filter_map(|p| {
            let lines = std::fs::read_to_string(&p).ok()?.lines().count();
            (lines > MAX_LINES).then(|| format!("{} ({lines} lines)", p.display()))
        })
        .collect();
    assert!(
        long.is_empty(),
        "split these by idea (see cmd/mod.rs): {long:?}"
    );
}

#[test]
fn the_reader_sees_paths() {
    assert_eq!(
        named("use crate::cmd::files::x; crate::cmd::c10k::run()", "cmd"),
        ["files", "c10k"]
    );
    assert_eq!(
        subcommand_of(Path::new("cmd/files/read.rs")),
        Some("files".into())
    );
    assert_eq!(
        subcommand_of(Path::new("cmd/sleep.rs")),
        Some("sleep".into())
    );
    assert_eq!(subcommand_of(Path::new("support/json.rs")), None);
}
