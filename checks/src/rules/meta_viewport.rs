use crate::check::{
    Check, CheckContext, CheckMeta, CheckResult, Criteria, Family, Finding, Impact, Message, Scope, Tally, Text,
};
use crate::page::Attribute;
use std::borrow::Cow;

pub struct MetaViewport;

pub static META: CheckMeta = CheckMeta {
    id: Cow::Borrowed("meta-viewport"),
    family: Family::Font,
    impact: Impact::Critical,
    scope: Scope::Page,
    title: Text::new("页面允许缩放", "Page can be zoomed"),
    failure_title: Text::new("页面禁止或限制了缩放", "Page blocks or limits zoom"),
    criteria: Criteria { wcag: &["1.4.4"], miit: &["附件1 网页放大与大字屏幕服务"], act: &["b4f0c3"] },
    docs: Text::new(
        "## 检查什么\n`<meta name=\"viewport\">` 没有用 `user-scalable=no` 禁止缩放，`maximum-scale` 不小于 2。\n\n\
## 为什么对老年读者重要\n双指放大是老年人在手机上看清文字最常用的办法。禁止缩放的页面，视力下降的读者就只能放弃阅读。适老化规范要求网页支持放大。\n\n\
## 示例\n不合格：`<meta name=\"viewport\" content=\"width=device-width, user-scalable=no, maximum-scale=1\">`；\
合格：`<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">`。\n\n\
## 如何修复\n删除 `user-scalable=no` 和 `maximum-scale`（或设为 5 以上），版面用相对单位适应放大。",
        "## What it checks\n`<meta name=\"viewport\">` does not block zoom with `user-scalable=no`, and `maximum-scale` is at least 2.\n\n\
## Why it matters for older readers\nPinch-zoom is how older readers make text legible on a phone. A page that blocks it cannot be read by someone whose eyesight has declined; the MIIT criteria require zoom.\n\n\
## Example\nFails: `<meta name=\"viewport\" content=\"width=device-width, user-scalable=no, maximum-scale=1\">`. \
Passes: `<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">`.\n\n\
## How to fix\nRemove `user-scalable=no` and `maximum-scale` (or set it to 5 or more), and let the layout adapt with relative units.",
    ),
};

/// `content` of a viewport meta as (key, value) pairs; separators are `,`, `;` and spaces.
fn viewport_properties(content: &str) -> Vec<(String, String)> {
    content
        .split([',', ';'])
        .filter_map(|part| {
            let (k, v) = part.split_once('=')?;
            Some((k.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase()))
        })
        .collect()
}

/// How the viewport spec reads a number value: `yes` is 1, `no` is 0, device-width/height are 10.
fn viewport_number(value: &str) -> Option<f64> {
    match value {
        "yes" => Some(1.0),
        "no" => Some(0.0),
        "device-width" | "device-height" => Some(10.0),
        v => {
            let numeric: String = v.chars().take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '-').collect();
            numeric.parse().ok()
        }
    }
}

impl Check for MetaViewport {
    fn meta(&self) -> &'static CheckMeta {
        &META
    }

    fn run(&self, cx: &CheckContext<'_>) -> CheckResult {
        let mut tally = Tally::default();
        let min_scale = cx.options.min_maximum_scale;
        for meta in cx.page.elements().filter(|e| {
            e.value().name() == "meta"
                && e.value().attribute("name").is_some_and(|n| n.trim().eq_ignore_ascii_case("viewport"))
        }) {
            let Some(content) = meta.value().attribute("content") else { continue };
            let props = viewport_properties(content);
            let user_scalable = props.iter().find(|(k, _)| k == "user-scalable").map(|(_, v)| v.as_str());
            let maximum_scale = props.iter().find(|(k, _)| k == "maximum-scale").map(|(_, v)| v.as_str());
            if user_scalable.is_none() && maximum_scale.is_none() {
                continue;
            }
            let mut problems_zh = Vec::new();
            let mut problems_en = Vec::new();
            if let Some(v) = user_scalable {
                // Scaling stays allowed for yes, device-width/height and numbers ≥ 1 or ≤ -1.
                let allowed = viewport_number(v).is_some_and(|n| n.abs() >= 1.0);
                if !allowed {
                    problems_zh.push(format!("user-scalable={v} 禁止了缩放"));
                    problems_en.push(format!("user-scalable={v} blocks zoom"));
                }
            }
            if let Some(v) = maximum_scale {
                let allowed = match v {
                    "device-width" | "device-height" => true,
                    _ => v.parse::<f64>().is_ok_and(|n| n >= min_scale || n < 0.0),
                };
                if !allowed {
                    problems_zh.push(format!("maximum-scale={v} 使页面最多只能放大到 {min_scale} 倍以下"));
                    problems_en.push(format!("maximum-scale={v} keeps zoom below {min_scale}×"));
                }
            }
            if problems_zh.is_empty() {
                tally.pass();
            } else {
                tally.add(
                    Finding::failed(
                        cx.page,
                        meta,
                        Message::new(format!("{}。", problems_zh.join("；")), format!("{}.", problems_en.join("; "))),
                    )
                    .with("content", content),
                );
            }
        }
        tally.finish()
    }
}
