//! The body must be `async`, unless `threaded`, which wants it blocking.

#[runtime::test]
fn forgot_async() {}

#[runtime::test(threaded)]
async fn threaded_but_async() {}

fn main() {}
