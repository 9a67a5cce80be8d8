//! Font scaling tried for real in headless Chromium (skipped with a reason when it is not
//! installed; CI installs it): text doubled, spacing widened, a 320 px viewport, the elder switch
//! pressed. One run over three local sites, so the whole file starts one browser.

mod common;

use common::browser::chromium_or_skip;
use common::report::{check, outcome, problems, rendered, run};
use eldercheck::options::RenderMode;
use eldercheck::run::CheckRequest;
use serde_json::Value;
use std::path::Path;

fn page(title: &str, style: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=zh-CN><head><meta charset=utf-8><meta name=viewport content=\"width=device-width\">\
         <title>{title}</title><style>{style}</style></head><body>{body}</body></html>"
    )
}

const TEXT: &str = "这是网站的正文内容，介绍本网站提供的各项政务服务，方便群众在网上办理各类事项。";

fn write(dir: &Path, name: &str, html: &str) {
    std::fs::write(dir.join(name), html).expect("write fixture");
}

/// The three sites: `a` (the fixture pages, a working 长辈版 button), `b` (a button that does
/// nothing), `c` (a 关怀版 link to a page still in 14 px).
fn sites(root: &Path) -> [std::path::PathBuf; 3] {
    let [a, b, c] = ["a", "b", "c"].map(|n| root.join(n));
    for dir in [&a, &b, &c] {
        std::fs::create_dir_all(dir).expect("site folder");
    }
    write(
        &a,
        "index.html",
        &page(
            "首页",
            "body { font-size: 1rem } body.elder { font-size: 1.25rem }",
            &format!(
                "<button onclick=\"document.body.classList.add('elder')\">长辈版</button><p>{TEXT}</p>\
                 <a href=px.html>px</a> <a href=rem.html>rem</a> <a href=menu.html>menu</a> <a href=wide.html>wide</a> \
                 <a href=responsive.html>responsive</a> <a href=table.html>table</a> <a href=spacing.html>spacing</a>"
            ),
        ),
    );
    write(&a, "px.html", &page("固定字号", "body { font-size: 14px }", &format!("<p>{TEXT}</p><p>{TEXT}</p>")));
    write(
        &a,
        "rem.html",
        &page("相对字号", "body { font-size: 1rem } h1 { font-size: 1.5rem }", &format!("<h1>标题</h1><p>{TEXT}</p>")),
    );
    write(
        &a,
        "menu.html",
        &page(
            "菜单",
            "body { font-size: 1rem } .menu { height: 40px; overflow: hidden; width: 400px } .menu a { font-size: 1rem; line-height: 40px }",
            &format!("<div class=menu><a href=rem.html>政务公开</a> <a href=px.html>办事服务</a> <a href=wide.html>互动交流</a> <a href=table.html>走进本市</a></div><p>{TEXT}</p>"),
        ),
    );
    write(
        &a,
        "wide.html",
        &page(
            "固定宽度",
            "body { font-size: 1rem } .main { width: 1400px }",
            &format!("<div class=main><p>{TEXT}</p></div>"),
        ),
    );
    write(
        &a,
        "responsive.html",
        &page(
            "自适应",
            "body { font-size: 1rem } .main { max-width: 1200px; margin: 0 auto }",
            &format!("<div class=main><p>{TEXT}</p></div>"),
        ),
    );
    write(
        &a,
        "table.html",
        &page(
            "数据表",
            "body { font-size: 1rem }",
            &format!(
                "<p>{TEXT}</p><table><tr><th>年份</th><th>人口</th><th>面积</th></tr>\
                 <tr><td><div style=\"width: 1200px\">2025</div></td><td>100</td><td>200</td></tr></table>"
            ),
        ),
    );
    write(
        &a,
        "spacing.html",
        &page(
            "间距",
            "body { font-size: 1rem } .notice { height: 2.4rem; line-height: 1.2; overflow: hidden; width: 30rem }",
            "<div class=notice>第一行通知文字内容放在这里<br>第二行通知文字内容也在这里</div>",
        ),
    );
    write(
        &b,
        "index.html",
        &page("首页", "body { font-size: 1rem }", &format!("<button onclick=\"void 0\">长辈版</button><p>{TEXT}</p>")),
    );
    write(
        &c,
        "index.html",
        &page("首页", "body { font-size: 1rem }", &format!("<a href=care.html>关怀版</a><p>{TEXT}</p>")),
    );
    write(&c, "care.html", &page("关怀版", "body { font-size: 14px }", &format!("<p>{TEXT}</p>")));
    [a, b, c]
}

fn site_check<'a>(site: &'a Value, id: &str) -> &'a Value {
    site["site_checks"].as_array().and_then(|c| c.iter().find(|c| c["id"] == id)).unwrap_or(&Value::Null)
}

#[test]
fn text_is_enlarged_spaced_and_narrowed_and_the_elder_switch_is_pressed() {
    let Some(browser) = chromium_or_skip() else { return };
    let root = tempfile::tempdir().expect("root");
    let targets = sites(root.path()).map(|p| p.display().to_string()).to_vec();
    let (out, report) = run(rendered(targets, browser));
    let sites = report["sites"].as_array().expect("sites");
    let site = |letter: &str| {
        sites
            .iter()
            .find(|s| s["url"].as_str().is_some_and(|u| u.trim_end_matches('/').ends_with(letter)))
            .expect("site")
    };
    let a = site("/a");
    let pages = a["pages"].as_array().expect("pages");
    let page = |name: &str| pages.iter().find(|p| p["url"].as_str().is_some_and(|u| u.ends_with(name))).expect(name);

    // px text does not grow with the reader's text size; rem text does.
    assert_eq!(outcome(page("px.html"), "text-zoom"), "failed");
    assert_eq!(problems(page("px.html"), "text-zoom"), vec!["not_grown"]);
    assert_eq!(outcome(page("rem.html"), "text-zoom"), "passed");
    // The 40 px menu cuts its text once it is doubled.
    assert!(
        problems(page("menu.html"), "text-zoom").contains(&"clipped".to_string()),
        "{}",
        check(page("menu.html"), "text-zoom")
    );
    let zoom = check(page("menu.html"), "text-zoom");
    let picture = zoom["data"]["zoomed_picture"]["file"].as_str().expect("a 2× picture");
    assert!(out.path().join("results").join(picture).is_file(), "{picture}");

    // At 320 px: the fixed 1,400 px layout scrolls sideways, the responsive page and a wide data table do not fail.
    assert_eq!(outcome(page("wide.html"), "reflow"), "failed");
    let overflow = check(page("wide.html"), "reflow")["findings"][0]["data"]["overflow_px"].as_f64().expect("px");
    assert!(overflow > 1000.0, "{overflow}");
    assert_eq!(outcome(page("responsive.html"), "reflow"), "passed");
    assert_eq!(outcome(page("table.html"), "reflow"), "passed", "{}", check(page("table.html"), "reflow"));
    assert!(check(page("table.html"), "reflow")["data"]["exempt_overflow"]
        .as_str()
        .is_some_and(|k| k.contains("table")));

    // The W3C spacing cuts the second line of the fixed-height notice; the other pages keep their text.
    assert_eq!(outcome(page("spacing.html"), "text-spacing"), "failed");
    assert_eq!(problems(page("spacing.html"), "text-spacing"), vec!["clipped"]);
    assert_eq!(outcome(page("rem.html"), "text-spacing"), "passed");

    // The measurements leave the other checks alone: the static verdict of the font-size check stands.
    assert_eq!(outcome(page("px.html"), "fixed-font-size"), "failed");

    // The elder switch: a class that sets 20 px passes; a button that does nothing and a link to a
    // 14 px page fail.
    let switch = |letter: &str| site_check(site(letter), "elder-mode-switch").clone();
    let working = switch("/a");
    assert_eq!(working["outcome"], "passed", "{working}");
    assert_eq!(working["data"]["px_after"].as_f64(), Some(20.0));
    let dead = switch("/b");
    assert_eq!(dead["outcome"], "failed", "{dead}");
    assert_eq!(dead["findings"][0]["data"]["problem"], "unchanged");
    let small = switch("/c");
    assert_eq!(small["outcome"], "failed", "{small}");
    assert_eq!(small["data"]["action"], "link");
    assert!(small["data"]["switched_address"].as_str().is_some_and(|a| a.ends_with("care.html")), "{small}");
}

#[test]
fn static_checking_calls_the_font_scaling_checks_inapplicable_for_want_of_a_browser() {
    let root = tempfile::tempdir().expect("root");
    let [a, _, _] = sites(root.path());
    let mut request = CheckRequest::new(vec![a.display().to_string()]);
    request.settings.no_db = true;
    request.settings.quiet = true;
    request.settings.render = Some(RenderMode::Never);
    let (_out, report) = run(request);
    let site = &report["sites"][0];
    for page in site["pages"].as_array().expect("pages") {
        for id in ["text-zoom", "reflow", "text-spacing"] {
            assert_eq!(outcome(page, id), "inapplicable", "{id}");
            assert_eq!(check(page, id)["data"]["inapplicable_reason"], "needs_browser");
        }
    }
    assert_eq!(site_check(site, "elder-mode-switch")["outcome"], "inapplicable");
}
