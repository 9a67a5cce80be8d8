//! Text sizes as the fixes state them.

/// A size in rem at the browser's default 16px, to three decimals.
pub fn round_rem(px: f32) -> f64 {
    (f64::from(px) / 16.0 * 1000.0).round() / 1000.0
}

/// The smallest text size the page may have: the elder pages' minimum on an elder page.
pub fn min_text_px(cx: &crate::check::CheckContext<'_>) -> f32 {
    if cx.elder_page {
        cx.options.elder_min_text_px
    } else {
        cx.options.min_text_px
    }
}

/// The rem a fixed size should become: its own size, raised to the minimum when it is below it,
/// so that `fixed-font-size` and `small-text` propose one fix for one declaration.
pub fn fixed_size_rem(px: f32, min_px: f32) -> f64 {
    round_rem(px.max(min_px))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_fix_for_a_fixed_small_size() {
        assert_eq!(fixed_size_rem(12.0, 14.0), round_rem(14.0), "below the minimum: the minimum, in rem");
        assert_eq!(fixed_size_rem(18.0, 14.0), 1.125, "at or above it: its own size, in rem");
    }
}
