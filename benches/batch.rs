//! Regulator-scale batch benchmark over loopback: generated government sites with typical defects,
//! one per loopback address (127.0.x.y), served by an in-process axum server, checked by the release
//! binary under `/usr/bin/time`. Prints wall time, pages/s, peak RSS, output sizes and whether every
//! page is accounted for in report.json.
//!
//! `cargo bench --bench batch` runs 200 sites × 100 pages and one site of 20,000 pages;
//! `cargo bench --bench batch -- 2000` adds 2,000 sites × 100 pages; `-- quick` runs 20 sites only;
//! `-- sites=N pages=M` runs one batch of that shape; `-- sites=N pages=M shards=K` runs it as K shard
//! processes and a `merge`, and times the merge.

use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde::de::IgnoredAny;
use serde::Deserialize;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Pages of one generated site: a tree where page n links to 2n+1 … 2n+4 (so depth grows slowly).
fn page(site: usize, n: usize, total: usize) -> String {
    let mut links = String::new();
    for child in (4 * n + 1)..=(4 * n + 4) {
        if child < total {
            links.push_str(&format!(
                "<li><a href='/p/{child}.html'>关于开展第{child}期适老化改造工作的通知</a><span class=date>2026-11-28</span></li>"
            ));
        }
    }
    let mut body = String::new();
    for i in 0..30 {
        body.push_str(&format!(
            "<p class='c{}'>第{i}段：为进一步推进互联网应用适老化及无障碍改造，现将有关事项通知如下。</p>",
            i % 5
        ));
    }
    // Typical defects: an image without alt, an unnamed search button, an unlabelled field, small grey text.
    format!(
        "<!DOCTYPE html><html lang=zh-CN><head><meta charset=utf-8><title>第{site}号政府网站 通知 {n}</title>\
         <meta name=viewport content='width=device-width, user-scalable=no'>\
         <link rel=stylesheet href='/css/site.css'><style>.c1 {{ color: #999 }} .c2 {{ font-size: 11px }}</style></head>\
         <body><div class=header><img src='/logo.png'><a href='/'>首页</a><a href='/care/'>关怀版</a>\
         <form><input name=q><button><i class=icon-search></i></button></form></div>\
         <ul class=news>{links}</ul><div class=article>{body}</div><div class=footer>主办单位：第{site}号人民政府</div></body></html>"
    )
}

const SITE_CSS: &str = "body { font: 14px/1.6 sans-serif; color: #333 } .date { color: #aaa; font-size: 12px } \
    .footer { font-size: 12px; color: #999; background: #f2f2f2 } .header { background: #1a4f9c } .header a { color: #fff }";

fn respond(path: &str, pages_per_site: usize, host_site: usize) -> Response {
    if path == "/css/site.css" {
        return ([(header::CONTENT_TYPE, "text/css")], SITE_CSS).into_response();
    }
    if path == "/robots.txt" || path == "/sitemap.xml" {
        return (StatusCode::NOT_FOUND, "").into_response();
    }
    let n = if path == "/" || path == "/care/" {
        Some(0)
    } else {
        path.strip_prefix("/p/").and_then(|p| p.strip_suffix(".html")).and_then(|n| n.parse::<usize>().ok())
    };
    match n {
        Some(n) if n < pages_per_site => {
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page(host_site, n, pages_per_site)).into_response()
        }
        _ => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// The loopback address of site `i` (127.0.x.y, never .0 or .255).
fn address(i: usize) -> Ipv4Addr {
    let n = i + 1;
    Ipv4Addr::new(127, 0, (n / 250) as u8, (n % 250 + 1) as u8)
}

/// Serves `sites` sites of `pages` pages each, one listener per loopback address; returns the port.
async fn serve(sites: usize, pages: usize) -> u16 {
    let first = tokio::net::TcpListener::bind(SocketAddr::from((address(0), 0))).await.expect("bind");
    let port = first.local_addr().expect("addr").port();
    let mut listeners = vec![first];
    for i in 1..sites {
        listeners.push(tokio::net::TcpListener::bind(SocketAddr::from((address(i), port))).await.expect("bind"));
    }
    for (i, listener) in listeners.into_iter().enumerate() {
        let app =
            Router::new().fallback(move |request: Request| async move { respond(request.uri().path(), pages, i) });
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
    }
    port
}

#[derive(Deserialize)]
struct ReportCounts {
    sites: Vec<SiteCounts>,
}

#[derive(Deserialize)]
struct SiteCounts {
    pages: Vec<IgnoredAny>,
}

fn size_mb(path: &Path) -> f64 {
    std::fs::metadata(path).map_or(0.0, |m| m.len() as f64 / 1e6)
}

/// The largest HTML file written, in MB (report.html and the per-site pages of a batch).
fn largest_html_mb(dir: &Path) -> f64 {
    let mut largest = size_mb(&dir.join("report.html"));
    if let Ok(entries) = std::fs::read_dir(dir.join("sites")) {
        for entry in entries.flatten() {
            largest = largest.max(size_mb(&entry.path()));
        }
    }
    largest
}

fn run(label: &str, targets: &[String], sites_file: Option<&Path>, max_pages: usize, expected_pages: usize) {
    let out = std::env::temp_dir().join(format!("eldercheck-batch-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let mut command = Command::new("/usr/bin/time");
    // Static figures: the browser is measured by scripts/bench-real-pages.sh with RENDER=always.
    command.env("ELDERCHECK_RENDER", "never");
    command.args(["-f", "%e %M", env!("CARGO_BIN_EXE_eldercheck"), "check"]).args(targets);
    if let Some(file) = sites_file {
        command.arg("--sites").arg(file);
    }
    command
        .args(["--max-pages", &max_pages.to_string(), "--max-depth", "64", "--delay-ms", "0", "--no-robots"])
        .args(["--concurrency", "64", "--no-db", "-q", "--format", "html,json,csv", "--out"])
        .arg(&out);
    let started = Instant::now();
    let output = command.output().expect("run /usr/bin/time eldercheck");
    let wall = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let rss_kb: f64 =
        stderr.lines().last().and_then(|l| l.split_once(' ')).and_then(|(_, k)| k.trim().parse().ok()).unwrap_or(0.0);
    let report_path = out.join("report.json");
    let counted = std::fs::File::open(&report_path)
        .ok()
        .and_then(|f| serde_json::from_reader::<_, ReportCounts>(std::io::BufReader::new(f)).ok());
    let (sites, pages) = counted.map_or((0, 0), |r| (r.sites.len(), r.sites.iter().map(|s| s.pages.len()).sum()));
    println!(
        "{label}: {pages}/{expected_pages} pages in report.json ({sites} sites), {wall:.1} s = {:.0} pages/s, peak RSS {:.0} MB; \
         report.json {:.0} MB, findings.csv {:.0} MB, largest HTML file {:.1} MB, exit {:?}",
        pages as f64 / wall,
        rss_kb / 1024.0,
        size_mb(&report_path),
        size_mb(&out.join("findings.csv")),
        largest_html_mb(&out),
        output.status.code()
    );
    if pages != expected_pages {
        println!(
            "    NOT every page is accounted for; stderr tail: {}",
            stderr.lines().rev().take(5).collect::<Vec<_>>().join(" | ")
        );
    }
    let _ = std::fs::remove_dir_all(out);
}

fn batch(sites: usize, pages: usize, port: u16) {
    let file: PathBuf = std::env::temp_dir().join(format!("eldercheck-batch-sites-{}-{sites}.txt", std::process::id()));
    let list: String = (0..sites).map(|i| format!("http://{}:{port}/\n", address(i))).collect();
    std::fs::write(&file, list).expect("write the site list");
    run(&format!("{sites} sites × {pages} pages"), &[], Some(&file), pages, sites * pages);
    let _ = std::fs::remove_file(file);
}

/// The batch as `shards` shard processes (one after another) and a `merge`: times the merge alone.
fn sharded(sites: usize, pages: usize, shards: usize, port: u16) {
    let work = std::env::temp_dir().join(format!("eldercheck-shard-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("work folder");
    let file = work.join("sites.txt");
    let list: String = (0..sites).map(|i| format!("http://{}:{port}/\n", address(i))).collect();
    std::fs::write(&file, list).expect("write the site list");
    let started = Instant::now();
    let mut outs = Vec::new();
    for k in 0..shards {
        let out = work.join(format!("shard-{k}"));
        let status = Command::new(env!("CARGO_BIN_EXE_eldercheck"))
            .env("ELDERCHECK_RENDER", "never")
            .args(["check", "--sites"])
            .arg(&file)
            .args(["--shard", &format!("{k}/{shards}"), "--max-pages", &pages.to_string(), "--max-depth", "64"])
            .args([
                "--delay-ms",
                "0",
                "--no-robots",
                "--concurrency",
                "64",
                "--no-db",
                "-q",
                "--format",
                "json",
                "--out",
            ])
            .arg(&out)
            .status()
            .expect("run a shard");
        println!("  shard {k}/{shards}: exit {:?}", status.code());
        outs.push(out);
    }
    let shard_time = started.elapsed().as_secs_f64();
    let merged = work.join("merged");
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%e %M", env!("CARGO_BIN_EXE_eldercheck"), "merge"])
        .args(&outs)
        .args(["--no-db", "-q", "--format", "html,json,csv", "--out"])
        .arg(&merged)
        .output()
        .expect("run merge");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let (secs, kb) = stderr
        .lines()
        .last()
        .and_then(|l| l.split_once(' '))
        .map(|(s, k)| (s.parse::<f64>().unwrap_or(0.0), k.trim().parse::<f64>().unwrap_or(0.0)))
        .unwrap_or((0.0, 0.0));
    let counted = std::fs::File::open(merged.join("report.json"))
        .ok()
        .and_then(|f| serde_json::from_reader::<_, ReportCounts>(std::io::BufReader::new(f)).ok());
    let (merged_sites, merged_pages) =
        counted.map_or((0, 0), |r| (r.sites.len(), r.sites.iter().map(|s| s.pages.len()).sum::<usize>()));
    println!(
        "{sites} sites × {pages} pages in {shards} shards: shards {shard_time:.1} s in all; merge {secs:.1} s, peak RSS {:.0} MB, \
         {merged_pages}/{} pages and {merged_sites} sites in the merged report.json, exit {:?}",
        kb / 1024.0,
        sites * pages,
        output.status.code()
    );
    let _ = std::fs::remove_dir_all(work);
}

/// Serves a batch on a runtime of its own that lives as long as the process.
fn runtime_serve(sites: usize, pages: usize) -> u16 {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    let port = runtime.block_on(serve(sites, pages));
    std::mem::forget(runtime);
    port
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let number = |key: &str| args.iter().find_map(|a| a.strip_prefix(key).and_then(|n| n.parse::<usize>().ok()));
    if let (Some(sites), Some(pages)) = (number("sites="), number("pages=")) {
        let port = runtime_serve(sites, pages);
        match number("shards=") {
            Some(shards) => sharded(sites, pages, shards, port),
            None => batch(sites, pages, port),
        }
        return;
    }
    let quick = args.iter().any(|a| a == "quick");
    let big = args.iter().any(|a| a == "2000");
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    let _guard = runtime.enter();
    if quick {
        let port = runtime.block_on(serve(20, 100));
        batch(20, 100, port);
        return;
    }
    let sites = if big { 2_000 } else { 200 };
    let port = runtime.block_on(serve(sites, 100));
    batch(200, 100, port);
    if big {
        batch(2_000, 100, port);
    }
    let one = runtime.block_on(serve(1, 20_000));
    run("one site × 20000 pages", &[format!("http://{}:{one}/", address(0))], None, 20_000, 20_000);
}
