//! `futures_core::Stream` for the receivers (the `stream` feature): a
//! receiver is a stream of its messages that ends where `recv` gives
//! `None`, so `StreamExt` combinators (`next`, `map`, `forward`...) apply.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use super::{Receiver, UnboundedReceiver};

impl<T> Stream for Receiver<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.get_mut().poll_recv(cx)
    }
}

impl<T> Stream for UnboundedReceiver<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.get_mut().poll_recv(cx)
    }
}
