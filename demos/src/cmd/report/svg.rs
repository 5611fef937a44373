//! The report's charts, drawn as inline SVG text: a line chart (series of
//! x, y points) and a grouped bar chart (bars side by side under each
//! category), both with an optional min..max whisker per value (the range
//! of the repetitions), and reference lines for a criterion's thresholds
//! on the bar chart.
//!
//! Both have axes (`axis.rs`) with ticks, axis labels, a title and a
//! legend; long category labels wrap onto up to three lines, and a bar
//! chart widens with its number of bars. A chart with nothing finite to
//! draw is `None`, never an empty frame.

use std::fmt::Write as _;

use crate::cmd::report::axis::Axis;
use crate::cmd::report::text::{esc, short, wrap};

/// The height of every chart, and the width of a line chart, in CSS
/// pixels; a bar chart is at least as wide.
const W: f64 = 380.0;
const H: f64 = 280.0;
/// The plot area's margins: the y ticks and label on the left, the title
/// and legend on top, the x ticks (three lines) and label below.
const LEFT: f64 = 66.0;
const RIGHT: f64 = 18.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 60.0;
/// About how wide a character of the tick font is.
const CHAR: f64 = 5.8;

/// One measured point, with the range of its repetitions if it has one.
#[derive(Clone, Copy, Debug)]
pub struct Point {
    pub x: f64,
    pub y: f64,
    pub range: Option<(f64, f64)>,
}

/// One line, drawn in x order.
pub struct Series {
    pub label: String,
    pub points: Vec<Point>,
}

/// A line chart; `x_log` asks for a logarithmic x axis.
pub struct Lines {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub x_log: bool,
    pub series: Vec<Series>,
}

/// One bar: a value, and the min..max of its repetitions if it has them.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub range: Option<(f64, f64)>,
}

/// Bars side by side under one label on the x axis.
pub struct Group {
    pub label: String,
    pub bars: Vec<Bar>,
}

/// A grouped bar chart, with reference lines (`label`, `y`).
pub struct Bars {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub groups: Vec<Group>,
    pub refs: Vec<(String, f64)>,
}

/// Where the plot area is in a chart `w` wide.
struct Plot {
    w: f64,
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

impl Plot {
    fn new(w: f64) -> Plot {
        Plot {
            w,
            x0: LEFT,
            x1: w - RIGHT,
            y0: TOP,
            y1: H - BOTTOM,
        }
    }

    /// The pixel row of `v` on axis `y`.
    fn y(&self, y: &Axis, v: f64) -> f64 {
        self.y1 - y.at(v) * (self.y1 - self.y0)
    }

    /// The pixel column of `v` on axis `x`.
    fn x(&self, x: &Axis, v: f64) -> f64 {
        self.x0 + x.at(v) * (self.x1 - self.x0)
    }
}

/// The colour of each label: the event loop blue, threads orange (the
/// first label naming each), the others from a palette, none twice.
fn colours(labels: &[&str]) -> Vec<&'static str> {
    const LOOP: &str = "#3b6fc4";
    const THREADS: &str = "#e07b24";
    const OTHERS: [&str; 6] = [
        "#2a9d8f", "#8e5bb5", "#c0392b", "#7f8c8d", "#b8860b", "#1abc9c",
    ];
    let mut used: Vec<&'static str> = Vec::new();
    for label in labels {
        let l = label.to_lowercase();
        let wanted = if l.contains("loop") {
            Some(LOOP)
        } else if l.contains("thread") {
            Some(THREADS)
        } else {
            None
        };
        let c = wanted
            .filter(|c| !used.contains(c))
            .or_else(|| OTHERS.into_iter().find(|c| !used.contains(c)))
            .unwrap_or("#555");
        used.push(c);
    }
    used
}

/// The frame: `<svg>`, the title, the legend, the y axis with its ticks
/// and grid, the y label and the x label.
fn frame(
    kind: &str,
    p: &Plot,
    title: &str,
    legend: &[(&str, &str)],
    y: &Axis,
    labels: (&str, &str),
) -> String {
    let (w, mut s) = (p.w, String::new());
    let _ = write!(
        s,
        r#"<svg class="chart" data-kind="{kind}" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{H}" viewBox="0 0 {w} {H}" role="img"><title>{t}</title><text class="title" x="{cx}" y="16" text-anchor="middle"{fit}>{t}</text>"#,
        t = esc(title),
        cx = w / 2.0,
        fit = squeeze(title, 7.5, w - 10.0),
    );
    let mut lx = LEFT;
    for (label, colour) in legend {
        let _ = write!(
            s,
            r#"<rect x="{lx}" y="26" width="10" height="10" fill="{colour}"/><text class="legend" x="{tx}" y="35">{l}</text>"#,
            tx = lx + 14.0,
            l = esc(label)
        );
        lx += 24.0 + 6.2 * label.chars().count() as f64;
    }
    for t in y.ticks() {
        let yy = p.y(y, t);
        let _ = write!(
            s,
            r##"<line class="grid" x1="{}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#e4e4e4"/><text class="tick" x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
            p.x0,
            p.x1,
            p.x0 - 5.0,
            yy + 4.0,
            short(t)
        );
    }
    let (y_label, x_label) = labels;
    let _ = write!(
        s,
        r##"<path class="axis" d="M{x0},{y0}V{y1}H{x1}" stroke="#444" fill="none"/><text class="label" transform="translate(14 {my}) rotate(-90)" text-anchor="middle"{yfit}>{yl}{log}</text><text class="label" x="{mx}" y="{xy}" text-anchor="middle"{xfit}>{xl}</text>"##,
        x0 = p.x0,
        x1 = p.x1,
        y0 = p.y0,
        y1 = p.y1,
        my = (p.y0 + p.y1) / 2.0,
        yl = esc(y_label),
        yfit = squeeze(&format!("{y_label} (log)"), 6.6, p.y1 - 10.0),
        xfit = squeeze(x_label, 6.6, p.w - 10.0),
        log = if y.log { " (log)" } else { "" },
        mx = (p.x0 + p.x1) / 2.0,
        xy = H - 6.0,
        xl = esc(x_label),
    );
    s
}

/// The attributes that squeeze a text into `room` px when its `chars`
/// at about `px` each would not fit (SVG's `textLength`), else none.
fn squeeze(text: &str, px: f64, room: f64) -> String {
    if text.chars().count() as f64 * px > room {
        format!(r#" textLength="{room:.0}" lengthAdjust="spacingAndGlyphs""#)
    } else {
        String::new()
    }
}

/// A min..max whisker at column `x`, from row `lo` to row `hi`.
fn whisker(x: f64, lo: f64, hi: f64) -> String {
    format!(
        r##"<path class="whisker" d="M{x:.1},{lo:.1}V{hi:.1}M{:.1},{lo:.1}h8M{:.1},{hi:.1}h8" stroke="#222" fill="none"/>"##,
        x - 4.0,
        x - 4.0
    )
}

impl Lines {
    /// The chart, or `None` if no series has a finite point.
    pub fn svg(&self) -> Option<String> {
        let points = || {
            self.series
                .iter()
                .flat_map(|s| s.points.iter())
                .filter(|p| p.x.is_finite() && p.y.is_finite())
        };
        let x = Axis::fit(points().map(|p| p.x), false, self.x_log)?;
        let ys = points().flat_map(|p| {
            let (lo, hi) = p.range.unwrap_or((p.y, p.y));
            [p.y, lo, hi]
        });
        let y = Axis::fit(ys, true, false)?;
        let labels: Vec<&str> = self.series.iter().map(|s| s.label.as_str()).collect();
        let colours = colours(&labels);
        let legend: Vec<(&str, &str)> = labels
            .iter()
            .copied()
            .zip(colours.iter().copied())
            .collect();
        let x_label = format!("{}{}", self.x_label, if x.log { " (log)" } else { "" });
        let p = Plot::new(W);
        let mut s = frame(
            "lines",
            &p,
            &self.title,
            &legend,
            &y,
            (&self.y_label, &x_label),
        );
        for t in x.ticks() {
            let xx = p.x(&x, t);
            let _ = write!(
                s,
                r##"<line x1="{xx:.1}" x2="{xx:.1}" y1="{}" y2="{}" stroke="#444"/><text class="tick" x="{xx:.1}" y="{}" text-anchor="middle">{}</text>"##,
                p.y1,
                p.y1 + 4.0,
                p.y1 + 16.0,
                short(t)
            );
        }
        for (series, colour) in self.series.iter().zip(&colours) {
            let mut pts: Vec<Point> = series
                .points
                .iter()
                .filter(|p| p.x.is_finite() && p.y.is_finite())
                .copied()
                .collect();
            pts.sort_by(|a, b| a.x.total_cmp(&b.x));
            let path: Vec<String> = pts
                .iter()
                .map(|q| format!("{:.1},{:.1}", p.x(&x, q.x), p.y(&y, q.y)))
                .collect();
            let _ = write!(
                s,
                r#"<polyline class="series" fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"#,
                path.join(" ")
            );
            for q in &pts {
                let (px, py) = (p.x(&x, q.x), p.y(&y, q.y));
                if let Some((lo, hi)) = q.range.filter(|(lo, hi)| hi > lo) {
                    s.push_str(&whisker(px, p.y(&y, lo), p.y(&y, hi)));
                }
                let _ = write!(
                    s,
                    r#"<circle cx="{px:.1}" cy="{py:.1}" r="3" fill="{colour}"><title>{}: {}, {}</title></circle>"#,
                    esc(&series.label),
                    short(q.x),
                    short(q.y)
                );
            }
        }
        s.push_str("</svg>");
        Some(s)
    }
}

impl Bars {
    /// The chart, or `None` if no bar has a finite value.
    pub fn svg(&self) -> Option<String> {
        let groups: Vec<(&str, Vec<&Bar>)> = self
            .groups
            .iter()
            .map(|g| {
                (
                    g.label.as_str(),
                    g.bars
                        .iter()
                        .filter(|b| b.value.is_finite())
                        .collect::<Vec<_>>(),
                )
            })
            .filter(|(_, bars)| !bars.is_empty())
            .collect();
        if groups.is_empty() {
            return None;
        }
        let values = groups.iter().flat_map(|(_, bars)| {
            bars.iter().flat_map(|b| {
                let (lo, hi) = b.range.unwrap_or((b.value, b.value));
                [b.value, lo, hi]
            })
        });
        let y = Axis::fit(values.chain(self.refs.iter().map(|r| r.1)), true, false)?;
        // One colour per bar label, across groups.
        let mut labels: Vec<&str> = Vec::new();
        for b in groups.iter().flat_map(|(_, bars)| bars) {
            if !labels.contains(&b.label.as_str()) {
                labels.push(&b.label);
            }
        }
        let colours = colours(&labels);
        let colour = |l: &str| colours[labels.iter().position(|x| *x == l).unwrap_or(0)];
        // With one group, each bar is labelled under itself: no legend.
        let single = groups.len() == 1;
        let legend: Vec<(&str, &str)> = if single {
            Vec::new()
        } else {
            labels.iter().map(|l| (*l, colour(l))).collect()
        };
        // Room for every group: at least 90 px, 30 px a bar (80 px a bar
        // labelled under itself).
        let per_group = groups
            .iter()
            .map(|(_, b)| (b.len() as f64 * if single { 80.0 } else { 30.0 }).max(90.0))
            .fold(0.0, f64::max);
        let p = Plot::new(W.max(LEFT + RIGHT + per_group * groups.len() as f64));
        let mut s = frame(
            "bars",
            &p,
            &self.title,
            &legend,
            &y,
            (&self.y_label, &self.x_label),
        );
        let gw = (p.x1 - p.x0) / groups.len() as f64;
        let base = if y.log { p.y1 } else { p.y(&y, 0.0) };
        for (gi, (glabel, bars)) in groups.iter().enumerate() {
            let bw = (gw * 0.85 / bars.len() as f64).min(80.0);
            let x0 = p.x0 + gi as f64 * gw + (gw - bw * bars.len() as f64) / 2.0;
            for (bi, b) in bars.iter().enumerate() {
                let (bx, top) = (x0 + bi as f64 * bw, p.y(&y, b.value));
                let _ = write!(
                    s,
                    r#"<rect class="bar" x="{bx:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{}: {}</title></rect>"#,
                    top.min(base),
                    bw - 3.0,
                    (base - top).abs().max(1.0),
                    colour(&b.label),
                    esc(&b.label),
                    short(b.value)
                );
                let cx = bx + (bw - 3.0) / 2.0;
                let mut label_y = top - 4.0;
                if let Some((lo, hi)) = b.range.filter(|(lo, hi)| hi > lo) {
                    s.push_str(&whisker(cx, p.y(&y, lo), p.y(&y, hi)));
                    label_y = label_y.min(p.y(&y, hi) - 4.0);
                }
                let _ = write!(
                    s,
                    r#"<text class="value" x="{cx:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                    label_y.max(TOP - 2.0),
                    short(b.value)
                );
                if single {
                    s.push_str(&under(cx, p.y1, gw / bars.len() as f64, &b.label));
                }
            }
            if !single {
                s.push_str(&under(p.x0 + (gi as f64 + 0.5) * gw, p.y1, gw, glabel));
            }
        }
        for (label, v) in &self.refs {
            let yy = p.y(&y, *v);
            let _ = write!(
                s,
                r##"<line class="ref" x1="{}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#b03030" stroke-dasharray="5 3"/><text class="ref-label" x="{:.1}" y="{:.1}" text-anchor="end" fill="#b03030">{}</text>"##,
                p.x0,
                p.x1,
                p.x1 - 2.0,
                yy - 3.0,
                esc(label)
            );
        }
        s.push_str("</svg>");
        Some(s)
    }
}

/// A label under the x axis at `x`, `width` px wide: wrapped (see
/// [`wrap`]), one `<tspan>` a line.
fn under(x: f64, axis_y: f64, width: f64, label: &str) -> String {
    let mut s = format!(
        r#"<text class="tick" x="{x:.1}" y="{:.1}" text-anchor="middle">"#,
        axis_y + 14.0
    );
    let chars = ((width - 4.0) / CHAR).max(6.0) as usize;
    for (i, line) in wrap(label, chars).iter().enumerate() {
        let dy = if i == 0 { 0 } else { 12 };
        let _ = write!(s, r#"<tspan x="{x:.1}" dy="{dy}">{}</tspan>"#, esc(line));
    }
    s.push_str("</text>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(x: f64, y: f64) -> Point {
        Point { x, y, range: None }
    }

    #[test]
    fn charts_draw_what_they_are_given_and_nothing_when_empty() {
        let lines = Lines {
            title: "t<".into(),
            x_label: "tasks".into(),
            y_label: "bytes".into(),
            x_log: false,
            series: vec![
                Series {
                    label: "loop".into(),
                    points: vec![
                        point(10.0, 1.0),
                        Point {
                            x: 10_000.0,
                            y: 3.0,
                            range: Some((2.0, 4.0)),
                        },
                    ],
                },
                Series {
                    label: "threads".into(),
                    points: vec![point(10.0, 2.0), point(f64::NAN, 1.0)],
                },
            ],
        };
        let svg = lines.svg().unwrap();
        assert!(
            svg.contains("t&lt;") && svg.contains("tasks (log)"),
            "{svg}"
        );
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 3);
        assert_eq!(svg.matches("class=\"whisker\"").count(), 1);
        let bar = |label: &str, value, range| Bar {
            label: label.into(),
            value,
            range,
        };
        let bars = Bars {
            title: "b".into(),
            x_label: String::new(),
            y_label: "ns".into(),
            groups: vec![Group {
                label: "g".into(),
                bars: vec![
                    bar("loop", 200.0, Some((150.0, 300.0))),
                    bar("threads", f64::NAN, None),
                ],
            }],
            refs: vec![("limit".into(), 100.0)],
        };
        let svg = bars.svg().unwrap();
        assert_eq!(svg.matches("class=\"bar\"").count(), 1);
        assert!(svg.contains("class=\"whisker\"") && svg.contains("limit"));
        let many = Bars {
            title: "m".into(),
            x_label: "server".into(),
            y_label: "ms".into(),
            groups: (0..5)
                .map(|i| Group {
                    label: format!("g{i}"),
                    bars: vec![
                        bar("p50", 1.0, None),
                        bar("p99", 2.0, None),
                        bar("p99.9", 3.0, None),
                    ],
                })
                .collect(),
            refs: vec![],
        };
        let svg = many.svg().unwrap();
        assert!(
            svg.contains("width=\"534\""),
            "5 groups of 90 px and the margins"
        );
        let empty = Bars {
            title: "e".into(),
            x_label: String::new(),
            y_label: String::new(),
            groups: vec![],
            refs: vec![],
        };
        assert!(empty.svg().is_none());
    }
}
