//! The check catalogue: one file per check, one registry.

use crate::check::Check;

mod color_contrast;
mod document_title;
mod html_has_lang;
mod html_lang_valid;
mod meta_viewport;
mod small_text;

#[cfg(test)]
mod fixtures;

/// Every built-in check, in catalogue order (font, contrast, popups, labels).
pub fn registry() -> &'static [&'static dyn Check] {
    static REGISTRY: &[&dyn Check] = &[
        &meta_viewport::MetaViewport,
        &small_text::SmallText,
        &color_contrast::ColorContrast,
        &html_has_lang::HtmlHasLang,
        &html_lang_valid::HtmlLangValid,
        &document_title::DocumentTitle,
    ];
    REGISTRY
}

/// A built-in check by id.
pub fn find(id: &str) -> Option<&'static dyn Check> {
    registry().iter().copied().find(|c| c.meta().id == id)
}
