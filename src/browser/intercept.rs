//! The tab's events while a page renders: the page's own document is served from the bytes the
//! source fetched, every other request obeys the address rule (a local site's files come from its
//! folder only), dialogs are dismissed and pop-up windows closed (both noted), and the load event and
//! crashes are noted for the tab.

use super::cdp::{Connection, Event};
use super::{Document, COMMAND_TIMEOUT};
use crate::net::address::Access;
use crate::net::lookups::Lookups;
use crate::sources::local::{read_capped, SiteFolder};
use base64::Engine as _;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use url::Url;

/// What the tab's event handler saw.
#[derive(Default)]
pub(super) struct Seen {
    pub(super) loaded: bool,
    pub(super) crashed: bool,
    pub(super) dialogs: Vec<String>,
    /// When the page last asked for something (a script, image, frame, XHR).
    pub(super) last_request: Option<tokio::time::Instant>,
    /// Requests started and not yet ended; `None` once more than [`MAX_FOLLOWED_REQUESTS`] were
    /// followed (the page then counts as busy until the settle time is up).
    in_flight: Option<std::collections::HashMap<String, (String, String)>>,
    /// The page's document as navigation answered it (frame id, loader id): requests the tab's
    /// previous document sent while it was being left (a resize handler's) are not this page's.
    pub(super) document: Option<(String, String)>,
    /// Told when the page has loaded or crashed.
    pub(super) news: Arc<tokio::sync::Notify>,
    /// Stylesheet, image and script requests under way: id → (address, resource type).
    subresources: std::collections::HashMap<String, (String, &'static str)>,
    /// Stylesheets and images that did not load (see `BrowserFacts::failed_stylesheets`).
    pub(super) failed_stylesheets: Vec<String>,
    pub(super) failed_images: Vec<String>,
    /// Scripts likewise: a control may do nothing only because its script did not load.
    pub(super) failed_scripts: Vec<String>,
    /// While the page's controls are pressed (src/browser/interact.rs), the main frame is held on
    /// its document: navigations it starts are refused and noted here, with the windows it opens.
    pub(super) holding: bool,
    pub(super) refused_navigations: Vec<String>,
    pub(super) opened_windows: Vec<String>,
    /// Told when the page's virtual time budget has run out.
    pub(super) time_advanced: Arc<tokio::sync::Notify>,
}

impl Seen {
    pub(super) fn new() -> Seen {
        Seen { in_flight: Some(Default::default()), ..Default::default() }
    }

    pub(super) fn nothing_in_flight(&self) -> bool {
        self.in_flight.as_ref().is_some_and(|f| f.values().all(|request| self.left_behind(request)))
    }

    /// Whether a request (frame id, loader id) came from a document the main frame has left.
    fn left_behind(&self, (frame, loader): &(String, String)) -> bool {
        self.document.as_ref().is_some_and(|(main, current)| frame == main && loader != current)
    }

    /// A stylesheet, image or script request, followed until it ends.
    fn note_subresource(&mut self, params: &Value) {
        let kind = match params["type"].as_str() {
            Some("Stylesheet") => "Stylesheet",
            Some("Image") => "Image",
            Some("Script") => "Script",
            _ => return,
        };
        let (Some(id), Some(url)) = (params["requestId"].as_str(), params["request"]["url"].as_str()) else { return };
        // data: images cannot fail to load; a page of thousands of images is followed for the first ones.
        if url.starts_with("data:") || self.subresources.len() >= MAX_FOLLOWED_SUBRESOURCES {
            return;
        }
        self.subresources.insert(id.to_string(), (url.chars().take(MAX_NOTED_URL_CHARS).collect(), kind));
    }

    /// A followed request ended: failed (not cancelled by the page) or answered with an error status.
    fn end_subresource(&mut self, id: &str, failed: bool) {
        let Some((url, kind)) = self.subresources.remove(id) else { return };
        let list = match kind {
            "Stylesheet" => &mut self.failed_stylesheets,
            "Script" => &mut self.failed_scripts,
            _ => &mut self.failed_images,
        };
        if failed && list.len() < MAX_NOTED_FAILURES && !list.contains(&url) {
            list.push(url);
        }
    }

    /// A page that opens dialogs or windows in a loop is noted a few times, not without end.
    fn note_dialog(&mut self, kind: String) {
        if self.dialogs.len() < MAX_DIALOGS {
            self.dialogs.push(kind);
        }
    }
}

/// Requests of one page followed at once for the settle time.
const MAX_FOLLOWED_REQUESTS: usize = 10_000;
/// Dialogs and windows noted for one page.
const MAX_DIALOGS: usize = 50;
/// Stylesheet and image requests followed for one page, failures noted, and the length of an address kept.
const MAX_FOLLOWED_SUBRESOURCES: usize = 4_000;
const MAX_NOTED_FAILURES: usize = 32;
const MAX_NOTED_URL_CHARS: usize = 300;

/// Answers the tab's events while the page renders: serves the document, applies the address rule
/// to every other request, dismisses dialogs and closes pop-up windows (noting both), and notes
/// the load event and crashes. Never waits for a reply (see [`Connection::send`]).
pub(super) async fn handle_events(
    c: Arc<Connection>,
    session: String,
    mut events: mpsc::Receiver<Event>,
    seen: Arc<Mutex<Seen>>,
    document: Document,
    access: Access,
    lookups: Arc<Lookups>,
) {
    // The page itself, local or fetched, is the bytes the source read: the browser reads nothing twice.
    // A local page's other files are read from inside its folder.
    let mut paused = PausedRequests {
        c: &c,
        session: &session,
        document: &document,
        served: false,
        local: document.url.scheme() == "file",
        access,
        lookups: &lookups,
    };
    while let Some(Event { method, params }) = events.recv().await {
        match method.as_str() {
            "Page.loadEventFired" => {
                let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
                seen.loaded = true;
                seen.news.notify_one();
            }
            // A page that replaces its document (a script redirect) makes the new one the page's.
            "Page.frameNavigated" if params["frame"]["parentId"].is_null() => {
                let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
                let frame = &params["frame"];
                if let (Some((main, current)), Some(id), Some(loader)) =
                    (seen.document.as_mut(), frame["id"].as_str(), frame["loaderId"].as_str())
                {
                    if main == id {
                        *current = loader.to_string();
                    }
                }
            }
            "Network.requestWillBeSent" => {
                let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
                let text = |key: &str| params[key].as_str().unwrap_or_default().to_string();
                let origin = (text("frameId"), text("loaderId"));
                if seen.left_behind(&origin) {
                    continue;
                }
                seen.last_request = Some(tokio::time::Instant::now());
                if seen.in_flight.as_ref().is_some_and(|f| f.len() >= MAX_FOLLOWED_REQUESTS) {
                    seen.in_flight = None;
                }
                if let (Some(in_flight), Some(id)) = (seen.in_flight.as_mut(), params["requestId"].as_str()) {
                    in_flight.insert(id.to_string(), origin);
                }
                seen.note_subresource(&params);
            }
            "Network.responseReceived" if params["response"]["status"].as_u64().is_some_and(|status| status >= 400) => {
                let id = params["requestId"].as_str().unwrap_or_default();
                seen.lock().unwrap_or_else(|e| e.into_inner()).end_subresource(id, true);
            }
            "Network.loadingFinished" | "Network.loadingFailed" => {
                let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
                let id = params["requestId"].as_str().unwrap_or_default();
                if let Some(in_flight) = seen.in_flight.as_mut() {
                    in_flight.remove(id);
                }
                let failed = method == "Network.loadingFailed" && params["canceled"].as_bool() != Some(true);
                seen.end_subresource(id, failed);
            }
            "Inspector.targetCrashed" => {
                let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
                seen.crashed = true;
                seen.news.notify_one();
            }
            "Page.javascriptDialogOpening" => {
                let kind = params["type"].as_str().unwrap_or("alert").to_string();
                seen.lock().unwrap_or_else(|e| e.into_inner()).note_dialog(kind);
                let _ = c.send(Some(&session), "Page.handleJavaScriptDialog", json!({ "accept": true })).await;
            }
            "Emulation.virtualTimeBudgetExpired" => {
                seen.lock().unwrap_or_else(|e| e.into_inner()).time_advanced.notify_one();
            }
            // The page opens a window (noted here; a window that is made is closed below).
            "Page.windowOpen" => {
                let mut noted = seen.lock().unwrap_or_else(|e| e.into_inner());
                noted.note_dialog("window.open".into());
                if noted.holding && noted.opened_windows.len() < MAX_DIALOGS {
                    let url = params["url"].as_str().unwrap_or_default();
                    noted.opened_windows.push(url.chars().take(MAX_NOTED_URL_CHARS).collect());
                }
            }
            "Target.attachedToTarget" => {
                let info = &params["targetInfo"];
                if info["type"].as_str() == Some("page") {
                    if let Some(id) = info["targetId"].as_str() {
                        let (c, id) = (c.clone(), id.to_string());
                        tokio::spawn(async move {
                            let _ =
                                c.call(None, "Target.closeTarget", json!({ "targetId": id }), COMMAND_TIMEOUT).await;
                        });
                    }
                }
            }
            "Fetch.requestPaused" => {
                if held_navigation(&seen, &params) {
                    let refuse = json!({ "requestId": params["requestId"], "errorReason": "Aborted" });
                    let _ = c.send(Some(&session), "Fetch.failRequest", refuse).await;
                    continue;
                }
                answer_paused(&mut paused, &params).await;
            }
            _ => {}
        }
    }
}

/// A navigation of the main frame while it is held (noted).
fn held_navigation(seen: &Mutex<Seen>, params: &Value) -> bool {
    let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
    let main = seen.document.as_ref().map(|(frame, _)| frame.as_str());
    let navigation = params["resourceType"].as_str() == Some("Document") && params["frameId"].as_str() == main;
    if !seen.holding || !navigation {
        return false;
    }
    if seen.refused_navigations.len() < MAX_DIALOGS {
        let url = params["request"]["url"].as_str().unwrap_or_default();
        seen.refused_navigations.push(url.chars().take(MAX_NOTED_URL_CHARS).collect());
    }
    true
}

/// What a tab's paused requests are answered from: the page's own bytes once, then the folder
/// (a local page) or the address rule.
struct PausedRequests<'a> {
    c: &'a Arc<Connection>,
    session: &'a str,
    document: &'a Document,
    served: bool,
    local: bool,
    access: Access,
    lookups: &'a Arc<Lookups>,
}

/// Answers one paused request: the served document from the source's bytes, a service worker's
/// script refused, a local file from inside the folder, anything else by the address rule.
async fn answer_paused(requests: &mut PausedRequests<'_>, params: &Value) {
    let PausedRequests { c, session, document, ref mut served, local, access, lookups } = *requests;
    let request_id = params["requestId"].as_str().unwrap_or_default().to_string();
    let requested = params["request"]["url"].as_str().unwrap_or_default();
    let is_document = !*served
        && params["resourceType"].as_str() == Some("Document")
        && Url::parse(requested).is_ok_and(|mut u| {
            u.set_fragment(None);
            let mut ours = document.url.clone();
            ours.set_fragment(None);
            u == ours
        });
    if is_document {
        *served = true;
        let content_type = match &document.body.charset {
            Some(charset) => format!("text/html; charset={charset}"),
            None => "text/html".to_string(),
        };
        let body = base64::engine::general_purpose::STANDARD.encode(&document.body.bytes);
        let params = json!({
            "requestId": request_id,
            "responseCode": document.status.filter(|s| (200..600).contains(s)).unwrap_or(200),
            "responseHeaders": [{ "name": "Content-Type", "value": content_type }],
            "body": body,
        });
        let _ = c.send(Some(session), "Fetch.fulfillRequest", params).await;
        return;
    }
    // A service worker's script is never fetched, so no service worker is ever registered:
    // the page cannot leave a script running beside it (whatever it patched to get there).
    let headers = &params["request"]["headers"];
    let service_worker = headers.as_object().is_some_and(|h| {
        h.iter().any(|(name, value)| name.eq_ignore_ascii_case("service-worker") && value == "script")
    });
    if service_worker {
        let _ = c
            .send(
                Some(session),
                "Fetch.failRequest",
                json!({ "requestId": request_id, "errorReason": "BlockedByClient" }),
            )
            .await;
        return;
    }
    let (c, session) = (c.clone(), session.to_string());
    if local && requested.starts_with("file:") {
        let (requested, folder) = (requested.to_string(), document.folder.clone());
        tokio::spawn(async move {
            let (method, params) = local_file_answer(&request_id, &requested, folder).await;
            let _ = c.send(Some(&session), method, params).await;
        });
        return;
    }
    // Most requests are decided at once; only a host not looked up yet waits, on its own.
    match decided_now(requested, access, lookups) {
        Ok(allowed) => {
            let (method, params) = rule_answer(&request_id, allowed);
            let _ = c.send(Some(&session), method, params).await;
        }
        Err(host) => {
            let lookups = lookups.clone();
            tokio::spawn(async move {
                let allowed = allowed_once_looked_up(&host, access, &lookups).await;
                let (method, params) = rule_answer(&request_id, allowed);
                let _ = c.send(Some(&session), method, params).await;
            });
        }
    }
}

fn rule_answer(request_id: &str, allowed: bool) -> (&'static str, Value) {
    if allowed {
        ("Fetch.continueRequest", json!({ "requestId": request_id }))
    } else {
        ("Fetch.failRequest", json!({ "requestId": request_id, "errorReason": "BlockedByClient" }))
    }
}

/// Largest local file served to the browser.
const MAX_LOCAL_FILE_BYTES: usize = 16 * 1024 * 1024;

/// The answer to a local page's `file:` request: the file it names inside the site's folder, read by
/// eldercheck and handed over ([`SiteFolder`] decides, on canonical paths), or a failure. The browser
/// never reads a file itself: its idea of a path (`..%2f`, symbolic links) is not the folder's.
async fn local_file_answer(
    request_id: &str,
    requested: &str,
    folder: Option<Arc<SiteFolder>>,
) -> (&'static str, Value) {
    let fail = ("Fetch.failRequest", json!({ "requestId": request_id, "errorReason": "BlockedByClient" }));
    let (Ok(url), Some(folder)) = (Url::parse(requested), folder) else { return fail };
    let read = tokio::task::spawn_blocking(move || {
        let path = folder.file_for(&url).ok()?;
        let bytes = read_capped(&path, MAX_LOCAL_FILE_BYTES).ok()?;
        Some((bytes, content_type(&path)))
    })
    .await;
    let Ok(Some((bytes, kind))) = read else { return fail };
    (
        "Fetch.fulfillRequest",
        json!({
            "requestId": request_id,
            "responseCode": 200,
            "responseHeaders": [{ "name": "Content-Type", "value": kind }],
            "body": base64::engine::general_purpose::STANDARD.encode(bytes),
        }),
    )
}

fn content_type(path: &std::path::Path) -> &'static str {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    match extension.as_str() {
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "js" | "mjs" => "text/javascript",
        "json" => "application/json",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    }
}

/// The address rule for a host that had to be looked up first.
async fn allowed_once_looked_up(host: &str, access: Access, lookups: &Lookups) -> bool {
    allowed_addresses(&lookups.of(host).await, access)
}

/// The address rule's answer when it needs no lookup, or the host whose lookup decides it.
fn decided_now(requested: &str, access: Access, lookups: &Lookups) -> Result<bool, String> {
    match Target::of(requested) {
        Target::Decided(allowed) => Ok(allowed),
        Target::Host(host) => match lookups.known(&host) {
            Some(addresses) => Ok(allowed_addresses(&addresses, access)),
            None => Err(host),
        },
    }
}

/// What a requested URL asks the address rule.
enum Target {
    /// Decided by the URL alone: schemes without a network request are allowed, the rest refused.
    Decided(bool),
    /// An http(s) host whose addresses decide.
    Host(String),
}

impl Target {
    fn of(requested: &str) -> Target {
        let Ok(url) = Url::parse(requested) else { return Target::Decided(false) };
        if !matches!(url.scheme(), "http" | "https") {
            return Target::Decided(matches!(url.scheme(), "data" | "blob"));
        }
        match url.host_str() {
            Some(host) => Target::Host(host.to_string()),
            None => Target::Decided(false),
        }
    }
}

fn allowed_addresses(addresses: &[std::net::IpAddr], access: Access) -> bool {
    !addresses.is_empty() && addresses.iter().all(|ip| access.allows(*ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The crawler's address rule for a request the page's scripts, styles or markup make, as the
    /// tab's event handler applies it.
    async fn request_allowed(requested: &str, access: Access, lookups: &Lookups) -> bool {
        match decided_now(requested, access, lookups) {
            Ok(allowed) => allowed,
            Err(host) => allowed_once_looked_up(&host, access, lookups).await,
        }
    }

    #[tokio::test]
    async fn the_address_rule_applies_to_the_pages_own_requests() {
        let none = Lookups::default();
        assert!(!request_allowed("http://169.254.169.254/latest/meta-data/", Access::Private, &none).await);
        assert!(!request_allowed("http://127.0.0.1:8080/admin", Access::Public, &none).await);
        assert!(request_allowed("http://127.0.0.1:8080/app.js", Access::Private, &none).await);
        assert!(!request_allowed("file:///etc/passwd", Access::Private, &none).await);
        assert!(!request_allowed("not a url", Access::Private, &none).await);
        let mapped = Lookups::new(vec!["intranet.example:80:10.1.2.3".parse().expect("resolve")]);
        assert!(!request_allowed("http://intranet.example/a.js", Access::Public, &mapped).await);
        assert!(request_allowed("http://intranet.example/b.js", Access::Private, &mapped).await);
    }

    #[tokio::test]
    async fn local_pages_read_their_own_folder_only_on_canonical_paths() {
        let dir = tempfile::tempdir().expect("tempdir");
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("css")).expect("mkdir");
        std::fs::write(site.join("css/site.css"), "p{}").expect("write");
        std::fs::write(dir.path().join("secret.txt"), "secret").expect("write");
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), site.join("passwd.html")).expect("symlink");
        std::os::unix::fs::symlink("/", site.join("root")).expect("symlink");
        let folder = Some(Arc::new(SiteFolder::new(&site).expect("folder")));
        let url = |path: &str| format!("file://{}{path}", site.display());
        let answer = |requested: String| {
            let folder = folder.clone();
            async move { local_file_answer("1", &requested, folder).await.0 }
        };
        assert_eq!(answer(url("/css/site.css")).await, "Fetch.fulfillRequest");
        assert_eq!(answer("file:///css/site.css".into()).await, "Fetch.fulfillRequest", "root-relative");
        for refused in [
            url("/..%2fsecret.txt"),
            url("/css/..%2f..%2fsecret.txt"),
            url("/passwd.html"),
            url("/root/etc/passwd"),
            url("/root/"),
            url("/css/"),
            "file:///etc/passwd".into(),
            "file://www.google-analytics.com/analytics.js".into(),
        ] {
            assert_eq!(answer(refused.clone()).await, "Fetch.failRequest", "{refused}");
        }
    }
}
