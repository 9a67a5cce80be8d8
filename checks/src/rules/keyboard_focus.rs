use super::shared::scaling::element;
use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::page::rendered::{color, FocusChange, FocusStop, KeyboardWalk};
use crate::page::style::{contrast_ratio, Rgba};
use std::borrow::Cow;

pub struct KeyboardFocus;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("keyboard-focus"),
    family: Family::Labels,
    impact: Impact::Serious,
    scope: Scope::Page,
    title: Text::new("只用键盘能走遍页面，并看得见焦点在哪里", "A keyboard user gets through the page and sees where they are"),
    failure_title: Text::new("键盘用户被困住、看不见焦点或用不了某些控件", "Keyboard users get stuck, lose sight of focus, or cannot use some controls"),
    criteria: Criteria {
        wcag: &["2.1.1", "2.1.2", "2.4.7"],
        miit: &["附件1 2.3 键盘操作（全程键盘操作）", "附件1 2.3 焦点可见"],
        act: &["80af7b"],
    },
    docs: Text::new(
        "## 检查什么\n在浏览器里从页面顶部一直按 Tab 键（最多 300 个停留点），记下焦点每次落在哪个元素、在什么位置：\n\
- **焦点要看得见**：比较元素得到焦点前后的样式（轮廓、边框、阴影、背景、文字颜色、下划线，也看它的父元素、第一个子元素和 ::before/::after）；没有任何可见变化，或只有 1 px、颜色和背景差不多的线，都算看不见；\n\
- **焦点不能落在看不见的地方**：隐藏、透明、尺寸为 0、在屏幕外、被裁掉的元素得到焦点时，读者不知道焦点去了哪里；\n\
- **不能被困住**（W3C ACT 规则 80af7b）：Tab 走不出去时，先试 Esc 键，再从页面末尾按 Shift+Tab 往回走；两个方向都走不出去就是键盘陷阱。页面脚本会挪动焦点时，每按一次键都等它的脚本跑完；\n\
- **只能用鼠标的控件**：带 `onclick` 的 `div`、`span` 等不是控件的元素，Tab 走不到它，或走到了按 Enter 没有反应，键盘用户就用不了。\n\
报告在页面截图上用编号标出 Tab 的顺序。需要浏览器，**只在渲染模式（`--render`）下检查**；静态模式下不适用（需要浏览器）。\n\n\
## 为什么对老年读者重要\n手抖、看不清鼠标指针的老年人常用键盘或读屏软件操作。看不见焦点就不知道自己在哪里；被困在某个组件里就只能关掉网页；只能用鼠标点的菜单他们根本打不开。工信部适老化规范要求网站支持全程键盘操作。\n\n\
## 示例\n不合格：`a:focus { outline: none }` 且没有别的焦点样式；`<div onclick=\"openMenu()\">栏目</div>`；一个拦截 Tab 键不放的组件。\
合格：`a:focus-visible { outline: 3px solid #1a5fb4 }`；菜单用 `<button>` 做；对话框可以用 Esc 关闭并把焦点还给页面。\n\n\
## 如何修复\n不要写 `outline: none`，或者写了就给出更明显的焦点样式（2 px 以上、和背景对比 3:1 以上）；可点击的东西用 `<a href>` 或 `<button>`，自定义控件加 `tabindex=\"0\"`、合适的 `role` 和 Enter/空格键处理；\
不要在脚本里把焦点强行拉回；轮播中隐藏的幻灯片里的链接加 `tabindex=\"-1\"` 或 `inert`。",
        "## What it checks\nIn the browser, Tab is pressed from the top of the page (up to 300 stops), noting which element focus lands on and where:\n\
- **Focus must be visible**: the element's styles with and without focus are compared (outline, border, shadow, background, text colour, underline; also its parent, its first child and ::before/::after). No visible change, or only a 1 px line in about the colour behind it, counts as invisible.\n\
- **Focus must not land where it cannot be seen**: a hidden, transparent, zero-size, off-screen or clipped element taking focus leaves readers lost.\n\
- **No keyboard trap** (W3C ACT rule 80af7b): when Tab cannot get out, Escape is tried, then Shift+Tab from the end of the page; stuck both ways is a trap. When the page's scripts move focus, each key's effects are waited for.\n\
- **Mouse-only controls**: a `div` or `span` with `onclick` that is no control cannot be reached with Tab, or does nothing on Enter, so keyboard users cannot use it.\n\
The report draws the tab order on the page's screenshot as numbered markers. Needs a browser: **rendered mode only** (`--render`); inapplicable (needs a browser) in static mode.\n\n\
## Why it matters for older readers\nOlder readers with shaky hands or who cannot follow the mouse pointer use the keyboard or a screen reader. Without visible focus they do not know where they are; trapped in a widget they can only close the page; a menu only a mouse opens stays shut for them. The MIIT criteria require sites to work from the keyboard throughout.\n\n\
## Example\nFails: `a:focus { outline: none }` with no other focus style; `<div onclick=\"openMenu()\">Section</div>`; a widget that swallows Tab. \
Passes: `a:focus-visible { outline: 3px solid #1a5fb4 }`; menus built from `<button>`; a dialog that closes with Escape and gives focus back.\n\n\
## How to fix\nDo not write `outline: none`, or give a stronger focus style (2 px or more, 3:1 against the background); make clickable things `<a href>` or `<button>`, and custom controls `tabindex=\"0\"` with a fitting `role` and Enter/Space handling; \
never pull focus back in a script; give links inside hidden carousel slides `tabindex=\"-1\"` or `inert`.",
    ),
};

/// Findings of one kind written out; the rest are counted on the last.
const MAX_FINDINGS: usize = 20;
/// Tab stops whose boxes every finding carries, for the report to number on the page's picture.
const MAX_MARKED_STOPS: usize = 40;

/// The first stops' boxes, `[x, y, width, height]` in whole CSS px, in tab order.
fn tab_order(walk: &KeyboardWalk) -> serde_json::Value {
    let boxes: Vec<[f64; 4]> = walk
        .stops
        .iter()
        .take(MAX_MARKED_STOPS)
        .filter_map(|s| s.bounds)
        .map(|b| [b.x, b.y, b.width, b.height].map(|v| f64::from(v.round())))
        .collect();
    serde_json::json!(boxes)
}

/// A line indicator (outline, border, shadow) shows when it stands 3:1 against what is behind it,
/// or 1.5:1 at 2 px or more (WCAG 2.4.13's contrast, relaxed for thick lines); a fill or text
/// colour change shows at 1.5:1 against the colour it replaced. A 1 px line in about the colour
/// behind it does not.
const LINE_RATIO: f64 = 3.0;
const THICK_LINE_PX: f32 = 2.0;
const CHANGE_RATIO: f64 = 1.5;

/// How focus shows on a stop: the kind of the first visible change, or `None` and whether
/// something changed too faintly to see.
fn indicator(changes: &[FocusChange]) -> (Option<&str>, bool) {
    let colour = |text: &str| color(text);
    let mut faint = false;
    for change in changes {
        let behind = colour(&change.behind).map(|b| b.over(Rgba::WHITE)).unwrap_or(Rgba::WHITE);
        let on = |text: &str, below: Rgba| colour(text).map(|c| c.over(below));
        let visible = match change.kind.as_str() {
            "ring" | "underline" | "change" => true,
            "outline" | "shadow" | "border" => {
                let under = on(&change.before, behind).unwrap_or(behind);
                on(&change.colour, under).filter(|_| change.width > 0.0).is_some_and(|line| {
                    let ratio = contrast_ratio(line, under);
                    ratio >= LINE_RATIO || (change.width >= THICK_LINE_PX && ratio >= CHANGE_RATIO)
                })
            }
            "background" | "color" => match (on(&change.colour, behind), on(&change.before, behind)) {
                (Some(now), Some(was)) => contrast_ratio(now, was) >= CHANGE_RATIO,
                _ => false,
            },
            _ => false,
        };
        if visible {
            return (Some(change.kind.as_str()), false);
        }
        faint = true;
    }
    (None, faint)
}

fn unseen_words(why: &str) -> (&'static str, &'static str) {
    match why {
        "off_screen" => ("在屏幕外", "off the screen"),
        "clipped" => ("被外层裁掉、看不见", "clipped out of sight by the box around it"),
        "no_size" => ("没有尺寸", "of no size"),
        _ => ("隐藏或透明", "hidden or transparent"),
    }
}

/// Adds findings for the stops `bad` picks, at most [`MAX_FINDINGS`], the rest counted.
fn add_stops(
    cx: &CheckContext<'_>,
    stops: &[(usize, &FocusStop)],
    message: impl Fn(usize, &FocusStop) -> Message,
    problem: &'static str,
    order: &serde_json::Value,
    tally: &mut Tally,
) {
    let page = cx.page;
    let mut written = 0;
    let mut unwritten = 0;
    for (at, stop) in stops {
        let Some(found) = u32::try_from(stop.id).ok().and_then(|id| element(page, id)) else { continue };
        if written >= MAX_FINDINGS {
            unwritten += 1;
            continue;
        }
        written += 1;
        // A focused element of no size may be an icon whose image did not load: not certain.
        let unloaded = stop.unseen == "no_size"
            && (page.rendering().is_some_and(|r| !r.failed_images.is_empty())
                || found.descendent_elements().any(|d| matches!(d.value().name(), "img" | "svg" | "picture" | "i")));
        let mut finding = if unloaded {
            Finding::cant_tell(
                page,
                found,
                "zero_size_focus",
                Message::new(
                    format!("按第 {at} 次 Tab 时焦点落在这个没有尺寸的元素上，读者看不到焦点；它可能是图片或图标没有加载出来，请人工确认。"),
                    format!("At Tab stop {at} focus lands on this element of no size, so readers cannot see it; it may be an image or icon that did not load: check by hand."),
                ),
            )
        } else {
            Finding::failed(page, found, message(*at, stop))
        };
        if !stop.unseen.is_empty() {
            finding = finding.with("unseen", stop.unseen.clone());
        }
        let finding = finding.with("problem", problem).with("tab_stop", *at as u64).with("tab_order", order.clone());
        tally.add(finding);
    }
    if unwritten > 0 {
        tally.data(&format!("{problem}_not_listed"), unwritten as u64);
    }
}

fn judge_walk(cx: &CheckContext<'_>, walk: &KeyboardWalk, tally: &mut Tally) {
    let page = cx.page;
    let order = tab_order(walk);
    tally.data("tab_stops", walk.stops.len() as u64);
    if walk.truncated {
        tally.data("walk_truncated", true);
    }
    let trapped = walk.backward_end == Some(false);
    if trapped {
        let caught = walk.caught_at.and_then(|id| element(page, id));
        // Focus inside a frame, or on nothing the page as read had, may be moving where this
        // document cannot see: a trap there is for a person to confirm.
        let sure = caught.is_some_and(|e| !matches!(e.value().name(), "iframe" | "frame" | "object" | "embed"));
        let at = caught.unwrap_or_else(|| page.html.root_element());
        let message = Message::new(
            "键盘焦点在这里被困住：按 Tab 走不出去，按 Esc 没用，从页面末尾按 Shift+Tab 往回走也出不去。只用键盘的读者只能关掉网页。",
            "Keyboard focus is trapped here: Tab does not get out, Escape does nothing, and Shift+Tab from the end of the page does not get out either. Keyboard users can only close the page.",
        );
        let finding = if sure {
            Finding::failed(page, at, message)
        } else {
            Finding::cant_tell(
                page,
                at,
                "trap_unconfirmed",
                Message::new(
                    "按 Tab 和 Shift+Tab 都走不出页面，但焦点停在框架里或说不出的位置，可能是键盘陷阱，请人工确认。",
                    "Neither Tab nor Shift+Tab gets out of the page, but focus sits in a frame or somewhere unnamed: possibly a keyboard trap, check by hand.",
                ),
            )
        };
        tally.add(
            finding
                .with("problem", "keyboard_trap")
                .with("scripts_move_focus", walk.scripts_move_focus)
                .with("tab_order", order.clone()),
        );
    }
    let numbered: Vec<(usize, &FocusStop)> = walk.stops.iter().enumerate().map(|(i, s)| (i + 1, s)).collect();
    let unseen: Vec<(usize, &FocusStop)> = numbered.iter().filter(|(_, s)| !s.unseen.is_empty()).copied().collect();
    // Whether focus shows on each stop seen, where it could be told (`None`: focus never left it).
    let shows = |stop: &FocusStop| stop.changes.as_deref().map(|changes| indicator(changes).0.is_some());
    let no_indicator: Vec<(usize, &FocusStop)> =
        numbered.iter().filter(|(_, s)| s.unseen.is_empty() && shows(s) == Some(false)).copied().collect();
    add_stops(
        cx,
        &unseen,
        |order, stop| {
            let (zh, en) = unseen_words(&stop.unseen);
            Message::new(
                format!("按第 {order} 次 Tab 时焦点落在这个元素上，但它{zh}，读者看不到焦点去了哪里。"),
                format!("At Tab stop {order} focus lands on this element, but it is {en}: readers cannot see where focus went."),
            )
        },
        "focus_unseen",
        &order,
        tally,
    );
    add_stops(
        cx,
        &no_indicator,
        |order, stop| {
            if stop.changes.as_deref().is_some_and(|changes| indicator(changes).1) {
                Message::new(
                    format!("第 {order} 个 Tab 停留点：得到焦点时只有很淡的变化（如 1 px、和背景颜色相近的线），老年读者看不出焦点在这里。"),
                    format!("Tab stop {order}: taking focus changes it only faintly (a 1 px line in about the background's colour); older readers cannot tell focus is here."),
                )
            } else {
                Message::new(
                    format!("第 {order} 个 Tab 停留点：得到焦点时样子完全不变（没有轮廓、边框、背景或颜色变化），读者看不出焦点在这里。"),
                    format!("Tab stop {order}: nothing about it changes when it takes focus (no outline, border, background or colour change); readers cannot tell focus is here."),
                )
            }
        },
        "no_focus_indicator",
        &order,
        tally,
    );
    for (_, stop) in &numbered {
        if stop.unseen.is_empty()
            && shows(stop) != Some(false)
            && u32::try_from(stop.id).ok().and_then(|id| element(page, id)).is_some()
        {
            tally.pass();
        }
    }
    let mut mouse_findings = 0;
    for control in &walk.mouse_only {
        let Some(found) = element(page, control.id) else { continue };
        let message = if !control.focusable {
            Message::new(
                "这个元素点击后有反应（onclick），但它不是链接或按钮，按 Tab 走不到它，只用键盘的读者用不了。",
                "This element reacts to clicks (onclick) but is no link or button: Tab never reaches it, so keyboard users cannot use it.",
            )
        } else if control.enter_works == Some(false) {
            Message::new(
                "这个元素按 Tab 能走到，但按 Enter 没有任何反应，只有鼠标点才有用。",
                "Tab reaches this element, but Enter does nothing: only a mouse click works.",
            )
        } else {
            tally.pass();
            continue;
        };
        mouse_findings += 1;
        if mouse_findings > MAX_FINDINGS {
            continue;
        }
        let problem = if control.focusable { "enter_does_nothing" } else { "mouse_only" };
        let finding = Finding::failed(page, found, message).with("problem", problem).with("role", control.role.clone());
        tally.add(finding.with("tab_order", order.clone()));
    }
}

impl Check for KeyboardFocus {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn needs_browser(&self) -> bool {
        true
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let mut tally = Tally::default();
        let interactions = cx.page.rendering().and_then(|r| r.interactions.as_ref());
        let Some(walk) = interactions.and_then(|i| i.keyboard.as_ref()) else {
            tally.data("inapplicable_reason", "not_measured");
            if let Some(problem) = interactions.and_then(|i| i.problem.clone()) {
                tally.data("problem", problem);
            }
            return tally.finish();
        };
        if walk.stops.is_empty() && walk.mouse_only.is_empty() && walk.caught_at.is_none() {
            tally.data("inapplicable_reason", "no_focusable");
            return tally.finish();
        }
        judge_walk(cx, walk, &mut tally);
        tally.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(kind: &str, width: f32, colour: &str, before: &str) -> FocusChange {
        FocusChange {
            kind: kind.into(),
            width,
            colour: colour.into(),
            before: before.into(),
            behind: "rgb(255, 255, 255)".into(),
        }
    }

    #[test]
    fn a_line_must_stand_out_from_what_is_behind_it() {
        let strong = change("outline", 3.0, "rgb(26, 95, 180)", "");
        assert_eq!(indicator(&[strong]), (Some("outline"), false));
        // A 1 px line in about the background's colour is faint; at 2 px a paler one is enough.
        assert_eq!(indicator(&[change("outline", 1.0, "rgb(235, 235, 235)", "")]), (None, true));
        assert_eq!(indicator(&[change("outline", 2.0, "rgb(170, 170, 170)", "")]), (Some("outline"), false));
        assert_eq!(indicator(&[change("outline", 1.0, "rgb(170, 170, 170)", "")]), (None, true));
    }

    #[test]
    fn fills_and_text_colours_must_change_enough_and_the_ring_always_shows() {
        assert_eq!(indicator(&[change("background", 0.0, "rgb(0, 0, 128)", "rgba(0, 0, 0, 0)")]).0, Some("background"));
        assert_eq!(indicator(&[change("color", 0.0, "rgb(0, 0, 240)", "rgb(0, 0, 255)")]), (None, true));
        assert_eq!(indicator(&[FocusChange { kind: "ring".into(), ..FocusChange::default() }]).0, Some("ring"));
        assert_eq!(indicator(&[]), (None, false));
    }
}
