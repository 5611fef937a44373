//! Options that do not go together.

#[runtime::test(threaded, paused)]
fn threaded_paused() {}

#[runtime::test(threaded, seed = 7, explore = 10)]
fn threaded_seeded() {}

#[runtime::test(threaded, allow_pending)]
fn threaded_allow_pending() {}

#[runtime::test(paused, real_clock)]
async fn paused_and_real_clock() {}

fn main() {}
