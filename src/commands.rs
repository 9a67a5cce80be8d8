//! The commands besides `check`'s run, and what the console shows: `report`, `history`, `baseline
//! write`, `checks`, `explain`, and the summary after a check.

use crate::i18n;
use crate::options::{Format, Problem};
use crate::report::{render, Destination, RenderError};
use crate::run::RunOutcome;
use crate::score::SiteStatus;
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
pub fn summarise(outcome: &RunOutcome, out: Option<&Path>, lang: Lang) {
    const LISTED: usize = 20;
    let t = i18n::strings(lang);
    let say = |key: &str, values: &[(&str, String)]| i18n::say(t, &["console", key], values);
    let prefix = say("error_prefix", &[]);
    if outcome.expired_acceptances > 0 {
        eprintln!("{prefix}{}", say("expired", &[("n", outcome.expired_acceptances.to_string())]));
    }
    let result_word = |site: &crate::run::SiteLine| match (site.status, site.passed) {
        (SiteStatus::NotChecked, _) => i18n::say(t, &["not_checked"], &[]),
        (SiteStatus::Incomplete, _) => i18n::say(
            t,
            &["incomplete"],
            &[("checked", site.pages_checked.to_string()), ("requested", site.pages_requested.to_string())],
        ),
        (SiteStatus::Checked, true) => i18n::say(t, &["passed"], &[]),
        (SiteStatus::Checked, false) => i18n::say(t, &["failed"], &[]),
    };
    for site in outcome.sites.iter().take(LISTED) {
        let mut line = say(
            "site_line",
            &[
                ("name", site.name.clone()),
                ("score", site.score.map_or_else(|| "–".to_string(), |s| format!("{s:.1}"))),
                ("grade", crate::score::grade_letter(site.grade)),
                ("result", result_word(site)),
                ("mark", format!("{}", outcome.pass_mark)),
                ("pages", site.pages_checked.to_string()),
                ("issues", site.issues.to_string()),
                ("findings", site.findings.to_string()),
            ],
        );
        if site.accepted > 0 {
            line.push_str(&say("accepted_part", &[("n", site.accepted.to_string())]));
        }
        if site.vetoes > 0 {
            line.push_str(&say("vetoes_part", &[("n", site.vetoes.to_string())]));
        }
        eprintln!("{line}");
    }
    if outcome.sites.len() > LISTED {
        let passed = outcome.sites.iter().filter(|s| s.passed).count();
        let unchecked = outcome.sites.iter().filter(|s| s.status != SiteStatus::Checked).count();
        eprintln!(
            "{}",
            say(
                "more_sites",
                &[
                    ("n", outcome.sites.len().to_string()),
                    ("passed", passed.to_string()),
                    ("failed", (outcome.sites.len() - passed - unchecked).to_string()),
                    ("unchecked", unchecked.to_string()),
                ]
            )
        );
    }
    if let Some(dir) = out {
        let shown = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        eprintln!("{}", say("report_written", &[("path", shown.join("report.html").display().to_string())]));
    }
}

/// Opens a file in the desktop's default browser (`--open`); a missing opener is not an error.
pub fn open_in_browser(path: &Path) {
    let opener: &[&str] = if cfg!(target_os = "macos") {
        &["open"]
    } else if cfg!(windows) {
        &["cmd", "/C", "start", ""]
    } else {
        &["xdg-open"]
    };
    let _ = std::process::Command::new(opener[0])
        .args(&opener[1..])
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

/// `eldercheck report RESULTS`: the reports of a results folder, rendered again.
pub fn render_again(
    results: &Path,
    out: &str,
    formats: &[Format],
    lang: Lang,
    console: Lang,
) -> Result<(), CommandError> {
    let dir = crate::rundir::RunDir::open(results)?;
    if out == "-" {
        if formats != [Format::Json] {
            return Err(CommandError::Usage(Problem::OutStdout.message(console)));
        }
        render(&dir, lang, formats, Destination::Stdout)?;
    } else {
        let out = PathBuf::from(out);
        render(&dir, lang, formats, Destination::Dir(&out))?;
        let shown = std::path::absolute(&out).unwrap_or(out).join("report.html");
        eprintln!(
            "{}",
            i18n::say(i18n::strings(console), &["console", "report_written"], &[("path", shown.display().to_string())])
        );
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

/// `eldercheck baseline write REPORT`: accepts every failed issue of a report.json.
pub fn write_baseline(report: &Path, out: &Path, reason: &str, console: Lang) -> Result<(), CommandError> {
    let baseline = crate::baseline::Baseline::from_report_file(report, reason).map_err(CommandError::Usage)?;
    let toml = toml::to_string_pretty(&baseline)
        .map_err(|e| CommandError::Usage(format!("cannot write the baseline: {e}")))?;
    std::fs::write(out, toml).map_err(|e| CommandError::Usage(format!("cannot write {}: {e}", out.display())))?;
    eprintln!(
        "{}",
        i18n::say(
            i18n::strings(console),
            &["console", "baseline_written"],
            &[("n", baseline.accepted.len().to_string()), ("path", out.display().to_string())]
        )
    );
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
        let mode = if check.needs_browser() {
            if lang == Lang::En {
                " (rendered mode only)"
            } else {
                "（仅渲染模式）"
            }
        } else {
            ""
        };
        writeln!(out, "{:<26} {:<9} {:<9} {}{mode}", m.id, m.family.id(), m.impact.id(), m.title.get(lang))?;
    }
    Ok(())
}

/// `eldercheck explain ID`: a check's documentation, as terminal text.
pub fn explain(id: &str, lang: Lang, profile: &str) -> Result<(), CommandError> {
    let catalogue = catalogue(profile)?;
    let Some(check) = catalogue.find(id) else {
        let t = i18n::strings(lang);
        let ids: Vec<String> = catalogue.all().map(|c| c.meta().id.to_string()).collect();
        let mut message = i18n::say(t, &["console", "usage", "unknown_check"], &[("id", id.to_string())]);
        let closest = ids
            .iter()
            .map(|candidate| (crate::run::levenshtein(id, candidate), candidate))
            .filter(|(distance, candidate)| *distance <= 3 || candidate.contains(id) || id.contains(candidate.as_str()))
            .min_by_key(|(distance, _)| *distance);
        match closest {
            Some((_, suggestion)) => {
                message.push(' ');
                message.push_str(&i18n::say(
                    t,
                    &["console", "usage", "closest_check"],
                    &[("suggestion", suggestion.clone())],
                ));
            }
            None => {
                message.push(' ');
                message.push_str(&i18n::say(t, &["console", "usage", "all_checks"], &[("ids", ids.join(", "))]));
            }
        }
        return Err(CommandError::Usage(message));
    };
    print!("{}", terminal_text(&docs::explain(check.meta(), lang)));
    Ok(())
}

/// Markdown as terminal text: headings underlined, code spans in corner brackets, no markup left.
pub fn terminal_text(markdown: &str) -> String {
    let mut out = String::new();
    for line in markdown.lines() {
        let (heading, body) = match line.strip_prefix("## ").or_else(|| line.strip_prefix("# ")) {
            Some(h) => (true, h),
            None => (false, line),
        };
        let text: String = body
            .split('`')
            .enumerate()
            .map(|(i, part)| if i % 2 == 1 { format!("「{part}」") } else { part.replace("**", "") })
            .collect();
        if heading {
            out.push('\n');
            out.push_str(&text);
            out.push('\n');
            out.push_str(&"─".repeat(text.chars().count().clamp(4, 40) * 2));
            out.push('\n');
        } else {
            out.push_str(&text);
            out.push('\n');
        }
    }
    out
}
