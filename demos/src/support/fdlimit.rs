//! The descriptor limit, `RLIMIT_NOFILE`: read it, raise or lower its soft
//! value (`getrlimit(2)`/`setrlimit(2)`), and count the descriptors of
//! this process now (`/proc/self/fd`).
//!
//! A process may move its soft limit anywhere up to the hard limit; only
//! root may raise the hard one. The limit is inherited across `fork`/`exec`,
//! which is why the demos that lower it do so in a child process.

/// A soft and a hard `RLIMIT_NOFILE`.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    /// What `open(2)`, `socket(2)`, `accept(2)` check: a new descriptor
    /// must be below it, or the call fails with `EMFILE`.
    pub soft: u64,
    /// The ceiling for the soft limit.
    pub hard: u64,
}

/// The current limit.
pub fn get() -> Result<Limit, String> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable rlimit for the call's duration.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        let e = std::io::Error::last_os_error();
        return Err(format!("getrlimit(RLIMIT_NOFILE): {e}"));
    }
    Ok(Limit {
        soft: lim.rlim_cur,
        hard: lim.rlim_max,
    })
}

/// Sets the soft limit to `soft` (clamped to the hard limit); returns the
/// limit now in force.
pub fn set_soft(soft: u64) -> Result<Limit, String> {
    let now = get()?;
    let lim = libc::rlimit {
        rlim_cur: soft.min(now.hard),
        rlim_max: now.hard,
    };
    // SAFETY: `lim` is a valid rlimit for the call's duration.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) } != 0 {
        let e = std::io::Error::last_os_error();
        return Err(format!("setrlimit(RLIMIT_NOFILE, {soft}): {e}"));
    }
    get()
}

/// Raises the soft limit to `wanted`, or as close as the hard limit allows
/// (never lowers it); returns the limit now in force.
pub fn raise_to(wanted: u64) -> Result<Limit, String> {
    let now = get()?;
    if now.soft >= wanted {
        return Ok(now);
    }
    set_soft(wanted)
}

/// The descriptors open in this process now.
pub fn open_fds() -> Result<usize, String> {
    let dir = std::fs::read_dir("/proc/self/fd")
        .map_err(|e| format!("cannot list /proc/self/fd: {e}"))?;
    // The listing itself holds one descriptor: not counted.
    Ok(dir.count().saturating_sub(1))
}
