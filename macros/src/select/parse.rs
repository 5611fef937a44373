//! The `select!` body, split into branches.
//!
//! ```text
//! $crate ;                                     (put there by runtime::select!)
//! biased ;                                     (optional)
//! <pattern> = <future> (, if <precondition>)? => <handler> ,
//! ...
//! else => <expression> ,?                      (optional, last)
//! ```
//!
//! A handler that is a `{ block }` may leave out its comma, as a match arm
//! may; any other handler needs one unless it is the last branch. The walk
//! is over glued tokens (`tokens.rs`): the pattern ends at the first lone
//! `=`, the future at `=>` or at `, if`, the precondition at `=>`, the
//! handler at its comma. Every mistake is an [`Error`] at the tokens it is
//! about, and the walk stops at the first one (after it, where the next
//! branch begins is a guess).

use proc_macro::{Delimiter, Span, TokenStream, TokenTree};

use super::tokens::{End, Tok, glue, scan, to_stream};
use crate::error::Error;

/// The most branches: the set of disabled branches is one `u64`.
pub(crate) const MAX_BRANCHES: usize = 64;

/// What the user wrote, in parts.
pub(crate) struct Select {
    /// The path of the runtime crate (`$crate`, from `runtime::select!`).
    pub(crate) krate: TokenTree,
    /// `biased;`: poll the branches in the order written.
    pub(crate) biased: bool,
    pub(crate) branches: Vec<Branch>,
    /// The expression of `else => ...`.
    pub(crate) otherwise: Option<TokenStream>,
}

/// One `<pattern> = <future> (, if <precondition>)? => <handler>`.
pub(crate) struct Branch {
    /// The pattern, as glued tokens (`pattern.rs` makes its test form).
    pub(crate) pattern: Vec<Tok>,
    pub(crate) future: TokenStream,
    pub(crate) precondition: Option<TokenStream>,
    /// A `{ block }`, or an expression.
    pub(crate) handler: TokenStream,
}

/// Splits the macro's input; `Err` is the first mistake.
pub(crate) fn parse(input: TokenStream) -> Result<Select, Error> {
    let toks = glue(input);
    let (krate, mut at) = match (toks.first(), toks.get(1)) {
        (Some(Tok::Tree(krate)), Some(semi)) if semi.is_op(";") => (krate.clone(), 2),
        _ => {
            return Err(Error::new(
                Span::call_site(),
                "runtime-macros: select_internal! is called by runtime::select!; use that",
            ));
        }
    };
    let biased = matches!((toks.get(at), toks.get(at + 1)),
        (Some(b), Some(semi)) if b.is_ident("biased") && semi.is_op(";"));
    if biased {
        at += 2;
    }

    let first = toks.get(at).map_or_else(Span::call_site, Tok::span);
    let mut select = Select {
        krate,
        biased,
        branches: Vec::new(),
        otherwise: None,
    };
    while at < toks.len() {
        if toks[at].is_ident("else") && toks.get(at + 1).is_some_and(|t| t.is_op("=>")) {
            let (expression, next) = handler(&toks, at + 2, &toks[at + 1])?;
            if let Some(extra) = toks.get(next) {
                return Err(Error::spanning(
                    extra.span(),
                    toks[toks.len() - 1].span_end(),
                    "`else => ...` must be the last branch of select!",
                ));
            }
            select.otherwise = Some(expression);
            break;
        }
        let (branch, next) = branch(&toks, at)?;
        if select.branches.len() == MAX_BRANCHES {
            return Err(Error::spanning(
                toks[at].span(),
                toks[next - 1].span_end(),
                format!(
                    "select! takes at most {MAX_BRANCHES} branches (the set of disabled \
                     branches is one u64); this is branch {}",
                    MAX_BRANCHES + 1
                ),
            ));
        }
        select.branches.push(branch);
        at = next;
    }
    if select.branches.is_empty() {
        return Err(Error::new(
            first,
            "select! needs at least one branch: `<pattern> = <async expression> => <handler>,`",
        ));
    }
    Ok(select)
}

/// One branch from `toks[at..]`, and the index after it.
fn branch(toks: &[Tok], at: usize) -> Result<(Branch, usize), Error> {
    // The pattern: up to the first lone `=` outside angle brackets. A
    // pattern has no commas or arrows of its own at this level (they would
    // be inside a group, or between the angle brackets of a path's generic
    // arguments, `E::<A, B>::V(x)`: in a pattern `<` is never a comparison).
    let mut eq = at;
    let mut angles = 0usize;
    while eq < toks.len() && (angles > 0 || !toks[eq].is_op("=")) {
        match &toks[eq] {
            t if t.is_op("<") => angles += 1,
            t if t.is_op(">") => angles = angles.saturating_sub(1),
            t if t.is_op(">>") => angles = angles.saturating_sub(2),
            _ => {}
        }
        if angles == 0 && (toks[eq].is_op("=>") || toks[eq].is_op(",")) {
            return Err(Error::spanning(
                toks[at].span(),
                toks[eq].span_end(),
                "expected `<pattern> = <async expression>` before this: no `=` after the \
                 pattern (write `_ = fut` to ignore the output)",
            ));
        }
        eq += 1;
    }
    if eq == toks.len() {
        return Err(Error::spanning(
            toks[at].span(),
            toks[eq - 1].span_end(),
            "expected `<pattern> = <async expression> => <handler>`",
        ));
    }
    if eq == at {
        return Err(Error::new(
            toks[eq].span(),
            "expected a pattern before `=` (write `_ = fut` to ignore the output)",
        ));
    }
    let pattern = toks[at..eq].to_vec();

    // The future: up to `=>`, or to `, if`.
    let start = eq + 1;
    let (future_end, precondition) = match scan(toks, start, |t| t.is_op("=>")) {
        End::Stop(arrow) => (arrow, None),
        End::Comma(comma) if toks.get(comma + 1).is_some_and(|t| t.is_ident("if")) => {
            let cond_start = comma + 2;
            let arrow = (cond_start..toks.len()).find(|&i| toks[i].is_op("=>"));
            let Some(arrow) = arrow else {
                return Err(Error::spanning(
                    toks[comma + 1].span(),
                    toks[toks.len() - 1].span_end(),
                    "expected `=> <handler>` after the precondition",
                ));
            };
            if arrow == cond_start {
                return Err(Error::new(
                    toks[comma + 1].span(),
                    "expected a condition after `if`",
                ));
            }
            (comma, Some((cond_start, arrow)))
        }
        End::Comma(comma) => {
            return Err(Error::spanning(
                toks[start].span(),
                toks[comma].span_end(),
                "expected `=> <handler>` (or `, if <precondition> =>`) after the async \
                 expression",
            ));
        }
        End::Eof => {
            return Err(Error::spanning(
                toks[at].span(),
                toks[toks.len() - 1].span_end(),
                "expected `=> <handler>` after the async expression",
            ));
        }
    };
    if future_end == start {
        return Err(Error::new(
            toks[eq].span(),
            "expected an async expression after `=`",
        ));
    }
    let arrow = precondition.map_or(future_end, |(_, arrow)| arrow);
    let (handler, next) = handler(toks, arrow + 1, &toks[arrow])?;
    Ok((
        Branch {
            pattern,
            future: to_stream(&toks[start..future_end]),
            precondition: precondition.map(|(from, to)| to_stream(&toks[from..to])),
            handler,
        },
        next,
    ))
}

/// The handler starting at `toks[at]` (after `arrow`), and the index after
/// it and its comma.
fn handler(toks: &[Tok], at: usize, arrow: &Tok) -> Result<(TokenStream, usize), Error> {
    let Some(first) = toks.get(at) else {
        return Err(Error::new(
            arrow.span_end(),
            "expected a handler after `=>`",
        ));
    };
    if first.group(Delimiter::Brace).is_some() {
        // A block: like a match arm's, its comma is optional.
        let next = if toks.get(at + 1).is_some_and(|t| t.is_op(",")) {
            at + 2
        } else {
            at + 1
        };
        return Ok((to_stream(&toks[at..=at]), next));
    }
    match scan(toks, at, |t| t.is_op("=>")) {
        End::Comma(comma) if comma == at => Err(Error::new(
            arrow.span_end(),
            "expected a handler after `=>`",
        )),
        End::Comma(comma) => Ok((to_stream(&toks[at..comma]), comma + 1)),
        End::Eof => Ok((to_stream(&toks[at..]), toks.len())),
        End::Stop(next_arrow) => Err(Error::spanning(
            first.span(),
            toks[next_arrow].span_end(),
            "expected `,` after this handler: a handler that is not a `{ block }` ends with \
             a comma before the next branch",
        )),
    }
}
