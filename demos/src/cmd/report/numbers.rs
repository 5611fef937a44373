//! The measured numbers of a claim, as HTML tables read generically from
//! its `--json` output, whatever its shape:
//!
//! - objects named after a model (a key containing `loop` or `thread`, or
//!   `spawn_blocking`) that sit side by side become one table with a
//!   column per model and a row per number;
//! - an array of objects (runs, checks, rows) becomes a table with a row
//!   per element, or, for at most four elements each naming a different
//!   model, a column per element;
//! - everything else that is a number or a short text is a parameter,
//!   listed above the tables.
//!
//! A spread (`median`, `min`, `max`, `samples`) is one cell, `median
//! (min..max, n runs)`. The verdicts and series are shown elsewhere, so
//! they and the verdict-like fields of a row (`claim`, `criterion`,
//! `holds`...) are left out.

use crate::cmd::report::text::{esc, short};
use crate::support::json::Value;

/// A part's numbers: `(key, text)` rows.
type Rows = Vec<(String, String)>;
/// A column of a table: its heading and its rows.
type Part = (String, Rows);

/// Keys shown elsewhere on the page.
const SHOWN_ELSEWHERE: &[&str] = &[
    "verdicts",
    "series",
    "claim",
    "criterion",
    "holds",
    "reason",
    "agrees",
    "command",
    "title",
    "notes",
];

/// The parameters and tables of `json`, as HTML.
pub fn html(json: &Value) -> String {
    let mut params = Vec::new();
    let mut tables = Vec::new();
    walk(json, "", &mut params, &mut tables);
    let mut out = String::new();
    if !params.is_empty() {
        out.push_str("<dl class=\"params\">");
        for (k, v) in params {
            out.push_str(&format!(
                "<div><dt>{}</dt><dd>{}</dd></div>",
                esc(&k),
                esc(&v)
            ));
        }
        out.push_str("</dl>");
    }
    out.extend(tables);
    out
}

/// Whether `key` names a model's part of the measurements.
fn is_model(key: &str) -> bool {
    key.contains("loop") || key.contains("thread") || key == "spawn_blocking"
}

/// A spread's one-cell text, if `v` is one.
fn spread(v: &Value) -> Option<String> {
    let median = v.get("median")?.as_f64()?;
    let (min, max) = (v.get("min")?.as_f64()?, v.get("max")?.as_f64()?);
    let n = v
        .get("samples")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    Some(match n {
        1 => short(median),
        _ if min == max => format!("{} ({n} runs)", short(median)),
        _ => format!(
            "{} ({}..{}, {n} runs)",
            short(median),
            short(min),
            short(max)
        ),
    })
}

/// A scalar's text, or `None` for an object or an array of objects.
fn cell(v: &Value) -> Option<String> {
    match v {
        Value::Null => Some("–".into()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) => short(f),
            _ => n.to_string(),
        }),
        Value::String(s) => Some(s.clone()),
        Value::Object(_) => spread(v),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            let texts: Vec<String> = items.iter().take(12).filter_map(cell).collect();
            let more = if items.len() > 12 { ", ..." } else { "" };
            Some(format!("[{}{more}]", texts.join(", ")))
        }
        Value::Array(_) => None,
    }
}

/// The members of object `v` not shown elsewhere on the page, each as
/// `(key, key dotted below prefix, value)`; none if `v` is no object.
fn members<'a>(
    v: &'a Value,
    prefix: &'a str,
) -> impl Iterator<Item = (&'a String, String, &'a Value)> {
    v.as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| !SHOWN_ELSEWHERE.contains(&k.as_str()))
        .map(move |(k, v)| {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            (k, key, v)
        })
}

/// Every key of `rows`, the union in the order first seen.
fn keys<'a>(rows: impl IntoIterator<Item = &'a Rows>) -> Vec<&'a str> {
    let mut keys: Vec<&str> = Vec::new();
    for (k, _) in rows.into_iter().flatten() {
        if !keys.contains(&k.as_str()) {
            keys.push(k);
        }
    }
    keys
}

/// The text of `key` in `rows`, empty if it has none.
fn text_of<'a>(rows: &'a Rows, key: &str) -> &'a str {
    rows.iter()
        .find(|(rk, _)| rk == key)
        .map_or("", |(_, v)| v.as_str())
}

/// The rows of one object: `(dotted key, text)` for every scalar, nested
/// objects flattened, arrays of objects left out.
fn flat(v: &Value, prefix: &str, out: &mut Rows) {
    for (_, key, v) in members(v, prefix) {
        match cell(v) {
            Some(text) => out.push((key, text)),
            None if v.is_object() => flat(v, &key, out),
            None => {}
        }
    }
}

fn walk(json: &Value, path: &str, params: &mut Rows, tables: &mut Vec<String>) {
    let mut models: Vec<Part> = Vec::new();
    for (k, key, v) in members(json, path) {
        if v.is_object() && spread(v).is_none() && is_model(k) {
            let mut rows = Vec::new();
            flat(v, "", &mut rows);
            models.push((k.clone(), rows));
        } else if let Some(text) = cell(v) {
            params.push((key, text));
        } else if v.is_object() {
            walk(v, &key, params, tables);
        } else if let Value::Array(items) = v {
            tables.push(records(&key, items));
        }
    }
    if !models.is_empty() {
        let caption = if path.is_empty() {
            "per model".to_string()
        } else {
            path.to_string()
        };
        tables.insert(0, columns(&caption, &models));
    }
}

/// A table with a column per part and a row per key (the union, in the
/// order first seen).
fn columns(caption: &str, parts: &[Part]) -> String {
    let keys = keys(parts.iter().map(|(_, rows)| rows));
    let mut t = format!(
        "<table class=\"numbers\"><caption>{}</caption><tr><th></th>",
        esc(caption)
    );
    for (name, _) in parts {
        t.push_str(&format!("<th>{}</th>", esc(name)));
    }
    t.push_str("</tr>");
    for k in keys {
        t.push_str(&format!("<tr><th>{}</th>", esc(k)));
        for (_, rows) in parts {
            t.push_str(&format!("<td>{}</td>", esc(text_of(rows, k))));
        }
        t.push_str("</tr>");
    }
    t.push_str("</table>");
    t
}

/// A table of an array's elements: a column per element when there are at
/// most four, each naming a different model; else a row per element.
fn records(caption: &str, items: &[Value]) -> String {
    // (name, rows, the key the name comes from)
    let mut parts: Vec<(String, Rows, Option<&str>)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let mut rows = Vec::new();
        flat(item, "", &mut rows);
        if !item.is_object() {
            rows.push(("value".into(), cell(item).unwrap_or_default()));
        }
        let named = ["model", "started_model"]
            .iter()
            .find_map(|k| Some((*k, item.get(*k)?.as_str()?)));
        let name = named.map_or_else(|| format!("#{}", i + 1), |(_, n)| n.to_string());
        parts.push((name, rows, named.map(|(k, _)| k)));
    }
    let names_differ = parts
        .iter()
        .enumerate()
        .all(|(i, (n, _, k))| k.is_some() && parts[..i].iter().all(|(m, _, _)| m != n));
    if names_differ && parts.len() <= 4 {
        // The name heads the column: its row would say it again.
        let parts: Vec<Part> = parts
            .into_iter()
            .map(|(n, rows, k)| {
                let rows = rows.into_iter().filter(|(rk, _)| Some(rk.as_str()) != k);
                (n, rows.collect())
            })
            .collect();
        return columns(caption, &parts);
    }
    let keys = keys(parts.iter().map(|(_, rows, _)| rows));
    let mut t = format!(
        "<table class=\"numbers rows\"><caption>{}</caption><tr>",
        esc(caption)
    );
    for k in &keys {
        t.push_str(&format!("<th>{}</th>", esc(k)));
    }
    t.push_str("</tr>");
    for (_, rows, _) in &parts {
        t.push_str("<tr>");
        for k in &keys {
            t.push_str(&format!("<td>{}</td>", esc(text_of(rows, k))));
        }
        t.push_str("</tr>");
    }
    t.push_str("</table>");
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_side_by_side_records_and_parameters() {
        let json: Value = serde_json::from_str(
            r#"{"rounds": 5, "event_loop": {"ns": {"median": 2.0, "min": 1.0, "max": 3.0, "samples": [1, 2, 3]}, "note": "a<b"},
                "threads": {"ns": 9.5, "extra": {"k": 1}},
                "runs": [{"model": "loop", "ms": 1}, {"model": "threads", "ms": 2}],
                "checks": [{"model": "loop", "ok": true}, {"model": "loop", "ok": false}],
                "rows": [{"aspect": "x", "claim": "c", "criterion": "k"}],
                "verdicts": [{"claim": "c"}]}"#,
        )
        .unwrap();
        let h = html(&json);
        assert!(h.contains("<dt>rounds</dt><dd>5</dd>"), "{h}");
        assert!(
            h.contains(
                "<caption>per model</caption><tr><th></th><th>event_loop</th><th>threads</th>"
            ),
            "{h}"
        );
        assert!(h.contains("<td>2 (1..3, 3 runs)</td><td>9.5</td>"), "{h}");
        assert!(
            h.contains("<th>extra.k</th>") && h.contains("a&lt;b"),
            "{h}"
        );
        assert!(
            h.contains("<caption>runs</caption><tr><th></th><th>loop</th><th>threads</th>"),
            "{h}"
        );
        assert!(
            h.contains("<table class=\"numbers rows\"><caption>checks</caption>"),
            "{h}"
        );
        assert!(!h.contains("criterion") && !h.contains(">c<"), "{h}");
    }
}
