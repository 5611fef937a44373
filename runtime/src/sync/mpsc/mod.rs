//! Multi-producer, single-consumer channels: [`channel`] (bounded, with
//! backpressure) and [`unbounded_channel`].
//!
//! [`Sender::send`] waits while the buffer is full; blocked senders are served
//! in FIFO order. When the receiver frees a slot it *grants* it to the first
//! blocked sender: the slot is reserved for that sender (no later send can
//! take it, so messages are never reordered) and the sender is woken; its
//! next poll puts its value into the reserved slot and only then returns
//! `Ready(Ok(()))`. A blocked sender's value stays in its own future until
//! that moment, so a `send` dropped before it completed (a losing `select!`
//! arm, an aborted task) never delivers its message, and a granted slot it
//! leaves behind passes to the next blocked sender: no slot is lost either.
//! (An earlier version moved the value into the buffer at the grant, and a
//! cancelled send was delivered anyway: a retry then duplicated it.)
//!
//! [`Sender::reserve`] splits a send in two: wait for a slot, then fill it
//! with [`Permit::send`] (which cannot wait or fail). The same rule holds:
//! a slot is used only by a message actually sent, and one given up passes
//! to the next blocked sender. See `chan.rs` for the slot accounting.
//!
//! The receivers implement `futures_core::Stream` with the `stream` feature.
//!
//! ```
//! use runtime::sync::mpsc;
//!
//! futures::executor::block_on(async {
//!     let (tx, mut rx) = mpsc::channel(8);
//!     let tx2 = tx.clone();
//!     tx.send(1).await.unwrap();
//!     tx2.send(2).await.unwrap();
//!     drop((tx, tx2));
//!     assert_eq!(rx.recv().await, Some(1));
//!     assert_eq!(rx.recv().await, Some(2));
//!     assert_eq!(rx.recv().await, None); // every sender is gone
//! });
//! ```

mod bounded;
mod chan;
pub mod error;
mod permit;
mod receiver;
#[cfg(feature = "stream")]
mod stream;
mod unbounded;

pub use bounded::{Closed, Receiver, Send, SendTimeout, Sender, WeakSender, channel};
pub use error::{SendError, SendTimeoutError, TryRecvError, TrySendError};
pub use permit::{OwnedPermit, Permit, Reserve, ReserveOwned};
pub use receiver::Recv;
pub use unbounded::{UnboundedReceiver, UnboundedSender, WeakUnboundedSender, unbounded_channel};

#[cfg(test)]
mod tests;
