//! The attribute's options: `#[runtime::test(paused, seed = 7, explore = 50,
//! timeout = "10s")]`.
//!
//! The grammar is a comma-separated list of `flag` or `name = literal`. The
//! tokens come from rustc already split into trees, so parsing is a walk over
//! them: an identifier, then either `,`/the end or `=` and one literal. Every
//! mistake becomes an [`Error`] at the offending token; parsing goes on after
//! one so that all of them are reported in one build.

use proc_macro::{Delimiter, Span, TokenStream, TokenTree};

use crate::duration;
use crate::error::Error;
use crate::literal;

/// Every option, as the "unknown option" error lists them.
const KNOWN: &str = "paused, real_clock, seed = N, explore = N, timeout = \"5s\", \
                     allow_pending, threaded, crate = \"path\"";

/// What the attribute asked for, with the span of each option given (for
/// errors about combinations).
#[derive(Default)]
pub(crate) struct Args {
    pub(crate) paused: Option<Span>,
    pub(crate) real_clock: Option<Span>,
    pub(crate) seed: Option<(u64, Span)>,
    pub(crate) explore: Option<(u32, Span)>,
    pub(crate) timeout_millis: Option<(u64, Span)>,
    pub(crate) allow_pending: Option<Span>,
    pub(crate) threaded: Option<Span>,
    /// `crate = "path"`: the path the expansion names the runtime by.
    pub(crate) krate: Option<(TokenStream, Span)>,
}

impl Args {
    /// Whether the test runs on the paused (virtual) clock: yes unless
    /// `real_clock` or `threaded` says otherwise (see the crate doc for why).
    pub(crate) fn is_paused(&self) -> bool {
        self.real_clock.is_none() && self.threaded.is_none()
    }
}

/// Parses the attribute's tokens; `Err` holds every mistake found.
pub(crate) fn parse(attr: TokenStream) -> Result<Args, Vec<Error>> {
    let mut args = Args::default();
    let mut errors = Vec::new();
    let mut tokens = attr.into_iter().peekable();
    while let Some(first) = tokens.next() {
        // One option: the tokens up to the next top-level comma.
        let mut option = vec![first];
        while let Some(t) = tokens.next_if(|t| !is_punct(t, ',')) {
            option.push(t);
        }
        tokens.next(); // the comma, if any
        if let Err(e) = parse_option(&option, &mut args) {
            errors.push(e);
        }
    }
    check_combinations(&args, &mut errors);
    if errors.is_empty() {
        Ok(args)
    } else {
        Err(errors)
    }
}

/// One `name` or `name = value`, recorded into `args`.
fn parse_option(option: &[TokenTree], args: &mut Args) -> Result<(), Error> {
    let name = match &option[0] {
        TokenTree::Ident(name) => name.to_string(),
        other => {
            return Err(Error::new(
                other.span(),
                format!("expected an option name, found `{other}`; the options are: {KNOWN}"),
            ));
        }
    };
    let span = option[0].span();
    let is_flag = ["paused", "real_clock", "allow_pending", "threaded"].contains(&name.as_str());
    if !is_flag && !["seed", "explore", "timeout", "crate"].contains(&name.as_str()) {
        return Err(Error::new(span, unknown_option(&name)));
    }
    let value = match option.get(1) {
        None => None,
        Some(eq) if is_punct(eq, '=') => Some((eq.span(), &option[2..])),
        Some(t) => {
            return Err(Error::new(
                t.span(),
                format!("expected `,` or `=` after `{name}`, found `{t}`"),
            ));
        }
    };
    if is_flag {
        if value.is_some() {
            let end = option[option.len() - 1].span();
            return Err(Error::spanning(
                span,
                end,
                format!("`{name}` is a flag and takes no value: write `{name}`"),
            ));
        }
        let slot = match name.as_str() {
            "paused" => &mut args.paused,
            "real_clock" => &mut args.real_clock,
            "allow_pending" => &mut args.allow_pending,
            _ => &mut args.threaded,
        };
        return set_once(slot, span, span, &name);
    }
    let (example, takes) = match name.as_str() {
        "seed" => ("seed = 7", "a u64 such as `seed = 7` or `seed = 0x2a`"),
        "explore" => (
            "explore = 200",
            "a number of schedules such as `explore = 200`",
        ),
        "timeout" => ("timeout = \"5s\"", "a duration"),
        _ => (
            "crate = \"my_runtime\"",
            "the runtime's path such as `crate = \"my_runtime\"`",
        ),
    };
    let Some((eq, tokens)) = value else {
        return Err(Error::new(
            span,
            format!("`{name}` needs a value: write `{example}`"),
        ));
    };
    let value = literal_text(&name, eq, tokens)?;
    let invalid = |why: String| {
        Error::spanning(
            value.start,
            value.end,
            format!("`{name}` takes {takes}: {why}"),
        )
    };
    let too_large = |ty: &str| format!("`{}` does not fit in a {ty}", value.text);
    match name.as_str() {
        "seed" => {
            let seed = literal::parse_unsigned(&value.text)
                .and_then(|n| u64::try_from(n).map_err(|_| too_large("u64")))
                .map_err(invalid)?;
            set_once(&mut args.seed, (seed, span), span, &name)
        }
        "explore" => {
            let schedules = literal::parse_unsigned(&value.text)
                .and_then(|n| u32::try_from(n).map_err(|_| too_large("u32")))
                .map_err(invalid)?;
            if schedules == 0 {
                return Err(Error::new(
                    value.start,
                    "`explore = 0` would run the test zero times; explore at least 1 schedule",
                ));
            }
            set_once(&mut args.explore, (schedules, span), span, &name)
        }
        "timeout" => {
            let millis = literal::parse_str(&value.text)
                .map_err(|why| format!("{why}; write a duration such as {}", duration::FORMS))
                .and_then(|text| duration::parse_millis(&text))
                .map_err(invalid)?;
            set_once(&mut args.timeout_millis, (millis, span), span, &name)
        }
        _ => {
            let path = literal::parse_str(&value.text)
                .and_then(|text| parse_path(&text))
                .map_err(invalid)?;
            set_once(&mut args.krate, (path, span), span, &name)
        }
    }
}

/// A value as written, and where.
struct Value {
    text: String,
    start: Span,
    end: Span,
}

/// The literal after `=`: one literal, or `-` and a literal (so that `-1`
/// is refused for being negative rather than for being two tokens), either
/// possibly wrapped in the invisible group a `macro_rules!` fragment
/// (`$seed:literal`) arrives in.
fn literal_text(name: &str, eq: Span, tokens: &[TokenTree]) -> Result<Value, Error> {
    match tokens {
        [TokenTree::Literal(lit)] => Ok(Value {
            text: lit.to_string(),
            start: lit.span(),
            end: lit.span(),
        }),
        [TokenTree::Punct(minus), TokenTree::Literal(lit)] if minus.as_char() == '-' => Ok(Value {
            text: format!("-{lit}"),
            start: minus.span(),
            end: lit.span(),
        }),
        [TokenTree::Group(g)] if g.delimiter() == Delimiter::None => {
            let inner: Vec<TokenTree> = g.stream().into_iter().collect();
            literal_text(name, eq, &inner)
        }
        [] => Err(Error::new(
            eq,
            format!("`{name} =` needs a value after `=`"),
        )),
        [first, ..] => Err(Error::spanning(
            first.span(),
            tokens[tokens.len() - 1].span(),
            format!(
                "`{name}` takes a literal value, found `{}`",
                tokens_text(tokens)
            ),
        )),
    }
}

fn set_once<T>(slot: &mut Option<T>, value: T, span: Span, name: &str) -> Result<(), Error> {
    if slot.is_some() {
        return Err(Error::new(span, format!("`{name}` is given twice")));
    }
    *slot = Some(value);
    Ok(())
}

/// Options that cannot go together, and why.
fn check_combinations(args: &Args, errors: &mut Vec<Error>) {
    if let (Some(_), Some(real)) = (args.paused, args.real_clock) {
        errors.push(Error::new(
            real,
            "`paused` and `real_clock` contradict each other; the clock is paused unless `real_clock` is given",
        ));
    }
    if args.threaded.is_none() {
        return;
    }
    let why_not = [
        (
            "paused",
            args.paused,
            "the thread-per-task model sleeps on the OS clock; there is no virtual clock to pause",
        ),
        (
            "seed",
            args.seed.map(|(_, s)| s),
            "the OS scheduler orders the threads; there is no schedule to seed",
        ),
        (
            "explore",
            args.explore.map(|(_, s)| s),
            "the OS scheduler orders the threads; there is no schedule to explore",
        ),
        (
            "allow_pending",
            args.allow_pending,
            "it is about event-loop tasks left pending, and a `threaded` test has none",
        ),
    ];
    for (name, span, why) in why_not {
        if let Some(span) = span {
            errors.push(Error::new(
                span,
                format!("`{name}` cannot be combined with `threaded`: {why}"),
            ));
        }
    }
}

/// `crate = "..."`'s value as tokens: a path such as `my_rt`, `::my_rt` or
/// `crate::rt`, nothing else.
fn parse_path(text: &str) -> Result<TokenStream, String> {
    let tokens: TokenStream = text
        .parse()
        .map_err(|_| format!("`{text}` is not a path"))?;
    let mut expect_ident = true;
    let mut leading = true;
    let mut iter = tokens.clone().into_iter().peekable();
    while let Some(t) = iter.next() {
        match &t {
            TokenTree::Ident(_) if expect_ident => expect_ident = false,
            TokenTree::Punct(p) if p.as_char() == ':' && (leading || !expect_ident) => {
                match iter.next() {
                    Some(TokenTree::Punct(q)) if q.as_char() == ':' => expect_ident = true,
                    _ => return Err(format!("`{text}` is not a path")),
                }
            }
            _ => return Err(format!("`{text}` is not a path")),
        }
        leading = false;
    }
    if expect_ident {
        return Err(format!("`{text}` is not a path"));
    }
    Ok(tokens)
}

fn unknown_option(name: &str) -> String {
    let names = [
        "paused",
        "real_clock",
        "seed",
        "explore",
        "timeout",
        "allow_pending",
        "threaded",
        "crate",
    ];
    // Spellings from tokio's attribute, and near misses.
    let suggestion = match name {
        "start_paused" => Some("paused"),
        "flavor" | "worker_threads" => Some("threaded"),
        _ => names
            .into_iter()
            .find(|known| edit_distance(name, known) <= 2),
    };
    let mut message = format!("unknown option `{name}`");
    if let Some(known) = suggestion {
        message.push_str(&format!(" (did you mean `{known}`?)"));
    }
    message.push_str(&format!("; the options are: {KNOWN}"));
    message
}

/// Levenshtein distance, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

fn is_punct(t: &TokenTree, ch: char) -> bool {
    matches!(t, TokenTree::Punct(p) if p.as_char() == ch)
}

fn tokens_text(tokens: &[TokenTree]) -> String {
    tokens.iter().cloned().collect::<TokenStream>().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_are_suggested() {
        assert_eq!(edit_distance("pause", "paused"), 1);
        assert_eq!(edit_distance("seeds", "seed"), 1);
        assert_eq!(edit_distance("", "seed"), 4);
        assert_eq!(edit_distance("timeout", "timeout"), 0);
        assert!(unknown_option("pause").contains("did you mean `paused`?"));
        assert!(unknown_option("start_paused").contains("did you mean `paused`?"));
        assert!(!unknown_option("banana").contains("did you mean"));
        assert!(unknown_option("banana").ends_with(KNOWN));
    }
}
