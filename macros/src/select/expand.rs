//! The expansion of `select!`: one expression in the caller's async code.
//!
//! ```text
//! select! {                               {
//!     Some(v) = rx.recv() => v,               enum __RuntimeSelectOutput<T0, T1> { B0(T0), B1(T1), Disabled }
//!     _ = sleep(d), if armed => 0,            let __select_output = {
//! }                                               let mut __select_disabled: u64 = 0;
//!                                                 if !(armed) { __select_disabled |= 1 << 1; }   // preconditions first,
//!                                                 let mut __select_future_0 = pin!(into_future(rx.recv()));
//!                                                 let mut __select_future_1 = pin!(into_future(sleep(d)));  // then the futures
//!                                                 let __select_ready = poll_fn(|cx| {
//!                                                     // from a pseudo-random start (`biased;`: from 0), each
//!                                                     // enabled branch once; a completed future disables its
//!                                                     // branch; if its output matches the pattern (tested by
//!                                                     // reference, `pattern.rs`):
//!                                                     //     return Ready(__RuntimeSelectOutput::B0(output));
//!                                                     // all disabled: Ready(Disabled); else Pending.
//!                                                     // Ready puts back the wait the task had filed
//!                                                     // before this poll (`select::Waits`).
//!                                                 }).await;
//!                                                 __select_ready
//!                                             };                                    // the futures drop here
//!                                             match __select_output {
//!                                                 __RuntimeSelectOutput::B0(Some(v)) => (v),
//!                                                 __RuntimeSelectOutput::B1(_) => (0),
//!                                                 __RuntimeSelectOutput::Disabled => panic!("... no `else` branch"),
//!                                                 _ => unreachable!(),
//!                                             }
//!                                         }
//! ```
//!
//! The futures are pinned on the stack (`core::pin::pin!`), no allocation,
//! and dropped when the inner block ends, before any handler runs: a
//! handler may use what the futures borrowed (`rx`). The handlers are arms
//! of a plain `match`, outside any closure or loop of the macro's, so
//! `?`, `return`, `break`, `continue` and `.await` in a handler mean what
//! they mean around the `select!`.
//!
//! How it is built: the code above is written as text with a placeholder
//! identifier (`__select_piece_N`) wherever the user's tokens go, parsed,
//! and the placeholders replaced by those tokens ([`splice`]). The user's
//! tokens keep their own spans (errors in a handler point at the handler);
//! the macro's carry `Span::mixed_site()`, as a `macro_rules!` local does,
//! so no user variable can see or shadow `__select_disabled` and the rest.
//! The random start comes from `runtime::__private::select::start`, reached
//! through the `$crate` that `runtime::select!` passes in.

use std::fmt::Write;

use proc_macro::{Group, Span, TokenStream, TokenTree};

use super::parse::Select;
use super::pattern::test_form;

/// The expression that replaces the `select!`.
pub(crate) fn expand(select: Select) -> TokenStream {
    let n = select.branches.len();
    let mut pieces: Vec<TokenStream> = Vec::new();
    let mut piece = |tokens: TokenStream| {
        pieces.push(tokens);
        format!("__select_piece_{}", pieces.len() - 1)
    };
    let krate = piece(select.krate.into());

    let params: Vec<String> = (0..n).map(|i| format!("T{i}")).collect();
    let variants: String = (0..n).map(|i| format!("B{i}(T{i}), ")).collect();
    let mut preconditions = String::new();
    let mut futures = String::new();
    let mut polls = String::new();
    let mut arms = String::new();
    for (i, branch) in select.branches.into_iter().enumerate() {
        if let Some(condition) = branch.precondition {
            let condition = piece(condition);
            let _ = write!(
                preconditions,
                "if !({condition}) {{ __select_disabled |= 1u64 << {i}; }}"
            );
        }
        let future = piece(branch.future);
        let _ = write!(
            futures,
            "let mut __select_future_{i} = \
             ::core::pin::pin!(::core::future::IntoFuture::into_future({future}));"
        );
        let test = piece(test_form(&branch.pattern));
        let _ = write!(
            polls,
            "{i} => {{
                let ::core::task::Poll::Ready(__select_out) = ::core::future::Future::poll(
                    ::core::pin::Pin::as_mut(&mut __select_future_{i}),
                    __select_cx,
                ) else {{
                    continue;
                }};
                __select_disabled |= 1u64 << {i};
                match &__select_out {{
                    #[allow(unused_variables)]
                    {test} => {{}}
                    #[allow(unreachable_patterns)]
                    _ => continue,
                }}
                __select_waits.restore();
                return ::core::task::Poll::Ready(__RuntimeSelectOutput::B{i}(__select_out));
            }}"
        );
        let pattern = piece(super::tokens::to_stream(&branch.pattern));
        let handler = piece(branch.handler);
        // In parentheses: a handler is an expression (tokio's `$h:expr`),
        // and as a bare arm body `if c {} else {} + 1` would end at its
        // block.
        let _ = write!(
            arms,
            "__RuntimeSelectOutput::B{i}({pattern}) => ({handler}),"
        );
    }
    let otherwise = match select.otherwise {
        Some(expression) => piece(expression),
        None => "::core::panic!(\"runtime::select!: all branches are disabled and there is \
                 no `else` branch\")"
            .to_owned(),
    };
    let branch = if select.biased {
        "let __select_branch = __select_i;".to_owned()
    } else {
        format!(
            "let mut __select_branch = __select_start + __select_i;
             if __select_branch >= {n} {{ __select_branch -= {n}; }}"
        )
    };
    let start = if select.biased {
        String::new()
    } else {
        format!("let __select_start: u32 = {krate}::__private::select::start({n});")
    };
    let all = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };

    let text = format!(
        "{{
            enum __RuntimeSelectOutput<{params}> {{ {variants} Disabled }}
            // `mut`: a handler's pattern may bind `ref mut`.
            #[allow(unused_mut)]
            let mut __select_output = {{
                let mut __select_disabled: u64 = 0;
                {preconditions}
                {futures}
                let __select_ready = ::core::future::poll_fn(|__select_cx| {{
                    // What the task had filed as its wait: put back if this
                    // poll decides (the losers' waits go with them).
                    let __select_waits = {krate}::__private::select::Waits::filed();
                    {start}
                    for __select_i in 0..{n}u32 {{
                        {branch}
                        if __select_disabled & (1u64 << __select_branch) != 0 {{
                            continue;
                        }}
                        match __select_branch {{
                            {polls}
                            _ => {{}}
                        }}
                    }}
                    if __select_disabled == {all:#x}u64 {{
                        __select_waits.restore();
                        ::core::task::Poll::Ready(__RuntimeSelectOutput::Disabled)
                    }} else {{
                        ::core::task::Poll::Pending
                    }}
                }})
                .await;
                __select_ready
            }};
            match __select_output {{
                {arms}
                __RuntimeSelectOutput::Disabled => ({otherwise}),
                #[allow(unreachable_patterns)]
                _ => ::core::unreachable!(
                    \"runtime::select!: an output matched its pattern by reference but not by value\"
                ),
            }}
        }}",
        params = params.join(", "),
    );
    let template: TokenStream = text
        .parse()
        .unwrap_or_else(|_| panic!("runtime-macros produced invalid tokens: {text}"));
    splice(template, &pieces)
}

/// `template` with every placeholder `__select_piece_N` replaced by
/// `pieces[N]`, and the macro's own tokens spanned `Span::mixed_site()`.
fn splice(template: TokenStream, pieces: &[TokenStream]) -> TokenStream {
    let mut out = TokenStream::new();
    for mut tree in template {
        match &tree {
            TokenTree::Ident(ident) => {
                let name = ident.to_string();
                if let Some(index) = name.strip_prefix("__select_piece_") {
                    let piece = index.parse::<usize>().ok().and_then(|i| pieces.get(i));
                    out.extend(piece.cloned());
                    continue;
                }
                tree.set_span(Span::mixed_site());
            }
            TokenTree::Group(g) => {
                let mut inner = Group::new(g.delimiter(), splice(g.stream(), pieces));
                inner.set_span(Span::mixed_site());
                tree = inner.into();
            }
            _ => tree.set_span(Span::mixed_site()),
        }
        out.extend([tree]);
    }
    out
}
