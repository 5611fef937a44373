//! The API contract's "Additions" section (issues 15-20 of `API.md`, the
//! contract outside tests compile against), checked by the compiler: every
//! listed signature is assigned to a function pointer of exactly that type,
//! every named future's `Output` and every listed trait impl is required.
//! Renaming or changing one of them fails this build; the tests themselves
//! only evaluate those assignments (and run the attribute's empty bodies).
#![allow(dead_code, unused_imports, clippy::all)]

use std::any::Any;
use std::fmt::{Debug, Display};
use std::future::Future;
use std::io::{self, IoSlice, IoSliceMut};
use std::marker::PhantomData;
use std::mem::MaybeUninit;
use std::net::SocketAddr;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::path::Path;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::AtomicPtr;
use std::task::{Context, Poll};
use std::time::Duration;

use runtime::{
    Builder, Gather, JoinError, JoinHandle, Runtime, Stats, TryGather, YieldNow, gather,
    try_gather, yield_now,
};

/// `let _: <fn pointer type> = path;`: exact receiver, arguments and return.
macro_rules! sig {
    ($f:expr, $t:ty) => {
        let _: $t = $f;
    };
}

/// A function returning `impl Future<Output = $o>` (optionally `+ Send`):
/// the arguments are exact (a `&T` argument fails against `&mut self`).
macro_rules! fut {
    ($f:expr, for<$($l:lifetime),*> fn($($a:ty),*) -> $o:ty) => {{
        #[allow(clippy::extra_unused_lifetimes)]
        fn check<$($l,)* O, R: Future<Output = O>, F: FnOnce($($a),*) -> R>(_: F) -> PhantomData<O> {
            PhantomData
        }
        let _: PhantomData<$o> = check($f);
    }};
    (send $f:expr, for<$($l:lifetime),*> fn($($a:ty),*) -> $o:ty) => {{
        fn check<$($l,)* O, R: Future<Output = O> + Send, F: FnOnce($($a),*) -> R>(_: F) -> PhantomData<O> {
            PhantomData
        }
        let _: PhantomData<$o> = check($f);
    }};
}

fn output<F: Future<Output = O>, O>() {}
fn debug<T: Debug + ?Sized>() {}
fn display<T: Display + ?Sized>() {}
fn error<T: std::error::Error>() {}
fn clone<T: Clone>() {}
fn copy<T: Copy>() {}
fn eq<T: Eq>() {}
fn default<T: Default>() {}
fn send_sync<T: Send + Sync>() {}
fn unpin<T: Unpin>() {}
fn hash<T: std::hash::Hash>() {}
fn ord<T: Ord>() {}

#[test]
fn root() {
    sig!(Builder::new, fn() -> Builder);
    sig!(Builder::poll_timing, fn(Builder, bool) -> Builder);
    sig!(Builder::event_interval, fn(Builder, u32) -> Builder);
    sig!(Builder::trace_capacity, fn(Builder, usize) -> Builder);
    sig!(
        Builder::report_pending_on_drop,
        fn(Builder, bool) -> Builder
    );
    sig!(Builder::max_blocking_threads, fn(Builder, usize) -> Builder);
    sig!(
        Builder::blocking_keep_alive,
        fn(Builder, Duration) -> Builder
    );
    clone::<Builder>();
    debug::<Builder>();
    default::<Builder>();
    debug::<Runtime>();
    clone::<Stats>();
    copy::<Stats>();
    debug::<Stats>();
    default::<Stats>();
    eq::<Stats>();
    let s = Stats::default();
    let Stats {
        tasks_spawned,
        tasks_completed,
        tasks_panicked,
        tasks_cancelled,
        tasks_live,
        polls,
        local_wakes,
        remote_wakes,
        eventfd_writes,
        epoll_waits,
        epoll_waits_blocking,
        epoll_events,
        timers_registered,
        timers_fired,
        timers_cancelled,
        clock_jumps,
        longest_poll,
        io_registrations,
        read_would_block,
        write_would_block,
        accepts,
        blocking_jobs,
        blocking_threads_alive,
        blocking_threads_peak,
    } = s;
    let _: [u64; 23] = [
        tasks_spawned,
        tasks_completed,
        tasks_panicked,
        tasks_cancelled,
        tasks_live,
        polls,
        local_wakes,
        remote_wakes,
        eventfd_writes,
        epoll_waits,
        epoll_waits_blocking,
        epoll_events,
        timers_registered,
        timers_fired,
        timers_cancelled,
        clock_jumps,
        io_registrations,
        read_would_block,
        write_would_block,
        accepts,
        blocking_jobs,
        blocking_threads_alive,
        blocking_threads_peak,
    ];
    let _: Duration = longest_poll;

    sig!(JoinHandle::<u8>::id, fn(&JoinHandle<u8>) -> u64);
    debug::<JoinHandle<u8>>();
    unpin::<JoinHandle<u8>>();
    sig!(JoinError::id, fn(&JoinError) -> u64);
    sig!(
        JoinError::try_into_panic,
        fn(JoinError) -> Result<Box<dyn Any + Send>, JoinError>
    );
    send_sync::<JoinError>();
    let _: fn(runtime::threaded::JoinError) -> JoinError = |e| e; // the same type

    let _: fn(Vec<std::future::Ready<u8>>) -> Gather<std::future::Ready<u8>> = gather;
    let _: fn(
        Vec<std::future::Ready<Result<u8, ()>>>,
    ) -> TryGather<std::future::Ready<Result<u8, ()>>, u8, ()> = try_gather;
    sig!(yield_now, fn() -> YieldNow);
    output::<Gather<std::future::Ready<u8>>, Vec<u8>>();
    output::<TryGather<std::future::Ready<Result<u8, ()>>, u8, ()>, Result<Vec<u8>, ()>>();
    output::<YieldNow, ()>();
    debug::<Gather<std::future::Ready<u8>>>();
    unpin::<Gather<std::future::Ready<u8>>>();
    debug::<TryGather<std::future::Ready<Result<u8, ()>>, u8, ()>>();
    unpin::<TryGather<std::future::Ready<Result<u8, ()>>, u8, ()>>();
    debug::<YieldNow>();
}

// The attribute's options, each on an empty test.
#[runtime::test(real_clock)]
async fn opt_real_clock() {}
#[runtime::test(paused)]
async fn opt_paused() {}
#[runtime::test(allow_pending)]
async fn opt_allow_pending() {}
#[runtime::test(threaded)]
fn opt_threaded() {}
#[runtime::test(crate = "runtime")]
async fn opt_crate() {}
#[runtime::test(paused, explore = 5, timeout = "10s", allow_pending)]
async fn opt_combined() {}

#[test]
fn time() {
    use runtime::time::*;
    sig!(sleep, fn(Duration) -> Sleep);
    sig!(sleep_until, fn(Instant) -> Sleep);
    sig!(
        timeout::<std::future::Ready<u8>>,
        fn(Duration, std::future::Ready<u8>) -> Timeout<std::future::Ready<u8>>
    );
    sig!(
        timeout_at::<std::future::Ready<u8>>,
        fn(Instant, std::future::Ready<u8>) -> Timeout<std::future::Ready<u8>>
    );
    sig!(interval_at, fn(Instant, Duration) -> Interval);
    sig!(advance, fn(Duration) -> Advance);
    output::<Advance, ()>();
    debug::<Advance>();
    output::<Sleep, ()>();
    debug::<Sleep>();
    fn hyper_sleep<T: hyper::rt::Sleep>() {}
    hyper_sleep::<Sleep>();
    sig!(Sleep::deadline, fn(&Sleep) -> Instant);
    sig!(Sleep::is_elapsed, fn(&Sleep) -> bool);
    sig!(Sleep::reset, fn(&mut Sleep, Instant));
    type T = Timeout<std::future::Ready<u8>>;
    output::<T, Result<u8, Elapsed>>();
    debug::<T>();
    sig!(T::get_ref, fn(&T) -> &std::future::Ready<u8>);
    sig!(T::into_inner, fn(T) -> std::future::Ready<u8>);
    debug::<Interval>();
    sig!(
        Interval::poll_tick,
        fn(&mut Interval, &mut Context<'_>) -> Poll<Instant>
    );
    sig!(
        Interval::set_missed_tick_behavior,
        fn(&mut Interval, MissedTickBehavior)
    );
    sig!(Interval::period, fn(&Interval) -> Duration);
    sig!(Interval::reset, fn(&mut Interval));
    sig!(Interval::reset_immediately, fn(&mut Interval));
    sig!(Interval::reset_after, fn(&mut Interval, Duration));
    sig!(Interval::reset_at, fn(&mut Interval, Instant));
    let _ = [
        MissedTickBehavior::Burst,
        MissedTickBehavior::Delay,
        MissedTickBehavior::Skip,
    ];
    assert!(MissedTickBehavior::default() == MissedTickBehavior::Burst);
    copy::<MissedTickBehavior>();
    debug::<MissedTickBehavior>();
    eq::<MissedTickBehavior>();
    sig!(Instant::from_std, fn(std::time::Instant) -> Instant);
    sig!(Instant::into_std, fn(Instant) -> std::time::Instant);
    sig!(
        Instant::saturating_duration_since,
        fn(&Instant, Instant) -> Duration
    );
    sig!(
        Instant::checked_add,
        fn(&Instant, Duration) -> Option<Instant>
    );
    sig!(
        Instant::checked_sub,
        fn(&Instant, Duration) -> Option<Instant>
    );
    debug::<Instant>();
    hash::<Instant>();
    ord::<Instant>();
    fn ops(mut i: Instant, s: std::time::Instant) {
        let _: Instant = i + Duration::ZERO;
        let _: Instant = i - Duration::ZERO;
        let _: Duration = i - i;
        i += Duration::ZERO;
        i -= Duration::ZERO;
        let _: Instant = Instant::from(s);
        let _: std::time::Instant = std::time::Instant::from(i);
    }
    copy::<Elapsed>();
    eq::<Elapsed>();
    error::<Elapsed>();
    let _: fn(Elapsed) -> io::Error = io::Error::from;
}

#[test]
fn sync() {
    use runtime::sync::*;
    let _: usize = Semaphore::MAX_PERMITS;
    const _S: Semaphore = Semaphore::new(1);
    const _M: Mutex<u8> = Mutex::new(1);
    const _E: Event = Event::new();
    debug::<Semaphore>();
    default::<Semaphore>();
    sig!(Semaphore::acquire, fn(&Semaphore) -> Acquire<'_>);
    sig!(
        Semaphore::acquire_checked,
        fn(&Semaphore) -> AcquireMany<'_>
    );
    sig!(
        Semaphore::acquire_many,
        fn(&Semaphore, u32) -> AcquireMany<'_>
    );
    sig!(
        Semaphore::try_acquire_many,
        fn(&Semaphore, u32) -> Result<SemaphorePermit<'_>, TryAcquireError>
    );
    sig!(Semaphore::forget_permits, fn(&Semaphore, usize) -> usize);
    sig!(Semaphore::close, fn(&Semaphore));
    sig!(Semaphore::is_closed, fn(&Semaphore) -> bool);
    sig!(
        Semaphore::acquire_owned,
        fn(Arc<Semaphore>) -> AcquireOwned<Arc<Semaphore>>
    );
    sig!(
        Semaphore::acquire_many_owned,
        fn(Arc<Semaphore>, u32) -> AcquireOwned<Arc<Semaphore>>
    );
    sig!(
        Semaphore::try_acquire_owned,
        fn(Arc<Semaphore>) -> Result<OwnedSemaphorePermit<Arc<Semaphore>>, TryAcquireError>
    );
    sig!(
        Semaphore::try_acquire_many_owned,
        fn(Arc<Semaphore>, u32) -> Result<OwnedSemaphorePermit<Arc<Semaphore>>, TryAcquireError>
    );
    type R = Rc<Semaphore>;
    sig!(
        <R as SharedSemaphore>::acquire_owned,
        fn(R) -> AcquireOwned<R>
    );
    sig!(
        <R as SharedSemaphore>::acquire_many_owned,
        fn(R, u32) -> AcquireOwned<R>
    );
    sig!(
        <R as SharedSemaphore>::try_acquire_owned,
        fn(R) -> Result<OwnedSemaphorePermit<R>, TryAcquireError>
    );
    sig!(
        <R as SharedSemaphore>::try_acquire_many_owned,
        fn(R, u32) -> Result<OwnedSemaphorePermit<R>, TryAcquireError>
    );
    fn shared<T: SharedSemaphore>() {}
    shared::<Arc<Semaphore>>();
    shared::<Rc<Semaphore>>();
    output::<Acquire<'static>, SemaphorePermit<'static>>();
    output::<AcquireMany<'static>, Result<SemaphorePermit<'static>, AcquireError>>();
    output::<AcquireOwned<R>, Result<OwnedSemaphorePermit<R>, AcquireError>>();
    let _: PhantomData<AcquireOwned> = PhantomData::<AcquireOwned<Arc<Semaphore>>>; // default S
    let _: PhantomData<OwnedSemaphorePermit> = PhantomData::<OwnedSemaphorePermit<Arc<Semaphore>>>;
    debug::<Acquire<'static>>();
    debug::<AcquireMany<'static>>();
    debug::<AcquireOwned<R>>();
    unpin::<AcquireOwned<R>>();
    debug::<SemaphorePermit<'static>>();
    sig!(SemaphorePermit::forget, fn(SemaphorePermit<'static>));
    sig!(
        SemaphorePermit::num_permits,
        fn(&SemaphorePermit<'static>) -> usize
    );
    sig!(
        SemaphorePermit::merge,
        fn(&mut SemaphorePermit<'static>, SemaphorePermit<'static>)
    );
    sig!(
        SemaphorePermit::split,
        fn(&mut SemaphorePermit<'static>, usize) -> Option<SemaphorePermit<'static>>
    );
    type O = OwnedSemaphorePermit<Arc<Semaphore>>;
    debug::<O>();
    sig!(O::semaphore, fn(&O) -> &Arc<Semaphore>);
    sig!(O::forget, fn(O));
    sig!(O::num_permits, fn(&O) -> usize);
    sig!(O::merge, fn(&mut O, O));
    sig!(O::split, fn(&mut O, usize) -> Option<O>);
    clone::<AcquireError>();
    eq::<AcquireError>();
    error::<AcquireError>();
    let _ = [TryAcquireError::Closed, TryAcquireError::NoPermits];
    copy::<TryAcquireError>();
    eq::<TryAcquireError>();
    error::<TryAcquireError>();
    sig!(TryAcquireError::is_closed, fn(&TryAcquireError) -> bool);
    sig!(TryAcquireError::is_no_permits, fn(&TryAcquireError) -> bool);

    debug::<Mutex<u8>>();
    default::<Mutex<u8>>();
    let _: fn(u8) -> Mutex<u8> = Mutex::from;
    send_sync::<Mutex<std::cell::Cell<u8>>>();
    sig!(Mutex::<u8>::into_inner, fn(Mutex<u8>) -> u8);
    sig!(Mutex::<str>::lock, fn(&Mutex<str>) -> Lock<'_, str>);
    sig!(
        Mutex::<str>::try_lock,
        fn(&Mutex<str>) -> Result<MutexGuard<'_, str>, TryLockError>
    );
    sig!(Mutex::<str>::get_mut, fn(&mut Mutex<str>) -> &mut str);
    output::<Lock<'static, str>, MutexGuard<'static, str>>();
    debug::<Lock<'static, str>>();
    fn guard<G: Deref<Target = str> + DerefMut + Debug + Display>() {}
    guard::<MutexGuard<'static, str>>();
    clone::<TryLockError>();
    eq::<TryLockError>();
    error::<TryLockError>();

    debug::<Event>();
    default::<Event>();
    sig!(Event::wait, fn(&Event) -> Wait<'_>);
    output::<Wait<'static>, ()>();
    debug::<Wait<'static>>();
}

#[test]
fn mpsc() {
    use runtime::sync::mpsc::*;
    sig!(
        unbounded_channel::<u8>,
        fn() -> (UnboundedSender<u8>, UnboundedReceiver<u8>)
    );
    type S = Sender<u8>;
    clone::<S>();
    debug::<S>();
    sig!(S::send, fn(&S, u8) -> Send<'_, u8>);
    sig!(S::try_send, fn(&S, u8) -> Result<(), TrySendError<u8>>);
    sig!(S::send_timeout, fn(&S, u8, Duration) -> SendTimeout<'_, u8>);
    sig!(S::closed, fn(&S) -> Closed<'_, u8>);
    sig!(S::is_closed, fn(&S) -> bool);
    sig!(S::capacity, fn(&S) -> usize);
    sig!(S::max_capacity, fn(&S) -> usize);
    sig!(S::downgrade, fn(&S) -> WeakSender<u8>);
    sig!(S::same_channel, fn(&S, &S) -> bool);
    sig!(S::reserve, fn(&S) -> Reserve<'_, u8>);
    sig!(
        S::try_reserve,
        fn(&S) -> Result<Permit<'_, u8>, TrySendError<()>>
    );
    sig!(S::reserve_owned, fn(S) -> ReserveOwned<u8>);
    sig!(
        S::try_reserve_owned,
        fn(S) -> Result<OwnedPermit<u8>, TrySendError<S>>
    );
    output::<Send<'static, u8>, Result<(), SendError<u8>>>();
    output::<SendTimeout<'static, u8>, Result<(), SendTimeoutError<u8>>>();
    output::<Closed<'static, u8>, ()>();
    output::<Reserve<'static, u8>, Result<Permit<'static, u8>, SendError<()>>>();
    output::<ReserveOwned<u8>, Result<OwnedPermit<u8>, SendError<()>>>();
    output::<Recv<'static, u8>, Option<u8>>();
    debug::<Send<'static, u8>>();
    debug::<SendTimeout<'static, u8>>();
    debug::<Closed<'static, u8>>();
    debug::<Reserve<'static, u8>>();
    debug::<ReserveOwned<u8>>();
    debug::<Recv<'static, u8>>();

    type Rx = Receiver<u8>;
    debug::<Rx>();
    fn stream<T: futures::Stream<Item = u8>>() {}
    stream::<Rx>();
    stream::<UnboundedReceiver<u8>>();
    sig!(Rx::recv, fn(&mut Rx) -> Recv<'_, u8>);
    fut!(
        Rx::recv_many,
        for<'a, 'b> fn(&'a mut Rx, &'b mut Vec<u8>, usize) -> usize
    );
    sig!(Rx::try_recv, fn(&mut Rx) -> Result<u8, TryRecvError>);
    sig!(
        Rx::poll_recv,
        fn(&mut Rx, &mut Context<'_>) -> Poll<Option<u8>>
    );
    sig!(
        Rx::poll_recv_many,
        fn(&mut Rx, &mut Context<'_>, &mut Vec<u8>, usize) -> Poll<usize>
    );
    sig!(Rx::close, fn(&mut Rx));
    sig!(Rx::is_closed, fn(&Rx) -> bool);
    sig!(Rx::len, fn(&Rx) -> usize);
    sig!(Rx::is_empty, fn(&Rx) -> bool);
    sig!(Rx::capacity, fn(&Rx) -> usize);
    sig!(Rx::max_capacity, fn(&Rx) -> usize);

    type US = UnboundedSender<u8>;
    clone::<US>();
    debug::<US>();
    sig!(US::send, fn(&US, u8) -> Result<(), SendError<u8>>);
    sig!(US::closed, fn(&US) -> Closed<'_, u8>);
    sig!(US::is_closed, fn(&US) -> bool);
    sig!(US::downgrade, fn(&US) -> WeakUnboundedSender<u8>);
    sig!(US::same_channel, fn(&US, &US) -> bool);
    type UR = UnboundedReceiver<u8>;
    debug::<UR>();
    sig!(UR::recv, fn(&mut UR) -> Recv<'_, u8>);
    fut!(
        UR::recv_many,
        for<'a, 'b> fn(&'a mut UR, &'b mut Vec<u8>, usize) -> usize
    );
    sig!(UR::try_recv, fn(&mut UR) -> Result<u8, TryRecvError>);
    sig!(
        UR::poll_recv,
        fn(&mut UR, &mut Context<'_>) -> Poll<Option<u8>>
    );
    sig!(
        UR::poll_recv_many,
        fn(&mut UR, &mut Context<'_>, &mut Vec<u8>, usize) -> Poll<usize>
    );
    sig!(UR::close, fn(&mut UR));
    sig!(UR::is_closed, fn(&UR) -> bool);
    sig!(UR::len, fn(&UR) -> usize);
    sig!(UR::is_empty, fn(&UR) -> bool);

    sig!(WeakSender::<u8>::upgrade, fn(&WeakSender<u8>) -> Option<S>);
    clone::<WeakSender<u8>>();
    debug::<WeakSender<u8>>();
    sig!(
        WeakUnboundedSender::<u8>::upgrade,
        fn(&WeakUnboundedSender<u8>) -> Option<US>
    );
    clone::<WeakUnboundedSender<u8>>();
    debug::<WeakUnboundedSender<u8>>();
    sig!(Permit::<u8>::send, fn(Permit<'static, u8>, u8));
    debug::<Permit<'static, u8>>();
    sig!(OwnedPermit::<u8>::send, fn(OwnedPermit<u8>, u8) -> S);
    sig!(OwnedPermit::<u8>::release, fn(OwnedPermit<u8>) -> S);
    debug::<OwnedPermit<u8>>();

    let _ = error::SendError(1u8);
    let _ = [
        error::TrySendError::Full(1u8),
        error::TrySendError::Closed(1u8),
    ];
    let _ = [
        error::SendTimeoutError::Timeout(1u8),
        error::SendTimeoutError::Closed(1u8),
    ];
    let _ = [
        error::TryRecvError::Empty,
        error::TryRecvError::Disconnected,
    ];
    sig!(TrySendError::<u8>::into_inner, fn(TrySendError<u8>) -> u8);
    sig!(
        SendTimeoutError::<u8>::into_inner,
        fn(SendTimeoutError<u8>) -> u8
    );
    error::<SendError<u8>>();
    error::<TrySendError<u8>>();
    error::<SendTimeoutError<u8>>();
    error::<TryRecvError>();
    clone::<SendError<u8>>();
    copy::<SendError<u8>>();
    eq::<SendError<u8>>();
    clone::<TrySendError<u8>>();
    copy::<TrySendError<u8>>();
    eq::<TrySendError<u8>>();
    clone::<SendTimeoutError<u8>>();
    copy::<SendTimeoutError<u8>>();
    eq::<SendTimeoutError<u8>>();
    copy::<TryRecvError>();
    eq::<TryRecvError>();
}

#[test]
fn oneshot() {
    use runtime::sync::oneshot::*;
    type S = Sender<u8>;
    debug::<S>();
    sig!(S::is_closed, fn(&S) -> bool);
    sig!(S::closed, fn(&mut S) -> Closed<'_, u8>);
    sig!(S::poll_closed, fn(&mut S, &mut Context<'_>) -> Poll<()>);
    type R = Receiver<u8>;
    debug::<R>();
    output::<R, Result<u8, RecvError>>();
    sig!(R::try_recv, fn(&mut R) -> Result<u8, TryRecvError>);
    sig!(R::close, fn(&mut R));
    sig!(R::is_empty, fn(&R) -> bool);
    sig!(R::is_terminated, fn(&R) -> bool);
    output::<Closed<'static, u8>, ()>();
    debug::<Closed<'static, u8>>();
    let _ = [TryRecvError::Empty, TryRecvError::Closed];
    copy::<TryRecvError>();
    eq::<TryRecvError>();
    error::<TryRecvError>();
    clone::<RecvError>();
    eq::<RecvError>();
    error::<RecvError>();
}

#[test]
fn net() {
    use runtime::io::ReadBuf;
    use runtime::net::tcp::ReuniteError;
    use runtime::net::*;
    use std::os::fd::{AsFd, AsRawFd};
    fn raw<T: AsRawFd + Debug>() {}
    fn io_rw<
        T: runtime::io::AsyncRead
            + runtime::io::AsyncWrite
            + futures::io::AsyncRead
            + futures::io::AsyncWrite,
    >() {
    }
    fn rd<T: runtime::io::AsyncRead + futures::io::AsyncRead + Debug>() {}
    fn wr<T: runtime::io::AsyncWrite + futures::io::AsyncWrite + Debug>() {}
    raw::<TcpListener>();
    raw::<TcpStream>();
    raw::<UdpSocket>();
    raw::<TcpSocket>();
    fn fd<T: AsFd>() {}
    fd::<TcpSocket>();
    io_rw::<TcpStream>();

    type T = TcpStream;
    fut!(T::connect::<&str>, for<'a> fn(&'a str) -> io::Result<T>);
    fut!(
        T::read_buf,
        for<'a, 'b> fn(&'a mut T, &'b mut ReadBuf<'b>) -> io::Result<usize>
    );
    fut!(
        T::read_vectored,
        for<'a, 'b> fn(&'a mut T, &'b mut [IoSliceMut<'b>]) -> io::Result<usize>
    );
    fut!(
        T::peek,
        for<'a, 'b> fn(&'a T, &'b mut [u8]) -> io::Result<usize>
    );
    fut!(
        T::write_vectored,
        for<'a, 'b> fn(&'a mut T, &'b [IoSlice<'b>]) -> io::Result<usize>
    );
    sig!(
        T::poll_read,
        fn(&T, &mut Context<'_>, &mut [u8]) -> Poll<io::Result<usize>>
    );
    sig!(
        T::poll_read_buf,
        fn(&T, &mut Context<'_>, &mut ReadBuf<'_>) -> Poll<io::Result<()>>
    );
    sig!(
        T::poll_read_vectored,
        fn(&T, &mut Context<'_>, &mut [IoSliceMut<'_>]) -> Poll<io::Result<usize>>
    );
    sig!(
        T::poll_peek,
        fn(&T, &mut Context<'_>, &mut ReadBuf<'_>) -> Poll<io::Result<usize>>
    );
    sig!(
        T::poll_write,
        fn(&T, &mut Context<'_>, &[u8]) -> Poll<io::Result<usize>>
    );
    sig!(
        T::poll_write_vectored,
        fn(&T, &mut Context<'_>, &[IoSlice<'_>]) -> Poll<io::Result<usize>>
    );
    sig!(T::local_addr, fn(&T) -> io::Result<SocketAddr>);
    sig!(T::nodelay, fn(&T) -> io::Result<bool>);
    sig!(T::set_linger, fn(&T, Option<Duration>) -> io::Result<()>);
    sig!(T::linger, fn(&T) -> io::Result<Option<Duration>>);
    sig!(T::set_ttl, fn(&T, u32) -> io::Result<()>);
    sig!(T::ttl, fn(&T) -> io::Result<u32>);
    sig!(T::split, fn(&mut T) -> (ReadHalf<'_>, WriteHalf<'_>));
    sig!(T::into_split, fn(T) -> (OwnedReadHalf, OwnedWriteHalf));

    // net:: and net::tcp:: name the same halves
    let _: fn(tcp::ReadHalf<'_>) -> ReadHalf<'_> = |h| h;
    let _: fn(tcp::OwnedReadHalf) -> OwnedReadHalf = |h| h;
    let _: fn(tcp::WriteHalf<'_>) -> WriteHalf<'_> = |h| h;
    let _: fn(tcp::OwnedWriteHalf) -> OwnedWriteHalf = |h| h;
    rd::<ReadHalf<'static>>();
    rd::<OwnedReadHalf>();
    wr::<WriteHalf<'static>>();
    wr::<OwnedWriteHalf>();
    type H = ReadHalf<'static>;
    fut!(
        H::read,
        for<'a, 'b> fn(&'a mut H, &'b mut [u8]) -> io::Result<usize>
    );
    fut!(
        H::read_exact,
        for<'a, 'b> fn(&'a mut H, &'b mut [u8]) -> io::Result<()>
    );
    fut!(
        H::read_buf,
        for<'a, 'b> fn(&'a mut H, &'b mut ReadBuf<'b>) -> io::Result<usize>
    );
    fut!(
        H::read_vectored,
        for<'a, 'b> fn(&'a mut H, &'b mut [IoSliceMut<'b>]) -> io::Result<usize>
    );
    fut!(
        H::peek,
        for<'a, 'b> fn(&'a mut H, &'b mut [u8]) -> io::Result<usize>
    );
    type OH = OwnedReadHalf;
    fut!(
        OH::read,
        for<'a, 'b> fn(&'a mut OH, &'b mut [u8]) -> io::Result<usize>
    );
    fut!(
        OH::read_exact,
        for<'a, 'b> fn(&'a mut OH, &'b mut [u8]) -> io::Result<()>
    );
    fut!(
        OH::read_buf,
        for<'a, 'b> fn(&'a mut OH, &'b mut ReadBuf<'b>) -> io::Result<usize>
    );
    fut!(
        OH::read_vectored,
        for<'a, 'b> fn(&'a mut OH, &'b mut [IoSliceMut<'b>]) -> io::Result<usize>
    );
    fut!(
        OH::peek,
        for<'a, 'b> fn(&'a mut OH, &'b mut [u8]) -> io::Result<usize>
    );
    sig!(
        OH::reunite,
        fn(OH, OwnedWriteHalf) -> Result<TcpStream, ReuniteError>
    );
    type W = WriteHalf<'static>;
    fut!(
        W::write,
        for<'a, 'b> fn(&'a mut W, &'b [u8]) -> io::Result<usize>
    );
    fut!(
        W::write_all,
        for<'a, 'b> fn(&'a mut W, &'b [u8]) -> io::Result<()>
    );
    fut!(
        W::write_vectored,
        for<'a, 'b> fn(&'a mut W, &'b [IoSlice<'b>]) -> io::Result<usize>
    );
    sig!(W::shutdown, fn(&W) -> io::Result<()>);
    type OW = OwnedWriteHalf;
    fut!(
        OW::write,
        for<'a, 'b> fn(&'a mut OW, &'b [u8]) -> io::Result<usize>
    );
    fut!(
        OW::write_all,
        for<'a, 'b> fn(&'a mut OW, &'b [u8]) -> io::Result<()>
    );
    fut!(
        OW::write_vectored,
        for<'a, 'b> fn(&'a mut OW, &'b [IoSlice<'b>]) -> io::Result<usize>
    );
    sig!(OW::shutdown, fn(&OW) -> io::Result<()>);
    sig!(OW::forget, fn(OW));
    let _ = |r: OwnedReadHalf, w: OwnedWriteHalf| ReuniteError(r, w);
    error::<ReuniteError>();

    type S = TcpSocket;
    sig!(S::new_v4, fn() -> io::Result<S>);
    sig!(S::new_v6, fn() -> io::Result<S>);
    sig!(S::set_reuseaddr, fn(&S, bool) -> io::Result<()>);
    sig!(S::reuseaddr, fn(&S) -> io::Result<bool>);
    sig!(S::set_reuseport, fn(&S, bool) -> io::Result<()>);
    sig!(S::reuseport, fn(&S) -> io::Result<bool>);
    sig!(S::set_send_buffer_size, fn(&S, u32) -> io::Result<()>);
    sig!(S::send_buffer_size, fn(&S) -> io::Result<u32>);
    sig!(S::set_recv_buffer_size, fn(&S, u32) -> io::Result<()>);
    sig!(S::recv_buffer_size, fn(&S) -> io::Result<u32>);
    sig!(S::set_keepalive, fn(&S, bool) -> io::Result<()>);
    sig!(S::keepalive, fn(&S) -> io::Result<bool>);
    sig!(S::set_nodelay, fn(&S, bool) -> io::Result<()>);
    sig!(S::nodelay, fn(&S) -> io::Result<bool>);
    sig!(S::set_linger, fn(&S, Option<Duration>) -> io::Result<()>);
    sig!(S::linger, fn(&S) -> io::Result<Option<Duration>>);
    sig!(S::bind, fn(&S, SocketAddr) -> io::Result<()>);
    sig!(S::local_addr, fn(&S) -> io::Result<SocketAddr>);
    sig!(S::take_error, fn(&S) -> io::Result<Option<io::Error>>);
    sig!(S::listen, fn(S, u32) -> io::Result<TcpListener>);
    fut!(
        S::connect,
        for<'a> fn(S, SocketAddr) -> io::Result<TcpStream>
    );

    sig!(
        UdpSocket::poll_send_to,
        fn(&UdpSocket, &mut Context<'_>, &[u8], SocketAddr) -> Poll<io::Result<usize>>
    );
    sig!(
        UdpSocket::poll_recv_from,
        fn(&UdpSocket, &mut Context<'_>, &mut [u8]) -> Poll<io::Result<(usize, SocketAddr)>>
    );
}

#[test]
fn unix() {
    use runtime::io::ReadBuf;
    use runtime::net::unix::*;
    use std::os::fd::AsRawFd;
    use std::os::unix::net::SocketAddr;
    fn raw<T: AsRawFd + Debug>() {}
    raw::<UnixListener>();
    raw::<UnixStream>();
    raw::<UnixDatagram>();
    // re-exported from net
    let _: fn(runtime::net::UnixStream) -> UnixStream = |s| s;
    let _: fn(runtime::net::UnixListener) -> UnixListener = |s| s;
    let _: fn(runtime::net::UnixDatagram) -> UnixDatagram = |s| s;

    type L = UnixListener;
    sig!(L::bind::<&Path>, fn(&'static Path) -> io::Result<L>);
    sig!(L::bind_addr, fn(&SocketAddr) -> io::Result<L>);
    fut!(
        L::accept,
        for<'a> fn(&'a L) -> io::Result<(UnixStream, SocketAddr)>
    );
    sig!(L::local_addr, fn(&L) -> io::Result<SocketAddr>);

    type T = UnixStream;
    fn rw<
        T: runtime::io::AsyncRead
            + runtime::io::AsyncWrite
            + futures::io::AsyncRead
            + futures::io::AsyncWrite,
    >() {
    }
    rw::<T>();
    fut!(T::connect::<&Path>, for<'a> fn(&'a Path) -> io::Result<T>);
    fut!(T::connect_addr, for<'a> fn(&'a SocketAddr) -> io::Result<T>);
    sig!(T::pair, fn() -> io::Result<(T, T)>);
    fut!(
        T::read,
        for<'a, 'b> fn(&'a mut T, &'b mut [u8]) -> io::Result<usize>
    );
    fut!(
        T::read_exact,
        for<'a, 'b> fn(&'a mut T, &'b mut [u8]) -> io::Result<()>
    );
    fut!(
        T::read_buf,
        for<'a, 'b> fn(&'a mut T, &'b mut ReadBuf<'b>) -> io::Result<usize>
    );
    fut!(
        T::read_vectored,
        for<'a, 'b> fn(&'a mut T, &'b mut [IoSliceMut<'b>]) -> io::Result<usize>
    );
    fut!(
        T::peek,
        for<'a, 'b> fn(&'a T, &'b mut [u8]) -> io::Result<usize>
    );
    fut!(
        T::write,
        for<'a, 'b> fn(&'a mut T, &'b [u8]) -> io::Result<usize>
    );
    fut!(
        T::write_all,
        for<'a, 'b> fn(&'a mut T, &'b [u8]) -> io::Result<()>
    );
    fut!(
        T::write_vectored,
        for<'a, 'b> fn(&'a mut T, &'b [IoSlice<'b>]) -> io::Result<usize>
    );
    sig!(
        T::poll_read,
        fn(&T, &mut Context<'_>, &mut [u8]) -> Poll<io::Result<usize>>
    );
    sig!(
        T::poll_read_buf,
        fn(&T, &mut Context<'_>, &mut ReadBuf<'_>) -> Poll<io::Result<()>>
    );
    sig!(
        T::poll_read_vectored,
        fn(&T, &mut Context<'_>, &mut [IoSliceMut<'_>]) -> Poll<io::Result<usize>>
    );
    sig!(
        T::poll_peek,
        fn(&T, &mut Context<'_>, &mut ReadBuf<'_>) -> Poll<io::Result<usize>>
    );
    sig!(
        T::poll_write,
        fn(&T, &mut Context<'_>, &[u8]) -> Poll<io::Result<usize>>
    );
    sig!(
        T::poll_write_vectored,
        fn(&T, &mut Context<'_>, &[IoSlice<'_>]) -> Poll<io::Result<usize>>
    );
    sig!(T::shutdown, fn(&T, std::net::Shutdown) -> io::Result<()>);
    sig!(T::local_addr, fn(&T) -> io::Result<SocketAddr>);
    sig!(T::peer_addr, fn(&T) -> io::Result<SocketAddr>);
    sig!(T::split, fn(&mut T) -> (ReadHalf<'_>, WriteHalf<'_>));
    sig!(T::into_split, fn(T) -> (OwnedReadHalf, OwnedWriteHalf));

    fn rd<T: runtime::io::AsyncRead + futures::io::AsyncRead + Debug>() {}
    fn wr<T: runtime::io::AsyncWrite + futures::io::AsyncWrite + Debug>() {}
    rd::<ReadHalf<'static>>();
    rd::<OwnedReadHalf>();
    wr::<WriteHalf<'static>>();
    wr::<OwnedWriteHalf>();
    type H = ReadHalf<'static>;
    fut!(
        H::read,
        for<'a, 'b> fn(&'a mut H, &'b mut [u8]) -> io::Result<usize>
    );
    fut!(
        H::read_exact,
        for<'a, 'b> fn(&'a mut H, &'b mut [u8]) -> io::Result<()>
    );
    fut!(
        H::read_buf,
        for<'a, 'b> fn(&'a mut H, &'b mut ReadBuf<'b>) -> io::Result<usize>
    );
    fut!(
        H::read_vectored,
        for<'a, 'b> fn(&'a mut H, &'b mut [IoSliceMut<'b>]) -> io::Result<usize>
    );
    fut!(
        H::peek,
        for<'a, 'b> fn(&'a mut H, &'b mut [u8]) -> io::Result<usize>
    );
    type OH = OwnedReadHalf;
    fut!(
        OH::read,
        for<'a, 'b> fn(&'a mut OH, &'b mut [u8]) -> io::Result<usize>
    );
    fut!(
        OH::read_exact,
        for<'a, 'b> fn(&'a mut OH, &'b mut [u8]) -> io::Result<()>
    );
    fut!(
        OH::read_buf,
        for<'a, 'b> fn(&'a mut OH, &'b mut ReadBuf<'b>) -> io::Result<usize>
    );
    fut!(
        OH::read_vectored,
        for<'a, 'b> fn(&'a mut OH, &'b mut [IoSliceMut<'b>]) -> io::Result<usize>
    );
    fut!(
        OH::peek,
        for<'a, 'b> fn(&'a mut OH, &'b mut [u8]) -> io::Result<usize>
    );
    sig!(
        OH::reunite,
        fn(OH, OwnedWriteHalf) -> Result<UnixStream, ReuniteError>
    );
    type W = WriteHalf<'static>;
    fut!(
        W::write,
        for<'a, 'b> fn(&'a mut W, &'b [u8]) -> io::Result<usize>
    );
    fut!(
        W::write_all,
        for<'a, 'b> fn(&'a mut W, &'b [u8]) -> io::Result<()>
    );
    fut!(
        W::write_vectored,
        for<'a, 'b> fn(&'a mut W, &'b [IoSlice<'b>]) -> io::Result<usize>
    );
    sig!(W::shutdown, fn(&W) -> io::Result<()>);
    type OW = OwnedWriteHalf;
    fut!(
        OW::write,
        for<'a, 'b> fn(&'a mut OW, &'b [u8]) -> io::Result<usize>
    );
    fut!(
        OW::write_all,
        for<'a, 'b> fn(&'a mut OW, &'b [u8]) -> io::Result<()>
    );
    fut!(
        OW::write_vectored,
        for<'a, 'b> fn(&'a mut OW, &'b [IoSlice<'b>]) -> io::Result<usize>
    );
    sig!(OW::shutdown, fn(&OW) -> io::Result<()>);
    sig!(OW::forget, fn(OW));
    let _ = |r: OwnedReadHalf, w: OwnedWriteHalf| ReuniteError(r, w);
    error::<ReuniteError>();

    type D = UnixDatagram;
    sig!(D::bind::<&Path>, fn(&'static Path) -> io::Result<D>);
    sig!(D::bind_addr, fn(&SocketAddr) -> io::Result<D>);
    sig!(D::unbound, fn() -> io::Result<D>);
    sig!(D::pair, fn() -> io::Result<(D, D)>);
    sig!(D::connect::<&Path>, fn(&D, &'static Path) -> io::Result<()>);
    fut!(
        D::send,
        for<'a, 'b> fn(&'a D, &'b [u8]) -> io::Result<usize>
    );
    fut!(
        D::recv,
        for<'a, 'b> fn(&'a D, &'b mut [u8]) -> io::Result<usize>
    );
    fut!(
        D::send_to::<&Path>,
        for<'a, 'b, 'c> fn(&'a D, &'b [u8], &'c Path) -> io::Result<usize>
    );
    fut!(
        D::recv_from,
        for<'a, 'b> fn(&'a D, &'b mut [u8]) -> io::Result<(usize, SocketAddr)>
    );
    sig!(
        D::poll_send,
        fn(&D, &mut Context<'_>, &[u8]) -> Poll<io::Result<usize>>
    );
    sig!(
        D::poll_recv,
        fn(&D, &mut Context<'_>, &mut [u8]) -> Poll<io::Result<usize>>
    );
    sig!(D::local_addr, fn(&D) -> io::Result<SocketAddr>);
    sig!(D::peer_addr, fn(&D) -> io::Result<SocketAddr>);
    sig!(D::shutdown, fn(&D, std::net::Shutdown) -> io::Result<()>);
}

#[test]
fn io_traits() {
    use runtime::io::*;
    type PR = fn(Pin<&mut TcpLike>, &mut Context<'_>, &mut [u8]) -> Poll<io::Result<usize>>;
    use runtime::net::TcpStream as TcpLike;
    sig!(<TcpLike as AsyncRead>::poll_read, PR);
    sig!(
        <TcpLike as AsyncRead>::poll_read_buf,
        fn(Pin<&mut TcpLike>, &mut Context<'_>, &mut ReadBuf<'_>) -> Poll<io::Result<()>>
    );
    sig!(
        <TcpLike as AsyncRead>::poll_read_vectored,
        fn(Pin<&mut TcpLike>, &mut Context<'_>, &mut [IoSliceMut<'_>]) -> Poll<io::Result<usize>>
    );
    sig!(
        <TcpLike as AsyncWrite>::poll_write,
        fn(Pin<&mut TcpLike>, &mut Context<'_>, &[u8]) -> Poll<io::Result<usize>>
    );
    sig!(
        <TcpLike as AsyncWrite>::poll_flush,
        fn(Pin<&mut TcpLike>, &mut Context<'_>) -> Poll<io::Result<()>>
    );
    sig!(
        <TcpLike as AsyncWrite>::poll_shutdown,
        fn(Pin<&mut TcpLike>, &mut Context<'_>) -> Poll<io::Result<()>>
    );
    sig!(
        <TcpLike as AsyncWrite>::poll_write_vectored,
        fn(Pin<&mut TcpLike>, &mut Context<'_>, &[IoSlice<'_>]) -> Poll<io::Result<usize>>
    );
    sig!(
        <TcpLike as AsyncWrite>::is_write_vectored,
        fn(&TcpLike) -> bool
    );
    fn r<T: AsyncRead + ?Sized>() {}
    fn w<T: AsyncWrite + ?Sized>() {}
    r::<&'static [u8]>();
    r::<&'static mut TcpLike>();
    r::<Box<TcpLike>>();
    r::<Pin<Box<TcpLike>>>();
    r::<runtime::testing::io::Mock>();
    r::<&'static runtime::testing::io::Mock>();
    w::<Vec<u8>>();
    w::<&'static mut TcpLike>();
    w::<Box<TcpLike>>();
    w::<Pin<Box<TcpLike>>>();
    w::<runtime::testing::io::Mock>();
    w::<&'static runtime::testing::io::Mock>();

    // the extension traits, on an unsized reader too
    fn ext<R: AsyncReadExt + AsyncWriteExt + ?Sized>() {}
    ext::<dyn AsyncRw>();
    trait AsyncRw: AsyncRead + AsyncWrite {}
    type T = TcpLike;
    sig!(
        <T as AsyncReadExt>::read,
        for<'a> fn(&'a mut T, &'a mut [u8]) -> Read<'a, T>
    );
    sig!(
        <T as AsyncReadExt>::read_exact,
        for<'a> fn(&'a mut T, &'a mut [u8]) -> ReadExact<'a, T>
    );
    sig!(
        <T as AsyncReadExt>::read_to_end,
        for<'a> fn(&'a mut T, &'a mut Vec<u8>) -> ReadToEnd<'a, T>
    );
    sig!(
        <T as AsyncReadExt>::read_buf,
        for<'a, 'b> fn(&'a mut T, &'a mut ReadBuf<'b>) -> ReadBufFuture<'a, 'b, T>
    );
    sig!(
        <T as AsyncReadExt>::read_vectored,
        for<'a, 'b> fn(&'a mut T, &'a mut [IoSliceMut<'b>]) -> ReadVectored<'a, 'b, T>
    );
    sig!(
        <T as AsyncWriteExt>::write,
        for<'a> fn(&'a mut T, &'a [u8]) -> Write<'a, T>
    );
    sig!(
        <T as AsyncWriteExt>::write_all,
        for<'a> fn(&'a mut T, &'a [u8]) -> WriteAll<'a, T>
    );
    sig!(
        <T as AsyncWriteExt>::write_vectored,
        for<'a, 'b> fn(&'a mut T, &'a [IoSlice<'b>]) -> WriteVectored<'a, 'b, T>
    );
    sig!(<T as AsyncWriteExt>::flush, fn(&mut T) -> Flush<'_, T>);
    sig!(
        <T as AsyncWriteExt>::shutdown,
        fn(&mut T) -> Shutdown<'_, T>
    );
    output::<Read<'static, T>, io::Result<usize>>();
    output::<ReadExact<'static, T>, io::Result<()>>();
    output::<ReadToEnd<'static, T>, io::Result<usize>>();
    output::<ReadBufFuture<'static, 'static, T>, io::Result<usize>>();
    output::<ReadVectored<'static, 'static, T>, io::Result<usize>>();
    output::<Write<'static, T>, io::Result<usize>>();
    output::<WriteAll<'static, T>, io::Result<()>>();
    output::<WriteVectored<'static, 'static, T>, io::Result<usize>>();
    output::<Flush<'static, T>, io::Result<()>>();
    output::<Shutdown<'static, T>, io::Result<()>>();
    debug::<Read<'static, T>>();
    debug::<ReadExact<'static, T>>();
    debug::<ReadToEnd<'static, T>>();
    debug::<ReadBufFuture<'static, 'static, T>>();
    debug::<ReadVectored<'static, 'static, T>>();
    debug::<Write<'static, T>>();
    debug::<WriteAll<'static, T>>();
    debug::<WriteVectored<'static, 'static, T>>();
    debug::<Flush<'static, T>>();
    debug::<Shutdown<'static, T>>();

    type B<'a> = ReadBuf<'a>;
    debug::<B<'static>>();
    sig!(B::new, fn(&'static mut [u8]) -> B<'static>);
    sig!(B::uninit, fn(&'static mut [MaybeUninit<u8>]) -> B<'static>);
    sig!(B::capacity, fn(&B<'static>) -> usize);
    sig!(B::remaining, fn(&B<'static>) -> usize);
    sig!(B::filled, for<'a> fn(&'a B<'static>) -> &'a [u8]);
    sig!(
        B::filled_mut,
        for<'a> fn(&'a mut B<'static>) -> &'a mut [u8]
    );
    sig!(B::initialized, for<'a> fn(&'a B<'static>) -> &'a [u8]);
    sig!(B::clear, fn(&mut B<'static>));
    sig!(B::advance, fn(&mut B<'static>, usize));
    sig!(B::set_filled, fn(&mut B<'static>, usize));
    sig!(B::assume_init, unsafe fn(&mut B<'static>, usize));
    sig!(
        B::unfilled_mut,
        for<'a> unsafe fn(&'a mut B<'static>) -> &'a mut [MaybeUninit<u8>]
    );
    sig!(
        B::initialize_unfilled,
        for<'a> fn(&'a mut B<'static>) -> &'a mut [u8]
    );
    sig!(
        B::initialize_unfilled_to,
        for<'a> fn(&'a mut B<'static>, usize) -> &'a mut [u8]
    );
    sig!(B::put_slice, fn(&mut B<'static>, &[u8]));
}

#[test]
fn fs() {
    use runtime::fs::File;
    debug::<File>();
    fut!(send File::open, for<'a> fn(&'a Path) -> io::Result<File>);
    fut!(send File::create, for<'a> fn(&'a Path) -> io::Result<File>);
    fut!(send File::read, for<'a> fn(&'a mut File, &'a mut [u8]) -> io::Result<usize>);
    fut!(send File::write_all, for<'a, 'b> fn(&'a mut File, &'b [u8]) -> io::Result<()>);
    fut!(send File::sync_all, for<'a> fn(&'a File) -> io::Result<()>);
    sig!(File::path, fn(&File) -> &Path);
    fut!(send runtime::fs::read, for<'a> fn(&'a Path) -> io::Result<Vec<u8>>);
    fut!(send runtime::fs::read_to_string, for<'a> fn(&'a Path) -> io::Result<String>);
    fut!(send runtime::fs::write, for<'a, 'b> fn(&'a Path, &'b [u8]) -> io::Result<()>);
}

#[test]
fn inspect() {
    use runtime::inspect::*;
    let TaskDump { tasks } = TaskDump::default();
    let _: Vec<TaskInfo> = tasks;
    clone::<TaskDump>();
    debug::<TaskDump>();
    display::<TaskDump>();
    clone::<TaskInfo>();
    debug::<TaskInfo>();
    fn fields(t: TaskInfo) {
        let TaskInfo {
            id,
            state,
            spawned_at,
            polls,
            since_last_poll,
            waiting_on,
            awaiting_at,
            frames,
        } = t;
        let _: (u64, DumpState, &'static Location<'static>, u64) = (id, state, spawned_at, polls);
        let _: (
            Option<Duration>,
            WaitReason,
            Option<&'static Location<'static>>,
        ) = (since_last_poll, waiting_on, awaiting_at);
        let _: Vec<(&'static str, &'static Location<'static>)> = frames;
    }
    let _ = [
        DumpState::Runnable as u32,
        DumpState::Running as u32,
        DumpState::Waiting as u32,
        DumpState::Finished as u32,
    ];
    copy::<DumpState>();
    eq::<DumpState>();
    debug::<DumpState>();
    display::<DumpState>();
    let _ = [
        WaitReason::Unknown,
        WaitReason::Timer {
            remaining: Duration::ZERO,
        },
        WaitReason::Readable { fd: 0 },
        WaitReason::Writable { fd: 0 },
        WaitReason::Join { task: 0 },
        WaitReason::Blocking,
        WaitReason::Semaphore,
        WaitReason::Mutex,
        WaitReason::Event,
        WaitReason::ChannelRecv,
        WaitReason::ChannelSend,
    ];
    assert!(WaitReason::default() == WaitReason::Unknown);
    copy::<WaitReason>();
    eq::<WaitReason>();
    debug::<WaitReason>();
    display::<WaitReason>();
    sig!(
        framed::<std::future::Ready<u8>>,
        fn(&'static str, std::future::Ready<u8>) -> Framed<std::future::Ready<u8>>
    );
    output::<Framed<std::future::Ready<u8>>, u8>();
    debug::<Framed<std::future::Ready<u8>>>();
    debug::<Frame>();
    send_sync::<Frame>();
    sig!(Frame::name, fn(&Frame) -> &'static str);
    sig!(Frame::location, fn(&Frame) -> &'static Location<'static>);
    let _: &AtomicPtr<DebugRuntime> = &RUNTIME_DEBUG_HEAD;
}

#[test]
fn testing() {
    use runtime::testing::task::{Spawned, spawn};
    use runtime::testing::{Exploration, ExploredFailure, explore};
    use runtime::{
        assert_pending, assert_ready, assert_ready_eq, assert_ready_err, assert_ready_ok,
    };
    type F = std::future::Ready<Result<u8, u8>>;
    type S = Spawned<F>;
    sig!(spawn::<F>, fn(F) -> S);
    debug::<S>();
    fn deref<T: Deref<Target = F> + DerefMut>() {}
    deref::<S>();
    sig!(
        S::enter::<u8>,
        fn(&mut S, fn(&mut Context<'_>, Pin<&mut F>) -> u8) -> u8
    );
    sig!(S::is_woken, fn(&S) -> bool);
    sig!(S::woken_count, fn(&S) -> usize);
    sig!(S::waker_ref_count, fn(&S) -> usize);
    sig!(S::as_pin_mut, fn(&mut S) -> Pin<&mut F>);
    sig!(S::poll, fn(&mut S) -> Poll<Result<u8, u8>>);
    type M = runtime::testing::io::Mock;
    sig!(
        Spawned::<M>::poll_read,
        fn(&mut Spawned<M>, &mut [u8]) -> Poll<io::Result<usize>>
    );
    sig!(
        Spawned::<M>::poll_write,
        fn(&mut Spawned<M>, &[u8]) -> Poll<io::Result<usize>>
    );
    sig!(
        Spawned::<M>::poll_flush,
        fn(&mut Spawned<M>) -> Poll<io::Result<()>>
    );
    sig!(
        Spawned::<M>::poll_shutdown,
        fn(&mut Spawned<M>) -> Poll<io::Result<()>>
    );
    fn macros(mut s: S, mut p: Spawned<std::future::Pending<()>>) {
        assert_pending!(p.poll());
        assert_pending!(p.poll(), "message {}", 1);
        let _: Result<u8, u8> = assert_ready!(s.poll());
        assert_ready_eq!(s.poll(), Ok(1));
        let _: u8 = assert_ready_ok!(s.poll());
        let _: u8 = assert_ready_err!(s.poll(), "message");
    }

    use runtime::testing::io::{Builder, Handle, Mock};
    default::<Builder>();
    debug::<Builder>();
    sig!(Builder::new, fn() -> Builder);
    sig!(Builder::read, fn(Builder, &[u8]) -> Builder);
    sig!(Builder::write, fn(Builder, &[u8]) -> Builder);
    sig!(Builder::read_error, fn(Builder, io::Error) -> Builder);
    sig!(Builder::write_error, fn(Builder, io::Error) -> Builder);
    sig!(Builder::wait, fn(Builder, Duration) -> Builder);
    sig!(Builder::name, fn(Builder, &str) -> Builder);
    sig!(Builder::build, fn(Builder) -> Mock);
    sig!(Builder::build_lenient, fn(Builder) -> Mock);
    sig!(Builder::build_with_handle, fn(Builder) -> (Mock, Handle));
    debug::<Mock>();
    fn fio<T: futures::io::AsyncRead + futures::io::AsyncWrite>() {}
    fio::<Mock>();
    fut!(
        Mock::read,
        for<'a, 'b> fn(&'a mut Mock, &'b mut [u8]) -> io::Result<usize>
    );
    fut!(
        Mock::read_exact,
        for<'a, 'b> fn(&'a mut Mock, &'b mut [u8]) -> io::Result<()>
    );
    fut!(
        Mock::write,
        for<'a, 'b> fn(&'a mut Mock, &'b [u8]) -> io::Result<usize>
    );
    fut!(
        Mock::write_all,
        for<'a, 'b> fn(&'a mut Mock, &'b [u8]) -> io::Result<()>
    );
    sig!(
        Mock::shutdown,
        fn(&Mock, std::net::Shutdown) -> io::Result<()>
    );
    sig!(Mock::is_done, fn(&Mock) -> bool);
    sig!(Mock::assert_done, fn(&Mock));
    clone::<Handle>();
    debug::<Handle>();
    sig!(Handle::read, for<'a> fn(&'a Handle, &[u8]) -> &'a Handle);
    sig!(Handle::write, for<'a> fn(&'a Handle, &[u8]) -> &'a Handle);
    sig!(
        Handle::read_error,
        for<'a> fn(&'a Handle, io::Error) -> &'a Handle
    );
    sig!(
        Handle::write_error,
        for<'a> fn(&'a Handle, io::Error) -> &'a Handle
    );
    sig!(Handle::wait, for<'a> fn(&'a Handle, Duration) -> &'a Handle);

    async fn unit() {}
    async fn res() -> Result<(), String> {
        Ok(())
    }
    let _: fn(&str, u32, fn() -> std::future::Ready<()>) -> Exploration = explore;
    let _ = || explore("n", 3, unit);
    let _ = || explore("n", 3, res);
    debug::<Exploration>();
    let Exploration { schedules, failure } = explore("n", 0, unit);
    let _: (u32, Option<ExploredFailure>) = (schedules, failure);
    clone::<ExploredFailure>();
    debug::<ExploredFailure>();
    fn ef(f: ExploredFailure) {
        let ExploredFailure {
            seed,
            passed_before,
            message,
        } = f;
        let _: (u64, u32, String) = (seed, passed_before, message);
    }
}

#[test]
fn hyper_compat() {
    use runtime::compat::hyper::{Executor, Io, Timer};
    type T = runtime::net::TcpStream;
    sig!(Io::<T>::new, fn(T) -> Io<T>);
    sig!(Io::<T>::inner, fn(&Io<T>) -> &T);
    sig!(Io::<T>::inner_mut, fn(&mut Io<T>) -> &mut T);
    sig!(Io::<T>::into_inner, fn(Io<T>) -> T);
    fn hrw<X: hyper::rt::Read + hyper::rt::Write>() {}
    hrw::<Io<T>>();
    fn rrw<X: runtime::io::AsyncRead + runtime::io::AsyncWrite>() {}
    rrw::<Io<Io<T>>>();
    clone::<Io<u8>>();
    copy::<Io<u8>>();
    debug::<Io<u8>>();
    default::<Io<u8>>();
    fn exec<E: hyper::rt::Executor<std::future::Ready<Rc<u8>>>>() {}
    exec::<Executor>();
    copy::<Executor>();
    debug::<Executor>();
    default::<Executor>();
    fn timer<X: hyper::rt::Timer>() {}
    timer::<Timer>();
    copy::<Timer>();
    debug::<Timer>();
    default::<Timer>();
}

#[test]
fn threaded() {
    use runtime::threaded::*;
    let _: usize = MAX_COMM_LEN;
    sig!(site_name, fn(&Location<'_>) -> String);
    sig!(blocking_io::<u8>, fn(fn() -> u8) -> u8);
    sig!(tasks, fn() -> Vec<ThreadInfo>);
    clone::<ThreadInfo>();
    debug::<ThreadInfo>();
    eq::<ThreadInfo>();
    fn ti(t: ThreadInfo) {
        let ThreadInfo {
            tid,
            name,
            blocked_on,
            for_ms,
        } = t;
        let _: (u64, String, &'static str, u64) = (tid, name, blocked_on, for_ms);
    }
    let _: &AtomicPtr<ThreadRecord> = &THREADED_DEBUG_HEAD;
    sig!(stats, fn() -> Stats);
    sig!(reset_peak, fn());
    copy::<Stats>();
    debug::<Stats>();
    default::<Stats>();
    eq::<Stats>();
    let Stats {
        spawned,
        peak_live,
        live,
        joins,
        voluntary_switches,
        involuntary_switches,
    } = Stats::default();
    let _: [u64; 6] = [
        spawned,
        peak_live,
        live,
        joins,
        voluntary_switches,
        involuntary_switches,
    ];
    sig!(Stats::snapshot, fn() -> Stats);
    sig!(Stats::since, fn(&Stats, &Stats) -> Stats);
    sig!(trace::start, fn());
    sig!(trace::finish, fn() -> String);
    type J = JoinHandle<u8>;
    debug::<J>();
    sig!(J::name, fn(&J) -> Option<&str>);
    sig!(J::id, fn(&J) -> u64);
    sig!(J::location, fn(&J) -> &'static Location<'static>);
    let _: fn(JoinError) -> runtime::JoinError = |e| e;
    clone::<Builder>();
    debug::<Builder>();
    default::<Builder>();
    debug::<Semaphore>();
    sig!(Semaphore::waiting, fn(&Semaphore) -> usize);
    debug::<SemaphorePermit<'static>>();
    debug::<ThreadPool>();
    sig!(ThreadPool::try_new, fn(usize) -> io::Result<ThreadPool>);
    sig!(ThreadPool::threads, fn(&ThreadPool) -> usize);
    sig!(ThreadPool::queued, fn(&ThreadPool) -> usize);
}
