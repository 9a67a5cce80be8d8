//! Where a declaration came from: the stylesheet (or `<style>` element, `style` attribute, HTML
//! attribute) with line and column, the rule's selector and the declaration's text. Findings carry
//! the origin of the value that decided them, so that one CSS rule's effect on many elements and
//! pages is reported once, at the line to change.

use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The style source of a declaration.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Source {
    /// The browser's default stylesheet: never the author's doing.
    UserAgent,
    /// A linked or imported stylesheet; serialised as `stylesheet`, the field report readers look for.
    Stylesheet {
        #[serde(rename = "stylesheet")]
        url: Arc<str>,
    },
    /// The n-th `<style>` element of the page (from 1).
    StyleElement { index: u32 },
    /// The element's own `style` attribute.
    StyleAttribute,
    /// An HTML attribute that browsers map to CSS (`<font size>`, `bgcolor` …).
    Attribute { name: Arc<str> },
}

/// A declaration and where to find it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DeclarationOrigin {
    #[serde(flatten)]
    pub source: Source,
    /// Line in the stylesheet or `<style>` element (from 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// The rule's selector list as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<Arc<str>>,
    /// The declaration as written (`font-size: 12px`), or the attribute (`<font size="2">`).
    pub declaration: Box<str>,
}

/// Longest declaration or selector text kept.
const MAX_TEXT: usize = 200;

pub(crate) fn clip(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > MAX_TEXT {
        let cut: String = text.chars().take(MAX_TEXT - 1).collect();
        format!("{cut}…")
    } else {
        text
    }
}

impl DeclarationOrigin {
    /// The author's own declaration (not the browser's default stylesheet).
    pub fn is_author(&self) -> bool {
        self.source != Source::UserAgent
    }
}
