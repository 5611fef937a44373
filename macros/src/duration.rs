//! `timeout = "..."`: a duration written the way people say it.
//!
//! The accepted forms are a number, optionally with a decimal fraction, and
//! one unit: `ms`, `s`, `m`, `h` ("250ms", "5s", "1.5s", "2m", "1h"). The
//! result is whole milliseconds, the resolution of the runtime's timer wheel,
//! so "0.5ms" is refused rather than silently rounded.

/// What the error message shows as the accepted forms.
pub(crate) const FORMS: &str = "\"250ms\", \"5s\", \"1.5s\", \"2m\", \"1h\"";

/// Milliseconds in `text`, or why it is not a duration.
pub(crate) fn parse_millis(text: &str) -> Result<u64, String> {
    let bad = |why: &str| format!("{why}; write a duration such as {FORMS}");
    let number_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(|| bad(&format!("`{text}` has no unit")))?;
    let (number, unit) = text.split_at(number_end);
    let unit_millis: u64 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => return Err(bad(&format!("`{text}` is not a duration"))),
    };
    let (whole, fraction) = match number.split_once('.') {
        Some((w, f)) => (w, f),
        None => (number, ""),
    };
    if whole.is_empty() || (number.contains('.') && fraction.is_empty()) || fraction.contains('.') {
        return Err(bad(&format!("`{text}` is not a duration")));
    }
    let too_long = || bad(&format!("`{text}` is too long"));
    let whole: u64 = whole.parse().map_err(|_| too_long())?;
    let mut millis = whole.checked_mul(unit_millis).ok_or_else(too_long)?;
    // The fraction is `digits / 10^len` units: exact in milliseconds, or
    // refused. An hour is 3.6e6 ms, so no unit has a whole-millisecond
    // fraction longer than 7 digits (trailing zeros aside).
    let fraction = fraction.trim_end_matches('0');
    if !fraction.is_empty() {
        let not_whole = || {
            bad(&format!(
                "`{text}` is not a whole number of milliseconds (the timer's resolution)"
            ))
        };
        if fraction.len() > 7 {
            return Err(not_whole());
        }
        let digits: u64 = fraction.parse().map_err(|_| not_whole())?;
        let denominator = 10u64.pow(fraction.len() as u32);
        let scaled = digits * unit_millis;
        if scaled % denominator != 0 {
            return Err(not_whole());
        }
        millis = millis
            .checked_add(scaled / denominator)
            .ok_or_else(too_long)?;
    }
    if millis == 0 {
        return Err(bad("the timeout must be longer than zero"));
    }
    Ok(millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_forms() {
        assert_eq!(parse_millis("250ms"), Ok(250));
        assert_eq!(parse_millis("5s"), Ok(5_000));
        assert_eq!(parse_millis("1.5s"), Ok(1_500));
        assert_eq!(parse_millis("0.25s"), Ok(250));
        assert_eq!(parse_millis("0.001s"), Ok(1));
        assert_eq!(parse_millis("2m"), Ok(120_000));
        assert_eq!(parse_millis("1.5m"), Ok(90_000));
        assert_eq!(parse_millis("1h"), Ok(3_600_000));
        assert_eq!(parse_millis("10s"), Ok(10_000));
        assert_eq!(parse_millis("1.50s"), Ok(1_500));
        assert_eq!(parse_millis("0.00001h"), Ok(36));
    }

    #[test]
    fn refused_forms_say_which_are_accepted() {
        for bad in [
            "5",
            "5 s",
            "5sec",
            "s",
            ".5s",
            "5.s",
            "1.2.3s",
            "-5s",
            "5us",
            "",
            "0s",
            "0.0s",
            "0.5ms",
            "0.05ms",
            "0.0001s",
            "0.00000001h",
            "1d",
        ] {
            let err = parse_millis(bad).expect_err(bad);
            assert!(err.contains(FORMS), "{bad}: {err}");
        }
        assert!(parse_millis("99999999999999999999h").is_err());
        assert!(parse_millis("9999999999999999h").is_err());
    }
}
