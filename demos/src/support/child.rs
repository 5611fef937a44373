//! A child process of the demo (this same binary, re-run with hidden
//! arguments) that is always stopped: killed and reaped when the handle is
//! dropped, whatever happened before. The demos that need a fresh process
//! (a lowered fd limit, RSS not shared with another model) use it.
//!
//! The child talks back through its stdout, one line at a time; a reader
//! thread forwards the lines so that the parent can wait for one with a
//! timeout. Its stderr (progress messages) goes straight to ours, or, for
//! a parent that keeps it ([`Child::spawn_keeping_stderr`]), to a pipe.
//!
//! The child also dies with the parent even when no destructor runs (the
//! parent killed, or ended by `SIGPIPE` on a closed stdout): it asks the
//! kernel for `SIGKILL` when its parent thread exits
//! (`prctl(PR_SET_PDEATHSIG)`), between `fork` and `exec`. Children are
//! started from the main thread, which lives as long as the process.

use std::io::BufRead;
use std::os::unix::process::CommandExt;
use std::process::{ChildStderr, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The value of `key=value` in a line a child printed (`RESULT ok=3
/// errors=0 ...`: fields separated by spaces), parsed as a `T`.
pub fn field<T: std::str::FromStr>(line: &str, key: &str) -> Result<T, String> {
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("no {key} in the child's report {line:?}"))
}

/// Prints `line` for the parent to read (see [`Child::line`]) and flushes
/// it at once: the parent may be waiting for it while this process goes
/// on.
pub fn report_line(line: &str) {
    use std::io::Write;
    println!("{line}");
    let _ = std::io::stdout().flush();
}

/// A running child; dropping it kills and reaps it.
pub struct Child {
    process: std::process::Child,
    lines: mpsc::Receiver<String>,
    what: String,
}

impl Child {
    /// Starts `demo args...`; `what` names it in error messages.
    pub fn spawn(args: &[String], what: &str) -> Result<Child, String> {
        Child::start(args, what, Stdio::inherit())
    }

    /// [`Child::spawn`] with the child's stderr on a pipe, for the parent
    /// to read with [`Child::take_stderr`] (`demo report` forwards it and
    /// keeps its last lines for the page).
    pub fn spawn_keeping_stderr(args: &[String], what: &str) -> Result<Child, String> {
        Child::start(args, what, Stdio::piped())
    }

    /// The read end of the child's stderr, once, if it was piped.
    pub fn take_stderr(&mut self) -> Option<ChildStderr> {
        self.process.stderr.take()
    }

    /// Starts `demo args...` with the given stderr.
    fn start(args: &[String], what: &str, stderr: Stdio) -> Result<Child, String> {
        let exe = std::env::current_exe()
            .map_err(|e| format!("cannot find this program to start the {what}: {e}"))?;
        let mut command = Command::new(exe);
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr);
        // SAFETY: the closure runs in the child between fork and exec, where
        // only async-signal-safe calls are allowed: it makes one prctl(2)
        // call (a raw syscall), allocates nothing and takes no lock.
        unsafe {
            command.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut process = command
            .spawn()
            .map_err(|e| format!("cannot start the {what}: {e}"))?;
        let (tx, lines) = mpsc::channel();
        if let Some(stdout) = process.stdout.take() {
            let spawned = std::thread::Builder::new()
                .name("child-stdout".into())
                .spawn(move || {
                    for line in std::io::BufReader::new(stdout).lines() {
                        let Ok(line) = line else { break };
                        if tx.send(line).is_err() {
                            break;
                        }
                    }
                });
            if let Err(e) = spawned {
                let _ = process.kill();
                let _ = process.wait();
                return Err(format!("cannot start a thread to read the {what}: {e}"));
            }
        }
        Ok(Child {
            process,
            lines,
            what: what.to_string(),
        })
    }

    /// The child's process id (for `/proc/<pid>/task`).
    pub fn id(&self) -> u32 {
        self.process.id()
    }

    /// The next line the child prints that starts with `prefix` (other
    /// lines are skipped), without the prefix; an error if the child exits
    /// or `timeout` passes first. A line starting with `ERROR ` is the
    /// child's own error and is returned as one.
    pub fn line(&mut self, prefix: &str, timeout: Duration) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(e) = line.strip_prefix("ERROR ") {
                        return Err(format!("the {}: {e}", self.what));
                    }
                    if let Some(rest) = line.strip_prefix(prefix) {
                        return Ok(rest.to_string());
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(format!(
                        "the {} printed no {prefix:?} line within {} s",
                        self.what,
                        timeout.as_secs()
                    ));
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let status = self
                        .wait(Duration::from_secs(10))
                        .map_or_else(|e| e, |s| s.to_string());
                    return Err(format!(
                        "the {} ended ({status}) without a {prefix:?} line",
                        self.what
                    ));
                }
            }
        }
    }

    /// Like [`Child::line`], but a child that exits first is not an error:
    /// `Ok(None)`, and [`Child::wait`] gives its status (a child expected
    /// to die, such as one that runs out of memory).
    pub fn line_or_end(
        &mut self,
        prefix: &str,
        timeout: Duration,
    ) -> Result<Option<String>, String> {
        match self.line(prefix, timeout) {
            Ok(line) => Ok(Some(line)),
            Err(_) if self.process.try_wait().ok().flatten().is_some() => Ok(None),
            Err(e) if e.contains(" ended (") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Waits for the child to exit, at most `timeout` (then kills it).
    pub fn wait(&mut self, timeout: Duration) -> Result<ExitStatus, String> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.process.try_wait() {
                Ok(Some(status)) => return Ok(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Ok(None) => {
                    let _ = self.process.kill();
                    let _ = self.process.wait();
                    return Err(format!(
                        "the {} did not exit within {} s: killed",
                        self.what,
                        timeout.as_secs()
                    ));
                }
                Err(e) => return Err(format!("cannot wait for the {}: {e}", self.what)),
            }
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if let Ok(None) = self.process.try_wait() {
            let _ = self.process.kill();
        }
        let _ = self.process.wait();
    }
}
