//! What the demos measure when more than one subcommand measures it: each
//! a function from sizes to numbers that prints nothing and judges nothing
//! (the subcommands print, `support/claims` judges). `demo compare` runs
//! `switch`'s, `cpu`'s and `blocking`'s, and memory per idle unit (`idle`,
//! whose malloc-arena warm-up `c10k` also uses); `load`, `latency` and
//! `scale` load a server with `http_load`; `baseline` runs `fetch`'s and
//! `files`' clients and readers beside a synchronous version of each.
//!
//! A measurement only one subcommand makes stays in its `cmd/` file; it
//! moves here when a second one needs it.

pub mod blocking;
pub mod cpu;
pub mod fetch;
pub mod files;
pub mod http_load;
pub mod idle;
pub mod switch;
