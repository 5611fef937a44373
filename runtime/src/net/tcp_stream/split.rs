//! The halves of a [`TcpStream`]: `split` and `into_split` (the macro and
//! what the halves promise are in `net/halves.rs`).

use super::TcpStream;

crate::net::halves::stream_halves!(TcpStream);
