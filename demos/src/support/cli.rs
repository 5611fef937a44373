//! The flags every subcommand shares, and the parsers that turn zero,
//! negative and nonsensical values into a clap error (exit 2) before any
//! work.
//!
//! One vocabulary: `--model loop|threads|both`, `--quick` and `--json` on
//! every subcommand ([`Common`]); a value given explicitly always wins over
//! `--quick`'s preset (each option's help shows both defaults, as
//! `[default: N; quick: M]`).

use clap::{Args as ClapArgs, ValueEnum};

/// Which concurrency model(s) a demo runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Model {
    /// The single-threaded event loop (`runtime`).
    Loop,
    /// One OS thread per task (`runtime::threaded`).
    Threads,
    /// Both, one after the other.
    Both,
}

impl Model {
    /// Whether the event loop runs.
    pub fn has_loop(self) -> bool {
        matches!(self, Model::Loop | Model::Both)
    }
    /// Whether the thread model runs.
    pub fn has_threads(self) -> bool {
        matches!(self, Model::Threads | Model::Both)
    }
    /// The single models this selects, in the order they run: the loop,
    /// then threads.
    pub fn each(self) -> impl Iterator<Item = Model> {
        [Model::Loop, Model::Threads]
            .into_iter()
            .filter(move |m| *m == self || self == Model::Both)
    }
    /// The `--model` value that selects this (`loop`, `threads`, `both`):
    /// for a child process's arguments and for JSON.
    pub fn flag(self) -> &'static str {
        match self {
            Model::Loop => "loop",
            Model::Threads => "threads",
            Model::Both => "both",
        }
    }
    /// The model's name in a table or a message (`event loop`, `threads`).
    pub fn label(self) -> &'static str {
        match self {
            Model::Loop => "event loop",
            Model::Threads => "threads",
            Model::Both => "both models",
        }
    }
}

/// `--model`, `--quick`, `--json`.
#[derive(ClapArgs, Debug, Clone)]
pub struct Common {
    /// Which model(s) to run.
    #[arg(long, value_enum, default_value = "both")]
    pub model: Model,
    /// A short run: the smaller defaults shown as `quick:` (values given
    /// explicitly still win).
    #[arg(long)]
    pub quick: bool,
    /// Print the measurements and verdicts as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

impl Common {
    /// The value given on the command line, else `--quick`'s preset, else
    /// the normal default.
    pub fn pick<T>(&self, given: Option<T>, normal: T, quick: T) -> T {
        pick(self.quick, given, normal, quick)
    }
}

/// `given`, else `quick_value` with `--quick`, else `normal`.
pub fn pick<T>(quick: bool, given: Option<T>, normal: T, quick_value: T) -> T {
    given.unwrap_or(if quick { quick_value } else { normal })
}

/// A whole number of at least 1 (`--rounds`, `--iterations`,
/// `--connections`...).
pub fn positive_u64(text: &str) -> Result<u64, String> {
    let n: u64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a whole number"))?;
    if n == 0 {
        return Err("must be at least 1".into());
    }
    Ok(n)
}

/// [`positive_u64`] as a `usize`.
pub fn positive_usize(text: &str) -> Result<usize, String> {
    usize::try_from(positive_u64(text)?).map_err(|_| format!("{text} is too large"))
}

/// A duration above zero (`50ms`, `2s`; see [`parse_duration`]).
pub fn positive_duration(text: &str) -> Result<std::time::Duration, String> {
    let d = parse_duration(text)?;
    if d.is_zero() {
        return Err("must be above 0".into());
    }
    Ok(d)
}

/// Parses a duration written like `50ms`, `2s`, `1.5s`, `500us` or `0`.
///
/// # Errors
/// A message saying what is accepted.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let bad = || format!("{text:?} is not a duration: write e.g. 50ms, 2s, 1.5s or 500us");
    let text = text.trim();
    if text == "0" {
        return Ok(std::time::Duration::ZERO);
    }
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = text.strip_suffix("us") {
        (n, 1e-6)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60.0)
    } else {
        return Err(bad());
    };
    let value: f64 = number.trim().parse().map_err(|_| bad())?;
    if !value.is_finite() || value < 0.0 || value * scale > 86_400.0 * 365.0 {
        return Err(bad());
    }
    Ok(std::time::Duration::from_secs_f64(value * scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_negative_and_words_are_refused() {
        assert_eq!(positive_u64("5"), Ok(5));
        assert_eq!(positive_u64("0"), Err("must be at least 1".into()));
        assert!(positive_u64("-3").is_err());
        assert!(positive_u64("many").is_err());
        assert_eq!(positive_usize("7"), Ok(7));
        assert!(positive_duration("0ms").is_err());
        assert!(positive_duration("0").is_err());
        assert_eq!(
            positive_duration("20ms"),
            Ok(std::time::Duration::from_millis(20))
        );
    }

    #[test]
    fn a_given_value_beats_the_quick_preset() {
        let c = |quick| Common {
            model: Model::Both,
            quick,
            json: false,
        };
        assert_eq!(c(true).pick(Some(4000), 80, 8), 4000);
        assert_eq!(c(true).pick(None, 80, 8), 8);
        assert_eq!(c(false).pick(None, 80, 8), 80);
    }

    #[test]
    fn durations() {
        assert_eq!(
            parse_duration("50ms"),
            Ok(std::time::Duration::from_millis(50))
        );
        assert_eq!(
            parse_duration("1.5s"),
            Ok(std::time::Duration::from_millis(1500))
        );
        assert_eq!(
            parse_duration("500us"),
            Ok(std::time::Duration::from_micros(500))
        );
        assert_eq!(parse_duration("0"), Ok(std::time::Duration::ZERO));
        for bad in ["", "5", "-1s", "fast", "1e400s", "nan s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
