//! `findings.csv`: one row a finding (`site,page,check,family,impact,outcome,selector,message,issue`),
//! and `sites.csv`: one row a site. UTF-8 with a byte-order mark so that Excel on Chinese Windows
//! reads them as UTF-8. Under `--lang zh-CN` headers and words (family, impact, outcome, passed) are
//! Chinese, for the person opening the file in a spreadsheet; `--lang en` writes the stable codes that
//! report.json uses. Site-level findings are listed once, with the site's URL as the page. Accepted
//! findings have the outcome `accepted` (已接受).

use super::{AtomicFile, ReportContext, Sink, WriteError};
use crate::results::{CheckOutcome, PageResult};
use crate::rundir::SiteRecord;
use crate::score::SiteStatus;
use eldercheck_checks::check::{FindingOutcome, Lang};
use std::path::Path;

pub struct CsvSink {
    file: AtomicFile,
    sites: AtomicFile,
}

const FINDING_COLUMNS: [(&str, &str); 9] = [
    ("site", "网站"),
    ("page", "页面"),
    ("check", "检查项"),
    ("family", "类别"),
    ("impact", "影响程度"),
    ("outcome", "结果"),
    ("selector", "位置"),
    ("message", "说明"),
    ("issue", "问题编号"),
];

const SITE_COLUMNS: [(&str, &str); 18] = [
    ("site", "网址"),
    ("name", "名称"),
    ("group", "分组"),
    ("score", "得分"),
    ("grade", "等级"),
    ("passed", "达标"),
    ("status", "检测状态"),
    ("pages_checked", "检查页面"),
    ("pages_failed_to_load", "加载失败"),
    ("vetoes", "否决项"),
    ("issues", "问题数"),
    ("findings", "问题处数"),
    ("font", "字体缩放"),
    ("contrast", "颜色对比度"),
    ("popups", "广告弹窗"),
    ("labels", "读屏标签"),
    ("service", "适老服务入口"),
    ("reason", "未能检测的原因"),
];

fn header(columns: &[(&str, &str)], lang: Lang) -> String {
    let names: Vec<&str> = columns.iter().map(|(en, zh)| if lang == Lang::ZhCn { *zh } else { *en }).collect();
    format!("\u{feff}{}\n", names.join(","))
}

pub(crate) fn field(text: &str) -> String {
    // Cells starting with = + - @ are prefixed so spreadsheets do not run them as formulas.
    let text = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_string() };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

impl CsvSink {
    /// `findings.csv` and `sites.csv` in `dir`.
    pub fn create(dir: &Path) -> Result<CsvSink, WriteError> {
        Ok(CsvSink {
            file: AtomicFile::create(&dir.join("findings.csv"))?,
            sites: AtomicFile::create(&dir.join("sites.csv"))?,
        })
    }

    fn rows(&mut self, cx: &ReportContext, site: &str, page: &str, check: &CheckOutcome) -> Result<(), WriteError> {
        let file = &mut self.file;
        let info = cx.check(&check.id);
        let zh = cx.lang == Lang::ZhCn;
        let family = info.map_or(String::new(), |c| {
            if zh {
                c.family.title().get(cx.lang).to_string()
            } else {
                c.family.id().to_string()
            }
        });
        let impact = info.map_or(String::new(), |c| {
            if zh {
                c.impact.title().get(cx.lang).to_string()
            } else {
                c.impact.id().to_string()
            }
        });
        for finding in &check.findings {
            let outcome = match (finding.outcome, &finding.accepted, zh) {
                (_, Some(_), false) => "accepted",
                (_, Some(_), true) => "已接受",
                (FindingOutcome::Failed, None, false) => "failed",
                (FindingOutcome::Failed, None, true) => "不合格",
                (FindingOutcome::CantTell, None, false) => "cant_tell",
                (FindingOutcome::CantTell, None, true) => "待人工确认",
            };
            let row = [
                field(site),
                field(page),
                field(&check.id),
                field(&family),
                field(&impact),
                field(outcome),
                field(&finding.selector),
                field(cx.message(&finding.message)),
                field(&finding.issue),
            ];
            file.write_all(row.join(",").as_bytes())?;
            file.write_all(b"\n")?;
        }
        Ok(())
    }
}

impl Sink for CsvSink {
    fn begin(&mut self, cx: &ReportContext) -> Result<(), WriteError> {
        self.file.write_all(header(&FINDING_COLUMNS, cx.lang).as_bytes())?;
        self.sites.write_all(header(&SITE_COLUMNS, cx.lang).as_bytes())
    }

    fn site(&mut self, _cx: &ReportContext, _index: usize, _site: &SiteRecord) -> Result<(), WriteError> {
        Ok(())
    }

    fn page(&mut self, cx: &ReportContext, site: &SiteRecord, page: &PageResult) -> Result<(), WriteError> {
        for check in &page.checks {
            self.rows(cx, &site.url, &page.url, check)?;
        }
        Ok(())
    }

    fn end_site(&mut self, cx: &ReportContext, _index: usize, site: &SiteRecord) -> Result<(), WriteError> {
        for check in &site.site_checks {
            self.rows(cx, &site.url, &site.url, check)?;
        }
        let s = &site.score;
        let number = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.1}"));
        let family = |id: &str| number(s.family_scores.get(id).copied().flatten());
        let issues = site.issues.iter().filter(|i| i.outcome == FindingOutcome::Failed).count();
        let row = [
            field(&site.url),
            field(&site.name),
            field(site.group.as_deref().unwrap_or("")),
            number(s.score),
            s.grade.map(|g| format!("{g:?}")).unwrap_or_default(),
            match (s.passed, cx.lang) {
                (true, Lang::ZhCn) => "是".to_string(),
                (false, Lang::ZhCn) => "否".to_string(),
                (passed, _) => passed.to_string(),
            },
            match (s.status, cx.lang) {
                (SiteStatus::Checked, Lang::ZhCn) => "已检测".to_string(),
                (SiteStatus::Incomplete, Lang::ZhCn) => "检测不完整".to_string(),
                (SiteStatus::NotChecked, Lang::ZhCn) => "无法检测".to_string(),
                (SiteStatus::Checked, _) => "checked".to_string(),
                (SiteStatus::Incomplete, _) => "incomplete".to_string(),
                (SiteStatus::NotChecked, _) => "not_checked".to_string(),
            },
            s.summary.pages_checked.to_string(),
            s.summary.pages_failed_to_load.to_string(),
            s.vetoes.len().to_string(),
            issues.to_string(),
            s.summary.findings.to_string(),
            family("font"),
            family("contrast"),
            family("popups"),
            family("labels"),
            family("service"),
            // Why a site was not (fully) checked, with what to do: a regulator's list must say it.
            match (&s.summary.first_error, s.status) {
                (Some(error), SiteStatus::NotChecked | SiteStatus::Incomplete) => {
                    let explained = crate::explain::explain(&error.kind, &error.message, crate::i18n::strings(cx.lang));
                    let stop = if cx.lang == Lang::ZhCn { "。" } else { ". " };
                    field(&format!("{}{stop}{}", explained.what, explained.todo))
                }
                _ => String::new(),
            },
        ];
        self.sites.write_all(row.join(",").as_bytes())?;
        self.sites.write_all(b"\n")
    }

    fn end(&mut self, _cx: &ReportContext) -> Result<(), WriteError> {
        self.file.commit()?;
        self.sites.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn quoting_and_formula_guard() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(field("文字"), "文字");
    }
}
