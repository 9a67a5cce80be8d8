//! End-to-end tests of the real binary on local files and folders.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_eldercheck"));
    command.env("ELDERCHECK_RENDER", "never");
    command
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn demo() -> PathBuf {
    root().join("examples/demo-site")
}

/// Runs the binary; `check` runs do not touch a history store unless a test asks for one.
fn run(args: &[&str]) -> Output {
    let mut command = bin();
    command.args(args);
    if args.first() == Some(&"check") {
        command.arg("--no-db");
    }
    command.output().expect("run eldercheck")
}

fn stdout_json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON: {e}\n{}", String::from_utf8_lossy(&output.stderr)))
}

/// report.json with the parts that change between machines and runs replaced.
fn stable_report(output: &Output) -> String {
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let root_url = url::Url::from_directory_path(root()).expect("root url").to_string();
    let mut value: serde_json::Value = serde_json::from_str(&text.replace(&root_url, "file:///[ROOT]/")).expect("json");
    value["generated_at"] = "[generated_at]".into();
    value["tool"]["version"] = "[version]".into();
    serde_json::to_string_pretty(&value).expect("json")
}

#[test]
fn demo_site_report_json_snapshot() {
    let output = run(&["check", demo().to_str().expect("path"), "--format", "json", "--out", "-", "-q"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    insta::assert_snapshot!("demo_site_report_json", stable_report(&output));
}

#[test]
fn demo_site_findings_have_the_spec_fields() {
    let output = run(&["check", demo().to_str().expect("path"), "--format", "json", "--out", "-", "-q"]);
    let report = stdout_json(&output);
    assert_eq!(report["tool"]["name"], "eldercheck");
    assert_eq!(report["profile"], "miit-web");
    let site = &report["sites"][0];
    assert_eq!(site["summary"]["pages_checked"], 4);
    for key in ["url", "name", "score", "grade", "passed", "vetoes", "pages", "site_checks", "summary"] {
        assert!(site.get(key).is_some(), "site.{key}");
    }
    let pages = site["pages"].as_array().expect("pages");
    let care =
        pages.iter().find(|p| p["url"].as_str().is_some_and(|u| u.ends_with("care/index.html"))).expect("care page");
    assert_eq!(care["elder_page"], true, "body class care-mode marks an elder page");
    let notice = pages.iter().find(|p| p["url"].as_str().is_some_and(|u| u.ends_with("notice.html"))).expect("notice");
    assert_eq!(notice["charset"], "gb18030", "a gb2312 page reads as GB18030");
    assert!(notice["title"].as_str().is_some_and(|t| t.contains("医疗保险")));
    // Root-relative /css/site.css resolved against the folder: the 11px footer is found.
    let small =
        notice["checks"].as_array().expect("checks").iter().find(|c| c["id"] == "small-text").expect("small-text");
    assert_eq!(small["outcome"], "failed");
    for finding in small["findings"].as_array().expect("findings") {
        for key in ["selector", "snippet", "message", "data"] {
            assert!(finding.get(key).is_some(), "finding.{key}");
        }
        assert!(finding["snippet"].as_str().is_some_and(|s| s.chars().count() <= 300));
    }
}

#[test]
fn out_dir_gets_report_json_and_findings_csv() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("nested/report");
    let output = run(&["check", demo().to_str().expect("path"), "--out", out.to_str().expect("path"), "-q"]);
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).expect("report.json")).expect("json");
    assert_eq!(json["sites"][0]["summary"]["pages_checked"], 4);
    let csv = std::fs::read_to_string(out.join("findings.csv")).expect("findings.csv");
    assert!(
        csv.starts_with("\u{feff}网站,页面,检查项,类别,影响程度,结果,位置,说明,问题编号\n"),
        "UTF-8 with a byte-order mark, so that Excel reads it as UTF-8; Chinese headers by default: {}",
        csv.lines().next().unwrap_or_default()
    );
    assert!(csv.lines().count() > 5);
    assert!(csv.contains(",meta-viewport,字体缩放,严重,不合格,"), "words a spreadsheet reader understands");
    let sites = std::fs::read_to_string(out.join("sites.csv")).expect("sites.csv");
    assert!(sites.starts_with("\u{feff}网址,名称,分组,得分,"), "{sites}");
    assert_eq!(sites.lines().count(), 2, "a header and one site");
    let english = dir.path().join("en");
    run(&["check", demo().to_str().expect("path"), "--out", english.to_str().expect("path"), "-q", "--lang", "en"]);
    let csv = std::fs::read_to_string(english.join("findings.csv")).expect("findings.csv");
    assert!(csv.starts_with("\u{feff}site,page,check,family,impact,outcome,selector,message,issue\n"));
    assert!(csv.contains(",meta-viewport,font,critical,failed,"), "English keeps report.json's codes");
}

#[test]
fn english_report_language() {
    let output = run(&[
        "check",
        demo().join("index.html").to_str().expect("path"),
        "--format",
        "json",
        "--out",
        "-",
        "-q",
        "--lang",
        "en",
    ]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("is not a valid language tag"), "{text}");
}

#[test]
fn fail_under_sets_exit_code_1() {
    let output =
        run(&["check", demo().to_str().expect("path"), "--format", "json", "--out", "-", "-q", "--fail-under", "95"]);
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn a_missing_target_is_reported_and_the_others_are_checked() {
    let page = demo().join("index.html");
    let args = ["check", "does/not/exist", page.to_str().expect("path"), "--format", "json", "--out", "-", "-q"];
    let output = bin().args(args).arg("--no-db").env("LC_ALL", "C").output().expect("run eldercheck");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("does/not/exist") && stderr.contains("找不到文件或文件夹"), "{stderr}");
    assert_eq!(stdout_json(&output)["sites"].as_array().map(Vec::len), Some(1));
    let english = bin().args(args).args(["--no-db", "--lang", "en"]).output().expect("run eldercheck");
    let stderr = String::from_utf8_lossy(&english.stderr);
    assert!(stderr.contains("does/not/exist") && stderr.contains("no such file"), "{stderr}");
}

#[test]
fn the_console_speaks_chinese_by_default_and_english_when_asked() {
    let chinese = |args: &[&str]| {
        let output =
            bin().args(args).env_remove("LANG").env_remove("LC_MESSAGES").env("LC_ALL", "C").output().expect("run");
        (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
    };
    let (code, stderr) = chinese(&["check", "no/such/folder"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("找不到文件或文件夹：no/such/folder"), "{stderr}");
    let (code, stderr) = chinese(&["check", "--max-pages", "many", "x"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("参数 --max-pages") && stderr.contains("many") && stderr.contains("无效"), "{stderr}");
    let (code, stderr) = chinese(&["check", "--max-pagez", "3", "x"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("不认识的参数 --max-pagez") && stderr.contains("--max-pages"), "{stderr}");
    let (code, stderr) = chinese(&["check", "htp://www.example.gov.cn"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("是不是想输入 http://www.example.gov.cn"), "{stderr}");
    let (_, stderr) = chinese(&["check", demo().to_str().expect("path"), "--no-db", "--out", "-", "--format", "json"]);
    assert!(stderr.contains("分，") && stderr.contains("达标线"), "{stderr}");
    let output =
        bin().args(["check", "no/such/folder"]).env("LANG", "en_US.UTF-8").env_remove("LC_ALL").output().expect("run");
    assert!(String::from_utf8_lossy(&output.stderr).contains("no/such/folder: no such file or folder"));
    let output = bin().args(["explain", "colour-contrast"]).env("LC_ALL", "C").output().expect("run");
    assert!(String::from_utf8_lossy(&output.stderr).contains("color-contrast"), "the closest check id is suggested");
}

#[test]
fn nothing_to_check_exits_2() {
    assert_eq!(run(&["check", "does/not/exist", "-q"]).status.code(), Some(2));
    assert_eq!(run(&["check"]).status.code(), Some(2));
    let output = run(&["check", "--profile", "nope", demo().to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("miit-web"));
    assert_eq!(run(&["check", "--include", "(", demo().to_str().expect("path")]).status.code(), Some(2));
    assert_eq!(run(&["check", "--format", "pdf", demo().to_str().expect("path")]).status.code(), Some(2));
}

#[test]
fn unreadable_and_garbage_pages_become_entries_not_crashes() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("ok.html"), "<html lang=zh-CN><title>好</title><p>正文</p></html>").expect("write");
    std::fs::write(dir.path().join("garbage.html"), [0u8, 159, 146, 150, 255, 0, 60, 60, 62, 0x81]).expect("write");
    std::fs::write(dir.path().join("empty.htm"), "").expect("write");
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("gone.html"), dir.path().join("dangling.html")).expect("symlink");
    let output = run(&["check", dir.path().to_str().expect("path"), "--format", "json", "--out", "-", "-q"]);
    assert!(matches!(output.status.code(), Some(0 | 1 | 3 | 4)), "{}", String::from_utf8_lossy(&output.stderr));
    let report = stdout_json(&output);
    let pages = report["sites"][0]["pages"].as_array().expect("pages");
    let expected = if cfg!(unix) { 4 } else { 3 };
    assert_eq!(pages.len(), expected, "every file is a result or an error entry");
    if cfg!(unix) {
        let dangling =
            pages.iter().find(|p| p["url"].as_str().is_some_and(|u| u.ends_with("dangling.html"))).expect("dangling");
        assert_eq!(dangling["error"]["kind"], "read");
        assert_eq!(dangling["score"], serde_json::Value::Null, "a page that failed to load is not scored");
        assert_eq!(
            report["sites"][0]["summary"]["pages_failed_to_load"], 3,
            "the dangling link, the garbage, the empty page"
        );
    }
    let empty = pages.iter().find(|p| p["url"].as_str().is_some_and(|u| u.ends_with("empty.htm"))).expect("empty");
    assert_eq!(empty["error"]["kind"], "empty", "an empty file is not a page that passes most checks");
    let garbage =
        pages.iter().find(|p| p["url"].as_str().is_some_and(|u| u.ends_with("garbage.html"))).expect("garbage");
    assert_eq!(garbage["error"]["kind"], "not_html", "binary bytes are not scored as a page");
}

#[test]
fn checks_lists_the_catalogue_and_explain_prints_docs() {
    let output = run(&["checks"]);
    let text = String::from_utf8_lossy(&output.stdout);
    for id in ["meta-viewport", "small-text", "color-contrast", "html-has-lang", "html-lang-valid", "document-title"] {
        assert!(text.contains(id), "{id} missing from `eldercheck checks`");
    }
    let output = run(&["explain", "color-contrast"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("如何修复\n────") && text.contains("4.5:1"), "{text}");
    assert!(!text.contains("## ") && !text.contains('`'), "Markdown is rendered as terminal text: {text}");
    let output = run(&["explain", "color-contrast", "--lang", "en"]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("How to fix\n"));
    let output = run(&["explain", "no-such-check"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("small-text"));
}

#[test]
fn mobile_viewport_applies_media_queries() {
    let index = demo().join("index.html");
    let desktop = stdout_json(&run(&["check", index.to_str().expect("p"), "--format", "json", "--out", "-", "-q"]));
    let mobile = stdout_json(&run(&[
        "check",
        index.to_str().expect("p"),
        "--format",
        "json",
        "--out",
        "-",
        "-q",
        "--viewport",
        "mobile",
    ]));
    let small = |r: &serde_json::Value| r["sites"][0]["summary"]["by_check"]["small-text"].as_u64().unwrap_or(0);
    assert!(small(&mobile) > small(&desktop), "the 12px rule inside @media (max-width: 600px) applies on mobile only");
}

fn real_pages_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("ELDERCHECK_REAL_PAGES")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/real-pages"));
    Path::new(&dir).join("manifest.json").exists().then_some(dir)
}

#[test]
fn every_real_page_gets_a_result_or_an_error_entry() {
    let Some(dir) = real_pages_dir() else {
        println!("SKIPPED: real-pages corpus not found (set ELDERCHECK_REAL_PAGES)");
        return;
    };
    let manifest: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).expect("manifest")).expect("json");
    let out = tempfile::tempdir().expect("tempdir");
    let output = run(&[
        "check",
        dir.to_str().expect("path"),
        "--format",
        "json,html",
        "--out",
        out.path().to_str().expect("p"),
        "-q",
    ]);
    assert!(matches!(output.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("report.json")).expect("report.json")).expect("json");
    let pages = report["sites"][0]["pages"].as_array().expect("pages");
    assert_eq!(pages.len(), manifest.len());
    for page in pages {
        let has_result = page["checks"].as_array().is_some_and(|c| !c.is_empty());
        assert!(has_result || !page["error"].is_null(), "{}: neither result nor error", page["url"]);
        // Every saved page is a real, readable HTML document: none may end as internal, too_complex
        // or not_html (stray control bytes in old portals' comments are still text).
        assert!(page["error"].is_null(), "{}: {}", page["url"], page["error"]);
    }
    // The HTML report stays small enough to open, and lists every issue (none left out).
    let html = std::fs::read_to_string(out.path().join("report.html")).expect("report.html");
    assert!(html.len() <= 2 * 1024 * 1024, "report.html is {} bytes", html.len());
    let issues = report["sites"][0]["issues"].as_array().expect("issues");
    assert!(report["sites"][0].get("issues_not_listed").is_none(), "every issue is listed in report.json");
    let document = scraper::Html::parse_document(&html);
    let lines = document.select(&scraper::Selector::parse("ol.issue-lines > li").expect("selector")).count();
    assert_eq!(lines, issues.len(), "every issue of report.json is a line of report.html");
    verdicts_are_as_recorded(&dir, &manifest, pages);
}

/// Every page's verdicts over the corpus, compared with tests/data/real-pages-outcomes.txt: per page
/// and check the outcome and the failed and needs-review target counts (never the pages themselves).
/// Speed work must not change a verdict; a change that means to writes the file again with
/// `UPDATE_OUTCOMES=1` and says why in its commit. Compared only over the corpus it was taken from.
fn verdicts_are_as_recorded(dir: &Path, manifest: &[serde_json::Value], pages: &[serde_json::Value]) {
    let base = url::Url::from_directory_path(dir.canonicalize().expect("canonical")).expect("dir url").to_string();
    let mut lines: Vec<String> = pages
        .iter()
        .map(|page| {
            let url = page["url"].as_str().unwrap_or_default();
            let name = url.strip_prefix(base.as_str()).unwrap_or(url);
            let checks: Vec<String> = page["checks"]
                .as_array()
                .map(|checks| {
                    checks
                        .iter()
                        .map(|c| {
                            let outcome = c["outcome"].as_str().unwrap_or("?");
                            format!(
                                "{}={outcome}/{}/{}",
                                c["id"].as_str().unwrap_or("?"),
                                c["failed_targets"],
                                c["cant_tell_targets"]
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            format!("{name} {}", checks.join(" "))
        })
        .collect();
    lines.sort();
    let corpus = format!("# corpus: {} pages in manifest.json", manifest.len());
    let taken = format!("{corpus}\n{}\n", lines.join("\n"));
    let recorded_path = root().join("tests/data/real-pages-outcomes.txt");
    if std::env::var_os("UPDATE_OUTCOMES").is_some() {
        std::fs::write(&recorded_path, &taken).expect("write outcomes");
        return;
    }
    let recorded = std::fs::read_to_string(&recorded_path).expect("tests/data/real-pages-outcomes.txt");
    if recorded.lines().next() != Some(corpus.as_str()) {
        println!("SKIPPED: verdict comparison (the corpus is not the one the outcomes were taken from)");
        return;
    }
    let changed: Vec<String> = recorded
        .lines()
        .zip(taken.lines())
        .filter(|(was, now)| was != now)
        .map(|(was, now)| format!("was {was}\nnow {now}"))
        .take(5)
        .collect();
    assert!(
        changed.is_empty() && recorded.lines().count() == taken.lines().count(),
        "verdicts changed:\n{}",
        changed.join("\n")
    );
}

#[test]
fn ads_and_induced_buttons_on_elder_pages_are_vetoes() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("care")).expect("mkdir");
    std::fs::write(
        dir.path().join("index.html"),
        "<html lang=zh-CN><title>某市人民政府</title><body><a href='/care/index.html'>关怀版</a><a href='/app/'>立即下载APP</a></body></html>",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("care/index.html"),
        "<html lang=zh-CN><title>关怀版</title><body style='font-size:20px'><p>养老金查询</p>\
         <script src='https://cpro.baidustatic.com/cpro/ui/c.js'></script><a href='/app/'>下载APP领红包</a></body></html>",
    )
    .expect("write");
    let output = run(&["check", dir.path().to_str().expect("path"), "--format", "json", "--out", "-", "-q"]);
    assert_eq!(output.status.code(), Some(1), "a veto fails the run whatever the score");
    let report = stdout_json(&output);
    let site = &report["sites"][0];
    assert_eq!(site["grade"], "F");
    assert_eq!(site["passed"], false);
    let vetoes: Vec<&str> =
        site["vetoes"].as_array().expect("vetoes").iter().filter_map(|v| v["check"].as_str()).collect();
    assert!(vetoes.contains(&"ad-content") && vetoes.contains(&"induced-button"), "{vetoes:?}");
    assert!(
        site["vetoes"]
            .as_array()
            .expect("vetoes")
            .iter()
            .all(|v| v["page"].as_str().is_some_and(|p| p.contains("/care/"))),
        "only elder pages veto"
    );
    assert_eq!(site["site_checks"][0]["id"], "elder-mode-entry");
    assert_eq!(site["site_checks"][0]["outcome"], "passed", "the home page links to 关怀版");
}

#[test]
fn custom_profiles_are_used_and_bad_ones_stop_the_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = dir.path().join("strict.toml");
    std::fs::write(&good, "name = \"strict\"\nmin_text_px = 16\npass_mark = 99\n").expect("write");
    let output = run(&[
        "check",
        demo().to_str().expect("path"),
        "--format",
        "json",
        "--out",
        "-",
        "-q",
        "--profile",
        good.to_str().expect("p"),
    ]);
    assert_eq!(output.status.code(), Some(1), "pass mark 99 is not reached");
    assert_eq!(stdout_json(&output)["profile"], "strict");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "min_txt_px = 16\n").expect("write");
    let output = run(&["check", demo().to_str().expect("path"), "-q", "--profile", bad.to_str().expect("p")]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad.toml") && stderr.contains("min_txt_px"), "{stderr}");
}

#[test]
fn junit_and_sarif_outputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = run(&[
        "check",
        demo().to_str().expect("path"),
        "--out",
        dir.path().to_str().expect("p"),
        "--format",
        "junit,sarif",
        "-q",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let junit = std::fs::read_to_string(dir.path().join("report.junit.xml")).expect("junit");
    assert!(
        junit.starts_with("<?xml")
            && junit.contains("<testsuite name=\"demo-site\"")
            && junit.contains("<failure type=\"meta-viewport\"")
    );
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.sarif")).expect("sarif")).expect("json");
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(results.iter().any(|r| r["ruleId"] == "html-lang-valid"));
    assert!(sarif["runs"][0]["tool"]["driver"]["rules"].as_array().is_some_and(|r| r.len() >= 30));
}

/// A three-page site without an elder-mode entry: one site-level finding.
fn site_with_one_site_finding() -> tempfile::TempDir {
    let site = tempfile::tempdir().expect("tempdir");
    for (name, title) in [("index.html", "首页"), ("a.html", "通知"), ("b.html", "公告")] {
        std::fs::write(
            site.path().join(name),
            format!("<html lang=zh-CN><head><title>{title}</title></head><body><p>正文</p></body></html>"),
        )
        .expect("write");
    }
    site
}

#[test]
fn a_site_level_finding_is_listed_once_in_every_format() {
    let site = site_with_one_site_finding();
    let out = tempfile::tempdir().expect("tempdir");
    let output = run(&[
        "check",
        site.path().to_str().expect("path"),
        "--out",
        out.path().to_str().expect("path"),
        "--format",
        "json,csv,junit,sarif",
        "-q",
    ]);
    assert!(matches!(output.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&output.stderr));
    let read = |name: &str| std::fs::read_to_string(out.path().join(name)).expect(name);
    let csv = read("findings.csv");
    assert_eq!(csv.lines().filter(|l| l.contains(",elder-mode-entry,")).count(), 1, "{csv}");
    let junit = read("report.junit.xml");
    assert_eq!(junit.matches("name=\"elder-mode-entry\"").count(), 1, "{junit}");
    let sarif: serde_json::Value = serde_json::from_str(&read("report.sarif")).expect("sarif json");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.iter().filter(|r| r["ruleId"] == "elder-mode-entry").count(), 1);
    let json: serde_json::Value = serde_json::from_str(&read("report.json")).expect("json");
    let site_checks = json["sites"][0]["site_checks"].as_array().expect("site_checks");
    assert_eq!(site_checks.iter().filter(|c| c["id"] == "elder-mode-entry").count(), 1);
    for page in json["sites"][0]["pages"].as_array().expect("pages") {
        assert!(
            !page["checks"].as_array().expect("checks").iter().any(|c| c["id"] == "elder-mode-entry"),
            "site-level checks are not repeated on pages"
        );
    }
}

#[test]
fn reports_render_from_results_without_the_profile() {
    let work = tempfile::tempdir().expect("tempdir");
    let profile = work.path().join("custom.toml");
    std::fs::copy(root().join("examples/profiles/province-portal.toml"), &profile).expect("copy the profile");
    let out = work.path().join("run");
    let output = run(&[
        "check",
        demo().to_str().expect("path"),
        "--profile",
        profile.to_str().expect("path"),
        "--out",
        out.to_str().expect("path"),
        "--format",
        "json",
        "-q",
    ]);
    assert!(matches!(output.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&output.stderr));
    // Another process, with the profile gone: titles come from the results, not from the profile.
    std::fs::remove_file(&profile).expect("remove the profile");
    let again = work.path().join("again");
    let rendered = bin()
        .args(["report", out.join("results").to_str().expect("path"), "--out", again.to_str().expect("path")])
        .args(["--format", "html,json", "--lang", "en"])
        .output()
        .expect("run eldercheck report");
    assert_eq!(rendered.status.code(), Some(0), "{}", String::from_utf8_lossy(&rendered.stderr));
    let html = std::fs::read_to_string(again.join("report.html")).expect("report.html");
    assert!(html.contains("页面缺少 12345 热线入口"), "the custom check's failing title is in the report");
    assert!(html.contains("<html lang=\"en\">"), "rendered again in another language");
    let first: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).expect("first")).expect("json");
    let second: serde_json::Value =
        serde_json::from_slice(&std::fs::read(again.join("report.json")).expect("second")).expect("json");
    assert_eq!(first["sites"][0]["score"], second["sites"][0]["score"], "same results, same score");
    assert_eq!(first["profile"], "province-portal");
    assert_eq!(second["profile"], "province-portal");
}

/// Copies a folder tree (the demo site: a few files, no links).
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    let mut pending = vec![(from.to_path_buf(), to.to_path_buf())];
    while let Some((source, target)) = pending.pop() {
        std::fs::create_dir_all(&target).expect("mkdir");
        for entry in std::fs::read_dir(&source).expect("read_dir").flatten() {
            let (path, destination) = (entry.path(), target.join(entry.file_name()));
            if path.is_dir() {
                pending.push((path, destination));
            } else {
                std::fs::copy(&path, &destination).expect("copy");
            }
        }
    }
}

#[test]
fn the_demo_scores_the_same_from_any_clone_folder() {
    let work = tempfile::tempdir().expect("tempdir");
    // The default clone folder is named eldercheck, which contains the elder pattern `/elder`.
    let clone = work.path().join("eldercheck/examples/demo-site");
    copy_tree(&demo(), &clone);
    let score = |site: &std::path::Path| {
        let output = run(&["check", site.to_str().expect("p"), "--format", "json", "--out", "-", "-q"]);
        let report = stdout_json(&output);
        let elder_pages: Vec<String> = report["sites"][0]["pages"]
            .as_array()
            .expect("pages")
            .iter()
            .filter(|p| p["elder_page"] == true)
            .filter_map(|p| p["url"].as_str().and_then(|u| u.rsplit("demo-site/").next()).map(str::to_string))
            .collect();
        (report["sites"][0]["score"].clone(), elder_pages)
    };
    let (original, original_elder) = score(&demo());
    let (cloned, cloned_elder) = score(&clone);
    assert_eq!(cloned, original, "the folder's own name does not change the score");
    assert_eq!(cloned_elder, original_elder);
    assert_eq!(cloned_elder, ["care/index.html"], "only the 关怀版 page is an elder page");
}

#[test]
fn a_single_saved_page_finds_its_sites_root_relative_stylesheets() {
    let work = tempfile::tempdir().expect("tempdir");
    let site = work.path().join("site");
    std::fs::create_dir_all(site.join("css")).expect("mkdir");
    std::fs::create_dir_all(site.join("news/2026")).expect("mkdir");
    std::fs::write(site.join("css/main.css"), ".note { color: #bbbbbb; background: #ffffff }").expect("write");
    let page = site.join("news/2026/notice.html");
    std::fs::write(
        &page,
        "<!doctype html><html lang=zh-CN><head><title>通知</title><link rel=stylesheet href=\"/css/main.css\"></head>\
         <body><p class=note>关于开展适老化改造的通知</p></body></html>",
    )
    .expect("write");
    let output = run(&["check", page.to_str().expect("p"), "--format", "json", "--out", "-", "-q"]);
    let report = stdout_json(&output);
    let checked = &report["sites"][0]["pages"][0];
    assert!(checked["stylesheet_problems"].is_null(), "the stylesheet is found: {}", checked["stylesheet_problems"]);
    let site_url = report["sites"][0]["url"].as_str().expect("url");
    assert!(site_url.ends_with("/site/"), "the report names the root used: {site_url}");
    let contrast = checked["checks"].as_array().expect("checks").iter().find(|c| c["id"] == "color-contrast");
    assert_eq!(contrast.expect("contrast")["outcome"], "failed", "#bbb on white is judged, not left undecided");
}

/// One table of exit codes for cron (docs/SCHEDULING.md): 2 a usage error, 0 every site checked and
/// passed, 1 some site not passed, 3 some site not (fully) checked and none failed, 4 both.
#[test]
fn exit_codes_follow_one_table() {
    let dir = tempfile::tempdir().expect("tempdir");
    let site = |name: &str, html: &str| {
        let folder = dir.path().join(name);
        std::fs::create_dir_all(&folder).expect("mkdir");
        std::fs::write(folder.join("index.html"), html).expect("write");
        folder.display().to_string()
    };
    let good = site(
        "good",
        "<!DOCTYPE html><html lang=zh-CN><head><meta name=viewport content='width=device-width'><title>好网站</title></head>\
         <body><a href='care/'>关怀版</a><p style='font-size:20px'>正文内容清楚</p></body></html>",
    );
    let bad = site(
        "bad",
        "<html><head><title></title></head><body><p style='color:#ccc'>差</p><img src=a.png></body></html>",
    );
    let down = site("down", "");
    let code = |targets: &[&str]| {
        let mut args = vec!["check", "-q", "--format", "json", "--out", "-"];
        args.extend_from_slice(targets);
        run(&args).status.code()
    };
    assert_eq!(code(&["no/such/folder"]), Some(2), "usage error");
    assert_eq!(code(&[&good]), Some(0), "every site checked and passed");
    assert_eq!(code(&[&good, &bad]), Some(1), "some site not passed");
    assert_eq!(code(&[&good, &down]), Some(3), "some site not checked, none failed");
    assert_eq!(code(&[&bad, &down]), Some(4), "both");
    assert_eq!(code(&[&down]), Some(3), "every site down still writes its report");
}
