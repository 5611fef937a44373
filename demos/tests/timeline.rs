//! `demo timeline` in a real browser: headless Chromium loads the page and
//! the rendered DOM must hold one timeline per model with the expected
//! tracks (the reactor, the block_on future, one track per task named after
//! its spawn site) and drawn slices and wake arrows.
//!
//! Chromium missing fails the test with the install command, unless
//! `RUNTIME_TEST_SKIP_TOOLS` lists `chromium` (README, "Run the tests").

use std::process::{Command, Stdio};

#[path = "common/chromium.rs"]
mod chromium;
#[path = "common/tool.rs"]
mod tool;

use tool::Scratch;

#[test]
fn the_timeline_page_renders_the_expected_tracks_in_chromium() {
    // The page, the browser's profile and its temporary files; removed on
    // every path.
    let scratch = Scratch::new("demo-timeline-test");
    let dir = scratch.path();
    let page = dir.join("timeline.html");
    let out = Command::new(env!("CARGO_BIN_EXE_demo"))
        .args(["timeline", "--out"])
        .arg(&page)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&page).unwrap();
    chromium::assert_self_contained(&html);

    let Some(browser) = chromium::find() else {
        return;
    };
    let dom = chromium::dump_dom(browser, dir, &page);

    assert!(
        dom.contains("data-rendered=\""),
        "the script did not run:\n{dom}"
    );
    let timelines = dom.matches("class=\"timeline\"").count();
    assert_eq!(timelines, 2, "one timeline per model:\n{dom}");
    assert!(dom.contains("data-rendered=\"2\""), "{dom}");
    // The thread model: one track per OS thread, named as ps -L shows it,
    // with running and blocked slices.
    let thread_tracks = dom.matches("data-name=\"thread ").count();
    assert!(
        thread_tracks >= 3,
        "expected the 3 sleeping threads' tracks, found {thread_tracks}"
    );
    assert!(
        dom.contains("class=\"slice running\""),
        "threads' running time is drawn"
    );
    assert!(
        dom.contains("class=\"slice blocked\""),
        "threads' blocked time is drawn"
    );
    assert!(
        dom.contains("data-name=\"reactor: epoll_wait, timers\""),
        "{dom}"
    );
    assert!(dom.contains("data-name=\"block_on future"), "{dom}");
    let task_tracks = dom.matches("data-name=\"task ").count();
    assert!(
        task_tracks >= 4,
        "expected the 4 tasks' tracks, found {task_tracks}"
    );
    assert!(
        dom.contains("timeline.rs:"),
        "task tracks are named after spawn sites"
    );
    assert!(
        dom.matches("class=\"slice poll").count() >= 4,
        "polls are drawn"
    );
    assert!(
        dom.contains("class=\"slice epoll_wait\""),
        "epoll_wait is drawn"
    );
    assert!(dom.contains("class=\"flow\""), "wake arrows are drawn");
}

/// The test above, run again in a child process that cannot find chromium
/// (empty `PATH`): it fails with the install command, or passes with
/// `RUNTIME_TEST_SKIP_TOOLS=chromium`, and leaves no scratch directory
/// behind on either path.
#[test]
fn without_chromium_the_test_fails_unless_skipped_and_cleans_up() {
    let exe = std::env::current_exe().expect("this test binary");
    let run = |skip: Option<&str>| {
        let mut child = Command::new(&exe);
        child
            .args([
                "--exact",
                "the_timeline_page_renders_the_expected_tracks_in_chromium",
            ])
            .env("PATH", "/nonexistent")
            .env_remove(tool::SKIP_TOOLS)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(skip) = skip {
            child.env(tool::SKIP_TOOLS, skip);
        }
        let child = child.spawn().expect("the test binary runs again");
        let pid = child.id();
        let out = child.wait_with_output().expect("the child finishes");
        let scratch = std::env::temp_dir().join(format!("demo-timeline-test-{pid}"));
        assert!(!scratch.exists(), "{} was left behind", scratch.display());
        out
    };
    let failed = run(None);
    assert!(!failed.status.success(), "a test that did not run passed");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&failed.stdout),
        String::from_utf8_lossy(&failed.stderr)
    );
    assert!(said.contains("apt-get install -y chromium"), "{said}");
    let skipped = run(Some("gdb,chromium"));
    assert!(
        skipped.status.success(),
        "{}",
        String::from_utf8_lossy(&skipped.stdout)
    );
}
