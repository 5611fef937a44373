//! `demo timeline` in a real browser: headless Chromium loads the page and
//! the rendered DOM must hold one timeline per model with the expected
//! tracks (the reactor, the block_on future, one track per task named after
//! its spawn site) and drawn slices and wake arrows.

use std::process::Command;

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

#[test]
fn the_timeline_page_renders_the_expected_tracks_in_chromium() {
    let dir = std::env::temp_dir().join(format!("demo-timeline-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
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
    // Self-contained: no external script, stylesheet or image.
    for external in ["<script src", "<link", "<img", "url(http"] {
        assert!(!html.contains(external), "the page loads {external}");
    }

    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is missing in CI: .ci/run should install it"
        );
        eprintln!("SKIPPED: chromium is not installed (apt-get install -y chromium)");
        return;
    };
    let profile = dir.join("profile");
    let dom = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&dom.stdout).to_string();
    std::fs::remove_dir_all(&dir).ok();

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
