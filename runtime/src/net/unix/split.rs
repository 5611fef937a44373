//! The halves of a [`UnixStream`]: `split` and `into_split` (the macro and
//! what the halves promise are in `net/halves.rs`).

use super::UnixStream;

crate::net::halves::stream_halves! {
    UnixStream;
    OwnedReadHalf:
    ///
    /// # Example
    ///
    /// One task reads while another writes, then the halves are put back
    /// together into the stream they came from:
    ///
    /// ```
    /// use runtime::net::UnixStream;
    ///
    /// runtime::block_on(async {
    ///     let (mine, mut peer) = UnixStream::pair().unwrap();
    ///     let (mut rx, mut tx) = mine.into_split();
    ///     let reader = runtime::spawn(async move {
    ///         let mut echo = [0u8; 5];
    ///         rx.read_exact(&mut echo).await.unwrap();
    ///         (rx, echo)
    ///     });
    ///     let writer = runtime::spawn(async move {
    ///         tx.write_all(b"hello").await.unwrap();
    ///         tx
    ///     });
    ///     let mut got = [0u8; 5];
    ///     peer.read_exact(&mut got).await.unwrap();
    ///     peer.write_all(&got).await.unwrap();
    ///     let tx = writer.await.unwrap();
    ///     let (rx, echo) = reader.await.unwrap();
    ///     assert_eq!(&echo, b"hello");
    ///     let mut mine = rx.reunite(tx).unwrap();
    ///     mine.write_all(b"!").await.unwrap();
    ///     let mut bang = [0u8; 1];
    ///     peer.read_exact(&mut bang).await.unwrap();
    ///     assert_eq!(&bang, b"!");
    /// });
    /// ```
    OwnedWriteHalf:
    ///
    /// # Example
    ///
    /// Halves of two different streams do not reunite; both come back in
    /// the error:
    ///
    /// ```
    /// use runtime::net::UnixStream;
    ///
    /// runtime::block_on(async {
    ///     let (a, _a_peer) = UnixStream::pair().unwrap();
    ///     let (b, _b_peer) = UnixStream::pair().unwrap();
    ///     let (a_rx, a_tx) = a.into_split();
    ///     let (b_rx, b_tx) = b.into_split();
    ///     let err = a_rx.reunite(b_tx).unwrap_err();
    ///     let (a_rx, b_tx) = (err.0, err.1);
    ///     assert!(a_rx.reunite(a_tx).is_ok());
    ///     assert!(b_rx.reunite(b_tx).is_ok());
    /// });
    /// ```
}
