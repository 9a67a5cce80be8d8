//! What the font-scaling checks share: comparing a page laid out as loaded with the same page
//! enlarged (text doubled, spacing widened, a 320 px viewport). A loss counts only when the enlarged
//! layout has it and the page as loaded did not: a box that already cut its text at 1× is another
//! check's business, and a badge meant to sit on a picture overlaps it at every size.

use crate::check::{CheckContext, CheckResult, Finding, Message, Tally};
use crate::page::rendered::{Bounds, Layout, Picture, ScalingFacts, TextLayout};
use crate::page::scaling::by_id;
use crate::page::scaling::{new_overlaps, new_overlaps_since, newly_clipped, overlaps, shown_box};
pub use crate::page::scaling::{overflow, OVERFLOW_SLACK};
use crate::page::Page;
use rustc_hash::FxHashMap;
use scraper::ElementRef;

/// Text grown by less than this factor when the reader doubled the text size did not grow (a rem
/// size doubles; a px size stays; 1.25 leaves room for a min/max clamp that still helps).
pub const GROWN_FACTOR: f32 = 1.25;
/// Findings of one kind reported per page; the rest are counted.
pub const MAX_FINDINGS: usize = 20;
/// The measurements of a rendered page, when the browser took them.
pub fn facts<'a>(cx: &CheckContext<'a>) -> Option<&'a ScalingFacts> {
    cx.page.rendering()?.scaling.as_ref()
}

/// The layout as loaded and the changed one `changed` picks, with the facts; or, when the browser
/// did not measure them, the check's outcome for that.
pub fn layouts<'a>(
    cx: &CheckContext<'a>,
    changed: fn(&ScalingFacts) -> Option<&Layout>,
) -> Result<(&'a ScalingFacts, &'a Layout, &'a Layout), CheckResult> {
    let facts = facts(cx);
    match facts.and_then(|f| Some((f, f.base.as_ref()?, changed(f)?))) {
        Some(found) => Ok(found),
        None => Err(not_measured(facts)),
    }
}

/// The page's element for a browser id.
pub fn element<'a>(page: &'a Page, id: u32) -> Option<ElementRef<'a>> {
    let node = *page.rendering()?.nodes.get(&id)?;
    page.html.tree.get(node).and_then(ElementRef::wrap)
}

/// The outcome when a rendered page lacks the measurement a check needs: inapplicable, and said why.
pub fn not_measured(facts: Option<&ScalingFacts>) -> CheckResult {
    let mut tally = Tally::default();
    tally.data("inapplicable_reason", "not_measured");
    if let Some(problem) = facts.and_then(|f| f.problem.clone()) {
        tally.data("problem", problem);
    }
    tally.finish()
}

/// Reports texts a changed layout cut or piled on each other, in at most [`MAX_FINDINGS`] findings
/// of each kind. `how` names the change in both languages ("字号放大到 200% 后", "with the text at 200%").
/// `zoomed`: the change is the doubled text size. `picture` is the changed layout's screenshot, where there is one: findings then carry it with
/// their box in it (`changed_bounds`), for the report to show beside the page as loaded.
pub fn report_losses(
    page: &Page,
    base: &Layout,
    changed: &Layout,
    how: (&str, &str),
    picture: Option<&Picture>,
    zoomed: bool,
    tally: &mut Tally,
) {
    let with_box = |finding: Finding, text: Option<&TextLayout>| match text.and_then(shown_box) {
        Some(b) => {
            let finding = finding.with("changed_bounds", box_value(&b));
            match picture.and_then(|p| serde_json::to_value(p).ok()) {
                Some(picture) => finding.with("changed_picture", picture),
                None => finding,
            }
        }
        None => finding,
    };
    // One finding per box that cut text (the fix goes there: `min-height` for `height`, no
    // `overflow: hidden`), counting the texts it cut; a text cut by no box the page numbered stands alone.
    let (sizes_before, sizes_after) = (by_id(base), by_id(changed));
    let clipped = newly_clipped(base, changed);
    let mut cuts: Vec<(i64, Vec<&TextLayout>)> = Vec::new();
    let mut cut_by: FxHashMap<i64, usize> = FxHashMap::default();
    for text in &clipped {
        match cut_by.get(&text.clipped_by).filter(|_| text.clipped_by >= 0) {
            Some(&at) => cuts[at].1.push(text),
            None => {
                cut_by.insert(text.clipped_by, cuts.len());
                cuts.push((text.clipped_by, vec![text]));
            }
        }
    }
    for (by, texts) in cuts.iter().take(MAX_FINDINGS) {
        let first = texts[0];
        let cutter = u32::try_from(*by).ok().and_then(|id| element(page, id).map(|e| (id, e)));
        let Some((subject, id)) =
            cutter.map(|(id, e)| (e, id)).or_else(|| element(page, first.id).map(|e| (e, first.id)))
        else {
            continue;
        };
        let lost_before = |id: u32| sizes_before.get(&id).map_or(0.0, |b| b.lost);
        let lost = texts.iter().map(|t| t.lost - lost_before(t.id)).fold(0.0_f32, f32::max).round();
        let count = texts.len();
        let name = element_name(page, id).unwrap_or_default();
        let message = if cutter.is_some() {
            Message::new(
                format!("{}，{name} 的高度或宽度固定、overflow 把超出的部分藏起来，截掉了其中 {count} 段文字（最多约 {lost:.0} px），读者看不全。", how.0),
                format!("{}, {name} has a fixed size and its overflow setting hides what does not fit: {count} pieces of text in it are cut off (up to {lost:.0} px); the reader cannot see them whole.", how.1),
            )
        } else {
            Message::new(
                format!("{}，这段文字被外框截掉了约 {lost:.0} px，读者看不全。", how.0),
                format!(
                    "{}, about {lost:.0} px of this text is cut off by its box; the reader cannot see all of it.",
                    how.1
                ),
            )
        };
        let finding = Finding::failed(page, subject, message)
            .with("problem", "clipped")
            .with("lost_px", f64::from(lost))
            .with("texts", count);
        let finding = with_box(finding, Some(first));
        if count > 1 {
            tally.add_grouped(finding, u32::try_from(count).unwrap_or(u32::MAX));
        } else {
            tally.add(finding);
        }
    }
    // One finding per text that others now pile on, counting them. With the text doubled, a pair
    // counts only when one of the two grew: text that kept its size was moved onto the other by
    // something else, which the finding on that something names.
    let grew = |id: u32| {
        let size = |sizes: &FxHashMap<u32, &TextLayout>| sizes.get(&id).map_or(0.0, |t| t.size);
        size(&sizes_after) >= size(&sizes_before) * GROWN_FACTOR
    };
    let mut piled: Vec<(u32, Vec<u32>)> = Vec::new();
    let mut piled_at: FxHashMap<u32, usize> = FxHashMap::default();
    let before = page.rendering().map(|r| r.base_overlaps.get_or_init(|| overlaps(base)));
    let since = match before {
        Some(before) => new_overlaps_since(before, base, changed),
        None => new_overlaps(base, changed),
    };
    for (a, b) in since {
        if zoomed && !grew(a) && !grew(b) {
            continue;
        }
        match piled_at.get(&a) {
            Some(&at) => piled[at].1.push(b),
            None => {
                piled_at.insert(a, piled.len());
                piled.push((a, vec![b]));
            }
        }
    }
    let overlapping = piled.len();
    for (a, others) in piled.iter().take(MAX_FINDINGS) {
        let Some(element) = element(page, *a) else { continue };
        let first = element_name(page, others[0]).unwrap_or_default();
        let (zh_others, en_others) = match others.len() {
            1 => (first.clone(), first.clone()),
            n => (format!("{first} 等 {n} 段文字"), format!("{first} and {} more", n - 1)),
        };
        // For review, not failed: line boxes that meet may still read (one drawn over the other's
        // empty part, or hidden under an opaque box), which only a look at the picture tells; on
        // 20 real pages judged by their pictures, 5 of 11 such overlaps were visible.
        let finding = Finding::cant_tell(
            page,
            element,
            "overlap_needs_review",
            Message::new(
                format!("{}，这段文字的位置和 {zh_others} 重叠，可能叠在一起读不清，请对照截图确认。", how.0),
                format!("{}, this text is laid out over {en_others}; it may be unreadable: check the picture.", how.1),
            ),
        )
        .with("problem", "overlap")
        .with("overlapping_texts", others.len());
        tally.add(with_box(finding, changed.texts.iter().find(|t| t.id == *a)));
    }
    let passed = base.texts.len().saturating_sub(clipped.len() + overlapping);
    for _ in 0..passed {
        tally.pass();
    }
}

/// A box as finding data: x, y, width, height in CSS px of the changed layout.
pub fn box_value(b: &Bounds) -> Vec<f64> {
    [b.x, b.y, b.width, b.height].iter().map(|v| f64::from(v.round())).collect()
}

/// A short name of an element for a message: its tag with its id or first class.
pub fn element_name(page: &Page, id: u32) -> Option<String> {
    let element = element(page, id)?;
    let v = element.value();
    let mut name = format!("<{}", v.name());
    if let Some(id) = v.id() {
        name.push_str(&format!(" id=\"{}\"", id.chars().take(40).collect::<String>()));
    } else if let Some(class) = v.classes().next() {
        name.push_str(&format!(" class=\"{}\"", class.chars().take(40).collect::<String>()));
    }
    name.push('>');
    Some(name)
}
