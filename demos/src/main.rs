//! `demo`: the claims of the seed articles, measured on both of this
//! project's models (the event loop and thread-per-task).

mod sleep;

use clap::{Parser, Subcommand, ValueEnum};

/// Measure the claims of "threads vs async" on a hand-built event loop and a
/// thread-per-task executor, side by side.
#[derive(Parser)]
#[command(name = "demo", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Which concurrency model(s) a demo runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Model {
    /// The single-threaded event loop (`runtime`).
    Loop,
    /// One OS thread per task (`runtime::threaded`).
    Threads,
    /// Both, one after the other.
    Both,
}

impl Model {
    /// Whether the event loop runs.
    pub fn has_loop(self) -> bool {
        matches!(self, Model::Loop | Model::Both)
    }
    /// Whether the thread model runs.
    pub fn has_threads(self) -> bool {
        matches!(self, Model::Threads | Model::Both)
    }
}

#[derive(Subcommand)]
enum Command {
    /// Seed 003: two tasks sleeping 2 s and 1 s, gathered, finish together in
    /// about 2 s, not 3.
    Sleep(sleep::Args),
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Sleep(args) => sleep::run(&args),
    };
    std::process::exit(code);
}
