//! Values of the wrong kind or out of range.

#[runtime::test(seed = "x")]
async fn seed_string() {}

#[runtime::test(seed = -1)]
async fn seed_negative() {}

#[runtime::test(seed = 18446744073709551616)]
async fn seed_too_large() {}

#[runtime::test(explore = 0)]
async fn explore_zero() {}

#[runtime::test(explore = 1.5)]
async fn explore_float() {}

#[runtime::test(timeout = "5")]
async fn timeout_without_unit() {}

#[runtime::test(timeout = 5)]
async fn timeout_not_a_string() {}

#[runtime::test(timeout = "5 s")]
async fn timeout_with_a_space() {}

#[runtime::test(timeout = "0.5ms")]
async fn timeout_below_a_millisecond() {}

#[runtime::test(timeout = "0s")]
async fn timeout_zero() {}

fn main() {}
