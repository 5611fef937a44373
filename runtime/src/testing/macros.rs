//! `assert_pending!`, `assert_ready!`, `assert_ready_eq!`,
//! `assert_ready_ok!`, `assert_ready_err!`: assertions on a
//! [`Poll`](std::task::Poll) that say what they found.
//!
//! Each takes the `Poll` expression, then optionally a format string and
//! arguments added to the message. When the output type is `Debug` the
//! message shows the value (`expected Pending, got Ready(Ok(3))`); when it
//! is not, its type name (`got Ready(<a Foo, not Debug>)`), so the macros
//! work on any future. The message starts with the macro and its
//! expression, and the panic points at the line of the macro.

use std::fmt;

/// A value to show in a message, `Debug` or not (see [`ShowDebug`] and
/// [`ShowOpaque`]: method resolution picks the first that applies).
#[doc(hidden)]
pub struct Shown<'a, T: ?Sized>(pub &'a T);

/// For `T: Debug`: `(&Shown(&v)).show()` resolves here first (receiver
/// `&Shown`, no autoref needed).
#[doc(hidden)]
pub trait ShowDebug {
    fn show(&self) -> String;
}

impl<T: fmt::Debug + ?Sized> ShowDebug for Shown<'_, T> {
    fn show(&self) -> String {
        format!("{:?}", self.0)
    }
}

/// For any other `T`: reached through one more autoref (`&&Shown`).
#[doc(hidden)]
pub trait ShowOpaque {
    fn show(&self) -> String;
}

impl<T: ?Sized> ShowOpaque for &Shown<'_, T> {
    fn show(&self) -> String {
        format!("<a {}, not Debug>", std::any::type_name::<T>())
    }
}

/// Panics with `"{macro}!({expr}): expected {expected}, got {found}"` and
/// the caller's message, if any.
#[doc(hidden)]
#[track_caller]
pub fn fail(
    name: &str,
    expr: &str,
    expected: &str,
    found: &str,
    extra: Option<fmt::Arguments<'_>>,
) -> ! {
    match extra {
        Some(extra) => panic!("{name}!({expr}): expected {expected}, got {found}: {extra}"),
        None => panic!("{name}!({expr}): expected {expected}, got {found}"),
    }
}

/// Shows a value in an assertion message, through `Debug` when it has it.
#[doc(hidden)]
#[macro_export]
macro_rules! __show {
    ($v:expr) => {{
        #[allow(unused_imports)]
        use $crate::testing::__private::{ShowDebug as _, ShowOpaque as _};
        (&$crate::testing::__private::Shown($v)).show()
    }};
}

/// The optional message of the `assert_*!` macros.
#[doc(hidden)]
#[macro_export]
macro_rules! __extra {
    () => {
        ::core::option::Option::None
    };
    ($($arg:tt)+) => {
        ::core::option::Option::Some(::core::format_args!($($arg)+))
    };
}

/// Asserts that a [`Poll`](std::task::Poll) is `Pending`.
///
/// ```
/// use runtime::assert_pending;
/// use runtime::testing::task;
///
/// let mut never = task::spawn(std::future::pending::<()>());
/// assert_pending!(never.poll());
///
/// let mut ready = task::spawn(async { Ok::<u32, ()>(3) });
/// let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
///     assert_pending!(ready.poll(), "the reply came too early");
/// }))
/// .unwrap_err();
/// assert_eq!(
///     panic.downcast_ref::<String>().unwrap(),
///     "assert_pending!(ready.poll()): expected Pending, got Ready(Ok(3)): the reply came too early"
/// );
/// ```
#[macro_export]
macro_rules! assert_pending {
    ($e:expr $(, $($arg:tt)+)?) => {
        match $e {
            ::core::task::Poll::Pending => {}
            ::core::task::Poll::Ready(v) => $crate::testing::__private::fail(
                "assert_pending",
                ::core::stringify!($e),
                "Pending",
                &::std::format!("Ready({})", $crate::__show!(&v)),
                $crate::__extra!($($($arg)+)?),
            ),
        }
    };
}

/// Asserts that a [`Poll`](std::task::Poll) is `Ready`, and gives its value.
///
/// ```
/// use runtime::assert_ready;
/// use runtime::testing::task;
///
/// let mut f = task::spawn(async { 2 + 2 });
/// assert_eq!(assert_ready!(f.poll()), 4);
/// ```
#[macro_export]
macro_rules! assert_ready {
    ($e:expr $(, $($arg:tt)+)?) => {
        match $e {
            ::core::task::Poll::Ready(v) => v,
            ::core::task::Poll::Pending => $crate::testing::__private::fail(
                "assert_ready",
                ::core::stringify!($e),
                "Ready",
                "Pending",
                $crate::__extra!($($($arg)+)?),
            ),
        }
    };
}

/// Asserts that a [`Poll`](std::task::Poll) is `Ready` with a value equal
/// (`==`) to the second argument.
///
/// ```
/// use runtime::assert_ready_eq;
/// use runtime::testing::task;
///
/// let mut f = task::spawn(async { "four" });
/// assert_ready_eq!(f.poll(), "four");
/// ```
#[macro_export]
macro_rules! assert_ready_eq {
    ($e:expr, $expected:expr $(, $($arg:tt)+)?) => {
        match ($e, &$expected) {
            (::core::task::Poll::Ready(v), expected) => {
                if !(v == *expected) {
                    $crate::testing::__private::fail(
                        "assert_ready_eq",
                        ::core::stringify!($e),
                        &::std::format!("Ready({})", $crate::__show!(expected)),
                        &::std::format!("Ready({})", $crate::__show!(&v)),
                        $crate::__extra!($($($arg)+)?),
                    )
                }
            }
            (::core::task::Poll::Pending, expected) => $crate::testing::__private::fail(
                "assert_ready_eq",
                ::core::stringify!($e),
                &::std::format!("Ready({})", $crate::__show!(expected)),
                "Pending",
                $crate::__extra!($($($arg)+)?),
            ),
        }
    };
}

/// Asserts that a [`Poll`](std::task::Poll) is `Ready(Ok(_))`, and gives
/// the `Ok` value.
///
/// ```
/// use runtime::assert_ready_ok;
/// use runtime::testing::task;
///
/// let mut f = task::spawn(async { "42".parse::<u8>() });
/// assert_eq!(assert_ready_ok!(f.poll()), 42);
/// ```
#[macro_export]
macro_rules! assert_ready_ok {
    ($e:expr $(, $($arg:tt)+)?) => {
        match $e {
            ::core::task::Poll::Ready(::core::result::Result::Ok(v)) => v,
            ::core::task::Poll::Ready(::core::result::Result::Err(e)) => {
                $crate::testing::__private::fail(
                    "assert_ready_ok",
                    ::core::stringify!($e),
                    "Ready(Ok(_))",
                    &::std::format!("Ready(Err({}))", $crate::__show!(&e)),
                    $crate::__extra!($($($arg)+)?),
                )
            }
            ::core::task::Poll::Pending => $crate::testing::__private::fail(
                "assert_ready_ok",
                ::core::stringify!($e),
                "Ready(Ok(_))",
                "Pending",
                $crate::__extra!($($($arg)+)?),
            ),
        }
    };
}

/// Asserts that a [`Poll`](std::task::Poll) is `Ready(Err(_))`, and gives
/// the error.
///
/// ```
/// use runtime::assert_ready_err;
/// use runtime::testing::task;
///
/// let mut f = task::spawn(async { "x".parse::<u8>() });
/// let e = assert_ready_err!(f.poll());
/// assert_eq!(e.to_string(), "invalid digit found in string");
/// ```
#[macro_export]
macro_rules! assert_ready_err {
    ($e:expr $(, $($arg:tt)+)?) => {
        match $e {
            ::core::task::Poll::Ready(::core::result::Result::Err(e)) => e,
            ::core::task::Poll::Ready(::core::result::Result::Ok(v)) => {
                $crate::testing::__private::fail(
                    "assert_ready_err",
                    ::core::stringify!($e),
                    "Ready(Err(_))",
                    &::std::format!("Ready(Ok({}))", $crate::__show!(&v)),
                    $crate::__extra!($($($arg)+)?),
                )
            }
            ::core::task::Poll::Pending => $crate::testing::__private::fail(
                "assert_ready_err",
                ::core::stringify!($e),
                "Ready(Err(_))",
                "Pending",
                $crate::__extra!($($($arg)+)?),
            ),
        }
    };
}

#[cfg(test)]
mod tests {
    use std::task::Poll;

    fn message(f: impl FnOnce()) -> String {
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_err();
        match panic.downcast::<String>() {
            Ok(s) => *s,
            Err(_) => "<not a String>".to_string(),
        }
    }

    struct Opaque;

    #[test]
    fn each_macro_says_what_it_found() {
        let ready: Poll<Result<u32, String>> = Poll::Ready(Ok(3));
        let pending: Poll<Result<u32, String>> = Poll::Pending;
        assert_eq!(
            message(|| crate::assert_pending!(ready.clone())),
            "assert_pending!(ready.clone()): expected Pending, got Ready(Ok(3))"
        );
        assert_eq!(
            message(|| {
                let _ = crate::assert_ready!(pending.clone(), "after {} polls", 2);
            }),
            "assert_ready!(pending.clone()): expected Ready, got Pending: after 2 polls"
        );
        assert_eq!(
            message(|| crate::assert_ready_eq!(ready.clone(), Ok(4))),
            "assert_ready_eq!(ready.clone()): expected Ready(Ok(4)), got Ready(Ok(3))"
        );
        assert_eq!(
            message(|| crate::assert_ready_eq!(pending.clone(), Ok(4))),
            "assert_ready_eq!(pending.clone()): expected Ready(Ok(4)), got Pending"
        );
        assert_eq!(
            message(|| {
                crate::assert_ready_err!(ready.clone());
            }),
            "assert_ready_err!(ready.clone()): expected Ready(Err(_)), got Ready(Ok(3))"
        );
        let err: Poll<Result<u32, String>> = Poll::Ready(Err("boom".into()));
        assert_eq!(
            message(|| {
                crate::assert_ready_ok!(err.clone());
            }),
            "assert_ready_ok!(err.clone()): expected Ready(Ok(_)), got Ready(Err(\"boom\"))"
        );
        assert_eq!(crate::assert_ready_ok!(ready.clone()), 3);
        assert_eq!(crate::assert_ready_err!(err.clone()), "boom");
        crate::assert_pending!(pending.clone());
    }

    #[test]
    fn values_without_debug_show_their_type() {
        let m = message(|| crate::assert_pending!(Poll::Ready(Opaque)));
        assert!(
            m.ends_with("got Ready(<a runtime::testing::macros::tests::Opaque, not Debug>)"),
            "{m}"
        );
    }
}
