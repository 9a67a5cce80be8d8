//! Crawler tests against local servers on 127.0.0.1 (axum). No test touches the internet.

mod common;

use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use common::*;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_disallow_allow_and_crawl_delay() {
    let (addr, log) = serve(|path, _| match path {
        "/robots.txt" => {
            "User-agent: *\nDisallow: /private/\nAllow: /private/open.html\nCrawl-delay: 1\n".into_response()
        }
        "/" => html("<a href='/private/secret.html'>秘密</a><a href='/private/open.html'>公开</a>"),
        "/private/open.html" => html("<p>公开</p>"),
        "/private/secret.html" => html("<p>不应访问</p>"),
        _ => not_found(),
    })
    .await;
    let sites = crawl(&[format!("http://site.test:{}/", addr.port())], options(addr, &["site.test"])).await;
    let site = &sites[0];
    assert_eq!(page(site, "/private/secret.html").error.as_ref().map(|e| e.kind.as_str()), Some("robots_denied"));
    assert!(page(site, "/private/open.html").error.is_none());
    let requested = paths(&log);
    assert!(!requested.iter().any(|p| p == "/private/secret.html"), "a disallowed page is never requested");
    let log = log.lock().expect("log");
    let times: Vec<Instant> =
        log.iter().filter(|(_, p)| p == "/" || p == "/private/open.html").map(|(t, _)| *t).collect();
    assert_eq!(times.len(), 2);
    assert!(times[1].duration_since(times[0]) >= Duration::from_millis(950), "Crawl-delay: 1 is honoured");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sitemap_index_and_gzip_sitemaps_seed_depth_one() {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let port = Arc::new(AtomicUsize::new(0));
    let port_for_handler = port.clone();
    let gz_body = Arc::new(Mutex::new(Vec::new()));
    let gz_for_handler = gz_body.clone();
    let (addr, _log) = serve(move |path, _| {
        let base = format!("http://site.test:{}", port_for_handler.load(Ordering::SeqCst));
        match path {
            "/robots.txt" => format!("Sitemap: {base}/sitemap_index.xml\n").into_response(),
            "/sitemap_index.xml" => format!("<sitemapindex><sitemap><loc>{base}/pages.xml.gz</loc></sitemap></sitemapindex>").into_response(),
            "/pages.xml.gz" => gz_for_handler.lock().expect("gz").clone().into_response(),
            "/sitemap.xml" => format!("<urlset><url><loc>{base}/from-default-sitemap.html</loc></url><url><loc>https://elsewhere.test/x</loc></url></urlset>").into_response(),
            "/" => html("<p>首页，没有链接</p>"),
            "/only-in-sitemap.html" | "/from-default-sitemap.html" => html("<p>x</p>"),
            _ => not_found(),
        }
    })
    .await;
    port.store(addr.port() as usize, Ordering::SeqCst);
    gz.write_all(
        format!("<urlset><url><loc>http://site.test:{}/only-in-sitemap.html</loc></url></urlset>", addr.port())
            .as_bytes(),
    )
    .expect("gz");
    *gz_body.lock().expect("gz") = gz.finish().expect("gz");
    let sites = crawl(&[format!("http://site.test:{}/", addr.port())], options(addr, &["site.test"])).await;
    let site = &sites[0];
    assert_eq!(page(site, "/only-in-sitemap.html").depth, 1);
    assert!(page(site, "/only-in-sitemap.html").error.is_none());
    assert!(page(site, "/from-default-sitemap.html").error.is_none());
    assert!(!site.pages.iter().any(|p| p.url.contains("elsewhere")), "off-site sitemap entries are ignored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_followed_and_loops_reported() {
    let (addr, _log) = serve(|path, _| {
        let redirect = |to: &str| (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, to.to_string())]).into_response();
        match path {
            "/" => html("<a href='/a'>a</a><a href='/x'>x</a><a href='/off'>off</a>"),
            "/a" => redirect("/b"),
            "/b" => redirect("/c"),
            "/c" => html("<p>终点</p>"),
            "/x" => redirect("/y"),
            "/y" => redirect("/x"),
            "/off" => redirect("https://other.test/"),
            _ => not_found(),
        }
    })
    .await;
    let sites = crawl(&[format!("http://site.test:{}/", addr.port())], options(addr, &["site.test"])).await;
    let site = &sites[0];
    let a = page(site, "/a");
    assert!(a.error.is_none());
    assert!(a.url.ends_with("/c"), "the final URL after redirects: {}", a.url);
    assert_eq!(page(site, "/x").error.as_ref().map(|e| e.kind.as_str()), Some("redirect_loop"));
    assert_eq!(page(site, "/off").error.as_ref().map(|e| e.kind.as_str()), Some("redirect_out_of_scope"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_errors_429_retry_after_and_body_cap() {
    let hits = Arc::new(AtomicUsize::new(0));
    let hits_in = hits.clone();
    let (addr, log) = serve(move |path, _| match path {
        "/" => html("<a href='/missing'>1</a><a href='/broken'>2</a><a href='/busy'>3</a><a href='/huge'>4</a><a href='/doc.php'>5</a>"),
        "/missing" => not_found(),
        "/broken" => (StatusCode::INTERNAL_SERVER_ERROR, "oops").into_response(),
        "/busy" => {
            if hits_in.fetch_add(1, Ordering::SeqCst) == 0 {
                (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "1")], "slow down").into_response()
            } else {
                html("<p>ok</p>")
            }
        }
        "/huge" => html(&"大".repeat(400_000)),
        "/doc.php" => ([(header::CONTENT_TYPE, "application/pdf")], "%PDF").into_response(),
        _ => not_found(),
    })
    .await;
    let mut opts = options(addr, &["site.test"]);
    opts.settings.max_body_mib = 1;
    let started = Instant::now();
    let sites = crawl(&[format!("http://site.test:{}/", addr.port())], opts).await;
    let site = &sites[0];
    let missing = page(site, "/missing");
    assert_eq!((missing.error.as_ref().map(|e| e.kind.as_str()), missing.status), (Some("http_status"), Some(404)));
    assert_eq!(page(site, "/broken").status, Some(500));
    assert_eq!(paths(&log).iter().filter(|p| *p == "/broken").count(), 2, "a 500 is retried once (retries: 1)");
    assert!(page(site, "/busy").error.is_none(), "429 then 200 succeeds");
    assert!(started.elapsed() >= Duration::from_millis(950), "Retry-After: 1 is honoured");
    assert_eq!(page(site, "/huge").error.as_ref().map(|e| e.kind.as_str()), Some("too_large"));
    assert_eq!(page(site, "/doc.php").error.as_ref().map(|e| e.kind.as_str()), Some("not_html"));
    assert_eq!(site.pages.iter().filter(|p| p.error.is_none()).count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let mut opts = options(addr, &["silent.test"]);
    opts.settings.timeout_s = 1;
    opts.settings.retries = 0;
    let sites = crawl(&[format!("http://silent.test:{}/", addr.port())], opts).await;
    let start = &sites[0].pages[0];
    assert_eq!(start.error.as_ref().map(|e| e.kind.as_str()), Some("timeout"), "{:?}", start.error);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gbk_declared_in_the_header_only_and_in_meta_only() {
    let gbk = |s: &str| encoding_rs::GBK.encode(s).0.into_owned();
    let (addr, _log) = serve(move |path, _| match path {
        "/" => html("<a href='/header.html'>h</a><a href='/meta.html'>m</a>"),
        "/header.html" => ([(header::CONTENT_TYPE, "text/html; charset=GBK")], Body::from(gbk("<html><head><title>长者模式服务指南</title></head><body><p>正文</p></body></html>"))).into_response(),
        "/meta.html" => ([(header::CONTENT_TYPE, "text/html")], Body::from(gbk("<html><head><meta charset=\"gb2312\"><title>关怀版办事指南</title></head><body><p>正文</p></body></html>"))).into_response(),
        _ => not_found(),
    })
    .await;
    let sites = crawl(&[format!("http://site.test:{}/", addr.port())], options(addr, &["site.test"])).await;
    assert_eq!(page(&sites[0], "/header.html").title.as_deref(), Some("长者模式服务指南"));
    assert_eq!(page(&sites[0], "/meta.html").title.as_deref(), Some("关怀版办事指南"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_infinite_calendar_is_bounded_and_external_links_are_not_followed() {
    let (addr, _log) = serve(|path, _| {
        if let Some(month) = path.strip_prefix("/calendar?month=") {
            let n: u64 = month.parse().unwrap_or(0);
            return html(&format!(
                "<a href='/calendar?month={}'>下个月</a><a href='https://external.test/'>外部</a>",
                n + 1
            ));
        }
        match path {
            "/" => html("<a href='/calendar?month=1'>日历</a>"),
            _ => not_found(),
        }
    })
    .await;
    let mut opts = options(addr, &["site.test", "external.test"]);
    opts.settings.max_depth = 5;
    opts.settings.max_pages = Some(4);
    let sites = crawl(&[format!("http://site.test:{}/", addr.port())], opts).await;
    let site = &sites[0];
    assert_eq!(site.pages.len(), 4, "bounded by --max-pages");
    assert!(site.record.score.summary.pages_skipped_by_limit >= 1, "the unvisited rest is counted");
    let mut opts = options(addr, &["site.test", "external.test"]);
    opts.settings.max_depth = 2;
    let sites = crawl(&[format!("http://site.test:{}/", addr.port())], opts).await;
    assert!(sites[0].pages.iter().all(|p| p.depth <= 2), "bounded by --max-depth");
    assert_eq!(sites[0].pages.len(), 3);
    assert!(sites[0].pages.iter().all(|p| !p.url.contains("external.test")), "external links are not followed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn www_and_bare_domain_are_one_site() {
    let (addr, _log) = serve(move |path, headers| {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default().to_string();
        match path {
            "/" => html(&format!(
                "<a href='http://example.test:{}/about.html'>关于</a>",
                host.rsplit(':').next().unwrap_or_default()
            )),
            "/about.html" => html("<p>about</p>"),
            _ => not_found(),
        }
    })
    .await;
    let sites = crawl(
        &[format!("http://www.example.test:{}/", addr.port())],
        options(addr, &["www.example.test", "example.test"]),
    )
    .await;
    assert_eq!(sites.len(), 1);
    assert!(page(&sites[0], "/about.html").error.is_none(), "the bare domain is the same site as www.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_where_one_site_is_down_still_checks_the_others() {
    let (addr, _log) = serve(|path, _| match path {
        "/" => html("<p>在线</p>"),
        _ => not_found(),
    })
    .await;
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr");
    let mut opts = options(addr, &["up.test"]);
    opts.settings.resolve.push(eldercheck::options::Resolve { host: "down.test".into(), address: closed });
    opts.settings.retries = 0;
    let urls = [
        format!("http://down.test:{}/", closed.port()),
        format!("http://up.test:{}/", addr.port()),
        "not a url".to_string(),
    ];
    let sites = crawl(&urls, opts).await;
    assert_eq!(sites.len(), 3);
    assert_eq!(sites[0].pages[0].error.as_ref().map(|e| e.kind.as_str()), Some("connect"));
    assert!(sites[1].pages[0].error.is_none());
    assert_eq!(sites[2].pages[0].error.as_ref().map(|e| e.kind.as_str()), Some("invalid_url"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_reached_through_the_elder_entry_link_are_elder_pages_and_css_is_fetched() {
    let (addr, log) = serve(|path, _| match path {
        "/" => html("<link rel=stylesheet href='/css/site.css'><a href='/care/'>关怀版</a><a href='/plain.html'>政务公开</a><p class=tiny>小字</p>"),
        "/care/" => html("<p>养老服务</p>"),
        "/plain.html" => html("<link rel=stylesheet href='/css/site.css'><p class=tiny>x</p>"),
        "/css/site.css" => ([(header::CONTENT_TYPE, "text/css")], ".tiny { font-size: 10px }").into_response(),
        _ => not_found(),
    })
    .await;
    let mut profile_free = options(addr, &["site.test"]);
    profile_free.settings.max_depth = 1;
    let sites = crawl(&[format!("http://site.test:{}/", addr.port())], profile_free).await;
    let care = page(&sites[0], "/care/");
    assert!(care.elder_page);
    assert_eq!(care.referrer.as_ref().map(|r| r.text.as_str()), Some("关怀版"));
    let home = page(&sites[0], "/");
    let small = home.checks.iter().find(|c| c.id == "small-text").expect("small-text");
    assert_eq!(
        small.outcome,
        eldercheck_checks::check::Outcome::Failed,
        "the linked stylesheet was fetched and applied"
    );
    assert_eq!(paths(&log).iter().filter(|p| *p == "/css/site.css").count(), 1, "stylesheets are cached per run");
}

/// Serves examples/demo-site over HTTP, as a web server would.
async fn serve_demo_site() -> SocketAddr {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/demo-site");
    let (addr, _log) = serve(move |path, _| {
        let path = path.split('?').next().unwrap_or("/");
        let file = if path.ends_with('/') { format!("{path}index.html") } else { path.to_string() };
        let Ok(bytes) = std::fs::read(root.join(file.trim_start_matches('/'))) else { return not_found() };
        let content_type = if file.ends_with(".css") { "text/css" } else { "text/html" };
        ([(header::CONTENT_TYPE, content_type)], Body::from(bytes)).into_response()
    })
    .await;
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_crawls_a_site_and_a_site_list() {
    let addr = serve_demo_site().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr");
    let dir = tempfile::tempdir().expect("tempdir");
    let list = dir.path().join("sites.csv");
    std::fs::write(
        &list,
        format!(
            "url,name,group\nhttp://127.0.0.1:{}/,示例市政府,市级\nhttp://127.0.0.1:{}/,关闭的网站,市级\n",
            addr.port(),
            closed.port()
        ),
    )
    .expect("write");
    let bin = env!("CARGO_BIN_EXE_eldercheck");
    let single = format!("http://127.0.0.1:{}/", addr.port());
    let list_arg = list.to_string_lossy().into_owned();
    let (one, batch) = tokio::task::spawn_blocking(move || {
        let run = |args: &[&str]| {
            std::process::Command::new(bin)
                .env("ELDERCHECK_RENDER", "never")
                .args(args)
                .output()
                .expect("run eldercheck")
        };
        let common = [
            "--format",
            "json",
            "--out",
            "-",
            "-q",
            "--delay-ms",
            "0",
            "--retries",
            "0",
            "--timeout-s",
            "5",
            "--no-db",
        ];
        let one = run(&[&["check", single.as_str()][..], &common[..]].concat());
        let batch = run(&[&["check", "--sites", list_arg.as_str()][..], &common[..]].concat());
        (one, batch)
    })
    .await
    .expect("join");
    assert!(matches!(one.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&one.stderr));
    let report: serde_json::Value = serde_json::from_slice(&one.stdout).expect("json");
    let pages = report["sites"][0]["pages"].as_array().expect("pages");
    assert_eq!(pages.len(), 4, "home, notice, login and the care page are all reached");
    let care = pages.iter().find(|p| p["url"].as_str().is_some_and(|u| u.ends_with("/care/index.html"))).expect("care");
    assert_eq!(care["elder_page"], true);
    assert_eq!(care["referrer"]["text"], "关怀版");
    let notice = pages.iter().find(|p| p["url"].as_str().is_some_and(|u| u.ends_with("notice.html"))).expect("notice");
    assert_eq!(notice["charset"], "gb18030");

    let report: serde_json::Value = serde_json::from_slice(&batch.stdout).expect("json");
    let sites = report["sites"].as_array().expect("sites");
    assert_eq!(sites.len(), 2);
    assert_eq!(sites[0]["name"], "示例市政府");
    assert_eq!(sites[0]["group"], "市级");
    assert_eq!(sites[0]["summary"]["pages_checked"], 4);
    assert_eq!(sites[1]["pages"][0]["error"]["kind"], "connect");
    assert_eq!(sites[1]["score"], serde_json::Value::Null, "an unreachable site is not scored as 0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unchecked_and_incomplete_sites_are_not_graded_and_the_run_says_so() {
    let page = "<p>政务公开 信息公开 办事服务</p><a href='/care/'>关怀版</a>";
    let (good, _) = serve(move |path, _| match path {
        "/robots.txt" | "/sitemap.xml" => not_found(),
        _ => html(page),
    })
    .await;
    let (broken, _) = serve(|path, _| match path {
        "/robots.txt" | "/sitemap.xml" => not_found(),
        "/" => html(&(0..5).map(|i| format!("<a href='/p{i}.html'>栏目{i}</a>")).collect::<String>()),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "down").into_response(),
    })
    .await;
    let out = tempfile::tempdir().expect("tempdir");
    let list = out.path().join("sites.csv");
    std::fs::write(
        &list,
        format!(
            "url,name\nhttp://127.0.0.1:{}/,好网站\nftp://files.example/,坏的一行\nhttp://127.0.0.1:{}/,半坏网站\n",
            good.port(),
            broken.port()
        ),
    )
    .expect("write");
    let mut request = options(good, &[]);
    request.settings.retries = 0;
    request.settings.sites = Some(list);
    request.settings.out = eldercheck::options::Output::Dir(out.path().to_path_buf());
    let (outcome, problems) = tokio::task::spawn_blocking(move || checked_with_problems(request)).await.expect("join");
    let outcome = outcome.expect("run");
    use eldercheck::score::SiteStatus;
    let statuses: Vec<SiteStatus> = outcome.sites.iter().map(|s| s.status).collect();
    assert_eq!(statuses, [SiteStatus::Checked, SiteStatus::NotChecked, SiteStatus::Incomplete]);
    assert!(outcome.sites[1].grade.is_none() && outcome.sites[2].grade.is_none(), "only checked sites get a grade");
    assert!(!outcome.sites[2].passed, "a site with 1 of 6 pages checked is not passed");
    assert_eq!(outcome.verdict(), eldercheck::run::Verdict::Incomplete, "exit 3: nothing failed, not all checked");
    let bad_line = problems.iter().find_map(|p| match p {
        eldercheck::options::Problem::BadSiteLine { line, .. } => Some(*line),
        _ => None,
    });
    assert_eq!(bad_line, Some(3), "the bad line is named by its number");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_is_the_end_of_the_start_redirect_whatever_the_sitemap_lists() {
    let port = Arc::new(std::sync::OnceLock::<u16>::new());
    let port_in_handler = port.clone();
    let (addr, _) = serve(move |path, _| match path {
        "/" => (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, "/index.html")]).into_response(),
        "/robots.txt" => not_found(),
        "/sitemap.xml" => {
            let site = format!("http://127.0.0.1:{}", port_in_handler.get().copied().unwrap_or(0));
            let urls: String = ["/index.html", "/a.html", "/b.html"]
                .iter()
                .map(|p| format!("<url><loc>{site}{p}</loc></url>"))
                .collect();
            ([(header::CONTENT_TYPE, "application/xml")], format!("<urlset>{urls}</urlset>")).into_response()
        }
        "/index.html" => html("<a href='/a.html'>通知</a><a href='/c.html'>公告</a>"),
        _ => html("<p>正文</p>"),
    })
    .await;
    port.set(addr.port()).expect("port");
    let mut runs = Vec::new();
    for _ in 0..4 {
        let sites = crawl(&[format!("http://127.0.0.1:{}/", addr.port())], options(addr, &[])).await;
        let site = &sites[0];
        assert!(site.pages.iter().any(|p| p.url.ends_with("/b.html")), "the sitemap was read");
        let home: Vec<&str> = site.pages.iter().filter(|p| p.depth == 0).map(|p| p.url.as_str()).collect();
        assert_eq!(home.len(), 1, "one home page: {home:?}");
        assert!(home[0].ends_with("/index.html"), "{home:?}");
        assert!(
            site.record.site_checks.iter().any(|c| c.id == "elder-mode-entry"),
            "the site-level check is judged on the home page"
        );
        let mut pages: Vec<(String, u32)> = site.pages.iter().map(|p| (p.url.clone(), p.depth)).collect();
        pages.sort();
        runs.push(pages);
    }
    assert!(runs.windows(2).all(|w| w[0] == w[1]), "same site, same options: same pages every run: {runs:?}");
}

/// A batch whose every site is down still writes its report, every site not checked with why, and
/// exits 3 (not 2, which a CronJob would retry as "could not start"); dead sites are told so after
/// one connection attempt each, without a robots.txt or retries (issue 28).
#[test]
fn a_batch_of_dead_sites_writes_its_report_and_exits_3() {
    let work = tempfile::tempdir().expect("tempdir");
    let closed: Vec<u16> = (0..20)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port())
        .collect();
    let list: String = closed.iter().enumerate().map(|(n, port)| format!("http://dead{n}.test:{port}/\n")).collect();
    std::fs::write(work.path().join("sites.txt"), list).expect("write");
    let resolve: Vec<String> =
        closed.iter().enumerate().map(|(n, port)| format!("\"dead{n}.test:{port}:127.0.0.1\"")).collect();
    std::fs::write(
        work.path().join("eldercheck.toml"),
        format!("resolve = [{}]\nno-db = true\nquiet = true\nrender = \"never\"\n", resolve.join(", ")),
    )
    .expect("config");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_eldercheck"))
        .args(["check", "--sites", "sites.txt", "--out", "out"])
        .current_dir(work.path())
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(3), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(work.path().join("out/report.json")).expect("report")).expect("json");
    let sites = report["sites"].as_array().expect("sites");
    assert_eq!(sites.len(), 20);
    for site in sites {
        assert_eq!(site["status"], "not_checked");
        assert_eq!(site["pages"].as_array().map(Vec::len), Some(1), "one entry, the home page's failure");
        assert_eq!(site["pages"][0]["error"]["kind"], "connect");
    }
    assert!(work.path().join("out/report.html").is_file());
}

/// A regulator's list as Excel saves it on Chinese Windows (GBK CSV with a Chinese header), another
/// as "Unicode text" (UTF-16, tab-separated), with bare hosts, an unreachable site and one whose
/// firewall refuses automated visitors: the right sites with the right names, each failure told
/// in Chinese with what to do, and the site that passed ranked first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regulators_lists_give_the_right_sites_names_and_reasons() {
    let page = "<p>政务公开 信息公开 办事服务</p><a href='/care/'>关怀版</a>";
    let (good, _) = serve(move |path, _| match path {
        "/robots.txt" | "/sitemap.xml" => not_found(),
        _ => html(page),
    })
    .await;
    let (waf, _) = serve(|_, _| (StatusCode::PRECONDITION_FAILED, "blocked").into_response()).await;
    let out = tempfile::tempdir().expect("tempdir");
    let csv = format!(
        "网址,名称,分组\nhttp://waf.test:{waf}/,防火墙网站,省级\nhttp://good.test:{good}/,好网站,市级\nhttp://127.0.0.1:1/,连不上的网站,县级\nwww.bare.test,没写协议的网站,县级\n",
        waf = waf.port(),
        good = good.port()
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&csv);
    let list = out.path().join("sites.csv");
    std::fs::write(&list, &gbk).expect("write");
    let mut request = options(good, &["good.test", "bare.test", "www.bare.test"]);
    request.settings.resolve.push(eldercheck::options::Resolve { host: "waf.test".into(), address: waf });
    request.settings.retries = 0;
    request.settings.sites = Some(list);
    request.settings.lang = eldercheck::checks::check::Lang::ZhCn;
    request.settings.format = eldercheck::options::Formats(vec![
        eldercheck::options::Format::Json,
        eldercheck::options::Format::Csv,
        eldercheck::options::Format::Html,
    ]);
    request.settings.out = eldercheck::options::Output::Dir(out.path().to_path_buf());
    let (outcome, _) = tokio::task::spawn_blocking(move || checked_with_problems(request)).await.expect("join");
    outcome.expect("run");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("report.json")).expect("report")).expect("json");
    let sites = report["sites"].as_array().expect("sites");
    let names: Vec<&str> = sites.iter().filter_map(|s| s["name"].as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    let mut wanted = vec!["好网站", "防火墙网站", "连不上的网站", "没写协议的网站"];
    wanted.sort_unstable();
    assert_eq!(sorted, wanted, "four sites, the header none of them, names read from GBK: {names:?}");
    let site = |name: &str| sites.iter().find(|s| s["name"] == name).expect(name);
    assert_eq!(site("没写协议的网站")["url"], "https://www.bare.test/", "a bare host is taken as https://");
    assert_eq!(site("好网站")["group"], "市级");
    assert_eq!(site("好网站")["rank"], 1, "the site that passed ranks first");
    let first_error =
        |name: &str| site(name)["summary"]["first_error"]["kind"].as_str().unwrap_or_default().to_string();
    assert_eq!(first_error("防火墙网站"), "http_status");
    assert_eq!(first_error("连不上的网站"), "connect");

    let sites_csv = std::fs::read_to_string(out.path().join("sites.csv")).expect("sites.csv");
    let waf_row = sites_csv.lines().find(|l| l.contains("防火墙网站")).expect("waf row");
    assert!(waf_row.contains("拒绝了自动检测") && waf_row.contains("白名单"), "{waf_row}");
    let refused_row = sites_csv.lines().find(|l| l.contains("连不上的网站")).expect("row");
    assert!(refused_row.contains("拒绝了连接"), "{refused_row}");
    let index = std::fs::read_to_string(out.path().join("report.html")).expect("index");
    assert!(index.contains("拒绝了自动检测"), "the batch index says why a site was not checked");
    let waf_page = std::fs::read_dir(out.path().join("sites"))
        .expect("sites folder")
        .filter_map(|e| e.ok())
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .find(|html| html.contains("防火墙网站"))
        .expect("the firewalled site's page");
    assert!(
        waf_page.contains("无法检测的原因") && waf_page.contains("User-Agent"),
        "the site page says why and what to do"
    );
    assert!(!waf_page.contains("error sending request"), "no raw error chain outside the technical detail");

    // The same kind of list as "Unicode text": UTF-16 with a byte-order mark, tab-separated.
    let out = tempfile::tempdir().expect("tempdir");
    let mut utf16 = vec![0xff, 0xfe];
    let text = format!("名称\t网址\r\n好网站\thttp://good.test:{}/\r\n", good.port());
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let list = out.path().join("sites.txt");
    std::fs::write(&list, &utf16).expect("write");
    let mut request = options(good, &["good.test"]);
    request.settings.sites = Some(list);
    request.settings.out = eldercheck::options::Output::Dir(out.path().to_path_buf());
    request.settings.format = eldercheck::options::Formats(vec![eldercheck::options::Format::Json]);
    let (outcome, _) = tokio::task::spawn_blocking(move || checked_with_problems(request)).await.expect("join");
    let outcome = outcome.expect("run");
    assert_eq!(outcome.sites.len(), 1);
    assert_eq!(outcome.sites[0].name, "好网站");
    assert_eq!(outcome.sites[0].status, eldercheck::score::SiteStatus::Checked);
}
