//! report.html: self-contained files (inline CSS, SVG and one small script of our own, no outside
//! requests) rendered with handlebars. One site: report.html is the site's report. A batch: report.html
//! is the index (ranking, groups) and each site has its own page under `sites/`, so no file grows with
//! the batch. A site's page leads with a one-sentence verdict and what to fix first, lists every issue
//! (root cause) with where it is and how to fix it, then what needs a person, then the details.
//!
//! Everything that came from a page goes through `{{ }}`, which HTML-escapes it; the only raw
//! insertions are the stylesheet, the script and charts built here from numbers. A Content Security
//! Policy allows no script but ours (by its hash), and the report works with scripts off.

use super::{safe_link, AtomicFile, ReportContext, Sink, WriteError};
use crate::issues::Issue;
use crate::results::PageResult;
use crate::rundir::SiteRecord;
use crate::score::{grade_letter, SiteStatus};
use crate::sources::Screenshot;
use eldercheck_checks::check::{Family, FindingOutcome, Impact, Lang, Outcome};
use eldercheck_checks::page::rendered::Bounds;
use eldercheck_checks::page::style::{DeclarationOrigin, Source};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

const TEMPLATE: &str = include_str!("../../reports/templates/report.hbs");
const ISSUE_TEMPLATE: &str = include_str!("../../reports/templates/issue.hbs");
const CSS: &str = include_str!("../../reports/report.css");
const SCRIPT: &str = include_str!("../../reports/report.js");

/// Pages in a site's drill-down; the rest are in report.json and findings.csv.
const MAX_PAGES_IN_DRILLDOWN: usize = 300;
/// Page addresses listed under an issue in the HTML (report.json lists up to 1,000).
const MAX_PAGES_PER_ISSUE: usize = 50;
/// Issues in "fix these first".
const PRIORITIES: usize = 5;
/// New/fixed issues listed.
const MAX_CHANGES_SHOWN: usize = 50;

fn strings(lang: Lang) -> Result<Value, WriteError> {
    let table = crate::i18n::strings(lang);
    if table.is_object() {
        Ok(table.clone())
    } else {
        Err(WriteError::Template("the report's words (reports/i18n) cannot be read".into()))
    }
}

fn text(t: &Value, key: &str) -> String {
    t[key].as_str().unwrap_or(key).to_string()
}

/// A message with `{name}` placeholders filled in.
fn fill(t: &Value, key: &str, values: &[(&str, String)]) -> String {
    let mut out = text(t, key);
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

fn score_text(score: Option<f64>) -> String {
    score.map_or_else(|| "–".to_string(), |s| format!("{s:.1}"))
}

/// The hash that lets our script, and only it, run under the report's Content Security Policy.
fn script_hash() -> String {
    format!("sha256-{}", base64(&Sha256::digest(SCRIPT.as_bytes())))
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `2026-11-29T07:47:48.714721167Z` as Beijing time without fractions: `2026年11月29日 15:47（北京时间）`.
fn local_time(rfc3339: &str, t: &Value) -> String {
    let Ok(time) = time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339) else {
        return rfc3339.to_string();
    };
    let Ok(offset) = time::UtcOffset::from_hms(8, 0, 0) else { return rfc3339.to_string() };
    let local = time.to_offset(offset);
    let month_name = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        [usize::from(u8::from(local.month())).saturating_sub(1).min(11)];
    fill(
        t,
        "time_format",
        &[
            ("year", local.year().to_string()),
            ("month", u8::from(local.month()).to_string()),
            ("month_name", month_name.to_string()),
            ("day", local.day().to_string()),
            ("hour", format!("{:02}", local.hour())),
            ("minute", format!("{:02}", local.minute())),
        ],
    )
}

fn profile_text(profile: &str, t: &Value) -> String {
    match t["profiles"][profile].as_str() {
        Some(words) => words.to_string(),
        None => t["profiles"]["custom"].as_str().unwrap_or("{name}").replace("{name}", profile),
    }
}

fn error_text(kind: &str, message: &str, t: &Value) -> String {
    match t["error_kinds"][kind].as_str() {
        Some(words) => format!("{words}（{message}）"),
        None => format!("{message}（{kind}）"),
    }
}

/// Markdown with `code` spans, as segments the template escapes.
fn segments(markdown: &str) -> Vec<Value> {
    markdown
        .trim()
        .split('`')
        .enumerate()
        .filter(|(_, part)| !part.is_empty())
        .map(|(i, part)| json!({ "text": part, "code": i % 2 == 1 }))
        .collect()
}

/// One section of a check's docs (`## 如何修复` …) as plain Markdown.
fn docs_section(docs: &str, headings: &[&str]) -> String {
    for heading in headings {
        if let Some(start) = docs.find(heading) {
            let rest = &docs[start + heading.len()..];
            let end = rest.find("\n## ").unwrap_or(rest.len());
            return rest[..end].trim().to_string();
        }
    }
    String::new()
}

/// Only colours this tool computed (`#rrggbb`) go into a style attribute.
fn css_colour(value: Option<&Value>) -> Option<String> {
    let text = value?.as_str()?;
    let ok = text.len() == 7 && text.starts_with('#') && text[1..].chars().all(|c| c.is_ascii_hexdigit());
    ok.then(|| text.to_string())
}

fn family_title(family: Family, lang: Lang) -> String {
    family.title().get(lang).to_string()
}

fn origin_view(origin: &DeclarationOrigin, t: &Value) -> Value {
    let (place, link) = match &origin.source {
        Source::Stylesheet { url } => {
            let file = url.rsplit('/').find(|f| !f.is_empty()).unwrap_or(url).to_string();
            let place = match origin.line {
                Some(line) => fill(t, "css_line", &[("file", file), ("line", line.to_string())]),
                None => file,
            };
            (place, safe_link(url))
        }
        Source::StyleElement { index } => (
            fill(t, "css_inline_style", &[("n", index.to_string()), ("line", origin.line.unwrap_or(0).to_string())]),
            None,
        ),
        Source::StyleAttribute => (text(t, "css_style_attribute"), None),
        Source::Attribute { name } => (fill(t, "css_attribute", &[("name", name.to_string())]), None),
        Source::UserAgent => (String::new(), None),
    };
    let rule = match origin.selector.as_deref() {
        Some(selector) => format!("{selector} {{ {}; }}", origin.declaration),
        None => origin.declaration.to_string(),
    };
    json!({ "place": place, "link": link, "rule": rule })
}

/// What an issue card shows.
/// How a report file in `from` refers to the `screens` folder: a relative path when the folder is
/// below the report's folder (the usual `--out` layout, which then moves as a whole), else a file URL.
fn screens_href(from: &Path, screens: &Path) -> Option<String> {
    let from = from.canonicalize().ok()?;
    let screens = screens.canonicalize().ok()?;
    let encode = |part: &str| percent_encoding::utf8_percent_encode(part, PATH_SEGMENT).to_string();
    for (ups, base) in from.ancestors().enumerate().take(2) {
        if let Ok(below) = screens.strip_prefix(base) {
            let parts: Option<Vec<String>> = below.iter().map(|p| p.to_str().map(encode)).collect();
            return Some(format!("{}{}/", "../".repeat(ups), parts?.join("/")));
        }
    }
    url::Url::from_directory_path(&screens).ok().map(|u| u.to_string())
}

const PATH_SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::CONTROLS.add(b' ').add(b'"').add(b'#').add(b'%').add(b'?').add(b'<').add(b'>').add(b'/');

/// The screenshot's address from a report file: `screens/x.jpg` is stored relative to the results folder.
fn shot_src(shot: &Screenshot, base: &str) -> Option<String> {
    let name = shot.file.strip_prefix("screens/")?;
    // The name is a digest the renderer chose; anything else in a results folder is not followed.
    name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.').then(|| format!("{base}{name}"))
}

/// A crop of the page screenshot around the element, with the element outlined (image px).
fn crop_view(shot: &Screenshot, bounds: &Bounds, base: &str) -> Option<Value> {
    let (iw, ih) = (shot.width as f32, shot.height as f32);
    let s = shot.scale;
    let (x, y, w, h) = (bounds.x * s, bounds.y * s, bounds.width.max(1.0) * s, bounds.height.max(1.0) * s);
    if !(x.is_finite() && y.is_finite()) || x >= iw || y >= ih || x + w <= 0.0 || y + h <= 0.0 || iw < 1.0 || ih < 1.0 {
        return None;
    }
    const MARGIN: f32 = 48.0;
    let cw = (w + 2.0 * MARGIN).clamp(320.0_f32.min(iw), iw);
    let ch = (h + 2.0 * MARGIN).clamp(180.0_f32.min(ih), 420.0_f32.min(ih));
    let cx = (x + w / 2.0 - cw / 2.0).clamp(0.0, iw - cw);
    // A box taller than the crop shows its top.
    let cy = if h + 2.0 * MARGIN > ch {
        (y - MARGIN).clamp(0.0, ih - ch)
    } else {
        (y + h / 2.0 - ch / 2.0).clamp(0.0, ih - ch)
    };
    Some(json!({
        "src": shot_src(shot, base)?,
        "view_box": format!("{cx:.0} {cy:.0} {cw:.0} {ch:.0}"),
        // Small crops are shown enlarged so that a small button stays visible.
        "width": format!("{:.0}", (cw * 1.5).clamp(480.0, 800.0)), "img_w": shot.width, "img_h": shot.height,
        "x": format!("{x:.1}"), "y": format!("{y:.1}"), "w": format!("{w:.1}"), "h": format!("{h:.1}"),
    }))
}

/// A box on a screenshot in image px: x, y, width, height.
type ImageBox = (i64, i64, i64, i64);

/// Most markers drawn on one page thumbnail.
const MAX_MARKERS: usize = 20;
/// Most problems listed for one marker (one element can fail many checks).
const MAX_LABELS_PER_MARKER: usize = 5;

/// The page screenshot with a numbered marker on each failed element it shows.
fn thumbnail_view(page: &PageResult, base: &str, lang: Lang) -> Option<Value> {
    let shot = page.rendered.as_ref()?.screenshot.as_ref()?;
    let s = shot.scale;
    // One numbered marker per box: several problems of one element (or one declaration) share it.
    let mut boxes: Vec<(ImageBox, Vec<String>)> = Vec::new();
    let failed = page.checks.iter().flat_map(|c| c.findings.iter()).filter(|f| f.outcome == FindingOutcome::Failed);
    for finding in failed {
        let Some(b) = finding.bounds else { continue };
        let (x, y) = (b.x * s, b.y * s);
        if x < 0.0 || y < 0.0 || x >= shot.width as f32 || y >= shot.height as f32 {
            continue;
        }
        let key = (x.round() as i64, y.round() as i64, (b.width * s).round() as i64, (b.height * s).round() as i64);
        let label = clip(finding.message.get(lang), 80);
        if let Some((_, labels)) = boxes.iter_mut().find(|(k, _)| *k == key) {
            if labels.len() < MAX_LABELS_PER_MARKER && !labels.contains(&label) {
                labels.push(label);
            }
        } else if boxes.len() < MAX_MARKERS {
            boxes.push((key, vec![label]));
        }
    }
    let markers: Vec<Value> = boxes
        .into_iter()
        .enumerate()
        .map(|(i, ((x, y, w, h), labels))| {
            json!({
                "n": i + 1, "x": x, "y": y, "w": w.max(2), "h": h.max(2), "cx": x.max(12), "cy": y.max(12),
                "label": labels.join("；"),
            })
        })
        .collect();
    Some(json!({
        "src": shot_src(shot, base)?, "img_w": shot.width, "img_h": shot.height,
        "view_box": format!("0 0 {} {}", shot.width, shot.height.min(shot.width * 2)),
        "markers": markers,
    }))
}

fn issue_view(cx: &ReportContext, issue: &Issue, t: &Value, screens_base: Option<&str>) -> Value {
    let lang = cx.lang;
    let info = cx.check(&issue.check);
    let failing = issue.outcome == FindingOutcome::Failed;
    let family = info.map(|c| c.family);
    let impact = info.map(|c| c.impact);
    let docs = info.map(|c| c.docs.get(lang).to_string()).unwrap_or_default();
    let (fix_h, example_h, why_h): (&[&str], &[&str], &[&str]) = (
        &["## 如何修复", "## How to fix"],
        &["## 示例", "## Example"],
        &["## 为什么对老年读者重要", "## Why it matters for older readers"],
    );
    let e = &issue.example;
    let class = match (&issue.accepted, failing, issue.veto) {
        (Some(_), _, _) => "accepted",
        (None, false, _) => "review",
        (None, true, true) => "veto",
        (None, true, false) => "",
    };
    let gain = (failing && issue.gain >= 0.1).then(|| fill(t, "gain", &[("n", format!("{:.1}", issue.gain))]));
    let colours = (issue.check.starts_with("color-contrast")).then(|| {
        let (fg, bg) = (css_colour(e.data.get("foreground")), css_colour(e.data.get("background")));
        let suggested = css_colour(e.data.get("suggested_foreground"));
        match (fg, bg) {
            (Some(fg), Some(bg)) => {
                let ratio = e.data.get("ratio").and_then(Value::as_f64).unwrap_or(0.0);
                let required = e.data.get("required").and_then(Value::as_f64).unwrap_or(4.5);
                let suggestion = suggested.as_ref().map(|s| {
                    let fg_rgba = eldercheck_checks::page::style::parse_color(s).ok();
                    let bg_rgba = eldercheck_checks::page::style::parse_color(&bg).ok();
                    let new_ratio = match (fg_rgba, bg_rgba) {
                        (Some(eldercheck_checks::page::style::ColorValue::Rgba(f)), Some(eldercheck_checks::page::style::ColorValue::Rgba(b))) => {
                            eldercheck_checks::page::style::contrast_ratio(f, b)
                        }
                        _ => required,
                    };
                    fill(t, "suggested_colour", &[("colour", s.clone()), ("ratio", format!("{new_ratio:.2}"))])
                });
                json!({ "fg": fg, "bg": bg,
                        "current": fill(t, "current_colour", &[("fg", fg.clone()), ("bg", bg.clone()), ("ratio", format!("{ratio:.2}")), ("required", format!("{required}"))]),
                        "suggested": suggested, "suggestion": suggestion })
            }
            _ => Value::Null,
        }
    });
    let rem = e.data.get("suggested_rem").and_then(Value::as_f64);
    let guidance = match (issue.check.as_str(), rem) {
        ("fixed-font-size", Some(rem)) => {
            Some(fill(t, "suggested_rem", &[("rem", format!("{rem}")), ("px", format!("{:.0}", rem * 16.0))]))
        }
        ("small-text", Some(rem)) => {
            Some(fill(t, "suggested_min_rem", &[("rem", format!("{rem}")), ("px", format!("{:.0}", rem * 16.0))]))
        }
        _ => None,
    };
    let accepted = issue.accepted.as_ref().map(|a| {
        let mut words = fill(t, "accepted_reason", &[("reason", a.reason.clone())]);
        if let Some(date) = &a.expires {
            words.push(if lang == Lang::En { ';' } else { '，' });
            words.push_str(&fill(t, "accepted_expires", &[("date", date.clone())]));
        }
        words
    });
    let page_label = e.page_title.clone().filter(|t| !t.is_empty()).unwrap_or_else(|| e.page.clone());
    let pages: Vec<Value> =
        issue.pages.iter().take(MAX_PAGES_PER_ISSUE).map(|u| json!({ "url": u, "link": safe_link(u) })).collect();
    let not_listed = issue.pages_total.saturating_sub(pages.len());
    json!({
        "id": issue.id, "anchor": format!("top-{}", issue.id), "class": class,
        "title": cx.title(&issue.check, failing),
        "family": family.map(|f| family_title(f, lang)).unwrap_or_default(), "family_id": family.map(|f| f.id()).unwrap_or_default(),
        "impact": impact.map(|i| i.title().get(lang).to_string()).unwrap_or_default(), "impact_id": impact.map(|i| i.id()).unwrap_or_default(),
        "where_count": fill(t, "on_pages", &[("pages", issue.pages_total.to_string()), ("n", issue.occurrences.to_string())]),
        "gain": gain, "gain_value": issue.gain, "veto": issue.veto, "veto_value": u8::from(issue.veto), "site_level": issue.site_level,
        "accepted": accepted,
        "message": e.message.get(lang), "origin": issue.origin.as_ref().filter(|o| o.is_author()).map(|o| origin_view(o, t)),
        "page_label": page_label, "page_link": safe_link(&e.page), "heading": e.heading, "excerpt": e.excerpt,
        "selector": e.selector, "snippet": e.snippet, "colours": colours.unwrap_or(Value::Null), "guidance": guidance,
        "shot": screens_base.zip(e.screenshot.as_ref().zip(e.bounds.as_ref())).and_then(|(base, (shot, bounds))| crop_view(shot, bounds, base)),
        "fix": segments(&docs_section(&docs, fix_h)), "example": segments(&docs_section(&docs, example_h)),
        "why": segments(&docs_section(&docs, why_h)),
        "pages_total": issue.pages_total, "pages": pages, "more_pages": issue.pages_total > 1,
        "pages_not_listed": (not_listed > 0).then(|| fill(t, "more_pages", &[("n", not_listed.to_string())])),
    })
}

/// Per check: pages failed, pages where it applied, failed findings, targets needing review.
#[derive(Default)]
struct CheckRow {
    pages_failed: u32,
    pages_applicable: u32,
    findings: u32,
    cant_tell: u32,
}

/// What a site's page needs beyond its record, gathered as its pages stream by; bounded.
#[derive(Default)]
struct SiteAggregate {
    order: Vec<String>,
    rows: HashMap<String, CheckRow>,
    pages: Vec<Value>,
    /// The pages listed in the page table, by URL, with their row number.
    anchors: HashMap<String, usize>,
    pages_total: usize,
    /// How this site's report file refers to the screenshots folder (rendered pages only).
    screens_base: Option<String>,
    lang: Lang,
}

impl SiteAggregate {
    fn add(&mut self, page: &PageResult, t: &Value) {
        self.pages_total += 1;
        if self.pages.len() < MAX_PAGES_IN_DRILLDOWN {
            let n = self.pages.len() + 1;
            let mut view = page_view(page, t);
            view["anchor"] = json!(format!("p{n}"));
            view["thumbnail"] =
                self.screens_base.as_deref().and_then(|base| thumbnail_view(page, base, self.lang)).into();
            self.anchors.insert(page.url.clone(), n);
            self.pages.push(view);
        }
        if page.error.is_some() {
            return;
        }
        for check in &page.checks {
            if !self.rows.contains_key(&check.id) {
                self.order.push(check.id.clone());
            }
            let row = self.rows.entry(check.id.clone()).or_default();
            row.pages_failed += u32::from(check.outcome == Outcome::Failed);
            row.pages_applicable += u32::from(check.outcome != Outcome::Inapplicable);
            row.findings += check.counted_failures().count() as u32;
            row.cant_tell += check.cant_tell_targets;
        }
    }
}

fn page_view(page: &PageResult, t: &Value) -> Value {
    let failed = page.checks.iter().filter(|c| c.outcome == Outcome::Failed).count();
    let title = page.title.clone().filter(|t| !t.is_empty()).unwrap_or_else(|| page.url.clone());
    json!({ "link": safe_link(&page.url), "title": clip(&title, 60), "score": score_text(page.score),
            "elder": page.elder_page, "error": page.error.as_ref().map(|e| error_text(&e.kind, &e.message, t)), "failed": failed })
}

/// At most `max` characters, with an ellipsis when cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}

/// Where a style issue's declaration is, in a few words: `site.css:12 .footer { font-size: 11px }`.
fn origin_short(origin: &DeclarationOrigin) -> String {
    let place = match &origin.source {
        Source::Stylesheet { url } => {
            let file = url.rsplit('/').find(|f| !f.is_empty()).unwrap_or(url);
            match origin.line {
                Some(line) => format!("{}:{line}", clip(file, 30)),
                None => clip(file, 30),
            }
        }
        Source::StyleElement { index } => format!("<style>#{index}:{}", origin.line.unwrap_or(0)),
        Source::StyleAttribute => "style=\"\"".to_string(),
        Source::Attribute { name } => format!("{name}=\"\""),
        Source::UserAgent => String::new(),
    };
    let selector = origin.selector.as_deref().map(|s| format!(" {}", clip(s, 40))).unwrap_or_default();
    format!("{place}{selector} {{ {} }}", clip(&origin.declaration, 60))
}

/// An issue as one line of its check's list: where (page, heading, text, CSS), the fix in a few
/// words, how many pages, the expected gain. Keys are short: thousands of lines go into one file.
fn issue_line(issue: &Issue, t: &Value, page_anchors: &HashMap<String, usize>) -> Value {
    let e = &issue.example;
    // A page listed in the page table is linked there (a short anchor instead of a long address).
    let link = match page_anchors.get(&e.page) {
        Some(n) => Some(format!("#p{n}")),
        None => safe_link(&e.page),
    };
    let page = e.page_title.clone().filter(|t| !t.is_empty()).unwrap_or_else(|| e.page.clone());
    let fix = match issue.check.as_str() {
        c if c.starts_with("color-contrast") => {
            match (css_colour(e.data.get("foreground")), css_colour(e.data.get("suggested_foreground"))) {
                (Some(from), Some(to)) => Some(format!("{from} → {to}")),
                _ => None,
            }
        }
        "fixed-font-size" | "small-text" => {
            let px = e.data.get("font_px").and_then(Value::as_f64);
            let rem = e.data.get("suggested_rem").and_then(Value::as_f64);
            match (px, rem) {
                (Some(px), Some(rem)) => Some(format!("{px}px → {rem}rem")),
                _ => None,
            }
        }
        _ => None,
    };
    let accepted = issue.accepted.as_ref().map(|a| clip(&a.reason, 40));
    json!({
        // Only vetoes are linked to (from the list of vetoes).
        "a": issue.veto.then(|| format!("issue-{}", issue.id)),
        "c": if issue.accepted.is_some() { "accepted" } else { "" },
        "l": link, "p": clip(&page, 28), "h": e.heading.as_deref().map(|h| clip(h, 16)),
        "x": e.excerpt.as_deref().map(|x| clip(x, 24)),
        "o": issue.origin.as_ref().filter(|o| o.is_author()).map(origin_short),
        "f": fix,
        "n": fill(t, "on_pages", &[("pages", issue.pages_total.to_string()), ("n", issue.occurrences.to_string())]),
        "g": (issue.gain >= 0.1).then(|| format!("+{:.1}", issue.gain)),
        "v": issue.veto, "k": accepted,
    })
}

fn status(failed: bool, cant_tell: bool, applicable: bool, t: &Value) -> (String, &'static str) {
    match (failed, cant_tell, applicable) {
        (true, _, _) => (text(t, "status_failed"), "fail"),
        (false, true, _) => (text(t, "status_cant_tell"), "review"),
        (false, false, true) => (text(t, "status_passed"), "pass"),
        _ => (text(t, "status_inapplicable"), "note"),
    }
}

/// Score over the stored runs and this one, as an inline SVG line that scales to its box.
fn trend_chart(site: &SiteRecord, pass_mark: f64) -> Option<String> {
    let mut points: Vec<f64> = site.trend.iter().filter_map(|p| p.score).collect();
    points.push(site.score.score?);
    if points.len() < 2 {
        return None;
    }
    let step = 560.0 / (points.len() - 1) as f64;
    let y = |s: f64| 130.0 - s * 1.2;
    let coords: Vec<String> =
        points.iter().enumerate().map(|(i, s)| format!("{:.1},{:.1}", 40.0 + i as f64 * step, y(*s))).collect();
    let dots: String = points
        .iter()
        .enumerate()
        .map(|(i, s)| {
            format!("<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"#0b4f9c\"/>", 40.0 + i as f64 * step, y(*s))
        })
        .collect();
    Some(format!(
        "<svg role=\"img\" aria-label=\"score trend\" viewBox=\"0 0 640 150\" xmlns=\"http://www.w3.org/2000/svg\">\
<line x1=\"40\" y1=\"{mark_y:.1}\" x2=\"600\" y2=\"{mark_y:.1}\" stroke=\"#9b1c1c\" stroke-dasharray=\"4 4\"/><text x=\"0\" y=\"{label_y:.1}\">{mark}</text>\
<text x=\"0\" y=\"14\">100</text><text x=\"0\" y=\"134\">0</text>\
<polyline fill=\"none\" stroke=\"#0b4f9c\" stroke-width=\"3\" points=\"{}\"/>{dots}</svg>",
        coords.join(" "),
        mark_y = y(pass_mark),
        label_y = y(pass_mark) + 4.0,
        mark = score_text(Some(pass_mark)),
    ))
}

/// The one-sentence verdict, and its colour.
fn verdict(cx: &ReportContext, site: &SiteRecord, t: &Value) -> (String, &'static str) {
    let s = &site.score;
    let failed_issues: Vec<&Issue> = site.issues.iter().filter(|i| i.outcome == FindingOutcome::Failed).collect();
    let title = |issue: &Issue| cx.title(&issue.check, true);
    if s.status == SiteStatus::NotChecked {
        return (text(t, "verdict_not_checked"), "fail");
    }
    if s.status == SiteStatus::Incomplete && s.vetoes.is_empty() {
        let requested = s.summary.pages_requested();
        return (
            fill(
                t,
                "verdict_incomplete",
                &[
                    ("checked", s.summary.pages_checked.to_string()),
                    ("requested", requested.to_string()),
                    ("score", score_text(s.score)),
                ],
            ),
            "warn",
        );
    }
    if !s.vetoes.is_empty() {
        let first = failed_issues.iter().find(|i| i.veto).map(|i| title(i)).unwrap_or_default();
        return (fill(t, "verdict_veto", &[("n", s.vetoes.len().to_string()), ("title", first)]), "fail");
    }
    let mark = score_text(Some(cx.manifest.policy.pass_mark));
    if !s.passed {
        let score = score_text(s.score);
        return match failed_issues.first() {
            Some(top) => (fill(t, "verdict_low", &[("score", score), ("mark", mark), ("title", title(top))]), "fail"),
            None => (fill(t, "verdict_low_clean", &[("score", score), ("mark", mark)]), "fail"),
        };
    }
    let critical: Vec<&&Issue> = failed_issues
        .iter()
        .filter(|i| cx.check(&i.check).is_some_and(|c| c.impact == Impact::Critical) && i.accepted.is_none())
        .collect();
    if let Some(first) = critical.first() {
        let titles: Vec<String> =
            critical.iter().map(|i| title(i)).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        return (
            fill(
                t,
                "verdict_pass_critical",
                &[
                    ("n", critical.len().to_string()),
                    ("title", if titles.len() > 1 { titles.join("、") } else { title(first) }),
                ],
            ),
            "warn",
        );
    }
    match failed_issues.first() {
        Some(top) => {
            (fill(t, "verdict_pass_issues", &[("n", failed_issues.len().to_string()), ("title", title(top))]), "pass")
        }
        None => (text(t, "verdict_pass_clean"), "pass"),
    }
}

fn site_view(cx: &ReportContext, site: &SiteRecord, aggregate: SiteAggregate, t: &Value) -> Value {
    let lang = cx.lang;
    let s = &site.score;
    let requested = s.summary.pages_requested();
    let (result_text, result_class) = match (s.status, s.passed) {
        (SiteStatus::NotChecked, _) => (text(t, "not_checked"), "fail"),
        (SiteStatus::Incomplete, _) => (
            fill(
                t,
                "incomplete",
                &[("checked", s.summary.pages_checked.to_string()), ("requested", requested.to_string())],
            ),
            "warn",
        ),
        (SiteStatus::Checked, true) => (text(t, "passed"), "pass"),
        (SiteStatus::Checked, false) => (text(t, "failed"), "fail"),
    };
    let (verdict_text, verdict_class) = verdict(cx, site, t);
    let accepted_note = (s.summary.accepted > 0).then(|| {
        let result = if s.passed_with_accepted { text(t, "passed") } else { text(t, "failed") };
        fill(
            t,
            "accepted_note",
            &[
                ("n", s.summary.accepted.to_string()),
                ("score", score_text(s.score_with_accepted.or(s.score))),
                ("result", result),
            ],
        )
    });

    let failed: Vec<&Issue> = site.issues.iter().filter(|i| i.outcome == FindingOutcome::Failed).collect();
    let priorities: Vec<Value> = failed
        .iter()
        .filter(|i| i.accepted.is_none())
        .take(PRIORITIES)
        .map(|i| issue_view(cx, i, t, aggregate.screens_base.as_deref()))
        .collect();
    // Every failed issue, as one line under its check; checks in the order of their best issue.
    let mut by_check: Vec<(String, Vec<&Issue>)> = Vec::new();
    for issue in &failed {
        match by_check.iter_mut().find(|(id, _)| *id == issue.check) {
            Some((_, list)) => list.push(issue),
            None => by_check.push((issue.check.clone(), vec![issue])),
        }
    }
    let (fix_h, example_h): (&[&str], &[&str]) = (&["## 如何修复", "## How to fix"], &["## 示例", "## Example"]);
    let issue_groups: Vec<Value> = by_check
        .iter()
        .enumerate()
        .map(|(index, (check, list))| {
            let info = cx.check(check);
            let docs = info.map(|c| c.docs.get(lang).to_string()).unwrap_or_default();
            let gain: f64 = list.iter().map(|i| i.gain).sum();
            let pages: usize = list.iter().map(|i| i.pages_total).max().unwrap_or(0);
            let veto = list.iter().any(|i| i.veto);
            json!({
                "title": cx.title(check, true), "count": list.len(),
                "family": info.map(|c| family_title(c.family, lang)).unwrap_or_default(), "family_id": info.map(|c| c.family.id()).unwrap_or_default(),
                "impact": info.map(|c| c.impact.title().get(lang).to_string()).unwrap_or_default(), "impact_id": info.map(|c| c.impact.id()).unwrap_or_default(),
                "gain": (gain >= 0.1).then(|| fill(t, "gain", &[("n", format!("{gain:.1}"))])), "gain_value": gain,
                "pages_value": pages, "veto": veto, "veto_value": u8::from(veto), "class": if veto { "veto" } else { "" },
                "open": index < 3,
                "fix": segments(&docs_section(&docs, fix_h)), "example": segments(&docs_section(&docs, example_h)),
                "lines": list.iter().map(|i| issue_line(i, t, &aggregate.anchors)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut review: BTreeMap<String, Vec<&Issue>> = BTreeMap::new();
    for issue in site.issues.iter().filter(|i| i.outcome == FindingOutcome::CantTell) {
        let reason = issue
            .reason
            .clone()
            .filter(|r| t["review_reasons"][r.as_str()].is_array())
            .unwrap_or_else(|| "other".into());
        review.entry(reason).or_default().push(issue);
    }
    let review_groups: Vec<Value> = review
        .iter()
        .map(|(reason, issues)| {
            let words = &t["review_reasons"][reason.as_str()];
            let occurrences: usize = issues.iter().map(|i| i.occurrences).sum();
            let lines: Vec<Value> = issues
                .iter()
                .map(|i| {
                    let mut line = issue_line(i, t, &aggregate.anchors);
                    line["t"] = json!(cx.title(&i.check, false));
                    line
                })
                .collect();
            json!({ "title": words[0], "steps": words[1], "count": fill(t, "review_count", &[("n", occurrences.to_string())]), "lines": lines })
        })
        .collect();

    let families: Vec<Value> = Family::ALL
        .iter()
        .map(|f| {
            let score = s.family_scores.get(f.id()).copied().flatten();
            let class = match score {
                Some(v) if v >= 90.0 => "pass",
                Some(v) if v >= cx.manifest.policy.pass_mark => "",
                Some(_) => "fail",
                None => "none",
            };
            let targets = s.summary.targets_by_family.get(f.id()).copied().unwrap_or_default();
            let unverified = if targets.unverified > 0 {
                fill(t, "family_unverified", &[("n", targets.unverified.to_string())])
            } else {
                text(t, "family_all_verified")
            };
            json!({ "title": family_title(*f, lang), "score": score.map_or_else(|| text(t, "no_score"), |v| format!("{v:.1}")),
                    "percent": score.map_or(0.0, |v| (v * 10.0).round() / 10.0), "class": class, "unverified": unverified })
        })
        .collect();
    let family_options: Vec<Value> = Family::ALL
        .iter()
        .filter(|f| failed.iter().any(|i| cx.family(&i.check) == Some(**f)))
        .map(|f| json!({ "id": f.id(), "title": family_title(*f, lang) }))
        .collect();
    let impact_options: Vec<Value> =
        [Impact::Critical, Impact::Serious, Impact::Moderate, Impact::Minor, Impact::Advisory]
            .iter()
            .filter(|impact| failed.iter().any(|i| cx.check(&i.check).is_some_and(|c| c.impact == **impact)))
            .map(|i| json!({ "id": i.id(), "title": i.title().get(lang) }))
            .collect();

    let row_view = |id: &String, row: &CheckRow| {
        let (_, class) = status(row.pages_failed > 0, row.cant_tell > 0, row.pages_applicable > 0, t);
        let info = cx.check(id);
        json!({ "id": id, "title": cx.title(id, row.pages_failed > 0),
                "family": info.map(|c| family_title(c.family, lang)).unwrap_or_default(),
                "impact": info.map(|c| c.impact.title().get(lang).to_string()).unwrap_or_default(),
                "pages_failed": row.pages_failed, "pages_applicable": row.pages_applicable, "findings": row.findings,
                "cant_tell": row.cant_tell, "status_class": class,
                "note": (row.pages_applicable == 0 && info.is_some_and(|c| c.needs_browser)).then(|| text(t, "needs_browser_note")) })
    };
    let mut groups: [(&str, &str, bool, Vec<Value>); 4] = [
        ("checks_failed", "fail", true, Vec::new()),
        ("checks_review", "review", false, Vec::new()),
        ("checks_passed", "pass", false, Vec::new()),
        ("checks_na", "note", false, Vec::new()),
    ];
    for id in &aggregate.order {
        let Some(row) = aggregate.rows.get(id) else { continue };
        let slot = if row.pages_failed > 0 {
            0
        } else if row.cant_tell > 0 {
            1
        } else if row.pages_applicable > 0 {
            2
        } else {
            3
        };
        groups[slot].3.push(row_view(id, row));
    }
    let check_groups: Vec<Value> = groups
        .into_iter()
        .filter(|g| !g.3.is_empty())
        .map(|(key, class, open, rows)| json!({ "title": text(t, key), "class": class, "open": open, "rows": rows }))
        .collect();

    let site_checks: Vec<Value> = site
        .site_checks
        .iter()
        .map(|c| {
            let (status_text, class) =
                status(c.outcome == Outcome::Failed, c.outcome == Outcome::CantTell, c.outcome != Outcome::Inapplicable, t);
            json!({ "title": cx.title(&c.id, c.outcome == Outcome::Failed), "status": status_text, "status_class": class,
                    "messages": c.findings.iter().map(|f| cx.message(&f.message).to_string()).collect::<Vec<_>>() })
        })
        .collect();
    let vetoes: Vec<Value> = s
        .vetoes
        .iter()
        .map(|v| json!({ "title": cx.title(&v.check, true), "page": v.page, "anchor": format!("issue-{}", v.issue), "accepted": v.accepted }))
        .take(100)
        .collect();
    let changes = site.changes.as_ref().map(|c| {
        let rows = |keys: &[String]| -> Vec<Value> {
            keys.iter()
                .take(MAX_CHANGES_SHOWN)
                .map(|k| {
                    let label = c.labels.get(k);
                    json!({ "title": label.map_or_else(|| k.clone(), |l| cx.title(&l.check, true)), "label": label.map(|l| l.label.clone()).unwrap_or_default() })
                })
                .collect()
        };
        let more = |total: usize, shown: usize| {
            (total > shown).then(|| fill(t, "changes_more", &[("n", total.to_string()), ("shown", shown.to_string())]))
        };
        let (new_count, fixed_count) = (c.new_total.unwrap_or(c.new.len()), c.fixed_total.unwrap_or(c.fixed.len()));
        json!({ "new": rows(&c.new), "fixed": rows(&c.fixed), "new_count": new_count, "fixed_count": fixed_count,
                "new_more": more(new_count, c.new.len().min(MAX_CHANGES_SHOWN)), "fixed_more": more(fixed_count, c.fixed.len().min(MAX_CHANGES_SHOWN)) })
    });
    let more_pages = (aggregate.pages_total > aggregate.pages.len()).then(|| {
        fill(
            t,
            "more_drilldown",
            &[("shown", aggregate.pages.len().to_string()), ("n", aggregate.pages_total.to_string())],
        )
    });
    let pass_mark = cx.manifest.policy.pass_mark;
    json!({
        "name": site.name, "url": site.url, "link": safe_link(&site.url), "score": score_text(s.score),
        "grade": grade_letter(s.grade), "result": result_text, "result_class": result_class,
        "verdict": verdict_text, "verdict_class": verdict_class, "accepted_note": accepted_note,
        "pass_mark": score_text(Some(pass_mark)), "pages_checked": s.summary.pages_checked,
        "pages_failed_to_load": s.summary.pages_failed_to_load,
        "vetoes": vetoes, "priorities": priorities, "families": families, "issue_groups": issue_groups,
        "issue_count": failed.len(),
        "family_options": family_options, "impact_options": impact_options, "review_groups": review_groups,
        "site_checks": site_checks, "check_groups": check_groups, "pages": aggregate.pages, "more_pages": more_pages,
        "trend_chart": trend_chart(site, pass_mark), "changes": changes,
    })
}

/// A site's row in the batch ranking.
struct RankingRow {
    name: String,
    group: Option<String>,
    score: Option<f64>,
    grade: String,
    status: SiteStatus,
    checked: bool,
    passed: bool,
    families: BTreeMap<String, Option<f64>>,
    change: Option<f64>,
    vetoes: usize,
    issues: usize,
    pages_checked: usize,
    pages_attempted: usize,
    file: String,
}

/// The file name of a site's page in a batch: its position, and its host (a local folder's name).
fn site_file_name(index: usize, url: &str) -> String {
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

pub struct HtmlSink {
    out: PathBuf,
    /// The results folder's screenshots, referred to from the report files.
    screens: Option<PathBuf>,
    /// How the report files of this run refer to the screenshots folder.
    screens_base: Option<String>,
    strings: Option<Value>,
    handlebars: handlebars::Handlebars<'static>,
    current: Option<SiteAggregate>,
    ranking: Vec<RankingRow>,
}

impl HtmlSink {
    pub fn new(out: &Path, screens: Option<PathBuf>) -> HtmlSink {
        HtmlSink {
            out: out.to_path_buf(),
            screens,
            screens_base: None,
            strings: None,
            handlebars: handlebars::Handlebars::new(),
            current: None,
            ranking: Vec::new(),
        }
    }

    fn t(&self) -> Result<&Value, WriteError> {
        self.strings.as_ref().ok_or_else(|| WriteError::Template("strings not loaded".into()))
    }

    /// Renders one file from the parts its page needs.
    fn write(&self, cx: &ReportContext, path: &Path, parts: Map<String, Value>) -> Result<(), WriteError> {
        let m = &cx.manifest;
        let t = self.t()?;
        let mut model = Map::new();
        model.insert("lang".into(), json!(cx.lang_tag()));
        model.insert("t".into(), t.clone());
        model.insert("css".into(), json!(CSS));
        model.insert("script".into(), json!(SCRIPT));
        model.insert("script_hash".into(), json!(script_hash()));
        model.insert("generated".into(), json!(local_time(&m.generated_at, t)));
        model.insert("profile".into(), json!(profile_text(&m.profile, t)));
        model.insert("version".into(), json!(m.tool.version));
        model.extend(parts);
        let html =
            self.handlebars.render("report", &Value::Object(model)).map_err(|e| WriteError::Template(e.to_string()))?;
        let mut file = AtomicFile::create(path)?;
        file.write_all(html.as_bytes())?;
        file.commit()
    }
}

impl Sink for HtmlSink {
    fn begin(&mut self, cx: &ReportContext) -> Result<(), WriteError> {
        self.strings = Some(strings(cx.lang)?);
        self.handlebars.set_strict_mode(false);
        self.handlebars
            .register_template_string("report", TEMPLATE)
            .map_err(|e| WriteError::Template(e.to_string()))?;
        self.handlebars.register_partial("issue", ISSUE_TEMPLATE).map_err(|e| WriteError::Template(e.to_string()))?;
        if cx.is_batch() {
            let dir = self.out.join("sites");
            std::fs::create_dir_all(&dir).map_err(super::write_error(&dir))?;
        }
        // Site pages of a batch sit one folder down, in sites/.
        let from = if cx.is_batch() { self.out.join("sites") } else { self.out.clone() };
        self.screens_base =
            self.screens.as_deref().filter(|p| p.is_dir()).and_then(|screens| screens_href(&from, screens));
        Ok(())
    }

    fn site(&mut self, cx: &ReportContext, _index: usize, _site: &SiteRecord) -> Result<(), WriteError> {
        self.current =
            Some(SiteAggregate { screens_base: self.screens_base.clone(), lang: cx.lang, ..SiteAggregate::default() });
        Ok(())
    }

    fn page(&mut self, _cx: &ReportContext, _site: &SiteRecord, page: &PageResult) -> Result<(), WriteError> {
        let Some(t) = self.strings.as_ref() else { return Ok(()) };
        if let Some(aggregate) = self.current.as_mut() {
            aggregate.add(page, t);
        }
        Ok(())
    }

    fn end_site(&mut self, cx: &ReportContext, index: usize, site: &SiteRecord) -> Result<(), WriteError> {
        let aggregate = self.current.take().unwrap_or_default();
        let t = self.t()?;
        let view = site_view(cx, site, aggregate, t);
        let mut parts = Map::new();
        parts.insert("page_title".into(), json!(format!("{} – {}", text(t, "title"), site.name)));
        parts.insert("heading".into(), json!(text(t, "title")));
        parts.insert("site".into(), view);
        parts.insert("checklist".into(), json!(true));
        parts.insert("checklist_site".into(), json!(site.url));
        let s = &site.score;
        if cx.is_batch() {
            let file = site_file_name(index, &site.url);
            parts.insert("back_link".into(), json!("../report.html"));
            self.write(cx, &self.out.join("sites").join(&file), parts)?;
            self.ranking.push(RankingRow {
                name: site.name.clone(),
                group: site.group.clone(),
                score: s.score,
                grade: grade_letter(s.grade),
                status: s.status,
                checked: s.status == SiteStatus::Checked,
                passed: s.passed,
                families: s.family_scores.clone(),
                change: site.trend.last().and_then(|p| p.score).zip(s.score).map(|(before, now)| now - before),
                vetoes: s.vetoes.len(),
                issues: site.issues.iter().filter(|i| i.outcome == FindingOutcome::Failed).count(),
                pages_checked: s.summary.pages_checked,
                pages_attempted: s.summary.pages_requested(),
                file: format!("sites/{file}"),
            });
        } else {
            self.write(cx, &self.out.join("report.html"), parts)?;
        }
        Ok(())
    }

    fn end(&mut self, cx: &ReportContext) -> Result<(), WriteError> {
        if !cx.is_batch() {
            return Ok(());
        }
        let t = self.t()?.clone();
        let lang = cx.lang;
        let mut ranking: Vec<&RankingRow> = self.ranking.iter().collect();
        // Checked sites by score; sites that could not be checked last, without a rank.
        ranking.sort_by(|a, b| {
            b.checked.cmp(&a.checked).then(b.score.unwrap_or(-1.0).total_cmp(&a.score.unwrap_or(-1.0)))
        });
        let rows: Vec<Value> = ranking
            .iter()
            .enumerate()
            .map(|(rank, s)| {
                let (result, class) = match (s.status, s.passed) {
                    (SiteStatus::NotChecked, _) => (text(&t, "not_checked"), "fail"),
                    (SiteStatus::Incomplete, _) => (
                        fill(
                            &t,
                            "incomplete",
                            &[("checked", s.pages_checked.to_string()), ("requested", s.pages_attempted.to_string())],
                        ),
                        "warn",
                    ),
                    (SiteStatus::Checked, true) => (text(&t, "passed"), "pass"),
                    (SiteStatus::Checked, false) => (text(&t, "failed"), "fail"),
                };
                let families: Vec<Value> = Family::ALL
                    .iter()
                    .map(|f| {
                        let v = s.families.get(f.id()).copied().flatten();
                        json!({ "label": family_title(*f, lang), "value": v.unwrap_or(-1.0), "text": score_text(v) })
                    })
                    .collect();
                let change = s.change.map(|c| if c > 0.05 { format!("+{c:.1}") } else { format!("{c:.1}") });
                json!({ "rank": if s.checked { (rank + 1).to_string() } else { "–".into() }, "link": s.file, "name": s.name,
                        "group": s.group, "score": score_text(s.score), "score_value": s.score.unwrap_or(-1.0), "grade": if s.checked { s.grade.clone() } else { "–".into() },
                        "result": result, "result_class": class, "families": families,
                        "change": change.unwrap_or_else(|| "–".into()), "change_value": s.change.unwrap_or(0.0),
                        "vetoes": s.vetoes, "issues": s.issues,
                        "coverage": format!("{} / {}", s.pages_checked, s.pages_attempted),
                        "coverage_value": if s.pages_attempted > 0 { s.pages_checked as f64 / s.pages_attempted as f64 } else { 0.0 } })
            })
            .collect();
        let mut groups: BTreeMap<String, (usize, usize, f64, usize)> = BTreeMap::new();
        for s in &self.ranking {
            let name = s.group.clone().unwrap_or_else(|| text(&t, "ungrouped"));
            let entry = groups.entry(name).or_default();
            // The pass rate is over the sites that could be checked; the others have no verdict.
            entry.0 += usize::from(s.checked);
            entry.1 += usize::from(s.passed);
            if let Some(score) = s.score {
                entry.2 += score;
                entry.3 += 1;
            }
        }
        let group_rows: Vec<Value> = if self.ranking.iter().any(|s| s.group.is_some()) {
            groups
                .iter()
                .map(|(name, (sites, passed, sum, scored))| {
                    json!({ "name": name, "sites": sites, "passed": passed,
                            "pass_rate": format!("{:.0}%", 100.0 * *passed as f64 / (*sites).max(1) as f64),
                            "mean": if *scored > 0 { format!("{:.1}", sum / *scored as f64) } else { "–".into() } })
                })
                .collect()
        } else {
            Vec::new()
        };
        let passed = self.ranking.iter().filter(|s| s.passed).count();
        let unchecked = self.ranking.iter().filter(|s| !s.checked).count();
        let mut parts = Map::new();
        parts.insert("page_title".into(), json!(text(&t, "batch_title")));
        parts.insert("heading".into(), json!(text(&t, "batch_title")));
        parts.insert("batch".into(), json!(true));
        parts.insert("ranking".into(), json!(rows));
        parts.insert("groups".into(), json!(group_rows));
        parts.insert("families".into(), json!(Family::ALL.iter().map(|f| family_title(*f, lang)).collect::<Vec<_>>()));
        parts.insert(
            "batch_summary".into(),
            json!(fill(
                &t,
                "batch_summary",
                &[
                    ("sites", self.ranking.len().to_string()),
                    ("passed", passed.to_string()),
                    ("failed", (self.ranking.len() - passed - unchecked).to_string()),
                    ("unchecked", unchecked.to_string()),
                ]
            )),
        );
        self.write(cx, &self.out.join("report.html"), parts)
    }
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

    #[test]
    fn base64_and_the_script_hash() {
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
        assert!(script_hash().starts_with("sha256-") && script_hash().len() == 7 + 44);
    }

    #[test]
    fn beijing_time_without_fractions() {
        let zh = strings(Lang::ZhCn).expect("strings");
        assert_eq!(local_time("2026-11-29T07:47:48.714721167Z", &zh), "2026年11月29日 15:47（北京时间）");
        let en = strings(Lang::En).expect("strings");
        assert_eq!(local_time("2026-11-29T20:05:00Z", &en), "30 Nov 2026, 04:05 (Beijing time)");
    }

    #[test]
    fn docs_sections_and_code_segments() {
        let docs = "## 检查什么\nA\n\n## 如何修复\n把 `color: #999` 改深。\n\n## 示例\nx";
        assert_eq!(docs_section(docs, &["## 如何修复"]), "把 `color: #999` 改深。");
        let parts = segments("把 `color: #999` 改深。");
        assert_eq!(parts[1], json!({ "text": "color: #999", "code": true }));
    }
}
