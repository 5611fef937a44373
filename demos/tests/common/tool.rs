//! External tools (strace, chromium) for the demo tests, and scratch files
//! that are removed whatever happens. The same policy as the integration
//! tests' `tools.rs` (another crate, hence this copy): a test whose tool is
//! missing fails with the install command, unless `RUNTIME_TEST_SKIP_TOOLS`
//! (comma-separated tool names) lists the tool.

use std::path::{Path, PathBuf};
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

/// A fresh directory under the system's temp dir, removed with everything
/// in it when dropped: on success, on an early return and on a failed
/// assertion (the panic unwinds through the drop).
pub struct ScratchDir(PathBuf);

impl ScratchDir {
    /// Creates `$TMPDIR/<prefix>-<pid>`.
    pub fn new(prefix: &str) -> ScratchDir {
        let dir = std::env::temp_dir().join(format!("{prefix}-{}", std::process::id()));
        // A leftover of an earlier run with the same pid is not ours to keep.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        ScratchDir(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
