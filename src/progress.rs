//! Progress on stderr: a progress bar on a terminal, a plain line every few seconds otherwise,
//! nothing with `-q`.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub use crate::options::Verbosity as Progress;

pub struct ProgressReporter {
    mode: Progress,
    bar: Option<ProgressBar>,
    sites: AtomicUsize,
    sites_done: AtomicUsize,
    queued: AtomicUsize,
    done: AtomicUsize,
    errors: AtomicUsize,
    started: Instant,
    last_line: Mutex<Instant>,
}

impl ProgressReporter {
    pub fn new(mode: Progress) -> Self {
        let bar = (mode != Progress::Quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(0);
            if let Ok(style) = ProgressStyle::with_template("{spinner} {bar:30} {pos}/{len} pages {msg} [{elapsed}]") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        ProgressReporter {
            mode,
            bar,
            sites: AtomicUsize::new(0),
            sites_done: AtomicUsize::new(0),
            queued: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            errors: AtomicUsize::new(0),
            started: Instant::now(),
            last_line: Mutex::new(Instant::now()),
        }
    }

    pub fn add_sites(&self, n: usize) {
        self.sites.fetch_add(n, Ordering::Relaxed);
        self.refresh(false);
    }

    pub fn site_done(&self) {
        self.sites_done.fetch_add(1, Ordering::Relaxed);
        self.refresh(false);
    }

    /// Pages added to the queue (known total for local runs, discovered links for crawls).
    pub fn add_queued(&self, n: usize) {
        let total = self.queued.fetch_add(n, Ordering::Relaxed) + n;
        if let Some(bar) = &self.bar {
            bar.set_length(total as u64);
        }
    }

    /// A page is done; `error` is its error kind and message when it could not be checked.
    pub fn page_done(&self, url: &str, error: Option<(&str, &str)>) {
        self.done.fetch_add(1, Ordering::Relaxed);
        match error {
            Some((kind, message)) => {
                self.errors.fetch_add(1, Ordering::Relaxed);
                if self.mode != Progress::Quiet {
                    self.line(&format!("error: {url}: {message} ({kind})"));
                }
            }
            None if self.mode == Progress::Verbose => self.line(&format!("checked {url}")),
            None => {}
        }
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
        self.refresh(false);
    }

    fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }

    fn status(&self) -> String {
        let sites = self.sites.load(Ordering::Relaxed);
        let sites_part = if sites > 1 {
            format!(", sites {}/{sites}", self.sites_done.load(Ordering::Relaxed))
        } else {
            String::new()
        };
        format!("{} errors{sites_part}", self.errors.load(Ordering::Relaxed))
    }

    fn refresh(&self, force: bool) {
        if self.mode == Progress::Quiet {
            return;
        }
        if let Some(bar) = &self.bar {
            bar.set_message(self.status());
            return;
        }
        let Ok(mut last) = self.last_line.lock() else { return };
        if force || last.elapsed() >= Duration::from_secs(5) {
            *last = Instant::now();
            eprintln!(
                "checked {}/{} pages, {}",
                self.done.load(Ordering::Relaxed),
                self.queued.load(Ordering::Relaxed),
                self.status()
            );
        }
    }

    pub fn finish(&self) {
        if self.mode == Progress::Quiet {
            return;
        }
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        eprintln!(
            "{} pages in {:.2} s, {}",
            self.done.load(Ordering::Relaxed),
            self.started.elapsed().as_secs_f64(),
            self.status()
        );
    }
}
