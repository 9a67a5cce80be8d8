//! Reports, written from a results folder in one pass over its pages: every format is a [`Sink`]
//! that sees the run, then each site's record and its pages one at a time. Translation happens here:
//! results keep both languages, a report shows one. Check titles and docs come from the catalogue
//! stored with the results, so a report can be written by a process that never loaded the profile.
//! Writers only format: every number and verdict a report shows is in the results.

pub mod csv;
pub mod html;
pub mod json;
pub mod junit;
pub mod sarif;

use crate::options::Format;
use crate::results::PageResult;
use crate::rundir::{Manifest, RunDir, RunDirError, SiteRecord};
use eldercheck_checks::check::{Family, Lang, Message};
use eldercheck_checks::CheckInfo;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Results(#[from] RunDirError),
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: std::io::Error },
    #[error("report template: {0}")]
    Template(String),
}

/// What every writer needs besides the records: the run, the language, the catalogue, the ranking.
pub struct ReportContext {
    pub manifest: Manifest,
    pub lang: Lang,
    /// The batch's ranking and totals.
    pub summary: crate::ranking::RunSummary,
}

impl ReportContext {
    pub fn check(&self, id: &str) -> Option<&CheckInfo> {
        self.manifest.check(id)
    }

    /// The check's title, failing or passing, in the report language (the id if unknown).
    pub fn title(&self, id: &str, failing: bool) -> String {
        self.check(id).map_or_else(|| id.to_string(), |c| c.title_in(self.lang, failing).to_string())
    }

    pub fn family(&self, id: &str) -> Option<Family> {
        self.check(id).map(|c| c.family)
    }

    pub fn message<'a>(&self, message: &'a Message) -> &'a str {
        message.get(self.lang)
    }

    pub fn lang_tag(&self) -> &'static str {
        match self.lang {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn is_batch(&self) -> bool {
        self.manifest.sites.len() > 1
    }
}

/// A reader that sees each site before the reports do and completes its record: the history store
/// stores the run and adds each site's trend and changes. Storing and reporting share one pass.
pub trait Recorder {
    fn site(&mut self, site: &SiteRecord) -> Result<(), String>;
    fn page(&mut self, page: &PageResult) -> Result<(), String>;
    fn end_site(&mut self, site: &mut SiteRecord) -> Result<(), String>;
}

/// One output format, fed the run in a single pass.
pub trait Sink {
    fn begin(&mut self, cx: &ReportContext) -> Result<(), WriteError>;
    fn site(&mut self, cx: &ReportContext, index: usize, site: &SiteRecord) -> Result<(), WriteError>;
    fn page(&mut self, cx: &ReportContext, site: &SiteRecord, page: &PageResult) -> Result<(), WriteError>;
    fn end_site(&mut self, cx: &ReportContext, index: usize, site: &SiteRecord) -> Result<(), WriteError>;
    fn end(&mut self, cx: &ReportContext) -> Result<(), WriteError>;
}

/// A file written under a temporary name and renamed into place when complete, so that a crash
/// never leaves half a report where the previous one was.
pub struct AtomicFile {
    path: PathBuf,
    temporary: PathBuf,
    /// `None` once committed.
    writer: Option<std::io::BufWriter<std::fs::File>>,
}

impl AtomicFile {
    pub fn create(path: &Path) -> Result<AtomicFile, WriteError> {
        let temporary =
            path.with_extension(format!("{}.partial", path.extension().and_then(|e| e.to_str()).unwrap_or("out")));
        let file = std::fs::File::create(&temporary).map_err(write_error(&temporary))?;
        Ok(AtomicFile { path: path.to_path_buf(), temporary, writer: Some(std::io::BufWriter::new(file)) })
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), WriteError> {
        match self.writer.as_mut() {
            Some(writer) => writer.write_all(bytes).map_err(write_error(&self.temporary)),
            None => Err(WriteError::Write {
                path: self.path.display().to_string(),
                source: std::io::Error::other("written after it was committed"),
            }),
        }
    }

    /// Flushes and renames the file into place; once only.
    pub fn commit(&mut self) -> Result<(), WriteError> {
        let Some(mut writer) = self.writer.take() else { return Ok(()) };
        writer.flush().map_err(write_error(&self.temporary))?;
        drop(writer);
        std::fs::rename(&self.temporary, &self.path).map_err(write_error(&self.path))
    }
}

impl Drop for AtomicFile {
    /// A report that was never completed leaves nothing behind; the previous one stays in place.
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = std::fs::remove_file(&self.temporary);
        }
    }
}

pub fn write_error(path: &Path) -> impl Fn(std::io::Error) -> WriteError + '_ {
    move |source| WriteError::Write { path: path.display().to_string(), source }
}

/// Where the reports go.
pub enum Destination<'a> {
    Dir(&'a Path),
    /// report.json on standard output.
    Stdout,
}

impl<'a> Destination<'a> {
    /// Where `--out` asked for the reports.
    pub fn of(output: &'a crate::options::Output) -> Destination<'a> {
        match output {
            crate::options::Output::Dir(dir) => Destination::Dir(dir),
            crate::options::Output::Stdout => Destination::Stdout,
        }
    }
}

/// Writes `formats` from a results folder in one pass.
pub fn write_reports(
    dir: &RunDir,
    lang: Lang,
    formats: &[Format],
    destination: Destination<'_>,
) -> Result<(), WriteError> {
    write_recording(dir, lang, formats, destination, None, &mut |_| ()).map(|_| ())
}

/// Writes `formats` in one pass that `recorder` (the history store) reads first. A recorder that fails
/// is left out for the rest of the pass and its error returned: the reports are written all the same,
/// without what the recorder would have added. `each_site` sees every completed site record, so that a
/// caller needing a summary does not read the (possibly large) records again.
pub fn write_recording(
    dir: &RunDir,
    lang: Lang,
    formats: &[Format],
    destination: Destination<'_>,
    mut recorder: Option<&mut dyn Recorder>,
    each_site: &mut dyn FnMut(&SiteRecord),
) -> Result<Option<String>, WriteError> {
    let mut recorder_error = None;
    let manifest = dir.read_manifest()?;
    let summary = dir.read_summary(manifest.sites.len())?;
    let cx = ReportContext { manifest, lang, summary };
    let mut sinks: Vec<Box<dyn Sink>> = Vec::new();
    match destination {
        Destination::Stdout => sinks.push(Box::new(json::JsonSink::to_stream(Box::new(std::io::stdout().lock())))),
        Destination::Dir(out) => {
            std::fs::create_dir_all(out).map_err(write_error(out))?;
            for format in formats {
                sinks.push(match format {
                    Format::Json => Box::new(json::JsonSink::to_file(&out.join("report.json"))?),
                    Format::Csv => Box::new(csv::CsvSink::create(out)?),
                    Format::Html => Box::new(html::HtmlSink::new(out, Some(dir.screens_path()))),
                    Format::Junit => Box::new(junit::JunitSink::create(&out.join("report.junit.xml"))?),
                    Format::Sarif => Box::new(sarif::SarifSink::create(&out.join("report.sarif"))?),
                });
            }
        }
    }
    for sink in &mut sinks {
        sink.begin(&cx)?;
    }
    for index in 0..cx.manifest.sites.len() {
        if !dir.has_site(index) {
            continue;
        }
        let mut site = dir.read_site(index)?;
        if site.verdict.is_none() {
            site.verdict = Some(crate::verdict::verdict(&site.score, &site.issues, &cx.manifest.policy));
        }
        let mut record = |result: Result<(), String>, recorder: &mut Option<&mut dyn Recorder>| {
            if let Err(e) = result {
                recorder_error = Some(e);
                *recorder = None;
            }
        };
        if let Some(r) = recorder.as_deref_mut() {
            record(r.site(&site), &mut recorder);
        }
        for sink in &mut sinks {
            sink.site(&cx, index, &site)?;
        }
        for page in dir.pages(index)? {
            let page = page?;
            if let Some(r) = recorder.as_deref_mut() {
                record(r.page(&page), &mut recorder);
            }
            for sink in &mut sinks {
                sink.page(&cx, &site, &page)?;
            }
        }
        if let Some(r) = recorder.as_deref_mut() {
            let completed = r.end_site(&mut site);
            if completed.is_ok() {
                // The results folder keeps what the recorder added, for reports written again later.
                dir.write_site(index, &site)?;
            }
            record(completed, &mut recorder);
        }
        for sink in &mut sinks {
            sink.end_site(&cx, index, &site)?;
        }
        each_site(&site);
    }
    for sink in &mut sinks {
        sink.end(&cx)?;
    }
    Ok(recorder_error)
}

/// Only web and file addresses become links: a page can never smuggle `javascript:` into a report.
pub fn safe_link(url: &str) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("file://"))
        .then(|| url.to_string())
}
