//! `findings.csv`: one row a finding, `site,page,check,family,impact,outcome,selector,message`, UTF-8
//! with a byte-order mark so that Excel on Chinese Windows reads it as UTF-8. Site-level findings are
//! listed once, with the site's URL as the page. Accepted findings have the outcome `accepted`.

use super::{AtomicFile, RenderError, ReportContext, Sink};
use crate::results::{CheckOutcome, PageResult};
use crate::rundir::SiteRecord;
use eldercheck_checks::check::FindingOutcome;
use std::path::Path;

pub struct CsvSink {
    file: AtomicFile,
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
    pub fn create(path: &Path) -> Result<CsvSink, RenderError> {
        Ok(CsvSink { file: AtomicFile::create(path)? })
    }

    fn rows(&mut self, cx: &ReportContext, site: &str, page: &str, check: &CheckOutcome) -> Result<(), RenderError> {
        let file = &mut self.file;
        let info = cx.check(&check.id);
        let family = info.map(|c| c.family.id()).unwrap_or_default();
        let impact = info.map(|c| c.impact.id()).unwrap_or_default();
        for finding in &check.findings {
            let outcome = match (finding.outcome, &finding.accepted) {
                (_, Some(_)) => "accepted",
                (FindingOutcome::Failed, None) => "failed",
                (FindingOutcome::CantTell, None) => "cant_tell",
            };
            let row = [
                field(site),
                field(page),
                field(&check.id),
                field(family),
                field(impact),
                field(outcome),
                field(&finding.selector),
                field(cx.message(&finding.message)),
            ];
            file.write_all(row.join(",").as_bytes())?;
            file.write_all(b"\n")?;
        }
        Ok(())
    }
}

impl Sink for CsvSink {
    fn begin(&mut self, _cx: &ReportContext) -> Result<(), RenderError> {
        self.file.write_all("\u{feff}site,page,check,family,impact,outcome,selector,message\n".as_bytes())
    }

    fn site(&mut self, _cx: &ReportContext, _index: usize, _site: &SiteRecord) -> Result<(), RenderError> {
        Ok(())
    }

    fn page(&mut self, cx: &ReportContext, site: &SiteRecord, page: &PageResult) -> Result<(), RenderError> {
        for check in &page.checks {
            self.rows(cx, &site.url, &page.url, check)?;
        }
        Ok(())
    }

    fn end_site(&mut self, cx: &ReportContext, _index: usize, site: &SiteRecord) -> Result<(), RenderError> {
        for check in &site.site_checks {
            self.rows(cx, &site.url, &site.url, check)?;
        }
        Ok(())
    }

    fn end(&mut self, _cx: &ReportContext) -> Result<(), RenderError> {
        self.file.commit()
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
