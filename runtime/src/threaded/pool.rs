//! A fixed pool of worker threads fed by a channel: the counterpart of
//! Python's `concurrent.futures.ThreadPoolExecutor`.
//!
//! [`ThreadPool::submit`] boxes the job together with the producing half
//! of a join slot and sends it down a `crossbeam-channel`; each worker
//! loops on `recv`, sleeping in the kernel (`futex(FUTEX_WAIT)`) while the
//! queue is empty. The job's panic is caught inside the job, so a
//! panicking job fails only its own [`JoinHandle`] and the worker goes on.
//! Dropping the pool closes the channel: the workers drain what is queued,
//! see the disconnection, and exit, and the drop joins each of them.

use std::fmt;
use std::io;
use std::panic::Location;

use crossbeam_channel::{Receiver, Sender};

use super::builder::spawn_os_thread;
use super::join::{self, JoinHandle};

type Job = Box<dyn FnOnce() + Send + 'static>;

/// A fixed number of worker threads, named `pool-0`, `pool-1`, ...
///
/// ```
/// use runtime::threaded::ThreadPool;
///
/// let pool = ThreadPool::new(2);
/// let handles: Vec<_> = (0..8).map(|i| pool.submit(move || i * i)).collect();
/// let squares: Vec<i32> = handles.into_iter().map(|h| h.join().unwrap()).collect();
/// assert_eq!(squares, [0, 1, 4, 9, 16, 25, 36, 49]);
/// ```
pub struct ThreadPool {
    /// `None` only during `drop`, to close the channel before joining.
    sender: Option<Sender<Job>>,
    workers: Vec<std::thread::JoinHandle<()>>,
}

impl ThreadPool {
    /// Starts `threads` workers.
    ///
    /// # Panics
    ///
    /// Panics if `threads` is 0 (a pool that would never run its jobs), or
    /// if the OS cannot create a worker thread (see
    /// [`ThreadPool::try_new`]).
    #[track_caller]
    pub fn new(threads: usize) -> Self {
        assert!(
            threads > 0,
            "ThreadPool::new(0): a thread pool needs at least one worker thread"
        );
        match Self::try_new(threads) {
            Ok(pool) => pool,
            Err(err) => panic!("ThreadPool::new({threads}): could not create a worker: {err}"),
        }
    }

    /// Starts `threads` workers, returning the OS error if one cannot be
    /// created (the workers already started are shut down and joined).
    ///
    /// # Errors
    ///
    /// `InvalidInput` if `threads` is 0; otherwise the error of
    /// `pthread_create`.
    pub fn try_new(threads: usize) -> io::Result<Self> {
        if threads == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a thread pool needs at least one worker thread",
            ));
        }
        let (sender, receiver) = crossbeam_channel::unbounded::<Job>();
        let mut pool = ThreadPool {
            sender: Some(sender),
            workers: Vec::with_capacity(threads),
        };
        for index in 0..threads {
            let receiver = receiver.clone();
            // On error `pool` is dropped here: the channel closes and the
            // workers started so far are joined.
            let worker = spawn_os_thread(format!("pool-{index}"), None, move || work(&receiver))?;
            pool.workers.push(worker);
        }
        Ok(pool)
    }

    /// Queues `f` to run on a worker and returns a handle to its result.
    ///
    /// A panic in `f` is caught and returned by [`JoinHandle::join`]; the
    /// worker survives it. The handle's [`JoinHandle::location`] is the
    /// caller's; its [`JoinHandle::name`] is `None`, as the worker is not
    /// known until the job runs.
    #[track_caller]
    pub fn submit<F, T>(&self, f: F) -> JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (completer, handle) = join::pair(None, Location::caller());
        let job: Job = Box::new(move || {
            completer.run(f);
        });
        if let Some(sender) = &self.sender {
            // A send fails only if every worker is gone; the job (and its
            // completer) is then dropped, and `join` reports it cancelled.
            let _ = sender.send(job);
        }
        handle
    }

    /// The number of worker threads.
    pub fn threads(&self) -> usize {
        self.workers.len()
    }

    /// Jobs queued and not yet picked up by a worker.
    pub fn queued(&self) -> usize {
        self.sender.as_ref().map_or(0, Sender::len)
    }
}

/// A worker's life: run jobs until the channel is closed and empty.
fn work(receiver: &Receiver<Job>) {
    for job in receiver.iter() {
        job();
    }
}

impl Drop for ThreadPool {
    /// Closes the queue, lets the workers finish every queued job, and
    /// joins them all.
    fn drop(&mut self) {
        drop(self.sender.take());
        for worker in self.workers.drain(..) {
            // Jobs catch their own panics, so a worker cannot panic.
            let _ = worker.join();
        }
    }
}

impl fmt::Debug for ThreadPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPool")
            .field("threads", &self.threads())
            .field("queued", &self.queued())
            .finish()
    }
}
