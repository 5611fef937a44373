//! Socket options: `setsockopt(2)`/`getsockopt(2)` on a raw fd, for the
//! options `mio` and `std` do not offer (`SO_LINGER`, `SO_REUSEPORT`, the
//! buffer sizes, `SO_KEEPALIVE`), used by `TcpStream` and `TcpSocket`.

use std::io;
use std::os::fd::RawFd;
use std::time::Duration;

/// The option value types passed by pointer: plain C structs for which every
/// bit pattern is a valid value, so `getsockopt` may fill them.
///
/// # Safety
/// Implement only for types valid at every bit pattern.
unsafe trait OptionValue: Copy {}

// SAFETY: a C int is valid at every bit pattern.
unsafe impl OptionValue for libc::c_int {}
// SAFETY: two C ints.
unsafe impl OptionValue for libc::linger {}

fn set<T: OptionValue>(
    fd: RawFd,
    level: libc::c_int,
    name: libc::c_int,
    value: T,
) -> io::Result<()> {
    let len = std::mem::size_of::<T>() as libc::socklen_t;
    // SAFETY: `value` lives on the stack for the call and is `len` bytes.
    let ret = unsafe { libc::setsockopt(fd, level, name, (&raw const value).cast(), len) };
    if ret == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

fn get<T: OptionValue>(fd: RawFd, level: libc::c_int, name: libc::c_int) -> io::Result<T> {
    let mut value = std::mem::MaybeUninit::<T>::zeroed();
    let mut len = std::mem::size_of::<T>() as libc::socklen_t;
    // SAFETY: `value` is writable for `len` bytes for the call; the kernel
    // writes at most `len` and reports how many in `len`.
    let ret = unsafe { libc::getsockopt(fd, level, name, value.as_mut_ptr().cast(), &mut len) };
    if ret != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `value` started zeroed (a valid `T`: `OptionValue`), and
    // whatever the kernel wrote over it is a valid `T` as well.
    Ok(unsafe { value.assume_init() })
}

/// Sets a boolean option (`SO_REUSEADDR`, `TCP_NODELAY`, ...).
pub(crate) fn set_flag(
    fd: RawFd,
    level: libc::c_int,
    name: libc::c_int,
    on: bool,
) -> io::Result<()> {
    set(fd, level, name, libc::c_int::from(on))
}

/// Reads a boolean option.
pub(crate) fn flag(fd: RawFd, level: libc::c_int, name: libc::c_int) -> io::Result<bool> {
    get::<libc::c_int>(fd, level, name).map(|v| v != 0)
}

/// Sets an integer option (`SO_SNDBUF`, ...); `InvalidInput` if `value`
/// does not fit a C int.
pub(crate) fn set_int(
    fd: RawFd,
    level: libc::c_int,
    name: libc::c_int,
    value: u32,
) -> io::Result<()> {
    let value = libc::c_int::try_from(value)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "option value too large"))?;
    set(fd, level, name, value)
}

/// Reads an integer option (never negative for the ones used here).
pub(crate) fn int(fd: RawFd, level: libc::c_int, name: libc::c_int) -> io::Result<u32> {
    get::<libc::c_int>(fd, level, name).map(|v| u32::try_from(v).unwrap_or(0))
}

/// `SO_LINGER`: `None` turns it off (close returns at once, the kernel
/// sends what is queued in the background); `Some(d)` makes `close(2)`
/// wait up to `d` (whole seconds, rounded down) for queued data to be sent,
/// and `Some(ZERO)` makes it reset the connection (`RST`) at once, dropping
/// what is queued.
pub(crate) fn set_linger(fd: RawFd, linger: Option<Duration>) -> io::Result<()> {
    let value = libc::linger {
        l_onoff: libc::c_int::from(linger.is_some()),
        l_linger: linger.map_or(0, |d| {
            libc::c_int::try_from(d.as_secs()).unwrap_or(libc::c_int::MAX)
        }),
    };
    set(fd, libc::SOL_SOCKET, libc::SO_LINGER, value)
}

/// Reads `SO_LINGER` back (see [`set_linger`]).
pub(crate) fn linger(fd: RawFd) -> io::Result<Option<Duration>> {
    let value: libc::linger = get(fd, libc::SOL_SOCKET, libc::SO_LINGER)?;
    Ok((value.l_onoff != 0)
        .then(|| Duration::from_secs(u64::try_from(value.l_linger).unwrap_or(0))))
}
