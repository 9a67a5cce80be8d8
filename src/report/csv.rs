//! `findings.csv`: one row a finding, `site,page,check,family,impact,outcome,selector,message`.

use super::Report;
use serde::Serialize;

fn field(text: &str) -> String {
    // Cells starting with = + - @ are prefixed so spreadsheets do not run them as formulas.
    let text = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_string() };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn enum_text<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// Writes findings.csv.
pub fn write(out: &mut dyn std::io::Write, report: &Report) -> std::io::Result<()> {
    out.write_all(b"site,page,check,family,impact,outcome,selector,message\n")?;
    for site in &report.sites {
        for page in &site.pages {
            for check in &page.checks {
                for finding in &check.findings {
                    let row = [
                        field(&site.url),
                        field(&page.url),
                        field(&check.id),
                        field(&enum_text(&check.family)),
                        field(&enum_text(&check.impact)),
                        field(&enum_text(&finding.outcome)),
                        field(&finding.selector),
                        field(&finding.message),
                    ];
                    out.write_all(row.join(",").as_bytes())?;
                    out.write_all(b"\n")?;
                }
            }
        }
    }
    Ok(())
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
