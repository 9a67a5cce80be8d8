//! Local HTTP servers on 127.0.0.1 (axum) and a helper that runs the whole pipeline against them.
//! Shared by the crawler and hostile-input tests; no test touches the internet.
#![allow(dead_code)]

pub mod act;
pub mod browser;
pub mod report;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use eldercheck::options::{Output, Problem};
use eldercheck::results::PageResult;
use eldercheck::run::{CheckRequest, RunError};
use eldercheck::rundir::{RunDir, SiteRecord};
use eldercheck_checks::check::Lang;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub type Handler = Arc<dyn Fn(&str, &HeaderMap) -> Response + Send + Sync>;

#[derive(Clone)]
struct Server {
    handler: Handler,
    log: Arc<Mutex<Vec<(Instant, String)>>>,
}

async fn route(State(server): State<Server>, request: Request) -> Response {
    let path = request.uri().path_and_query().map(|p| p.to_string()).unwrap_or_default();
    server.log.lock().expect("log").push((Instant::now(), path.clone()));
    // Handlers may sleep to play a slow server; on a blocking thread they cannot starve the runtime that also
    // runs the crawler under test (a loaded CI machine then timed out the home page of the next server).
    let headers = request.headers().clone();
    let handler = server.handler.clone();
    tokio::task::spawn_blocking(move || handler(&path, &headers))
        .await
        .unwrap_or_else(|_| (StatusCode::INTERNAL_SERVER_ERROR, "handler panicked").into_response())
}

/// Starts a server whose responses come from `handler`; returns its address and request log.
pub async fn serve(
    handler: impl Fn(&str, &HeaderMap) -> Response + Send + Sync + 'static,
) -> (SocketAddr, Arc<Mutex<Vec<(Instant, String)>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let server = Server { handler: Arc::new(handler), log: log.clone() };
    let app = Router::new().fallback(route).with_state(server);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, log)
}

pub fn html(body: &str) -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!("<!DOCTYPE html><html lang=zh-CN><head><title>页面</title></head><body>{body}</body></html>"),
    )
        .into_response()
}

pub fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found").into_response()
}

/// A crawl request as the tests use it: resolve the test hosts to the server, no delay, short timeouts.
pub fn options(addr: SocketAddr, hosts: &[&str]) -> CheckRequest {
    let mut request = CheckRequest::new(Vec::new());
    request.settings.max_pages = Some(50);
    request.settings.max_depth = 3;
    request.settings.timeout_s = 2;
    request.settings.retries = 1;
    request.settings.delay_ms = 0;
    request.settings.resolve =
        hosts.iter().map(|h| eldercheck::options::Resolve { host: h.to_string(), address: addr }).collect();
    request.settings.no_db = true;
    request.settings.format = eldercheck::options::Formats(Vec::new());
    request.settings.quiet = true;
    request.settings.lang = Lang::En;
    request.settings.render = Some(eldercheck::options::RenderMode::Never);
    request
}

/// A site as the results folder holds it.
pub struct CrawledSite {
    pub record: SiteRecord,
    pub pages: Vec<PageResult>,
}

/// Runs the whole pipeline on `urls` (given as a `--sites` list, so that even a bad line is a site)
/// and reads the results folder back.
pub async fn crawl(urls: &[String], mut request: CheckRequest) -> Vec<CrawledSite> {
    let out = tempfile::tempdir().expect("tempdir");
    let list = out.path().join("sites.txt");
    std::fs::write(&list, urls.join("\n")).expect("write the site list");
    request.settings.sites = Some(list);
    request.settings.out = Output::Dir(out.path().to_path_buf());
    let ran = tokio::task::spawn_blocking(move || eldercheck::run::check(request)).await.expect("join");
    match ran {
        Ok(_) => {}
        Err(e) => panic!("the run failed: {e}"),
    }
    let dir = RunDir::open(&out.path().join("results")).expect("results folder");
    let manifest = dir.read_manifest().expect("manifest");
    (0..manifest.sites.len())
        .map(|i| CrawledSite {
            record: dir.read_site(i).expect("site record"),
            pages: dir.pages(i).expect("pages").map(|p| p.expect("page")).collect(),
        })
        .collect()
}

/// A run, with the problems its plan found among the targets.
pub fn checked_with_problems(request: CheckRequest) -> (Result<eldercheck::run::RunOutcome, RunError>, Vec<Problem>) {
    match eldercheck::run::plan(request) {
        Ok(plan) => {
            let problems = plan.problems.clone();
            (eldercheck::run::execute(plan), problems)
        }
        Err(error) => (Err(error), Vec::new()),
    }
}

pub fn page<'a>(site: &'a CrawledSite, suffix: &str) -> &'a PageResult {
    site.pages.iter().find(|p| p.requested_url.ends_with(suffix)).unwrap_or_else(|| {
        panic!("no page {suffix}: {:?}", site.pages.iter().map(|p| &p.requested_url).collect::<Vec<_>>())
    })
}

pub fn paths(log: &Arc<Mutex<Vec<(Instant, String)>>>) -> Vec<String> {
    log.lock().expect("log").iter().map(|(_, p)| p.clone()).collect()
}
