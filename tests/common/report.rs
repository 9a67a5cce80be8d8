//! Reading a run's report.json in tests: one run into a folder of its own, and a page's checks.

use eldercheck::options::{Format, Formats, Output};
use eldercheck::run::CheckRequest;
use serde_json::Value;

/// A quiet run without history that renders every page of `targets` in `browser`.
pub fn rendered(targets: Vec<String>, browser: std::path::PathBuf) -> CheckRequest {
    let mut request = CheckRequest::new(targets);
    request.settings.no_db = true;
    request.settings.quiet = true;
    request.settings.render = Some(eldercheck::options::RenderMode::Always);
    request.settings.chromium = Some(browser);
    request.settings.render_timeout_s = 20;
    request
}

/// Runs the request into a folder of its own and reads its report.json.
pub fn run(mut request: CheckRequest) -> (tempfile::TempDir, Value) {
    let out = tempfile::tempdir().expect("out");
    request.settings.out = Output::Dir(out.path().to_path_buf());
    request.settings.format = Formats(vec![Format::Json]);
    eldercheck::run::check(request).expect("the run succeeds");
    let text = std::fs::read_to_string(out.path().join("report.json")).expect("report");
    let report = serde_json::from_str(&text).expect("json");
    (out, report)
}

pub fn check<'a>(page: &'a Value, id: &str) -> &'a Value {
    page["checks"].as_array().and_then(|c| c.iter().find(|c| c["id"] == id)).unwrap_or(&Value::Null)
}

pub fn outcome(page: &Value, id: &str) -> String {
    check(page, id)["outcome"].as_str().unwrap_or_default().to_string()
}

/// The `problem` of each of the check's findings.
pub fn problems(page: &Value, id: &str) -> Vec<String> {
    check(page, id)["findings"]
        .as_array()
        .map(|f| f.iter().filter_map(|f| f["data"]["problem"].as_str().map(String::from)).collect())
        .unwrap_or_default()
}
