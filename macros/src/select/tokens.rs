//! The tokens `select!` walks: token trees with their punctuation glued back
//! into operators.
//!
//! rustc hands a proc macro its input as token trees whose punctuation comes
//! one character at a time: `=>` arrives as `=` then `>`, `..=` as three
//! tokens, each `Punct` marked `Joint` when another `Punct` follows it with
//! no space between. The branch grammar is about operators (`=` between
//! pattern and future, `=>` before the handler, `,` between branches), so
//! [`glue`] joins every run of adjacent punctuation greedily into the longest
//! operators, as rustc's lexer does: `=>` is one [`Tok::Op`], `..=` another,
//! `=&` (as in `v =&mut fut`) two. Groups (`(...)`, `[...]`, `{...}`) stay
//! single tokens, so a scan at one level never looks inside them.

use proc_macro::{Delimiter, Punct, Spacing, Span, TokenStream, TokenTree};

/// The multi-character operators, longest first (so the greedy match takes
/// `..=` before `..`, and `<<=` before `<<`).
const OPERATORS: [&str; 24] = [
    "<<=", ">>=", "...", "..=", "::", "->", "=>", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=",
    "*=", "/=", "%=", "^=", "&=", "|=", "<<", ">>", "..",
];

/// One token of a `select!` body.
#[derive(Clone)]
pub(crate) enum Tok {
    /// An identifier, a literal or a group.
    Tree(TokenTree),
    /// One operator: its text and the `Punct`s it was written with.
    Op(String, Vec<Punct>),
}

impl Tok {
    /// Whether this is the operator `op`.
    pub(crate) fn is_op(&self, op: &str) -> bool {
        matches!(self, Tok::Op(text, _) if text == op)
    }

    /// Whether this is the identifier (or keyword) `word`.
    pub(crate) fn is_ident(&self, word: &str) -> bool {
        matches!(self, Tok::Tree(TokenTree::Ident(i)) if i.to_string() == word)
    }

    /// The group, if this is one delimited by `delimiter`.
    pub(crate) fn group(&self, delimiter: Delimiter) -> Option<&proc_macro::Group> {
        match self {
            Tok::Tree(TokenTree::Group(g)) if g.delimiter() == delimiter => Some(g),
            _ => None,
        }
    }

    /// Where the token starts, for error messages.
    pub(crate) fn span(&self) -> Span {
        match self {
            Tok::Tree(t) => t.span(),
            Tok::Op(_, puncts) => puncts.first().map_or_else(Span::call_site, Punct::span),
        }
    }

    /// Where the token ends, for error messages.
    pub(crate) fn span_end(&self) -> Span {
        match self {
            Tok::Tree(t) => t.span(),
            Tok::Op(_, puncts) => puncts.last().map_or_else(Span::call_site, Punct::span),
        }
    }
}

/// `stream` as [`Tok`]s (one level: groups are not entered).
pub(crate) fn glue(stream: TokenStream) -> Vec<Tok> {
    let trees: Vec<TokenTree> = stream.into_iter().collect();
    let mut toks = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        let TokenTree::Punct(first) = &trees[i] else {
            toks.push(Tok::Tree(trees[i].clone()));
            i += 1;
            continue;
        };
        // The run of punctuation written without spaces: `Joint` says
        // another `Punct` follows at once.
        let mut run = vec![first.clone()];
        while let (Some(last), Some(TokenTree::Punct(next))) =
            (run.last(), trees.get(i + run.len()))
        {
            if last.spacing() != Spacing::Joint {
                break;
            }
            run.push(next.clone());
        }
        i += run.len();
        split_run(run, &mut toks);
    }
    toks
}

/// Splits one run of punctuation into the longest operators.
fn split_run(run: Vec<Punct>, toks: &mut Vec<Tok>) {
    let chars: String = run.iter().map(Punct::as_char).collect();
    let mut at = 0;
    while at < run.len() {
        let len = OPERATORS
            .iter()
            .find(|op| chars[at..].starts_with(*op))
            .map_or(1, |op| op.len());
        let text = chars[at..at + len].to_owned();
        toks.push(Tok::Op(text, run[at..at + len].to_vec()));
        at += len;
    }
}

/// The tokens back as a stream, as written.
pub(crate) fn to_stream(toks: &[Tok]) -> TokenStream {
    let mut out = TokenStream::new();
    for tok in toks {
        match tok {
            Tok::Tree(t) => out.extend([t.clone()]),
            Tok::Op(_, puncts) => out.extend(puncts.iter().cloned().map(TokenTree::Punct)),
        }
    }
    out
}

/// What ended a [`scan`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum End {
    /// A comma at the top level, at this index.
    Comma(usize),
    /// A token `stop` accepted, at this index.
    Stop(usize),
    /// The end of the tokens.
    Eof,
}

/// Walks `toks[from..]` to the first top-level comma or `stop` token.
///
/// "Top level" is more than "outside a group": an expression can hold a
/// comma between angle brackets (`f::<A, B>()`, `<T as Tr<A, B>>::f()`) or
/// between a closure's bars (`|a, b| a + b`). Those are skipped. A `<` opens
/// angle brackets only where it cannot be a comparison: after `::`, where
/// an operand begins ([`operand_starts`]: `v + <T as Tr<A, B>>::f()`), in
/// the type after `as` (`p as *const Pair<A, B>`: rustc reads that `<` as
/// generics too), or inside other angle brackets; a `|` opens closure
/// parameters only where an operand begins (`f = |a, b| a + b`). `stop` is
/// only asked at the top level.
pub(crate) fn scan(toks: &[Tok], from: usize, stop: impl Fn(&Tok) -> bool) -> End {
    let mut angles = 0usize;
    // Between a top-level `as` and the end of its type.
    let mut in_cast = false;
    let mut i = from;
    while i < toks.len() {
        let tok = &toks[i];
        let at_start = operand_starts(toks, from, i);
        if angles == 0 {
            // The type goes on through a path's `::` and `<`, `fn(..) ->`,
            // and the `*`/`&` of a pointer right after `as`; any other
            // operator (`x as u8 * 2`) ends it.
            let type_goes_on = match tok {
                Tok::Op(op, _) if op == "*" || op == "&" => {
                    toks[i - 1].is_ident("as") || toks[i - 1].is_op("*") || toks[i - 1].is_op("&")
                }
                Tok::Op(op, _) => ["::", "<", "->"].contains(&op.as_str()),
                _ => true,
            };
            if in_cast && !type_goes_on {
                in_cast = false;
            }
            if tok.is_ident("as") {
                in_cast = true;
            }
            if tok.is_op(",") {
                return End::Comma(i);
            }
            if stop(tok) {
                return End::Stop(i);
            }
            if tok.is_op("|") && at_start {
                // Closure parameters: up to the closing bar.
                i += 1;
                while i < toks.len() && !toks[i].is_op("|") {
                    i += 1;
                }
            }
        }
        if tok.is_op("<")
            && (angles > 0 || at_start || in_cast || i > from && toks[i - 1].is_op("::"))
        {
            angles += 1;
        } else if angles > 0 && tok.is_op(">") {
            angles -= 1;
        } else if angles > 0 && tok.is_op(">>") {
            angles = angles.saturating_sub(2);
        }
        i += 1;
    }
    End::Eof
}

/// Whether an operand begins at `toks[i]` (scanning from `from`), so that a
/// `<` there starts a qualified path and a `|` a closure, never a
/// comparison or a bitwise or: at the start, after a keyword that takes an
/// expression, or after an operator, except `?` and `>`/`>>` (which end an
/// operand: `x? | y`, `v as Flags<u8> | y`).
fn operand_starts(toks: &[Tok], from: usize, i: usize) -> bool {
    if i == from {
        return true;
    }
    match &toks[i - 1] {
        Tok::Op(op, _) => !matches!(op.as_str(), "?" | ">" | ">>"),
        prev => ["move", "return", "break", "in", "if", "match", "while"]
            .iter()
            .any(|word| prev.is_ident(word)),
    }
}
