//! Finding and starting headless Chromium. The browser runs with a throw-away profile, no extensions,
//! no background networking, sound muted, and is killed when the handle is dropped.

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
    #[error("{path} exited as it started{detail}")]
    Exited { path: String, detail: String },
}

/// A running browser process and its throw-away profile folder.
pub struct Process {
    child: std::sync::Mutex<tokio::process::Child>,
    pid: Option<u32>,
    profile: PathBuf,
    pub ws_url: String,
}

impl Process {
    /// Kills the browser now (its pages then fail and are judged as served).
    pub fn kill(&self) {
        let _ = self.child.lock().unwrap_or_else(|e| e.into_inner()).start_kill();
    }

    /// Resident memory of the browser and every process it started, in bytes (Linux; `None`
    /// elsewhere or when the process is gone).
    pub fn memory(&self) -> Option<u64> {
        let root = self.pid?;
        let mut parents: Vec<(u32, u32)> = Vec::new();
        for entry in std::fs::read_dir("/proc").ok()?.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
            // `pid (name) state ppid …`; the name may hold spaces and parentheses.
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
            let Some(after) = stat.rfind(')').map(|at| &stat[at + 1..]) else { continue };
            if let Some(ppid) = after.split_whitespace().nth(1).and_then(|p| p.parse().ok()) {
                parents.push((pid, ppid));
            }
        }
        let mut tree = vec![root];
        let mut index = 0;
        while index < tree.len() && tree.len() < 4096 {
            let parent = tree[index];
            tree.extend(parents.iter().filter(|(_, ppid)| *ppid == parent).map(|(pid, _)| *pid));
            index += 1;
        }
        let page = 4096u64;
        let resident: u64 = tree
            .iter()
            .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/statm")).ok())
            .filter_map(|statm| statm.split_whitespace().nth(1).and_then(|r| r.parse::<u64>().ok()))
            .sum();
        Some(resident * page)
    }
}

impl Drop for Process {
    /// Kills the browser, waits (briefly) until it has exited, then removes its profile: removed
    /// while the browser still wrote to it, the folder was left behind after one run in three.
    fn drop(&mut self) {
        let child = self.child.get_mut().unwrap_or_else(|e| e.into_inner());
        let _ = child.start_kill();
        let deadline = std::time::Instant::now() + Duration::from_secs(3);
        while std::time::Instant::now() < deadline {
            match child.try_wait() {
                Ok(Some(_)) | Err(_) => break,
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        for _ in 0..5 {
            if std::fs::remove_dir_all(&self.profile).is_ok() || !self.profile.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if let Some(pid) = self.pid {
            crate::interrupt::browser_ended(pid);
        }
    }
}

/// Starts the browser. It resolves no name itself and connects nowhere but to eldercheck's proxy
/// (`super::proxy`): the default context's proxy at `deny_port` refuses everything (the browser's own
/// update and telemetry requests), the pages' contexts get a proxy of their own.
pub async fn launch(path: &Path, window: (u32, u32), deny_port: u16) -> Result<Process, LaunchError> {
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
        // Every connection through the proxy, loopback ones too; no name resolved by the browser.
        .arg(format!("--proxy-server=http://127.0.0.1:{deny_port}"))
        .arg("--proxy-bypass-list=<-loopback>")
        .arg("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
        // WebRTC may not send UDP past the proxy.
        .arg("--force-webrtc-ip-handling-policy=disable_non_proxied_udp")
        .arg("--webrtc-ip-handling-policy=disable_non_proxied_udp")
        .arg(format!("--window-size={},{}", window.0, window.1))
        .arg(format!("--user-data-dir={}", profile.display()));
    if running_as_root() || std::env::var_os("ELDERCHECK_CHROMIUM_NO_SANDBOX").is_some_and(|v| v == "1") {
        command.arg("--no-sandbox");
    }
    command.arg("about:blank").stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped()).kill_on_drop(true);
    // A process group of its own: Ctrl+C in a terminal reaches eldercheck alone, which then ends
    // the browser itself and removes its profile (a browser stopped by the signal leaves both).
    command.process_group(0);
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
            let pid = child.id();
            if let Some(pid) = pid {
                crate::interrupt::browser_started(pid, profile.clone());
            }
            Ok(Process { child: std::sync::Mutex::new(child), pid, profile, ws_url })
        }
        other => {
            let _ = child.start_kill();
            let _ = std::fs::remove_dir_all(&profile);
            let detail = if seen.is_empty() { String::new() } else { format!(": {}", seen.join(" | ")) };
            let path = path.display().to_string();
            Err(match other {
                Ok(_) => LaunchError::Exited { path, detail },
                Err(_) => LaunchError::NoEndpoint { path, seconds: STARTUP.as_secs(), detail },
            })
        }
    }
}
