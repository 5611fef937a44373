//! External tools (strace, chromium) for the demo tests, and scratch files
//! that are removed whatever happens (`Scratch`, the integration tests'
//! own, included by path). The same policy as the integration tests'
//! `tools.rs` (another crate, hence this copy): a test whose tool is
//! missing fails with the install command, unless `RUNTIME_TEST_SKIP_TOOLS`
//! (comma-separated tool names) lists the tool.

use std::process::Command;

/// The variable that lets a test whose tool is missing pass without running.
pub const SKIP_TOOLS: &str = "RUNTIME_TEST_SKIP_TOOLS";

/// The first of `binaries` that runs (`binary probe` exits 0). If none does,
/// fails with `install`, unless `RUNTIME_TEST_SKIP_TOOLS` names `tool`: then
/// `None` (said on stderr), and the caller returns without running.
pub fn require_tool(
    tool: &str,
    binaries: &[&'static str],
    probe: &str,
    install: &str,
) -> Option<&'static str> {
    let found = binaries.iter().copied().find(|b| {
        Command::new(b)
            .arg(probe)
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if found.is_some() {
        return found;
    }
    let skipped = std::env::var(SKIP_TOOLS).unwrap_or_default();
    if skipped.split(',').any(|t| t.trim() == tool) {
        eprintln!("skipped: {tool} is not installed and {SKIP_TOOLS}={skipped} says to skip it");
        return None;
    }
    panic!(
        "{tool} is not installed, so this test cannot run: {install} \
         (or set {SKIP_TOOLS}={tool} to skip it)"
    );
}

#[path = "../../../tests/scratch.rs"]
mod scratch;
pub use scratch::Scratch;
