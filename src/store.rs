//! Run history in SQLite (`--db FILE`): every run with its sites, pages, check outcomes and findings,
//! so reports can show the trend and what got fixed or broke. WAL mode and a busy timeout let two
//! runs share a store; each run is written in one transaction, so a run killed half-way leaves the
//! store as it was and the next run works.

use crate::report::{Report, SiteReport};
use eldercheck_checks::check::{FindingOutcome, Outcome};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use std::path::Path;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("history store {path}: {source}")]
    Sqlite { path: String, source: rusqlite::Error },
    #[error("history store {path} was written by a newer eldercheck (schema {found}, this version knows {known})")]
    TooNew { path: String, found: i64, known: i64 },
}

/// Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &["CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        generated_at TEXT NOT NULL,
        profile TEXT NOT NULL,
        tool_version TEXT NOT NULL
    );
    CREATE TABLE sites (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        name TEXT NOT NULL,
        score REAL,
        grade TEXT NOT NULL,
        passed INTEGER NOT NULL,
        pages INTEGER NOT NULL,
        pages_failed INTEGER NOT NULL,
        findings INTEGER NOT NULL,
        vetoes INTEGER NOT NULL
    );
    CREATE INDEX sites_by_url ON sites(url, run_id);
    CREATE TABLE pages (
        id INTEGER PRIMARY KEY,
        site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        score REAL,
        error_kind TEXT
    );
    CREATE TABLE outcomes (
        page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
        check_id TEXT NOT NULL,
        outcome TEXT NOT NULL,
        score REAL
    );
    CREATE TABLE findings (
        site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        check_id TEXT NOT NULL
    );
    CREATE INDEX findings_by_site ON findings(site_id);"];

/// A site's earlier result, for trends.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrendPoint {
    pub generated_at: String,
    pub score: Option<f64>,
}

/// One row of `eldercheck history`.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryRow {
    pub run: i64,
    pub generated_at: String,
    pub site: String,
    pub name: String,
    pub score: Option<f64>,
    pub grade: String,
    pub pages: i64,
    pub findings: i64,
    pub vetoes: i64,
}

pub struct Store {
    connection: Connection,
    path: String,
}

/// The finding key of the product specification: check id, page URL and selector.
pub fn finding_key(check: &str, page: &str, selector: &str) -> String {
    format!("{check} {page} {selector}")
}

fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed => "passed",
        Outcome::Failed => "failed",
        Outcome::CantTell => "cant_tell",
        Outcome::Inapplicable => "inapplicable",
    }
}

/// Failed finding keys of a site in a report.
pub fn site_finding_keys(site: &SiteReport) -> Vec<String> {
    let mut keys: Vec<String> = site
        .pages
        .iter()
        .flat_map(|p| {
            p.checks.iter().chain(&site.site_checks).flat_map(move |c| {
                c.findings
                    .iter()
                    .filter(|f| f.outcome == FindingOutcome::Failed && f.accepted.is_none())
                    .map(move |f| finding_key(&c.id, &p.url, &f.selector))
            })
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

impl Store {
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let name = path.display().to_string();
        let wrap = |source| StoreError::Sqlite { path: name.clone(), source };
        let connection = Connection::open(path).map_err(wrap)?;
        connection.busy_timeout(Duration::from_secs(30)).map_err(wrap)?;
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16000;",
            )
            .map_err(wrap)?;
        let mut store = Store { connection, path: name };
        store.migrate()?;
        Ok(store)
    }

    fn err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite { path: self.path.clone(), source }
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        let wrap = |source| StoreError::Sqlite { path: path.clone(), source };
        // IMMEDIATE takes the write lock first (waiting on the busy timeout), so two runs opening a new
        // store at once migrate it once: the second sees the first one's version.
        let tx = self.connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(wrap)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(wrap)?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew { path: self.path.clone(), found: version, known });
        }
        for (index, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(migration).map_err(wrap)?;
            tx.execute_batch(&format!("PRAGMA user_version = {}", index + 1)).map_err(wrap)?;
        }
        tx.commit().map_err(wrap)
    }

    /// Earlier runs of a site, oldest first.
    pub fn trend(&self, site_url: &str) -> Result<Vec<TrendPoint>, StoreError> {
        let mut statement = self
            .connection
            .prepare("SELECT runs.generated_at, sites.score FROM sites JOIN runs ON runs.id = sites.run_id WHERE sites.url = ?1 ORDER BY runs.id")
            .map_err(|e| self.err(e))?;
        let rows = statement
            .query_map([site_url], |r| Ok(TrendPoint { generated_at: r.get(0)?, score: r.get(1)? }))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Finding keys of the site's latest stored run, or `None` if it was never stored.
    pub fn previous_keys(&self, site_url: &str) -> Result<Option<Vec<String>>, StoreError> {
        let site_id: Option<i64> = self
            .connection
            .query_row("SELECT id FROM sites WHERE url = ?1 ORDER BY run_id DESC LIMIT 1", [site_url], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))?;
        let Some(site_id) = site_id else { return Ok(None) };
        let mut statement =
            self.connection.prepare("SELECT key FROM findings WHERE site_id = ?1").map_err(|e| self.err(e))?;
        let keys = statement.query_map([site_id], |r| r.get::<_, String>(0)).map_err(|e| self.err(e))?;
        keys.collect::<Result<Vec<_>, _>>().map(Some).map_err(|e| self.err(e))
    }

    /// Stores a whole run in one transaction.
    pub fn save(&mut self, report: &Report) -> Result<i64, StoreError> {
        let path = self.path.clone();
        let wrap = |source| StoreError::Sqlite { path: path.clone(), source };
        // IMMEDIATE: a deferred transaction upgraded to a writer fails at once when another run wrote meanwhile.
        let tx = self.connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(wrap)?;
        tx.execute(
            "INSERT INTO runs (generated_at, profile, tool_version) VALUES (?1, ?2, ?3)",
            params![report.generated_at, report.profile, report.tool.version],
        )
        .map_err(wrap)?;
        let run_id = tx.last_insert_rowid();
        {
            let mut site_statement = tx
                .prepare("INSERT INTO sites (run_id, url, name, score, grade, passed, pages, pages_failed, findings, vetoes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
                .map_err(wrap)?;
            let mut page_statement = tx
                .prepare("INSERT INTO pages (site_id, url, score, error_kind) VALUES (?1, ?2, ?3, ?4)")
                .map_err(wrap)?;
            let mut outcome_statement = tx
                .prepare("INSERT INTO outcomes (page_id, check_id, outcome, score) VALUES (?1, ?2, ?3, ?4)")
                .map_err(wrap)?;
            let mut finding_statement =
                tx.prepare("INSERT INTO findings (site_id, key, check_id) VALUES (?1, ?2, ?3)").map_err(wrap)?;
            for site in &report.sites {
                site_statement
                    .execute(params![
                        run_id,
                        site.url,
                        site.name,
                        site.score,
                        format!("{:?}", site.grade),
                        site.passed,
                        site.summary.pages_checked as i64,
                        site.summary.pages_failed_to_load as i64,
                        site.summary.findings as i64,
                        site.vetoes.len() as i64
                    ])
                    .map_err(wrap)?;
                let site_id = tx.last_insert_rowid();
                if std::env::var_os("ELDERCHECK_TEST_ABORT_WHILE_STORING").is_some() {
                    // Tests simulate a run killed half-way through writing the store.
                    std::process::abort();
                }
                for page in &site.pages {
                    page_statement
                        .execute(params![site_id, page.url, page.score, page.error.as_ref().map(|e| e.kind.clone())])
                        .map_err(wrap)?;
                    let page_id = tx.last_insert_rowid();
                    // Inapplicable outcomes (most of them) are implied by their absence.
                    for check in page.checks.iter().filter(|c| c.outcome != Outcome::Inapplicable) {
                        outcome_statement
                            .execute(params![page_id, check.id, outcome_name(check.outcome), check.score])
                            .map_err(wrap)?;
                        for f in check
                            .findings
                            .iter()
                            .filter(|f| f.outcome == FindingOutcome::Failed && f.accepted.is_none())
                        {
                            finding_statement
                                .execute(params![site_id, finding_key(&check.id, &page.url, &f.selector), check.id])
                                .map_err(wrap)?;
                        }
                    }
                }
                for check in &site.site_checks {
                    for f in
                        check.findings.iter().filter(|f| f.outcome == FindingOutcome::Failed && f.accepted.is_none())
                    {
                        finding_statement
                            .execute(params![site_id, finding_key(&check.id, &site.url, &f.selector), check.id])
                            .map_err(wrap)?;
                    }
                }
            }
        }
        tx.commit().map_err(wrap)?;
        Ok(run_id)
    }

    /// Keeps the newest `keep` runs and deletes the rest.
    pub fn prune(&mut self, keep: usize) -> Result<usize, StoreError> {
        let deleted = self
            .connection
            .execute("DELETE FROM runs WHERE id NOT IN (SELECT id FROM runs ORDER BY id DESC LIMIT ?1)", [keep as i64])
            .map_err(|e| self.err(e))?;
        Ok(deleted)
    }

    /// Runs per site, newest first; `site` filters by URL or name substring.
    pub fn history(&self, site: Option<&str>) -> Result<Vec<HistoryRow>, StoreError> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT runs.id, runs.generated_at, sites.url, sites.name, sites.score, sites.grade, sites.pages, sites.findings, sites.vetoes
                 FROM sites JOIN runs ON runs.id = sites.run_id
                 WHERE ?1 IS NULL OR sites.url LIKE '%' || ?1 || '%' OR sites.name LIKE '%' || ?1 || '%'
                 ORDER BY sites.url, runs.id DESC",
            )
            .map_err(|e| self.err(e))?;
        let rows = statement
            .query_map([site], |r| {
                Ok(HistoryRow {
                    run: r.get(0)?,
                    generated_at: r.get(1)?,
                    site: r.get(2)?,
                    name: r.get(3)?,
                    score: r.get(4)?,
                    grade: r.get(5)?,
                    pages: r.get(6)?,
                    findings: r.get(7)?,
                    vetoes: r.get(8)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }
}
