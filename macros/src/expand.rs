//! The expansion: the user's `async fn` becomes a plain `#[test] fn` that
//! hands the body to the runner in the `runtime` crate.
//!
//! ```text
//! #[runtime::test(seed = 7, timeout = "10s")]      #[::core::prelude::v1::test]
//! #[should_panic]                                  #[should_panic]
//! async fn name() -> R { body }           ==>      fn name() -> R {
//!                                                      async fn __runtime_test_body() -> R { body }
//!                                                      ::runtime::__private::test::run(
//!                                                          ::runtime::__private::test::Options {
//!                                                              name: "name",
//!                                                              module_path: ::core::module_path!(),
//!                                                              file: ::core::file!(),
//!                                                              line: ::core::line!(),
//!                                                              paused: true,
//!                                                              seed: Some(7u64), explore: None,
//!                                                              timeout: Some(Duration::from_millis(10000)),
//!                                                              allow_pending: false, threaded: false,
//!                                                          },
//!                                                          __runtime_test_body,
//!                                                      )
//!                                                  }
//! ```
//!
//! The body moves into a nested function of its own, unchanged, so `return`,
//! `?` and the return type mean what the user wrote; the runner gets that
//! function (not one future) because `explore` polls the body once per
//! schedule. With `threaded` the nested function is a plain `fn` and the
//! runner is `run_threaded`.
//!
//! Hygiene: every path is absolute (`::core::...`, `::runtime::...`, or the
//! `crate = "..."` path). `module_path!`, `file!` and `line!` carry the span
//! of the function's name, so they expand to where the test is written (with
//! the macro's own span, `line!` would give the line of the attribute).

use proc_macro::{Delimiter, Group, Ident, Literal, Span, TokenStream, TokenTree};

use crate::args::Args;
use crate::error::Error;
use crate::item::TestFn;

/// The tokens that replace the attribute and the function.
pub(crate) fn expand(args: &Args, f: TestFn) -> Result<TokenStream, Vec<Error>> {
    check_asyncness(args, &f)?;
    let krate = match &args.krate {
        Some((path, _)) => path.to_string(),
        None => "::runtime".to_owned(),
    };
    let runner = if args.threaded.is_some() {
        "run_threaded"
    } else {
        "run"
    };

    let mut out: TokenStream = f.attrs.into_iter().collect();
    out.extend(code("#[::core::prelude::v1::test]"));
    out.extend(f.vis);
    let mut params = Group::new(Delimiter::Parenthesis, TokenStream::new());
    params.set_span(f.params.span());
    out.extend([
        TokenTree::from(f.fn_token.clone()),
        f.name.clone().into(),
        params.clone().into(),
    ]);
    out.extend(f.output.iter().cloned());

    // The outer function's body: the nested body function, then the call.
    let mut body = TokenStream::new();
    // `fn` and `()` carry the user's spans, so that rustc's notes about the
    // body's function ("this is not `async`") point at the user's `fn`.
    body.extend(f.asyncness.map(TokenTree::from));
    body.extend([TokenTree::from(f.fn_token.clone())]);
    body.extend(code("__runtime_test_body"));
    body.extend([TokenTree::from(params.clone())]);
    body.extend(f.output);
    body.extend([TokenTree::from(f.body)]);
    body.extend(code(&format!("{krate}::__private::test::{runner}")));
    let mut call = code(&format!("{krate}::__private::test::Options"));
    call.extend([group(Delimiter::Brace, options_fields(args, &f.name))]);
    call.extend(code(", __runtime_test_body,"));
    body.extend([group(Delimiter::Parenthesis, call)]);

    out.extend([group(Delimiter::Brace, body)]);
    Ok(out)
}

/// `async fn` for the event loop, plain `fn` for `threaded`.
fn check_asyncness(args: &Args, f: &TestFn) -> Result<(), Vec<Error>> {
    match (&f.asyncness, args.threaded) {
        (None, None) => Err(vec![Error::new(
            f.fn_token.span(),
            "#[runtime::test] needs an `async fn` (or `threaded` for a blocking body)",
        )]),
        (Some(asyncness), Some(_)) => Err(vec![Error::new(
            asyncness.span(),
            "`threaded` runs a blocking body on OS threads: write `fn`, not `async fn` \
             (or remove `threaded` to run the async body on the event loop)",
        )]),
        _ => Ok(()),
    }
}

/// `name: "...", module_path: ..., ..., threaded: ...,` for `Options { }`.
fn options_fields(args: &Args, name: &Ident) -> TokenStream {
    let at_name = name.span();
    let name_text = name.to_string();
    let name_text = name_text.strip_prefix("r#").unwrap_or(&name_text);
    let mut fields = code(&format!("name: {},", Literal::string(name_text)));
    for (field, mac) in [
        ("module_path", "module_path"),
        ("file", "file"),
        ("line", "line"),
    ] {
        fields.extend(code(&format!("{field}:")));
        fields.extend(respan(code(&format!("::core::{mac}!()")), at_name));
        fields.extend(code(","));
    }
    let some = |value: Option<String>| match value {
        Some(v) => format!("::core::option::Option::Some({v})"),
        None => "::core::option::Option::None".to_owned(),
    };
    fields.extend(code(&format!(
        "paused: {paused}, seed: {seed}, explore: {explore}, timeout: {timeout}, \
         allow_pending: {allow_pending}, threaded: {threaded},",
        paused = args.is_paused(),
        seed = some(args.seed.map(|(s, _)| format!("{s}u64"))),
        explore = some(args.explore.map(|(n, _)| format!("{n}u32"))),
        timeout = some(
            args.timeout_millis
                .map(|(ms, _)| format!("::core::time::Duration::from_millis({ms})"))
        ),
        allow_pending = args.allow_pending.is_some(),
        threaded = args.threaded.is_some(),
    )));
    fields
}

/// The macro's own code, spanned at the attribute (`Span::call_site`).
fn code(text: &str) -> TokenStream {
    // Only fixed text and numbers the macro formatted itself (or the
    // `crate = "..."` path, checked by `args::parse_path`) get here.
    text.parse()
        .unwrap_or_else(|_| panic!("runtime-macros produced invalid tokens: {text}"))
}

fn group(delimiter: Delimiter, inner: TokenStream) -> TokenTree {
    Group::new(delimiter, inner).into()
}

/// `tokens` with every span (nested groups too) set to `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut t| {
            if let TokenTree::Group(g) = &t {
                let mut inner = Group::new(g.delimiter(), respan(g.stream(), span));
                inner.set_span(span);
                t = inner.into();
            } else {
                t.set_span(span);
            }
            t
        })
        .collect()
}
