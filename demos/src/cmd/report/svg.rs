//! The report's charts, drawn as inline SVG text: a line chart (series of
//! x, y points) and a grouped bar chart (bars with an optional min..max
//! whisker, and horizontal reference lines for a criterion's thresholds).
//!
//! Both have axes with ticks at round numbers (1, 2 or 5 times a power of
//! ten), axis labels, a title and a legend. An axis whose values are all
//! positive and span more than two decades is logarithmic, with a tick
//! per decade: a thread switch at 20 µs and a task switch at 200 ns stay
//! readable on one chart. A chart with nothing finite to draw is `None`,
//! never an empty frame.

use std::fmt::Write as _;

use crate::cmd::report::text::{esc, short};

/// The size of every chart, in CSS pixels.
const W: f64 = 400.0;
const H: f64 = 270.0;
/// The plot area's margins: the y ticks and label on the left, the title
/// and legend on top, the x ticks and label below.
const LEFT: f64 = 66.0;
const RIGHT: f64 = 18.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 50.0;

/// One line: `(x, y)` points, drawn in x order.
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

/// A line chart.
pub struct Lines {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
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
    pub y_label: String,
    pub groups: Vec<Group>,
    pub refs: Vec<(String, f64)>,
}

/// One axis: the range shown, linear or logarithmic.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Axis {
    lo: f64,
    hi: f64,
    log: bool,
}

impl Axis {
    /// An axis that shows every finite value (and 0 when `zero`, unless it
    /// comes out logarithmic); `None` if there is no finite value.
    fn fit(values: impl IntoIterator<Item = f64>, zero: bool) -> Option<Axis> {
        let v: Vec<f64> = values.into_iter().filter(|v| v.is_finite()).collect();
        let min = v.iter().copied().fold(f64::INFINITY, f64::min);
        let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if v.is_empty() {
            return None;
        }
        if min > 0.0 && max / min > 100.0 {
            // A decade below a minimum that is a power of ten, so that its
            // bar is seen.
            let lo = 10f64.powf((min.log10() - 0.01).floor());
            let hi = 10f64.powf(max.log10().ceil());
            return Some(Axis { lo, hi, log: true });
        }
        let (min, max) = if zero {
            (min.min(0.0), max.max(0.0))
        } else {
            (min, max)
        };
        let (min, max) = if max - min > 0.0 {
            (min, max)
        } else {
            (min - 1.0, max + 1.0)
        };
        let step = step(max - min);
        Some(Axis {
            lo: (min / step).floor() * step,
            hi: (max / step).ceil() * step,
            log: false,
        })
    }

    /// Where `v` falls, 0 at `lo` and 1 at `hi` (clamped).
    fn at(&self, v: f64) -> f64 {
        let f = if self.log {
            (v.max(self.lo).log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        };
        f.clamp(0.0, 1.0)
    }

    /// The ticks: every decade (every other past 6), or every round step.
    fn ticks(&self) -> Vec<f64> {
        if self.log {
            let (a, b) = (
                self.lo.log10().round() as i32,
                self.hi.log10().round() as i32,
            );
            let every = if b - a > 6 { 2 } else { 1 };
            return (a..=b).step_by(every).map(|e| 10f64.powi(e)).collect();
        }
        let step = step(self.hi - self.lo);
        let n = ((self.hi - self.lo) / step).round() as i64;
        (0..=n).map(|i| self.lo + i as f64 * step).collect()
    }
}

/// A round step (1, 2 or 5 times a power of ten) giving 3 to 7 ticks.
fn step(span: f64) -> f64 {
    let raw = span / 5.0;
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|s| span / s <= 6.0)
        .unwrap_or(10.0 * p)
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
    title: &str,
    legend: &[(&str, &str)],
    y: &Axis,
    y_label: &str,
    x_label: &str,
) -> String {
    let mut s = String::new();
    let (px0, px1, py0, py1) = (LEFT, W - RIGHT, TOP, H - BOTTOM);
    let _ = write!(
        s,
        r#"<svg class="chart" data-kind="{kind}" xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" role="img"><title>{t}</title><text class="title" x="{cx}" y="16" text-anchor="middle">{t}</text>"#,
        t = esc(title),
        cx = W / 2.0
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
        let yy = py1 - y.at(t) * (py1 - py0);
        let _ = write!(
            s,
            r##"<line class="grid" x1="{px0}" x2="{px1}" y1="{yy:.1}" y2="{yy:.1}" stroke="#e4e4e4"/><text class="tick" x="{tx}" y="{ty:.1}" text-anchor="end">{v}</text>"##,
            tx = px0 - 5.0,
            ty = yy + 4.0,
            v = short(t)
        );
    }
    let _ = write!(
        s,
        r##"<line class="axis" x1="{px0}" x2="{px0}" y1="{py0}" y2="{py1}" stroke="#444"/><line class="axis" x1="{px0}" x2="{px1}" y1="{py1}" y2="{py1}" stroke="#444"/><text class="label" transform="translate(14 {my}) rotate(-90)" text-anchor="middle">{yl}{log}</text><text class="label" x="{mx}" y="{xy}" text-anchor="middle">{xl}</text>"##,
        my = (py0 + py1) / 2.0,
        yl = esc(y_label),
        log = if y.log { " (log)" } else { "" },
        mx = (px0 + px1) / 2.0,
        xy = H - 6.0,
        xl = esc(x_label),
    );
    s
}

impl Lines {
    /// The chart, or `None` if no series has a finite point.
    pub fn svg(&self) -> Option<String> {
        let finite = |p: &&(f64, f64)| p.0.is_finite() && p.1.is_finite();
        let x = Axis::fit(
            self.series
                .iter()
                .flat_map(|s| s.points.iter().filter(finite).map(|p| p.0)),
            false,
        )?;
        let y = Axis::fit(
            self.series
                .iter()
                .flat_map(|s| s.points.iter().filter(finite).map(|p| p.1)),
            true,
        )?;
        let labels: Vec<&str> = self.series.iter().map(|s| s.label.as_str()).collect();
        let colours = colours(&labels);
        let legend: Vec<(&str, &str)> = labels
            .iter()
            .copied()
            .zip(colours.iter().copied())
            .collect();
        let x_label = format!("{}{}", self.x_label, if x.log { " (log)" } else { "" });
        let mut s = frame("lines", &self.title, &legend, &y, &self.y_label, &x_label);
        let (px0, px1, py0, py1) = (LEFT, W - RIGHT, TOP, H - BOTTOM);
        for t in x.ticks() {
            let xx = px0 + x.at(t) * (px1 - px0);
            let _ = write!(
                s,
                r##"<line x1="{xx:.1}" x2="{xx:.1}" y1="{py1}" y2="{ty}" stroke="#444"/><text class="tick" x="{xx:.1}" y="{ly}" text-anchor="middle">{v}</text>"##,
                ty = py1 + 4.0,
                ly = py1 + 16.0,
                v = short(t)
            );
        }
        for (series, colour) in self.series.iter().zip(&colours) {
            let mut pts: Vec<(f64, f64)> = series.points.iter().filter(finite).copied().collect();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            let xy: Vec<(f64, f64)> = pts
                .iter()
                .map(|&(a, b)| (px0 + x.at(a) * (px1 - px0), py1 - y.at(b) * (py1 - py0)))
                .collect();
            let path: Vec<String> = xy.iter().map(|(a, b)| format!("{a:.1},{b:.1}")).collect();
            let _ = write!(
                s,
                r#"<polyline class="series" fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"#,
                path.join(" ")
            );
            for ((a, b), (px, py)) in pts.iter().zip(&xy) {
                let _ = write!(
                    s,
                    r#"<circle cx="{px:.1}" cy="{py:.1}" r="3" fill="{colour}"><title>{}: {}, {}</title></circle>"#,
                    esc(&series.label),
                    short(*a),
                    short(*b)
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
        let y = Axis::fit(values.chain(self.refs.iter().map(|r| r.1)), true)?;
        // One colour per bar label, across groups.
        let mut labels: Vec<&str> = Vec::new();
        for (_, bars) in &groups {
            for b in bars {
                if !labels.contains(&b.label.as_str()) {
                    labels.push(&b.label);
                }
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
        let mut s = frame("bars", &self.title, &legend, &y, &self.y_label, "");
        let (px0, px1, py0, py1) = (LEFT, W - RIGHT, TOP, H - BOTTOM);
        let gw = (px1 - px0) / groups.len() as f64;
        let ypx = |v: f64| py1 - y.at(v) * (py1 - py0);
        for (gi, (glabel, bars)) in groups.iter().enumerate() {
            let bw = (gw * 0.85 / bars.len() as f64).min(80.0);
            let x0 = px0 + gi as f64 * gw + (gw - bw * bars.len() as f64) / 2.0;
            for (bi, b) in bars.iter().enumerate() {
                let (bx, top) = (x0 + bi as f64 * bw, ypx(b.value));
                let base = if y.log { py1 } else { ypx(0.0) };
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
                if let Some((lo, hi)) = b.range {
                    let (ylo, yhi) = (ypx(lo), ypx(hi));
                    let _ = write!(
                        s,
                        r##"<path class="whisker" d="M{cx:.1},{ylo:.1}V{yhi:.1}M{:.1},{ylo:.1}h8M{:.1},{yhi:.1}h8" stroke="#222" fill="none"/>"##,
                        cx - 4.0,
                        cx - 4.0
                    );
                    label_y = label_y.min(yhi - 4.0);
                }
                let _ = write!(
                    s,
                    r#"<text class="value" x="{cx:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                    label_y.max(TOP - 2.0),
                    short(b.value)
                );
                if single {
                    s.push_str(&under(cx, py1, &b.label));
                }
            }
            if !single {
                s.push_str(&under(px0 + (gi as f64 + 0.5) * gw, py1, glabel));
            }
        }
        for (label, v) in &self.refs {
            let yy = ypx(*v);
            let _ = write!(
                s,
                r##"<line class="ref" x1="{px0}" x2="{px1}" y1="{yy:.1}" y2="{yy:.1}" stroke="#b03030" stroke-dasharray="5 3"/><text class="ref-label" x="{:.1}" y="{:.1}" text-anchor="end" fill="#b03030">{}</text>"##,
                px1 - 2.0,
                yy - 3.0,
                esc(label)
            );
        }
        s.push_str("</svg>");
        Some(s)
    }
}

/// A label under the x axis at `x`, on two lines if it has a `: ` (the
/// model, then what it ran: `loop:` / `spawn_blocking`).
fn under(x: f64, axis_y: f64, label: &str) -> String {
    let mut s = format!(
        r#"<text class="tick" x="{x:.1}" y="{:.1}" text-anchor="middle">"#,
        axis_y + 14.0
    );
    for (i, part) in label.split_inclusive(": ").enumerate() {
        let dy = if i == 0 { 0 } else { 12 };
        let _ = write!(
            s,
            r#"<tspan x="{x:.1}" dy="{dy}">{}</tspan>"#,
            esc(part.trim())
        );
    }
    s.push_str("</text>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_are_logarithmic_past_two_decades() {
        let a = Axis::fit([150.0, 20_000.0], true).unwrap();
        assert_eq!((a.lo, a.hi, a.log), (100.0, 100_000.0, true));
        assert_eq!(a.ticks(), [100.0, 1000.0, 10_000.0, 100_000.0]);
        let one = Axis::fit([1.0, 1001.0], true).unwrap();
        assert_eq!((one.lo, one.hi), (0.1, 10_000.0), "a bar at 1 is seen");
        let b = Axis::fit([3.0, 97.0], true).unwrap();
        assert!(!b.log);
        assert_eq!((b.lo, b.hi), (0.0, 100.0));
        assert_eq!(b.ticks().len(), 6);
        assert!(Axis::fit([f64::NAN], true).is_none());
        let flat = Axis::fit([5.0, 5.0], false).unwrap();
        assert!(flat.hi > flat.lo);
    }

    #[test]
    fn charts_draw_what_they_are_given_and_nothing_when_empty() {
        let lines = Lines {
            title: "t<".into(),
            x_label: "tasks".into(),
            y_label: "bytes".into(),
            series: vec![
                Series {
                    label: "loop".into(),
                    points: vec![(10.0, 1.0), (10_000.0, 3.0)],
                },
                Series {
                    label: "threads".into(),
                    points: vec![(10.0, 2.0), (f64::NAN, 1.0)],
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
        let bars = Bars {
            title: "b".into(),
            y_label: "ns".into(),
            groups: vec![Group {
                label: "g".into(),
                bars: vec![
                    Bar {
                        label: "loop".into(),
                        value: 200.0,
                        range: Some((150.0, 300.0)),
                    },
                    Bar {
                        label: "threads".into(),
                        value: f64::NAN,
                        range: None,
                    },
                ],
            }],
            refs: vec![("limit".into(), 100.0)],
        };
        let svg = bars.svg().unwrap();
        assert_eq!(svg.matches("class=\"bar\"").count(), 1);
        assert!(svg.contains("class=\"whisker\"") && svg.contains("limit"));
        let empty = Bars {
            title: "e".into(),
            y_label: "".into(),
            groups: vec![],
            refs: vec![],
        };
        assert!(empty.svg().is_none());
    }
}
