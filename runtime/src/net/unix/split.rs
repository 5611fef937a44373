//! The halves of a [`UnixStream`]: `split` and `into_split` (the macro and
//! what the halves promise are in `net/halves.rs`).

use super::UnixStream;

crate::net::halves::stream_halves!(UnixStream);
