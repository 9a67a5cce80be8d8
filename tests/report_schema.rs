//! report.json matches docs/report.schema.json: the demo site, a batch with a site that cannot be
//! checked, a custom profile, and a run with a baseline and history.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root().join("docs/report.schema.json")).expect("schema file"))
            .expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
}

fn report(args: &[&str], out: &Path) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_eldercheck"))
        .env("ELDERCHECK_RENDER", "never")
        .arg("check")
        .args(args)
        .args(["--out", out.to_str().expect("path"), "--format", "json", "-q"])
        .output()
        .expect("run eldercheck");
    assert!(matches!(output.status.code(), Some(0 | 1 | 3 | 4)), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&std::fs::read(out.join("report.json")).expect("report.json")).expect("report.json is JSON")
}

fn assert_valid(report: &serde_json::Value) {
    let validator = validator();
    let errors: Vec<String> =
        validator.iter_errors(report).map(|e| format!("{} at {}", e, e.instance_path)).take(20).collect();
    assert!(errors.is_empty(), "report.json does not match docs/report.schema.json:\n{}", errors.join("\n"));
}

#[test]
fn the_demo_report_matches_the_schema() {
    let out = tempfile::tempdir().expect("tempdir");
    let demo = root().join("examples/demo-site");
    let json = report(&[demo.to_str().expect("path"), "--no-db"], out.path());
    assert_eq!(json["schema_version"], 3);
    assert_valid(&json);
    // The schema is not a rubber stamp: a report without a site's pages, or with an unknown outcome, fails it.
    let mut broken = json.clone();
    broken["sites"][0].as_object_mut().expect("site").remove("pages");
    assert!(!validator().is_valid(&broken));
    let mut broken = json.clone();
    broken["sites"][0]["pages"][0]["checks"][0]["outcome"] = "maybe".into();
    assert!(!validator().is_valid(&broken));
}

#[test]
fn a_batch_with_an_empty_site_and_a_custom_profile_matches_the_schema() {
    let out = tempfile::tempdir().expect("tempdir");
    let empty = tempfile::tempdir().expect("tempdir");
    let demo = root().join("examples/demo-site");
    let profile = root().join("examples/profiles/province-portal.toml");
    let json = report(
        &[
            demo.to_str().expect("p"),
            empty.path().to_str().expect("p"),
            "--profile",
            profile.to_str().expect("p"),
            "--no-db",
        ],
        out.path(),
    );
    assert_eq!(json["sites"].as_array().map(Vec::len), Some(2));
    assert_eq!(json["sites"][1]["score"], serde_json::Value::Null, "a folder without pages is not scored");
    assert_valid(&json);
}

#[test]
fn a_stored_run_with_changes_and_a_baseline_matches_the_schema() {
    let work = tempfile::tempdir().expect("tempdir");
    let demo = root().join("examples/demo-site");
    let db = work.path().join("history.db");
    let first = work.path().join("first");
    report(&[demo.to_str().expect("p"), "--db", db.to_str().expect("p")], &first);
    let baseline = work.path().join("baseline.toml");
    let written = Command::new(env!("CARGO_BIN_EXE_eldercheck"))
        .env("ELDERCHECK_RENDER", "never")
        .args(["baseline", "write", first.join("report.json").to_str().expect("p"), "--out"])
        .arg(&baseline)
        .output()
        .expect("run eldercheck");
    assert_eq!(written.status.code(), Some(0));
    let second = work.path().join("second");
    let json = report(
        &[demo.to_str().expect("p"), "--db", db.to_str().expect("p"), "--baseline", baseline.to_str().expect("p")],
        &second,
    );
    assert!(json["sites"][0]["changes"].is_object(), "a second stored run has changes");
    assert!(json["sites"][0]["summary"]["accepted"].as_u64().is_some_and(|n| n > 0));
    assert_valid(&json);
}
