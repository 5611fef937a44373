//! A branch's pattern in its test form: the same values match, nothing is
//! moved.
//!
//! When a future completes, `select!` must know whether its output matches
//! the pattern before it decides to finish: on a mismatch the branch is
//! disabled and the others are polled on. The output cannot be matched by
//! value there (the bindings would take it, and the handler runs later,
//! outside the poll), so it is matched by reference, `match &out { .. }`,
//! and only the outcome is kept; the handler's own `match` binds it later.
//!
//! Matching a reference, a pattern's bindings become references by default
//! (match ergonomics), and the binding modifiers `ref`, `mut` and `ref mut`
//! and the reference patterns `&p` / `&mut p` are then errors (edition 2024:
//! "binding modifiers may only be written when the default binding mode is
//! move"; earlier editions: "cannot move out of a shared reference"). None
//! of them decides whether a value matches, only how it is bound, so the
//! test form drops them: `Some(mut v)` is tested as `Some(v)`,
//! `(&a, ref b)` as `(a, b)`. tokio's `select!` does the same
//! (`select_priv_clean_pattern`, with syn), keeping `&`.
//!
//! Without syn the walk is over tokens, and in a pattern that is enough:
//! `ref` and `mut` are always binding modifiers and `&` always a reference
//! pattern, except inside angle brackets (`Path::<&T>::C`), an inline
//! `const { .. }` block or a macro call's group, which are left as written.
//! `<` never means "less than" in a pattern, so the angle brackets nest
//! simply. Invisible groups (a `$p:pat` passed on by another macro) are
//! entered like any other.

use proc_macro::{Group, Punct, Spacing, TokenStream, TokenTree};

use super::tokens::{Tok, glue};

/// The test form of `pattern` (see the module doc).
pub(crate) fn test_form(pattern: &[Tok]) -> TokenStream {
    let mut out: Vec<TokenTree> = Vec::new();
    let mut angles = 0usize;
    for (i, tok) in pattern.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| &pattern[p]);
        if angles == 0
            && (tok.is_op("&") || tok.is_op("&&") || tok.is_ident("ref") || tok.is_ident("mut"))
        {
            // Dropped. A `Punct` before it that was glued to it (`|&x`)
            // must not be glued to what follows now.
            if let Some(TokenTree::Punct(p)) = out.last_mut() {
                if p.spacing() == Spacing::Joint {
                    let mut alone = Punct::new(p.as_char(), Spacing::Alone);
                    alone.set_span(p.span());
                    *p = alone;
                }
            }
            continue;
        }
        match tok {
            Tok::Tree(TokenTree::Group(g))
                if angles == 0 && !prev.is_some_and(|p| p.is_op("!") || p.is_ident("const")) =>
            {
                let mut inner = Group::new(g.delimiter(), test_form(&glue(g.stream())));
                inner.set_span(g.span());
                out.push(inner.into());
            }
            Tok::Tree(t) => out.push(t.clone()),
            Tok::Op(text, puncts) => {
                match text.as_str() {
                    "<" => angles += 1,
                    ">" => angles = angles.saturating_sub(1),
                    ">>" => angles = angles.saturating_sub(2),
                    _ => {}
                }
                out.extend(puncts.iter().cloned().map(TokenTree::Punct));
            }
        }
    }
    out.into_iter().collect()
}
