//! Files, on the blocking pool (as Python's `aiofiles` does it).
//!
//! `epoll(7)` cannot help with regular files: they are always reported
//! ready, and a `read(2)` that must wait for the disk simply blocks the
//! thread (`epoll_ctl` even refuses them with `EPERM`). So every function
//! here ships the `std::fs` call to the blocking pool
//! ([`spawn_blocking`](crate::spawn_blocking)'s threads) and awaits the
//! result; the loop keeps running other tasks meanwhile.
//!
//! Errors are the operating system's, with their [`io::ErrorKind`] kept
//! (`NotFound`, `PermissionDenied`, ...) and the path added to the message.
//!
//! ```
//! # let dir = std::env::temp_dir().join(format!("runtime-fs-doc-{}", std::process::id()));
//! runtime::block_on(async {
//!     runtime::fs::write(&dir, "hello").await.unwrap();
//!     assert_eq!(runtime::fs::read_to_string(&dir).await.unwrap(), "hello");
//!     let err = runtime::fs::read("/no/such/file").await.unwrap_err();
//!     assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
//!     assert!(err.to_string().contains("/no/such/file"));
//! });
//! # std::fs::remove_file(&dir).unwrap();
//! ```

use std::future::Future;
use std::io::{self, Read, Write};
use std::panic::Location;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::blocking;

/// The OS error `e`, its kind kept, its message prefixed with `path`.
fn with_path(e: io::Error, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// Reads the whole file at `path` (`open(2)`, `read(2)`s, on the pool).
///
/// # Errors
/// Those of [`std::fs::read`], with the path in the message.
#[track_caller]
pub fn read(path: impl AsRef<Path>) -> impl Future<Output = io::Result<Vec<u8>>> + Send {
    let at = Location::caller();
    let path = path.as_ref().to_owned();
    blocking::run(
        move || std::fs::read(&path).map_err(|e| with_path(e, &path)),
        at,
    )
}

/// Reads the whole file at `path` as UTF-8 (on the pool).
///
/// # Errors
/// Those of [`std::fs::read_to_string`] (`InvalidData` if the file is not
/// UTF-8), with the path in the message.
#[track_caller]
pub fn read_to_string(path: impl AsRef<Path>) -> impl Future<Output = io::Result<String>> + Send {
    let at = Location::caller();
    let path = path.as_ref().to_owned();
    blocking::run(
        move || std::fs::read_to_string(&path).map_err(|e| with_path(e, &path)),
        at,
    )
}

/// Creates or truncates the file at `path` and writes `contents` to it
/// (`open(2)` with `O_CREAT|O_TRUNC`, `write(2)`s, on the pool).
///
/// # Errors
/// Those of [`std::fs::write`], with the path in the message.
#[track_caller]
pub fn write(
    path: impl AsRef<Path>,
    contents: impl AsRef<[u8]>,
) -> impl Future<Output = io::Result<()>> + Send {
    let at = Location::caller();
    let path = path.as_ref().to_owned();
    let contents = contents.as_ref().to_vec();
    blocking::run(
        move || std::fs::write(&path, contents).map_err(|e| with_path(e, &path)),
        at,
    )
}

/// An open file whose operations run on the blocking pool.
///
/// Each call copies the caller's buffer into the job (or out of it), since
/// the pool thread cannot borrow it: meant for convenience, not for
/// throughput (for bulk data prefer [`read`](fn@read) and [`write`](fn@write)).
///
/// ```
/// # let path = std::env::temp_dir().join(format!("runtime-file-doc-{}", std::process::id()));
/// runtime::block_on(async {
///     let mut f = runtime::fs::File::create(&path).await.unwrap();
///     f.write_all(b"abc").await.unwrap();
///     f.sync_all().await.unwrap();
///     let mut f = runtime::fs::File::open(&path).await.unwrap();
///     let mut buf = [0u8; 8];
///     assert_eq!(f.read(&mut buf).await.unwrap(), 3);
///     assert_eq!(&buf[..3], b"abc");
/// });
/// # std::fs::remove_file(&path).unwrap();
/// ```
#[derive(Debug)]
pub struct File {
    /// Shared with the job in flight: `&std::fs::File` reads and writes, so
    /// a dropped future leaves the file usable.
    std: Arc<std::fs::File>,
    path: PathBuf,
}

impl File {
    /// Opens `path` for reading (`open(2)` with `O_RDONLY`).
    ///
    /// # Errors
    /// Those of [`std::fs::File::open`], with the path in the message.
    #[track_caller]
    pub fn open(path: impl AsRef<Path>) -> impl Future<Output = io::Result<File>> + Send {
        let at = Location::caller();
        let path = path.as_ref().to_owned();
        async move {
            let p = path.clone();
            let open = move || std::fs::File::open(&p).map_err(|e| with_path(e, &p));
            let std = blocking::run(open, at).await?;
            Ok(File {
                std: Arc::new(std),
                path,
            })
        }
    }

    /// Creates `path` for writing, truncating it if it exists (`open(2)`
    /// with `O_WRONLY|O_CREAT|O_TRUNC`).
    ///
    /// # Errors
    /// Those of [`std::fs::File::create`], with the path in the message.
    #[track_caller]
    pub fn create(path: impl AsRef<Path>) -> impl Future<Output = io::Result<File>> + Send {
        let at = Location::caller();
        let path = path.as_ref().to_owned();
        async move {
            let p = path.clone();
            let create = move || std::fs::File::create(&p).map_err(|e| with_path(e, &p));
            let std = blocking::run(create, at).await?;
            Ok(File {
                std: Arc::new(std),
                path,
            })
        }
    }

    /// Reads up to `buf.len()` bytes (one `read(2)`); `Ok(0)` at the end.
    ///
    /// # Errors
    /// The OS's, with the path in the message.
    #[track_caller]
    pub fn read<'a>(
        &'a mut self,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        let at = Location::caller();
        let file = self.std.clone();
        let path = self.path.clone();
        let len = buf.len();
        async move {
            let job = move || {
                let mut data = vec![0u8; len];
                let n = (&*file).read(&mut data).map_err(|e| with_path(e, &path))?;
                data.truncate(n);
                Ok::<_, io::Error>(data)
            };
            let data = blocking::run(job, at).await?;
            buf[..data.len()].copy_from_slice(&data);
            Ok(data.len())
        }
    }

    /// Writes all of `buf` (`write(2)`s until done).
    ///
    /// # Errors
    /// The OS's, with the path in the message.
    #[track_caller]
    pub fn write_all(&mut self, buf: &[u8]) -> impl Future<Output = io::Result<()>> + Send {
        let at = Location::caller();
        let file = self.std.clone();
        let path = self.path.clone();
        let data = buf.to_vec();
        blocking::run(
            move || (&*file).write_all(&data).map_err(|e| with_path(e, &path)),
            at,
        )
    }

    /// Flushes the file's data and metadata to the device (`fsync(2)`).
    ///
    /// # Errors
    /// The OS's, with the path in the message.
    #[track_caller]
    pub fn sync_all(&self) -> impl Future<Output = io::Result<()>> + Send {
        let at = Location::caller();
        let file = self.std.clone();
        let path = self.path.clone();
        blocking::run(move || file.sync_all().map_err(|e| with_path(e, &path)), at)
    }

    /// The path the file was opened with.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
