//! The data syscalls of the stream sockets, one function each, on a raw fd:
//! `recv(2)` (into initialised or uninitialised memory, with `MSG_PEEK` for
//! `peek`), `send(2)`, `readv(2)` and `sendmsg(2)`.
//!
//! Written here rather than taken from `std`'s `Read`/`Write` impls for two
//! reasons: `recv(2)` can write into a [`ReadBuf`]'s uninitialised memory
//! through a raw pointer (no `&mut [u8]`, so no zeroing first), and every
//! write carries `MSG_NOSIGNAL`, so writing to a connection the peer closed
//! gives `EPIPE` as an error, never `SIGPIPE`, for TCP and Unix sockets
//! alike (`writev(2)` has no flags argument, hence `sendmsg(2)` for the
//! vectored write; `std` writes Unix streams with plain `write(2)`).
//!
//! Each function makes exactly one syscall, non-blocking because the fd is:
//! `EAGAIN` comes back as `ErrorKind::WouldBlock`, for `Registration` to
//! wait on.

use std::io::{self, IoSlice, IoSliceMut};
use std::mem::MaybeUninit;
use std::os::fd::RawFd;

use crate::io::ReadBuf;

/// Linux's `UIO_MAXIOV`: the most buffers one `readv`/`sendmsg` takes (more
/// is `EINVAL`); the rest wait for the next call, as a short read or write.
pub(crate) const MAX_IOV: usize = 1024;

/// Turns a `ssize_t` return value into a count or the thread's `errno`.
#[inline]
fn check(ret: libc::ssize_t) -> io::Result<usize> {
    usize::try_from(ret).map_err(|_| io::Error::last_os_error())
}

/// `recv(fd, buf, len, flags)`: reads (or with `MSG_PEEK`, copies without
/// consuming) up to `buf.len()` bytes. An empty `buf` gives `Ok(0)`
/// without a syscall, as `read(2)` does (a TCP `recv(2)` of 0 bytes would
/// wait for data instead).
#[inline]
pub(crate) fn recv(fd: RawFd, buf: &mut [u8], flags: libc::c_int) -> io::Result<usize> {
    if buf.is_empty() {
        return Ok(0);
    }
    // SAFETY: `buf` is valid for writes of `buf.len()` bytes for the whole
    // call, and `recv` writes at most that many.
    check(unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), flags) })
}

/// `recv(2)` into the unfilled part of `buf`, which may be uninitialised:
/// the bytes the kernel wrote are counted initialised and filled. Returns
/// how many; a full `buf` gives `Ok(0)` without a syscall.
pub(crate) fn recv_buf(fd: RawFd, buf: &mut ReadBuf<'_>, flags: libc::c_int) -> io::Result<usize> {
    if buf.remaining() == 0 {
        return Ok(0);
    }
    // SAFETY: `unfilled_mut` asks that no uninitialised value be written
    // into the slice; `recv` only writes bytes the kernel copied.
    let unfilled: &mut [MaybeUninit<u8>] = unsafe { buf.unfilled_mut() };
    // SAFETY: `unfilled` is valid for writes of `unfilled.len()` bytes for
    // the whole call (`MaybeUninit<u8>` has the layout of `u8`), and `recv`
    // writes at most that many.
    let n = check(unsafe { libc::recv(fd, unfilled.as_mut_ptr().cast(), unfilled.len(), flags) })?;
    // SAFETY: `recv` returned `n`: it wrote the first `n` bytes of the
    // unfilled part.
    unsafe { buf.assume_init(n) };
    buf.advance(n);
    Ok(n)
}

/// `send(fd, buf, len, MSG_NOSIGNAL)`.
#[inline]
pub(crate) fn send(fd: RawFd, buf: &[u8]) -> io::Result<usize> {
    // SAFETY: `buf` is valid for reads of `buf.len()` bytes for the call.
    check(unsafe { libc::send(fd, buf.as_ptr().cast(), buf.len(), libc::MSG_NOSIGNAL) })
}

/// `readv(fd, iov, iovcnt)`: fills `bufs` front to back.
/// The bytes one [`readv`] of `bufs` asks for (the first [`MAX_IOV`]
/// buffers): fewer back means the receive queue is empty.
pub(crate) fn readv_len(bufs: &[IoSliceMut<'_>]) -> usize {
    bufs.iter().take(MAX_IOV).map(|b| b.len()).sum()
}

pub(crate) fn readv(fd: RawFd, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
    let count = bufs.len().min(MAX_IOV);
    // SAFETY: `IoSliceMut` is guaranteed ABI-compatible with `iovec` on
    // Unix; each names a buffer valid for writes for the whole call, and
    // `count` ≤ `bufs.len()` (and ≤ `MAX_IOV`, so it fits a c_int).
    check(unsafe { libc::readv(fd, bufs.as_mut_ptr().cast(), count as libc::c_int) })
}

/// `sendmsg(fd, {iov, iovcnt}, MSG_NOSIGNAL)`: a gather write that, unlike
/// `writev(2)`, cannot raise `SIGPIPE`.
pub(crate) fn send_vectored(fd: RawFd, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
    // SAFETY: all-zero is a valid `msghdr` (null name and control, zero
    // lengths and flags); the fields that matter are set below.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    // `sendmsg` does not write through `msg_iov`; the cast from `*const`
    // only satisfies the C struct's type.
    msg.msg_iov = bufs.as_ptr().cast_mut().cast();
    msg.msg_iovlen = bufs.len().min(MAX_IOV);
    // SAFETY: `IoSlice` is guaranteed ABI-compatible with `iovec` on Unix;
    // `msg_iov` points at `msg_iovlen` ≤ `bufs.len()` of them, each valid
    // for reads for the whole call; no name or control data.
    check(unsafe { libc::sendmsg(fd, &msg, libc::MSG_NOSIGNAL) })
}

#[cfg(test)]
mod tests {
    use std::io::{IoSlice, IoSliceMut, Write};
    use std::mem::MaybeUninit;
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixStream;

    use super::*;

    #[test]
    #[cfg_attr(miri, ignore = "sockets: Miri has no socketpair, recvmsg or sendmsg")]
    fn recv_buf_writes_only_what_it_read_and_peek_leaves_it() {
        let (mut a, b) = UnixStream::pair().unwrap();
        a.write_all(b"hello").unwrap();
        let mut peeked = [0u8; 8];
        assert_eq!(recv(b.as_raw_fd(), &mut peeked, libc::MSG_PEEK).unwrap(), 5);
        let mut storage = [MaybeUninit::<u8>::uninit(); 64];
        let mut buf = ReadBuf::uninit(&mut storage);
        assert_eq!(recv_buf(b.as_raw_fd(), &mut buf, 0).unwrap(), 5);
        assert_eq!((buf.filled(), buf.initialized().len()), (&b"hello"[..], 5));
        b.set_nonblocking(true).unwrap();
        let err = recv_buf(b.as_raw_fd(), &mut buf, 0).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
        // Nothing to read into: 0 at once, not a wait for data.
        assert_eq!(recv(b.as_raw_fd(), &mut [], 0).unwrap(), 0);
    }

    #[test]
    #[cfg_attr(miri, ignore = "sockets: Miri has no socketpair, recvmsg or sendmsg")]
    fn vectored_calls_scatter_and_gather_in_order() {
        let (a, b) = UnixStream::pair().unwrap();
        let bufs = [
            IoSlice::new(b"head "),
            IoSlice::new(b""),
            IoSlice::new(b"body"),
        ];
        assert_eq!(send_vectored(a.as_raw_fd(), &bufs).unwrap(), 9);
        let (mut x, mut y) = ([0u8; 3], [0u8; 8]);
        let mut bufs = [IoSliceMut::new(&mut x), IoSliceMut::new(&mut y)];
        assert_eq!(readv(b.as_raw_fd(), &mut bufs).unwrap(), 9);
        assert_eq!((&x, &y[..6]), (b"hea", &b"d body"[..]));
    }
}
