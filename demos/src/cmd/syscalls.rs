//! `--syscalls`, the flag every subcommand takes: the same command run
//! again in a child process per model under ptrace (`support::syscalls`),
//! and the syscall counts of the runs printed side by side.

use crate::support::cli::Model;
use crate::support::syscalls;

/// `--syscalls`: runs this same command again in traced children, one per
/// model, and prints their syscall counts side by side.
pub fn run_traced(model: Option<Model>) -> i32 {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("demo: --syscalls: cannot find this program: {e}");
            return 2;
        }
    };
    // The arguments without --syscalls and without --model.
    let mut args: Vec<std::ffi::OsString> = Vec::new();
    let mut skip_next = false;
    for arg in std::env::args_os().skip(1) {
        if skip_next {
            skip_next = false;
            continue;
        }
        let text = arg.to_string_lossy();
        if text == "--syscalls" || text.starts_with("--model=") {
            continue;
        }
        if text == "--model" {
            skip_next = true;
            continue;
        }
        args.push(arg);
    }
    let models: Vec<Option<Model>> = match model {
        None => vec![None],
        Some(Model::Both) => vec![Some(Model::Loop), Some(Model::Threads)],
        Some(m) => vec![Some(m)],
    };
    let mut runs = Vec::new();
    for m in models {
        let mut child_args = args.clone();
        let title = match m {
            Some(Model::Loop) => "event loop",
            Some(Model::Threads) => "threads",
            _ => "count",
        };
        if let Some(m) = m {
            child_args.push("--model".into());
            child_args.push(if m == Model::Loop { "loop" } else { "threads" }.into());
        }
        eprintln!("demo: tracing the {title} run under ptrace...");
        match syscalls::trace(&exe, &child_args, &[], false) {
            Ok(counts) => runs.push((title, counts)),
            Err(e) => {
                eprintln!("demo: --syscalls: cannot trace the child: {e}");
                return 2;
            }
        }
    }
    println!();
    println!("syscalls made, counted with ptrace(PTRACE_SYSCALL) on every thread:");
    let columns: Vec<(&str, &syscalls::Counts)> = runs.iter().map(|(t, c)| (*t, c)).collect();
    syscalls::print_table(&columns);
    runs.iter()
        .map(|(_, c)| c.exit_code)
        .find(|&c| c != 0)
        .unwrap_or(0)
}
