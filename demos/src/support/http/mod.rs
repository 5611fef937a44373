//! A minimal HTTP/1.1 codec, for `demo serve` (the request parser, the
//! response writer) and the clients of `demo load` and `demo fetch` (the
//! response reader): `parser.rs` and `response.rs`.

mod parser;
mod response;

pub use parser::{Parse, Parser, Progress};
pub use response::{model_header, response, response_head};

/// The longest request head (request line and headers) accepted, in bytes.
pub const MAX_HEAD: usize = 8 * 1024;
/// The longest request body accepted, in bytes.
pub const MAX_BODY: usize = 1 << 20;

/// An HTTP status code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status(pub u16);

impl Status {
    /// 200 OK.
    pub const OK: Status = Status(200);
    /// 400 Bad Request.
    pub const BAD_REQUEST: Status = Status(400);
    /// 408 Request Timeout (a head or a body that came too slowly).
    pub const TIMEOUT: Status = Status(408);
    /// 413 Content Too Large (a head or a body over the limits).
    pub const TOO_LARGE: Status = Status(413);
    /// 501 Not Implemented (`Transfer-Encoding`).
    pub const NOT_IMPLEMENTED: Status = Status(501);
    /// 503 Service Unavailable (over the connection cap).
    pub const UNAVAILABLE: Status = Status(503);
    /// 505 HTTP Version Not Supported.
    pub const VERSION: Status = Status(505);

    /// The reason phrase.
    pub fn reason(self) -> &'static str {
        match self.0 {
            200 => "OK",
            400 => "Bad Request",
            408 => "Request Timeout",
            413 => "Content Too Large",
            501 => "Not Implemented",
            503 => "Service Unavailable",
            505 => "HTTP Version Not Supported",
            _ => "Unknown",
        }
    }
}

/// The first index of `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
