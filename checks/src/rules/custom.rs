//! Declarative checks from a profile's `[[custom_checks]]`: a CSS selector picks the elements, one
//! condition judges them, and the check then behaves like a built-in one (outcomes, scores,
//! vetoes, reports, `checks`, `explain`). A compiled check owns its metadata; it lives in the
//! catalogue built for one run.

use super::shared::contrast::{text_contrast, Contrast};
use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::page::collapsed_text;
use crate::page::style::DeclarationOrigin;
use crate::page::Attribute;
use crate::text::visible_text_elements;
use regex::Regex;
use scraper::{ElementRef, Selector};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// One `[[custom_checks]]` entry as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomCheckDefinition {
    /// The file the definition came from, for error messages.
    #[serde(skip)]
    pub source: String,
    pub id: String,
    pub family: String,
    pub impact: String,
    pub title: String,
    pub failure_title: String,
    pub message: String,
    pub help: String,
    #[serde(default)]
    pub elder_only: bool,
    #[serde(default)]
    pub veto: bool,
    pub applies_to: String,
    #[serde(default)]
    pub forbid: bool,
    pub require_descendant: Option<String>,
    pub require_attr: Option<String>,
    pub text_matches: Option<String>,
    pub min_font_px: Option<f32>,
    pub min_contrast: Option<f64>,
}

/// Reads `[[custom_checks]]` tables; an error names the check (its `id`, or its position).
pub fn definitions_from_tables(tables: Vec<toml::Table>) -> Result<Vec<CustomCheckDefinition>, String> {
    tables
        .into_iter()
        .enumerate()
        .map(|(i, table)| {
            let name = table.get("id").and_then(|v| v.as_str()).map_or_else(|| format!("#{}", i + 1), str::to_string);
            toml::Value::Table(table)
                .try_into()
                .map_err(|e: toml::de::Error| format!("custom check {name:?}: {}", e.message()))
        })
        .collect()
}

enum Condition {
    Forbid,
    ForbidText(Regex),
    RequireText(Regex),
    RequireDescendant(Selector),
    RequireAttr(String),
    MinFontPx(f32),
    MinContrast(f64),
}

pub struct CustomCheck {
    meta: CheckMeta,
    applies_to: Selector,
    condition: Condition,
    message: String,
    elder_only: bool,
}

/// Builds a custom check, or says what is wrong with the definition.
pub fn build(def: &CustomCheckDefinition, taken: &[String]) -> Result<CustomCheck, String> {
    let id_ok = !def.id.is_empty()
        && def.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !def.id.starts_with('-')
        && !def.id.ends_with('-');
    if !id_ok {
        return Err(format!("id {:?} must be kebab-case (a-z, 0-9, -)", def.id));
    }
    if taken.contains(&def.id) {
        return Err(format!("id {:?} is already used by another check", def.id));
    }
    let family = match def.family.as_str() {
        "font" => Family::Font,
        "contrast" => Family::Contrast,
        "popups" => Family::Popups,
        "labels" => Family::Labels,
        "service" => Family::Service,
        other => return Err(format!("family {other:?} must be one of font, contrast, popups, labels, service")),
    };
    let impact = match def.impact.as_str() {
        "critical" => Impact::Critical,
        "serious" => Impact::Serious,
        "moderate" => Impact::Moderate,
        "minor" => Impact::Minor,
        "advisory" => Impact::Advisory,
        other => return Err(format!("impact {other:?} must be critical, serious, moderate, minor or advisory")),
    };
    let selector = |text: &str, key: &str| {
        Selector::parse(text).map_err(|e| format!("{key} = {text:?} is not a valid CSS selector: {e}"))
    };
    let applies_to = selector(&def.applies_to, "applies_to")?;
    let regex = |text: &str| {
        Regex::new(text).map_err(|e| format!("text_matches = {text:?} is not a valid regular expression: {e}"))
    };
    let mut conditions = Vec::new();
    match (&def.text_matches, def.forbid) {
        (Some(r), true) => conditions.push(Condition::ForbidText(regex(r)?)),
        (Some(r), false) => conditions.push(Condition::RequireText(regex(r)?)),
        (None, true) => conditions.push(Condition::Forbid),
        (None, false) => {}
    }
    if let Some(d) = &def.require_descendant {
        conditions.push(Condition::RequireDescendant(selector(d, "require_descendant")?));
    }
    if let Some(a) = &def.require_attr {
        if a.trim().is_empty() {
            return Err("require_attr must name an attribute".into());
        }
        conditions.push(Condition::RequireAttr(a.trim().to_ascii_lowercase()));
    }
    if let Some(px) = def.min_font_px {
        if !(px > 0.0 && px < 200.0) {
            return Err(format!("min_font_px = {px} must be between 0 and 200"));
        }
        conditions.push(Condition::MinFontPx(px));
    }
    if let Some(ratio) = def.min_contrast {
        if !(1.0..=21.0).contains(&ratio) {
            return Err(format!("min_contrast = {ratio} must be between 1 and 21"));
        }
        conditions.push(Condition::MinContrast(ratio));
    }
    if conditions.len() != 1 {
        return Err(format!(
            "needs exactly one condition (forbid, require_descendant, require_attr, text_matches, min_font_px or min_contrast), found {}",
            conditions.len()
        ));
    }
    let docs = format!(
        "## 检查什么\n{title}（自定义检查：`{sel}`）\n\n## 为什么对老年读者重要\n{help}\n\n## 示例\n`{sel}`\n\n## 如何修复\n{help}",
        title = def.title,
        sel = def.applies_to,
        help = def.help
    );
    let docs_en = format!(
        "## What it checks\n{title} (custom check: `{sel}`)\n\n## Why it matters for older readers\n{help}\n\n## Example\n`{sel}`\n\n## How to fix\n{help}",
        title = def.title,
        sel = def.applies_to,
        help = def.help
    );
    let meta = CheckMeta {
        id: def.id.clone().into(),
        family,
        impact,
        scope: Scope::Page,
        title: Text::owned(def.title.clone(), def.title.clone()),
        failure_title: Text::owned(def.failure_title.clone(), def.failure_title.clone()),
        criteria: Criteria { wcag: &[], miit: &[], act: &[] },
        docs: Text::owned(docs, docs_en),
    };
    Ok(CustomCheck {
        meta,
        applies_to,
        condition: conditions.remove(0),
        message: def.message.clone(),
        elder_only: def.elder_only,
    })
}

impl Check for CustomCheck {
    fn meta(&self) -> &CheckMeta {
        &self.meta
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let page = cx.page;
        let mut tally = Tally::default();
        if self.elder_only && !cx.elder_page {
            return tally.finish();
        }
        // The selector decides how much work a page costs (`*`, `:has()` on a page of 100,000
        // elements): the budget is looked at as the elements come.
        let mut selected = Vec::new();
        // Every element is counted, matched or not: with `:has()` the time goes into elements
        // that do not match.
        for (n, element) in page.elements().enumerate() {
            if n % BUDGET_STRIDE == 0 && cx.budget.check("a custom check").is_err() {
                return tally.finish();
            }
            if self.applies_to.matches(&element) && page.is_rendered(element) {
                selected.push(element);
            }
        }
        match &self.condition {
            Condition::MinFontPx(_) | Condition::MinContrast(_) => self.judge_text(cx, &selected, &mut tally),
            condition => {
                for (n, &element) in selected.iter().enumerate() {
                    if n % BUDGET_STRIDE == 0 && cx.budget.check("a custom check").is_err() {
                        break;
                    }
                    self.judge_element(cx, condition, element, &mut tally);
                }
            }
        }
        tally.finish()
    }
}

/// Elements judged between two looks at the page's budget.
const BUDGET_STRIDE: usize = 256;

impl CustomCheck {
    fn fail(
        &self,
        cx: &CheckContext<'_>,
        tally: &mut Tally,
        element: ElementRef<'_>,
        detail: String,
        origin: Option<&Arc<DeclarationOrigin>>,
    ) {
        let text = if detail.is_empty() { self.message.clone() } else { format!("{}（{detail}）", self.message) };
        tally.add(Finding::failed(cx.page, element, Message::new(text.clone(), text)).with_origin(origin));
    }

    fn judge_element(&self, cx: &CheckContext<'_>, condition: &Condition, element: ElementRef<'_>, tally: &mut Tally) {
        let held = match condition {
            Condition::Forbid => false,
            Condition::ForbidText(re) => {
                if let Some(m) = re.find(&collapsed_text(element)) {
                    self.fail(cx, tally, element, m.as_str().to_string(), None);
                    return;
                }
                true
            }
            Condition::RequireText(re) => re.is_match(&collapsed_text(element)),
            Condition::RequireDescendant(selector) => element.select(selector).next().is_some(),
            Condition::RequireAttr(name) => element.value().attribute(name).is_some_and(|v| !v.trim().is_empty()),
            Condition::MinFontPx(_) | Condition::MinContrast(_) => return,
        };
        if held {
            tally.pass();
        } else {
            self.fail(cx, tally, element, String::new(), None);
        }
    }

    /// Size and contrast are judged on the text inside the selected elements, each text once
    /// (nested selected elements share it), with the engine's computed styles. One walk over the
    /// text, each looking up its ancestors in a set: linear in the page, whatever the selector.
    fn judge_text(&self, cx: &CheckContext<'_>, selected: &[ElementRef<'_>], tally: &mut Tally) {
        let page = cx.page;
        let ids: std::collections::HashSet<_> = selected.iter().map(|e| e.id()).collect();
        if ids.is_empty() {
            return;
        }
        for (n, item) in visible_text_elements(page).into_iter().enumerate() {
            if n % BUDGET_STRIDE == 0 && cx.budget.check("a custom check").is_err() {
                return;
            }
            let inside = ids.contains(&item.element.id()) || item.element.ancestors().any(|a| ids.contains(&a.id()));
            if !inside {
                continue;
            }
            match self.condition {
                Condition::MinFontPx(min) => match page.style_of(item.element).font_size.clone() {
                    Ok(px) if px + 0.01 >= min => tally.pass(),
                    Ok(px) => self.fail(
                        cx,
                        tally,
                        item.element,
                        format!("{px:.1}px < {min}px"),
                        page.style_of(item.element).origins.font_size.as_ref(),
                    ),
                    Err(why) => tally.add(Finding::cant_tell(
                        page,
                        item.element,
                        "font-size-unresolved",
                        Message::new(why.to_string(), why.to_string()),
                    )),
                },
                Condition::MinContrast(min) => match text_contrast(page, item.element) {
                    Contrast::Known { lowest, .. } if lowest >= min => tally.pass(),
                    Contrast::Known { lowest, .. } => self.fail(
                        cx,
                        tally,
                        item.element,
                        format!("{lowest:.2}:1 < {min}:1"),
                        page.style_of(item.element).origins.color.as_ref(),
                    ),
                    Contrast::Unknown { reason, message } => {
                        tally.add(Finding::cant_tell(page, item.element, reason, message))
                    }
                },
                _ => return,
            }
        }
    }
}
