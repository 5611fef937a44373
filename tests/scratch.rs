//! A test's scratch directory, removed whatever happens. One file for
//! both test crates: `integration-tests` (`tools.rs`) and the demos' tests
//! (`demos/tests/common/tool.rs`) include it by path.

use std::path::{Path, PathBuf};

/// A test's scratch directory under the system's temporary directory
/// (named for the test and this process), created empty and removed when
/// dropped: on every path out of the test, a failed assertion included,
/// so that what it holds (a core dump is hundreds of megabytes) is never
/// left behind.
#[derive(Debug)]
pub struct Scratch(PathBuf);

impl Scratch {
    /// A fresh, empty `$TMPDIR/<name>-<pid>`.
    ///
    /// # Panics
    /// If the directory cannot be created.
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| {
            panic!("cannot create the scratch directory {}: {e}", dir.display())
        });
        Scratch(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
