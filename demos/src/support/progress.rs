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
