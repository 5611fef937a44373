//! Files read at once (part 1 of `demo files`, and `demo baseline`): N
//! temporary files written, then read on each model (`runtime::fs::read`
//! gathered on the loop, one thread per file on the thread model), or one
//! after the other on this thread (`baseline`'s synchronous side), every
//! byte checked.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The files read on one model.
pub struct ReadRun {
    /// Wall time of all the reads.
    pub wall: Duration,
    /// Files whose bytes came back exactly.
    pub ok: usize,
    /// Files that failed to read, or read wrong; the first error.
    pub failed: usize,
    pub first_error: Option<String>,
    /// Threads alive at once at the peak (the loop's thread counted).
    pub threads: u64,
    /// Threads created for the reads.
    pub threads_created: u64,
}

/// A temporary directory, removed (with its files) when dropped: at the
/// end, or on the way out of an error or a panic.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates an empty directory under the system's temporary one.
    pub fn create() -> Result<TempDir, String> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!("demo-files-{}-{nanos}", std::process::id()));
        std::fs::create_dir(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        Ok(TempDir { path })
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.path) {
            eprintln!("demo files: cannot remove {}: {e}", self.path.display());
        }
    }
}

/// The contents of file `i`: its index, then bytes no other file has at
/// the same offset, so a mix-up between files is caught.
fn contents(i: usize, size: usize) -> Vec<u8> {
    let mut v: Vec<u8> = (0..size)
        .map(|j| (i.wrapping_mul(131) ^ j.wrapping_mul(7) ^ (j >> 8)) as u8)
        .collect();
    let tag = (i as u64).to_le_bytes();
    let n = tag.len().min(size);
    v[..n].copy_from_slice(&tag[..n]);
    v
}

/// Writes `files` files of `size` bytes each into `dir`; their paths.
pub fn write_files(dir: &TempDir, files: usize, size: usize) -> Result<Vec<PathBuf>, String> {
    (0..files)
        .map(|i| {
            let path = dir.path.join(format!("{i:06}.bin"));
            std::fs::write(&path, contents(i, size))
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Ok(path)
        })
        .collect()
}

/// Tallies read results against the expected contents.
fn check(
    results: Vec<std::io::Result<Vec<u8>>>,
    size: usize,
    wall: Duration,
    threads: (u64, u64),
) -> ReadRun {
    let mut run = ReadRun {
        wall,
        ok: 0,
        failed: 0,
        first_error: None,
        threads: threads.0,
        threads_created: threads.1,
    };
    for (i, r) in results.into_iter().enumerate() {
        let problem = match r {
            Ok(bytes) if bytes == contents(i, size) => None,
            Ok(bytes) => Some(format!(
                "file {i}: {} bytes, not the ones written",
                bytes.len()
            )),
            Err(e) => Some(format!("file {i}: {e}")),
        };
        match problem {
            None => run.ok += 1,
            Some(e) => {
                run.failed += 1;
                run.first_error.get_or_insert(e);
            }
        }
    }
    run
}

/// Every file read at once on a fresh loop: `runtime::fs::read`
/// gathered (each read a job on the blocking pool).
pub fn on_loop(paths: &[PathBuf], size: usize) -> Result<ReadRun, String> {
    let rt = runtime::Runtime::new().map_err(|e| format!("cannot build the runtime: {e}"))?;
    let start = Instant::now();
    let results = rt.block_on(runtime::gather(paths.iter().map(runtime::fs::read)));
    let wall = start.elapsed();
    // The loop's own thread plus the blocking pool's threads at their peak
    // (a pool thread lives on for 10 s after its last job: peak = created).
    let pool = rt.stats().blocking_threads_peak;
    Ok(check(results, size, wall, (1 + pool, pool)))
}

/// One thread per file, as `threaded::gather` does it, but spawned with
/// `Builder::spawn` so that a thread the OS refuses is an error, not a panic.
pub fn on_threads(paths: &[PathBuf], size: usize) -> Result<ReadRun, String> {
    runtime::threaded::reset_peak();
    let before = runtime::threaded::stats();
    let start = Instant::now();
    let mut handles = Vec::with_capacity(paths.len());
    let mut spawn_error = None;
    for path in paths {
        let path = path.clone();
        match runtime::threaded::Builder::new()
            .spawn(move || std::fs::read(&path).map_err(|e| with_path(e, &path)))
        {
            Ok(h) => handles.push(h),
            Err(e) => {
                spawn_error = Some(e);
                break;
            }
        }
    }
    let started = handles.len();
    let mut results = Vec::with_capacity(started);
    for h in handles {
        results.push(
            h.join()
                .map_err(|e| format!("a reader thread failed: {e}"))?,
        );
    }
    if let Some(e) = spawn_error {
        return Err(format!(
            "could start only {started} reader threads of {}: {e}",
            paths.len()
        ));
    }
    let wall = start.elapsed();
    let stats = runtime::threaded::stats().since(&before);
    // Plus this, the spawning thread.
    Ok(check(
        results,
        size,
        wall,
        (1 + stats.peak_live, stats.spawned),
    ))
}

/// Every file read one after the other on this thread, blocking: the
/// synchronous program concurrency is measured against.
pub fn sequential(paths: &[PathBuf], size: usize) -> ReadRun {
    let start = Instant::now();
    let results = paths
        .iter()
        .map(|p| std::fs::read(p).map_err(|e| with_path(e, p)))
        .collect();
    check(results, size, start.elapsed(), (1, 0))
}

fn with_path(e: std::io::Error, path: &Path) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}
