//! Rendered mode end to end: pages run in headless Chromium (when it is installed; CI installs it),
//! judged on what the browser shows, with screenshots; the browser's requests obey the address
//! rule; a page that hangs the browser is an error entry and the run goes on.

mod common;

use common::{browser::chromium, html, not_found, options, serve};
use eldercheck::options::{Output, RenderMode};
use eldercheck::results::PageResult;
use eldercheck::run::CheckRequest;
use eldercheck::rundir::RunDir;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Runs `request` into `out` and returns every site's pages.
fn run(mut request: CheckRequest, out: &Path) -> Vec<Vec<PageResult>> {
    request.output = Output::Dir(out.to_path_buf());
    request.formats = vec![eldercheck::options::Format::Html, eldercheck::options::Format::Json];
    eldercheck::run::check(request).expect("the run succeeds");
    let dir = RunDir::open(&out.join("results")).expect("results folder");
    let manifest = dir.read_manifest().expect("manifest");
    (0..manifest.sites.len()).map(|i| dir.pages(i).expect("pages").map(|p| p.expect("page")).collect()).collect()
}

fn rendering(request: &mut CheckRequest, mode: RenderMode, browser: &Path) {
    request.render.mode = Some(mode);
    request.render.chromium = Some(browser.to_path_buf());
    request.render.page_timeout = Duration::from_secs(20);
}

fn findings<'a>(page: &'a PageResult, check: &str) -> Vec<&'a eldercheck::results::FindingResult> {
    page.checks.iter().filter(|c| c.id == check).flat_map(|c| c.findings.iter()).collect()
}

fn outcome(page: &PageResult, check: &str) -> String {
    page.checks.iter().find(|c| c.id == check).map(|c| format!("{:?}", c.outcome)).unwrap_or_default()
}

const APP_JS: &str = r#"
const app = document.getElementById('app');
app.innerHTML = '<h1>政务服务</h1><p>办事指南</p><img src="/logo.png"><a href="/news.html">新闻</a><button></button>';
const pop = document.createElement('div');
pop.className = 'ad-layer';
pop.style.cssText = 'position:fixed;left:10%;top:10%;width:80%;height:70%;z-index:9999;background:#fff';
pop.innerHTML = '<p>限时优惠</p><span class="close" style="display:inline-block;width:12px;height:12px">×</span>';
document.body.appendChild(pop);
const float = document.createElement('div');
float.style.cssText = 'position:absolute;left:0;top:400px;width:120px;height:80px;z-index:500';
float.innerHTML = '<a href="/x.html"><img src="/f.png" alt="活动"></a>';
document.body.appendChild(float);
let x = 0; setInterval(() => { x += 6; float.style.left = x + 'px'; }, 40);
"#;

#[test]
fn a_script_built_site_is_judged_as_the_browser_shows_it() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: Chromium is not installed (apt-get install -y chromium)");
        return;
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (addr, log) = runtime.block_on(serve(|path, _| match path {
        "/" => html("<div id=app></div><script src=/app.js></script>"),
        "/app.js" => ([(axum::http::header::CONTENT_TYPE, "text/javascript")], APP_JS).into_response(),
        "/news.html" => html(&format!("<h1>新闻</h1><p>{}</p>", "关于做好养老服务工作的通知。".repeat(20))),
        _ => not_found(),
    }));
    let mut request = options(addr, &[]);
    rendering(&mut request, RenderMode::Auto, &browser);
    request.targets = vec![format!("http://127.0.0.1:{}/", addr.port())];
    let out = tempfile::tempdir().expect("tempdir");
    let sites = run(request, out.path());
    let pages = &sites[0];
    let home = pages.iter().find(|p| p.depth == 0).expect("home");
    assert!(home.error.is_none(), "{:?}", home.error);
    let rendered = home.rendered.as_ref().expect("the home page is rendered");
    assert_eq!(format!("{:?}", rendered.reason), "HomePage");
    let shot = rendered.screenshot.as_ref().expect("a screenshot");
    assert!(out.path().join("results").join(&shot.file).is_file(), "{}", shot.file);
    assert!(shot.width <= 800 && shot.height > 0);

    // What only the scripts build is checked, with where the browser drew it.
    let image = findings(home, "image-alt");
    assert_eq!(image.len(), 1, "the script-built image without alt");
    assert!(image[0].bounds.is_some(), "findings carry their box");
    assert_eq!(findings(home, "button-name").len(), 1);
    let popups = findings(home, "popup-overlay");
    let kinds: Vec<&str> = popups.iter().filter_map(|f| f.data.get("kind").and_then(|k| k.as_str())).collect();
    assert!(kinds.contains(&"overlay"), "the injected pop-up: {kinds:?}");
    assert!(kinds.contains(&"floating"), "the moving window: {kinds:?}");
    let overlay =
        popups.iter().find(|f| f.data.get("kind").and_then(|k| k.as_str()) == Some("overlay")).expect("overlay");
    assert_eq!(overlay.data.get("close_px"), Some(&serde_json::json!([12.0, 12.0])), "close button as drawn");

    // An ordinary page is left to the static engine; the link the script made was followed.
    let news = pages.iter().find(|p| p.url.ends_with("/news.html")).expect("the script-built link was followed");
    assert!(news.rendered.is_none());
    // The browser was given the fetched page: the site saw one request for it, not two.
    let requests = log.lock().expect("log").iter().filter(|(_, p)| p == "/").count();
    assert_eq!(requests, 1, "no second navigation request");

    let report = std::fs::read_to_string(out.path().join("report.html")).expect("report");
    assert!(report.contains("results/screens/"), "the report shows the screenshots");
    assert!(report.contains("class=\"shot-box\""));
    let json = std::fs::read_to_string(out.path().join("report.json")).expect("report.json");
    assert!(json.contains("\"rendered\":{\"reason\":\"home_page\""), "report.json says which pages were rendered");
}

#[test]
fn the_browser_never_reaches_addresses_the_crawl_may_not() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: Chromium is not installed");
        return;
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (addr, log) = runtime.block_on(serve(|_, _| not_found()));
    let site = tempfile::tempdir().expect("site");
    let port = addr.port();
    std::fs::write(
        site.path().join("index.html"),
        format!(
            "<!DOCTYPE html><html lang=zh-CN><head><title>本地</title></head><body><p>内网探测</p>\
             <img src='http://127.0.0.1:{port}/tracker.png' alt=''>\
             <script>fetch('http://127.0.0.1:{port}/secret').catch(() => {{}});\
             fetch('http://169.254.169.254/latest/meta-data/').catch(() => {{}});\
             try {{ new WebSocket('ws://127.0.0.1:{port}/ws'); }} catch (e) {{}}\
             try {{ new Worker(URL.createObjectURL(new Blob([\"fetch('http://127.0.0.1:{port}/worker')\"]))); }} catch (e) {{}}\
             </script><iframe src='http://127.0.0.1:{port}/frame.html' title='框架'></iframe></body></html>"
        ),
    )
    .expect("write");
    let mut request = CheckRequest::new(vec![site.path().display().to_string()]);
    request.db = None;
    request.verbosity = eldercheck::options::Verbosity::Quiet;
    rendering(&mut request, RenderMode::Always, &browser);
    let out = tempfile::tempdir().expect("tempdir");
    let sites = run(request, out.path());
    assert!(sites[0][0].rendered.is_some(), "{:?}", sites[0][0].error);
    let seen: Vec<String> = log.lock().expect("log").iter().map(|(_, p)| p.clone()).collect();
    assert!(seen.is_empty(), "a local page's scripts reached a loopback service: {seen:?}");
}

#[test]
fn a_page_that_hangs_the_browser_is_an_error_entry_and_the_run_goes_on() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: Chromium is not installed");
        return;
    };
    let site = tempfile::tempdir().expect("site");
    let page = |body: &str| {
        format!("<!DOCTYPE html><html lang=zh-CN><head><title>页</title></head><body>{body}</body></html>")
    };
    std::fs::write(site.path().join("a-hang.html"), page("<p>卡住</p><script>for(;;){}</script>")).expect("write");
    std::fs::write(site.path().join("b-ok.html"), page("<h1>正常页面</h1><p>内容</p>")).expect("write");
    let mut request = CheckRequest::new(vec![site.path().display().to_string()]);
    request.db = None;
    request.verbosity = eldercheck::options::Verbosity::Quiet;
    rendering(&mut request, RenderMode::Always, &browser);
    request.render.page_timeout = Duration::from_secs(6);
    let out = tempfile::tempdir().expect("tempdir");
    let sites = run(request, out.path());
    let hang = sites[0].iter().find(|p| p.url.ends_with("a-hang.html")).expect("hang");
    assert_eq!(hang.error.as_ref().map(|e| e.kind.as_str()), Some("render_failed"), "{:?}", hang.error);
    let ok = sites[0].iter().find(|p| p.url.ends_with("b-ok.html")).expect("ok");
    assert!(ok.error.is_none() && ok.rendered.is_some(), "{:?}", ok.error);
    assert_eq!(outcome(ok, "document-title"), "Passed");
}

#[test]
fn rendering_always_without_a_browser_is_a_usage_error_with_an_install_hint() {
    let site = tempfile::tempdir().expect("site");
    std::fs::write(site.path().join("index.html"), "<title>x</title><p>x</p>").expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_eldercheck"))
        .args(["check", "--no-db", "--render", "always", "--chromium", "/nonexistent/chromium", "--out"])
        .arg(site.path().join("out"))
        .arg(site.path())
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Chromium") && stderr.contains("apt-get install"), "{stderr}");

    let bad = Command::new(env!("CARGO_BIN_EXE_eldercheck"))
        .args(["check", "--no-db", "--render", "sometimes"])
        .arg(site.path())
        .output()
        .expect("run");
    assert_eq!(bad.status.code(), Some(2));

    // Without a browser the default is a static check, said once.
    let output = Command::new(env!("CARGO_BIN_EXE_eldercheck"))
        .args(["check", "--no-db", "--out"])
        .arg(site.path().join("out"))
        .arg(site.path())
        .env("CHROMIUM", "")
        .env("PATH", "/nonexistent")
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.matches("没有找到 Chromium").count(), 1, "{stderr}");
}

use axum::response::IntoResponse;
