//! The check catalogue: one file per check, one registry.

use crate::check::Check;

mod ad_content;
mod aria_hidden_focus;
mod aria_required_attr;
mod aria_roles;
mod avoid_inline_spacing;
mod button_name;
mod captcha_alternative;
mod color_contrast;
mod color_contrast_enhanced;
mod css_orientation_lock;
pub mod custom;
mod document_title;
mod elder_mode_entry;
mod empty_heading;
mod fixed_font_size;
mod form_field_name;
mod frame_title;
mod html_has_lang;
mod html_lang_valid;
mod image_alt;
mod induced_button;
mod input_image_alt;
mod lexicon;
mod line_spacing;
mod link_name;
mod meta_refresh;
mod meta_refresh_no_exceptions;
mod meta_viewport;
mod moving_content;
mod name_rule;
mod no_autoplay_audio;
mod popup_overlay;
pub(crate) mod scripts;
mod small_text;

#[cfg(test)]
mod fixtures;

/// Every built-in check, in catalogue order (font, contrast, popups, labels).
pub fn registry() -> &'static [&'static dyn Check] {
    static REGISTRY: &[&dyn Check] = &[
        &meta_viewport::MetaViewport,
        &small_text::SmallText,
        &fixed_font_size::FixedFontSize,
        &line_spacing::LineSpacing,
        &avoid_inline_spacing::AvoidInlineSpacing,
        &css_orientation_lock::CssOrientationLock,
        &elder_mode_entry::ElderModeEntry,
        &color_contrast::ColorContrast,
        &color_contrast_enhanced::ColorContrastEnhanced,
        &ad_content::AdContent,
        &popup_overlay::PopupOverlay,
        &induced_button::InducedButton,
        &meta_refresh::MetaRefresh,
        &meta_refresh_no_exceptions::MetaRefreshNoExceptions,
        &no_autoplay_audio::NoAutoplayAudio,
        &moving_content::MovingContent,
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

/// Custom checks loaded from profiles in this process (they live as long as the process).
static CUSTOM: std::sync::Mutex<Vec<&'static dyn Check>> = std::sync::Mutex::new(Vec::new());

/// Makes a custom check known to `find` and `all` (for reports, `checks` and `explain`).
pub fn register_custom(check: &'static dyn Check) {
    let mut custom = CUSTOM.lock().unwrap_or_else(|e| e.into_inner());
    if !custom.iter().any(|c| c.meta().id == check.meta().id) {
        custom.push(check);
    }
}

/// Built-in checks, then the custom checks loaded so far.
pub fn all() -> Vec<&'static dyn Check> {
    let custom = CUSTOM.lock().unwrap_or_else(|e| e.into_inner());
    registry().iter().copied().chain(custom.iter().copied()).collect()
}

/// A check by id, built-in or custom.
pub fn find(id: &str) -> Option<&'static dyn Check> {
    all().into_iter().find(|c| c.meta().id == id)
}
