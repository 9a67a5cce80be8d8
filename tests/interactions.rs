//! The page used as a reader uses it, in headless Chromium (skipped with a reason when it is not
//! installed; CI installs it): pop-ups closed with one click and watched for coming back, the
//! keyboard walked through the page, carousels paused. One run over one local site, so the whole
//! file starts one browser.

mod common;

use common::browser::chromium_or_skip;
use common::report::{check, outcome, problems, rendered, run};
use eldercheck::options::RenderMode;
use eldercheck::run::CheckRequest;
use serde_json::Value;
use std::path::Path;

const TEXT: &str = "这是网站的正文内容，介绍本网站提供的各项政务服务，方便群众在网上办理各类事项。";

fn page(title: &str, style: &str, body: &str, script: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=zh-CN><head><meta charset=utf-8><title>{title}</title><style>{style}</style></head>\
         <body><p>{TEXT}</p>{body}<script>{script}</script></body></html>"
    )
}

const POPUP: &str = ".pop { position: fixed; left: 20%; top: 20%; width: 60%; height: 50%; z-index: 9999; background: #fff; \
    border: 1px solid #333 } .pop .x { position: absolute; right: 0; top: 0; width: 48px; height: 48px; font-size: 32px; \
    border: 0; background: #eee }";
const TICKER: &str = ".box { width: 300px; overflow: hidden } .track { position: relative; white-space: nowrap }";
const TICKING: &str = "let x = 0; const t = setInterval(() => { x -= 20; tr.style.left = x + 'px' }, 300);";

/// A news ticker moving every 300 ms, with `control` beside it.
fn ticker(title: &str, control: &str) -> String {
    let body = format!(
        "<div class=box><div class=track id=tr><span>第一条新闻 第二条新闻 第三条新闻</span></div>{control}</div>"
    );
    page(title, TICKER, &body, TICKING)
}

/// The site's pages, each with one thing to try.
fn site(dir: &Path) {
    let close = |onclick: &str| {
        format!("<div class=pop id=pop><p>通知内容</p><button class=x aria-label=关闭 onclick=\"{onclick}\">×</button></div>")
    };
    let hide = "pop.style.display='none'";
    let pages = [
        ("close-ok.html", page("能关闭", POPUP, &close(hide), "")),
        (
            "come-back.html",
            page("关了又弹", POPUP, &close(&format!("{hide}; setTimeout(() => pop.style.display='block', 2000)")), ""),
        ),
        ("fake-close.html", page("假关闭", POPUP, &close("window.open('ad.html')"), "")),
        (
            "countdown.html",
            page(
                "倒计时",
                POPUP,
                &format!(
                    "<div class=pop id=pop><p>广告 <span id=n>5</span>秒后可关闭</p><button class=x aria-label=关闭 \
                     onclick=\"if (ready) {hide}\">×</button></div>"
                ),
                "let ready = false, left = 5; const t = setInterval(() => { left--; n.textContent = left; \
                 if (!left) { ready = true; clearInterval(t); } }, 1000);",
            ),
        ),
        (
            "tiny-close.html",
            page("小关闭", &POPUP.replace("width: 48px; height: 48px; font-size: 32px", "width: 12px; height: 12px; font-size: 10px; padding: 0"), &close(hide), ""),
        ),
        ("no-close.html", page("无关闭", POPUP, "<div class=pop id=pop role=dialog><p>请阅读本通知后继续</p></div>", "")),
        ("ad.html", page("广告页", "", "<p>广告</p>", "")),
        (
            "outline-none.html",
            page("无焦点样式", "a, a:focus { outline: none }", "<a href=ad.html>政务公开</a> <a href=ad.html>办事服务</a>", ""),
        ),
        (
            "outline.html",
            page("有焦点样式", "a:focus { outline: 3px solid #1a5fb4 }", "<a href=ad.html>政务公开</a> <a href=ad.html>办事服务</a>", ""),
        ),
        (
            "swallow.html",
            page(
                "吞掉Tab",
                "",
                "<a href=ad.html>政务公开</a> <div tabindex=0 onkeydown=\"if (event.key === 'Tab') event.preventDefault()\">地图组件</div> \
                 <a href=ad.html>办事服务</a>",
                "",
            ),
        ),
        (
            "div-menu.html",
            page(
                "div菜单",
                "",
                "<div onclick=\"m.hidden = !m.hidden\" style=\"cursor: pointer\">栏目导航</div><ul id=m hidden><li>政务公开</li></ul> \
                 <a href=ad.html>办事服务</a>",
                "",
            ),
        ),
        ("carousel-pause.html", ticker("可暂停轮播", "<button onclick=\"clearInterval(t)\">暂停</button>")),
        ("carousel-broken.html", ticker("暂停无效", "<button onclick=\"void 0\">暂停</button>")),
        ("carousel-no-pause.html", ticker("无暂停", "")),
    ];
    let links: Vec<String> = pages.iter().map(|(name, _)| format!("<a href={name}>{name}</a>")).collect();
    std::fs::write(dir.join("index.html"), page("首页", "", &links.join(" "), "")).expect("write");
    for (name, html) in pages {
        std::fs::write(dir.join(name), html).expect("write");
    }
}

fn pages(report: &Value) -> Vec<Value> {
    report["sites"][0]["pages"].as_array().cloned().unwrap_or_default()
}

fn find<'a>(pages: &'a [Value], name: &str) -> &'a Value {
    pages.iter().find(|p| p["url"].as_str().is_some_and(|u| u.ends_with(&format!("/{name}")))).expect(name)
}

#[test]
fn pop_ups_are_closed_the_keyboard_walks_and_carousels_are_paused() {
    let Some(browser) = chromium_or_skip() else { return };
    let root = tempfile::tempdir().expect("root");
    site(root.path());
    let (out, report) = run(rendered(vec![root.path().display().to_string()], browser));
    let pages = pages(&report);
    let page = |name: &str| find(&pages, name);

    // Pop-ups: the × that closes passes; coming back, a fake close, a countdown, a 12 px × and no
    // close control fail, each with its reason.
    assert_eq!(
        outcome(page("close-ok.html"), "popup-close"),
        "passed",
        "{}",
        check(page("close-ok.html"), "popup-close")
    );
    for (name, problem) in [
        ("come-back.html", "comes_back"),
        ("fake-close.html", "fake_close"),
        ("countdown.html", "countdown"),
        ("tiny-close.html", "close_too_small"),
        ("no-close.html", "no_close"),
    ] {
        let judged = check(page(name), "popup-close");
        assert_eq!(judged["outcome"], "failed", "{name}: {judged}");
        assert_eq!(problems(page(name), "popup-close")[0], problem, "{name}: {judged}");
    }
    // The screen after the click is kept with the finding.
    let after = &check(page("come-back.html"), "popup-close")["findings"][0]["data"]["after_picture"]["file"];
    if let Some(file) = after.as_str() {
        assert!(out.path().join("results").join(file).is_file(), "{file}");
    }
    assert_eq!(outcome(page("outline.html"), "popup-close"), "inapplicable");
    // report.json's issue example says where it is on the page's picture.
    let issues = report["sites"][0]["issues"].as_array().expect("issues");
    let popup = issues.iter().find(|i| i["check"] == "popup-close").expect("a popup-close issue");
    assert!(popup["example"]["screenshot"]["file"].is_string(), "{popup}");
    assert!(popup["example"]["bounds"]["width"].as_f64().is_some_and(|w| w > 0.0), "{popup}");

    // The keyboard: links without a focus style fail, with one pass; a widget that swallows Tab
    // traps the reader; a div that only a mouse can click fails.
    assert_eq!(problems(page("outline-none.html"), "keyboard-focus"), vec!["no_focus_indicator"; 2]);
    assert_eq!(
        outcome(page("outline.html"), "keyboard-focus"),
        "passed",
        "{}",
        check(page("outline.html"), "keyboard-focus")
    );
    assert_eq!(
        problems(page("swallow.html"), "keyboard-focus"),
        vec!["keyboard_trap"],
        "{}",
        check(page("swallow.html"), "keyboard-focus")
    );
    assert_eq!(problems(page("div-menu.html"), "keyboard-focus"), vec!["mouse_only"]);
    assert_eq!(check(page("outline.html"), "keyboard-focus")["data"]["tab_stops"], 2);

    // Moving content: a working pause passes, a pause that does nothing and no pause fail.
    assert_eq!(
        outcome(page("carousel-pause.html"), "moving-content"),
        "passed",
        "{}",
        check(page("carousel-pause.html"), "moving-content")
    );
    assert_eq!(problems(page("carousel-broken.html"), "moving-content"), vec!["pause_does_not_work"]);
    assert_eq!(outcome(page("carousel-no-pause.html"), "moving-content"), "failed");

    // Interactions leave what other checks read alone: the pop-up still covered the page on load.
    assert_eq!(outcome(page("close-ok.html"), "popup-overlay"), "failed");
}

#[test]
fn static_checking_calls_the_interaction_checks_inapplicable_for_want_of_a_browser() {
    let root = tempfile::tempdir().expect("root");
    site(root.path());
    let mut request = CheckRequest::new(vec![root.path().display().to_string()]);
    request.settings.no_db = true;
    request.settings.quiet = true;
    request.settings.render = Some(RenderMode::Never);
    let (_out, report) = run(request);
    for page in pages(&report) {
        for id in ["popup-close", "keyboard-focus"] {
            assert_eq!(outcome(&page, id), "inapplicable", "{id}");
            assert_eq!(check(&page, id)["data"]["inapplicable_reason"], "needs_browser");
        }
    }
}
