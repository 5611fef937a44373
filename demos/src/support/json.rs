//! The demos' JSON: every `--json` output is built here, from
//! `serde_json` values (serde_json writes and escapes them; the demos have
//! no escaper of their own), in one layout:
//!
//! ```text
//! {"a": 1, "b": "x", "c": [1.500, null]}
//! ```
//!
//! one line, a space after each `:` and `,`, keys in the order a demo adds
//! them, floats with 3 decimals and `null` for a float that is not finite
//! (JSON has no NaN or infinity). The timeline page's embedded data is
//! `serde_json` too (`cmd/timeline.rs`).
//!
//! The subcommands of the claims of issue #16 print one self-describing
//! object (command, seeds, title, params, machine, measurements, series to
//! plot, verdicts, notes) so that a report page can show any of them
//! without knowing it: that shape is written down in `report.rs`.

use std::fmt;
use std::io;

pub use serde_json::Value;
use serde_json::ser::Formatter;

/// A JSON object built key by key, in order; [`fmt::Display`] writes it in
/// the demos' layout, `Value::from` nests it in another value.
#[derive(Clone, Debug, Default)]
pub struct Object(serde_json::Map<String, Value>);

impl Object {
    /// An empty object.
    pub fn new() -> Object {
        Object::default()
    }

    /// Adds `key` with any JSON value (an array, an object, `Option`s as
    /// `null`...).
    pub fn value(mut self, key: &str, value: impl Into<Value>) -> Object {
        self.0.insert(key.to_string(), value.into());
        self
    }

    /// Adds a string.
    pub fn str(self, key: &str, value: &str) -> Object {
        self.value(key, value)
    }

    /// Adds a number (`null` if not finite).
    pub fn num(self, key: &str, value: f64) -> Object {
        self.value(key, number(value))
    }

    /// Adds a whole number.
    pub fn int(self, key: &str, value: u64) -> Object {
        self.value(key, value)
    }

    /// Adds a number, or `null` for `None`.
    pub fn opt_num(self, key: &str, value: Option<f64>) -> Object {
        self.value(key, value.map_or(Value::Null, number))
    }

    /// Adds a boolean.
    pub fn bool(self, key: &str, value: bool) -> Object {
        self.value(key, value)
    }
}

impl From<Object> for Value {
    fn from(object: Object) -> Value {
        Value::Object(object.0)
    }
}

impl fmt::Display for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, Layout);
        serde::Serialize::serialize(&self.0, &mut ser).map_err(|_| fmt::Error)?;
        f.write_str(&String::from_utf8_lossy(&out))
    }
}

/// A float as a JSON number, or `null` if it is not finite.
pub fn number(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// `[a, b, ...]`.
pub fn array<T: Into<Value>>(items: impl IntoIterator<Item = T>) -> Value {
    Value::Array(items.into_iter().map(Into::into).collect())
}

/// The demos' layout (see the module doc); the rest is serde_json's
/// compact formatter, its string escaping included.
struct Layout;

impl Formatter for Layout {
    fn write_f64<W: ?Sized + io::Write>(&mut self, w: &mut W, value: f64) -> io::Result<()> {
        write!(w, "{value:.3}")
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        separate(w, first)
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        separate(w, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
}

/// `, ` before every item but the first.
fn separate<W: ?Sized + io::Write>(w: &mut W, first: bool) -> io::Result<()> {
    if first { Ok(()) } else { w.write_all(b", ") }
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
            .int("n", 3)
            .opt_num("none", None)
            .bool("b", true)
            .value("a", array([1, 2]))
            .value("o", Object::new().num("whole", 2.0))
            .value("empty", array(Vec::<Value>::new()));
        assert_eq!(
            o.to_string(),
            r#"{"s": "a\"b\n", "x": 1.500, "nan": null, "n": 3, "none": null, "b": true, "a": [1, 2], "o": {"whole": 2.000}, "empty": []}"#
        );
    }

    #[test]
    fn what_it_writes_parses_back() {
        let o = Object::new().str("ctl", "\u{1}\t\\").num("x", -0.25);
        let back: Value = serde_json::from_str(&o.to_string()).unwrap();
        assert_eq!(back["ctl"], "\u{1}\t\\");
        assert_eq!(back["x"], -0.25);
    }
}
