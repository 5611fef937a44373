//! What the two receivers, [`Receiver`](super::Receiver) and
//! [`UnboundedReceiver`](super::UnboundedReceiver), share: the [`Recv`]
//! future, and the macro [`receiver_methods!`] that writes their common
//! public methods once (`recv`, `recv_many`, `try_recv`, `poll_recv`,
//! `poll_recv_many`, `close`, `is_closed`, `len`, `is_empty`).
//!
//! Both hold the same receiving end (`chan::Rx`, which does the work and
//! whose `Drop` closes the channel); each method here is a forward to it.
//! A macro, not a shared trait or type: they are inherent methods of two
//! public types (tokio's API has no trait for them), each documented in
//! its own words, so each type's file lists the methods with its doc
//! comments and this file writes their bodies.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::chan::Rx;

/// Defines, for the receiver `$receiver<T>` (a type with a field `rx:
/// chan::Rx<T>`), each method listed, with the doc comment given before
/// its name:
///
/// ```text
/// receiver_methods! {
///     Receiver;
///     /// Receives the next message ...
///     fn recv;
/// }
/// ```
macro_rules! receiver_methods {
    ($receiver:ident; $( $(#[$doc:meta])* fn $name:ident; )*) => {
        impl<T> $receiver<T> {
            $( $crate::sync::mpsc::receiver::receiver_method!($name, $(#[$doc])*); )*
        }
    };
}

/// One method of [`receiver_methods!`], by name.
macro_rules! receiver_method {
    (recv, $(#[$doc:meta])*) => {
        $(#[$doc])*
        #[track_caller]
        pub fn recv(&mut self) -> $crate::sync::mpsc::Recv<'_, T> {
            $crate::sync::mpsc::receiver::Recv {
                rx: &mut self.rx,
                at: ::std::panic::Location::caller(),
            }
        }
    };
    (recv_many, $(#[$doc:meta])*) => {
        $(#[$doc])*
        #[track_caller]
        pub fn recv_many(
            &mut self,
            buffer: &mut Vec<T>,
            limit: usize,
        ) -> impl ::std::future::Future<Output = usize> {
            // Not an `async fn`: those cannot be `#[track_caller]`, and the
            // caller's site is the task's await site while it waits.
            let at = ::std::panic::Location::caller();
            let rx = &mut self.rx;
            ::std::future::poll_fn(move |cx| rx.poll_recv_many(cx, buffer, limit, Some(at)))
        }
    };
    (try_recv, $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn try_recv(&mut self) -> Result<T, $crate::sync::mpsc::TryRecvError> {
            use $crate::sync::mpsc::TryRecvError;
            self.rx.try_recv().map_err(|finished| {
                if finished {
                    TryRecvError::Disconnected
                } else {
                    TryRecvError::Empty
                }
            })
        }
    };
    (poll_recv, $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn poll_recv(
            &mut self,
            cx: &mut ::std::task::Context<'_>,
        ) -> ::std::task::Poll<Option<T>> {
            self.rx.poll_recv(cx, None)
        }
    };
    (poll_recv_many, $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn poll_recv_many(
            &mut self,
            cx: &mut ::std::task::Context<'_>,
            buffer: &mut Vec<T>,
            limit: usize,
        ) -> ::std::task::Poll<usize> {
            self.rx.poll_recv_many(cx, buffer, limit, None)
        }
    };
    (close, $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn close(&mut self) {
            self.rx.close();
        }
    };
    (is_closed, $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn is_closed(&self) -> bool {
            self.rx.is_closed()
        }
    };
    (len, $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn len(&self) -> usize {
            self.rx.len()
        }
    };
    (is_empty, $(#[$doc:meta])*) => {
        $(#[$doc])*
        pub fn is_empty(&self) -> bool {
            self.len() == 0
        }
    };
}

pub(super) use {receiver_method, receiver_methods};

/// The future returned by [`Receiver::recv`](super::Receiver::recv) (and
/// the unbounded one).
#[must_use = "futures do nothing unless polled"]
pub struct Recv<'a, T> {
    pub(super) rx: &'a mut Rx<T>,
    /// Where `recv` was called: the task's await site while it waits.
    pub(super) at: &'static Location<'static>,
}

impl<T> Future for Recv<'_, T> {
    type Output = Option<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let at = self.at;
        self.rx.poll_recv(cx, Some(at))
    }
}

impl<T> fmt::Debug for Recv<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recv").finish_non_exhaustive()
    }
}
