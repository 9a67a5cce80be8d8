//! Finding and starting headless Chromium. The browser runs with a throw-away profile, no extensions,
//! no background networking, sound muted, and is killed when the handle is dropped.

use crate::options::Resolve;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

/// Names tried on PATH, in order.
const NAMES: &[&str] = &["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
/// How long the browser may take to open its DevTools endpoint.
const STARTUP: Duration = Duration::from_secs(30);

/// The browser to use: `--chromium PATH`, else `$CHROMIUM`, else the first of [`NAMES`] on PATH.
pub fn find(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_path_buf());
    }
    if let Some(path) = std::env::var_os("CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .find_map(|dir| NAMES.iter().map(|name| dir.join(name)).find(|candidate| is_executable(candidate)))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Chromium refuses to start its sandbox as root (containers, CI); everywhere else the sandbox stays on,
/// unless `ELDERCHECK_CHROMIUM_NO_SANDBOX=1` says the container is the sandbox (Kubernetes pods rarely
/// allow the user namespaces Chromium's own needs).
fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status").ok().is_some_and(|status| {
        status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1))
            .is_some_and(|effective| effective == "0")
    })
}

#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error("cannot start {path}: {source}")]
    Spawn { path: String, source: std::io::Error },
    #[error("{path} did not open its DevTools endpoint within {seconds} s{detail}")]
    NoEndpoint { path: String, seconds: u64, detail: String },
}

/// A running browser process and its throw-away profile folder.
pub struct Process {
    child: tokio::process::Child,
    profile: PathBuf,
    pub ws_url: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Starts the browser. `resolve` maps host names the way the crawler's `--resolve` does, so that the
/// browser connects to the addresses the address rule was checked against.
pub async fn launch(path: &Path, window: (u32, u32), resolve: &[Resolve]) -> Result<Process, LaunchError> {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let profile = std::env::temp_dir().join(format!("eldercheck-chromium-{}-{nanos}", std::process::id()));
    let mut command = tokio::process::Command::new(path);
    command
        .args(["--headless", "--remote-debugging-port=0", "--no-first-run", "--no-default-browser-check"])
        .args(["--disable-gpu", "--disable-extensions", "--disable-background-networking", "--disable-sync"])
        .args(["--disable-component-update", "--disable-default-apps", "--disable-popup-blocking"])
        .args(["--mute-audio", "--autoplay-policy=no-user-gesture-required", "--hide-scrollbars"])
        .arg("--force-device-scale-factor=1")
        .arg("--disable-dev-shm-usage")
        // No lookups for names the page only mentions (`<link rel=dns-prefetch>`, links on hover).
        .arg("--dns-prefetch-disable")
        // Frames in the page's own process: the tab's Fetch interception (the address rule) then sees
        // their requests too. The profile is empty and thrown away, so isolation protects nothing here.
        .args([
            "--disable-site-isolation-trials",
            "--disable-features=IsolateOrigins,site-per-process,Translate,MediaRouter,OptimizationHints,BackForwardCache",
        ])
        .arg(format!("--window-size={},{}", window.0, window.1))
        .arg(format!("--user-data-dir={}", profile.display()));
    if running_as_root() || std::env::var_os("ELDERCHECK_CHROMIUM_NO_SANDBOX").is_some_and(|v| v == "1") {
        command.arg("--no-sandbox");
    }
    if !resolve.is_empty() {
        let rules: Vec<String> = resolve.iter().map(|r| format!("MAP {} {}", r.host, r.address)).collect();
        command.arg(format!("--host-resolver-rules={}", rules.join(",")));
    }
    command.arg("about:blank").stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped()).kill_on_drop(true);
    let mut child =
        command.spawn().map_err(|source| LaunchError::Spawn { path: path.display().to_string(), source })?;
    let Some(stderr) = child.stderr.take() else {
        return Err(LaunchError::NoEndpoint { path: path.display().to_string(), seconds: 0, detail: String::new() });
    };
    let mut lines = BufReader::new(stderr).lines();
    let mut seen: Vec<String> = Vec::new();
    let found = tokio::time::timeout(STARTUP, async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(url) = line.split_once("DevTools listening on ").map(|(_, u)| u.trim().to_string()) {
                return Some(url);
            }
            if seen.len() < 5 {
                seen.push(line.chars().take(300).collect());
            }
        }
        None
    })
    .await;
    match found {
        Ok(Some(ws_url)) => {
            // The browser keeps logging; the pipe is drained so that it never blocks on a full buffer.
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            Ok(Process { child, profile, ws_url })
        }
        _ => {
            let _ = child.start_kill();
            let _ = std::fs::remove_dir_all(&profile);
            let detail = if seen.is_empty() { String::new() } else { format!(": {}", seen.join(" | ")) };
            Err(LaunchError::NoEndpoint { path: path.display().to_string(), seconds: STARTUP.as_secs(), detail })
        }
    }
}
