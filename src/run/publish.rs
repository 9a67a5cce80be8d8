//! Publishing a results folder: the reports written and the run stored in the history, in one pass
//! over the folder. `check` and `merge` end here alike.

use super::{RunError, SiteLine};
use crate::history::{RunWriter, Store};
use crate::options::{Formats, Output};
use crate::report::{write_recording, Destination, Recorder};
use crate::rundir::{Manifest, RunDir, SiteRecord};
use eldercheck_checks::check::{FindingOutcome, Lang};
use std::path::PathBuf;

/// How a results folder becomes reports and a stored run.
#[derive(Debug, Clone)]
pub struct Publishing {
    pub out: Output,
    pub formats: Formats,
    /// Language of the reports.
    pub lang: Lang,
    /// The history store, if any.
    pub db: Option<PathBuf>,
    pub keep_runs: Option<usize>,
}

/// Something the store said that the console should tell: `key` is a `console` message
/// (`store_unusable`, `not_stored`), `error` its detail.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreNotice {
    pub key: &'static str,
    pub error: String,
}

/// Writes the reports of a results folder and stores the run in the history, in one pass; returns
/// each site's line for the console and the exit code, and what the store had to say. History is
/// an addition: a store that cannot be used is reported, and the reports are written all the same.
pub fn publish(
    dir: &RunDir,
    manifest: &Manifest,
    p: &Publishing,
) -> Result<(Vec<SiteLine>, Vec<StoreNotice>), RunError> {
    let mut notices = Vec::new();
    let mut note = |key: &'static str, error: String| notices.push(StoreNotice { key, error });
    let mut store =
        p.db.as_deref().and_then(|db| Store::open(db).map_err(|e| note("store_unusable", e.to_string())).ok());
    let mut run =
        store.as_mut().and_then(|s| s.begin_run(manifest).map_err(|e| note("store_unusable", e.to_string())).ok());
    let recorder = run.as_mut().map(|r| r as &mut dyn Recorder);
    let mut sites = Vec::new();
    let mut each_site = |record: &SiteRecord| sites.push(SiteLine::of(record));
    let destination = Destination::of(&p.out);
    let store_error = write_recording(dir, p.lang, &p.formats.0, destination, recorder, &mut each_site)?;
    let stored = match (store_error, run) {
        (Some(e), _) => {
            note("not_stored", e);
            false
        }
        (None, Some(run)) => run.commit().map_err(|e| note("not_stored", e.to_string())).is_ok(),
        (None, None) => false,
    };
    if let (true, Some(store), Some(keep)) = (stored, store.as_mut(), p.keep_runs) {
        if let Err(e) = store.prune(keep) {
            note("store_unusable", e.to_string());
        }
    }
    Ok((sites, notices))
}

impl SiteLine {
    pub fn of(record: &SiteRecord) -> SiteLine {
        let s = &record.score;
        SiteLine {
            name: record.name.clone(),
            url: record.url.clone(),
            score: s.score,
            status: s.status,
            grade: s.grade,
            pages_requested: s.summary.pages_requested(),
            passed: s.passed,
            passed_with_accepted: s.passed_with_accepted,
            pages_checked: s.summary.pages_checked,
            pages_failed: s.summary.pages_failed_to_load,
            findings: s.summary.findings,
            issues: record
                .issues
                .iter()
                .filter(|i| i.outcome == FindingOutcome::Failed && i.accepted.is_none())
                .count(),
            accepted: s.summary.accepted,
            vetoes: s.vetoes.len(),
            unaccepted_vetoes: s.vetoes.iter().filter(|v| !v.accepted).count(),
            first_error: s.summary.first_error.clone(),
        }
    }
}

/// The history store as the first reader of the reporting pass.
impl Recorder for RunWriter<'_> {
    fn site(&mut self, site: &SiteRecord) -> Result<(), String> {
        RunWriter::site(self, site).map_err(|e| e.to_string())
    }

    fn page(&mut self, page: &crate::results::PageResult) -> Result<(), String> {
        RunWriter::page(self, page).map_err(|e| e.to_string())
    }

    fn end_site(&mut self, site: &mut SiteRecord) -> Result<(), String> {
        RunWriter::end_site(self, site).map_err(|e| e.to_string())
    }
}
