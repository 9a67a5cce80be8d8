//! The commands besides `check`'s run, and what the console shows: `report`, `history`, `baseline
//! write`, `checks`, `explain`, and the summary after a check.

use crate::options::Format;
use crate::report::{render, Destination, RenderError};
use crate::run::RunOutcome;
use eldercheck_checks::check::Lang;
use eldercheck_checks::{docs, Catalogue, Profile};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Profile(#[from] eldercheck_checks::profile::ProfileError),
    #[error(transparent)]
    Results(#[from] crate::rundir::RunDirError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Store(#[from] crate::history::StoreError),
    #[error("cannot write to the console: {0}")]
    Console(#[from] std::io::Error),
}

/// The console summary: one line a site (a count for large batches), and where the report is.
pub fn summarise(outcome: &RunOutcome, out: Option<&std::path::Path>) {
    const LISTED: usize = 20;
    if outcome.expired_acceptances > 0 {
        eprintln!("eldercheck: {} baseline entries have expired and count again", outcome.expired_acceptances);
    }
    for site in outcome.sites.iter().take(LISTED) {
        let score = site.score.map_or_else(|| "–".to_string(), |s| format!("{s:.1}"));
        let accepted = if site.accepted > 0 { format!(", {} accepted", site.accepted) } else { String::new() };
        eprintln!(
            "{}: score {score}, grade {:?}, {} (pass mark {}), {} pages, {} findings{accepted}, {} vetoes",
            site.name,
            site.grade,
            if site.passed { "passed" } else { "not passed" },
            outcome.pass_mark,
            site.pages_checked,
            site.findings,
            site.vetoes
        );
    }
    if outcome.sites.len() > LISTED {
        let passed = outcome.sites.iter().filter(|s| s.passed).count();
        eprintln!(
            "… {} sites in all: {passed} passed, {} not passed",
            outcome.sites.len(),
            outcome.sites.len() - passed
        );
    }
    if let Some(dir) = out {
        let shown = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        eprintln!("report written to {}", shown.display());
    }
}

/// `eldercheck report RESULTS`: the reports of a results folder, rendered again.
pub fn render_again(results: &Path, out: &str, formats: &[Format], lang: Lang) -> Result<(), CommandError> {
    let dir = crate::rundir::RunDir::open(results)?;
    if out == "-" {
        if formats != [Format::Json] {
            return Err(CommandError::Usage("--out - prints JSON to stdout: use it with --format json".into()));
        }
        render(&dir, lang, formats, Destination::Stdout)?;
    } else {
        let out = PathBuf::from(out);
        render(&dir, lang, formats, Destination::Dir(&out))?;
        eprintln!("report written to {}", std::path::absolute(&out).unwrap_or(out).display());
    }
    Ok(())
}

/// `eldercheck history`: stored runs as a table or JSON.
pub fn history(site: Option<&str>, db: &Path, format: &str) -> Result<(), CommandError> {
    if !db.exists() {
        return Err(CommandError::Usage(format!(
            "no history store at {} (runs are stored there unless --no-db is given)",
            db.display()
        )));
    }
    let store = crate::history::Store::open(db)?;
    let rows = store.history(site)?;
    let mut out = std::io::stdout().lock();
    match format {
        "json" => {
            let text = serde_json::to_string_pretty(&rows).map_err(std::io::Error::from)?;
            writeln!(out, "{text}")?;
        }
        "table" => {
            writeln!(
                out,
                "{:<5} {:<26} {:>6} {:<5} {:>6} {:>8} {:>6}  site",
                "run", "date", "score", "grade", "pages", "findings", "vetoes"
            )?;
            for r in rows {
                let score = r.score.map_or_else(|| "–".to_string(), |s| format!("{s:.1}"));
                writeln!(
                    out,
                    "{:<5} {:<26} {:>6} {:<5} {:>6} {:>8} {:>6}  {}",
                    r.run,
                    r.generated_at.chars().take(25).collect::<String>(),
                    score,
                    r.grade,
                    r.pages,
                    r.findings,
                    r.vetoes,
                    r.site
                )?;
            }
        }
        other => return Err(CommandError::Usage(format!("--format {other}: use table or json"))),
    }
    Ok(())
}

/// `eldercheck baseline write REPORT`: accepts every failed finding of a report.json.
pub fn write_baseline(report: &Path, out: &Path, reason: &str) -> Result<(), CommandError> {
    let bytes = crate::options::read_input_file(report).map_err(CommandError::Usage)?;
    let json: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| CommandError::Usage(format!("{} is not a report.json: {e}", report.display())))?;
    let baseline = crate::baseline::Baseline::from_report_json(&json, reason);
    let toml = toml::to_string_pretty(&baseline)
        .map_err(|e| CommandError::Usage(format!("cannot write the baseline: {e}")))?;
    std::fs::write(out, toml).map_err(|e| CommandError::Usage(format!("cannot write {}: {e}", out.display())))?;
    eprintln!("{} accepted findings written to {}", baseline.accepted.len(), out.display());
    Ok(())
}

fn catalogue(profile: &str) -> Result<Catalogue, CommandError> {
    Ok(Catalogue::for_profile(&Profile::load(profile)?)?)
}

/// `eldercheck checks`: the catalogue, a check a line.
pub fn list_checks(lang: Lang, profile: &str) -> Result<(), CommandError> {
    let catalogue = catalogue(profile)?;
    let mut out = std::io::stdout().lock();
    for check in catalogue.all() {
        let m = check.meta();
        writeln!(out, "{:<26} {:<9} {:<9} {}", m.id, m.family.id(), m.impact.id(), m.title.get(lang))?;
    }
    Ok(())
}

/// `eldercheck explain ID`: a check's documentation.
pub fn explain(id: &str, lang: Lang, profile: &str) -> Result<(), CommandError> {
    let catalogue = catalogue(profile)?;
    let Some(check) = catalogue.find(id) else {
        let ids: Vec<String> = catalogue.all().map(|c| c.meta().id.to_string()).collect();
        return Err(CommandError::Usage(format!("no check with id {id:?}; the checks are: {}", ids.join(", "))));
    };
    print!("{}", docs::explain(check.meta(), lang));
    Ok(())
}
