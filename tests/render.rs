//! Rendered mode end to end: pages run in headless Chromium (when it is installed; CI installs it),
//! judged on what the browser shows, with screenshots; the browser's requests obey the address
//! rule; a page that hangs the browser is an error entry and the run goes on.

mod common;

use axum::response::IntoResponse;
use common::{browser::chromium_or_skip, html, not_found, options, serve};
use eldercheck::options::{Output, RenderMode};
use eldercheck::results::PageResult;
use eldercheck::run::CheckRequest;
use eldercheck::rundir::RunDir;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Runs `request` into `out` and returns every site's pages.
fn run(mut request: CheckRequest, out: &Path) -> Vec<Vec<PageResult>> {
    request.settings.out = Output::Dir(out.to_path_buf());
    request.settings.format =
        eldercheck::options::Formats(vec![eldercheck::options::Format::Html, eldercheck::options::Format::Json]);
    eldercheck::run::check(request).expect("the run succeeds");
    let dir = RunDir::open(&out.join("results")).expect("results folder");
    let manifest = dir.read_manifest().expect("manifest");
    (0..manifest.sites.len()).map(|i| dir.pages(i).expect("pages").map(|p| p.expect("page")).collect()).collect()
}

fn rendering(request: &mut CheckRequest, mode: RenderMode, browser: &Path) {
    request.settings.render = Some(mode);
    request.settings.chromium = Some(browser.to_path_buf());
    request.settings.render_timeout_s = 20;
}

/// A local test page around `body`.
fn page_html(body: &str) -> String {
    format!("<!DOCTYPE html><html lang=zh-CN><head><title>页</title></head><body>{body}</body></html>")
}

fn findings<'a>(page: &'a PageResult, check: &str) -> Vec<&'a eldercheck::results::FindingResult> {
    page.checks.iter().filter(|c| c.id == check).flat_map(|c| c.findings.iter()).collect()
}

fn outcome(page: &PageResult, check: &str) -> String {
    page.checks.iter().find(|c| c.id == check).map(|c| format!("{:?}", c.outcome)).unwrap_or_default()
}

const APP_JS: &str = r#"
const app = document.getElementById('app');
app.innerHTML = '<h1>政务服务</h1><p>办事指南</p><img src="/logo.png"><a href="/news.html">新闻</a><a href="/more.html"></a><button></button>';
const sheet = document.createElement('link');
sheet.rel = 'stylesheet';
sheet.href = '/modal.css';
document.head.appendChild(sheet);
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
    let Some(browser) = chromium_or_skip() else { return };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (addr, log) = runtime.block_on(serve(|path, _| match path {
        "/" => html(
            "<div id=app></div><div class=modal role=dialog aria-hidden=true><button>关闭</button></div>\
             <script src=/app.js></script>",
        ),
        "/modal.css" => ([(axum::http::header::CONTENT_TYPE, "text/css")], ".modal { display: none }").into_response(),
        "/app.js" => ([(axum::http::header::CONTENT_TYPE, "text/javascript")], APP_JS).into_response(),
        "/news.html" => html(&format!("<h1>新闻</h1><p>{}</p>", "关于做好养老服务工作的通知。".repeat(20))),
        _ => not_found(),
    }));
    let start = format!("http://127.0.0.1:{}/", addr.port());
    // Statically, the page is an empty app root and an open modal.
    let mut request = options(addr, &[]);
    request.settings.targets = vec![start.clone()];
    let static_out = tempfile::tempdir().expect("tempdir");
    let static_home = run(request, static_out.path()).remove(0).remove(0);
    assert!(static_home.rendered.is_none());
    assert!(findings(&static_home, "image-alt").is_empty() && findings(&static_home, "link-name").is_empty());
    assert_eq!(outcome(&static_home, "aria-hidden-focus"), "Failed", "without the injected stylesheet");
    let size = static_home.checks.iter().find(|c| c.id == "target-size").expect("target-size");
    assert_eq!(format!("{:?}", size.outcome), "Inapplicable");
    assert_eq!(size.data.get("inapplicable_reason").and_then(|v| v.as_str()), Some("needs_browser"));
    log.lock().expect("log").clear();

    let mut request = options(addr, &[]);
    rendering(&mut request, RenderMode::Auto, &browser);
    request.settings.targets = vec![start];
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
    assert_eq!(findings(home, "link-name").len(), 1, "the script-built empty link");
    assert_eq!(outcome(home, "aria-hidden-focus"), "Passed", "the browser applied the injected stylesheet");
    let size = home.checks.iter().find(|c| c.id == "target-size").expect("target-size");
    assert!(size.data.get("inapplicable_reason").is_none(), "judged on the browser's boxes");
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
    // (The static engine reads /modal.css for its cascade too; the browser's own requests are separate.)
    assert_eq!(requests, 1, "no second navigation request");

    let report = std::fs::read_to_string(out.path().join("report.html")).expect("report");
    assert!(report.contains("results/screens/"), "the report shows the screenshots");
    assert!(report.contains("class=\"shot-box\""));
    let json = std::fs::read_to_string(out.path().join("report.json")).expect("report.json");
    assert!(json.contains("\"rendered\":{\"reason\":\"home_page\""), "report.json says which pages were rendered");
}

#[test]
fn the_browser_never_reaches_addresses_the_crawl_may_not() {
    let Some(browser) = chromium_or_skip() else { return };
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
    request.settings.no_db = true;
    request.settings.quiet = true;
    rendering(&mut request, RenderMode::Always, &browser);
    let out = tempfile::tempdir().expect("tempdir");
    let sites = run(request, out.path());
    assert!(sites[0][0].rendered.is_some(), "{:?}", sites[0][0].error);
    let seen: Vec<String> = log.lock().expect("log").iter().map(|(_, p)| p.clone()).collect();
    assert!(seen.is_empty(), "a local page's scripts reached a loopback service: {seen:?}");
}

#[test]
fn a_page_that_hangs_the_browser_is_judged_as_served_and_the_run_goes_on() {
    let Some(browser) = chromium_or_skip() else { return };
    let site = tempfile::tempdir().expect("site");
    let page = page_html;
    std::fs::write(site.path().join("a-hang.html"), page("<p>卡住</p><script>for(;;){}</script>")).expect("write");
    std::fs::write(site.path().join("b-ok.html"), page("<h1>正常页面</h1><p>内容</p>")).expect("write");
    let mut request = CheckRequest::new(vec![site.path().display().to_string()]);
    request.settings.no_db = true;
    request.settings.quiet = true;
    rendering(&mut request, RenderMode::Always, &browser);
    request.settings.render_timeout_s = 6;
    let out = tempfile::tempdir().expect("tempdir");
    let sites = run(request, out.path());
    let hang = sites[0].iter().find(|p| p.url.ends_with("a-hang.html")).expect("hang");
    // Never an error entry with no checks (which left the site scoring 100 on its other pages):
    // the page keeps its static verdict and says why the browser could not show it.
    assert!(hang.error.is_none() && hang.rendered.is_none(), "{:?}", hang.error);
    let fallback = hang.render_fallback.as_ref().expect("the fallback is stated");
    assert_eq!(fallback.kind, "timeout", "{fallback:?}");
    assert_eq!(outcome(hang, "document-title"), "Passed", "judged as served");
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

#[test]
fn a_browser_that_dies_is_restarted_and_its_pages_are_judged_as_served() {
    let Some(browser) = chromium_or_skip() else { return };
    let work = tempfile::tempdir().expect("work");
    // A browser that notes its process id, so that the test can kill it mid-page.
    let pids = work.path().join("pids");
    let wrapper = work.path().join("chromium-wrapper");
    std::fs::write(
        &wrapper,
        format!("#!/bin/sh\necho $$ >> '{}'\nexec '{}' \"$@\"\n", pids.display(), browser.display()),
    )
    .expect("write wrapper");
    std::fs::set_permissions(&wrapper, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    let site = work.path().join("site");
    std::fs::create_dir(&site).expect("site");
    let page = page_html;
    // A folder's pages are handed on four at a time, in name order, each once it is rendered: with
    // the first four hanging, the others are rendered only after a hanging one ended, that is by
    // the restarted browser (with two hanging pages, a quick page could finish in the first one).
    for name in ["a", "b", "c", "d"] {
        std::fs::write(site.join(format!("{name}-hang.html")), page("<p>卡住</p><script>for(;;){}</script>"))
            .expect("write");
    }
    for name in ["e", "f", "g"] {
        std::fs::write(site.join(format!("{name}-ok.html")), page("<h1>正常页面</h1><p>内容</p>")).expect("write");
    }
    let killer = {
        let pids = pids.clone();
        std::thread::spawn(move || {
            // The first browser is killed while both tabs are stuck on the hanging pages.
            let started = std::time::Instant::now();
            while started.elapsed() < Duration::from_secs(60) {
                if let Some(pid) =
                    std::fs::read_to_string(&pids).ok().and_then(|t| t.lines().next().map(str::to_string))
                {
                    std::thread::sleep(Duration::from_secs(3));
                    let _ = Command::new("kill").args(["-9", &pid]).status();
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };
    let mut request = CheckRequest::new(vec![site.display().to_string()]);
    request.settings.no_db = true;
    request.settings.quiet = true;
    rendering(&mut request, RenderMode::Always, &wrapper);
    request.settings.render_timeout_s = 20;
    let sites = run(request, &work.path().join("out"));
    killer.join().expect("killer");
    let pages = &sites[0];
    assert_eq!(pages.len(), 7, "no page is lost");
    for page in pages {
        if page.url.contains("-hang") {
            assert!(page.error.is_none() && !page.checks.is_empty(), "{}: {:?}", page.url, page.error);
            assert!(page.render_fallback.is_some(), "{} says it was judged as served", page.url);
        } else {
            assert!(page.rendered.is_some(), "{} rendered by the restarted browser: {:?}", page.url, page.error);
        }
    }
    let started = std::fs::read_to_string(&pids).expect("pids").lines().count();
    assert_eq!(started, 2, "one restart");
}

#[test]
fn a_local_site_renders_with_its_root_relative_stylesheets() {
    let Some(browser) = chromium_or_skip() else { return };
    // Served from a web server, `/css/site.css` is the site's own stylesheet; the browser reading the
    // folder would look for it at the top of the disk and judge the page unstyled.
    let site = tempfile::tempdir().expect("site");
    std::fs::create_dir(site.path().join("css")).expect("css");
    std::fs::write(site.path().join("css/site.css"), ".footer { color: #bbb; background: #fff }").expect("write");
    std::fs::write(
        site.path().join("index.html"),
        "<!DOCTYPE html><html lang=zh-CN><head><title>首页</title><link rel=stylesheet href=/css/site.css></head>\
         <body><p class=footer>主办单位：某市人民政府办公室</p></body></html>",
    )
    .expect("write");
    let mut request = CheckRequest::new(vec![site.path().display().to_string()]);
    request.settings.no_db = true;
    request.settings.quiet = true;
    rendering(&mut request, RenderMode::Always, &browser);
    let out = tempfile::tempdir().expect("out");
    let home = run(request, out.path()).remove(0).remove(0);
    assert!(home.rendered.is_some(), "{:?}", home.error);
    assert_eq!(outcome(&home, "color-contrast"), "Failed", "{:?}", findings(&home, "color-contrast"));
}

/// A pop-up a page shows a little after load: by a timer, and once a slow request has answered.
const LATE_POPUP_JS: &str = r#"
function showLayer(text) {
  const pop = document.createElement('div');
  pop.style.cssText = 'position:fixed;left:10%;top:10%;width:80%;height:70%;z-index:9999;background:#fff';
  pop.innerHTML = '<p>' + text + '</p>';
  document.body.appendChild(pop);
}
"#;

#[test]
fn a_page_is_watched_until_its_late_content_has_arrived_and_a_reused_tab_carries_nothing_over() {
    let Some(browser) = chromium_or_skip() else { return };
    let text = "关于做好老年人办事服务工作的通知。".repeat(10);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (addr, _log) = runtime.block_on(serve(move |path, _| match path {
        "/" => html(&format!(
            "<h1>首页</h1><p>{text}</p><a href=/timer.html>定时</a> <a href=/slow.html>慢</a> <a href=/string.html>字符串定时</a> <a href=/plain.html>普通</a>"
        )),
        "/late.js" => ([(axum::http::header::CONTENT_TYPE, "text/javascript")], LATE_POPUP_JS).into_response(),
        // Well after the old fixed 300 ms watch, well inside the settle time.
        "/timer.html" => html(&format!(
            "<p>{text}</p><script src=/late.js></script>\
             <script>addEventListener('load', () => setTimeout(() => showLayer('定时弹窗'), 600));</script>"
        )),
        // Older sites give the timer a string of code.
        "/string.html" => html(&format!(
            "<p>{text}</p><script src=/late.js></script>\
             <script>addEventListener('load', () => setTimeout(\"showLayer('定时弹窗')\", 600));</script>"
        )),
        "/slow.html" => html(&format!(
            "<p>{text}</p><script src=/late.js></script>\
             <script>addEventListener('load', () => fetch('/slow.json').then(r => r.json()).then(d => showLayer(d.text)));</script>"
        )),
        "/slow.json" => {
            std::thread::sleep(Duration::from_millis(700));
            ([(axum::http::header::CONTENT_TYPE, "application/json")], r#"{"text":"接口弹窗"}"#).into_response()
        }
        "/plain.html" => html(&format!("<h1>普通页面</h1><p>{text}</p>")),
        _ => not_found(),
    }));
    let mut request = options(addr, &[]);
    request.settings.targets = vec![format!("http://127.0.0.1:{}/", addr.port())];
    rendering(&mut request, RenderMode::Always, &browser);
    // One tab: every page is rendered in the tab the one before it used.
    request.settings.render_tabs = Some(1);
    request.settings.concurrency = 1;
    let out = tempfile::tempdir().expect("out");
    let pages = run(request, out.path()).remove(0);
    let page = |suffix: &str| pages.iter().find(|p| p.url.ends_with(suffix)).expect(suffix);
    for late in ["/timer.html", "/string.html", "/slow.html"] {
        let page = page(late);
        assert!(page.rendered.is_some(), "{late}: {:?}", page.error);
        let kinds: Vec<&str> = findings(page, "popup-overlay")
            .iter()
            .filter_map(|f| f.data.get("kind").and_then(|k| k.as_str()))
            .collect();
        assert!(kinds.contains(&"overlay"), "{late}: the late pop-up was seen: {kinds:?}");
    }
    for clean in ["/plain.html", "/"] {
        let page = page(clean);
        assert!(page.rendered.is_some(), "{clean}: {:?}", page.error);
        assert!(findings(page, "popup-overlay").is_empty(), "{clean}: nothing carried over from another page");
    }
}

#[test]
fn a_box_a_stylesheet_floats_across_the_page_is_found_and_boxes_spinning_or_pushed_down_are_not() {
    let Some(browser) = chromium_or_skip() else { return };
    let text = "关于做好老年人办事服务工作的通知。".repeat(10);
    // Slow enough that only a watch of about a second sees it move (5 px a second): a page whose
    // animations count as quiet would be read at once, with the box barely moved.
    let float = "<style>@keyframes drift { from { left: 0 } to { left: 100px } }\
                 #ad { position: fixed; top: 200px; left: 0; animation: drift 20s linear infinite }</style>\
                 <div id=ad><a href=/ad><img src=data:image/gif;base64,R0lGODlhAQABAAAAACw= alt=广告 width=80 height=80></a></div>";
    // Spinning, pulsing and fading in place: animated, but going nowhere.
    let spin = "<style>@keyframes spin { to { transform: rotate(360deg) } }\
                @keyframes pulse { 50% { transform: scale(1.3); opacity: .5 } }\
                #top { position: fixed; right: 20px; bottom: 20px; animation: spin .6s linear infinite }\
                #tip { position: fixed; right: 20px; bottom: 120px; animation: pulse 1s infinite }</style>\
                <div id=top><a href=#><img src=data:image/gif;base64,R0lGODlhAQABAAAAACw= alt=返回顶部 width=60 height=60></a></div>\
                <div id=tip><a href=/help><img src=data:image/gif;base64,R0lGODlhAQABAAAAACw= alt=帮助 width=60 height=60></a></div>";
    // Content inserted above after load pushes the rest down; an SVG's <defs> has no box of its own,
    // so it was measured at the viewport's corner and seemed to move against its pushed-down parent.
    let shift = "<p><svg width=24 height=24><defs><linearGradient id=g></linearGradient></defs>\
                 <circle cx=12 cy=12 r=10 fill=url(#g)></circle></svg> 图标说明</p>\
                 <script>setTimeout(() => { const notice = document.createElement('p');\
                 notice.textContent = '通知'; notice.style.height = '200px';\
                 document.body.insertBefore(notice, document.body.firstChild); }, 300);</script>";
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (addr, _log) = runtime.block_on(serve(move |path, _| match path {
        "/" => html(&format!(
            "<h1>首页</h1><p>{text}</p><a href=/float.html>飘窗</a> <a href=/spin.html>图标</a> <a href=/shift.html>通知</a>"
        )),
        "/float.html" => html(&format!("<h1>飘窗</h1><p>{text}</p>{float}")),
        "/spin.html" => html(&format!("<h1>图标</h1><p>{text}</p>{spin}")),
        "/shift.html" => html(&format!("<h1>通知</h1>{shift}<p>{text}</p>")),
        _ => not_found(),
    }));
    let mut request = options(addr, &[]);
    request.settings.targets = vec![format!("http://127.0.0.1:{}/", addr.port())];
    rendering(&mut request, RenderMode::Always, &browser);
    let out = tempfile::tempdir().expect("out");
    let pages = run(request, out.path()).remove(0);
    let page = |suffix: &str| {
        let page = pages.iter().find(|p| p.url.ends_with(suffix)).expect(suffix);
        assert!(page.rendered.is_some(), "{suffix}: {:?}", page.error);
        page
    };
    let kinds = |suffix: &str| {
        findings(page(suffix), "popup-overlay")
            .iter()
            .filter_map(|f| f.data.get("kind").and_then(|k| k.as_str()).map(str::to_string))
            .collect::<Vec<_>>()
    };
    assert_eq!(kinds("/float.html"), ["floating"], "the drifting box is a floating window");
    assert!(kinds("/spin.html").is_empty(), "icons animated in place are not floating windows");
    for still in ["/spin.html", "/shift.html"] {
        assert!(findings(page(still), "moving-content").is_empty(), "{still}: nothing moves by itself");
    }
}

#[test]
fn a_local_page_with_missing_and_remote_files_renders_without_waiting_for_them() {
    let Some(browser) = chromium_or_skip() else { return };
    // A saved page: a root-relative file that is not in the folder, and a protocol-relative script
    // (`file://host/…` once saved). Both are refused at once; a refusal the browser did not accept
    // once left the requests paused and every such page ended at its deadline.
    let site = tempfile::tempdir().expect("site");
    std::fs::write(
        site.path().join("index.html"),
        "<!DOCTYPE html><html lang=zh-CN><head><title>首页</title><link rel=stylesheet href=/css/missing.css>\
         <script src=//www.google-analytics.com/analytics.js></script></head>\
         <body><p>主办单位：某市人民政府办公室</p><img src=/images/missing.png alt=标志></body></html>",
    )
    .expect("write");
    let mut request = CheckRequest::new(vec![site.path().display().to_string()]);
    request.settings.no_db = true;
    request.settings.quiet = true;
    rendering(&mut request, RenderMode::Always, &browser);
    request.settings.render_timeout_s = 8;
    let out = tempfile::tempdir().expect("out");
    let home = run(request, out.path()).remove(0).remove(0);
    assert!(home.error.is_none(), "no render_failed at the deadline: {:?}", home.error);
    assert!(home.rendered.is_some());
}

/// `--render always` where the browser cannot start (here: a 1 GiB address-space limit, which
/// Chromium's reservations exceed) stops with exit 2 and says so, instead of quietly checking every
/// page statically and exiting 0 (issue 28).
#[test]
fn rendering_always_where_the_browser_cannot_start_is_a_usage_error() {
    let Some(browser) = chromium_or_skip() else { return };
    let site = tempfile::tempdir().expect("site");
    std::fs::write(site.path().join("index.html"), "<title>x</title><p>x</p>").expect("write");
    let script = format!(
        "ulimit -v 1048576; exec '{}' check --no-db -q --render always --chromium '{}' --out '{}' '{}'",
        env!("CARGO_BIN_EXE_eldercheck"),
        browser.display(),
        site.path().join("out").display(),
        site.path().display()
    );
    let output = Command::new("bash").args(["-c", &script]).env("LANG", "zh_CN.UTF-8").output().expect("run");
    assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("Chromium"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
