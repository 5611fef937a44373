//! Permits: [`SemaphorePermit`] borrows its semaphore;
//! [`OwnedSemaphorePermit`] holds it through a shared handle (`Arc` or `Rc`),
//! so it can outlive the borrow: move it into a spawned task, store it in a
//! struct. Both return their permits when dropped, can be [`forget`]-ed,
//! [`merge`]-d and [`split`].
//!
//! [`forget`]: SemaphorePermit::forget
//! [`merge`]: SemaphorePermit::merge
//! [`split`]: SemaphorePermit::split

use std::fmt;
use std::ops::Deref;
use std::rc::Rc;
use std::sync::Arc;

use super::{AcquireOwned, Semaphore, TryAcquireError};

/// Permits from a [`Semaphore`] (one, or `n` from
/// [`acquire_many`](Semaphore::acquire_many)); dropping it gives them back.
#[must_use = "the permit is given back as soon as it is dropped"]
pub struct SemaphorePermit<'a> {
    semaphore: &'a Semaphore,
    permits: usize,
}

impl<'a> SemaphorePermit<'a> {
    pub(super) fn new(semaphore: &'a Semaphore, permits: usize) -> Self {
        SemaphorePermit { semaphore, permits }
    }

    /// Keeps the permits out of the semaphore for good (they are not
    /// returned).
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// How many permits this holds.
    pub fn num_permits(&self) -> usize {
        self.permits
    }

    /// Takes over the permits of `other`, which must come from the same
    /// semaphore.
    ///
    /// # Panics
    ///
    /// If `other` belongs to another semaphore.
    pub fn merge(&mut self, mut other: Self) {
        assert!(
            std::ptr::eq(self.semaphore, other.semaphore),
            "SemaphorePermit::merge: the permits belong to different semaphores"
        );
        self.permits += std::mem::take(&mut other.permits);
    }

    /// Splits `n` permits off into a new permit; `None` (and nothing
    /// changes) if this holds fewer than `n`.
    ///
    /// ```
    /// use runtime::sync::Semaphore;
    ///
    /// let sem = Semaphore::new(3);
    /// let mut three = sem.try_acquire_many(3).unwrap();
    /// let one = three.split(1).unwrap();
    /// assert_eq!((three.num_permits(), one.num_permits()), (2, 1));
    /// drop(one);
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub fn split(&mut self, n: usize) -> Option<Self> {
        self.permits = self.permits.checked_sub(n)?;
        Some(SemaphorePermit::new(self.semaphore, n))
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        // `release(0)` does nothing (a forgotten or emptied permit).
        self.semaphore.release(self.permits);
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("permits", &self.permits)
            .finish_non_exhaustive()
    }
}

/// Permits that own a handle to their [`Semaphore`] (an `Arc` by default,
/// or an `Rc`), so they can be moved anywhere the handle can: into a
/// spawned task, into a struct. Dropping it gives the permits back.
///
/// ```
/// use std::sync::Arc;
/// use runtime::sync::Semaphore;
///
/// let sem = Arc::new(Semaphore::new(1));
/// runtime::block_on(async {
///     let permit = sem.clone().acquire_owned().await.unwrap();
///     let task = runtime::spawn(async move {
///         // The permit lives in the task, past the borrow of `sem`.
///         drop(permit);
///     });
///     task.await.unwrap();
///     assert_eq!(sem.available_permits(), 1);
/// });
/// ```
#[must_use = "the permit is given back as soon as it is dropped"]
pub struct OwnedSemaphorePermit<S: Deref<Target = Semaphore> = Arc<Semaphore>> {
    semaphore: S,
    permits: usize,
}

impl<S: Deref<Target = Semaphore>> OwnedSemaphorePermit<S> {
    pub(super) fn new(semaphore: S, permits: usize) -> Self {
        OwnedSemaphorePermit { semaphore, permits }
    }

    /// The semaphore this permit came from.
    pub fn semaphore(&self) -> &S {
        &self.semaphore
    }

    /// Keeps the permits out of the semaphore for good.
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// How many permits this holds.
    pub fn num_permits(&self) -> usize {
        self.permits
    }

    /// Takes over the permits of `other` (its handle is dropped).
    ///
    /// # Panics
    ///
    /// If `other` belongs to another semaphore.
    pub fn merge(&mut self, mut other: Self) {
        assert!(
            std::ptr::eq(&*self.semaphore, &*other.semaphore),
            "OwnedSemaphorePermit::merge: the permits belong to different semaphores"
        );
        self.permits += std::mem::take(&mut other.permits);
    }

    /// Splits `n` permits off into a new permit holding a clone of the
    /// handle; `None` (and nothing changes) if this holds fewer than `n`.
    pub fn split(&mut self, n: usize) -> Option<Self>
    where
        S: Clone,
    {
        self.permits = self.permits.checked_sub(n)?;
        Some(OwnedSemaphorePermit::new(self.semaphore.clone(), n))
    }
}

impl<S: Deref<Target = Semaphore>> Drop for OwnedSemaphorePermit<S> {
    fn drop(&mut self) {
        self.semaphore.release(self.permits);
    }
}

impl<S: Deref<Target = Semaphore>> fmt::Debug for OwnedSemaphorePermit<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("permits", &self.permits)
            .finish_non_exhaustive()
    }
}

/// The owned acquires, for any shared handle to a [`Semaphore`]:
/// implemented for `Arc<Semaphore>` and `Rc<Semaphore>`.
///
/// `Arc` also has them as inherent methods (tokio's names, no import
/// needed). An `Rc` (tasks on this runtime need not be `Send`, so `Rc` is
/// the cheaper handle) needs this trait in scope:
///
/// ```
/// use std::rc::Rc;
/// use runtime::sync::{Semaphore, SharedSemaphore};
///
/// let sem = Rc::new(Semaphore::new(2));
/// let two = sem.clone().try_acquire_many_owned(2).unwrap();
/// assert_eq!(sem.available_permits(), 0);
/// drop(two);
/// assert_eq!(sem.available_permits(), 2);
/// ```
pub trait SharedSemaphore: Deref<Target = Semaphore> + Sized {
    /// Waits for one permit; see [`Semaphore::acquire_checked`].
    #[track_caller]
    fn acquire_owned(self) -> AcquireOwned<Self> {
        AcquireOwned::new(self, 1)
    }

    /// Waits for `n` permits; see [`Semaphore::acquire_many`].
    #[track_caller]
    fn acquire_many_owned(self, n: u32) -> AcquireOwned<Self> {
        AcquireOwned::new(self, n as usize)
    }

    /// Takes one permit if it is free right now and nobody is queued.
    fn try_acquire_owned(self) -> Result<OwnedSemaphorePermit<Self>, TryAcquireError> {
        self.try_acquire_many_owned(1)
    }

    /// Takes `n` permits if they are free right now and nobody is queued.
    fn try_acquire_many_owned(self, n: u32) -> Result<OwnedSemaphorePermit<Self>, TryAcquireError> {
        self.try_take(n as usize)?;
        Ok(OwnedSemaphorePermit::new(self, n as usize))
    }
}

impl SharedSemaphore for Arc<Semaphore> {}
impl SharedSemaphore for Rc<Semaphore> {}

/// tokio's names for the owned acquires on an `Arc`, without an import.
impl Semaphore {
    /// Waits for one permit, holding the semaphore through the `Arc`; fails
    /// if the semaphore is closed. See [`OwnedSemaphorePermit`].
    #[track_caller]
    pub fn acquire_owned(self: Arc<Self>) -> AcquireOwned<Arc<Semaphore>> {
        SharedSemaphore::acquire_owned(self)
    }

    /// Waits for `n` permits, holding the semaphore through the `Arc`.
    #[track_caller]
    pub fn acquire_many_owned(self: Arc<Self>, n: u32) -> AcquireOwned<Arc<Semaphore>> {
        SharedSemaphore::acquire_many_owned(self, n)
    }

    /// Takes one permit now, holding the semaphore through the `Arc`.
    pub fn try_acquire_owned(
        self: Arc<Self>,
    ) -> Result<OwnedSemaphorePermit<Arc<Semaphore>>, TryAcquireError> {
        SharedSemaphore::try_acquire_owned(self)
    }

    /// Takes `n` permits now, holding the semaphore through the `Arc`.
    pub fn try_acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit<Arc<Semaphore>>, TryAcquireError> {
        SharedSemaphore::try_acquire_many_owned(self, n)
    }
}
