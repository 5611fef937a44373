//! Why a watch operation failed: [`SendError`] (no receiver is left) and
//! [`RecvError`] (the sender is gone).

use std::error::Error;
use std::fmt;

/// [`Sender::send`](super::Sender::send) found no receiver; the value is
/// handed back (it was not stored).
#[derive(PartialEq, Eq, Clone, Copy)]
pub struct SendError<T>(pub T);

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendError").finish_non_exhaustive()
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("watch channel closed: no receiver")
    }
}

impl<T> Error for SendError<T> {}

/// The [`Sender`](super::Sender) was dropped: no new value can come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecvError(pub(super) ());

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("watch channel closed: the sender was dropped")
    }
}

impl Error for RecvError {}
