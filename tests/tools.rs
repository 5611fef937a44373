//! External tools for the debugger tests: finding them (a test whose tool
//! is missing fails, unless told to skip), building the binaries that
//! DEBUGGING.md steps through, and reading a binary's symbol table.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The variable that lets a test whose tool is missing pass without
/// running: a comma-separated list of tools (`gdb,strace,chromium`).
pub const SKIP_TOOLS: &str = "RUNTIME_TEST_SKIP_TOOLS";

/// Whether `tool` runs here (`tool probe` exits 0).
pub fn tool_runs(tool: &str, probe: &str) -> bool {
    Command::new(tool)
        .arg(probe)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `true` if `tool` is installed. If it is not, the test fails with the
/// command that installs it, unless `RUNTIME_TEST_SKIP_TOOLS` names the
/// tool: then this returns `false` (and says so on stderr), and the caller
/// returns without running. A test that did not run must not look like one
/// that passed, unless someone asked for that.
pub fn require_tool(tool: &str, probe: &str, install: &str) -> bool {
    if tool_runs(tool, probe) {
        return true;
    }
    let skipped = std::env::var(SKIP_TOOLS).unwrap_or_default();
    if skipped.split(',').any(|t| t.trim() == tool) {
        eprintln!("skipped: {tool} is not installed and {SKIP_TOOLS}={skipped} says to skip it");
        return false;
    }
    panic!(
        "{tool} is not installed, so this test cannot run: {install} \
         (or set {SKIP_TOOLS}={tool} to skip it)"
    );
}

/// Runs the test `test` of this test binary again in a child process that
/// cannot find any tool (`PATH` empty), and checks what `require_tool`
/// promises: it fails with `apt-get install -y <tool>`, and it passes when
/// `RUNTIME_TEST_SKIP_TOOLS` is `skip` (the tools that test needs).
///
/// # Panics
/// When the child passes without running, or fails when told to skip.
pub fn check_a_missing_tool_fails_unless_skipped(test: &str, tool: &str, skip: &str) {
    let exe = std::env::current_exe().expect("this test binary");
    let run = |skip: Option<&str>| {
        let mut child = Command::new(&exe);
        child
            .args(["--exact", test])
            .env("PATH", "/nonexistent")
            .env_remove(SKIP_TOOLS);
        if let Some(skip) = skip {
            child.env(SKIP_TOOLS, skip);
        }
        child.output().expect("the test binary runs again")
    };
    let failed = run(None);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&failed.stdout),
        String::from_utf8_lossy(&failed.stderr)
    );
    assert!(!failed.status.success(), "a test that did not run passed");
    assert!(
        said.contains(&format!("apt-get install -y {tool}")),
        "{said}"
    );
    let skipped = run(Some(skip));
    assert!(
        skipped.status.success(),
        "{}",
        String::from_utf8_lossy(&skipped.stdout)
    );
}

#[path = "scratch.rs"]
mod scratch;
pub use scratch::Scratch;

/// The workspace root (DEBUGGING.md's commands run from there).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The target directory this test binary was built into: the nearest
/// ancestor of the binary holding cargo's `CACHEDIR.TAG`.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors()
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        .unwrap_or_else(|| panic!("no cargo target directory above {}", exe.display()))
        .to_path_buf()
}

/// The build DEBUGGING.md starts with (its section 0, word for word after
/// `cargo`): the demo, the runtime's examples and `gdb-target`, debug
/// profile.
pub const DEBUG_BUILD: &[&str] = &[
    "build",
    "-p",
    "runtime",
    "-p",
    "demos",
    "-p",
    "integration-tests",
    "--bins",
    "--examples",
];

/// Runs `cargo` (the one running these tests) with `args` in the workspace
/// root and panics, showing its output, if it fails.
pub fn cargo(args: &[&str]) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(args)
        .current_dir(workspace_root())
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo {} failed:\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs [`DEBUG_BUILD`] once per test binary, so that the binaries under
/// `target/debug` are those of the current source, and returns
/// `target/debug`. (Cargo holds its build lock only while it builds, not
/// while tests run, so this nested build does not wait on the outer one.)
pub fn debug_binaries() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let target = target_dir();
        let target_arg = target.to_string_lossy().into_owned();
        cargo(&[DEBUG_BUILD, &["--target-dir", &target_arg]].concat());
        target.join("debug")
    })
}

/// The names of the symbols `binary` defines (`nm --defined-only`: what gdb
/// can call or read by name). `nm` comes with binutils, which the linker
/// that built the binary belongs to.
pub fn defined_symbols(binary: &Path) -> Vec<String> {
    let out = Command::new("nm")
        .arg("--defined-only")
        .arg(binary)
        .output()
        .expect("nm runs (binutils)");
    assert!(
        out.status.success(),
        "nm {}: {}",
        binary.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2).map(str::to_string))
        .collect()
}

/// The 1-based line of the first line of `file` (relative to the workspace
/// root) that contains `needle`: the debugger tests find a site by its
/// text, so that editing the target does not break them.
pub fn line_of(file: &str, needle: &str) -> u32 {
    let text = std::fs::read_to_string(workspace_root().join(file))
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    let index = text
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{file} has no line with {needle:?}"));
    u32::try_from(index + 1).expect("a file of fewer than 4 billion lines")
}

/// Runs lldb with its Python module found: lldb 14 on Debian 12 looks for
/// it in a directory that does not exist (`lldb -P` says
/// `/usr/lib/local/lib/python3.11/dist-packages`) and fails with "No module
/// named 'lldb.embedded_interpreter'"; the module is under
/// `/usr/lib/llvm-*/lib/python3*/dist-packages`. Returns the command with
/// `PYTHONPATH` set to that directory when `lldb -P`'s is wrong.
pub fn lldb_command() -> Command {
    let mut lldb = Command::new("lldb");
    let said = Command::new("lldb").arg("-P").output();
    let reported = said
        .ok()
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|p| p.join("lldb/embedded_interpreter.py").is_file());
    if reported.is_none()
        && let Some(dir) = debian_lldb_python()
    {
        lldb.env("PYTHONPATH", dir);
    }
    lldb
}

/// `/usr/lib/llvm-N/lib/python3.M/dist-packages` holding lldb's module.
fn debian_lldb_python() -> Option<PathBuf> {
    let lib = Path::new("/usr/lib");
    for llvm in std::fs::read_dir(lib).ok()?.flatten() {
        let name = llvm.file_name().to_string_lossy().into_owned();
        if !name.starts_with("llvm-") {
            continue;
        }
        for python in std::fs::read_dir(llvm.path().join("lib")).ok()?.flatten() {
            let dir = python.path().join("dist-packages");
            if python.file_name().to_string_lossy().starts_with("python3")
                && dir.join("lldb/embedded_interpreter.py").is_file()
            {
                return Some(dir);
            }
        }
    }
    None
}
