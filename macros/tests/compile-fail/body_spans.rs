//! Errors inside a correct test point at the user's code, not the macro.

#[runtime::test]
async fn type_error_in_the_body() {
    let n: u32 = "not a number";
}

#[runtime::test(threaded)]
fn await_in_a_threaded_body() {
    runtime::yield_now().await;
}

fn main() {}
