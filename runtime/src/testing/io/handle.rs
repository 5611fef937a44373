//! [`Handle`]: adds steps to a running [`Mock`](super::Mock)'s script.

use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use super::builder::{read_step, write_step};
use super::script::Kind;
use super::{MockState, wake};

/// Adds steps to a running [`Mock`](super::Mock)'s script; made by
/// [`Builder::build_with_handle`](super::Builder::build_with_handle)(super::Builder::build_with_handle). While a handle lives, a mock whose script
/// is exhausted waits for more steps; when the last handle is dropped, it
/// ends the stream.
///
/// ```
/// use runtime::io::AsyncReadExt;
/// use runtime::testing::io::Builder;
///
/// runtime::block_on(async {
///     let (mut mock, handle) = Builder::new().read(b"first ").build_with_handle();
///     let reader = runtime::spawn(async move {
///         let mut all = Vec::new();
///         mock.read_to_end(&mut all).await.unwrap();
///         all
///     });
///     runtime::yield_now().await; // the reader took "first " and waits
///     handle.read(b"second");
///     drop(handle); // end of stream after "second"
///     assert_eq!(reader.await.unwrap(), b"first second");
/// });
/// ```
pub struct Handle {
    pub(super) shared: Arc<MockState>,
}

impl Handle {
    fn push(&self, kind: Kind) -> &Handle {
        let mut state = self.shared.lock();
        state.script.push(kind);
        let wakers = state.take_wakers();
        drop(state);
        wake(wakers);
        self
    }

    /// As [`Builder::read`](super::Builder::read), at the end of the script.
    pub fn read(&self, data: &[u8]) -> &Handle {
        self.push(read_step(data))
    }

    /// As [`Builder::write`](super::Builder::write), at the end of the script.
    pub fn write(&self, data: &[u8]) -> &Handle {
        if data.is_empty() {
            return self;
        }
        self.push(write_step(data))
    }

    /// As [`Builder::read_error`](super::Builder::read_error), at the end of the script.
    pub fn read_error(&self, error: io::Error) -> &Handle {
        self.push(Kind::ReadError(Some(error)))
    }

    /// As [`Builder::write_error`](super::Builder::write_error), at the end of the script.
    pub fn write_error(&self, error: io::Error) -> &Handle {
        self.push(Kind::WriteError(Some(error)))
    }

    /// As [`Builder::wait`](super::Builder::wait), at the end of the script.
    pub fn wait(&self, duration: Duration) -> &Handle {
        self.push(Kind::Wait(duration))
    }
}

impl Clone for Handle {
    fn clone(&self) -> Handle {
        self.shared.lock().handles += 1;
        Handle {
            shared: self.shared.clone(),
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.handles -= 1;
        let wakers = state.take_wakers();
        drop(state);
        wake(wakers);
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("name", &self.shared.name)
            .finish_non_exhaustive()
    }
}
