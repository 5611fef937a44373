//! Headless Chromium for the tests of the demos' HTML pages (`report.rs`,
//! `timeline.rs`): found or the test fails (`tool.rs`, which the test
//! declares beside this module as `mod tool`), run off the network and out
//! of the user's profile, and the page checked to load nothing from
//! outside.

use std::path::Path;
use std::process::Command;

use crate::tool::require_tool;

/// The browser's binary; `None` if it is missing and the test is told to
/// skip it (`require_tool`: otherwise it fails with the install command).
pub fn find() -> Option<&'static str> {
    require_tool(
        "chromium",
        &["chromium", "chromium-browser", "google-chrome"],
        "--version",
        "apt-get install -y chromium",
    )
}

/// `browser` headless, with the flags that keep it off the network and out
/// of the user's profile (its profile and `TMPDIR` in `dir`).
pub fn command(browser: &str, dir: &Path) -> Command {
    let mut c = Command::new(browser);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", dir.join("profile").display()))
    .env("TMPDIR", dir);
    c
}

/// The DOM of `page` after its scripts ran (`--dump-dom`).
pub fn dump_dom(browser: &str, dir: &Path, page: &Path) -> String {
    let out = command(browser, dir)
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Asserts that `html` is self-contained: no external script, stylesheet,
/// image or font.
pub fn assert_self_contained(html: &str) {
    for external in [
        "<script src",
        "<link",
        "<img",
        "url(http",
        "src=\"http",
        "href=\"http",
        "@import",
    ] {
        assert!(!html.contains(external), "the page loads {external}");
    }
}
