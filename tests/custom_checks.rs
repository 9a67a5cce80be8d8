//! Declarative custom checks from a profile: each condition kind, scores, vetoes, reports,
//! `checks`/`explain`, invalid definitions (exit 2) and the example provincial profile.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn eldercheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eldercheck"))
        .env("ELDERCHECK_RENDER", "never")
        .args(args)
        .output()
        .expect("run eldercheck")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&path, text).expect("write");
    path
}

/// Runs one page through a profile with one custom check; returns that check's outcome.
fn outcome(check: &str, body: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let profile = write(dir.path(), "p.toml", &format!("[[custom_checks]]\nid = \"house-rule\"\nfamily = \"labels\"\nimpact = \"minor\"\ntitle = \"t\"\nfailure_title = \"ft\"\nmessage = \"m\"\nhelp = \"h\"\n{check}\n"));
    let page = write(dir.path(), "site/index.html", &format!("<html lang=zh-CN><head><title>x</title><style>.small {{ font-size: 12px }} .grey {{ color: #bbb }}</style></head><body>{body}</body></html>"));
    let output = eldercheck(&[
        "check",
        page.to_str().expect("p"),
        "--no-db",
        "--format",
        "json",
        "--out",
        "-",
        "-q",
        "--profile",
        profile.to_str().expect("p"),
    ]);
    assert!(matches!(output.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let checks = json["sites"][0]["pages"][0]["checks"].as_array().expect("checks").clone();
    checks
        .iter()
        .find(|c| c["id"] == "house-rule")
        .map(|c| c["outcome"].as_str().unwrap_or_default().to_string())
        .expect("custom check ran")
}

#[test]
fn every_condition_kind_passes_and_fails() {
    let cases = [
        (
            "applies_to = \".float-ad\"\nforbid = true",
            "<p>正文</p><div class=float-ad>x</div>",
            "<p>正文</p><div class=notice>x</div>",
            "inapplicable",
        ),
        (
            "applies_to = \"footer\"\nrequire_descendant = \"a[href*='12345']\"",
            "<footer>主办单位</footer>",
            "<footer><a href='tel:12345'>12345</a></footer>",
            "passed",
        ),
        (
            "applies_to = \"img\"\nrequire_attr = \"title\"",
            "<img src=a.png title=' '>",
            "<img src=a.png title='图'>",
            "passed",
        ),
        (
            "applies_to = \"p\"\ntext_matches = \"抽奖|中奖\"\nforbid = true",
            "<p>参与抽奖赢大礼</p>",
            "<p>政务公开</p>",
            "passed",
        ),
        (
            "applies_to = \"footer\"\ntext_matches = \"ICP备\"",
            "<footer>主办单位</footer>",
            "<footer>京ICP备00000000号</footer>",
            "passed",
        ),
        (
            "applies_to = \".article\"\nmin_font_px = 14",
            "<div class=article><p class=small>正文</p></div>",
            "<div class=article><p>正文</p></div>",
            "passed",
        ),
        (
            "applies_to = \".date\"\nmin_contrast = 4.5",
            "<p class='date grey'>2026-11-28</p>",
            "<p class=date>2026-11-28</p>",
            "passed",
        ),
    ];
    for (condition, failing, passing, pass_outcome) in cases {
        assert_eq!(outcome(condition, failing), "failed", "{condition}");
        assert_eq!(outcome(condition, passing), pass_outcome, "{condition}");
    }
}

#[test]
fn the_example_provincial_profile_scores_vetoes_and_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "site/index.html", "<html lang=zh-CN><head><title>某市</title></head><body><a href='/care/'>关怀版</a><div class='TRS_Editor' style='font-size:14px'><p>通知正文</p></div></body></html>");
    write(dir.path(), "site/care/index.html", "<html lang=zh-CN><head><title>关怀版</title></head><body style='font-size:20px'><p>养老服务</p><div id=piaochuang><a href='/zt/'><img src=z.jpg alt=专题></a></div><a href='tel:12345'>12345</a></body></html>");
    let profile = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/profiles/province-portal.toml");
    let out = dir.path().join("out");
    let output = eldercheck(&[
        "check",
        dir.path().join("site").to_str().expect("p"),
        "--no-db",
        "--out",
        out.to_str().expect("p"),
        "-q",
        "--profile",
        profile.to_str().expect("p"),
    ]);
    assert_eq!(output.status.code(), Some(1), "the vendor widget on the elder page is a veto");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).expect("json")).expect("json");
    let site = &json["sites"][0];
    assert_eq!(json["profile"], "province-portal");
    assert!(site["vetoes"].as_array().expect("vetoes").iter().any(|v| v["check"] == "no-vendor-float-widget"));
    assert_eq!(site["summary"]["by_check"]["hotline-12345-link"], 1, "the home page lacks the hotline link");
    assert_eq!(site["summary"]["by_check"]["article-body-16px"], 1);
    let csv = std::fs::read_to_string(out.join("findings.csv")).expect("csv");
    assert!(csv.contains(",article-body-16px,字体缩放,中等,不合格,"));
    let html = std::fs::read_to_string(out.join("report.html")).expect("html");
    assert!(html.contains("正文字号小于 16px") && html.contains("使用了被禁用的第三方飘窗组件"));

    let listed = eldercheck(&["checks", "--profile", profile.to_str().expect("p")]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains("hotline-12345-link"));
    let explained = eldercheck(&["explain", "article-body-16px", "--profile", profile.to_str().expect("p")]);
    let text = String::from_utf8_lossy(&explained.stdout);
    assert!(text.contains("正文字号小于 16px") && text.contains(".TRS_Editor"), "{text}");
}

#[test]
fn invalid_definitions_stop_the_run_naming_file_check_and_problem() {
    let base = "family = \"labels\"\nimpact = \"minor\"\ntitle = \"t\"\nfailure_title = \"ft\"\nmessage = \"m\"\nhelp = \"h\"\n";
    let cases = [
        (format!("[[custom_checks]]\nid = \"bad-selector\"\n{base}applies_to = \"div[\"\nforbid = true\n"), "bad-selector", "not a valid CSS selector"),
        (format!("[[custom_checks]]\nid = \"bad-regex\"\n{base}applies_to = \"p\"\ntext_matches = \"(\"\n"), "bad-regex", "regular expression"),
        (format!("[[custom_checks]]\nid = \"unknown-key\"\n{base}applies_to = \"p\"\nforbid = true\ncolour = \"red\"\n"), "unknown-key", "unknown field"),
        (format!("[[custom_checks]]\nid = \"image-alt\"\n{base}applies_to = \"p\"\nforbid = true\n"), "image-alt", "already used"),
        (format!("[[custom_checks]]\nid = \"twice\"\n{base}applies_to = \"p\"\nforbid = true\n[[custom_checks]]\nid = \"twice\"\n{base}applies_to = \"p\"\nforbid = true\n"), "twice", "already used"),
        (format!("[[custom_checks]]\nid = \"no-condition\"\n{base}applies_to = \"p\"\n"), "no-condition", "exactly one condition"),
        (format!("[[custom_checks]]\nid = \"Bad_Id\"\n{base}applies_to = \"p\"\nforbid = true\n"), "Bad_Id", "kebab-case"),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let page = write(dir.path(), "index.html", "<p>x</p>");
    for (text, check, problem) in cases {
        let profile = write(dir.path(), "rules.toml", &text);
        let output = eldercheck(&[
            "check",
            page.to_str().expect("p"),
            "--no-db",
            "-q",
            "--profile",
            profile.to_str().expect("p"),
        ]);
        assert_eq!(output.status.code(), Some(2), "{text}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("rules.toml") && stderr.contains(check) && stderr.contains(problem), "{stderr}");
    }
}
