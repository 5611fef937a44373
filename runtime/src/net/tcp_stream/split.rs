//! The halves of a [`TcpStream`]: `split` and `into_split` (the macro and
//! what the halves promise are in `net/halves.rs`).

use super::TcpStream;

crate::net::halves::stream_halves! {
    TcpStream;
    OwnedReadHalf:
    ///
    /// # Example
    ///
    /// One task reads while another writes, then the halves are put back
    /// together into the stream they came from:
    ///
    /// ```
    /// use runtime::net::{TcpListener, TcpStream};
    ///
    /// runtime::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    ///     let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     let (mut server, _) = listener.accept().await.unwrap();
    ///     let (mut rx, mut tx) = client.into_split();
    ///     // The reader waits for the echo while the writer sends.
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
    ///     server.read_exact(&mut got).await.unwrap();
    ///     server.write_all(&got).await.unwrap();
    ///     let tx = writer.await.unwrap();
    ///     let (rx, echo) = reader.await.unwrap();
    ///     assert_eq!(&echo, b"hello");
    ///     // Both halves back: the whole stream again, still connected.
    ///     let mut client = rx.reunite(tx).unwrap();
    ///     client.write_all(b"!").await.unwrap();
    ///     let mut bang = [0u8; 1];
    ///     server.read_exact(&mut bang).await.unwrap();
    ///     assert_eq!(&bang, b"!");
    /// });
    /// ```
    OwnedWriteHalf:
    ///
    /// # Example
    ///
    /// Dropping the write half ends the peer's reads (EOF) while the read
    /// half still receives:
    ///
    /// ```
    /// use runtime::net::{TcpListener, TcpStream};
    ///
    /// runtime::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    ///     let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     let (mut server, _) = listener.accept().await.unwrap();
    ///     let (mut rx, mut tx) = client.into_split();
    ///     tx.write_all(b"last words").await.unwrap();
    ///     drop(tx); // shutdown(SHUT_WR)
    ///     let mut heard = Vec::new();
    ///     let mut buf = [0u8; 64];
    ///     loop {
    ///         match server.read(&mut buf).await.unwrap() {
    ///             0 => break, // EOF
    ///             n => heard.extend_from_slice(&buf[..n]),
    ///         }
    ///     }
    ///     assert_eq!(heard, b"last words");
    ///     server.write_all(b"still here").await.unwrap();
    ///     let mut reply = [0u8; 10];
    ///     rx.read_exact(&mut reply).await.unwrap();
    ///     assert_eq!(&reply, b"still here");
    /// });
    /// ```
}
