//! Tools for testing async code with this runtime (TESTING.md tells the
//! whole story, tokio's way and ours side by side).
//!
//! - `#[runtime::test]` runs an `async fn` test on a fresh runtime, with
//!   virtual time, a timeout, schedule exploration and a report of tasks
//!   left pending;
//! - [`explore`] is the same exploration as a function, reporting the
//!   failing schedule instead of panicking.

pub use crate::test_runner::{Exploration, ExploredFailure, explore};
