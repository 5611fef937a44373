//! JSON for the demos' hand-written JSON output (every `--json`, the
//! timeline page's embedded data): string literals, numbers, and a small
//! builder for objects.

/// `s` as a JSON string literal, quotes included.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A number with 3 decimals, or `null` if it is not finite (JSON has no
/// NaN or infinity).
pub fn number(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.3}")
    } else {
        "null".to_string()
    }
}

/// `[a, b, ...]` of already-encoded values.
pub fn array(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    format!("[{}]", items.join(", "))
}

/// A JSON object built key by key, in order.
#[derive(Default)]
pub struct Object {
    fields: Vec<String>,
}

impl Object {
    /// An empty object.
    pub fn new() -> Object {
        Object::default()
    }

    /// Adds `key` with an already-encoded JSON value.
    pub fn raw(mut self, key: &str, value: String) -> Object {
        self.fields.push(format!("{}: {value}", string(key)));
        self
    }

    /// Adds a string.
    pub fn str(self, key: &str, value: &str) -> Object {
        self.raw(key, string(value))
    }

    /// Adds a number (`null` if not finite).
    pub fn num(self, key: &str, value: f64) -> Object {
        self.raw(key, number(value))
    }

    /// Adds an integer.
    pub fn int(self, key: &str, value: impl Into<i128>) -> Object {
        self.raw(key, value.into().to_string())
    }

    /// Adds a number, or `null` for `None`.
    pub fn opt_num(self, key: &str, value: Option<f64>) -> Object {
        self.raw(key, value.map_or("null".to_string(), number))
    }

    /// Adds a boolean.
    pub fn bool(self, key: &str, value: bool) -> Object {
        self.raw(key, value.to_string())
    }

    /// The object's text, `{"a": 1, "b": "x"}`.
    pub fn finish(self) -> String {
        format!("{{{}}}", self.fields.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_numbers_and_strings() {
        let o = Object::new()
            .str("s", "a\"b\n")
            .num("x", 1.5)
            .num("nan", f64::NAN)
            .int("n", 3u64)
            .opt_num("none", None)
            .bool("b", true)
            .raw("a", array(["1".to_string(), "2".to_string()]))
            .finish();
        assert_eq!(
            o,
            r#"{"s": "a\"b\u000a", "x": 1.500, "nan": null, "n": 3, "none": null, "b": true, "a": [1, 2]}"#
        );
    }
}
