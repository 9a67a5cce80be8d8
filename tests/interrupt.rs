//! Stopping a run with Ctrl+C or SIGTERM, as a person at a terminal or a scheduler does: the run
//! stops taking pages, writes its report with the site marked incomplete, stores the run, ends the
//! browser and removes its profile.

mod common;

use axum::response::IntoResponse;
use common::{html, serve};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A site of 300 pages, each linking the next ones, each answered after 150 ms: long enough to
/// interrupt.
async fn slow_site() -> std::net::SocketAddr {
    let (addr, _) = serve(|path, _| {
        std::thread::sleep(Duration::from_millis(150));
        if path == "/robots.txt" || path == "/sitemap.xml" {
            return common::not_found();
        }
        let n: usize = path.trim_start_matches("/p").trim_end_matches(".html").parse().unwrap_or(0);
        let links: String = (n + 1..n + 4).map(|i| format!("<a href='/p{i}.html'>第{i}页</a>")).collect();
        html(&format!("<h1>第{n}页</h1><p>正文</p>{links}"))
    })
    .await;
    addr
}

fn start(args: &[&str], tmp: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_eldercheck"))
        .args(args)
        .env("TMPDIR", tmp)
        .env("LANG", "zh_CN.UTF-8")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start eldercheck")
}

/// Starts `eldercheck check` on the test site at `addr` (as `site.test`, a public name) with `extra`.
fn start_check(addr: std::net::SocketAddr, extra: &[&str], tmp: &Path) -> Child {
    let url = format!("http://site.test:{}/", addr.port());
    let resolve = format!("site.test:{}:127.0.0.1", addr.port());
    let mut args = vec!["check", url.as_str(), "--resolve", resolve.as_str()];
    args.extend_from_slice(extra);
    start(&args, tmp)
}

/// A long crawl of [`slow_site`], as fast as the site answers: long enough to be interrupted.
const LONG_CRAWL: &[&str] = &["--max-pages", "300", "--max-depth", "100", "--delay-ms", "0", "--no-robots"];

/// [`start_check`] of a long crawl with `extra`.
fn start_long_crawl(addr: std::net::SocketAddr, extra: &[&str], tmp: &Path) -> Child {
    start_check(addr, &[LONG_CRAWL, extra].concat(), tmp)
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill").args([&format!("-{name}"), &child.id().to_string()]).status().expect("kill");
    assert!(status.success());
}

/// Waits for the run to end, at most `most`; the exit code and what it said.
fn wait(mut child: Child, most: Duration) -> (Option<i32>, String) {
    let end = Instant::now() + most;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut said = String::new();
            if let Some(mut stderr) = child.stderr.take() {
                use std::io::Read;
                let _ = stderr.read_to_string(&mut said);
            }
            return (status.code(), said);
        }
        if Instant::now() > end {
            let _ = child.kill();
            panic!("the run did not end within {most:?} of the signal");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until the run is well under way: its first pages checked (the progress it writes is
/// not read, so that the test does not depend on its wording), at most a few seconds.
fn wait_for_pages(out: &Path) {
    let end = Instant::now() + Duration::from_secs(4);
    while Instant::now() < end && !out.join("results/run.json").exists() {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_secs(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_writes_an_incomplete_report_and_stores_the_run() {
    let addr = slow_site().await;
    let work = tempfile::tempdir().expect("tempdir");
    let (out, db) = (work.path().join("out"), work.path().join("history.db"));
    let child = start_long_crawl(
        addr,
        &[
            "--render",
            "never",
            "--concurrency",
            "2",
            "--out",
            out.to_str().expect("p"),
            "--db",
            db.to_str().expect("p"),
            "-q",
        ],
        work.path(),
    );
    tokio::task::spawn_blocking({
        let out = out.clone();
        move || wait_for_pages(&out)
    })
    .await
    .expect("join");
    signal(&child, "INT");
    let (code, said) = tokio::task::spawn_blocking(move || wait(child, Duration::from_secs(30))).await.expect("join");
    assert_eq!(code, Some(3), "incomplete, nothing failed: {said}");
    assert!(said.contains("收到 SIGINT"), "{said}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).expect("a report")).expect("json");
    let site = &report["sites"][0];
    assert_eq!(site["status"], "incomplete");
    assert_eq!(site["summary"]["interrupted"], "SIGINT (Ctrl+C)");
    let pages = site["pages"].as_array().map_or(0, Vec::len);
    assert!(pages > 0 && pages < 300, "stopped early with the pages checked: {pages}");
    assert!(std::fs::read_to_string(out.join("report.html")).expect("html").contains("中断"));
    let history = Command::new(env!("CARGO_BIN_EXE_eldercheck"))
        .args(["history", "--db", db.to_str().expect("p"), "--format", "json"])
        .output()
        .expect("history");
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&history.stdout).expect("history json");
    assert_eq!(rows.len(), 1, "the interrupted run is stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_ends_the_browser_and_removes_its_profile() {
    let Some(browser) = common::browser::chromium_or_skip() else { return };
    let addr = slow_site().await;
    let work = tempfile::tempdir().expect("tempdir");
    let tmp = work.path().join("tmp");
    std::fs::create_dir(&tmp).expect("tmp");
    let out = work.path().join("out");
    let child = start_long_crawl(
        addr,
        &[
            "--render",
            "always",
            "--chromium",
            browser.to_str().expect("p"),
            "--no-db",
            "--out",
            out.to_str().expect("p"),
            "-q",
        ],
        &tmp,
    );
    tokio::task::spawn_blocking({
        let out = out.clone();
        move || wait_for_pages(&out)
    })
    .await
    .expect("join");
    let profiles = || {
        std::fs::read_dir(&tmp)
            .map(|d| {
                d.flatten().filter(|e| e.file_name().to_string_lossy().starts_with("eldercheck-chromium-")).count()
            })
            .unwrap_or(0)
    };
    // The browser starts with the first page it renders, on a loaded machine some seconds in.
    let running_since = Instant::now();
    while profiles() == 0 && running_since.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(profiles(), 1, "the browser's profile is there while it runs");
    signal(&child, "TERM");
    let (code, said) = tokio::task::spawn_blocking(move || wait(child, Duration::from_secs(60))).await.expect("join");
    assert!(matches!(code, Some(3 | 4)), "{code:?}: {said}");
    assert_eq!(profiles(), 0, "the profile is removed");
    // No browser of this run is left behind (their command lines name the profile under `tmp`).
    let marker = tmp.to_string_lossy().into_owned();
    let left: Vec<String> = std::fs::read_dir("/proc")
        .expect("proc")
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains(&marker) && c.contains("--user-data-dir"))
        .collect();
    assert!(left.is_empty(), "browsers left running: {left:?}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).expect("a report")).expect("json");
    assert_eq!(report["sites"][0]["summary"]["interrupted"], "SIGTERM");
}

/// A robots.txt asking for a day between requests: eldercheck waits 10 s at most, and a stopped
/// run does not sit out the wait of the pages queued behind it (it waited 60 s each before).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_run_does_not_sit_out_a_crawl_delay() {
    let (addr, _) = serve(|path, _| match path {
        "/robots.txt" => {
            ([(axum::http::header::CONTENT_TYPE, "text/plain")], "User-agent: *\nCrawl-delay: 99999\n").into_response()
        }
        "/sitemap.xml" => common::not_found(),
        _ => html(&(1..20).map(|i| format!("<a href='/p{i}.html'>第{i}页</a>")).collect::<String>()),
    })
    .await;
    let work = tempfile::tempdir().expect("tempdir");
    let out = work.path().join("out");
    let args = ["--render", "never", "--max-pages", "20", "--no-db", "--out", out.to_str().expect("p"), "-q"];
    let child = start_check(addr, &args, work.path());
    tokio::time::sleep(Duration::from_secs(3)).await;
    let stopped_at = Instant::now();
    signal(&child, "TERM");
    let (code, said) = tokio::task::spawn_blocking(move || wait(child, Duration::from_secs(8))).await.expect("join");
    assert!(stopped_at.elapsed() < Duration::from_secs(8));
    assert_eq!(code, Some(3), "incomplete: {said}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).expect("a report")).expect("json");
    let site = &report["sites"][0];
    assert_eq!(site["status"], "incomplete");
    let pages = site["pages"].as_array().expect("pages");
    assert_eq!(pages.len(), 1, "the home page, and no page that was never requested: {pages:?}");
    assert!(pages[0]["error"].is_null());
}
