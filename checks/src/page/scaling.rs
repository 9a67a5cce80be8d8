//! Comparing a page laid out as loaded with the same page enlarged (text doubled, spacing
//! widened, a 320 px viewport): what the enlargement cut off, piled up or pushed out. Pure
//! geometry over [`Layout`]s; the font-scaling checks judge with it, and the renderer asks it
//! whether a picture of the enlarged page is worth taking.

use super::rendered::{Bounds, Layout, TextLayout};
use rustc_hash::{FxHashMap, FxHashSet};

/// Two lines of text overlap when the shared area is at least this share of the smaller one (CJK
/// glyph boxes of neighbouring lines at a tight line height share up to ~20%).
const OVERLAP_SHARE: f32 = 0.4;
/// Grid cell for finding overlaps, px.
const CELL: f32 = 64.0;
/// Lines kept per grid cell: a page piling thousands of texts on one spot is compared a bounded number of times.
const MAX_PER_CELL: usize = 48;
/// Horizontal scrolling below this (px) is a rounding matter.
pub const OVERFLOW_SLACK: f32 = 2.0;

/// A layout's texts by their browser id.
pub(crate) fn by_id(layout: &Layout) -> FxHashMap<u32, &TextLayout> {
    layout.texts.iter().map(|t| (t.id, t)).collect()
}

/// Share of the font size a line's glyph box may stick out of a box without losing ink: a CJK
/// font's glyph box is ~1.45 em tall, so at `line-height: 1.2` it overhangs its line by ~0.12 em
/// top and bottom, and a box that fits the lines exactly "cuts" that much blank space.
const GLYPH_OVERHANG: f32 = 0.25;
/// Share of the font size a box must cut off a text for the text to count as cut.
const CUT_SHARE: f32 = 0.5;

/// Texts that were whole as loaded and of which a box cuts at least half a line's height in
/// `changed`: a glyph box overhanging its box is blank space, a text already cut when loaded
/// (an ellipsis menu) is a choice of the design, not a loss the enlargement caused.
pub fn newly_clipped<'a>(base: &Layout, changed: &'a Layout) -> Vec<&'a TextLayout> {
    let before = by_id(base);
    changed
        .texts
        .iter()
        .filter(|t| {
            let whole = |b: &TextLayout| b.lost <= (GLYPH_OVERHANG * b.size).max(2.0);
            let cut = t.lost >= (CUT_SHARE * t.size).max(4.0);
            cut && before.get(&t.id).is_some_and(|b| whole(b))
        })
        .collect()
}

/// Pairs of texts whose lines overlap in `changed` and did not as loaded.
pub fn new_overlaps(base: &Layout, changed: &Layout) -> Vec<(u32, u32)> {
    new_overlaps_since(&overlaps(base), base, changed)
}

/// [`new_overlaps`], given the pairs that overlapped as loaded (`overlaps(base)`, worked out once
/// for the three changed layouts of a page).
pub fn new_overlaps_since(before: &FxHashSet<(u32, u32)>, base: &Layout, changed: &Layout) -> Vec<(u32, u32)> {
    let known: FxHashSet<u32> = base.texts.iter().map(|t| t.id).collect();
    let mut pairs: Vec<(u32, u32)> = overlaps(changed)
        .into_iter()
        .filter(|pair| !before.contains(pair) && known.contains(&pair.0) && known.contains(&pair.1))
        .collect();
    pairs.sort_unstable();
    pairs
}

fn overlap_share(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let w = (a[0] + a[2]).min(b[0] + b[2]) - a[0].max(b[0]);
    let h = (a[1] + a[3]).min(b[1] + b[3]) - a[1].max(b[1]);
    let smaller = (a[2] * a[3]).min(b[2] * b[3]);
    if w <= 0.0 || h <= 0.0 || smaller <= 0.0 {
        return 0.0;
    }
    w * h / smaller
}

/// A text's id and one of its line boxes.
type LineOf = (u32, [f32; 4]);

/// Cells a line box is filed under at most, across and down: a line is one line tall, and wider
/// than 1,536 px only on a page pushed out sideways, whose first 1,536 px stand for it.
const MAX_CELLS_ACROSS: i64 = 24;
const MAX_CELLS_DOWN: i64 = 4;
/// Overlapping pairs noted on one page; a page piling more is judged on these.
const MAX_PAIRS: usize = 10_000;

/// Pairs of texts (lower id first) whose line boxes overlap, found through a grid of line boxes.
/// Bounded whatever the page: lines filed under a few cells each, a few lines compared per cell.
pub fn overlaps(layout: &Layout) -> FxHashSet<(u32, u32)> {
    let mut grid: FxHashMap<(i64, i64), Vec<LineOf>> = FxHashMap::default();
    let mut found: FxHashSet<(u32, u32)> = FxHashSet::default();
    let cell = |v: f32| (v / CELL).floor() as i64;
    for text in &layout.texts {
        for rect in &text.rects {
            if !rect.iter().all(|v| v.is_finite()) || rect[2] <= 0.0 || rect[3] <= 0.0 {
                continue;
            }
            let (x0, x1) = (cell(rect[0]), cell(rect[0] + rect[2]).min(cell(rect[0]) + MAX_CELLS_ACROSS));
            let (y0, y1) = (cell(rect[1]), cell(rect[1] + rect[3]).min(cell(rect[1]) + MAX_CELLS_DOWN));
            for gx in x0..=x1 {
                for gy in y0..=y1 {
                    let list = grid.entry((gx, gy)).or_default();
                    for (other, other_rect) in list.iter() {
                        if *other != text.id
                            && overlap_share(rect, other_rect) >= OVERLAP_SHARE
                            && found.len() < MAX_PAIRS
                        {
                            found.insert(((*other).min(text.id), (*other).max(text.id)));
                        }
                    }
                    if list.len() < MAX_PER_CELL {
                        list.push((text.id, *rect));
                    }
                }
            }
        }
    }
    found
}

/// How many px the page scrolls sideways in `layout`.
pub fn overflow(layout: &Layout) -> f32 {
    (layout.scroll_width - layout.viewport_width).max(0.0)
}

/// The box of a text in a layout: the union of its line boxes.
pub fn text_box(text: &TextLayout) -> Option<Bounds> {
    let first = text.rects.first()?;
    let (mut x0, mut y0, mut x1, mut y1) = (first[0], first[1], first[0] + first[2], first[1] + first[3]);
    for r in &text.rects[1..] {
        x0 = x0.min(r[0]);
        y0 = y0.min(r[1]);
        x1 = x1.max(r[0] + r[2]);
        y1 = y1.max(r[1] + r[3]);
    }
    Some(Bounds { x: x0, y: y0, width: x1 - x0, height: y1 - y0 })
}

/// Where the reader sees a text: a cut text by the box that cut it (its hidden lines show
/// nowhere), any other by its lines.
pub fn shown_box(text: &TextLayout) -> Option<Bounds> {
    match text.clip_box {
        Some([x, y, width, height]) if text.lost > 0.0 => Some(Bounds { x, y, width, height }),
        _ => text_box(text),
    }
}

/// Whether the enlargement lost anything (text cut, piled up, the page pushed wider), and where on
/// the page (CSS px from the top) the highest loss is, for the picture of it.
pub fn first_loss(base: &Layout, changed: &Layout) -> Option<f32> {
    let by = by_id(changed);
    let top = |t: &TextLayout| shown_box(t).map_or(0.0, |b| b.y);
    let clipped = newly_clipped(base, changed).into_iter().map(top);
    let overlapping = new_overlaps(base, changed).into_iter().filter_map(|(a, _)| by.get(&a).map(|t| top(t)));
    let highest = clipped.chain(overlapping).fold(None, |most: Option<f32>, y| Some(most.map_or(y, |m| m.min(y))));
    if highest.is_none() && overflow(changed) - overflow(base) > OVERFLOW_SLACK {
        return Some(0.0);
    }
    highest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(id: u32, rect: [f32; 4], lost: f32) -> TextLayout {
        TextLayout { id, size: 16.0, rects: vec![rect], lost, clipped_by: -1, clip_box: None }
    }

    fn layout(texts: Vec<TextLayout>) -> Layout {
        Layout { viewport_width: 1280.0, scroll_width: 1280.0, texts, sticking_out: vec![] }
    }

    #[test]
    fn only_losses_the_change_caused_count() {
        let base = layout(vec![text(1, [0.0, 0.0, 100.0, 20.0], 0.0), text(2, [0.0, 30.0, 100.0, 20.0], 5.0)]);
        let zoomed = layout(vec![text(1, [0.0, 0.0, 200.0, 40.0], 12.0), text(2, [0.0, 20.0, 200.0, 40.0], 6.0)]);
        let clipped: Vec<u32> = newly_clipped(&base, &zoomed).iter().map(|t| t.id).collect();
        assert_eq!(clipped, vec![1]);
        // The two lines now overlap by half (0..40 and 20..60); they did not before.
        assert_eq!(new_overlaps(&base, &zoomed), vec![(1, 2)]);
        assert!(new_overlaps(&zoomed, &zoomed).is_empty());
    }

    #[test]
    fn overlap_search_is_bounded_on_a_pile_of_texts() {
        let pile: Vec<TextLayout> = (0..5000).map(|i| text(i, [0.0, 0.0, 50.0, 20.0], 0.0)).collect();
        let base = layout(vec![]);
        let changed = layout(pile);
        // Only texts known as loaded count, and each cell compares a bounded number of lines.
        assert!(new_overlaps(&base, &changed).is_empty());
        assert!(overlaps(&changed).len() <= 5000 * MAX_PER_CELL);
    }

    #[test]
    fn a_text_box_is_the_union_of_its_lines() {
        let t = TextLayout {
            id: 1,
            size: 16.0,
            rects: vec![[10.0, 0.0, 50.0, 20.0], [0.0, 20.0, 30.0, 20.0]],
            lost: 0.0,
            clipped_by: -1,
            clip_box: None,
        };
        assert_eq!(text_box(&t), Some(Bounds { x: 0.0, y: 0.0, width: 60.0, height: 40.0 }));
    }
}
