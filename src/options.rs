//! What `eldercheck check` is asked to do, and every default in one place: the command line's help,
//! eldercheck.toml and the library all read these constants.

use eldercheck_checks::page::style::Viewport;
use std::path::PathBuf;
use std::time::Duration;

pub use eldercheck_checks::profile::{DEFAULT_PASS_MARK, DEFAULT_PROFILE};

pub const DEFAULT_OUT: &str = "eldercheck-report";
pub const DEFAULT_FORMATS: &str = "html,json,csv";
pub const DEFAULT_MAX_PAGES: usize = 100;
pub const DEFAULT_MAX_DEPTH: u32 = 3;
pub const DEFAULT_CONCURRENCY: usize = 8;
pub const DEFAULT_DELAY_MS: u64 = 250;
pub const DEFAULT_TIMEOUT_S: u64 = 20;
pub const DEFAULT_RETRIES: u32 = 2;
pub const DEFAULT_MAX_BODY_MIB: usize = 5;
pub const DEFAULT_LANG: &str = "zh-CN";
pub const DEFAULT_VIEWPORT: &str = "desktop";
pub const DEFAULT_DB: &str = "eldercheck.db";
/// Largest `--sites` list, profile, config or baseline file read.
pub const MAX_INPUT_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// An output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Json,
    Csv,
    Junit,
    Sarif,
}

impl Format {
    pub const ALL: [Format; 5] = [Format::Html, Format::Json, Format::Csv, Format::Junit, Format::Sarif];

    pub fn name(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Junit => "junit",
            Format::Sarif => "sarif",
        }
    }

    /// Parses `html,json,csv`.
    pub fn parse_list(text: &str) -> Result<Vec<Format>, String> {
        let mut formats = Vec::new();
        for name in text.split(',').map(|f| f.trim().to_ascii_lowercase()).filter(|f| !f.is_empty()) {
            let format = Format::ALL
                .into_iter()
                .find(|f| f.name() == name)
                .ok_or_else(|| format!("--format {name}: unknown format (html, json, csv, junit, sarif)"))?;
            if !formats.contains(&format) {
                formats.push(format);
            }
        }
        Ok(formats)
    }
}

/// Where reports go.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// `--out DIR`: report files, and the results folder `DIR/results`.
    Dir(PathBuf),
    /// `--out -`: report.json on standard output.
    Stdout,
}

/// How pages are gathered, as given (ranges are checked when the run starts).
#[derive(Debug, Clone)]
pub struct CrawlSettings {
    /// Pages per site; `None` = the crawl default, and every page of a local folder.
    pub max_pages: Option<usize>,
    pub max_depth: u32,
    pub concurrency: usize,
    /// Minimum gap between two requests to one host.
    pub delay: Duration,
    /// Timeout of one request.
    pub timeout: Duration,
    pub retries: u32,
    pub max_body_mib: usize,
    pub respect_robots: bool,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

impl Default for CrawlSettings {
    fn default() -> Self {
        CrawlSettings {
            max_pages: None,
            max_depth: DEFAULT_MAX_DEPTH,
            concurrency: DEFAULT_CONCURRENCY,
            delay: Duration::from_millis(DEFAULT_DELAY_MS),
            timeout: Duration::from_secs(DEFAULT_TIMEOUT_S),
            retries: DEFAULT_RETRIES,
            max_body_mib: DEFAULT_MAX_BODY_MIB,
            respect_robots: true,
            include: Vec::new(),
            exclude: Vec::new(),
        }
    }
}

/// Progress output on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Verbosity {
    Quiet,
    #[default]
    Normal,
    Verbose,
}

/// Parses `--viewport`: desktop (1280×800), mobile (390×844) or WIDTHxHEIGHT.
pub fn parse_viewport(text: &str) -> Result<Viewport, String> {
    match text {
        "desktop" => Ok(Viewport::DESKTOP),
        "mobile" => Ok(Viewport::MOBILE),
        other => {
            let usage = || format!("viewport {other:?}: use desktop, mobile or WIDTHxHEIGHT");
            let (w, h) = other.split_once(['x', '×']).ok_or_else(usage)?;
            let width: f32 = w.trim().parse().map_err(|_| usage())?;
            let height: f32 = h.trim().parse().map_err(|_| usage())?;
            if !(1.0..=100_000.0).contains(&width) || !(1.0..=100_000.0).contains(&height) {
                return Err(format!("viewport {other:?} must be between 1×1 and 100000×100000"));
            }
            Ok(Viewport { width, height })
        }
    }
}

/// Reads a small input file (site list, profile, config, baseline): regular files only, capped.
pub fn read_input_file(path: &std::path::Path) -> Result<Vec<u8>, String> {
    let metadata = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if !metadata.is_file() {
        return Err(format!("{}: not a regular file", path.display()));
    }
    if metadata.len() > MAX_INPUT_FILE_BYTES {
        return Err(format!("{}: larger than {} MiB", path.display(), MAX_INPUT_FILE_BYTES / 1024 / 1024));
    }
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_INPUT_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_INPUT_FILE_BYTES {
        return Err(format!("{}: larger than {} MiB", path.display(), MAX_INPUT_FILE_BYTES / 1024 / 1024));
    }
    Ok(bytes)
}
