//! The check catalogue: one file per check, one registry.

use crate::check::Check;

mod aria_hidden_focus;
mod aria_required_attr;
mod aria_roles;
mod button_name;
mod captcha_alternative;
mod color_contrast;
mod document_title;
mod empty_heading;
mod form_field_name;
mod frame_title;
mod html_has_lang;
mod html_lang_valid;
mod image_alt;
mod input_image_alt;
mod link_name;
mod meta_viewport;
mod name_rule;
mod small_text;

#[cfg(test)]
mod fixtures;

/// Every built-in check, in catalogue order (font, contrast, popups, labels).
pub fn registry() -> &'static [&'static dyn Check] {
    static REGISTRY: &[&dyn Check] = &[
        &meta_viewport::MetaViewport,
        &small_text::SmallText,
        &color_contrast::ColorContrast,
        &image_alt::ImageAlt,
        &input_image_alt::InputImageAlt,
        &button_name::ButtonName,
        &link_name::LinkName,
        &form_field_name::FormFieldName,
        &frame_title::FrameTitle,
        &html_has_lang::HtmlHasLang,
        &html_lang_valid::HtmlLangValid,
        &document_title::DocumentTitle,
        &empty_heading::EmptyHeading,
        &aria_hidden_focus::AriaHiddenFocus,
        &aria_roles::AriaRoles,
        &aria_required_attr::AriaRequiredAttr,
        &captcha_alternative::CaptchaAlternative,
    ];
    REGISTRY
}

/// A built-in check by id.
pub fn find(id: &str) -> Option<&'static dyn Check> {
    registry().iter().copied().find(|c| c.meta().id == id)
}
