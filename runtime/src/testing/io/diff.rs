//! Byte strings for humans: [`show`] writes bytes as an escaped Rust byte
//! string literal (`b"GET / HTTP/1.1\r\n"`), shortened around the part that
//! matters; [`diff`] writes two of them one above the other with a caret
//! under the first byte that differs. What a mock stream's panic shows.

use std::fmt::Write as _;

/// Bytes shown before the first difference at most; earlier ones become `…`.
const BEFORE: usize = 24;
/// Bytes shown from the first difference on at most; later ones become `…`.
const AFTER: usize = 40;
/// Bytes [`show`] writes in full; a longer string is cut in the middle.
const WHOLE: usize = 64;

/// One byte as it would appear inside `b"..."`.
fn escape(byte: u8, out: &mut String) {
    match byte {
        b'\n' => out.push_str("\\n"),
        b'\r' => out.push_str("\\r"),
        b'\t' => out.push_str("\\t"),
        b'\0' => out.push_str("\\0"),
        b'\\' => out.push_str("\\\\"),
        b'"' => out.push_str("\\\""),
        0x20..=0x7e => out.push(char::from(byte)),
        _ => {
            let _ = write!(out, "\\x{byte:02x}");
        }
    }
}

fn escaped(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    for &b in bytes {
        escape(b, &mut out);
    }
    out
}

/// `bytes` as a byte string literal; longer than [`WHOLE`] bytes, its middle
/// is cut and the total length given: `b"head"…b"tail" (300 bytes)`.
pub(crate) fn show(bytes: &[u8]) -> String {
    if bytes.len() <= WHOLE {
        return format!("b\"{}\"", escaped(bytes));
    }
    let half = WHOLE / 2;
    format!(
        "b\"{}\"…b\"{}\" ({} bytes)",
        escaped(&bytes[..half]),
        escaped(&bytes[bytes.len() - half..]),
        bytes.len()
    )
}

/// Three lines: `expected` and `written` as byte strings, cut to the same
/// window around byte `at` (where they first differ), and a caret under it:
///
/// ```text
///   expected: b"HTTP/1.1 200 OK\r\n"
///   written:  b"HTTP/1.1 404 Not Found\r\n"
///                        ^ first difference: byte 9
/// ```
///
/// `at` may equal the length of one of them (the other goes on).
pub(crate) fn diff(expected: &[u8], written: &[u8], at: usize) -> String {
    let start = at.saturating_sub(BEFORE);
    let end = at + AFTER;
    let line = |label: &str, bytes: &[u8]| {
        let from = start.min(bytes.len());
        let to = end.min(bytes.len());
        format!(
            "  {label:<10}{}b\"{}\"{}",
            if from > 0 { "…" } else { "" },
            escaped(&bytes[from..to]),
            if to < bytes.len() { "…" } else { "" },
        )
    };
    // Both lines cut at the same byte, so their escaped prefixes line up
    // until the difference: the caret goes under the first differing byte.
    let lead = 2 + 10 + usize::from(start > 0) + 2;
    let same = &expected[start.min(expected.len())..at.min(expected.len())];
    let column = lead + escaped(same).len();
    format!(
        "{}\n{}\n{}^ first difference: byte {at}",
        line("expected:", expected),
        line("written:", written),
        " ".repeat(column),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_escapes_like_a_byte_string_literal() {
        assert_eq!(
            show(b"a\"b\\c\r\n\t\0\x7f\xff"),
            r#"b"a\"b\\c\r\n\t\0\x7f\xff""#
        );
    }

    #[test]
    fn show_cuts_long_strings_in_the_middle() {
        let long = vec![b'x'; 300];
        let shown = show(&long);
        assert!(shown.ends_with("(300 bytes)"), "{shown}");
        assert!(shown.len() < 100, "{shown}");
    }

    #[test]
    fn the_caret_points_at_the_first_difference() {
        let d = diff(b"HTTP/1.1 200 OK\r\n", b"HTTP/1.1 404 Not Found\r\n", 9);
        let lines: Vec<&str> = d.lines().collect();
        assert_eq!(lines[0], r#"  expected: b"HTTP/1.1 200 OK\r\n""#);
        assert_eq!(lines[1], r#"  written:  b"HTTP/1.1 404 Not Found\r\n""#);
        let caret = lines[2].find('^').unwrap();
        assert_eq!(&lines[0][caret..caret + 1], "2");
        assert_eq!(&lines[1][caret..caret + 1], "4");
        assert!(lines[2].ends_with("^ first difference: byte 9"));
    }

    #[test]
    fn the_caret_counts_escapes_and_long_prefixes_are_cut() {
        let mut expected = vec![b'\n'; 100];
        let mut written = expected.clone();
        expected.extend_from_slice(b"ok");
        written.extend_from_slice(b"no");
        let d = diff(&expected, &written, 100);
        let lines: Vec<&str> = d.lines().collect();
        assert!(lines[0].contains("…"), "{d}");
        let caret = lines[2].chars().position(|c| c == '^').unwrap();
        assert_eq!(lines[0].chars().nth(caret), Some('o'), "{d}");
        assert_eq!(lines[1].chars().nth(caret), Some('n'), "{d}");
    }
}
