//! Text for the page and its charts: numbers made short enough for a
//! tick, a bar or a table cell, labels wrapped to a width, and escaping
//! for HTML and SVG.

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

/// `label` in lines of at most `chars` characters, three at most (the
/// last cut with `…`): a break after each `: `, then between words.
pub fn wrap(label: &str, chars: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for part in label.split_inclusive(": ") {
        let mut line = String::new();
        for word in part.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > chars {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    if lines.len() > 3 {
        let rest = lines.split_off(2).join(" ");
        lines.push(rest);
    }
    for line in &mut lines {
        if line.chars().count() > chars {
            *line = line
                .chars()
                .take(chars.saturating_sub(1))
                .collect::<String>()
                + "…";
        }
    }
    lines
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

    #[test]
    fn long_labels_wrap_onto_three_lines_at_most() {
        assert_eq!(
            wrap("loop: spawn_blocking", 20),
            ["loop:", "spawn_blocking"]
        );
        assert_eq!(
            wrap("files, 100 x 4096 B from the page cache", 16),
            ["files, 100 x", "4096 B from the", "page cache"]
        );
        let cut = wrap("a b c d e f g h i j k l m n o p", 4);
        assert_eq!(cut.len(), 3);
        assert!(
            cut[2].ends_with('…') && cut[2].chars().count() == 4,
            "{cut:?}"
        );
    }
}
