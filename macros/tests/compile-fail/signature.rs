//! What a test function cannot have.

#[runtime::test]
async fn takes_an_argument(port: u16) {}

#[runtime::test]
async fn generic<T: Default>() {}

#[runtime::test]
async fn with_a_where_clause() where String: Clone {}

#[runtime::test]
async unsafe fn is_unsafe() {}

#[runtime::test]
#[test]
async fn second_test_attribute() {}

#[runtime::test]
struct NotAFunction;

struct Fixture;

impl Fixture {
    #[runtime::test]
    async fn a_method(&self) {}
}

fn main() {}
