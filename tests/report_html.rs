//! report.html: structure snapshot, hostile pages cannot inject into it, it passes eldercheck's own
//! checks, and it renders in headless Chromium without console errors (skipped with a printed
//! reason when Chromium is absent outside CI; `.ci/run` installs it).

mod common;

use common::browser::{chromium, chromium_dump};
use scraper::{Html, Selector};
use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_eldercheck"));
    command.env("ELDERCHECK_RENDER", "never");
    command
}

fn demo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/demo-site")
}

fn render(target: &Path, out: &Path, extra: &[&str]) -> String {
    let output = bin()
        .args([
            "check",
            target.to_str().expect("path"),
            "--out",
            out.to_str().expect("path"),
            "--format",
            "html,json",
            "-q",
            "--no-db",
        ])
        .args(extra)
        .output()
        .expect("run eldercheck");
    assert!(matches!(output.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&output.stderr));
    std::fs::read_to_string(out.join("report.html")).expect("report.html")
}

fn select<'a>(html: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    html.select(&Selector::parse(css).expect("selector")).collect()
}

fn text(e: scraper::ElementRef<'_>) -> String {
    e.text().collect::<Vec<_>>().join("").split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn demo_report_structure_snapshot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let html = Html::parse_document(&render(&demo(), dir.path(), &[]));
    let mut outline = Vec::new();
    for heading in select(&html, "h1, h2, h3, h4") {
        outline.push(format!("{}: {}", heading.value().name(), text(heading)));
    }
    for table in select(&html, "table") {
        let headers: Vec<String> = table.select(&Selector::parse("thead th").expect("s")).map(text).collect();
        let rows = table.select(&Selector::parse("tbody tr").expect("s")).count();
        outline.push(format!("table [{}] rows={rows}", headers.join(" | ")));
    }
    outline.push(format!("priority cards: {}", select(&html, "article.issue").len()));
    outline.push(format!("issue groups: {}", select(&html, ".issue-group").len()));
    outline.push(format!("issue lines: {}", select(&html, "ol.issue-lines > li").len()));
    outline.push(format!("page rows: {}", select(&html, "tr[id^=p]").len()));
    insta::assert_snapshot!("demo_report_html_outline", outline.join("\n"));
}

#[test]
fn english_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let html = render(&demo(), dir.path(), &["--lang", "en"]);
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Elderly-friendly website report") && html.contains("Self-assessment checklist"));
}

#[test]
fn a_hostile_page_cannot_put_live_content_into_the_report() {
    let site = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        site.path().join("index.html"),
        r#"<html lang="zh-CN"><head><title></title><script>alert(0)</script></head><body>
        <title><script>alert(1)</script></title>
        <img src="x.png" alt='"><script>alert(2)</script>'>
        <div class='"><img src=x onerror=alert(3)>' style="color:#eee">low contrast "quotes" & <b>tags</b></div>
        <a href="javascript:alert(4)"></a>
        <p style="font-size:9px">&lt;/pre&gt;&lt;script&gt;alert(5)&lt;/script&gt;</p>
        <iframe src="javascript:alert(6)"></iframe>
        </body></html>"#,
    )
    .expect("write");
    let out = tempfile::tempdir().expect("tempdir");
    let report = render(site.path(), out.path(), &[]);
    let html = Html::parse_document(&report);
    // The report's own script, and nothing else, may run (its Content Security Policy says so too).
    let ours = include_str!("../reports/report.js");
    let scripts = select(&html, "script");
    assert_eq!(scripts.len(), 1, "no script element may come out of a page");
    assert_eq!(scripts[0].text().collect::<String>(), ours, "the only script is the report's own");
    assert!(select(&html, "iframe, object, embed").is_empty());
    for element in select(&html, "*") {
        for (name, value) in element.value().attrs() {
            assert!(!name.starts_with("on"), "event handler attribute {name} in the report");
            assert!(!value.trim_start().to_ascii_lowercase().starts_with("javascript:"), "javascript: URL in {name}");
        }
    }
    assert!(report.contains("alert(2)"), "the hostile text is shown, escaped");
}

#[test]
fn the_report_passes_eldercheck_s_own_page_checks() {
    let dir = tempfile::tempdir().expect("tempdir");
    render(&demo(), dir.path(), &[]);
    // Judged as an elder page: 18px text, enhanced contrast weighs in.
    let output = bin()
        .args([
            "check",
            dir.path().join("report.html").to_str().expect("path"),
            "--format",
            "json",
            "--out",
            "-",
            "-q",
            "--no-db",
            "--elder-path",
            "report.html",
        ])
        .output()
        .expect("run eldercheck");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(report["sites"][0]["pages"][0]["elder_page"], true);
    let failed: Vec<String> = report["sites"][0]["pages"][0]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["outcome"] == "failed")
        .map(|c| format!("{}: {}", c["id"], c["findings"][0]["message"]))
        .collect();
    assert!(failed.is_empty(), "report.html fails its own checks: {failed:#?}");
}

#[test]
fn the_report_renders_in_headless_chromium_without_console_errors() {
    let Some(browser) = chromium() else {
        assert!(std::env::var_os("CI").is_none(), "CI must install Chromium (.ci/run does)");
        println!("SKIPPED: Chromium not installed (apt-get install -y chromium)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    render(&demo(), dir.path(), &[]);
    let profile = tempfile::tempdir().expect("tempdir");
    let url = url::Url::from_file_path(dir.path().join("report.html")).expect("file url");
    let output = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])
        .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom", url.as_str()])
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&output.stdout);
    let log = String::from_utf8_lossy(&output.stderr);
    let console_errors: Vec<&str> =
        log.lines().filter(|l| l.contains("CONSOLE") && (l.contains("ERROR") || l.contains("Uncaught"))).collect();
    assert!(console_errors.is_empty(), "console errors: {console_errors:#?}");
    let html = Html::parse_document(&dom);
    let visible = text(select(&html, "body")[0]);
    for expected in ["适老化检测报告", "demo-site", "否决项", "自评清单", "文字字号过小"] {
        assert!(visible.contains(expected), "{expected:?} not rendered");
    }
}

#[test]
fn a_batch_report_ranks_its_sites() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        a.path().join("index.html"),
        "<html lang=zh-CN><title>好网站</title><body><p>正文</p></body></html>",
    )
    .expect("write");
    std::fs::write(
        b.path().join("index.html"),
        "<html><body><p style='font-size:9px;color:#ccc'>小字</p></body></html>",
    )
    .expect("write");
    let out = tempfile::tempdir().expect("tempdir");
    let output = bin()
        .args([
            "check",
            a.path().to_str().expect("p"),
            b.path().to_str().expect("p"),
            "--out",
            out.path().to_str().expect("p"),
            "-q",
            "--no-db",
        ])
        .output()
        .expect("run");
    assert!(matches!(output.status.code(), Some(0 | 1)));
    let html = Html::parse_document(&std::fs::read_to_string(out.path().join("report.html")).expect("html"));
    let rows: Vec<String> = select(&html, "#ranking ~ table tbody tr").into_iter().map(text).collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let first_site = a.path().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    assert!(rows[0].contains(&first_site), "the better site ranks first: {rows:?}");
    // A batch's report.html is the index; each site has its own page, linked from the ranking.
    assert!(select(&html, "section#site").is_empty(), "no site is inlined in the index");
    let links: Vec<String> = select(&html, "#ranking ~ table tbody a")
        .into_iter()
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect();
    assert_eq!(links.len(), 2);
    for link in &links {
        assert!(link.starts_with("sites/") && link.ends_with(".html"), "{link}");
        let page = std::fs::read_to_string(out.path().join(link)).expect("the site's page exists");
        let page = Html::parse_document(&page);
        assert_eq!(select(&page, "section#site").len(), 1, "{link} holds one site");
        let back: Vec<_> = select(&page, "a[href='../report.html']");
        assert_eq!(back.len(), 1, "{link} links back to the index");
    }
}

/// Loads `page` in headless Chromium and returns the dumped DOM and the console log.
/// The page's content width and its viewport width, laid out `width` px wide. Headless Chromium's
/// window is at least 500 px wide, so the page is laid out in an iframe of that width, and reports
/// its `scrollWidth` to the frame page.
fn layout_width(browser: &Path, page: &Path, width: u32) -> (u32, u32) {
    let text = std::fs::read_to_string(page).expect("read");
    let csp_start = text.find("<meta http-equiv=\"Content-Security-Policy\"").expect("CSP meta");
    let csp_end = csp_start + text[csp_start..].find('>').expect("end of meta") + 1;
    let probe = page.with_file_name("probe.html");
    std::fs::write(
        &probe,
        format!(
            "{}{}",
            &text[..csp_start],
            text[csp_end..].replace(
                "</body>",
                "<script>parent.postMessage(document.documentElement.scrollWidth + ' ' + window.innerWidth, '*');</script></body>"
            )
        ),
    )
    .expect("write probe");
    let frame = page.with_file_name("frame.html");
    std::fs::write(
        &frame,
        format!(
            "<!DOCTYPE html><html><body><iframe src=\"probe.html\" style=\"width:{width}px;height:900px;border:0\"></iframe>\
             <script>addEventListener('message', function (e) {{ document.body.setAttribute('data-probe', e.data); }});</script></body></html>"
        ),
    )
    .expect("write frame");
    let (dom, _) = chromium_dump(browser, &frame);
    let html = Html::parse_document(&dom);
    let value = select(&html, "body")[0].value().attr("data-probe").unwrap_or_default().to_string();
    let numbers: Vec<u32> = value.split(' ').filter_map(|n| n.parse().ok()).collect();
    assert_eq!(numbers.len(), 2, "{}: no measurement at {width}px ({value:?})", page.display());
    (numbers[0], numbers[1])
}

#[test]
fn no_horizontal_scrolling_on_a_phone_or_a_desktop_and_our_script_runs() {
    let Some(browser) = chromium() else {
        assert!(std::env::var_os("CI").is_none(), "CI must install Chromium (.ci/run does)");
        println!("SKIPPED: Chromium not installed (apt-get install -y chromium)");
        return;
    };
    // A single site's report, a batch index and a batch site page.
    let single = tempfile::tempdir().expect("tempdir");
    render(&demo(), single.path(), &[]);
    let batch = tempfile::tempdir().expect("tempdir");
    let other = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        other.path().join("index.html"),
        "<html lang=zh-CN><title>另一个网站</title><p style='font-size:9px'>小字</p></html>",
    )
    .expect("write");
    render(&demo(), batch.path(), &[other.path().to_str().expect("path")]);
    let site_page = std::fs::read_dir(batch.path().join("sites"))
        .expect("sites")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.to_string_lossy().contains("demo-site"))
        .expect("the demo site's page");
    for page in [single.path().join("report.html"), batch.path().join("report.html"), site_page] {
        // Under the report's Content Security Policy our script runs: the filters and export appear.
        let (dom, log) = chromium_dump(&browser, &page);
        let errors: Vec<&str> =
            log.lines().filter(|l| l.contains("CONSOLE") && (l.contains("ERROR") || l.contains("Uncaught"))).collect();
        assert!(errors.is_empty(), "{}: console errors {errors:#?}", page.display());
        let html = Html::parse_document(&dom);
        assert!(
            select(&html, ".js-only").iter().all(|e| e.value().attr("hidden").is_none()),
            "{}: the report's script did not run under its CSP",
            page.display()
        );
        for width in [390, 1280] {
            let (content, viewport) = layout_width(&browser, &page, width);
            assert_eq!(viewport, width, "laid out at {width}px");
            assert!(content <= viewport, "{} at {width}px: the page is {content} px wide", page.display());
        }
    }
}
