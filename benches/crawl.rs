//! Crawl benchmark over loopback: a generated site of 1,000 and 5,000 portal pages, and the
//! real-pages corpus served as a site. Runs the release binary under `/usr/bin/time` and prints
//! pages/s and peak RSS. Run: `cargo bench --bench crawl`.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

/// A portal page linking to two children (a binary tree of pages). `clean` pages have no defects,
/// so their results are small: memory then shows what the crawl itself holds.
fn generated_page(n: usize, total: usize, clean: bool) -> String {
    let prefix = if clean { "clean" } else { "gen" };
    let mut links = String::new();
    for child in [2 * n + 1, 2 * n + 2] {
        if child < total {
            links.push_str(&format!("<li><a href='/{prefix}/{child}.html'>关于开展第{child}期适老化改造工作的通知</a><span class=date>2026-11-28</span></li>"));
        }
    }
    let mut body = String::new();
    for i in 0..30 {
        let class = if clean { 0 } else { i % 5 };
        body.push_str(&format!(
            "<p class='c{class}'>第{i}段：为进一步推进互联网应用适老化及无障碍改造，现将有关事项通知如下。</p>"
        ));
    }
    let css = if clean { "/gen/clean.css" } else { "/gen/site.css" };
    format!(
        "<!DOCTYPE html><html lang=zh-CN><head><meta charset=utf-8><title>通知 {n}</title>\
         <link rel=stylesheet href='{css}'><style>.c1 {{ color: #999 }} .c2 {{ font-size: 11px }}</style></head>\
         <body><div class=header><a href='/{prefix}/0.html'>首页</a></div>\
         <ul class=news>{links}</ul><div class=article>{body}</div><div class=footer>主办单位：某市人民政府</div></body></html>"
    )
}

const CLEAN_CSS: &str =
    "body { font: 16px/1.6 sans-serif; color: #333 } .date { color: #595959 } .footer { color: #333 }";
const SITE_CSS: &str = "body { font: 14px/1.6 sans-serif; color: #333 } .date { color: #aaa; font-size: 12px } .footer { font-size: 12px; color: #999; background: #f2f2f2 } .header { background: #1a4f9c } .header a { color: #fff }";

async fn serve(total: usize, real: Option<PathBuf>) -> std::net::SocketAddr {
    let real = Arc::new(real);
    let handler = move |request: Request| {
        let real = real.clone();
        async move {
            let path = request.uri().path().to_string();
            if path == "/gen/site.css" || path == "/gen/clean.css" {
                let css = if path.ends_with("site.css") { SITE_CSS } else { CLEAN_CSS };
                return ([(header::CONTENT_TYPE, "text/css")], css).into_response();
            }
            for (prefix, clean) in [("/gen/", false), ("/clean/", true)] {
                if let Some(n) = path
                    .strip_prefix(prefix)
                    .and_then(|p| p.strip_suffix(".html"))
                    .and_then(|n| n.parse::<usize>().ok())
                {
                    if n < total {
                        return ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], generated_page(n, total, clean))
                            .into_response();
                    }
                }
            }
            if let Some(dir) = real.as_ref() {
                if path == "/real/" {
                    let mut names: Vec<String> = std::fs::read_dir(dir)
                        .map(|entries| {
                            entries
                                .filter_map(|e| e.ok())
                                .filter(|e| e.path().is_dir())
                                .map(|e| e.file_name().to_string_lossy().into_owned())
                                .collect()
                        })
                        .unwrap_or_default();
                    names.sort();
                    let links: String =
                        names.iter().map(|n| format!("<a href='/real/{n}/index.html'>{n}</a>\n")).collect();
                    return ([(header::CONTENT_TYPE, "text/html")], format!("<html><body>{links}</body></html>"))
                        .into_response();
                }
                if let Some(rest) = path.strip_prefix("/real/") {
                    if let Ok(bytes) = std::fs::read(dir.join(rest)) {
                        return ([(header::CONTENT_TYPE, "text/html")], Body::from(bytes)).into_response();
                    }
                }
            }
            Response::builder().status(StatusCode::NOT_FOUND).body(Body::from("not found")).unwrap_or_default()
        }
    };
    let app = Router::new().fallback(handler);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

fn run(label: &str, url: &str, max_pages: usize, db: Option<&std::path::Path>) {
    let out = std::env::temp_dir().join(format!("eldercheck-crawl-bench-{}", std::process::id()));
    let started = Instant::now();
    let output = Command::new("/usr/bin/time")
        .env("ELDERCHECK_RENDER", "never")
        .args(["-f", "%e %M", env!("CARGO_BIN_EXE_eldercheck"), "check", url])
        .args(["--max-pages", &max_pages.to_string(), "--max-depth", "64", "--delay-ms", "0", "--no-robots", "-q"])
        .args(["--format", "json", "--out", out.to_str().unwrap_or("/tmp/eldercheck-crawl-bench")])
        .args(match db {
            Some(path) => vec!["--db".to_string(), path.display().to_string()],
            None => vec!["--no-db".to_string()],
        })
        .output()
        .expect("run /usr/bin/time eldercheck");
    let wall = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let (_, rss_kb) = stderr
        .lines()
        .last()
        .and_then(|l| l.split_once(' '))
        .map(|(s, k)| (s.parse::<f64>().unwrap_or(0.0), k.trim().parse::<f64>().unwrap_or(0.0)))
        .unwrap_or((0.0, 0.0));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap_or_default()).unwrap_or_default();
    let pages = report["sites"][0]["pages"].as_array().map_or(0, Vec::len);
    let errors = report["sites"][0]["summary"]["pages_failed_to_load"].as_u64().unwrap_or(0);
    let findings = report["sites"][0]["summary"]["findings"].as_u64().unwrap_or(0);
    println!(
        "{label}: {pages} pages ({errors} errors, {findings} findings) in {wall:.2} s = {:.0} pages/s, peak RSS {:.0} MiB",
        pages as f64 / wall,
        rss_kb / 1024.0
    );
    println!("    findings by check: {}", report["sites"][0]["summary"]["by_check"]);
    let _ = std::fs::remove_dir_all(out);
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    let real = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/real-pages");
    let real = real.join("manifest.json").exists().then_some(real);
    let addr = runtime.block_on(serve(5_000, real.clone()));
    let _guard = runtime.enter();
    let gen = format!("http://127.0.0.1:{}/gen/0.html", addr.port());
    let clean = format!("http://127.0.0.1:{}/clean/0.html", addr.port());
    for pages in [1_000, 5_000] {
        run(&format!("generated site with defects, {pages} pages"), &gen, pages, None);
    }
    for pages in [1_000, 5_000] {
        run(&format!("generated site without defects, {pages} pages"), &clean, pages, None);
    }
    // The history store's cost: the same 5,000-page crawl, written to a fresh store.
    let store = std::env::temp_dir().join(format!("eldercheck-bench-{}.db", std::process::id()));
    run("generated site with defects, 5000 pages, stored in --db", &gen, 5_000, Some(&store));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", store.display()));
    }
    if real.is_some() {
        run("real-pages corpus over loopback", &format!("http://127.0.0.1:{}/real/", addr.port()), 300, None);
    }
}
