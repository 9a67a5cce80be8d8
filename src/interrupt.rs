//! Interrupting a run (Ctrl+C, `kill`, a scheduler's stop): the first SIGINT or SIGTERM asks the run
//! to stop taking pages; what is in flight finishes (each request and render has its own timeout),
//! the report is written with the unfinished sites marked incomplete, the run is stored and the
//! browser ends as at any other exit. A second signal ends the process at once, after killing the
//! browsers and removing their throw-away profiles, which a plain exit would leave behind.

use std::path::PathBuf;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Mutex;

/// The signal that asked the run to stop (0: none).
static REQUESTED: AtomicI32 = AtomicI32::new(0);

/// Browser processes alive and their profile folders, for a second signal to clean up.
static BROWSERS: Mutex<Vec<(u32, PathBuf)>> = Mutex::new(Vec::new());

/// The signal numbers, as exit codes and messages name them.
pub const SIGINT: i32 = 2;
pub const SIGTERM: i32 = 15;

/// Wakes what waits for [`stopped`].
static STOPPING: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// Asks the run to stop (what a signal handler does; tests call it too).
pub fn request(signal: i32) {
    REQUESTED.store(signal, Ordering::SeqCst);
    STOPPING.notify_waiters();
}

/// Ends when the run has been asked to stop: for waits that are not work in flight (a
/// robots.txt `Crawl-delay`, a retry's backoff), which an interrupted run does not sit out.
pub async fn stopped() {
    let notified = STOPPING.notified();
    tokio::pin!(notified);
    // Registered before the flag is read: a request between the two is not missed.
    notified.as_mut().enable();
    if requested().is_some() {
        return;
    }
    notified.await;
}

/// The signal that asked the run to stop, if one did.
pub fn requested() -> Option<i32> {
    match REQUESTED.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// The signal's name, as a person knows it.
pub fn name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "SIGINT (Ctrl+C)",
        SIGTERM => "SIGTERM",
        _ => "signal",
    }
}

/// A browser process started, with the profile folder it writes.
pub fn browser_started(pid: u32, profile: PathBuf) {
    BROWSERS.lock().unwrap_or_else(|e| e.into_inner()).push((pid, profile));
}

/// A browser process ended and its profile is gone.
pub fn browser_ended(pid: u32) {
    BROWSERS.lock().unwrap_or_else(|e| e.into_inner()).retain(|(p, _)| *p != pid);
}

/// Kills every browser still alive and removes its profile: the second signal's way out, which
/// runs no destructors.
pub fn end_browsers_now() {
    let browsers = std::mem::take(&mut *BROWSERS.lock().unwrap_or_else(|e| e.into_inner()));
    for (pid, profile) in browsers {
        // The browser's process group: Chromium's helpers go with it.
        let _ = std::process::Command::new("kill").args(["-KILL", &format!("-{pid}")]).status();
        let _ = std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status();
        // The processes hold files in the profile until they are gone.
        for _ in 0..50 {
            if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = std::fs::remove_dir_all(&profile);
    }
}

/// Listens for SIGINT and SIGTERM on a thread of its own: the first asks the run to stop (and
/// `told` says so on the console), the second ends the process with 128 + the signal's number.
pub fn install(told: impl Fn(i32) + Send + 'static) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        runtime.block_on(async move {
            use tokio::signal::unix::{signal, SignalKind};
            let (Ok(mut interrupt), Ok(mut terminate)) =
                (signal(SignalKind::interrupt()), signal(SignalKind::terminate()))
            else {
                return;
            };
            loop {
                let signal = tokio::select! {
                    _ = interrupt.recv() => SIGINT,
                    _ = terminate.recv() => SIGTERM,
                };
                if requested().is_some() {
                    end_browsers_now();
                    std::process::exit(128 + signal);
                }
                request(signal);
                told(signal);
            }
        });
    })?;
    Ok(())
}
