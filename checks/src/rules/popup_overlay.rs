use super::shared::ads::ad_elements;
use super::shared::lexicon::induced_phrase;
use super::shared::popups::{declared_floating_ads, find_popups, Popup, PopupKind, MIN_CLOSE_PX};
use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::page::collapsed_text;
use crate::page::scripts::script_facts;
use scraper::ElementRef;
use std::borrow::Cow;

pub struct PopupOverlay;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("popup-overlay"),
    family: Family::Popups,
    impact: Impact::Serious,
    scope: Scope::Page,
    title: Text::new("页面加载时没有弹窗或飘窗遮挡内容", "No pop-up or floating window covers the page on load"),
    failure_title: Text::new("页面加载时有弹窗或飘窗遮挡内容", "A pop-up or floating window covers the page on load"),
    criteria: Criteria { wcag: &["2.2.4", "1.4.13"], miit: &["附件2 2.4 弹窗关闭按钮位置与大小", "附件1 2.4.1 不得有临时性广告弹窗"], act: &[] },
    docs: Text::new(
        "## 检查什么\n页面加载时可见的遮罩、弹窗和飘窗：固定或绝对定位、层级高（z-index ≥ 100）、覆盖视口 25% 以上的元素；或被内联脚本定时移动位置的元素（飘窗）；以及加载时执行的 `window.open`、`alert`；页面代码声明的飘窗、对联广告位（`data-ad-type=\"float\"`、`floatAd`、`duilian` 等，或加载对联广告的脚本）在静态检查中记为“需人工判断”并说明依据，渲染模式下浏览器画出它浮在正文上则判为不合格。渲染模式（`--render`）下按浏览器实际画出的位置和大小判断覆盖面积和关闭按钮，并找出加载后约 0.3 秒内移动的定位元素（飘窗）和实际弹出的窗口、对话框，包括外部脚本生成的。\
每条结果说明是否有关闭控件，以及样式能确定时关闭按钮的尺寸（应不小于 44×44 px）和位置（应在左上、右上或底部居中）。\
**在适老版页面上，含广告或诱导内容的弹窗是否决项。**\n\n\
## 为什么对老年读者重要\n突然弹出、到处飘动的窗口会遮住正文，老年人找不到或点不中很小的关闭按钮，常常被迫点进广告。\n\n\
## 示例\n不合格：`<div style=\"position:fixed;inset:0;z-index:9999\">… <a class=\"close\" style=\"width:16px;height:16px\">×</a></div>`；合格：不弹窗，或弹窗有右上角 44×44 px 以上的“关闭”按钮。\n\n\
## 如何修复\n删除加载时的弹窗和飘窗；确需提示时使用页面内的通知条，关闭按钮放在右上角、不小于 44×44 px，并带“关闭”文字或 aria-label。",
        "## What it checks\nOverlays, modals and floating windows visible on load: fixed or absolute elements with a high z-index (≥ 100) covering at least 25% of the viewport; elements an inline script moves on a timer (飘窗); and `window.open` or `alert` run on load. Floating and couplet (对联) ad slots declared in the markup (`data-ad-type=\"float\"`, `floatAd`, `duilian`, or a script that places a couplet ad) are reported as needing review with the evidence in static mode, and fail in rendered mode when the browser drew them floating over the content. In rendered mode (`--render`) coverage and close buttons are judged on the boxes the browser drew, and positioned boxes that move in the settle time after load (floating windows) and windows or dialogs actually opened are found, including those made by external scripts. \
Each finding says whether there is a close control and, where the CSS tells, its size (at least 44×44 px) and position (top-left, top-right or bottom-centre). \
**On elder pages, a pop-up that carries ads or inducing content is a veto.**\n\n\
## Why it matters for older readers\nWindows that pop up or float around cover the text; older readers cannot find or hit the tiny close button and end up clicking the ad.\n\n\
## Example\nFails: `<div style=\"position:fixed;inset:0;z-index:9999\">… <a class=\"close\" style=\"width:16px;height:16px\">×</a></div>`. Passes: no pop-up, or one with a \"Close\" button of at least 44×44 px at the top right.\n\n\
## How to fix\nRemove pop-ups and floating windows on load; use an in-page notice instead, with a close button at the top right, at least 44×44 px, labelled \"关闭\" or with an aria-label.",
    ),
};

impl Check for PopupOverlay {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let page = cx.page;
        let popups = find_popups(page);
        let mut tally = Tally::default();
        let ads = if popups.is_empty() { Vec::new() } else { ad_elements(cx) };
        for popup in &popups {
            tally.add(judge(cx, popup, &ads));
        }
        let on_load = dialogs_on_load(page);
        for what in &on_load {
            let body = page.elements().find(|e| e.value().name() == "body").unwrap_or_else(|| page.root());
            tally.add(
                Finding::failed(
                    page,
                    body,
                    Message::new(
                        format!("页面加载时执行 {what}，会弹出窗口或对话框打断阅读。"),
                        format!("The page runs {what} on load, opening a window or dialog that interrupts reading."),
                    ),
                )
                .with("kind", what.to_string())
                .with("carries_ad_or_induced", false),
            );
        }
        let declared = declared_slots(cx, &popups);
        let nothing_declared = declared.is_empty();
        for finding in declared {
            tally.add(finding);
        }
        // The page itself is the target: nothing covering it on load is a pass.
        if popups.is_empty() && on_load.is_empty() && nothing_declared {
            tally.pass();
        }
        tally.finish()
    }
}

/// Floating and couplet ad slots declared in the markup and not already judged as a pop-up. A
/// browser that drew one positioned over the page saw the floating ad (failed, an ad: a veto on
/// elder pages); otherwise the markup is all there is to go by (cant_tell, saying so).
fn declared_slots(cx: &CheckContext<'_>, popups: &[Popup<'_>]) -> Vec<Finding> {
    let page = cx.page;
    let judged = |e: &ElementRef<'_>| {
        popups.iter().any(|p| {
            p.element.id() == e.id()
                || e.ancestors().any(|a| a.id() == p.element.id())
                || p.element.ancestors().any(|a| a.id() == e.id())
        })
    };
    let mut findings = Vec::new();
    for (element, evidence) in declared_floating_ads(page).into_iter().filter(|(e, _)| !judged(e)) {
        let drawn = page.layout_box(element).filter(|b| b.width >= 1.0 && b.height >= 1.0);
        let floats = drawn.is_some() && page.is_visible(element) && page.style_of(element).is_positioned_out_of_flow();
        let finding = if floats {
            let veto_zh = if cx.elder_page { "适老版页面上含广告的弹窗是否决项。" } else { "" };
            let veto_en = if cx.elder_page { " On an elder page, a pop-up with ads is a veto." } else { "" };
            Finding::failed(page, element, Message::new(
                format!("页面代码标明这里是飘窗/对联广告位（{evidence}），浏览器中它浮在正文之上。请删除该广告位。{veto_zh}"),
                format!("The markup marks this as a floating or couplet ad slot ({evidence}), and the browser drew it floating over the content. Remove the slot.{veto_en}"),
            ))
            .with("kind", PopupKind::Floating.id())
            .with("carries_ad_or_induced", true)
        } else {
            let seen = if page.rendering().is_some() {
                (
                    "浏览器中未见它显示（广告服务器可能未响应），",
                    "the browser did not show it (the ad server may not have answered), ",
                )
            } else {
                (
                    "它由脚本填充并浮动显示，静态检查看不到，",
                    "a script fills and floats it, which a static reading cannot see, ",
                )
            };
            Finding::cant_tell(page, element, "declared-floating-ad", Message::new(
                format!("页面代码声明了飘窗/对联广告位（{evidence}）；{}请在浏览器中确认它是否遮挡正文，或删除该广告位。", seen.0),
                format!("The markup declares a floating or couplet ad slot ({evidence}); {}so confirm in a browser whether it covers the content, or remove the slot.", seen.1),
            ))
            .with("kind", PopupKind::Floating.id())
        };
        findings.push(finding.with("evidence", evidence));
    }
    findings
}

/// Windows and dialogs the page opens on load: from its inline scripts, and those the browser saw.
fn dialogs_on_load(page: &crate::page::Page) -> Vec<String> {
    let mut on_load: Vec<String> = script_facts(page).on_load_popups.iter().map(|w| w.to_string()).collect();
    if let Some(rendering) = page.rendering() {
        on_load.extend(rendering.dialogs.iter().cloned());
    }
    on_load.sort_unstable();
    on_load.dedup();
    on_load
}

/// What is wrong with one pop-up: it covers the page or floats over it, and its close control is
/// missing or too small; on an elder page a pop-up carrying ads or inducing content is a veto.
fn judge(cx: &CheckContext<'_>, popup: &Popup<'_>, ads: &[(ElementRef<'_>, String)]) -> Finding {
    let element = popup.element;
    let contains = |a: &ElementRef<'_>| a.id() == element.id() || a.ancestors().any(|x| x.id() == element.id());
    let carries_ad = ads.iter().any(|(a, _)| contains(a));
    let carries_induced = induced_phrase(&collapsed_text(element), &cx.options.extra_induced_words).is_some();
    let mut problems_zh = Vec::new();
    let mut problems_en = Vec::new();
    match (popup.close, popup.close_size) {
        (None, _) => {
            problems_zh.push("没有可识别的关闭按钮".to_string());
            problems_en.push("no recognisable close control".to_string());
        }
        (Some(_), Some((w, h))) if w < MIN_CLOSE_PX || h < MIN_CLOSE_PX => {
            problems_zh.push(format!("关闭按钮只有 {w:.0}×{h:.0} px，小于 44×44 px"));
            problems_en.push(format!("the close button is only {w:.0}×{h:.0} px, under 44×44 px"));
        }
        _ => {}
    }
    let (what_zh, what_en) = match popup.kind {
        PopupKind::Floating => (
            "脚本让这个窗口在页面上飘动（飘窗），遮挡正文",
            "A script floats this window around the page, covering content",
        ),
        PopupKind::Overlay => {
            ("这个弹层在页面加载时覆盖了视口的大部分", "This layer covers much of the viewport when the page loads")
        }
    };
    let extra_zh = if problems_zh.is_empty() { String::new() } else { format!("；{}", problems_zh.join("；")) };
    let extra_en = if problems_en.is_empty() { String::new() } else { format!("; {}", problems_en.join("; ")) };
    let veto = cx.elder_page && (carries_ad || carries_induced);
    let veto_zh = if veto { "。适老版页面上含广告或诱导内容的弹窗是否决项" } else { "" };
    let veto_en = if veto { ". On an elder page, a pop-up with ads or inducing content is a veto" } else { "" };
    let message = Message::new(format!("{what_zh}{extra_zh}{veto_zh}。"), format!("{what_en}{extra_en}{veto_en}."));
    // A layer shown because the stylesheet that hides it did not load (a closed dialog, a menu) is
    // not a pop-up readers get: only a floating window seen moving is certain.
    let mut finding = if popup.kind == PopupKind::Overlay && cx.page.styles_incomplete() {
        Finding::cant_tell(
            cx.page,
            element,
            "stylesheet-not-loaded",
            Message::new(
                format!("{what_zh}{extra_zh}；但有样式表未能加载，它可能本来是隐藏的，需要确认。"),
                format!("{what_en}{extra_en}; a stylesheet did not load and may hide it, so confirm."),
            ),
        )
    } else {
        Finding::failed(cx.page, element, message)
    }
    .with("kind", popup.kind.id())
    .with("has_close", popup.close.is_some())
    .with("carries_ad_or_induced", carries_ad || carries_induced);
    if let Some(c) = popup.coverage {
        finding = finding.with("viewport_coverage", f64::from((c * 100.0).round() / 100.0));
    }
    if let Some((w, h)) = popup.close_size {
        finding = finding.with("close_px", vec![f64::from(w), f64::from(h)]);
    }
    if let Some(p) = popup.close_position {
        finding = finding.with("close_position", p);
    }
    finding
}
