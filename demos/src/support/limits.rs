//! The resource limits the claims of issue #16 run into, besides the
//! descriptor limit (`fdlimit.rs`): the address space a process may map
//! (`RLIMIT_AS`, lowered in `demo unbounded`'s child so that exhausting
//! memory ends in an allocation failure, not in the OOM killer), and the
//! threads a user may run (`RLIMIT_NPROC`, `ulimit -u`, and the kernel's
//! `/proc/sys/kernel/threads-max`), checked before `demo switch-scale`
//! starts 1,024 threads. `getrlimit(2)`/`setrlimit(2)`.

/// The soft and hard value of a limit; `u64::MAX` is unlimited.
fn get(resource: libc::__rlimit_resource_t) -> Result<(u64, u64), String> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable rlimit for the call's duration.
    if unsafe { libc::getrlimit(resource, &mut lim) } != 0 {
        return Err(format!("getrlimit: {}", std::io::Error::last_os_error()));
    }
    Ok((lim.rlim_cur, lim.rlim_max))
}

/// Lowers this process's soft and hard `RLIMIT_AS` to `bytes` of address
/// space: from then on an `mmap(2)` or `brk(2)` that would map more fails
/// with `ENOMEM` (malloc returns null; a thread's stack cannot be mapped).
/// Inherited by children, so only a child process lowers it.
pub fn set_address_space(bytes: u64) -> Result<(), String> {
    let (_, hard) = get(libc::RLIMIT_AS)?;
    let lim = libc::rlimit {
        rlim_cur: bytes.min(hard),
        rlim_max: bytes.min(hard),
    };
    // SAFETY: `lim` is a valid rlimit for the call's duration.
    if unsafe { libc::setrlimit(libc::RLIMIT_AS, &lim) } != 0 {
        return Err(format!(
            "setrlimit(RLIMIT_AS, {bytes}): {}",
            std::io::Error::last_os_error()
        ));
    }
    Ok(())
}

/// How many more threads this process may start, at most: the smaller of
/// the soft `RLIMIT_NPROC` (`ulimit -u`, which counts every thread of the
/// user, other processes' too: so this is an upper bound) and the kernel's
/// `threads-max`, less the threads this process runs now. `None` when
/// neither is limited.
pub fn threads_allowed() -> Option<u64> {
    let nproc = get(libc::RLIMIT_NPROC)
        .ok()
        .map(|(soft, _)| soft)
        .filter(|&s| s != libc::RLIM_INFINITY);
    let max = std::fs::read_to_string("/proc/sys/kernel/threads-max")
        .ok()
        .and_then(|t| t.trim().parse::<u64>().ok());
    let limit = match (nproc, max) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    let now = crate::support::proc_self::threads_now().unwrap_or(1) as u64;
    Some(limit.saturating_sub(now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn some_threads_are_allowed() {
        // This test runs, so at least its own thread was allowed.
        if let Some(n) = threads_allowed() {
            assert!(n > 0);
        }
    }
}
