//! Compile errors pointing at the user's tokens.
//!
//! A proc macro reports an error by expanding to `::core::compile_error!("...")`;
//! rustc underlines the span of that invocation. Stable `proc_macro` cannot
//! join two spans into one, so, like syn's `Error::to_compile_error`, the
//! invocation's first token (`::`) carries the span where the offending code
//! starts and its last token (the parenthesised message) the span where it
//! ends: rustc then underlines everything from one to the other
//! (`seed = "x"`, `&self`, ...).

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// One error: a message and the stretch of the user's code it is about.
pub(crate) struct Error {
    start: Span,
    end: Span,
    message: String,
}

impl Error {
    /// An error about the single token at `span`.
    pub(crate) fn new(span: Span, message: impl Into<String>) -> Error {
        Error::spanning(span, span, message)
    }

    /// An error about the code from `start` to `end`.
    pub(crate) fn spanning(start: Span, end: Span, message: impl Into<String>) -> Error {
        Error {
            start,
            end,
            message: message.into(),
        }
    }

    /// `::core::compile_error!("message");`, spanned as the module doc says.
    pub(crate) fn to_compile_error(&self) -> TokenStream {
        let mut out = self.to_compile_error_expr();
        out.extend([punct(';', Spacing::Alone, self.end)]);
        out
    }

    /// `::core::compile_error!("message")` without the `;`: for a macro used
    /// as an expression (`let v = select! { .. };`), where a `;` would be a
    /// second error ("macro expansion ignores `;`").
    pub(crate) fn to_compile_error_expr(&self) -> TokenStream {
        let mut message = Group::new(
            Delimiter::Parenthesis,
            TokenStream::from(TokenTree::Literal(Literal::string(&self.message))),
        );
        message.set_span(self.end);
        let tokens: [TokenTree; 8] = [
            punct(':', Spacing::Joint, self.start),
            punct(':', Spacing::Alone, self.start),
            Ident::new("core", self.start).into(),
            punct(':', Spacing::Joint, self.start),
            punct(':', Spacing::Alone, self.start),
            Ident::new("compile_error", self.start).into(),
            punct('!', Spacing::Alone, self.start),
            message.into(),
        ];
        tokens.into_iter().collect()
    }
}

/// All the errors, one `compile_error!` each (rustc reports every one).
pub(crate) fn to_compile_errors(errors: &[Error]) -> TokenStream {
    errors.iter().map(Error::to_compile_error).collect()
}

fn punct(ch: char, spacing: Spacing, span: Span) -> TokenTree {
    let mut p = Punct::new(ch, spacing);
    p.set_span(span);
    p.into()
}
