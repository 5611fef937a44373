//! The values of literals, read from their source text.
//!
//! Stable `proc_macro::Literal` has no accessor for its value, only
//! `to_string()`, which gives the literal as written (`0x2a_u64`, `"5s"`,
//! `r#"5s"#`). These functions read that text. They work on `&str`, so the
//! unit tests below run outside a macro invocation (where `proc_macro`'s
//! types cannot be created).

/// The value of an unsigned integer literal: decimal, `0x`, `0o` or `0b`,
/// with `_` separators and an optional unsigned suffix (`7`, `7u64`,
/// `0xdead_beef`). `Err` says what is wrong.
pub(crate) fn parse_unsigned(text: &str) -> Result<u128, String> {
    let mut digits = text;
    for suffix in ["u8", "u16", "u32", "u64", "u128", "usize"] {
        // A hex literal may end in digits that look like a suffix's
        // (`0xu8` is not valid Rust anyway, but `0x1u8` is 1u8).
        if let Some(stripped) = digits.strip_suffix(suffix) {
            digits = stripped;
            break;
        }
    }
    let (radix, body) = match digits.get(..2) {
        Some("0x") => (16, &digits[2..]),
        Some("0o") => (8, &digits[2..]),
        Some("0b") => (2, &digits[2..]),
        _ => (10, digits),
    };
    let body: String = body.chars().filter(|&c| c != '_').collect();
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return Err(format!("expected an unsigned integer, found `{text}`"));
    }
    u128::from_str_radix(&body, radix).map_err(|_| format!("`{text}` is too large"))
}

/// The contents of a string literal without escapes (`"5s"`, `r"5s"`,
/// `r#"5s"#`). Byte strings, C strings and escapes are refused: no option
/// needs them.
pub(crate) fn parse_str(text: &str) -> Result<String, String> {
    let not_a_string = || format!("expected a string literal such as \"5s\", found `{text}`");
    if let Some(raw) = text.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let inner = raw
            .get(hashes..raw.len().saturating_sub(hashes))
            .and_then(|s| s.strip_prefix('"'))
            .and_then(|s| s.strip_suffix('"'))
            .ok_or_else(not_a_string)?;
        return Ok(inner.to_owned());
    }
    let inner = text
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .ok_or_else(not_a_string)?;
    if inner.contains('\\') {
        return Err(format!(
            "escapes are not supported here; write the value plainly, found `{text}`"
        ));
    }
    Ok(inner.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsigned_integers_in_every_radix_and_with_suffixes() {
        assert_eq!(parse_unsigned("7"), Ok(7));
        assert_eq!(parse_unsigned("7u64"), Ok(7));
        assert_eq!(parse_unsigned("1_000_usize"), Ok(1000));
        assert_eq!(parse_unsigned("0xdead_beef"), Ok(0xdead_beef));
        assert_eq!(parse_unsigned("0x1u8"), Ok(1));
        assert_eq!(parse_unsigned("0o17"), Ok(0o17));
        assert_eq!(parse_unsigned("0b101"), Ok(5));
        assert_eq!(
            parse_unsigned("340282366920938463463374607431768211455"),
            Ok(u128::MAX)
        );
    }

    #[test]
    fn what_is_not_an_unsigned_integer() {
        for bad in ["7i32", "1.5", "\"7\"", "'7'", "0x", "0xg", "1e3", "true"] {
            assert!(parse_unsigned(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(
            parse_unsigned("340282366920938463463374607431768211456"),
            Err("`340282366920938463463374607431768211456` is too large".into())
        );
    }

    #[test]
    fn strings_plain_and_raw() {
        assert_eq!(parse_str("\"5s\""), Ok("5s".into()));
        assert_eq!(parse_str("r\"5s\""), Ok("5s".into()));
        assert_eq!(parse_str("r#\"a\"b\"#"), Ok("a\"b".into()));
        assert_eq!(parse_str("\"\""), Ok(String::new()));
    }

    #[test]
    fn what_is_not_a_plain_string() {
        for bad in ["5", "b\"5s\"", "c\"5s\"", "'5'", "\"a\\nb\"", "r#\"5s\""] {
            assert!(parse_str(bad).is_err(), "{bad} accepted");
        }
    }
}
