//! Issues in the HTML report: an issue card (where, why, how to fix, the CSS behind it, a crop of
//! the screenshot) and an issue's one line in its check's list.

use super::pictures::{crop_of_picture, crop_view, tab_order_view, top_view};
use super::words::{clip, css_colour, docs_section, family_title, fill, segments, text};
use super::MAX_PAGES_PER_ISSUE;
use crate::issues::Issue;
use crate::report::{safe_link, ReportContext};
use eldercheck_checks::check::{FindingOutcome, Lang};
use eldercheck_checks::page::style::{DeclarationOrigin, Source};
use serde_json::{json, Value};
use std::collections::HashMap;

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

/// Whether fixing `fixed` (issues of one check, or one issue) alone turns a site that did not pass
/// into one that does: no unaccepted veto left and the score, raised by the fixes' gain, at the
/// pass mark. A veto's gain in points is small; what fixing it does is pass the site, and the
/// report must say that rather than "0.1 points".
pub(super) fn passes_once_fixed(site: &crate::rundir::SiteRecord, pass_mark: f64, fixed: &[&Issue]) -> bool {
    let s = &site.score;
    if s.passed || s.status != crate::score::SiteStatus::Checked || fixed.is_empty() {
        return false;
    }
    let vetoes_left = s.vetoes.iter().any(|v| !v.accepted && !fixed.iter().any(|i| i.id == v.issue));
    let gain: f64 = fixed.iter().map(|i| i.gain).sum();
    !vetoes_left && s.score.is_some_and(|score| score + gain >= pass_mark)
}

pub(super) fn issue_view(
    cx: &ReportContext,
    issue: &Issue,
    t: &Value,
    screens_base: Option<&str>,
    passes_site: bool,
) -> Value {
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
    let gain = if failing && passes_site {
        Some(fill(t, "gain_passes", &[("n", format!("{:.1}", issue.gain))]))
    } else {
        (failing && issue.gain >= 0.1).then(|| fill(t, "gain", &[("n", format!("{:.1}", issue.gain))]))
    };
    let colours = (issue.check.starts_with("color-contrast")).then(|| {
        let (fg, bg) = (css_colour(e.data.get("foreground")), css_colour(e.data.get("background")));
        let suggested = css_colour(e.data.get("suggested_foreground"));
        match (fg, bg) {
            (Some(fg), Some(bg)) => {
                let ratio = e.data.get("ratio").and_then(Value::as_f64).unwrap_or(0.0);
                let required = e.data.get("required").and_then(Value::as_f64).unwrap_or(4.5);
                // Results of older versions carry no ratio for the suggestion: it passes by construction.
                let new_ratio = e.data.get("suggested_ratio").and_then(Value::as_f64).unwrap_or(required);
                let suggestion = suggested.as_ref().map(|s| {
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
        // The same place with the text doubled (text-zoom), beside the page as loaded.
        "shot_changed": screens_base.zip(e.data.get("changed_picture").zip(e.data.get("changed_bounds")))
            .and_then(|(base, (picture, bounds))| crop_of_picture(picture, bounds, base)),
        // The page laid out 320 px wide (reflow).
        "narrow_shot": screens_base.zip(e.data.get("narrow_picture")).and_then(|(base, picture)| top_view(picture, base)),
        // The page with its tab stops numbered (keyboard-focus).
        "tab_shot": screens_base.zip(e.screenshot.as_ref().zip(e.data.get("tab_order")))
            .and_then(|(base, (shot, order))| tab_order_view(shot, order, base)),
        // The screen after the pop-up's close control was clicked (popup-close).
        "after_shot": screens_base.zip(e.data.get("after_picture")).and_then(|(base, picture)| top_view(picture, base)),
        // The home page before and after its elder switch was pressed (elder-mode-switch).
        "switch_shots": screens_base.zip(e.data.get("switch_pictures").and_then(Value::as_array)).and_then(|(base, pair)| {
            let views: Option<Vec<Value>> = pair.iter().map(|p| top_view(p, base)).collect();
            views.filter(|v| v.len() == 2)
        }),
        "fix": segments(&docs_section(&docs, fix_h)), "example": segments(&docs_section(&docs, example_h)),
        "why": segments(&docs_section(&docs, why_h)),
        "pages_total": issue.pages_total, "pages": pages, "more_pages": issue.pages_total > 1,
        "pages_not_listed": (not_listed > 0).then(|| fill(t, "more_pages", &[("n", not_listed.to_string())])),
    })
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
pub(super) fn issue_line(issue: &Issue, t: &Value, page_anchors: &HashMap<String, usize>) -> Value {
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
