//! The subcommands of `demo`, one module each (a file, or a folder when it
//! has more than one idea), plus `--syscalls`, the flag every subcommand
//! takes (`syscalls.rs`).
//!
//! Adding a subcommand `demo foo`:
//!
//! 1. `cmd/foo.rs`, or `cmd/foo/mod.rs` with its parts beside it (as
//!    `files/`: `read.rs`, `server.rs`, `emfile.rs`, `print.rs`), each
//!    file one idea and none over 520 lines: a clap `Args` struct that
//!    flattens [`Common`](crate::support::cli::Common) (`--model`,
//!    `--quick`, `--json`; `Common::pick` applies the quick presets; the
//!    value parsers of `support/cli.rs` refuse zero and nonsense), and
//!    `pub fn run(args: &Args) -> Outcome` (`support/verdict.rs`: the
//!    exit-code rule).
//! 2. Its verdicts: a function per claim in `support/claims/`, from
//!    measured numbers to a `Verdict` with its criterion, and tests on both
//!    sides of its line.
//! 3. Its output: text, each verdict with `Verdict::print`; with `--json`,
//!    one [`Object`](crate::support::json::Object) with a `verdicts` key
//!    (`verdict::json_array`); a new claim's subcommand builds it with
//!    [`Report`](crate::support::report::Report), so that a report page
//!    can plot it without knowing it (title, seeds, sizes, series,
//!    verdicts, notes: the shape is in `support/report.rs`). Progress of a
//!    long run goes to stderr (`support/progress.rs`).
//! 4. A `pub mod foo;` below, and a variant of `Command` in `main.rs` (its
//!    doc comment is the subcommand's `--help` line), dispatched in `main`
//!    and named in `Command::model`.
//! 5. Its test in `demos/tests/foo.rs` (`tests/common/`: run the binary,
//!    parse its JSON, check a refusal).
//!
//! 6. For `demo report` to run it and draw it: an entry in
//!    `cmd/report/claims.rs` (the seed sentence it measures); with `--json`,
//!    a curve it measured as `{"series": [{"label", "x", "y", "x_label",
//!    "y_label"}]}` anywhere in its object is plotted as it is.
//!
//! A subcommand never calls into another (`report` runs the others as child
//! processes, by name): what two of them share moves out
//! of `cmd/`, to `workloads/` if it is a measurement (a function from sizes
//! to numbers that prints nothing: `compare` runs `switch`'s, `cpu`'s and
//! `blocking`'s), to `support/` if it is a tool (child processes, `/proc`,
//! limits, the local listener, JSON, the HTTP codec, ptrace).
//! `demos/tests/roles.rs` checks this, and the file sizes.

pub mod baseline;
pub mod blocking;
pub mod c10k;
pub mod compare;
pub mod counter;
pub mod cpu;
pub mod errors;
pub mod fetch;
pub mod files;
pub mod hybrid;
pub mod latency;
pub mod load;
pub mod report;
pub mod scale;
pub mod serve;
pub mod sleep;
pub mod switch;
pub mod switch_scale;
pub mod syscalls;
pub mod timeline;
pub mod unbounded;
