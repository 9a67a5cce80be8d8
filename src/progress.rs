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
    lang: eldercheck_checks::check::Lang,
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
    pub fn new(mode: Progress, lang: eldercheck_checks::check::Lang) -> Self {
        let bar = (mode != Progress::Quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new(0);
            let template = if lang == eldercheck_checks::check::Lang::En {
                "{spinner} {bar:30} {pos}/{len} pages{msg} [{elapsed}]"
            } else {
                "{spinner} {bar:30} {pos}/{len} 个页面{msg} [{elapsed}]"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        ProgressReporter {
            mode,
            lang,
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
                    let explained = crate::explain::explain(kind, message, crate::i18n::strings(self.lang));
                    self.line(&self.say(
                        "page_error",
                        &[("url", url.to_string()), ("what", explained.what), ("todo", explained.todo)],
                    ));
                    // The technical chain is for whoever runs the server: shown when asked for (-v).
                    if self.mode == Progress::Verbose {
                        self.line(&self.say("page_error_detail", &[("detail", explained.detail)]));
                    }
                }
            }
            None if self.mode == Progress::Verbose => self.line(&self.say("page_checked", &[("url", url.to_string())])),
            None => {}
        }
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
        self.refresh(false);
    }

    /// A notice about the run as a whole (rendering given up, …), given even with `-q`: it changes
    /// what was checked.
    pub fn notice(&self, key: &str, values: &[(&str, String)]) {
        self.line(&self.say(key, values));
    }

    fn say(&self, key: &str, values: &[(&str, String)]) -> String {
        crate::i18n::say(crate::i18n::strings(self.lang), &["console", key], values)
    }

    fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }

    /// ", sites 3/200" during a batch.
    fn sites_part(&self) -> String {
        let sites = self.sites.load(Ordering::Relaxed);
        if sites > 1 {
            let done = self.sites_done.load(Ordering::Relaxed).to_string();
            self.say("progress_sites", &[("done", done), ("total", sites.to_string())])
        } else {
            String::new()
        }
    }

    fn status(&self) -> String {
        let line = self.say(
            "progress",
            &[
                ("done", self.done.load(Ordering::Relaxed).to_string()),
                ("queued", self.queued.load(Ordering::Relaxed).to_string()),
                ("errors", self.errors.load(Ordering::Relaxed).to_string()),
            ],
        );
        format!("{line}{}", self.sites_part())
    }

    fn refresh(&self, force: bool) {
        if self.mode == Progress::Quiet {
            return;
        }
        if let Some(bar) = &self.bar {
            bar.set_message(self.sites_part());
            return;
        }
        let Ok(mut last) = self.last_line.lock() else { return };
        if force || last.elapsed() >= Duration::from_secs(5) {
            *last = Instant::now();
            eprintln!("{}", self.status());
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
            "{}{}",
            self.say(
                "finished",
                &[
                    ("n", self.done.load(Ordering::Relaxed).to_string()),
                    ("secs", format!("{:.2}", self.started.elapsed().as_secs_f64())),
                    ("errors", self.errors.load(Ordering::Relaxed).to_string()),
                ]
            ),
            self.sites_part()
        );
    }
}
