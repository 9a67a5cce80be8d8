//! eldercheck.toml: options from the file, command-line options winning, a [baseline] table,
//! [[custom_checks]], and unknown keys stopping the run.

use std::path::Path;
use std::process::{Command, Output};

fn eldercheck_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eldercheck"))
        .env("ELDERCHECK_RENDER", "never")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run eldercheck")
}

fn setup(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("site")).expect("mkdir");
    std::fs::write(
        dir.path().join("site/index.html"),
        "<html lang=zh-CN><head><title>某市</title></head><body><img id=logo src=logo.png><div class=float-ad><a href='/zt/'>专题</a></div><p>正文</p></body></html>",
    )
    .expect("write");
    std::fs::write(dir.path().join("eldercheck.toml"), config).expect("write config");
    dir
}

#[test]
fn options_come_from_the_file_and_the_command_line_wins() {
    let dir = setup("targets = [\"site\"]\nformat = [\"json\", \"csv\"]\nout = \"nightly\"\nno-db = true\nquiet = true\nmax_depth = 2\n");
    let output = eldercheck_in(dir.path(), &["check"]);
    assert!(matches!(output.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(dir.path().join("nightly/report.json").exists() && dir.path().join("nightly/findings.csv").exists());
    assert!(!dir.path().join("nightly/report.html").exists(), "format came from the file");
    assert!(!dir.path().join("eldercheck.db").exists(), "no-db came from the file");
    let output = eldercheck_in(dir.path(), &["check", "--format", "html", "--out", "cli"]);
    assert!(matches!(output.status.code(), Some(0 | 1)));
    assert!(
        dir.path().join("cli/report.html").exists() && !dir.path().join("cli/report.json").exists(),
        "CLI options win"
    );
}

#[test]
fn baseline_table_and_custom_checks_in_the_file() {
    let dir = setup("");
    let page =
        url::Url::from_file_path(std::path::absolute(dir.path().join("site/index.html")).expect("abs")).expect("url");
    let config = format!(
        "targets = [\"site\"]\nno_db = true\nquiet = true\n\n[baseline]\naccepted = [{{ key = \"image-alt {page} #logo\", reason = \"logo redesign in 2027\" }}]\n\n\
         [[custom_checks]]\nid = \"no-float-ad\"\nfamily = \"popups\"\nimpact = \"serious\"\ntitle = \"没有飘窗\"\nfailure_title = \"有飘窗\"\nmessage = \"页面有飘窗。\"\nhelp = \"删除飘窗。\"\napplies_to = \".float-ad\"\nforbid = true\n"
    );
    std::fs::write(dir.path().join("eldercheck.toml"), config).expect("write");
    let output = eldercheck_in(dir.path(), &["check", "--format", "json", "--out", "-"]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let checks = json["sites"][0]["pages"][0]["checks"].as_array().expect("checks").clone();
    let by_id = |id: &str| checks.iter().find(|c| c["id"] == id).cloned().expect("check present");
    // A finding key of older reports (check, page, selector) is still honoured; accepting does not
    // change the outcome or the official score, only the run's exit status.
    assert_eq!(by_id("image-alt")["outcome"], "failed");
    assert_eq!(by_id("image-alt")["findings"][0]["accepted"]["reason"], "logo redesign in 2027");
    assert_eq!(json["sites"][0]["summary"]["accepted"], 1);
    assert_eq!(by_id("no-float-ad")["outcome"], "failed");
}

#[test]
fn unknown_keys_and_bad_values_stop_the_run() {
    for (config, problem) in [("max_pagez = 3\n", "max_pagez"), ("max_pages = \"many\"\n", "max_pages must be")] {
        let dir = setup(config);
        let output = eldercheck_in(dir.path(), &["check", "site", "--no-db"]);
        assert_eq!(output.status.code(), Some(2), "{config}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("eldercheck.toml") && stderr.contains(problem), "{stderr}");
    }
}
