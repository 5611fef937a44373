//! `--syscalls`: count what the kernel was asked to do, per syscall, with
//! `ptrace(2)`, the mechanism strace uses.
//!
//! The demo re-runs itself as a child process (same arguments, without
//! `--syscalls`). The child calls `ptrace(PTRACE_TRACEME)` between `fork`
//! and `execve` (in `pre_exec`), so it stops at its first instruction; the
//! parent then sets `PTRACE_O_TRACESYSGOOD` (syscall stops are marked) and
//! `PTRACE_O_TRACECLONE` (every new thread is traced from its birth) and
//! resumes every thread with `PTRACE_SYSCALL`, which stops it at each
//! syscall's entry and exit. At each entry it reads the syscall number
//! (`orig_rax`, with `PTRACE_GETREGS`) and counts it. Signals that are not
//! ours are passed on to the child untouched.

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::io;
use std::os::unix::process::CommandExt;
use std::process::Command;

mod names;

#[cfg(target_arch = "x86_64")]
use names::NAMES;

/// Syscall counts of one traced run.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    /// Calls per syscall name.
    pub by_name: BTreeMap<String, u64>,
    /// All calls.
    pub total: u64,
    /// Threads seen (the main thread included).
    pub threads: u64,
    /// The child's exit code (or 128 + signal).
    pub exit_code: i32,
}

/// Runs `program args` with `envs` under ptrace and counts its syscalls
/// (all threads, from its first instruction after `execve` to its exit).
/// With `quiet`, the child's stdout is discarded (its stderr still shows).
///
/// # Errors
/// If the child cannot be started, or ptrace is not permitted here.
#[cfg(target_arch = "x86_64")]
pub fn trace(
    program: &std::path::Path,
    args: &[OsString],
    envs: &[(&str, &str)],
    quiet: bool,
) -> io::Result<Counts> {
    let mut command = Command::new(program);
    command.args(args);
    if quiet {
        command.stdout(std::process::Stdio::null());
    }
    for (k, v) in envs {
        command.env(k, v);
    }
    // SAFETY: the closure runs in the child between fork and exec and only
    // calls `ptrace(PTRACE_TRACEME)`, which is async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            if libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0) == -1 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = command.spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // The child stops with SIGTRAP after its execve.
    // SAFETY: plain waitpid on our own child with a valid status pointer.
    if unsafe { libc::waitpid(pid, &mut status, libc::__WALL) } == -1 {
        return Err(io::Error::last_os_error());
    }
    if !libc::WIFSTOPPED(status) {
        return Err(io::Error::other("the traced child did not stop after exec"));
    }
    let options = libc::PTRACE_O_TRACESYSGOOD
        | libc::PTRACE_O_TRACECLONE
        | libc::PTRACE_O_TRACEFORK
        | libc::PTRACE_O_TRACEVFORK
        | libc::PTRACE_O_EXITKILL;
    // SAFETY: `pid` is our stopped tracee; PTRACE_SETOPTIONS takes the
    // options in `data`.
    if unsafe { libc::ptrace(libc::PTRACE_SETOPTIONS, pid, 0, options) } == -1 {
        return Err(io::Error::last_os_error());
    }
    let mut counts = Counts {
        threads: 1,
        ..Counts::default()
    };
    let mut by_number: HashMap<u64, u64> = HashMap::new();
    // Per thread: is it inside a syscall (between entry and exit stops)?
    let mut inside: HashMap<libc::pid_t, bool> = HashMap::new();
    inside.insert(pid, false);
    resume(pid, 0);
    loop {
        // SAFETY: waiting for any traced thread, status pointer valid.
        let tid = unsafe { libc::waitpid(-1, &mut status, libc::__WALL) };
        if tid == -1 {
            let err = io::Error::last_os_error();
            match err.raw_os_error() {
                Some(libc::EINTR) => continue,
                Some(libc::ECHILD) => break, // every tracee is gone
                _ => return Err(err),
            }
        }
        if libc::WIFEXITED(status) || libc::WIFSIGNALED(status) {
            inside.remove(&tid);
            if tid == pid {
                counts.exit_code = if libc::WIFEXITED(status) {
                    libc::WEXITSTATUS(status)
                } else {
                    128 + libc::WTERMSIG(status)
                };
            }
            continue;
        }
        if !libc::WIFSTOPPED(status) {
            continue;
        }
        let signal = libc::WSTOPSIG(status);
        let event = (status >> 16) & 0xff;
        let mut deliver = 0;
        if signal == (libc::SIGTRAP | 0x80) {
            let entering = !inside.get(&tid).copied().unwrap_or(false);
            inside.insert(tid, entering);
            if entering && let Some(number) = syscall_number(tid) {
                *by_number.entry(number).or_default() += 1;
            }
        } else if signal == libc::SIGTRAP && event != 0 {
            // A clone/fork event: the new thread is traced already and will
            // report its own first stop.
        } else if signal == libc::SIGSTOP && !inside.contains_key(&tid) {
            // A new thread's first stop.
            inside.insert(tid, false);
            counts.threads += 1;
        } else {
            deliver = signal; // a real signal for the program: pass it on
        }
        resume(tid, deliver);
    }
    for (number, n) in by_number {
        let name = NAMES
            .get(number as usize)
            .filter(|s| !s.is_empty())
            .map_or_else(|| format!("syscall_{number}"), |s| (*s).to_string());
        counts.total += n;
        *counts.by_name.entry(name).or_default() += n;
    }
    Ok(counts)
}

/// Not available off x86_64 (the syscall table and registers differ).
#[cfg(not(target_arch = "x86_64"))]
pub fn trace(
    _: &std::path::Path,
    _: &[OsString],
    _: &[(&str, &str)],
    _: bool,
) -> io::Result<Counts> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "--syscalls is implemented for x86_64 Linux only",
    ))
}

/// Continues `tid` to its next syscall entry or exit, delivering `signal`.
fn resume(tid: libc::pid_t, signal: i32) {
    // SAFETY: `tid` is a stopped tracee of ours. If it vanished meanwhile
    // (killed), ptrace fails with ESRCH and waitpid reports its exit.
    unsafe { libc::ptrace(libc::PTRACE_SYSCALL, tid, 0, signal) };
}

/// The syscall number of a thread stopped at a syscall entry.
#[cfg(target_arch = "x86_64")]
fn syscall_number(tid: libc::pid_t) -> Option<u64> {
    let mut regs = std::mem::MaybeUninit::<libc::user_regs_struct>::uninit();
    // SAFETY: PTRACE_GETREGS writes a full `user_regs_struct` to `data` for
    // a stopped tracee; we read it only if the call succeeded.
    let ok = unsafe { libc::ptrace(libc::PTRACE_GETREGS, tid, 0, regs.as_mut_ptr()) } != -1;
    // SAFETY: initialised by the successful call above.
    ok.then(|| unsafe { regs.assume_init() }.orig_rax)
}

/// Prints counts side by side, one column per run, most frequent first.
pub fn print_table(columns: &[(&str, &Counts)]) {
    let mut names: Vec<&String> = columns.iter().flat_map(|(_, c)| c.by_name.keys()).collect();
    names.sort();
    names.dedup();
    let total_of = |name: &String| {
        columns
            .iter()
            .map(|(_, c)| c.by_name.get(name).copied().unwrap_or(0))
            .sum::<u64>()
    };
    names.sort_by_key(|n| std::cmp::Reverse(total_of(n)));
    print!("{:<22}", "syscall");
    for (title, _) in columns {
        print!("{title:>14}");
    }
    println!();
    for name in names {
        print!("{name:<22}");
        for (_, c) in columns {
            print!("{:>14}", c.by_name.get(name).copied().unwrap_or(0));
        }
        println!();
    }
    print!("{:<22}", "total");
    for (_, c) in columns {
        print!("{:>14}", c.total);
    }
    println!();
    print!("{:<22}", "threads");
    for (_, c) in columns {
        print!("{:>14}", c.threads);
    }
    println!();
}
