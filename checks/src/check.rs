//! The check framework: metadata, the `Check` trait, outcomes and findings.

use crate::options::Thresholds;
use crate::page::Page;
use scraper::ElementRef;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// The four families of the elderly-friendly criteria, plus site-level checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    Font,
    Contrast,
    Popups,
    Labels,
    /// The site's way into its elder-friendly service (an entry, a toolbar): judged once per site.
    Service,
}

impl Family {
    pub const ALL: [Family; 5] = [Family::Font, Family::Contrast, Family::Popups, Family::Labels, Family::Service];

    pub fn id(self) -> &'static str {
        match self {
            Family::Font => "font",
            Family::Contrast => "contrast",
            Family::Popups => "popups",
            Family::Labels => "labels",
            Family::Service => "service",
        }
    }

    pub fn title(self) -> Text {
        match self {
            Family::Font => Text::new("字体缩放", "Font scaling"),
            Family::Contrast => Text::new("颜色对比度", "Colour contrast"),
            Family::Popups => Text::new("广告弹窗", "Ads and pop-ups"),
            Family::Labels => Text::new("读屏标签", "Screen-reader labels"),
            Family::Service => Text::new("适老服务入口", "Elder-friendly service entry"),
        }
    }
}

/// How much a failure hurts, with the Lighthouse/axe weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Impact {
    Critical,
    Serious,
    Moderate,
    Minor,
    Advisory,
}

impl Impact {
    pub fn id(self) -> &'static str {
        match self {
            Impact::Critical => "critical",
            Impact::Serious => "serious",
            Impact::Moderate => "moderate",
            Impact::Minor => "minor",
            Impact::Advisory => "advisory",
        }
    }

    /// Default weight in the page score.
    pub fn weight(self) -> f64 {
        match self {
            Impact::Critical => 10.0,
            Impact::Serious => 7.0,
            Impact::Moderate => 3.0,
            Impact::Minor => 1.0,
            Impact::Advisory => 0.0,
        }
    }

    pub fn title(self) -> Text {
        match self {
            Impact::Critical => Text::new("严重", "critical"),
            Impact::Serious => Text::new("较重", "serious"),
            Impact::Moderate => Text::new("中等", "moderate"),
            Impact::Minor => Text::new("轻微", "minor"),
            Impact::Advisory => Text::new("建议", "advisory"),
        }
    }
}

/// Text in the two report languages: static for the built-in catalogue, owned for custom checks
/// and for catalogues read back from a results folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub zh: Cow<'static, str>,
    pub en: Cow<'static, str>,
}

impl Text {
    pub const fn new(zh: &'static str, en: &'static str) -> Text {
        Text { zh: Cow::Borrowed(zh), en: Cow::Borrowed(en) }
    }

    pub fn owned(zh: impl Into<String>, en: impl Into<String>) -> Text {
        Text { zh: Cow::Owned(zh.into()), en: Cow::Owned(en.into()) }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhCn => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// Report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    pub fn parse(text: &str) -> Option<Lang> {
        match text.to_ascii_lowercase().as_str() {
            "zh-cn" | "zh" | "zh-hans" | "zh-hans-cn" => Some(Lang::ZhCn),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }
}

/// A message built at run time, in both languages: results stay language-neutral until a report
/// is rendered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub zh: String,
    pub en: String,
}

impl Message {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Message {
        Message { zh: zh.into(), en: en.into() }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhCn => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// What a check serves: WCAG success criteria, MIIT clauses, the ACT rule it must agree with.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Criteria {
    pub wcag: &'static [&'static str],
    pub miit: &'static [&'static str],
    pub act: &'static [&'static str],
}

/// Whether a check judges each page or the site as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Page,
    Site,
}

/// Everything about a check except its logic. Check ids are a public interface.
#[derive(Debug, Serialize)]
pub struct CheckMeta {
    pub id: Cow<'static, str>,
    pub family: Family,
    pub impact: Impact,
    pub scope: Scope,
    /// The passing state ("页面有标题").
    pub title: Text,
    /// The failing state ("页面缺少标题").
    pub failure_title: Text,
    pub criteria: Criteria,
    /// Markdown with the headings `## What it checks`, `## Why it matters for older readers`,
    /// `## Example`, `## How to fix` (and their Chinese counterparts).
    pub docs: Text,
}

/// The Chinese headings every check's docs must use, in order.
pub const DOC_HEADINGS_ZH: [&str; 4] = ["## 检查什么", "## 为什么对老年读者重要", "## 示例", "## 如何修复"];
/// The English headings every check's docs must use, in order.
pub const DOC_HEADINGS_EN: [&str; 4] =
    ["## What it checks", "## Why it matters for older readers", "## Example", "## How to fix"];

/// What a check sees.
pub struct CheckContext<'a> {
    pub page: &'a Page,
    /// The profile's thresholds and word lists.
    pub options: &'a Thresholds,
    /// The page is an elder-mode page (适老版), with stricter thresholds.
    pub elder_page: bool,
    /// The page's CPU budget. A check whose work the profile's selectors decide (custom checks)
    /// stops when it runs out; the caller then makes the page a `too_complex` error.
    pub budget: crate::budget::Budget,
}

/// A check: one rule of the catalogue.
pub trait Check: Send + Sync {
    fn meta(&self) -> &CheckMeta;
    fn run(&self, cx: &CheckContext<'_>) -> CheckResult;

    /// Judges what only a browser knows (layout boxes): run on rendered pages only, inapplicable
    /// (with the reason said) on pages checked statically.
    fn needs_browser(&self) -> bool {
        false
    }
}

impl std::fmt::Debug for dyn Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Check({})", self.meta().id)
    }
}

/// A page's outcome for one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    Failed,
    CantTell,
    Inapplicable,
}

/// The outcome of one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingOutcome {
    Failed,
    CantTell,
}

/// One element that failed, or that needs a person to judge (with the reason).
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub outcome: FindingOutcome,
    /// A CSS selector that matches this element alone.
    pub selector: String,
    /// Outer HTML, at most 300 characters.
    pub snippet: String,
    pub message: Message,
    /// Why the engine could not decide (`cant_tell` only), e.g. "background-image".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    pub data: Map<String, Value>,
    /// Failed targets this finding stands for (a grouped finding: every text a fixed size affects).
    pub targets: u32,
    /// The author's declaration that decided the finding (style checks), where the fix goes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<std::sync::Arc<crate::page::style::DeclarationOrigin>>,
    /// What identifies the element across pages and page edits (no positions): see [`Page::signature`].
    pub signature: String,
    /// The nearest heading before the element, so a reader can find it on the page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    /// The element's visible text (or image text, or field label), shortened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    /// Where the browser drew the element (rendered pages only), for the screenshot crop.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bounds: Option<crate::page::rendered::Bounds>,
}

impl Finding {
    pub fn failed(page: &Page, element: ElementRef<'_>, message: Message) -> Finding {
        let at = page.location(element);
        Finding {
            outcome: FindingOutcome::Failed,
            selector: at.selector,
            snippet: at.snippet,
            message,
            reason: None,
            data: Map::new(),
            targets: 1,
            origin: None,
            signature: at.signature,
            heading: at.heading,
            excerpt: at.excerpt,
            bounds: page.layout_box(element),
        }
    }

    pub fn cant_tell(page: &Page, element: ElementRef<'_>, reason: &'static str, message: Message) -> Finding {
        Finding { outcome: FindingOutcome::CantTell, reason: Some(reason), ..Finding::failed(page, element, message) }
    }

    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Finding {
        self.data.insert(key.to_string(), value.into());
        self
    }

    /// Records the declaration that decided the finding; the browser's defaults are not the author's
    /// and are never recorded as such.
    pub fn with_origin(mut self, origin: Option<&std::sync::Arc<crate::page::style::DeclarationOrigin>>) -> Finding {
        self.origin = origin.filter(|o| o.is_author()).cloned();
        self
    }
}

/// A check's result on one page.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    pub outcome: Outcome,
    pub passed_targets: u32,
    pub failed_targets: u32,
    pub cant_tell_targets: u32,
    pub findings: Vec<Finding>,
    /// Page-level figures (e.g. the share of text below the minimum size).
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub data: Map<String, Value>,
}

impl CheckResult {
    pub fn inapplicable() -> CheckResult {
        Tally::default().finish()
    }

    /// passing targets ÷ decided targets; `None` when nothing was decided.
    pub fn score(&self) -> Option<f64> {
        target_score(self.outcome, self.passed_targets, self.failed_targets)
    }
}

/// A check's score on a page: passing targets ÷ decided targets (1 when passed); `None` when nothing was
/// decided (cant_tell, inapplicable).
pub fn target_score(outcome: Outcome, passed_targets: u32, failed_targets: u32) -> Option<f64> {
    let decided = passed_targets + failed_targets;
    match outcome {
        Outcome::Passed => Some(1.0),
        Outcome::Failed if decided > 0 => Some(f64::from(passed_targets) / f64::from(decided)),
        _ => None,
    }
}

/// Collects target outcomes and turns them into a [`CheckResult`].
#[derive(Debug, Default)]
pub struct Tally {
    passed: u32,
    /// Failed targets reported inside another target's finding (grouped findings).
    grouped_failures: u32,
    findings: Vec<Finding>,
    data: Map<String, Value>,
}

impl Tally {
    pub fn pass(&mut self) {
        self.passed += 1;
    }

    pub fn add(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// One finding standing for `targets` failed targets (e.g. every text an absolute font size affects).
    pub fn add_grouped(&mut self, mut finding: Finding, targets: u32) {
        self.grouped_failures += targets.saturating_sub(1);
        finding.targets = targets.max(1);
        self.findings.push(finding);
    }

    pub fn data(&mut self, key: &str, value: impl Into<Value>) {
        self.data.insert(key.to_string(), value.into());
    }

    pub fn finish(self) -> CheckResult {
        let listed_failed = self.findings.iter().filter(|f| f.outcome == FindingOutcome::Failed).count() as u32;
        let cant_tell = self.findings.len() as u32 - listed_failed;
        let failed = listed_failed + if listed_failed > 0 { self.grouped_failures } else { 0 };
        let outcome = if failed > 0 {
            Outcome::Failed
        } else if cant_tell > 0 {
            Outcome::CantTell
        } else if self.passed > 0 {
            Outcome::Passed
        } else {
            Outcome::Inapplicable
        };
        CheckResult {
            outcome,
            passed_targets: self.passed,
            failed_targets: failed,
            cant_tell_targets: cant_tell,
            findings: self.findings,
            data: self.data,
        }
    }
}
