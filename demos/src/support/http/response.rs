//! Responses: the one `demo serve` writes, and what the clients of `demo
//! load` and `demo fetch` read of one (its status, its length, the model
//! its server names).

use super::{MAX_HEAD, Status, find};

/// A whole response: status line, `Content-Length`, `Connection`,
/// `X-Model` (which model served it: `load --addr` reads it to know what it
/// measures), body.
pub fn response(status: Status, body: &[u8], keep_alive: bool, model: &str) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nContent-Type: text/plain\r\nConnection: {}\r\nX-Model: {model}\r\n\r\n",
        status.0,
        status.reason(),
        body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// For clients: if `buf` starts with a whole response head, its status and
/// the length of head plus body (`Content-Length`; a response without one
/// is taken to have no body).
///
/// # Errors
/// If the head is not a valid response head.
pub fn response_head(buf: &[u8]) -> Result<Option<(u16, usize)>, String> {
    let Some(head_len) = find(buf, b"\r\n\r\n").map(|i| i + 4) else {
        if buf.len() > MAX_HEAD {
            return Err("response head over 8 KiB".into());
        }
        return Ok(None);
    };
    let head = String::from_utf8_lossy(&buf[..head_len - 4]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| status_line.strip_prefix("HTTP/1.0 "))
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| format!("not an HTTP response: {status_line:?}"))?;
    let mut body = 0;
    for line in lines {
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            body = value
                .trim()
                .parse::<usize>()
                .map_err(|_| format!("bad Content-Length: {value:?}"))?;
        }
    }
    Ok(Some((status, head_len + body)))
}

/// The value of an `X-Model` header (any case) in a response's head.
pub fn model_header(response: &[u8]) -> Option<String> {
    let head_end = response.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&response[..head_end]).ok()?;
    head.split("\r\n").skip(1).find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("x-model")
            .then(|| value.trim().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_and_response_heads_round_trip() {
        let bytes = response(Status::OK, b"hello\n", true, "loop");
        assert_eq!(response_head(&bytes), Ok(Some((200, bytes.len()))));
        assert_eq!(response_head(&bytes[..10]), Ok(None));
        assert!(response_head(b"SSH-2.0\r\n\r\n").is_err());
    }

    #[test]
    fn the_model_header_is_found_in_any_case() {
        let r = b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nx-MODEL: loop \r\n\r\nhello\n";
        assert_eq!(model_header(r), Some("loop".to_string()));
        let r = b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nX-Model: in the body\n";
        assert_eq!(model_header(r), None);
        assert_eq!(model_header(b"HTTP/1.1 200 OK\r\n"), None);
    }
}
