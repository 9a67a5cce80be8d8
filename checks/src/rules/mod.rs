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
mod elder_mode_switch;
mod empty_heading;
mod fixed_font_size;
mod form_field_name;
mod frame_title;
mod html_has_lang;
mod html_lang_valid;
mod image_alt;
mod induced_button;
mod input_image_alt;
mod keyboard_focus;
mod line_spacing;
mod link_name;
mod meta_refresh;
mod meta_refresh_no_exceptions;
mod meta_viewport;
mod moving_content;
mod no_autoplay_audio;
mod popup_close;
mod popup_overlay;
mod reflow;
pub(crate) mod shared;
mod small_text;
mod target_size;
mod text_spacing;
mod text_zoom;

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
        &target_size::TargetSize,
        &text_zoom::TextZoom,
        &reflow::Reflow,
        &text_spacing::TextSpacing,
        &elder_mode_entry::ElderModeEntry,
        &elder_mode_switch::ElderModeSwitch,
        &color_contrast::ColorContrast,
        &color_contrast_enhanced::ColorContrastEnhanced,
        &ad_content::AdContent,
        &popup_overlay::PopupOverlay,
        &popup_close::PopupClose,
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
        &keyboard_focus::KeyboardFocus,
        &aria_roles::AriaRoles,
        &aria_required_attr::AriaRequiredAttr,
        &captcha_alternative::CaptchaAlternative,
    ];
    REGISTRY
}
