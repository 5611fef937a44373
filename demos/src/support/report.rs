//! The self-describing `--json` of a claim's subcommand: what a page such as
//! `demo report` needs to show any claim without knowing it in advance
//! (the title, the seeds it comes from, the sizes, the verdicts with their
//! criteria, and the curves or bars to plot).
//!
//! The subcommands of issue #16 (`switch-scale`, `unbounded`, `latency`,
//! `hybrid`, `scale`, `counter`, `baseline`) print one object in this
//! shape (one line, `support/json.rs`'s layout), with keys in this order:
//!
//! ```text
//! {
//!   "command":  "switch-scale",                 // the subcommand
//!   "seeds":    ["001"],                        // the seed articles it measures
//!   "title":    "Switch cost grows with the number of threads",
//!   "params":   {"counts": [2, 16], ...},       // the sizes used (after --quick and explicit values)
//!   "machine":  {"cores": 2, "load_average": 4.1},
//!   ...                                         // the subcommand's own measurements
//!   "series":   [{"plot": "cost per switch",    // series with the same "plot" share one chart
//!                 "label": "threads",           // the legend
//!                 "x_label": "threads (or tasks)", "y_label": "ns per switch",
//!                 "x": [2, 16],                 // numbers: a curve; strings: bars, one per category
//!                 "y": [7900.0, 9100.0],        // the medians (null: not measured)
//!                 "y_min": [...], "y_max": [...], // optional: the range of the repetitions
//!                 "x_log": true}],              // optional: x spans decades, draw it logarithmic
//!   "verdicts": [{"claim": ..., "criterion": ..., "holds": "yes|no|partly|measurement error|not run",
//!                 "reason": null, "detail": ...}],
//!   "notes":    ["..."]                         // plain sentences the text output prints too
//! }
//! ```
//!
//! `y` values are numbers or `null` (a point not measured, e.g. a thread
//! count the OS refused); `x`, `y`, `y_min` and `y_max` have the same
//! length. Progress messages go to stderr, never into this object.

use crate::support::json::{self, Object, Value};
use crate::support::measure::{self, Spread};
use crate::support::verdict::{self, Verdict};

/// One curve (numeric `x`) or set of bars (string `x`) to plot.
#[derive(Clone, Debug)]
pub struct Series {
    plot: String,
    label: String,
    x_label: String,
    y_label: String,
    x: Vec<Value>,
    y: Vec<Value>,
    y_min: Vec<Value>,
    y_max: Vec<Value>,
    ranged: bool,
    x_log: bool,
}

impl Series {
    /// An empty series of chart `plot`, drawn as `label`.
    pub fn new(plot: &str, label: &str, x_label: &str, y_label: &str) -> Series {
        Series {
            plot: plot.into(),
            label: label.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            x: Vec::new(),
            y: Vec::new(),
            y_min: Vec::new(),
            y_max: Vec::new(),
            ranged: false,
            x_log: false,
        }
    }

    /// Marks `x` as spanning decades (a logarithmic axis).
    pub fn log_x(mut self) -> Series {
        self.x_log = true;
        self
    }

    /// Adds a point; `None` is a point not measured (`null`).
    pub fn point(mut self, x: impl Into<Value>, y: Option<f64>) -> Series {
        self.x.push(x.into());
        let y = y.map_or(Value::Null, json::number);
        self.y_min.push(y.clone());
        self.y_max.push(y.clone());
        self.y.push(y);
        self
    }

    /// Adds a point from repeated measurements: the median, with the range.
    pub fn spread(mut self, x: impl Into<Value>, s: Option<&Spread>) -> Series {
        self.ranged = true;
        self.x.push(x.into());
        let pick = |f: fn(&Spread) -> f64| s.map_or(Value::Null, |s| json::number(f(s)));
        self.y.push(pick(|s| s.median));
        self.y_min.push(pick(|s| s.min));
        self.y_max.push(pick(|s| s.max));
        self
    }

    /// The series as JSON (see the module doc).
    pub fn json(&self) -> Value {
        let mut o = Object::new()
            .str("plot", &self.plot)
            .str("label", &self.label)
            .str("x_label", &self.x_label)
            .str("y_label", &self.y_label)
            .value("x", json::array(self.x.clone()))
            .value("y", json::array(self.y.clone()));
        if self.ranged {
            o = o
                .value("y_min", json::array(self.y_min.clone()))
                .value("y_max", json::array(self.y_max.clone()));
        }
        if self.x_log {
            o = o.bool("x_log", true);
        }
        o.into()
    }
}

/// A claim's `--json` object, built in the order of the module doc.
pub struct Report {
    head: Object,
    body: Object,
}

impl Report {
    /// Starts the object: command, seeds, title, params, and the machine
    /// (cores in the affinity mask, load average now).
    pub fn new(command: &str, seeds: &[&str], title: &str, params: Object) -> Report {
        let cores = measure::cores();
        let head = Object::new()
            .str("command", command)
            .value("seeds", json::array(seeds.iter().copied()))
            .str("title", title)
            .value("params", params)
            .value(
                "machine",
                Object::new()
                    .int("cores", cores as u64)
                    .opt_num("load_average", measure::load_average()),
            );
        Report {
            head,
            body: Object::new(),
        }
    }

    /// Adds one of the subcommand's own measurements.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Report {
        self.body = self.body.value(key, value);
        self
    }

    /// The whole object: the head, the measurements, then series, verdicts
    /// and notes.
    pub fn finish(self, series: &[Series], verdicts: &[Verdict], notes: &[String]) -> Object {
        let mut out = self.head;
        if let Value::Object(body) = Value::from(self.body) {
            for (k, v) in body {
                out = out.value(&k, v);
            }
        }
        out.value("series", json::array(series.iter().map(Series::json)))
            .value("verdicts", verdict::json_array(verdicts))
            .value("notes", json::array(notes.iter().map(String::as_str)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::verdict::Holds;

    #[test]
    fn the_shape_has_every_key_in_order() {
        let s = Series::new("cost", "threads", "n", "ns")
            .log_x()
            .spread(2, Spread::of(&[1.0, 3.0, 2.0]).as_ref())
            .spread(16, None);
        let bars = Series::new("cost", "cell", "kind", "ns").point("mutex", Some(4.0));
        let v = Verdict::new("c", "k", Holds::Yes, "d");
        let out = Report::new("x", &["001"], "t", Object::new().int("n", 2))
            .with("extra", 1)
            .finish(&[s, bars], &[v], &["a note".to_string()])
            .to_string();
        let back: Value = serde_json::from_str(&out).unwrap();
        let keys: Vec<&str> = back
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "command", "seeds", "title", "params", "machine", "extra", "series", "verdicts",
                "notes"
            ]
        );
        let curve = &back["series"][0];
        assert_eq!(curve["x"], serde_json::json!([2, 16]));
        assert_eq!(curve["y"], serde_json::json!([2.0, null]));
        assert_eq!(curve["y_min"], serde_json::json!([1.0, null]));
        assert_eq!(curve["x_log"], true);
        let bars = &back["series"][1];
        assert_eq!(bars["x"], serde_json::json!(["mutex"]));
        assert!(bars.get("y_min").is_none(), "no range for single values");
        assert_eq!(back["verdicts"][0]["holds"], "yes");
        assert!(back["machine"]["cores"].as_u64().unwrap() >= 1);
    }
}
