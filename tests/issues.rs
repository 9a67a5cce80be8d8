//! Issues: findings grouped by root cause. One CSS declaration on 20 pages is one issue at its line;
//! one template element on 20 pages is one issue; ids survive unrelated edits and a move to another
//! folder, so history and baselines keep working.

use std::path::Path;
use std::process::Command;

/// A 20-page site sharing css/site.css, whose line 3 makes the footer 11px, with a header logo
/// without alt. `extra` goes at the start of every page's body (an unrelated edit).
fn write_site(root: &Path, extra: &str) {
    std::fs::create_dir_all(root.join("css")).expect("mkdir");
    std::fs::write(
        root.join("css/site.css"),
        "body { font-size: 1rem; line-height: 1.6; color: #222 }\n\
         .header { padding: 1rem }\n\
         .footer { font-size: 11px }\n",
    )
    .expect("write css");
    for n in 0..20 {
        let name = if n == 0 { "index.html".to_string() } else { format!("news-{n}.html") };
        std::fs::write(
            root.join(name),
            format!(
                "<!DOCTYPE html><html lang=zh-CN><head><title>第{n}页</title><link rel=stylesheet href='/css/site.css'></head>\
                 <body>{extra}<div class=header><img src='/images/logo.png'><a href='/care/'>关怀版</a></div>\
                 <h1>通知公告</h1><p>第{n}条通知的正文内容，面向全市居民。</p>\
                 <div class=footer>主办单位：某市人民政府办公室</div></body></html>"
            ),
        )
        .expect("write page");
    }
}

fn check(site: &Path) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_eldercheck"))
        .env("ELDERCHECK_RENDER", "never")
        .arg("check")
        .arg(site)
        .args(["--no-db", "--format", "json", "--out", "-", "-q"])
        .output()
        .expect("run eldercheck");
    assert!(matches!(output.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("json")
}

fn issues<'a>(report: &'a serde_json::Value, check: &str) -> Vec<&'a serde_json::Value> {
    report["sites"][0]["issues"].as_array().expect("issues").iter().filter(|i| i["check"] == check).collect()
}

#[test]
fn one_declaration_and_one_template_element_are_one_issue_each() {
    let site = tempfile::tempdir().expect("tempdir");
    write_site(site.path(), "");
    let report = check(site.path());
    assert_eq!(report["sites"][0]["summary"]["pages_checked"], 20);
    let small = issues(&report, "small-text");
    assert_eq!(small.len(), 1, "one small-text issue: {small:#?}");
    let small = small[0];
    assert_eq!(small["pages_total"], 20);
    assert_eq!(small["occurrences"], 20);
    assert!(
        small["origin"]["stylesheet"].as_str().is_some_and(|u| u.ends_with("/css/site.css")),
        "{}",
        small["origin"]
    );
    assert_eq!(small["origin"]["source"], "stylesheet");
    assert_eq!(small["origin"]["line"], 3, "the line of `.footer {{ font-size: 11px }}`");
    assert_eq!(small["origin"]["selector"], ".footer");
    assert_eq!(small["origin"]["declaration"], "font-size: 11px");
    assert!(small["gain"].as_f64().is_some_and(|g| g > 0.0), "fixing it raises the score");
    let alt = issues(&report, "image-alt");
    assert_eq!(alt.len(), 1, "one image-alt issue: {alt:#?}");
    assert_eq!(alt[0]["pages_total"], 20);
    assert_eq!(alt[0]["origin"], serde_json::Value::Null, "an element issue has no CSS origin");
    assert_eq!(alt[0]["example"]["heading"], serde_json::Value::Null, "the logo comes before any heading");
    // Every finding carries its issue id, and the issues are ordered by their expected gain.
    let page = &report["sites"][0]["pages"][0];
    let small_check =
        page["checks"].as_array().and_then(|c| c.iter().find(|c| c["id"] == "small-text")).expect("check");
    assert_eq!(small_check["findings"][0]["issue"], small["id"]);
    let gains: Vec<f64> = report["sites"][0]["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .filter(|i| i["outcome"] == "failed" && i["veto"] == false)
        .filter_map(|i| i["gain"].as_f64())
        .collect();
    assert!(gains.windows(2).all(|w| w[0] >= w[1]), "sorted by gain: {gains:?}");
}

#[test]
fn issue_ids_survive_an_unrelated_edit_and_a_move() {
    let first = tempfile::tempdir().expect("tempdir");
    write_site(first.path(), "");
    let before = check(first.path());
    let edited = tempfile::tempdir().expect("tempdir");
    write_site(edited.path(), "<div class=notice><p>新通知：系统维护</p><img src='/images/new.png' alt='维护'></div>");
    let after = check(edited.path());
    for check_id in ["small-text", "image-alt", "fixed-font-size"] {
        let ids = |report: &serde_json::Value| -> Vec<String> {
            issues(report, check_id).iter().filter_map(|i| i["id"].as_str().map(str::to_string)).collect()
        };
        assert!(!ids(&before).is_empty(), "{check_id}");
        assert_eq!(
            ids(&before),
            ids(&after),
            "{check_id}: same ids after an unrelated element was inserted and the site moved"
        );
    }
}

#[test]
fn the_same_site_gives_the_same_issues_on_every_run() {
    // Pages finish in whatever order the analysis threads take; the issues, their example, their
    // page lists and gains must not depend on it.
    let dir = tempfile::tempdir().expect("tempdir");
    write_site(dir.path(), "");
    let issues = || {
        let report = check(dir.path());
        let mut site = report["sites"][0].clone();
        site["pages"] = serde_json::Value::Null;
        (site["issues"].clone(), site["score"].clone(), site["family_scores"].clone())
    };
    let first = issues();
    for _ in 0..4 {
        assert_eq!(issues(), first);
    }
    let small = first.0.as_array().expect("issues").iter().find(|i| i["check"] == "small-text").expect("small-text");
    assert!(small["example"]["page"].as_str().is_some_and(|p| p.ends_with("/index.html")), "{}", small["example"]);
}
