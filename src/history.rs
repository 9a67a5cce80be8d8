//! Run history in SQLite (`--db FILE`): every run with its sites, pages, check outcomes and finding
//! keys, so reports can show the trend and what got fixed or broke. WAL mode and a busy timeout let
//! two runs share a store; each run is written in one transaction, so a run killed half-way leaves the
//! store as it was and the next run works. A run is read from its results folder one page at a time,
//! and the changes since the previous run are computed by SQLite, so a store is never held in memory.

use crate::results::PageResult;
use crate::rundir::{ChangeLabel, Changes, Manifest, RunDirError, SiteRecord, TrendPoint};
use eldercheck_checks::check::{FindingOutcome, Outcome};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("history store {path}: {source}")]
    Sqlite { path: String, source: rusqlite::Error },
    #[error(transparent)]
    Results(#[from] RunDirError),
    #[error("history store {path} was written by a newer eldercheck (schema {found}, this version knows {known})")]
    TooNew { path: String, found: i64, known: i64 },
}

/// Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE runs (
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
    CREATE INDEX findings_by_site ON findings(site_id);",
    "CREATE INDEX findings_by_site_key ON findings(site_id, key);",
    // Since issues: a finding row is an issue of the site (its id as the key), with what it is.
    "ALTER TABLE findings ADD COLUMN label TEXT;",
    // Issues a baseline accepted are stored as present (accepted is not fixed), and counted per site.
    "ALTER TABLE findings ADD COLUMN accepted INTEGER NOT NULL DEFAULT 0;
     ALTER TABLE sites ADD COLUMN accepted INTEGER NOT NULL DEFAULT 0;",
];

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
    /// Of `findings`, those a baseline accepted (still present).
    pub accepted: i64,
    pub vetoes: i64,
}

pub struct Store {
    connection: Connection,
    path: String,
}

fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed => "passed",
        Outcome::Failed => "failed",
        Outcome::CantTell => "cant_tell",
        Outcome::Inapplicable => "inapplicable",
    }
}

/// Longest `changes.new` / `changes.fixed` list kept in a report; the totals say how many there are.
pub const MAX_CHANGES_LISTED: usize = 5_000;

/// A run being stored: sites and pages go in as they stream by, in one transaction.
pub struct RunWriter<'a> {
    tx: rusqlite::Transaction<'a>,
    path: String,
    run_id: i64,
    site_id: Option<i64>,
}

impl RunWriter<'_> {
    fn wrap(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        move |source| StoreError::Sqlite { path: self.path.clone(), source }
    }

    fn current_site(&self) -> Result<i64, StoreError> {
        self.site_id
            .ok_or_else(|| StoreError::Sqlite { path: self.path.clone(), source: rusqlite::Error::InvalidQuery })
    }

    /// A site, before its pages.
    pub fn site(&mut self, site: &SiteRecord) -> Result<(), StoreError> {
        let wrap = self.wrap();
        self.tx
            .prepare_cached("INSERT INTO sites (run_id, url, name, score, grade, passed, pages, pages_failed, findings, vetoes, accepted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
            .map_err(&wrap)?
            .execute(params![
                self.run_id,
                site.url,
                site.name,
                site.score.score,
                site.score.grade.map(|g| format!("{g:?}")).unwrap_or_default(),
                site.score.passed,
                site.score.summary.pages_checked as i64,
                site.score.summary.pages_failed_to_load as i64,
                // Accepted findings are still on the site: the history counts them, and says how many.
                (site.score.summary.findings + site.score.summary.accepted) as i64,
                site.score.vetoes.len() as i64,
                site.score.summary.accepted as i64
            ])
            .map_err(&wrap)?;
        let site_id = self.tx.last_insert_rowid();
        drop(wrap);
        self.site_id = Some(site_id);
        // Tests simulate a run killed half-way through writing the store; release builds have no such hook.
        #[cfg(debug_assertions)]
        if std::env::var_os("ELDERCHECK_TEST_ABORT_WHILE_STORING").is_some() {
            std::process::abort();
        }
        Ok(())
    }

    /// One page of the current site: its outcomes (inapplicable ones are implied by their absence) and
    /// the keys of its counted failures.
    pub fn page(&mut self, page: &PageResult) -> Result<(), StoreError> {
        let site_id = self.current_site()?;
        let wrap = self.wrap();
        self.tx
            .prepare_cached("INSERT INTO pages (site_id, url, score, error_kind) VALUES (?1, ?2, ?3, ?4)")
            .map_err(&wrap)?
            .execute(params![site_id, page.url, page.score, page.error.as_ref().map(|e| e.kind.clone())])
            .map_err(&wrap)?;
        let page_id = self.tx.last_insert_rowid();
        let mut outcome_statement = self
            .tx
            .prepare_cached("INSERT INTO outcomes (page_id, check_id, outcome, score) VALUES (?1, ?2, ?3, ?4)")
            .map_err(&wrap)?;
        for check in page.checks.iter().filter(|c| c.outcome != Outcome::Inapplicable) {
            outcome_statement
                .execute(params![page_id, check.id, outcome_name(check.outcome), check.score()])
                .map_err(&wrap)?;
        }
        Ok(())
    }

    /// The current site's pages are all in: stores its failed issues (by id; those a baseline
    /// accepted too, marked so: an accepted issue is present, not fixed) and fills in the site's
    /// trend (earlier runs) and changes (against its previous run).
    pub fn end_site(&mut self, site: &mut SiteRecord) -> Result<(), StoreError> {
        let site_id = self.current_site()?;
        let wrap = self.wrap();
        {
            let mut finding_statement = self
                .tx
                .prepare_cached(
                    "INSERT INTO findings (site_id, key, check_id, label, accepted) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(&wrap)?;
            for issue in site.issues.iter().filter(|i| i.outcome == FindingOutcome::Failed) {
                finding_statement
                    .execute(params![site_id, issue.id, issue.check, issue.label(), issue.accepted.is_some()])
                    .map_err(&wrap)?;
            }
        }
        let trend = self
            .tx
            .prepare_cached("SELECT runs.generated_at, sites.score FROM sites JOIN runs ON runs.id = sites.run_id WHERE sites.url = ?1 AND sites.run_id < ?2 ORDER BY runs.id")
            .map_err(&wrap)?
            .query_map(params![site.url, self.run_id], |r| Ok(TrendPoint { generated_at: r.get(0)?, score: r.get(1)? }))
            .map_err(&wrap)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(&wrap)?;
        let previous: Option<i64> = self
            .tx
            .prepare_cached("SELECT id FROM sites WHERE url = ?1 AND run_id < ?2 ORDER BY run_id DESC LIMIT 1")
            .map_err(&wrap)?
            .query_row(params![site.url, self.run_id], |r| r.get(0))
            .optional()
            .map_err(&wrap)?;
        // Runs stored before issues keyed findings by page and selector: nothing to compare with.
        let comparable = match previous {
            Some(previous) => self
                .tx
                .prepare_cached("SELECT COUNT(*) FROM findings WHERE site_id = ?1 AND key LIKE '% %'")
                .map_err(&wrap)?
                .query_row(params![previous], |r| r.get::<_, i64>(0))
                .map_err(&wrap)?
                .eq(&0)
                .then_some(previous),
            None => None,
        };
        let changes = match comparable {
            None => None,
            Some(previous) => {
                let mut difference = self
                    .tx
                    .prepare_cached("SELECT key, check_id, COALESCE(label, '') FROM findings WHERE site_id = ?1 AND key NOT IN (SELECT key FROM findings WHERE site_id = ?2) GROUP BY key ORDER BY key")
                    .map_err(&wrap)?;
                let mut labels = BTreeMap::new();
                let mut list = |from: i64, against: i64| -> Result<(Vec<String>, Option<usize>), StoreError> {
                    let mut keys = Vec::new();
                    let mut total = 0usize;
                    let rows = difference
                        .query_map(params![from, against], |r| {
                            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
                        })
                        .map_err(&wrap)?;
                    for row in rows {
                        let (key, check, label) = row.map_err(&wrap)?;
                        total += 1;
                        if keys.len() < MAX_CHANGES_LISTED {
                            labels.insert(key.clone(), ChangeLabel { check, label });
                            keys.push(key);
                        }
                    }
                    Ok((keys, (total > MAX_CHANGES_LISTED).then_some(total)))
                };
                let (new, new_total) = list(site_id, previous)?;
                let (fixed, fixed_total) = list(previous, site_id)?;
                let accepted =
                    site.issues.iter().filter(|i| i.outcome == FindingOutcome::Failed && i.accepted.is_some()).count();
                Some(Changes { new, fixed, new_total, fixed_total, labels, accepted })
            }
        };
        site.trend = trend;
        site.changes = changes;
        Ok(())
    }

    pub fn commit(self) -> Result<i64, StoreError> {
        let run_id = self.run_id;
        let path = self.path.clone();
        self.tx.commit().map_err(|source| StoreError::Sqlite { path, source })?;
        Ok(run_id)
    }
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

    /// Starts storing a run: one IMMEDIATE transaction that the returned writer fills site by site
    /// and page by page, and commits at the end. Nothing is stored unless it is committed.
    pub fn begin_run(&mut self, manifest: &Manifest) -> Result<RunWriter<'_>, StoreError> {
        let path = self.path.clone();
        let wrap = |source| StoreError::Sqlite { path: path.clone(), source };
        // IMMEDIATE: a deferred transaction upgraded to a writer fails at once when another run wrote meanwhile.
        let tx = self.connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(wrap)?;
        tx.execute(
            "INSERT INTO runs (generated_at, profile, tool_version) VALUES (?1, ?2, ?3)",
            params![manifest.generated_at, manifest.profile, manifest.tool.version],
        )
        .map_err(wrap)?;
        let run_id = tx.last_insert_rowid();
        Ok(RunWriter { tx, path, run_id, site_id: None })
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
                "SELECT runs.id, runs.generated_at, sites.url, sites.name, sites.score, sites.grade, sites.pages, sites.findings, sites.vetoes, sites.accepted
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
                    accepted: r.get(9)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }
}
