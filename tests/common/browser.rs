//! Headless Chromium, when it is installed (CI installs it): the browser the tests compare against.

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// The installed Chromium for a test that needs it; says that the test is skipped when there is none
/// (CI installs it).
pub fn chromium_or_skip() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        eprintln!("skipped: Chromium is not installed (apt-get install -y chromium fonts-noto-cjk)");
    }
    found
}

/// The DOM after scripts ran (stdout) and the browser's log (stderr), for a page 1280 px wide.
pub fn chromium_dump(browser: &Path, page: &Path) -> (String, String) {
    let profile = tempfile::tempdir().expect("tempdir");
    let url = url::Url::from_file_path(page).expect("file url");
    let output = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])
        .args(["--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--window-size=1280,900", "--virtual-time-budget=3000"])
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom", url.as_str()])
        .output()
        .expect("run chromium");
    (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}
