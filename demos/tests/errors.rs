//! `demo errors` reports each error kind with its cause on both models and
//! exits 0 when all behave as expected.

mod common;

#[test]
fn every_error_kind_is_reported_with_its_cause() {
    let out = common::demo_ok(&["errors", "--quick"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let line = |prefix: &str| {
        text.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line {prefix:?} in\n{text}"))
            .to_string()
    };
    let panic = line("event loop: panic: ok");
    assert!(
        panic.contains("is_panic=true")
            && panic.contains("boom in a task")
            && panic.contains("returned 42"),
        "{panic}"
    );
    assert!(line("event loop: timeout: ok").contains("deadline has elapsed"));
    assert!(line("event loop: refused connection: ok").contains("ConnectionRefused"));
    let gather = line("event loop: try_gather: ok");
    assert!(
        gather.contains("bad input") && gather.contains("2 slow siblings dropped"),
        "{gather}"
    );
    let panic = line("threads: panic: ok");
    assert!(
        panic.contains("is_panic=true") && panic.contains("boom in a thread"),
        "{panic}"
    );
    assert!(line("threads: timeout: ok").contains("Timeout"));
    assert!(line("threads: refused connection: ok").contains("ConnectionRefused"));
    assert!(line("threads: gather with a failing part: ok").contains("bad input"));
    assert!(!text.contains("UNEXPECTED"), "{text}");
    assert!(
        text.contains("claim: errors in concurrent tasks surface where they are awaited/joined, with their cause -> yes: 8 of 8 as expected"),
        "{text}"
    );
}
