//! Progress of a long run, on stderr: which claim, which step, how far
//! (`switch-scale: [3/8] threads, 128 threads...`). Never on stdout, so
//! that `--json` output stays one object.

/// Prints `<command>: [<step>/<of>] <what>...` to stderr.
pub fn step(command: &str, step: usize, of: usize, what: &str) {
    eprintln!("{command}: [{step}/{of}] {what}...");
}

/// Prints `<command>: <what>` to stderr (a step without a count).
pub fn note(command: &str, what: &str) {
    eprintln!("{command}: {what}");
}

/// Counts the steps of a run so that each call says how far it is.
pub struct Steps {
    command: &'static str,
    done: usize,
    of: usize,
}

impl Steps {
    /// `of` steps of `command`.
    pub fn new(command: &'static str, of: usize) -> Steps {
        Steps {
            command,
            done: 0,
            of,
        }
    }

    /// The next step: prints it.
    pub fn next(&mut self, what: &str) {
        self.done += 1;
        step(self.command, self.done, self.of.max(self.done), what);
    }
}
