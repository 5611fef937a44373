//! The runtime's layers, checked from its source: every `crate::` path in
//! `runtime/src` is an edge from its file to the file that defines the path,
//! and the graph must have no cycle through the scheduler (DESIGN.md, "The
//! event loop in one picture"). The one cycle allowed is the cross-thread
//! wake pair, `waker.rs` and `driver/remote.rs`.
//!
//! A change that makes, say, the driver import the scheduler fails here, with
//! the files of the cycle named.
//!
//! One more rule read from the source: no file of `runtime/src` is longer
//! than one idea ([`MAX_LINES`]); a file that grows past it fails here with
//! its path and length, to be split by idea.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (`driver::reactor`, `` for lib.rs) → its file.
fn modules(root: &Path) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("runtime/src is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let rel = path.strip_prefix(root).expect("under root");
            let mut parts: Vec<String> = rel
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
                parts.pop();
            }
            // A `tests.rs` child holds a module's unit tests: not a layer.
            if parts.last().is_some_and(|p| p == "tests") {
                continue;
            }
            out.insert(parts.join("::"), path);
        }
    }
    out
}

/// The source without comments and without `#[cfg(test)]` modules (tests
/// may reach anywhere).
fn code_of(path: &Path) -> String {
    let src = std::fs::read_to_string(path).expect("a source file");
    let mut code = String::new();
    let mut skipping_tests = false;
    let mut depth = 0i32;
    for line in src.lines() {
        let trimmed = line.trim_start();
        if !skipping_tests
            && (trimmed.starts_with("#[cfg(test)]") || trimmed.starts_with("#[cfg(all(test"))
        {
            skipping_tests = true;
            depth = 0;
            continue;
        }
        if skipping_tests {
            depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
            if depth <= 0 && (line.contains('}') || line.trim_end().ends_with(';')) {
                skipping_tests = false;
            }
            continue;
        }
        let line = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        code.push_str(line);
        code.push('\n');
    }
    code
}

/// The longest module path that `path` starts with.
fn resolve(path: &[&str], modules: &BTreeMap<String, PathBuf>) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|m| modules.contains_key(m))
}

fn is_ident(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Edges of one file: each `crate::a::b` path (and the items of a
/// `crate::a::{b, c::d}` group), resolved to the defining module.
fn edges_of(code: &str, modules: &BTreeMap<String, PathBuf>) -> BTreeSet<String> {
    let mut deps = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        let path: Vec<&str> = rest[..end].split("::").filter(|p| !p.is_empty()).collect();
        let group = rest[end..].starts_with('{') && rest[..end].ends_with("::");
        if group {
            let close = rest[end..].find('}').map_or(rest.len(), |j| end + j);
            for item in rest[end + 1..close].split(',') {
                let first: Vec<&str> = item.trim().split("::").collect();
                let mut full = path.clone();
                if let Some(head) = first.first().filter(|h| is_ident(h)) {
                    full.push(head);
                }
                deps.extend(resolve(&full, modules));
            }
        } else {
            deps.extend(resolve(&path, modules));
        }
    }
    deps
}

/// Strongly connected components with more than one module (Tarjan).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        found: Vec<BTreeSet<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        let graph = s.graph;
        for w in graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = BTreeSet::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.insert(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !state.index.contains_key(v.as_str()) {
            visit(&mut state, v);
        }
    }
    state.found
}

/// The runtime's source folder.
fn runtime_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime/src")
}

fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
    let root = runtime_src();
    let modules = modules(&root);
    modules
        .iter()
        .map(|(module, path)| {
            let mut deps = edges_of(&code_of(path), &modules);
            deps.remove(module);
            deps.remove("");
            (module.clone(), deps)
        })
        .collect()
}

#[test]
fn the_import_graph_has_no_cycle_through_the_scheduler() {
    let graph = import_graph();
    assert!(
        graph.contains_key("scheduler") && graph.contains_key("driver"),
        "the layers this test checks exist: {:?}",
        graph.keys().collect::<Vec<_>>()
    );
    let allowed: BTreeSet<String> = ["waker", "driver::remote"].map(String::from).into();
    for cycle in cycles(&graph) {
        assert_eq!(
            cycle, allowed,
            "an import cycle other than the cross-thread wake pair: {cycle:?}"
        );
    }
}

#[test]
fn the_driver_and_the_data_structures_never_name_the_scheduler() {
    let graph = import_graph();
    for (module, deps) in &graph {
        let lower = module.starts_with("driver")
            || [
                "task",
                "task::table",
                "task::lifecycle",
                "task::raw",
                "task::cell",
                "task::error",
                "time::wheel",
                "time::clock",
                "waker",
                "coop",
            ]
            .contains(&module.as_str());
        if lower {
            assert!(
                !deps
                    .iter()
                    .any(|d| d.starts_with("scheduler") || d == "context"),
                "{module} imports upward: {deps:?}"
            );
        }
    }
}

#[test]
fn the_graph_reader_sees_imports() {
    // The reader itself: a group import and a plain path are both edges.
    let mut modules = BTreeMap::new();
    for m in ["a", "a::b", "c"] {
        modules.insert(m.to_string(), PathBuf::new());
    }
    let deps = edges_of(
        "use crate::a::{b::X, Y};\nfn f() { crate::c::g(); }",
        &modules,
    );
    assert_eq!(
        deps,
        ["a", "a::b", "c"].map(String::from).into_iter().collect()
    );
    let mut graph = BTreeMap::new();
    graph.insert("x".to_string(), BTreeSet::from(["y".to_string()]));
    graph.insert("y".to_string(), BTreeSet::from(["x".to_string()]));
    assert_eq!(cycles(&graph).len(), 1, "a two-module cycle is found");
}

/// The most lines a file of `runtime/src` may have: about 500 is one idea
/// (issue 17, "one owner per concern"), with some slack so that a doc
/// comment does not tip a file over.
const MAX_LINES: usize = 520;

/// Every `.rs` file under `dir`, unit-test files included.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("runtime/src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().and_then(|e| e.to_str()) == Some("rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_runtime_source_file_is_longer_than_one_idea() {
    let root = runtime_src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    assert!(
        files.iter().any(|p| p.ends_with("scheduler/mod.rs")) && files.len() > 50,
        "the walk sees the runtime's sources: {files:?}"
    );
    let long: Vec<String> = files
        .iter()
        .filter_map(|path| {
            let lines = std::fs::read_to_string(path)
                .expect("a source file")
                .lines()
                .count();
            let name = path.strip_prefix(&root).unwrap_or(path).display();
            (lines > MAX_LINES).then(|| format!("  runtime/src/{name}: {lines} lines"))
        })
        .collect();
    assert!(
        long.is_empty(),
        "files longer than {MAX_LINES} lines; split each by idea (one idea per file, \
         as scheduler/ and inspect/trace/ are split):\n{}",
        long.join("\n")
    );
}
