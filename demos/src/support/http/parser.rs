//! The request parser of `demo serve`.
//!
//! The parser is incremental: [`Parser::feed`] appends what a `read`
//! returned and [`Parser::next`] takes one complete request off the front,
//! or says it needs more bytes, or gives the status to answer a bad request
//! with. Its memory is bounded: a request head longer than [`MAX_HEAD`]
//! is refused with 413 as soon as that many bytes are buffered (so endless
//! headers cost at most `MAX_HEAD` plus one read), and a `Content-Length`
//! over [`MAX_BODY`] is refused before any body byte is read.
//!
//! What it accepts: `METHOD SP target SP HTTP/1.0|1.1 CRLF`, header lines
//! `name: value CRLF`, an empty line, and a body of `Content-Length` bytes.
//! What it refuses: anything else that looks like HTTP gets 400 (a bad
//! request line, a bare LF, control bytes, a header without a colon or with
//! a space before it, an invalid or conflicting `Content-Length`); another
//! HTTP version gets 505; `Transfer-Encoding` gets 501 (chunked bodies are
//! not implemented, and guessing a body's length would desynchronise the
//! connection).

use super::{MAX_BODY, MAX_HEAD, Status, find};

/// One parsed request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The request target, e.g. `/index.html`.
    pub target: String,
    /// The minor version: 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub minor: u8,
    /// Header names (as sent) and values (trimmed).
    pub headers: Vec<(String, String)>,
    /// The body (`Content-Length` bytes).
    pub body: Vec<u8>,
    /// Whether the connection stays open after the response.
    pub keep_alive: bool,
}

/// What [`Parser::next`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Parse {
    /// Not a whole request yet: read more.
    Incomplete,
    /// A whole request, removed from the buffer.
    Request(Request),
    /// A bad request: answer with this status and close the connection.
    Error(Status),
}

/// How far an incomplete request has come (what [`Parser::progress`] says
/// after [`Parser::next`] returned [`Parse::Incomplete`]): a server gives
/// each part its own timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Nothing of a request is buffered.
    Nothing,
    /// Part of a request head (request line and headers).
    Head,
    /// A whole head, and part of the body its `Content-Length` announced.
    Body,
}

/// The incremental parser of one connection (see the module doc).
#[derive(Debug, Default)]
pub struct Parser {
    buf: Vec<u8>,
    /// Set after an error: the connection's byte stream cannot be trusted.
    failed: Option<Status>,
}

impl Parser {
    /// An empty parser.
    pub fn new() -> Parser {
        Parser::default()
    }

    /// Appends bytes read from the connection.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.failed.is_none() {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// Bytes buffered and not yet parsed.
    #[cfg(test)]
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// How far the request being received has come. Meant for after
    /// [`next`](Self::next) returned [`Parse::Incomplete`] (bytes leave
    /// the buffer only with a whole request): a buffer with a whole head
    /// then waits for its body.
    pub fn progress(&self) -> Progress {
        if self.buf.is_empty() {
            Progress::Nothing
        } else if find(&self.buf, b"\r\n\r\n").is_some() {
            Progress::Body
        } else {
            Progress::Head
        }
    }

    /// Takes the next whole request off the buffer, if there is one.
    pub fn next(&mut self) -> Parse {
        if let Some(status) = self.failed {
            return Parse::Error(status);
        }
        match self.parse() {
            Ok(Some((request, used))) => {
                self.buf.drain(..used);
                Parse::Request(request)
            }
            Ok(None) => Parse::Incomplete,
            Err(status) => {
                self.failed = Some(status);
                self.buf = Vec::new();
                Parse::Error(status)
            }
        }
    }

    fn parse(&self) -> Result<Option<(Request, usize)>, Status> {
        let Some(head_len) = find(&self.buf, b"\r\n\r\n").map(|i| i + 4) else {
            // A bare LF anywhere in the head is refused now, not when the
            // head is complete (it never would be, for some clients).
            if self
                .buf
                .iter()
                .enumerate()
                .any(|(i, &b)| b == b'\n' && (i == 0 || self.buf[i - 1] != b'\r'))
            {
                return Err(Status::BAD_REQUEST);
            }
            if self.buf.len() > MAX_HEAD {
                return Err(Status::TOO_LARGE);
            }
            // Not HTTP at all? Say so as soon as the first bytes show it.
            if !self.buf.is_empty() && !self.buf[0].is_ascii_uppercase() {
                return Err(Status::BAD_REQUEST);
            }
            return Ok(None);
        };
        if head_len > MAX_HEAD {
            return Err(Status::TOO_LARGE);
        }
        // The head's lines, each with its CRLF: drop the last LF and split
        // on the others; every line must then end in CR.
        let head = &self.buf[..head_len - 3];
        let mut lines = head.split(|&b| b == b'\n').map(|l| l.strip_suffix(b"\r"));
        let request_line = lines.next().flatten().ok_or(Status::BAD_REQUEST)?;
        let (method, target, minor) = request_line_parts(request_line)?;
        let mut headers = Vec::new();
        let mut content_length: Option<usize> = None;
        let mut connection_close = false;
        let mut connection_keep_alive = false;
        for line in lines {
            // `split` on LF left each line's CR: a line without it had a
            // bare LF.
            let line = line.ok_or(Status::BAD_REQUEST)?;
            let (name, value) = header_parts(line)?;
            if name.eq_ignore_ascii_case("content-length") {
                let n = parse_length(&value)?;
                if content_length.is_some_and(|m| m != n) {
                    return Err(Status::BAD_REQUEST);
                }
                content_length = Some(n);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                return Err(Status::NOT_IMPLEMENTED);
            } else if name.eq_ignore_ascii_case("connection") {
                for token in value.split(',').map(str::trim) {
                    connection_close |= token.eq_ignore_ascii_case("close");
                    connection_keep_alive |= token.eq_ignore_ascii_case("keep-alive");
                }
            }
            headers.push((name, value));
        }
        let body_len = content_length.unwrap_or(0);
        if body_len > MAX_BODY {
            return Err(Status::TOO_LARGE);
        }
        let total = head_len + body_len;
        if self.buf.len() < total {
            return Ok(None);
        }
        let keep_alive = if minor == 1 {
            !connection_close
        } else {
            connection_keep_alive && !connection_close
        };
        Ok(Some((
            Request {
                method,
                target,
                minor,
                headers,
                body: self.buf[head_len..total].to_vec(),
                keep_alive,
            },
            total,
        )))
    }
}

/// A `tchar` of RFC 9110 (what method and header names are made of).
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn request_line_parts(line: &[u8]) -> Result<(String, String, u8), Status> {
    let mut parts = line.split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Status::BAD_REQUEST);
    };
    if method.is_empty() || !method.iter().all(|&b| is_tchar(b)) {
        return Err(Status::BAD_REQUEST);
    }
    if target.is_empty() || !target.iter().all(|&b| b.is_ascii_graphic()) {
        return Err(Status::BAD_REQUEST);
    }
    let minor = match version {
        b"HTTP/1.1" => 1,
        b"HTTP/1.0" => 0,
        v if v.starts_with(b"HTTP/") && v.len() == 8 => return Err(Status::VERSION),
        _ => return Err(Status::BAD_REQUEST),
    };
    // Both checked to be ASCII above.
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    Ok((text(method), text(target), minor))
}

fn header_parts(line: &[u8]) -> Result<(String, String), Status> {
    let colon = line
        .iter()
        .position(|&b| b == b':')
        .ok_or(Status::BAD_REQUEST)?;
    let (name, value) = (&line[..colon], &line[colon + 1..]);
    if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
        return Err(Status::BAD_REQUEST); // includes a space before the colon
    }
    if value
        .iter()
        .any(|&b| (b.is_ascii_control() && b != b'\t') || b == 0x7f)
    {
        return Err(Status::BAD_REQUEST);
    }
    let value = String::from_utf8_lossy(value)
        .trim_matches([' ', '\t'])
        .to_string();
    Ok((String::from_utf8_lossy(name).into_owned(), value))
}

fn parse_length(value: &str) -> Result<usize, Status> {
    if value.is_empty() || value.len() > 19 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Status::BAD_REQUEST);
    }
    value.parse().map_err(|_| Status::BAD_REQUEST)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse_all(bytes: &[u8]) -> Parse {
        let mut p = Parser::new();
        p.feed(bytes);
        p.next()
    }

    fn request(bytes: &[u8]) -> Request {
        match parse_all(bytes) {
            Parse::Request(r) => r,
            other => panic!("{other:?} for {:?}", String::from_utf8_lossy(bytes)),
        }
    }

    #[test]
    fn a_get_with_headers_and_keep_alive_defaults() {
        let r = request(b"GET /a?b=c HTTP/1.1\r\nHost: x\r\nAccept:  */* \r\n\r\n");
        assert_eq!(r.method, "GET");
        assert_eq!(r.target, "/a?b=c");
        assert_eq!(r.minor, 1);
        assert_eq!(r.headers[1], ("Accept".to_string(), "*/*".to_string()));
        assert!(r.keep_alive);
        assert!(!request(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n").keep_alive);
        assert!(!request(b"GET / HTTP/1.0\r\n\r\n").keep_alive);
        assert!(request(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive);
    }

    #[test]
    fn a_body_by_content_length_and_pipelined_requests() {
        let mut p = Parser::new();
        p.feed(b"POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhel");
        assert_eq!(p.next(), Parse::Incomplete);
        p.feed(b"loGET /y HTTP/1.1\r\n\r\n");
        let Parse::Request(first) = p.next() else {
            panic!("first")
        };
        assert_eq!(first.body, b"hello");
        let Parse::Request(second) = p.next() else {
            panic!("second")
        };
        assert_eq!(second.target, "/y");
        assert_eq!(p.next(), Parse::Incomplete);
        assert_eq!(p.buffered(), 0);
    }

    #[test]
    fn bad_requests_get_the_right_status() {
        for (bytes, status) in [
            (&b"garbage\r\n\r\n"[..], 400),
            (b"hello", 400),
            (b"GET /\r\n\r\n", 400),
            (b"GET / HTTP/1.1 extra\r\n\r\n", 400),
            (b"GET / HTTP/2.0\r\n\r\n", 505),
            (b"GET / FTP/1.1\r\n\r\n", 400),
            (b"GET / HTTP/1.1\nHost: x\n\n", 400),
            (b"GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nName : v\r\n\r\n", 400),
            (b"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
            (
                b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                400,
            ),
            (
                b"GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
                400,
            ),
            (b"POST / HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", 413),
            (
                b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
                501,
            ),
            (b"GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n", 400),
        ] {
            assert_eq!(
                parse_all(bytes),
                Parse::Error(Status(status)),
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    #[test]
    fn an_oversized_head_is_413_with_bounded_memory() {
        let mut p = Parser::new();
        p.feed(b"GET / HTTP/1.1\r\n");
        let line = b"X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
        let mut fed = 0;
        loop {
            p.feed(line);
            fed += line.len();
            match p.next() {
                Parse::Incomplete => assert!(fed < 1 << 20, "never refused"),
                Parse::Error(s) => {
                    assert_eq!(s, Status::TOO_LARGE);
                    break;
                }
                Parse::Request(r) => panic!("{r:?}"),
            }
            assert!(p.buffered() <= MAX_HEAD + line.len());
        }
        // Later bytes are not buffered: the connection is done.
        p.feed(b"more");
        assert_eq!(p.buffered(), 0);
        assert_eq!(p.next(), Parse::Error(Status::TOO_LARGE));
    }

    #[test]
    fn progress_says_which_part_is_awaited() {
        let mut p = Parser::new();
        assert_eq!(p.progress(), Progress::Nothing);
        p.feed(b"POST / HTTP/1.1\r\nContent-Le");
        assert_eq!(p.next(), Parse::Incomplete);
        assert_eq!(p.progress(), Progress::Head);
        p.feed(b"ngth: 3\r\n\r\nab");
        assert_eq!(p.next(), Parse::Incomplete);
        assert_eq!(p.progress(), Progress::Body);
        p.feed(b"c");
        assert!(matches!(p.next(), Parse::Request(_)));
        assert_eq!(p.progress(), Progress::Nothing);
        assert_eq!(Status::TIMEOUT.reason(), "Request Timeout");
    }

    /// A valid request, from parts proptest picks.
    fn valid_request() -> impl Strategy<Value = Vec<u8>> {
        (
            prop::sample::select(vec!["GET", "POST", "PUT", "DELETE"]),
            "/[a-z0-9/._-]{0,30}",
            prop::collection::vec(("[A-Za-z][A-Za-z0-9-]{0,15}", "[ -~]{0,40}"), 0..8),
            prop::collection::vec(any::<u8>(), 0..64),
        )
            .prop_map(|(method, target, headers, body)| {
                let mut out = format!("{method} {target} HTTP/1.1\r\n").into_bytes();
                for (name, value) in headers {
                    let lower = name.to_ascii_lowercase();
                    if lower == "content-length" || lower == "transfer-encoding" {
                        continue;
                    }
                    out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
                }
                out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
                out.extend_from_slice(&body);
                out
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_bytes_never_panic_and_get_an_answer(
            chunks in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 0..20)
        ) {
            let mut p = Parser::new();
            for chunk in &chunks {
                p.feed(chunk);
                match p.next() {
                    Parse::Incomplete | Parse::Request(_) => {}
                    Parse::Error(s) => prop_assert!(matches!(s.0, 400 | 413 | 501 | 505)),
                }
                prop_assert!(p.buffered() <= MAX_HEAD + MAX_BODY + 300 + 4);
            }
        }

        #[test]
        fn what_is_not_http_gets_400(line in "[a-z0-9 ]{1,40}") {
            // A lowercase first byte is never a method.
            let bytes = format!("{line}\r\n\r\n");
            prop_assert_eq!(parse_all(bytes.as_bytes()), Parse::Error(Status::BAD_REQUEST));
        }

        #[test]
        fn a_request_split_anywhere_parses_as_in_one_piece(
            bytes in valid_request(),
            cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
        ) {
            let whole = request(&bytes);
            let mut points: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
            points.sort_unstable();
            let mut p = Parser::new();
            let mut last = 0;
            let mut got = None;
            for &cut in points.iter().chain(std::iter::once(&bytes.len())) {
                p.feed(&bytes[last..cut]);
                last = cut;
                match p.next() {
                    Parse::Incomplete => {}
                    Parse::Request(r) => got = Some(r),
                    Parse::Error(s) => prop_assert!(false, "{s:?} at cut {cut}"),
                }
            }
            prop_assert_eq!(got, Some(whole));
        }
    }
}
