//! A checked page must never read the machine, reach private addresses, or buy itself a pass
//! (issue 28). The site is served on a public address inside a loopback-only network namespace
//! (`unshare -rn`, addresses added to `lo`), with canary listeners on the addresses the rule refuses
//! (127.0.0.1, 10.0.0.1, 169.254.169.254) recording every connection; then eldercheck checks it in
//! the browser (`--render always`). Skipped, saying so, where Chromium or namespaces are missing.

mod common;

use common::browser::chromium_or_skip;
use std::path::Path;
use std::process::Command;

/// What the refused addresses listen with: every connection is one line of the log.
const CANARY: &str = r#"
import socket, sys, threading
log = open(sys.argv[1], "a")
def serve(host, port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(64)
    while True:
        c, a = s.accept()
        log.write(f"{host}:{port}\n")
        log.flush()
        c.close()
for host, port in [("127.0.0.1", 9100), ("127.0.0.1", 443), ("10.0.0.1", 80), ("10.0.0.1", 443),
                   ("169.254.169.254", 80), ("169.254.169.254", 443)]:
    threading.Thread(target=serve, args=(host, port), daemon=True).start()
open(sys.argv[2], "w").write("ready")
threading.Event().wait()
"#;

/// The script run inside the namespace.
const SCRIPT: &str = r#"
set -u
ip link set lo up
ip addr add 203.0.113.10/32 dev lo
ip addr add 10.0.0.1/32 dev lo
ip addr add 169.254.169.254/32 dev lo
python3 "$WORK/canary.py" "$WORK/canary.log" "$WORK/canary.ready" &
python3 -m http.server 80 --bind 203.0.113.10 --directory "$WORK/site" >/dev/null 2>&1 &
for i in $(seq 1 100); do [ -f "$WORK/canary.ready" ] && python3 -c "import socket; socket.create_connection(('203.0.113.10', 80), 1)" 2>/dev/null && break; sleep 0.1; done
mkdir -p "$WORK/home" "$WORK/tmp"
HOME="$WORK/home" TMPDIR="$WORK/tmp" "$ELDERCHECK" check http://203.0.113.10/ --render always --chromium "$CHROMIUM" \
  --no-robots --delay-ms 0 --max-pages 20 --max-depth 1 --render-timeout-s 8 --no-db -q --out "$WORK/out" --format json,html,csv
echo $? > "$WORK/http.rc"
HOME="$WORK/home" TMPDIR="$WORK/tmp" "$ELDERCHECK" check "$WORK/folder" --render always --chromium "$CHROMIUM" \
  --render-timeout-s 8 --no-db -q --out "$WORK/folder-out" --format json,html,csv
echo $? > "$WORK/folder.rc"
kill %1 %2 2>/dev/null
"#;

fn page(body: &str) -> String {
    format!("<!DOCTYPE html><html lang=zh-CN><head><meta charset=utf-8><title>页面</title></head><body>{body}</body></html>")
}

/// The hostile site: every way a page can try to reach the refused addresses, download, break the
/// serialisation, or hang the browser.
fn write_site(site: &Path) {
    std::fs::create_dir_all(site).expect("site");
    let pages = [
        (
            "index.html",
            r#"<link rel=preconnect href="http://169.254.169.254/"><link rel=preconnect href="https://10.0.0.1/">
<link rel=dns-prefetch href="//127.0.0.1:9100"><link rel=prefetch href="http://127.0.0.1:9100/prefetch">
<img src="http://127.0.0.1:9100/img" alt=x><script src="http://10.0.0.1/x.js"></script>
<iframe title=x src="http://169.254.169.254/latest/meta-data/"></iframe>
<a href="nav.html">跳转</a> <a href="workers.html">后台</a> <a href="download.html">下载</a>
<a href="inject.html">注入</a> <a href="hang.html">卡住</a> <a href="form.html">表单</a>
<p>首页正文</p>
<script>fetch('http://127.0.0.1:9100/fetch').catch(()=>{}); navigator.sendBeacon && navigator.sendBeacon('http://10.0.0.1/beacon', 'x');
var x = new XMLHttpRequest(); x.open('GET', 'https://169.254.169.254/xhr'); x.send();</script>"#,
        ),
        ("nav.html", r#"<p>正文</p><script>location.href = 'http://169.254.169.254/latest/';</script>"#),
        (
            "form.html",
            r#"<form id=f method=post action="http://127.0.0.1:9100/post"><input name=a value=b aria-label=a></form><script>document.getElementById('f').submit()</script>"#,
        ),
        (
            "workers.html",
            r#"<p>后台脚本</p><script>
try { ServiceWorkerContainer.prototype.register.call(navigator.serviceWorker, '/sw.js'); } catch (e) {}
try { const W = Object.getPrototypeOf(document.createElement('iframe')).constructor; } catch (e) {}
try { const f = document.createElement('iframe'); document.body.appendChild(f); new f.contentWindow.Worker(URL.createObjectURL(new Blob(["fetch('http://127.0.0.1:9100/worker')"]))); } catch (e) {}
try { new (Object.getPrototypeOf(WebSocket.prototype).constructor)('ws://127.0.0.1:9100/ws'); } catch (e) {}
</script>"#,
        ),
        ("sw.js", "self.addEventListener('install', () => fetch('http://127.0.0.1:9100/sw'));"),
        (
            "download.html",
            r#"<p>下载</p><a id=d href="big.bin" download>文件</a><iframe title=x src="big.bin"></iframe><script>document.getElementById('d').click()</script>"#,
        ),
        ("big.bin", "not a page\n"),
        // The engine would see an empty page if the comment could close itself (a 41.3 page scored 83.1).
        (
            "inject.html",
            r#"<img src=a.png><img src=b.png><input type=text><script>
document.body.insertBefore(document.createComment('--><textarea>'), document.body.firstChild);
document.body.appendChild(document.createComment('--></textarea><!--'));
const s = document.createElement('style'); s.textContent = '</style><textarea>'; document.head.appendChild(s);
</script>"#,
        ),
        ("hang.html", r#"<img src=hang.png><script>setTimeout(() => { for (;;) {} }, 10)</script>"#),
    ];
    for (name, body) in pages {
        let text = if name.ends_with(".html") { page(body) } else { body.to_string() };
        std::fs::write(site.join(name), text).expect("write page");
    }
}

/// A local folder that tries to read the file beside it, through `%2f`, a symbolic link to it, and a
/// symbolic link to the top of the disk.
fn write_folder(work: &Path) {
    let folder = work.join("folder");
    std::fs::create_dir_all(folder.join("css")).expect("folder");
    std::fs::write(work.join("secret.txt"), "TOPSECRET-CANARY").expect("secret");
    std::fs::write(work.join("secret.css"), "body::after { content: 'TOPSECRET-CANARY' }").expect("secret css");
    std::os::unix::fs::symlink(work.join("secret.txt"), folder.join("passwd.html")).expect("symlink");
    std::os::unix::fs::symlink("/", folder.join("root")).expect("symlink");
    std::fs::write(
        folder.join("index.html"),
        page(
            r#"<link rel=stylesheet href="..%2fsecret.css"><link rel=stylesheet href="/..%2f..%2fsecret.css">
<iframe title=x src="root/"></iframe><iframe title=y src="..%2fsecret.txt"></iframe><p id=out>正文</p>
<script>fetch('/..%2fsecret.txt').then(r => r.text()).then(t => { document.title = t; document.getElementById('out').textContent = t; }).catch(() => {});
fetch('..%2f..%2f..%2f..%2fetc/passwd').then(r => r.text()).then(t => { document.body.append(t); }).catch(() => {});</script>"#,
        ),
    )
    .expect("index");
}

fn namespaces_or_skip() -> bool {
    let works = Command::new("unshare").args(["-rn", "true"]).status().is_ok_and(|s| s.success())
        && Command::new("ip").arg("-V").output().is_ok()
        && Command::new("python3").arg("-V").output().is_ok();
    if !works {
        eprintln!("skipped: network namespaces (unshare -rn), ip or python3 are not available here");
    }
    works
}

/// Every file under `dir`, as text where it is text.
fn all_text(dir: &Path) -> String {
    let mut text = String::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if let Ok(content) = std::fs::read(&path) {
                text.push_str(&String::from_utf8_lossy(&content));
            }
        }
    }
    text
}

#[test]
fn a_hostile_site_in_the_browser_reaches_no_refused_address_reads_no_file_and_buys_no_pass() {
    let Some(chromium) = chromium_or_skip() else { return };
    if !namespaces_or_skip() {
        return;
    }
    let work = tempfile::tempdir().expect("work");
    let w = work.path();
    write_site(&w.join("site"));
    write_folder(w);
    std::fs::write(w.join("canary.py"), CANARY).expect("canary");
    std::fs::write(w.join("run.sh"), SCRIPT).expect("script");
    let status = Command::new("unshare")
        .args(["-rn", "bash"])
        .arg(w.join("run.sh"))
        .env("WORK", w)
        .env("ELDERCHECK", env!("CARGO_BIN_EXE_eldercheck"))
        .env("CHROMIUM", &chromium)
        .status()
        .expect("run in a namespace");
    assert!(status.success(), "the namespace script ran");
    let rc = |name: &str| std::fs::read_to_string(w.join(name)).unwrap_or_default().trim().to_string();
    assert!(matches!(rc("http.rc").as_str(), "0" | "1" | "3" | "4"), "the crawl ran: exit {}", rc("http.rc"));
    assert!(matches!(rc("folder.rc").as_str(), "0" | "1" | "3" | "4"), "the folder ran: exit {}", rc("folder.rc"));

    // No connection to a refused address, however the page asked.
    let touched = std::fs::read_to_string(w.join("canary.log")).unwrap_or_default();
    assert!(touched.trim().is_empty(), "connections to refused addresses:\n{touched}");

    // Every page judged: rendered, or judged as served with the reason; never an empty pass.
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.join("out/report.json")).expect("report")).expect("json");
    let pages = report["sites"][0]["pages"].as_array().expect("pages");
    let by_name = |name: &str| {
        let wanted = if name == "index.html" { "203.0.113.10/".to_string() } else { name.to_string() };
        pages.iter().find(|p| p["url"].as_str().is_some_and(|u| u.ends_with(&wanted)))
    };
    for name in ["index.html", "nav.html", "workers.html", "inject.html", "hang.html"] {
        let page = by_name(name).unwrap_or_else(|| panic!("{name} is in the report"));
        assert!(page["error"].is_null() && !page["checks"].as_array().expect("checks").is_empty(), "{name}: {page}");
    }
    let fallback = |name: &str| by_name(name).map(|p| p["render_fallback"]["kind"].clone());
    assert_eq!(
        fallback("hang.html"),
        Some(serde_json::json!("timeout")),
        "a hung page is judged as served: {:?}",
        by_name("hang.html")
    );
    assert!(
        matches!(
            fallback("nav.html").and_then(|k| k.as_str().map(str::to_string)).as_deref(),
            Some("error_page" | "navigated_away")
        ),
        "a page that navigates away is judged as served: {:?}",
        by_name("nav.html")
    );
    let failed_images = |name: &str| {
        by_name(name)
            .and_then(|p| p["checks"].as_array().cloned())
            .and_then(|checks| checks.into_iter().find(|c| c["id"] == "image-alt"))
            .map(|c| c["findings"].as_array().map_or(0, Vec::len))
    };
    assert_eq!(failed_images("inject.html"), Some(2), "markup hidden by the page's own comments is still judged");
    assert_eq!(failed_images("hang.html"), Some(1), "the hung page keeps its static verdict");

    // Nothing downloaded, the throw-away profile gone.
    assert!(!w.join("home/Downloads").exists(), "nothing was downloaded into the home folder");
    let left: Vec<String> = std::fs::read_dir(w.join("tmp"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("eldercheck-chromium"))
        .collect();
    assert!(left.is_empty(), "browser profiles left behind: {left:?}");

    // No file outside the folder appears in any output.
    let outputs = all_text(&w.join("folder-out"));
    assert!(!outputs.is_empty());
    assert!(!outputs.contains("TOPSECRET-CANARY"), "a file outside the site folder leaked into the outputs");
    assert!(!outputs.contains("root:x:0:0"), "/etc/passwd leaked into the outputs");
}
