//! What the subcommands share that is not a measurement: the flags, the
//! verdicts and the claims that compute them, how a timing is repeated and
//! summarised, JSON output, child processes, `/proc`, the descriptor
//! limit and the other limits, the local listener, the HTTP codec, the
//! ptrace syscall counter, the self-describing JSON of a claim
//! (`report.rs`) and progress on stderr.

pub mod child;
pub mod claims;
pub mod cli;
pub mod fdlimit;
pub mod gate;
pub mod http;
pub mod json;
pub mod limits;
pub mod measure;
pub mod net;
pub mod proc_self;
pub mod progress;
pub mod report;
pub mod server;
pub mod syscalls;
pub mod verdict;
