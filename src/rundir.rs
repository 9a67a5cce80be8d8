//! The results folder: where a run's results are spilled as pages complete, and what every report
//! and the history store read. Nothing holds all pages of a run in memory: pages are written one
//! JSON line each, and read back one at a time.
//!
//! ```text
//! results/
//!   run.json                  the manifest: tool, profile, policy, catalogue, sites
//!   sites/000001.json         a site's record: scores, vetoes, site-level checks, summary, history
//!   sites/000001.pages.jsonl  its pages, one PageResult a line, ordered by depth then URL
//!   screens/<digest>.jpg      screenshots of rendered pages
//! ```

use crate::policy::Policy;
use crate::results::{CheckOutcome, PageResult};
use crate::score::SiteScore;
use eldercheck_checks::CheckInfo;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Version of the results folder and of report.json.
pub const SCHEMA_VERSION: u32 = 2;
/// Longest page line read back (a hostile results folder cannot make a reader allocate more).
const MAX_LINE_BYTES: u64 = 512 * 1024 * 1024;
/// Largest site record, one page line and one site's pages copied from another results folder (a
/// shard's): a site of 10,000 pages writes about 500 MB.
const MAX_COPIED_RECORD_BYTES: u64 = 64 * 1024 * 1024;
const MAX_COPIED_LINE_BYTES: usize = 16 * 1024 * 1024;
const MAX_COPIED_PAGES_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// Largest screenshot copied, and all screenshots of one shard together.
const MAX_SCREENSHOT_BYTES: u64 = 8 * 1024 * 1024;
const MAX_SCREENS_BYTES: u64 = 4 * 1024 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum RunDirError {
    #[error("results folder {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("results folder {path}: {message}")]
    Invalid { path: String, message: String },
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> RunDirError + '_ {
    move |source| RunDirError::Io { path: path.display().to_string(), source }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

/// The run as a whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema_version: u32,
    pub tool: Tool,
    /// The profile's name.
    pub profile: String,
    pub generated_at: String,
    pub policy: Policy,
    /// Every check of the run's catalogue (built-in and custom), so reports need no profile.
    pub catalogue: Vec<CheckInfo>,
    /// The sites of the run, in order.
    pub sites: Vec<SiteEntry>,
    /// Present when the run is one shard of a batch (`--shard K/N`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<crate::shard::ShardInfo>,
    /// How the pages were looked at (absent in folders of older versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<Method>,
}

/// How a run looked at its pages, which the report states: the same site can score a little
/// differently with and without a browser, and a reader must be able to tell which it was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Method {
    /// The viewport pages were laid out in, `WIDTHxHEIGHT`.
    pub viewport: String,
    /// `--render`: never, auto or always.
    pub render: String,
    /// Whether a browser was there to render with.
    pub browser: bool,
}

/// A site as the run was asked to check it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteEntry {
    pub url: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

impl Manifest {
    pub fn check(&self, id: &str) -> Option<&CheckInfo> {
        self.catalogue.iter().find(|c| c.id == id)
    }
}

/// A score's point in an earlier run, from the history store.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TrendPoint {
    pub generated_at: String,
    pub score: Option<f64>,
}

/// What changed since the site's previous stored run (issue ids).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Changes {
    pub new: Vec<String>,
    pub fixed: Vec<String>,
    /// What each listed issue is (check and title), also for fixed issues that are gone from this run.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub labels: std::collections::BTreeMap<String, ChangeLabel>,
    /// How many there are in all when the lists were cut short (very large sites).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_total: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_total: Option<usize>,
    /// Issues still present that a baseline accepted: neither new nor fixed.
    #[serde(default)]
    pub accepted: usize,
}

/// What an issue in a list of changes is.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ChangeLabel {
    pub check: String,
    pub label: String,
}

/// One site's result without its pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteRecord {
    pub url: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(flatten)]
    pub score: SiteScore,
    /// Site-level checks, judged once on the home page and stored once.
    pub site_checks: Vec<CheckOutcome>,
    /// Findings grouped by root cause, most important first.
    #[serde(default)]
    pub issues: Vec<crate::issues::Issue>,
    /// Root causes beyond the listing limit, per check: (findings, pages).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub issues_not_listed: std::collections::BTreeMap<String, (usize, usize)>,
    /// Earlier runs of this site from the history store, oldest first.
    #[serde(default)]
    pub trend: Vec<TrendPoint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Changes>,
    /// The one-sentence verdict's substance (absent in folders of older versions: it is then
    /// decided when the folder is read for reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<crate::verdict::SiteVerdict>,
}

/// A score as a results folder may hold one: none, or 0–100.
fn score_in_range(score: Option<f64>) -> bool {
    score.is_none_or(|s| s.is_finite() && (0.0..=100.0).contains(&s))
}

/// Copies a pages file line by line, each line parsed and its score checked, within the size limits.
fn copy_page_lines(from: &Path, to: &Path) -> Result<(), String> {
    use std::io::BufRead;
    let fail = |what: String| format!("{}: {what}", from.display());
    let input = File::open(from).map_err(|e| fail(e.to_string()))?;
    let mut reader = BufReader::new(input.take(MAX_COPIED_PAGES_BYTES + 1));
    let mut output = BufWriter::new(File::create(to).map_err(|e| format!("{}: {e}", to.display()))?);
    let (mut line, mut number, mut total) = (Vec::new(), 0usize, 0u64);
    loop {
        line.clear();
        let read = (&mut reader)
            .take(MAX_COPIED_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| fail(e.to_string()))?;
        if read == 0 {
            break;
        }
        number += 1;
        total += read as u64;
        if line.len() > MAX_COPIED_LINE_BYTES || total > MAX_COPIED_PAGES_BYTES {
            return Err(fail(format!("line {number} is over the size limit")));
        }
        let page: PageResult = serde_json::from_slice(&line).map_err(|e| fail(format!("line {number}: {e}")))?;
        if !score_in_range(page.score) {
            return Err(fail(format!("line {number}: a page score out of range")));
        }
        output.write_all(&line).map_err(|e| fail(e.to_string()))?;
        if !line.ends_with(b"\n") {
            output.write_all(b"\n").map_err(|e| fail(e.to_string()))?;
        }
    }
    output.flush().map_err(|e| fail(e.to_string()))
}

impl SiteRecord {
    /// Whether the record's numbers are ones a run can produce.
    pub fn check_ranges(&self) -> Result<(), String> {
        let s = &self.score;
        let scores = [s.score, s.score_with_accepted].into_iter().chain(s.family_scores.values().copied());
        if !scores.into_iter().all(score_in_range) {
            return Err("a score out of range (0–100)".into());
        }
        Ok(())
    }

    /// What ranking needs of this site, at position `index`.
    pub fn rank_input(&self, index: usize) -> crate::ranking::RankInput {
        crate::ranking::RankInput {
            index,
            group: self.group.clone(),
            score: self.score.score,
            status: self.score.status,
            passed: self.score.passed,
        }
    }
}

/// A results folder.
#[derive(Debug, Clone)]
pub struct RunDir {
    path: PathBuf,
}

impl RunDir {
    /// Creates (or empties) a results folder.
    pub fn create(path: &Path) -> Result<RunDir, RunDirError> {
        let sites = path.join("sites");
        if sites.exists() {
            std::fs::remove_dir_all(&sites).map_err(io_error(&sites))?;
        }
        std::fs::create_dir_all(&sites).map_err(io_error(&sites))?;
        Ok(RunDir { path: path.to_path_buf() })
    }

    /// Opens an existing results folder.
    pub fn open(path: &Path) -> Result<RunDir, RunDirError> {
        if !path.join("run.json").is_file() {
            return Err(RunDirError::Invalid {
                path: path.display().to_string(),
                message: "no run.json: not an eldercheck results folder".into(),
            });
        }
        Ok(RunDir { path: path.to_path_buf() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn manifest_path(&self) -> PathBuf {
        self.path.join("run.json")
    }

    fn site_path(&self, index: usize) -> PathBuf {
        self.path.join("sites").join(format!("{:06}.json", index + 1))
    }

    fn pages_path(&self, index: usize) -> PathBuf {
        self.path.join("sites").join(format!("{:06}.pages.jsonl", index + 1))
    }

    fn unsorted_pages_path(&self, index: usize) -> PathBuf {
        self.path.join("sites").join(format!("{:06}.pages.unsorted", index + 1))
    }

    pub fn write_manifest(&self, manifest: &Manifest) -> Result<(), RunDirError> {
        write_json(&self.manifest_path(), manifest)
    }

    pub fn read_manifest(&self) -> Result<Manifest, RunDirError> {
        let manifest: Manifest = read_json(&self.manifest_path())?;
        if manifest.schema_version != SCHEMA_VERSION {
            return Err(RunDirError::Invalid {
                path: self.path.display().to_string(),
                message: format!(
                    "written with results schema {} (this eldercheck reads {SCHEMA_VERSION})",
                    manifest.schema_version
                ),
            });
        }
        Ok(manifest)
    }

    /// The batch's ranking and totals, decided once the sites are in.
    pub fn write_summary(&self, summary: &crate::ranking::RunSummary) -> Result<(), RunDirError> {
        write_json(&self.path.join("summary.json"), summary)
    }

    /// The batch's ranking and totals: as written, or decided from the site records (folders of
    /// older versions, or written by hand).
    pub fn read_summary(&self, sites: usize) -> Result<crate::ranking::RunSummary, RunDirError> {
        let path = self.path.join("summary.json");
        if path.is_file() {
            return read_json(&path);
        }
        let mut inputs = Vec::new();
        for index in (0..sites).filter(|i| self.has_site(*i)) {
            inputs.push(self.read_site(index)?.rank_input(index));
        }
        Ok(crate::ranking::summarise(&inputs))
    }

    pub fn write_site(&self, index: usize, site: &SiteRecord) -> Result<(), RunDirError> {
        write_json(&self.site_path(index), site)
    }

    pub fn read_site(&self, index: usize) -> Result<SiteRecord, RunDirError> {
        read_json(&self.site_path(index))
    }

    pub fn has_site(&self, index: usize) -> bool {
        self.site_path(index).is_file()
    }

    /// Copies site `from` of another results folder (record and pages) to site `to` of this one.
    pub fn copy_site_from(&self, other: &RunDir, from: usize, to: usize) -> Result<(), RunDirError> {
        let (record, target) = (other.site_path(from), self.site_path(to));
        std::fs::copy(&record, &target).map_err(io_error(&record))?;
        let (pages, target) = (other.pages_path(from), self.pages_path(to));
        if pages.is_file() {
            std::fs::copy(&pages, &target).map_err(io_error(&pages))?;
        }
        Ok(())
    }

    /// Copies site `from` of another results folder (a shard's) to site `to` of this one, reading it
    /// as input: sizes capped, every line parsed, scores in range. A damaged or tampered site is
    /// refused with what is wrong and which file, and nothing of it is copied.
    pub fn copy_site_checked(&self, other: &RunDir, from: usize, to: usize) -> Result<(), String> {
        let record_path = other.site_path(from);
        let fail = |what: String| format!("{}: {what}", record_path.display());
        let size = std::fs::metadata(&record_path).map_err(|e| fail(e.to_string()))?.len();
        if size > MAX_COPIED_RECORD_BYTES {
            return Err(fail(format!("{size} bytes, over the {MAX_COPIED_RECORD_BYTES}-byte limit")));
        }
        let record: SiteRecord = read_json(&record_path).map_err(|e| e.to_string())?;
        record.check_ranges().map_err(fail)?;
        let pages_from = other.pages_path(from);
        let pages_to = self.pages_path(to);
        if pages_from.is_file() {
            copy_page_lines(&pages_from, &pages_to)?;
        }
        write_json(&self.site_path(to), &record).map_err(|e| e.to_string())
    }

    /// Where rendered pages' screenshots are (`screens/`, named by a digest of the page URL).
    pub fn screens_path(&self) -> PathBuf {
        self.path().join("screens")
    }

    /// Copies another results folder's screenshots (a shard's, when merging). Only regular `.jpg`
    /// files are copied: a results folder is input, and a link in it could point anywhere.
    pub fn copy_screens_from(&self, other: &RunDir) -> Result<usize, RunDirError> {
        let from = other.screens_path();
        let Ok(entries) = std::fs::read_dir(&from) else { return Ok(0) };
        let to = self.screens_path();
        std::fs::create_dir_all(&to).map_err(io_error(&to))?;
        let (mut copied, mut bytes) = (0, 0u64);
        for entry in entries.flatten() {
            let name = entry.file_name();
            let plain = name.to_str().is_some_and(|n| n.ends_with(".jpg") && !n.starts_with('.'));
            let size = entry.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
            // A screenshot is at most 800 × 3,000 px: anything larger is not one of ours.
            let Some(size) = size.filter(|s| *s <= MAX_SCREENSHOT_BYTES) else { continue };
            if plain && entry.file_type().is_ok_and(|t| t.is_file()) && bytes + size <= MAX_SCREENS_BYTES {
                let source = entry.path();
                std::fs::copy(&source, to.join(&name)).map_err(io_error(&source))?;
                copied += 1;
                bytes += size;
            }
        }
        Ok(copied)
    }

    /// A writer for a site's pages as they complete, in any order.
    pub fn page_writer(&self, index: usize) -> Result<PageWriter, RunDirError> {
        let path = self.unsorted_pages_path(index);
        let file = File::create(&path).map_err(io_error(&path))?;
        Ok(PageWriter { path, file: BufWriter::new(file), index: Vec::new(), offset: 0, site: index })
    }

    /// Reads a site's pages one at a time, in order.
    pub fn pages(&self, index: usize) -> Result<PageReader, RunDirError> {
        let path = self.pages_path(index);
        let file = match File::open(&path) {
            Ok(file) => Some(BufReader::new(file)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_error(&path)(e)),
        };
        Ok(PageReader { path, file, line: Vec::new() })
    }
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), RunDirError> {
    let file = File::create(path).map_err(io_error(path))?;
    let mut writer = BufWriter::new(file);
    serde_json::to_writer(&mut writer, value)
        .map_err(|e| RunDirError::Io { path: path.display().to_string(), source: e.into() })?;
    writer.flush().map_err(io_error(path))
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, RunDirError> {
    // from_slice is several times faster than from_reader, which pulls one byte at a time.
    let mut bytes = Vec::new();
    File::open(path).map_err(io_error(path))?.take(MAX_LINE_BYTES).read_to_end(&mut bytes).map_err(io_error(path))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| RunDirError::Invalid { path: path.display().to_string(), message: e.to_string() })
}

/// Spills one site's pages as they complete; [`PageWriter::finish`] puts them in order.
pub struct PageWriter {
    path: PathBuf,
    file: BufWriter<File>,
    /// (depth, url, offset, length) of every page written: the sort key and where the line is.
    index: Vec<(u32, String, u64, u64)>,
    offset: u64,
    site: usize,
}

impl PageWriter {
    pub fn write(&mut self, page: &PageResult) -> Result<(), RunDirError> {
        let mut line = serde_json::to_vec(page)
            .map_err(|e| RunDirError::Io { path: self.path.display().to_string(), source: e.into() })?;
        line.push(b'\n');
        self.file.write_all(&line).map_err(io_error(&self.path))?;
        self.index.push((page.depth, page.url.clone(), self.offset, line.len() as u64));
        self.offset += line.len() as u64;
        Ok(())
    }

    pub fn pages(&self) -> usize {
        self.index.len()
    }

    /// Writes the pages in order (depth, then URL) to the site's pages file and removes the spill.
    pub fn finish(mut self, dir: &RunDir) -> Result<(), RunDirError> {
        self.file.flush().map_err(io_error(&self.path))?;
        drop(self.file);
        self.index.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        let sorted = dir.pages_path(self.site);
        let mut input = File::open(&self.path).map_err(io_error(&self.path))?;
        let mut output = BufWriter::new(File::create(&sorted).map_err(io_error(&sorted))?);
        let mut buffer = Vec::new();
        for (_, _, offset, length) in &self.index {
            input.seek(SeekFrom::Start(*offset)).map_err(io_error(&self.path))?;
            buffer.resize(*length as usize, 0);
            input.read_exact(&mut buffer).map_err(io_error(&self.path))?;
            output.write_all(&buffer).map_err(io_error(&sorted))?;
        }
        output.flush().map_err(io_error(&sorted))?;
        std::fs::remove_file(&self.path).map_err(io_error(&self.path))
    }
}

/// Reads pages back one line at a time.
pub struct PageReader {
    path: PathBuf,
    file: Option<BufReader<File>>,
    line: Vec<u8>,
}

impl Iterator for PageReader {
    type Item = Result<PageResult, RunDirError>;

    fn next(&mut self) -> Option<Self::Item> {
        let file = self.file.as_mut()?;
        self.line.clear();
        match file.by_ref().take(MAX_LINE_BYTES).read_until(b'\n', &mut self.line) {
            Ok(0) => None,
            Ok(_) => {
                Some(serde_json::from_slice(&self.line).map_err(|e| RunDirError::Invalid {
                    path: self.path.display().to_string(),
                    message: e.to_string(),
                }))
            }
            Err(e) => Some(Err(io_error(&self.path)(e))),
        }
    }
}

/// Now, as a manifest's `generated_at`.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_come_back_in_depth_then_url_order() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = RunDir::create(tmp.path()).expect("create");
        let mut writer = dir.page_writer(0).expect("writer");
        for (url, depth) in [("https://a.cn/z", 1), ("https://a.cn/", 0), ("https://a.cn/b", 1), ("https://a.cn/a", 2)]
        {
            writer.write(&PageResult::new(url.into(), url.into(), Some(200), depth)).expect("write");
        }
        assert_eq!(writer.pages(), 4);
        writer.finish(&dir).expect("finish");
        let urls: Vec<String> = dir.pages(0).expect("pages").map(|p| p.expect("page").url).collect();
        assert_eq!(urls, ["https://a.cn/", "https://a.cn/b", "https://a.cn/z", "https://a.cn/a"]);
        assert_eq!(dir.pages(7).expect("no pages").count(), 0, "a site without pages reads as empty");
    }
}
