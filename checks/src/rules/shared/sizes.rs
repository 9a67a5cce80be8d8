//! Text sizes as the fixes state them.

/// A size in rem at the browser's default 16px, to three decimals.
pub fn round_rem(px: f32) -> f64 {
    (f64::from(px) / 16.0 * 1000.0).round() / 1000.0
}
