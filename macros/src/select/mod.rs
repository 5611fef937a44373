//! `runtime::select!`: wait on several futures in one task, run the handler
//! of the first to complete with an output that matches its pattern.
//!
//! The user calls the `macro_rules!` `runtime::select!`, which calls
//! [`select_internal`](crate::select_internal) with `$crate; ` in front, so
//! that the expansion can name the runtime crate however the user's crate
//! depends on it. One file per step:
//!
//! - `tokens.rs`: token trees with the punctuation glued into operators;
//! - `parse.rs`: the branches (`pattern = future, if condition => handler`);
//! - `pattern.rs`: a pattern's test form (matched by reference in the poll);
//! - `expand.rs`: the expression (a `poll_fn`, then a `match`).
//!
//! Why a proc macro and not `macro_rules!` (as `gather!` is): deciding in
//! the poll whether an output matches its pattern, without moving it, needs
//! the pattern without its `ref`/`mut`/`&` (`pattern.rs`), and a
//! `macro_rules!` cannot take a `$p:pat` apart. Parsing by hand also lets
//! each mistake (a missing `=>`, `else` before the last branch, 65
//! branches) be one error at the user's tokens rather than "no rules
//! expected this token".

mod expand;
mod parse;
mod pattern;
mod tokens;

use proc_macro::TokenStream;

/// The whole macro: parse, then expand, or the error.
pub(crate) fn select(input: TokenStream) -> TokenStream {
    match parse::parse(input) {
        Ok(select) => expand::expand(select),
        Err(error) => error.to_compile_error_expr(),
    }
}
