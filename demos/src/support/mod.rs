//! What the subcommands share that is not a measurement: the flags, the
//! verdicts and the claims that compute them, how a timing is repeated and
//! summarised, JSON output, child processes, `/proc`, the descriptor
//! limit, the local listener, the HTTP codec, and the ptrace syscall
//! counter.

pub mod child;
pub mod claims;
pub mod cli;
pub mod fdlimit;
pub mod http;
pub mod json;
pub mod measure;
pub mod net;
pub mod proc_self;
pub mod syscalls;
pub mod verdict;
