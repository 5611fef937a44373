//! Text for the page and its charts: numbers made short enough for a
//! tick, a bar or a table cell, and escaping for HTML and SVG.

/// A number short enough for a tick or a bar: 3 significant digits at
/// most, `k`, `M`, `G` above 10,000.
pub fn short(v: f64) -> String {
    let a = v.abs();
    let (x, unit) = match a {
        _ if a >= 1e9 => (v / 1e9, "G"),
        _ if a >= 1e6 => (v / 1e6, "M"),
        _ if a >= 1e4 => (v / 1e3, "k"),
        _ => (v, ""),
    };
    let a = x.abs();
    let mut s = match a {
        _ if a == 0.0 => "0".to_string(),
        _ if a >= 100.0 => format!("{x:.0}"),
        _ if a >= 10.0 => format!("{x:.1}"),
        _ if a >= 1.0 => format!("{x:.2}"),
        _ if a >= 0.001 => format!("{x:.3}"),
        _ => format!("{x:.1e}"),
    };
    if s.contains('.') && !s.contains('e') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    s + unit
}

/// Escapes text for SVG and HTML (text and attribute values).
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_numbers() {
        assert_eq!(short(0.0), "0");
        assert_eq!(short(23_366.5), "23.4k");
        assert_eq!(short(2_114_211_840.0), "2.11G");
        assert_eq!(short(0.016), "0.016");
        assert_eq!(short(1.5), "1.5");
        assert_eq!(short(100.0), "100");
    }
}
