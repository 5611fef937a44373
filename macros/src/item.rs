//! The function under the attribute, split into the parts the expansion
//! reuses.
//!
//! A test function is, token by token:
//!
//! ```text
//! #[attr]...  pub(crate)?  async?  fn  name  ( )  -> Type?  { body }
//! ```
//!
//! rustc has already grouped every `(...)`, `[...]` and `{...}` into one
//! token tree, so the walk is flat: attributes are `#` followed by a
//! bracket group, the parameters one parenthesis group, the body the last
//! token (a brace group), and the return type whatever lies between `->`
//! and the body. What a test function cannot have (parameters, `self`,
//! generics, a `where` clause, `const`/`unsafe`/`extern`) is an [`Error`].

use proc_macro::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};

use crate::error::Error;

/// A test function's parts, each with the user's own spans.
pub(crate) struct TestFn {
    /// `#[...]` attributes (doc comments arrive as `#[doc = "..."]`), in order.
    pub(crate) attrs: Vec<TokenTree>,
    /// `pub`, `pub(crate)`, ... or nothing.
    pub(crate) vis: Vec<TokenTree>,
    /// The `async` keyword, if present.
    pub(crate) asyncness: Option<Ident>,
    /// The `fn` keyword.
    pub(crate) fn_token: Ident,
    pub(crate) name: Ident,
    /// The empty `()` group (kept for its span).
    pub(crate) params: Group,
    /// `-> Type` as written (the arrow included), or empty.
    pub(crate) output: Vec<TokenTree>,
    /// `{ ... }`.
    pub(crate) body: Group,
}

/// Splits `item` into a [`TestFn`]; `Err` lists every problem found.
pub(crate) fn parse(item: TokenStream) -> Result<TestFn, Vec<Error>> {
    let tokens: Vec<TokenTree> = item.into_iter().collect();
    let mut errors = Vec::new();
    let mut i = 0;

    let mut attrs = Vec::new();
    while let (Some(TokenTree::Punct(hash)), Some(TokenTree::Group(g))) =
        (tokens.get(i), tokens.get(i + 1))
    {
        if hash.as_char() != '#' || g.delimiter() != Delimiter::Bracket {
            break;
        }
        if let Some(path) = test_attribute(g) {
            errors.push(Error::spanning(
                hash.span(),
                g.span(),
                format!(
                    "a second test attribute: #[runtime::test] already makes this function \
                     a test; remove #[{path}]"
                ),
            ));
        }
        attrs.extend([tokens[i].clone(), tokens[i + 1].clone()]);
        i += 2;
    }

    let mut vis = Vec::new();
    if is_ident(tokens.get(i), "pub") {
        vis.push(tokens[i].clone());
        i += 1;
        if let Some(TokenTree::Group(g)) = tokens.get(i) {
            if g.delimiter() == Delimiter::Parenthesis {
                vis.push(tokens[i].clone());
                i += 1;
            }
        }
    }

    let mut asyncness = None;
    loop {
        match tokens.get(i) {
            Some(TokenTree::Ident(q)) if q.to_string() == "async" => asyncness = Some(q.clone()),
            Some(TokenTree::Ident(q))
                if ["const", "unsafe", "extern", "safe"].contains(&q.to_string().as_str()) =>
            {
                errors.push(Error::new(
                    q.span(),
                    format!("a test function cannot be `{q}`"),
                ));
                // `extern "C"`: skip the ABI string too.
                if let Some(TokenTree::Literal(_)) = tokens.get(i + 1) {
                    i += 1;
                }
            }
            _ => break,
        }
        i += 1;
    }

    let not_a_fn = |at: Option<&TokenTree>| {
        let span = at.map_or_else(Span::call_site, TokenTree::span);
        vec![Error::new(
            span,
            "#[runtime::test] goes on a test function: `async fn name() { ... }`",
        )]
    };
    let fn_token = match tokens.get(i) {
        Some(TokenTree::Ident(f)) if f.to_string() == "fn" => f.clone(),
        other => return Err(not_a_fn(other)),
    };
    i += 1;
    let name = match tokens.get(i) {
        Some(TokenTree::Ident(n)) => n.clone(),
        other => return Err(not_a_fn(other)),
    };
    i += 1;

    if let Some(TokenTree::Punct(lt)) = tokens.get(i) {
        if lt.as_char() == '<' {
            // Where the generics end is not worth finding (`->` inside
            // them has a `>` too): report them and stop.
            errors.push(Error::new(
                lt.span(),
                "a test function cannot be generic: the test harness calls it with no type arguments",
            ));
            return Err(errors);
        }
    }

    let params = match tokens.get(i) {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => g.clone(),
        other => return Err(not_a_fn(other)),
    };
    i += 1;
    if let Some(e) = check_params(&params) {
        errors.push(e);
    }

    let body = match tokens.last() {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace && tokens.len() > i => {
            g.clone()
        }
        other => {
            errors.push(Error::new(
                other.map_or_else(Span::call_site, TokenTree::span),
                "a test function needs a body `{ ... }`",
            ));
            return Err(errors);
        }
    };
    let signature_rest = &tokens[i..tokens.len() - 1];
    if let Some(at) = signature_rest
        .iter()
        .position(|t| is_ident(Some(t), "where"))
    {
        let last = &signature_rest[signature_rest.len() - 1];
        errors.push(Error::spanning(
            signature_rest[at].span(),
            last.span(),
            "a test function cannot have a `where` clause",
        ));
    }
    let output: Vec<TokenTree> = signature_rest
        .iter()
        .take_while(|t| !is_ident(Some(t), "where"))
        .cloned()
        .collect();

    if errors.is_empty() {
        Ok(TestFn {
            attrs,
            vis,
            asyncness,
            fn_token,
            name,
            params,
            output,
            body,
        })
    } else {
        Err(errors)
    }
}

/// An error if the parameter list is not empty; a receiver gets its own
/// message.
fn check_params(params: &Group) -> Option<Error> {
    let tokens: Vec<TokenTree> = params.stream().into_iter().collect();
    let first = tokens.first()?;
    let receiver_end = tokens
        .iter()
        .take(4) // `self`, `&self`, `&mut self`, `&'a mut self`, `mut self`
        .take_while(
            |t| !matches!(t, TokenTree::Punct(p) if p.as_char() == ',' || p.as_char() == ':'),
        )
        .find(|t| is_ident(Some(t), "self"));
    let message = if receiver_end.is_some() {
        "a test function cannot take `self`: #[runtime::test] goes on a free function, not a method"
    } else {
        "test functions take no arguments"
    };
    let end = receiver_end.unwrap_or_else(|| &tokens[tokens.len() - 1]);
    Some(Error::spanning(first.span(), end.span(), message))
}

/// The path of a test attribute (`test`, `tokio::test`, `runtime::test`,
/// `core::prelude::v1::test`, ...), if `group` (the `[...]` of an attribute)
/// is one.
fn test_attribute(group: &Group) -> Option<String> {
    let tokens: Vec<TokenTree> = group.stream().into_iter().collect();
    let path_len = tokens
        .iter()
        .take_while(|t| {
            matches!(t, TokenTree::Ident(_))
                || matches!(t, TokenTree::Punct(p) if p.as_char() == ':')
        })
        .count();
    let path = &tokens[..path_len];
    if !is_ident(path.last(), "test") {
        return None;
    }
    let text: String = path.iter().map(ToString::to_string).collect();
    Some(text)
}

fn is_ident(t: Option<&TokenTree>, word: &str) -> bool {
    matches!(t, Some(TokenTree::Ident(i)) if i.to_string() == word)
}
