//! [`Builder`]: writes the script of a [`Mock`].

use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::script::{Kind, Script};
use super::{Handle, Mock, MockState, State};

/// Writes the script of a [`Mock`]; see the [module docs](super).
///
/// ```
/// use std::time::Duration;
/// use runtime::testing::io::Builder;
///
/// let mock = Builder::new()
///     .name("smtp client")
///     .read(b"220 mail.example ESMTP\r\n")
///     .write(b"EHLO me\r\n")
///     .wait(Duration::from_secs(5))
///     .read_error(std::io::ErrorKind::ConnectionReset.into())
///     .build_lenient(); // this example does not play it
/// # drop(mock);
/// ```
#[derive(Default)]
#[must_use = "a Builder does nothing until `build`"]
pub struct Builder {
    script: Script,
    name: Option<String>,
}

/// The name and the steps scripted so far, in order (`read 5 bytes`, ...).
impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let steps: Vec<String> = self.script.remaining().map(|s| s.to_string()).collect();
        f.debug_struct("Builder")
            .field("name", &self.name)
            .field("steps", &steps)
            .finish()
    }
}

impl Builder {
    /// An empty script.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// The peer sends `data`: the code's next reads get it, once the steps
    /// before are done (one read gets at most these bytes). An empty `data`
    /// is one end of stream (`Ok(0)`).
    pub fn read(mut self, data: &[u8]) -> Builder {
        self.script.push(read_step(data));
        self
    }

    /// The peer waits to receive `data`: the code's writes must be these
    /// bytes next, after those of the write steps before (in one write or
    /// many). An empty `data` adds nothing.
    pub fn write(mut self, data: &[u8]) -> Builder {
        if !data.is_empty() {
            self.script.push(write_step(data));
        }
        self
    }

    /// The code's next read fails with `error`.
    pub fn read_error(mut self, error: io::Error) -> Builder {
        self.script.push(Kind::ReadError(Some(error)));
        self
    }

    /// The code's next write fails with `error`.
    pub fn write_error(mut self, error: io::Error) -> Builder {
        self.script.push(Kind::WriteError(Some(error)));
        self
    }

    /// The peer is silent for `duration` (the runtime's clock: virtual under
    /// a paused clock), counted from the first read or write that reaches
    /// this step; reads and writes are `Pending` until it has passed. A
    /// script may end with a wait the code does not sit through (it gives up
    /// on a silent peer): that is not a step left.
    pub fn wait(mut self, duration: Duration) -> Builder {
        self.script.push(Kind::Wait(duration));
        self
    }

    /// A name for the panic messages, for tests with more than one mock.
    pub fn name(mut self, name: &str) -> Builder {
        self.name = Some(name.to_string());
        self
    }

    /// The mock, which panics when dropped with steps left.
    pub fn build(self) -> Mock {
        self.make(true).0
    }

    /// The mock, which does not mind being dropped with steps left (every
    /// write is still checked). [`Mock::assert_done`] checks by hand.
    pub fn build_lenient(self) -> Mock {
        self.make(false).0
    }

    /// The mock, and a [`Handle`] that adds steps to its script while it
    /// runs. While a handle lives, an exhausted script makes reads and
    /// writes wait for more steps instead of ending the stream.
    pub fn build_with_handle(self) -> (Mock, Handle) {
        let (mock, shared) = self.make(true);
        shared.lock().handles += 1;
        (mock, Handle { shared })
    }

    fn make(self, check_on_drop: bool) -> (Mock, Arc<MockState>) {
        let shared = Arc::new(MockState {
            state: Mutex::new(State {
                script: self.script,
                sleep: None,
                read_waker: None,
                write_waker: None,
                handles: 0,
                poisoned: false,
                write_shut: false,
                read_shut: false,
            }),
            name: self.name,
        });
        let mock = Mock {
            shared: shared.clone(),
            check_on_drop,
        };
        (mock, shared)
    }
}

pub(super) fn read_step(data: &[u8]) -> Kind {
    Kind::Read {
        data: data.to_vec(),
        done: 0,
    }
}

pub(super) fn write_step(data: &[u8]) -> Kind {
    Kind::Write {
        data: data.to_vec(),
        done: 0,
    }
}
