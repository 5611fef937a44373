//! The subcommands of `demo`, one module each (a file, or a folder when it
//! has more than one idea), plus `--syscalls`, the flag every subcommand
//! takes.
//!
//! Adding a subcommand `demo foo`:
//!
//! 1. `cmd/foo.rs` (or `cmd/foo/mod.rs` and its parts, each file one idea,
//!    none much over 500 lines): a clap `Args` struct that flattens
//!    [`Common`](crate::support::cli::Common) (`--model`, `--quick`,
//!    `--json`), and `pub fn run(args: &Args) -> Outcome`.
//! 2. Its verdicts: a function in `support/claims/` per claim, from
//!    measured numbers to a `Verdict` with its criterion (and tests on both
//!    sides of its line).
//! 3. A `pub mod foo;` below, and a variant of `Command` in `main.rs` (its
//!    doc comment is the subcommand's `--help` line), dispatched in `main`
//!    and named in `Command::model`.
//! 4. Its test in `demos/tests/foo.rs`.
//!
//! A subcommand never calls into another: what two of them share moves out
//! of `cmd/`, to `workloads/` if it is a measurement (a function from sizes
//! to numbers, printing nothing: `compare` runs `switch`'s, `cpu`'s and
//! `blocking`'s), to `support/` if it is a tool (child processes, `/proc`,
//! limits, JSON, the HTTP codec, ptrace). `demos/tests/roles.rs` checks it.

pub mod blocking;
pub mod c10k;
pub mod compare;
pub mod cpu;
pub mod errors;
pub mod fetch;
pub mod files;
pub mod load;
pub mod serve;
pub mod sleep;
pub mod switch;
pub mod syscalls;
pub mod timeline;
