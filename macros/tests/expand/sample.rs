//! The expansion of representative tests; `sample.expanded.rs` holds each
//! test function as `rustc -Zunpretty=expanded` prints it.

/// A doc comment, kept.
#[runtime::test(paused, seed = 7, explore = 50, timeout = "10s")]
async fn all_options() -> Result<(), String> {
    Ok(())
}

#[runtime::test]
#[should_panic]
async fn defaults() {}

#[runtime::test(real_clock, allow_pending, timeout = "1.5s")]
#[ignore]
pub(crate) async fn real_clock() {}

#[runtime::test(threaded, timeout = "2m")]
fn threaded() {}

mod inner {
    pub use runtime as rt;

    #[rt::test(crate = "crate::inner::rt")]
    async fn renamed() {}
}

fn main() {}
