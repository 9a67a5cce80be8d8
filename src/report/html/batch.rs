//! The index of a batch: the ranking table (in the results' ranking order: sites that passed first,
//! then by score), group subtotals and the batch's totals.

use super::words::{family_title, fill, score_text, text};
use crate::report::ReportContext;
use crate::rundir::SiteRecord;
use crate::score::{grade_letter, SiteStatus};
use eldercheck_checks::check::{Family, FindingOutcome};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// A site's row in the batch ranking, kept as the sites stream by.
pub(super) struct RankingRow {
    index: usize,
    name: String,
    group: Option<String>,
    score: Option<f64>,
    grade: String,
    status: SiteStatus,
    passed: bool,
    families: BTreeMap<String, Option<f64>>,
    change: Option<f64>,
    vetoes: usize,
    issues: usize,
    pages_checked: usize,
    pages_attempted: usize,
    /// Why it was not (fully) checked: its first failure, in words.
    reason: Option<(String, String)>,
    file: String,
}

impl RankingRow {
    pub(super) fn of(index: usize, site: &SiteRecord, file: String) -> RankingRow {
        let s = &site.score;
        RankingRow {
            index,
            name: site.name.clone(),
            group: site.group.clone(),
            score: s.score,
            grade: grade_letter(s.grade),
            status: s.status,
            passed: s.passed,
            families: s.family_scores.clone(),
            change: site.trend.last().and_then(|p| p.score).zip(s.score).map(|(before, now)| now - before),
            vetoes: s.vetoes.len(),
            issues: site.issues.iter().filter(|i| i.outcome == FindingOutcome::Failed).count(),
            pages_checked: s.summary.pages_checked,
            pages_attempted: s.summary.pages_requested(),
            reason: (s.status != SiteStatus::Checked)
                .then(|| s.summary.first_error.as_ref().map(|e| (e.kind.clone(), e.message.clone())))
                .flatten(),
            file,
        }
    }
}

/// The file name of a site's page in a batch: its position, and its host (a local folder's name).
pub(super) fn site_file_name(index: usize, url: &str) -> String {
    let parsed = url::Url::parse(url).ok();
    let folder = |u: &url::Url| u.path_segments()?.rfind(|s| !s.is_empty()).map(str::to_string);
    let label = parsed
        .as_ref()
        .and_then(|u| u.host_str().filter(|h| !h.is_empty()).map(str::to_string).or_else(|| folder(u)))
        .unwrap_or_else(|| "site".into());
    let label: String = label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c.to_ascii_lowercase() } else { '_' })
        .take(80)
        .collect();
    format!("{:04}-{label}.html", index + 1)
}

fn row_view(cx: &ReportContext, row: &RankingRow, rank: Option<usize>, t: &Value) -> Value {
    let checked = row.status == SiteStatus::Checked;
    let (result, class) = match (row.status, row.passed) {
        (SiteStatus::NotChecked, _) => (text(t, "not_checked"), "fail"),
        (SiteStatus::Incomplete, _) => {
            let values = [("checked", row.pages_checked.to_string()), ("requested", row.pages_attempted.to_string())];
            (fill(t, "incomplete", &values), "warn")
        }
        (SiteStatus::Checked, true) => (text(t, "passed"), "pass"),
        (SiteStatus::Checked, false) => (text(t, "failed"), "fail"),
    };
    let families: Vec<Value> = Family::ALL
        .iter()
        .map(|f| {
            let v = row.families.get(f.id()).copied().flatten();
            json!({ "label": family_title(*f, cx.lang), "value": v.unwrap_or(-1.0), "text": score_text(v) })
        })
        .collect();
    let change = row.change.map(|c| if c > 0.05 { format!("+{c:.1}") } else { format!("{c:.1}") });
    let reason = row.reason.as_ref().map(|(kind, message)| crate::explain::explain(kind, message, t).what);
    json!({ "rank": rank.map_or_else(|| "–".to_string(), |r| r.to_string()), "rank_value": rank.unwrap_or(usize::MAX),
            "link": row.file, "name": row.name,
            "group": row.group, "score": score_text(row.score), "score_value": row.score.unwrap_or(-1.0),
            "grade": if checked { row.grade.clone() } else { "–".into() },
            "result": result, "result_class": class, "reason": reason, "families": families,
            "change": change.unwrap_or_else(|| "–".into()), "change_value": row.change.unwrap_or(0.0),
            "vetoes": row.vetoes, "issues": row.issues,
            "coverage": format!("{} / {}", row.pages_checked, row.pages_attempted),
            "coverage_value": if row.pages_attempted > 0 { row.pages_checked as f64 / row.pages_attempted as f64 } else { 0.0 } })
}

/// The parts of the batch index: ranking rows in the results' order, groups, totals.
pub(super) fn index_parts(cx: &ReportContext, rows: &[RankingRow], t: &Value) -> Map<String, Value> {
    let summary = &cx.summary;
    let ranking: Vec<Value> = summary
        .ranking
        .iter()
        .filter_map(|ranked| rows.iter().find(|r| r.index == ranked.index).map(|row| row_view(cx, row, ranked.rank, t)))
        .collect();
    let groups: Vec<Value> = summary
        .groups
        .iter()
        .map(|g| {
            let pass_rate = (g.checked > 0).then(|| format!("{:.0}%", 100.0 * g.passed as f64 / g.checked as f64));
            json!({ "name": g.group.clone().unwrap_or_else(|| text(t, "ungrouped")), "sites": g.sites,
                    "checked": g.checked, "passed": g.passed,
                    "pass_rate": pass_rate.unwrap_or_else(|| "–".into()),
                    "mean": g.mean_score.map_or_else(|| "–".into(), |m| format!("{m:.1}")) })
        })
        .collect();
    let mut parts = Map::new();
    parts.insert("page_title".into(), json!(text(t, "batch_title")));
    parts.insert("heading".into(), json!(text(t, "batch_title")));
    parts.insert("batch".into(), json!(true));
    parts.insert("ranking".into(), json!(ranking));
    parts.insert("groups".into(), json!(groups));
    parts.insert("families".into(), json!(Family::ALL.iter().map(|f| family_title(*f, cx.lang)).collect::<Vec<_>>()));
    let totals = [
        ("sites", summary.sites.to_string()),
        ("passed", summary.passed.to_string()),
        ("failed", summary.failed.to_string()),
        ("unchecked", summary.not_checked.to_string()),
    ];
    parts.insert("batch_summary".into(), json!(fill(t, "batch_summary", &totals)));
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_files_are_named_by_position_and_host() {
        assert_eq!(site_file_name(0, "https://www.Example.gov.cn/a"), "0001-www.example.gov.cn.html");
        assert_eq!(site_file_name(41, "file:///srv/%E5%B8%82%E6%94%BF%E5%BA%9C/portal/"), "0042-portal.html");
        assert_eq!(site_file_name(2, "not a url"), "0003-site.html");
    }
}
