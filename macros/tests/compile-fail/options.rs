//! Unknown, misspelt, repeated and malformed options.

#[runtime::test(banana)]
async fn unknown() {}

#[runtime::test(pause)]
async fn misspelt() {}

#[runtime::test(start_paused = true)]
async fn tokio_spelling() {}

#[runtime::test(paused = true)]
async fn flag_with_a_value() {}

#[runtime::test(seed)]
async fn value_missing() {}

#[runtime::test(seed = 1, seed = 2)]
async fn given_twice() {}

#[runtime::test(timeout "5s")]
async fn no_equals() {}

#[runtime::test(crate = "not a path")]
async fn crate_not_a_path() {}

fn main() {}
