//! The charts a subcommand asks for: every `series` array anywhere in its
//! `--json` object, in the self-describing shape of the claims' JSON
//! (`support/report.rs` where the subcommands build it):
//!
//! ```text
//! "series": [{"plot": "cost per switch",   // series with the same plot share a chart
//!             "label": "threads",          // the legend
//!             "x_label": "...", "y_label": "...",
//!             "x": [2, 16],                // numbers: a curve; strings: bars, one group per category
//!             "y": [7900.0, null],         // null: not measured (not drawn)
//!             "y_min": [...], "y_max": [...],  // optional: the repetitions' range, a whisker
//!             "x_log": true}]              // optional: a logarithmic x axis
//! ```
//!
//! A series without `plot` shares a chart with those of the same axis
//! labels. Numbers are drawn as a line chart, categories as grouped bars
//! (a group per category, a bar per series; a lone series, a bar per
//! category).

use crate::cmd::report::svg::{Bar, Bars, Group, Lines, Point, Series};
use crate::support::json::Value;

/// Every chart of every `series` array in `json` (recursively; `path` is
/// where `json` is, for the title of a nested one).
pub fn charts(json: &Value, path: &str, out: &mut Vec<String>) {
    match json {
        Value::Object(map) => {
            for (key, value) in map {
                match value {
                    Value::Array(items) if key == "series" => draw(items, path, out),
                    _ => charts(value, &format!("{path}/{key}"), out),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                charts(item, &format!("{path}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The series of one chart.
struct Chart<'a> {
    key: String,
    title: String,
    x_label: &'a str,
    y_label: &'a str,
    items: Vec<&'a Value>,
}

/// The charts of one `series` array, in the order their first series come.
fn draw(items: &[Value], path: &str, out: &mut Vec<String>) {
    let text = |v: &'_ Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let mut charts: Vec<Chart> = Vec::new();
    for item in items {
        let (x_label, y_label) = (
            item.get("x_label").and_then(Value::as_str).unwrap_or(""),
            item.get("y_label").and_then(Value::as_str).unwrap_or(""),
        );
        let plot = text(item, "plot");
        let key = if plot.is_empty() {
            format!("{x_label}\n{y_label}")
        } else {
            plot.clone()
        };
        match charts.iter_mut().find(|c| c.key == key) {
            Some(chart) => chart.items.push(item),
            None => {
                let at = path.trim_start_matches('/');
                let mut title = if plot.is_empty() {
                    format!("{y_label} vs {x_label}")
                } else {
                    plot
                };
                if !at.is_empty() {
                    title.push_str(&format!(" ({at})"));
                }
                charts.push(Chart {
                    key,
                    title,
                    x_label,
                    y_label,
                    items: vec![item],
                });
            }
        }
    }
    out.extend(charts.iter().filter_map(chart));
}

/// The values of `item[key]` as floats (`null` and non-numbers as NaN).
fn floats(item: &Value, key: &str) -> Vec<f64> {
    item.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|v| v.as_f64().unwrap_or(f64::NAN)).collect())
        .unwrap_or_default()
}

/// One point of a series as given: its x (a number or a category), its y,
/// and its range where `y_min` and `y_max` are given.
type Given = (Value, f64, Option<(f64, f64)>);

/// The points of one series.
fn points(item: &Value) -> Vec<Given> {
    let xs = item
        .get("x")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let (ys, lo, hi) = (
        floats(item, "y"),
        floats(item, "y_min"),
        floats(item, "y_max"),
    );
    xs.into_iter()
        .zip(ys)
        .enumerate()
        .map(|(i, (x, y))| {
            let range = lo
                .get(i)
                .zip(hi.get(i))
                .map(|(a, b)| (*a, *b))
                .filter(|(a, b)| a.is_finite() && b.is_finite());
            (x, y, range)
        })
        .collect()
}

/// One chart: bars if any series has a category (a string) for x, else
/// lines.
fn chart(c: &Chart) -> Option<String> {
    let label = |v: &Value| {
        v.get("label")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let categorical = c.items.iter().any(|i| {
        i.get("x")
            .and_then(Value::as_array)
            .is_some_and(|xs| xs.iter().any(Value::is_string))
    });
    if !categorical {
        let x_log = c
            .items
            .iter()
            .any(|i| i.get("x_log").and_then(Value::as_bool) == Some(true));
        let series = c
            .items
            .iter()
            .map(|i| Series {
                label: label(i),
                points: points(i)
                    .into_iter()
                    .map(|(x, y, range)| Point {
                        x: x.as_f64().unwrap_or(f64::NAN),
                        y,
                        range,
                    })
                    .collect(),
            })
            .collect();
        return Lines {
            title: c.title.clone(),
            x_label: c.x_label.into(),
            y_label: c.y_label.into(),
            x_log,
            series,
        }
        .svg();
    }
    // One series: a bar per category, each labelled (and coloured) by
    // its category.
    if let [item] = c.items.as_slice() {
        let bars = points(item)
            .into_iter()
            .map(|(x, value, range)| Bar {
                label: x.as_str().map_or_else(|| x.to_string(), str::to_string),
                value,
                range,
            })
            .collect();
        let group = Group {
            label: label(item),
            bars,
        };
        return Bars {
            title: c.title.clone(),
            x_label: c.x_label.into(),
            y_label: c.y_label.into(),
            groups: vec![group],
            refs: Vec::new(),
        }
        .svg();
    }
    // A group per category, in the order first seen; a bar per series.
    let mut groups: Vec<Group> = Vec::new();
    for item in &c.items {
        for (x, value, range) in points(item) {
            let category = x.as_str().map_or_else(|| x.to_string(), str::to_string);
            let bar = Bar {
                label: label(item),
                value,
                range,
            };
            match groups.iter_mut().find(|g| g.label == category) {
                Some(g) => g.bars.push(bar),
                None => groups.push(Group {
                    label: category,
                    bars: vec![bar],
                }),
            }
        }
    }
    Bars {
        title: c.title.clone(),
        x_label: c.x_label.into(),
        y_label: c.y_label.into(),
        groups,
        refs: Vec::new(),
    }
    .svg()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drawn(json: &str) -> Vec<String> {
        let mut out = Vec::new();
        charts(&serde_json::from_str(json).unwrap(), "", &mut out);
        out
    }

    #[test]
    fn curves_share_a_chart_by_plot_or_by_axes() {
        let charts = drawn(
            r#"{"a": {"series": [
                {"label": "loop", "x": [1, 10, 1000], "y": [5, 6, 7], "x_label": "tasks", "y_label": "MiB"},
                {"label": "threads", "x": [1, 10], "y": [8, null], "x_label": "tasks", "y_label": "MiB"},
                {"label": "x", "x": [1], "y": [1], "x_label": "workers", "y_label": "req/s"}]},
              "series": [
                {"plot": "cost", "label": "loop", "x": [2, 16], "y": [1, 2], "y_min": [0.5, 1], "y_max": [2, 3],
                 "x_label": "threads", "y_label": "ns", "x_log": true},
                {"plot": "cost", "label": "threads", "x": [2, 16], "y": [3, 4], "x_label": "pairs", "y_label": "ns"}],
              "verdicts": []}"#,
        );
        assert_eq!(charts.len(), 3, "{charts:?}");
        assert_eq!(charts[0].matches("<polyline").count(), 2);
        assert!(charts[0].contains("MiB vs tasks (a)") && charts[0].contains("tasks (log)"));
        assert!(
            charts[2].contains(">cost<") && charts[2].contains("threads (log)"),
            "{}",
            charts[2]
        );
        assert_eq!(charts[2].matches("<polyline").count(), 2);
        assert_eq!(charts[2].matches("class=\"whisker\"").count(), 2);
    }

    #[test]
    fn categories_are_grouped_bars() {
        let charts = drawn(
            r#"{"series": [
                {"plot": "latency", "label": "p50", "x": ["loop, I/O only", "threads, I/O only"], "y": [3.3, 2.1], "x_label": "server", "y_label": "ms"},
                {"plot": "latency", "label": "p99", "x": ["loop, I/O only", "threads, I/O only"], "y": [4.8, null], "x_label": "server", "y_label": "ms"}]}"#,
        );
        assert_eq!(charts.len(), 1);
        assert!(charts[0].contains("data-kind=\"bars\""));
        assert_eq!(
            charts[0].matches("<rect class=\"bar\"").count(),
            3,
            "null is not drawn"
        );
        assert!(charts[0].contains(">p99<") && charts[0].contains("threads, I/O only"));
        assert!(drawn(r#"{"series": [{"plot": "p", "x": ["a"], "y": [null]}]}"#).is_empty());
    }
}
