//! What a demo concludes from what it measured, and the exit code that
//! follows.
//!
//! A [`Verdict`] is computed, never written by hand: the functions in
//! `support/claims/` take measured numbers and return one, with the criterion
//! they applied spelled out next to the result. Every demo prints each
//! verdict as
//!
//! ```text
//! claim: <the claim> -> <yes|no|partly|measurement error|not run>: <numbers>
//!   criterion: <the rule that decided it>
//! ```
//!
//! and puts the same fields in its `--json` output. A number outside
//! physical bounds (a speed-up above the cores used, a negative time) is
//! a [`Holds::MeasurementError`], never agreement.
//!
//! The exit code rule, the same for every subcommand (see `demo --help`):
//! 0 when the demo ran, whatever it found; 2 for bad input (rejected before
//! any work); 1 when it could not run. With `--check`, a verdict other than
//! `yes` or `not run` also exits 1.

use crate::support::json;

/// The outcome of checking one claim.
#[derive(Clone, Debug, PartialEq)]
pub enum Holds {
    /// The measurements meet the criterion.
    Yes,
    /// They do not.
    No,
    /// Part of the claim holds and part does not (the detail says which).
    Partly,
    /// A number is outside what is physically possible: the measurement,
    /// not the claim, is wrong. The reason names the bound.
    MeasurementError(String),
    /// The claim was not checked (a model not run, one core); why.
    NotRun(String),
}

impl Holds {
    /// The word printed after `->`.
    pub fn word(&self) -> &'static str {
        match self {
            Holds::Yes => "yes",
            Holds::No => "no",
            Holds::Partly => "partly",
            Holds::MeasurementError(_) => "measurement error",
            Holds::NotRun(_) => "not run",
        }
    }

    /// The result a word printed after `->` names ([`Holds::word`] read
    /// back, with the reason a measurement error or a claim not run
    /// carries); `None` for a word that is none of them.
    pub fn from_word(word: &str, reason: &str) -> Option<Holds> {
        Some(match word {
            "yes" => Holds::Yes,
            "no" => Holds::No,
            "partly" => Holds::Partly,
            "measurement error" => Holds::MeasurementError(reason.into()),
            "not run" => Holds::NotRun(reason.into()),
            _ => return None,
        })
    }

    /// Why, for a measurement error or a claim not run.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Holds::MeasurementError(r) | Holds::NotRun(r) => Some(r),
            _ => None,
        }
    }
}

/// One claim, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// What is claimed, in the seed's words where it has them.
    pub claim: String,
    /// The rule applied to the numbers, with its thresholds.
    pub criterion: String,
    /// The result.
    pub holds: Holds,
    /// The measured numbers the rule was applied to.
    pub detail: String,
}

impl Verdict {
    /// A verdict; `claim` and `criterion` are usually constants.
    pub fn new(
        claim: impl Into<String>,
        criterion: impl Into<String>,
        holds: Holds,
        detail: impl Into<String>,
    ) -> Verdict {
        Verdict {
            claim: claim.into(),
            criterion: criterion.into(),
            holds,
            detail: detail.into(),
        }
    }

    /// Whether `--check` lets it pass: `yes`, or not run (by the user's
    /// choice of `--model`, or a machine that cannot show it).
    pub fn passes_check(&self) -> bool {
        matches!(self.holds, Holds::Yes | Holds::NotRun(_))
    }

    /// `<word>[: reason]` then the detail, as printed after `->`.
    pub fn result_text(&self) -> String {
        let mut out = self.holds.word().to_string();
        if let Some(reason) = self.holds.reason() {
            out.push_str(" (");
            out.push_str(reason);
            out.push(')');
        }
        if !self.detail.is_empty() {
            out.push_str(": ");
            out.push_str(&self.detail);
        }
        out
    }

    /// The two lines every demo prints for a verdict.
    pub fn text(&self) -> String {
        format!(
            "claim: {} -> {}\n  criterion: {}",
            self.claim,
            self.result_text(),
            self.criterion
        )
    }

    /// Prints [`Verdict::text`].
    pub fn print(&self) {
        println!("{}", self.text());
    }

    /// The verdict as a JSON object: claim, criterion, holds, reason,
    /// detail.
    pub fn json(&self) -> json::Object {
        json::Object::new()
            .str("claim", &self.claim)
            .str("criterion", &self.criterion)
            .str("holds", self.holds.word())
            .value("reason", self.holds.reason())
            .str("detail", &self.detail)
    }
}

impl Verdict {
    /// A verdict read back from [`Verdict::json`]'s object (another
    /// demo's output: `demo report` runs each claim as a child), or `None`
    /// if it is not one.
    pub fn from_json(v: &json::Value) -> Option<Verdict> {
        let text = |k: &str| v.get(k).and_then(json::Value::as_str);
        let holds = Holds::from_word(text("holds")?, text("reason").unwrap_or(""))?;
        Some(Verdict::new(
            text("claim")?,
            text("criterion")?,
            holds,
            text("detail").unwrap_or(""),
        ))
    }
}

/// A JSON array of verdicts.
pub fn json_array(verdicts: &[Verdict]) -> json::Value {
    json::array(verdicts.iter().map(Verdict::json))
}

/// How a subcommand ended; [`Outcome::code`] applies the exit-code rule.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The demo ran and checked these claims (their verdicts, in order).
    Ran(Vec<Verdict>),
    /// The input was rejected before any work (the message is printed).
    BadInput,
    /// The demo could not run (the message is printed).
    Failed,
}

/// Exit code: the demo ran.
pub const EXIT_RAN: i32 = 0;
/// Exit code: it could not run, or (`--check`) a claim was not confirmed.
pub const EXIT_FAILED: i32 = 1;
/// Exit code: bad input.
pub const EXIT_BAD_INPUT: i32 = 2;

impl Outcome {
    /// The process exit code: 0 ran, 2 bad input, 1 failed; with `check`,
    /// 1 also when a verdict is not `yes` (or `not run`).
    pub fn code(&self, check: bool) -> i32 {
        match self {
            Outcome::Ran(verdicts) if check && !verdicts.iter().all(Verdict::passes_check) => {
                EXIT_FAILED
            }
            Outcome::Ran(_) => EXIT_RAN,
            Outcome::BadInput => EXIT_BAD_INPUT,
            Outcome::Failed => EXIT_FAILED,
        }
    }
}

/// Prints `demo <cmd>: <message>` to stderr and returns [`Outcome::BadInput`].
pub fn bad_input(cmd: &str, message: &str) -> Outcome {
    eprintln!("demo {cmd}: {message}");
    Outcome::BadInput
}

/// Prints `demo <cmd>: <message>` to stderr and returns [`Outcome::Failed`].
pub fn failed(cmd: &str, message: &str) -> Outcome {
    eprintln!("demo {cmd}: {message}");
    Outcome::Failed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(holds: Holds) -> Verdict {
        Verdict::new("c", "k", holds, "d")
    }

    #[test]
    fn exit_codes_follow_one_rule() {
        let yes = Outcome::Ran(vec![v(Holds::Yes), v(Holds::NotRun("x".into()))]);
        let no = Outcome::Ran(vec![v(Holds::Yes), v(Holds::No)]);
        assert_eq!(yes.code(false), 0);
        assert_eq!(yes.code(true), 0);
        assert_eq!(no.code(false), 0, "a claim that fails is still a run");
        assert_eq!(no.code(true), 1, "--check turns it into a failure");
        for holds in [Holds::Partly, Holds::MeasurementError("m".into())] {
            assert_eq!(Outcome::Ran(vec![v(holds)]).code(true), 1);
        }
        assert_eq!(Outcome::BadInput.code(false), 2);
        assert_eq!(Outcome::BadInput.code(true), 2);
        assert_eq!(Outcome::Failed.code(false), 1);
    }

    #[test]
    fn the_text_carries_the_criterion_and_the_reason() {
        let t = Verdict::new(
            "a claim",
            "x > 1",
            Holds::MeasurementError("x above the bound".into()),
            "x = 9",
        )
        .text();
        assert_eq!(
            t,
            "claim: a claim -> measurement error (x above the bound): x = 9\n  criterion: x > 1"
        );
    }

    #[test]
    fn the_json_reads_back() {
        for holds in [
            Holds::Yes,
            Holds::No,
            Holds::Partly,
            Holds::MeasurementError("m".into()),
            Holds::NotRun("n".into()),
        ] {
            let v = Verdict::new("a", "b", holds, "d");
            let back: json::Value = serde_json::from_str(&v.json().to_string()).unwrap();
            assert_eq!(Verdict::from_json(&back), Some(v));
        }
        let odd: json::Value =
            serde_json::from_str(r#"{"claim": "a", "criterion": "b", "holds": "maybe"}"#).unwrap();
        assert_eq!(Verdict::from_json(&odd), None);
    }

    #[test]
    fn the_json_has_every_field() {
        let j = Verdict::new("a", "b", Holds::NotRun("why".into()), "d")
            .json()
            .to_string();
        assert_eq!(
            j,
            r#"{"claim": "a", "criterion": "b", "holds": "not run", "reason": "why", "detail": "d"}"#
        );
    }
}
