//! Roles (ARIA in HTML + WAI-ARIA 1.2), focusability, the accessibility tree, and the
//! accessible name computation (accname 1.2, for what static markup can decide).

use super::{collapsed_text, Page};
use crate::page::Attribute;
use ego_tree::NodeId;
use scraper::{ElementRef, Node};

/// Non-abstract roles of WAI-ARIA 1.2, DPUB-ARIA 1.1 and Graphics-ARIA.
pub const VALID_ROLES: &[&str] = &[
    "alert",
    "alertdialog",
    "application",
    "article",
    "banner",
    "blockquote",
    "button",
    "caption",
    "cell",
    "checkbox",
    "code",
    "columnheader",
    "combobox",
    "complementary",
    "contentinfo",
    "definition",
    "deletion",
    "dialog",
    "directory",
    "document",
    "emphasis",
    "feed",
    "figure",
    "form",
    "generic",
    "grid",
    "gridcell",
    "group",
    "heading",
    "img",
    "insertion",
    "link",
    "list",
    "listbox",
    "listitem",
    "log",
    "main",
    "marquee",
    "math",
    "menu",
    "menubar",
    "menuitem",
    "menuitemcheckbox",
    "menuitemradio",
    "meter",
    "navigation",
    "none",
    "note",
    "option",
    "paragraph",
    "presentation",
    "progressbar",
    "radio",
    "radiogroup",
    "region",
    "row",
    "rowgroup",
    "rowheader",
    "scrollbar",
    "search",
    "searchbox",
    "separator",
    "slider",
    "spinbutton",
    "status",
    "strong",
    "subscript",
    "superscript",
    "switch",
    "tab",
    "table",
    "tablist",
    "tabpanel",
    "term",
    "textbox",
    "time",
    "timer",
    "toolbar",
    "tooltip",
    "tree",
    "treegrid",
    "treeitem",
    "doc-abstract",
    "doc-acknowledgments",
    "doc-afterword",
    "doc-appendix",
    "doc-backlink",
    "doc-biblioentry",
    "doc-bibliography",
    "doc-biblioref",
    "doc-chapter",
    "doc-colophon",
    "doc-conclusion",
    "doc-cover",
    "doc-credit",
    "doc-credits",
    "doc-dedication",
    "doc-endnote",
    "doc-endnotes",
    "doc-epigraph",
    "doc-epilogue",
    "doc-errata",
    "doc-example",
    "doc-footnote",
    "doc-foreword",
    "doc-glossary",
    "doc-glossref",
    "doc-index",
    "doc-introduction",
    "doc-noteref",
    "doc-notice",
    "doc-pagebreak",
    "doc-pagefooter",
    "doc-pageheader",
    "doc-pagelist",
    "doc-part",
    "doc-preface",
    "doc-prologue",
    "doc-pullquote",
    "doc-qna",
    "doc-subtitle",
    "doc-tip",
    "doc-toc",
    "graphics-document",
    "graphics-object",
    "graphics-symbol",
];

/// Roles whose name can come from their content (accname 1.2, "name from: contents").
const NAME_FROM_CONTENT: &[&str] = &[
    "button",
    "cell",
    "checkbox",
    "columnheader",
    "gridcell",
    "heading",
    "link",
    "menuitem",
    "menuitemcheckbox",
    "menuitemradio",
    "option",
    "radio",
    "row",
    "rowheader",
    "sectionhead",
    "switch",
    "tab",
    "tooltip",
    "treeitem",
    "doc-backlink",
    "doc-biblioref",
    "doc-glossref",
    "doc-noteref",
    "caption",
    "term",
    "code",
    "emphasis",
    "strong",
    "subscript",
    "superscript",
    "deletion",
    "insertion",
    "time",
];

/// Global ARIA attributes: one of them on an element cancels `role="none"`/`presentation`.
const GLOBAL_ARIA: &[&str] = &[
    "aria-atomic",
    "aria-busy",
    "aria-controls",
    "aria-current",
    "aria-describedby",
    "aria-details",
    "aria-dropeffect",
    "aria-flowto",
    "aria-grabbed",
    "aria-haspopup",
    "aria-hidden",
    "aria-invalid",
    "aria-keyshortcuts",
    "aria-label",
    "aria-labelledby",
    "aria-live",
    "aria-owns",
    "aria-relevant",
    "aria-roledescription",
];

/// The first valid token of the `role` attribute.
pub fn explicit_role(element: ElementRef<'_>) -> Option<String> {
    element
        .value()
        .attribute("role")?
        .split_ascii_whitespace()
        .map(str::to_ascii_lowercase)
        .find(|t| VALID_ROLES.contains(&t.as_str()))
}

fn input_type(element: ElementRef<'_>) -> String {
    element.value().attribute("type").unwrap_or("text").trim().to_ascii_lowercase()
}

/// The role an element has without a `role` attribute (HTML-AAM / ARIA in HTML).
pub fn implicit_role(element: ElementRef<'_>) -> Option<&'static str> {
    let v = element.value();
    Some(match v.name() {
        "a" | "area" if v.attribute("href").is_some() => "link",
        "button" => "button",
        "input" => match input_type(element).as_str() {
            "button" | "submit" | "reset" | "image" => "button",
            "checkbox" => "checkbox",
            "radio" => "radio",
            "range" => "slider",
            "number" => "spinbutton",
            "hidden" => return None,
            "search" if v.attribute("list").is_none() => "searchbox",
            "text" | "email" | "tel" | "url" | "search" if v.attribute("list").is_some() => "combobox",
            "text" | "email" | "tel" | "url" | "search" | "password" | "" => "textbox",
            // date, color, file…: form fields without a more specific ARIA role.
            _ => "textbox",
        },
        "select"
            if v.attribute("multiple").is_some()
                || v.attribute("size").and_then(|s| s.trim().parse::<u32>().ok()).is_some_and(|s| s > 1) =>
        {
            "listbox"
        }
        "select" => "combobox",
        "textarea" => "textbox",
        "img" if v.attribute("alt").is_some_and(|a| a.is_empty()) => "presentation",
        "img" => "img",
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => "heading",
        "nav" => "navigation",
        "main" => "main",
        "ul" | "ol" | "menu" => "list",
        "li" => "listitem",
        "table" => "table",
        "tr" => "row",
        "td" => "cell",
        "th" => "columnheader",
        "option" => "option",
        "dialog" => "dialog",
        "form" => "form",
        "hr" => "separator",
        "summary" => "button",
        "meter" => "meter",
        "progress" => "progressbar",
        "fieldset" => "group",
        "figure" => "figure",
        "article" => "article",
        "aside" => "complementary",
        _ => return None,
    })
}

/// The role assistive technology sees: the explicit role, unless it is `none`/`presentation`
/// on an element that is focusable or has a global ARIA attribute (the presentational role
/// conflict), then the implicit role. DPUB link roles count as `link`.
pub fn semantic_role(element: ElementRef<'_>) -> Option<String> {
    match explicit_role(element) {
        Some(r) if r == "none" || r == "presentation" => {
            let conflict = is_focusable(element) || GLOBAL_ARIA.iter().any(|a| element.value().attribute(a).is_some());
            if conflict {
                implicit_role(element).map(str::to_string)
            } else {
                Some(r)
            }
        }
        Some(r) => Some(r),
        None => implicit_role(element).map(str::to_string),
    }
}

/// Whether a role behaves as a link (`link` and the DPUB roles that inherit from it).
pub fn is_link_role(role: &str) -> bool {
    matches!(role, "link" | "doc-backlink" | "doc-biblioref" | "doc-glossref" | "doc-noteref")
}

fn is_disabled(element: ElementRef<'_>) -> bool {
    let form_control = |e: ElementRef<'_>| {
        matches!(e.value().name(), "button" | "input" | "select" | "textarea" | "optgroup" | "option" | "fieldset")
    };
    if form_control(element) && element.value().attribute("disabled").is_some() {
        return true;
    }
    // Controls in a disabled fieldset are disabled, except inside its first legend.
    form_control(element)
        && element.ancestors().filter_map(ElementRef::wrap).any(|a| {
            a.value().name() == "fieldset"
                && a.value().attribute("disabled").is_some()
                && !a
                    .child_elements()
                    .find(|c| c.value().name() == "legend")
                    .is_some_and(|legend| element.ancestors().any(|x| x.id() == legend.id()))
        })
}

fn tabindex(element: ElementRef<'_>) -> Option<i32> {
    element.value().attribute("tabindex").and_then(|t| t.trim().parse().ok())
}

/// Focusable by default or through `tabindex` (whatever the tabindex sign), and not disabled.
pub fn is_focusable(element: ElementRef<'_>) -> bool {
    let v = element.value();
    if is_disabled(element) || v.attribute("inert").is_some() {
        return false;
    }
    if tabindex(element).is_some() {
        return true;
    }
    match v.name() {
        "a" | "area" => v.attribute("href").is_some(),
        "button" | "select" | "textarea" | "iframe" | "embed" | "object" => true,
        "input" => input_type(element) != "hidden",
        "summary" => element.parent().and_then(ElementRef::wrap).is_some_and(|p| p.value().name() == "details"),
        "audio" | "video" => v.attribute("controls").is_some(),
        _ => v.attribute("contenteditable").is_some_and(|c| !c.eq_ignore_ascii_case("false")),
    }
}

/// In the sequential (Tab key) focus order: focusable, no negative tabindex, rendered and visible.
pub fn in_sequential_focus_order(page: &Page, element: ElementRef<'_>) -> bool {
    is_focusable(element)
        && tabindex(element).is_none_or(|t| t >= 0)
        && page.is_rendered(element)
        && !page.style_of(element).is_visibility_hidden()
        && !element.ancestors().filter_map(ElementRef::wrap).any(|a| a.value().attribute("inert").is_some())
}

/// Excluded from the accessibility tree: not rendered, `visibility: hidden`, or `aria-hidden="true"`.
pub fn is_hidden_from_at(page: &Page, element: ElementRef<'_>) -> bool {
    !page.is_rendered(element) || page.style_of(element).is_visibility_hidden() || page.is_aria_hidden(element)
}

/// Where an accessible name came from, so a report can say what a screen reader announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameSource {
    LabelledBy,
    AriaLabel,
    /// `<label>`, `alt`, `value`, `<legend>`, `<caption>`, `<figcaption>`, `title` of an iframe…
    Native,
    Content,
    Title,
    Placeholder,
    /// The browser's default for submit, reset and image buttons.
    Default,
}

/// An accessible name with its source (`None` source means empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessibleName {
    pub name: String,
    pub source: Option<NameSource>,
}

impl AccessibleName {
    fn empty() -> Self {
        AccessibleName { name: String::new(), source: None }
    }

    fn from(text: String, source: NameSource) -> Option<Self> {
        let name = normalise(&text);
        (!name.is_empty()).then_some(AccessibleName { name, source: Some(source) })
    }

    pub fn is_empty(&self) -> bool {
        self.name.is_empty()
    }
}

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct Walk<'p> {
    page: &'p Page,
    visited: super::NodeSet,
    /// Nesting of name-from-content steps in progress.
    depth: usize,
}

/// Name-from-content steps nested deeper than this read the rest of the subtree as flat text, without
/// recursing: the stack stays bounded whatever the document, and no real name is this deep.
const MAX_NAME_DEPTH: usize = 64;

/// The accessible name of an element.
/// Computed once per element: `link-name`, `button-name`, `induced-button` and others all ask for
/// the names of a page's links and buttons.
pub fn accessible_name(page: &Page, element: ElementRef<'_>) -> AccessibleName {
    if let Some(known) = page.accessible_names.borrow().get(&element.id()) {
        return known.clone();
    }
    let mut walk = Walk { page, visited: super::NodeSet::default(), depth: 0 };
    let name =
        walk.name(element, Context { in_labelledby: false, in_content: false, referenced: true, hidden_target: false });
    page.accessible_names.borrow_mut().insert(element.id(), name.clone());
    name
}

#[derive(Clone, Copy)]
struct Context {
    /// Inside an aria-labelledby traversal: no further labelledby, hidden referenced nodes count.
    in_labelledby: bool,
    /// Recursing into content of an element whose name comes from content.
    in_content: bool,
    /// The node is the root of the computation or directly referenced by aria-labelledby.
    referenced: bool,
    /// The aria-labelledby target of this traversal is itself hidden: hidden content counts.
    hidden_target: bool,
}

impl Walk<'_> {
    fn name(&mut self, element: ElementRef<'_>, cx: Context) -> AccessibleName {
        if !self.visited.insert(element.id()) {
            return AccessibleName::empty();
        }
        let page = self.page;
        let v = element.value();
        // 2A: hidden nodes count only inside an aria-labelledby traversal whose target is hidden.
        let is_root = cx.referenced && !cx.in_labelledby;
        if !is_root && !cx.hidden_target && is_hidden_from_at(page, element) {
            return AccessibleName::empty();
        }
        // 2B: aria-labelledby.
        if !cx.in_labelledby {
            if let Some(ids) = v.attribute("aria-labelledby") {
                let parts: Vec<String> = ids
                    .split_ascii_whitespace()
                    .filter_map(|id| page.element_by_id(id))
                    .map(|target| {
                        self.visited.remove(&target.id());
                        let hidden_target = is_hidden_from_at(page, target);
                        self.name(
                            target,
                            Context { in_labelledby: true, in_content: false, referenced: true, hidden_target },
                        )
                        .name
                    })
                    .filter(|n| !n.is_empty())
                    .collect();
                if let Some(name) = AccessibleName::from(parts.join(" "), NameSource::LabelledBy) {
                    return name;
                }
            }
        }
        let role = semantic_role(element);
        // 2C: an embedded control inside a label or content contributes its value.
        if cx.in_content {
            if let Some(value) = embedded_control_value(element, role.as_deref()) {
                return AccessibleName { name: normalise(&value), source: Some(NameSource::Content) };
            }
        }
        // 2D: aria-label.
        if let Some(name) =
            v.attribute("aria-label").and_then(|l| AccessibleName::from(l.to_string(), NameSource::AriaLabel))
        {
            return name;
        }
        // 2E: native host-language labels.
        let presentational = matches!(role.as_deref(), Some("none" | "presentation"));
        if !presentational {
            if let Some(name) = self.native_name(element) {
                return name;
            }
        }
        // 2F: name from content.
        let from_content = cx.in_content
            || (cx.in_labelledby && cx.referenced)
            || role.as_deref().is_some_and(|r| NAME_FROM_CONTENT.contains(&r))
            || v.name() == "label"
            || v.name() == "legend";
        if from_content {
            let text = self.content(element, cx);
            if let Some(name) = AccessibleName::from(text, NameSource::Content) {
                return name;
            }
        }
        // 2I: tooltip, then the placeholder of text fields.
        if let Some(name) = v.attribute("title").and_then(|t| AccessibleName::from(t.to_string(), NameSource::Title)) {
            return name;
        }
        if matches!(v.name(), "input" | "textarea") {
            if let Some(name) =
                v.attribute("placeholder").and_then(|p| AccessibleName::from(p.to_string(), NameSource::Placeholder))
            {
                return name;
            }
        }
        // The browser's default label applies only when there is no `value` at all: `value=""` names
        // the button with nothing (as Chromium and axe-core do).
        if v.name() == "input" && v.attribute("value").is_none() {
            let default = match input_type(element).as_str() {
                "submit" => Some("Submit"),
                "reset" => Some("Reset"),
                "image" => Some("Submit Query"),
                _ => None,
            };
            if let Some(d) = default {
                return AccessibleName { name: d.to_string(), source: Some(NameSource::Default) };
            }
        }
        AccessibleName::empty()
    }

    fn native_name(&mut self, element: ElementRef<'_>) -> Option<AccessibleName> {
        let page = self.page;
        let v = element.value();
        let attr = |name: &str, source| v.attribute(name).and_then(|a| AccessibleName::from(a.to_string(), source));
        match v.name() {
            "input" => match input_type(element).as_str() {
                "button" | "submit" | "reset" => attr("value", NameSource::Native).or_else(|| self.labels(element)),
                "image" => attr("alt", NameSource::Native).or_else(|| attr("value", NameSource::Native)),
                _ => self.labels(element),
            },
            "select" | "textarea" | "meter" | "output" | "progress" => self.labels(element),
            "button" => self.labels(element),
            "img" | "area" => attr("alt", NameSource::Native),
            "iframe" | "frame" => attr("title", NameSource::Native),
            "fieldset" => self.child_named(element, "legend"),
            "figure" => self.child_named(element, "figcaption"),
            "table" => self.child_named(element, "caption"),
            "svg" => element
                .child_elements()
                .find(|c| c.value().name() == "title")
                .and_then(|t| AccessibleName::from(collapsed_text(t), NameSource::Native)),
            _ => {
                let _ = page;
                None
            }
        }
    }

    fn child_named(&mut self, element: ElementRef<'_>, tag: &str) -> Option<AccessibleName> {
        let child = element.child_elements().find(|c| c.value().name() == tag)?;
        let text = self.content(
            child,
            Context { in_labelledby: false, in_content: true, referenced: false, hidden_target: false },
        );
        AccessibleName::from(text, NameSource::Native)
    }

    /// `<label for=id>` and an ancestor `<label>`, in document order.
    fn labels(&mut self, element: ElementRef<'_>) -> Option<AccessibleName> {
        let page = self.page;
        let mut labels: Vec<ElementRef<'_>> = Vec::new();
        if let Some(id) = element.value().id() {
            labels.extend(page.labels_for(id));
        }
        if let Some(wrapping) = element.ancestors().filter_map(ElementRef::wrap).find(|a| a.value().name() == "label") {
            if wrapping.value().attribute("for").is_none_or(|f| Some(f) == element.value().id())
                && !labels.iter().any(|l| l.id() == wrapping.id())
            {
                labels.push(wrapping);
            }
        }
        let parts: Vec<String> = labels
            .into_iter()
            .map(|label| {
                self.content(
                    label,
                    Context { in_labelledby: false, in_content: true, referenced: false, hidden_target: false },
                )
            })
            .map(|t| normalise(&t))
            .filter(|t| !t.is_empty())
            .collect();
        AccessibleName::from(parts.join(" "), NameSource::Native)
    }

    /// Text of the element's children, each child element by its own name.
    fn content(&mut self, element: ElementRef<'_>, cx: Context) -> String {
        if self.depth >= MAX_NAME_DEPTH {
            return flat_text(self.page, element, cx.hidden_target);
        }
        self.depth += 1;
        let text = self.content_of_children(element, cx);
        self.depth -= 1;
        text
    }

    fn content_of_children(&mut self, element: ElementRef<'_>, cx: Context) -> String {
        let mut out = String::new();
        for child in element.children() {
            match child.value() {
                Node::Text(text) => out.push_str(text),
                Node::Element(_) => {
                    let Some(child) = ElementRef::wrap(child) else { continue };
                    if matches!(child.value().name(), "script" | "style" | "template" | "noscript") {
                        continue;
                    }
                    let block = !matches!(&*self.page.style_of(child).display, "inline" | "contents");
                    let name = self
                        .name(
                            child,
                            Context {
                                in_labelledby: cx.in_labelledby,
                                in_content: true,
                                referenced: false,
                                hidden_target: cx.hidden_target,
                            },
                        )
                        .name;
                    if block {
                        out.push(' ');
                    }
                    out.push_str(&name);
                    if block {
                        out.push(' ');
                    }
                }
                _ => {}
            }
        }
        out
    }
}

/// The text of a subtree read iteratively: what name-from-content gives for plain nested markup,
/// with hidden subtrees (unless the traversal counts them), scripts and styles left out.
fn flat_text(page: &Page, element: ElementRef<'_>, hidden_counts: bool) -> String {
    use ego_tree::iter::Edge;
    let mut out = String::new();
    let mut skipping: Option<NodeId> = None;
    for edge in element.traverse() {
        match edge {
            Edge::Open(node) if skipping.is_none() => match node.value() {
                Node::Text(text) => out.push_str(text),
                Node::Element(el) => {
                    let skip = matches!(el.name(), "script" | "style" | "template" | "noscript")
                        || (!hidden_counts && ElementRef::wrap(node).is_some_and(|e| is_hidden_from_at(page, e)));
                    if skip && node.id() != element.id() {
                        skipping = Some(node.id());
                    } else if ElementRef::wrap(node)
                        .is_some_and(|e| !matches!(&*page.style_of(e).display, "inline" | "contents"))
                    {
                        out.push(' ');
                    }
                }
                _ => {}
            },
            Edge::Close(node) if skipping == Some(node.id()) => skipping = None,
            _ => {}
        }
    }
    out
}

/// The value an embedded control contributes to a label's or link's name.
fn embedded_control_value(element: ElementRef<'_>, role: Option<&str>) -> Option<String> {
    let v = element.value();
    match (v.name(), role) {
        ("input", Some("textbox" | "searchbox")) => Some(v.attribute("value").unwrap_or_default().to_string()),
        ("textarea", _) => Some(collapsed_text(element)),
        ("select", _) => Some(
            element
                .descendent_elements()
                .filter(|o| o.value().name() == "option")
                .find(|o| o.value().attribute("selected").is_some())
                .or_else(|| element.descendent_elements().find(|o| o.value().name() == "option"))
                .map(collapsed_text)
                .unwrap_or_default(),
        ),
        (_, Some("textbox" | "searchbox")) => Some(collapsed_text(element)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Selector;

    fn name_of(html: &str, css: &str) -> String {
        let page = Page::parse("https://example.gov.cn/", html);
        let selector = Selector::parse(css).expect("selector");
        let element = page.html.select(&selector).next().expect("element");
        accessible_name(&page, element).name
    }

    #[test]
    fn names_from_each_source() {
        assert_eq!(
            name_of(
                "<span id=a>办事</span><span id=b hidden>指南</span><button aria-labelledby='a b'>x</button>",
                "button"
            ),
            "办事 指南"
        );
        assert_eq!(name_of("<button aria-label=' 关闭 '>×</button>", "button"), "关闭");
        assert_eq!(name_of("<label for=u>用户名</label><input id=u>", "input"), "用户名");
        assert_eq!(name_of("<label>密码 <input type=password></label>", "input"), "密码");
        assert_eq!(name_of("<a href=/><img src=logo.png alt='某市人民政府'></a>", "a"), "某市人民政府");
        assert_eq!(
            name_of("<a href=/>首页<span style='display:none'>隐藏</span><span aria-hidden=true>图标</span></a>", "a"),
            "首页"
        );
        assert_eq!(name_of("<input type=submit>", "input"), "Submit");
        assert_eq!(name_of("<input type=text placeholder='请输入手机号'>", "input"), "请输入手机号");
        assert_eq!(name_of("<a href=/ title='返回首页'></a>", "a"), "返回首页");
        assert_eq!(name_of("<fieldset><legend>性别</legend></fieldset>", "fieldset"), "性别");
        assert_eq!(
            name_of(
                "<label>数量 <select><option>1</option><option selected>2</option></select> 份</label><span></span>",
                "label"
            ),
            "数量 2 份"
        );
        assert_eq!(name_of("<h1><img src=a.png alt=''></h1>", "h1"), "");
    }

    #[test]
    fn deeply_nested_names_need_no_deep_stack() {
        // On a 512 KiB stack, where a recursive walk of 3,000 levels (at ~1 KiB a level) would overflow.
        // Below the parser's depth bound (300 levels) the hidden element keeps its text, and the
        // iterative part of the walk leaves it out.
        let names = std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(|| {
                [300, 3_000].map(|levels| {
                    let html = format!("<a href=/>{}办事<b hidden>隐藏</b>指南</a>", "<span>".repeat(levels));
                    let page = Page::parse("https://a.cn/", &html);
                    let link = page.elements().find(|e| e.value().name() == "a").expect("link");
                    accessible_name(&page, link).name
                })
            })
            .expect("thread")
            .join()
            .expect("no overflow");
        assert_eq!(names[0], "办事指南", "hidden text left out");
        assert!(names[1].starts_with("办事") && names[1].ends_with("指南"), "{}", names[1]);
    }

    #[test]
    fn roles_and_presentational_conflict() {
        let page = Page::parse("https://a.cn/", "<img id=a src=x role=none tabindex=0><img id=b src=x role=presentation><a id=c href=/ role=none>x</a><div id=d role='lnik searchbox'></div>");
        let role = |id| page.element_by_id(id).and_then(semantic_role);
        assert_eq!(role("a").as_deref(), Some("img"));
        assert_eq!(role("b").as_deref(), Some("presentation"));
        assert_eq!(role("c").as_deref(), Some("link"));
        assert_eq!(role("d").as_deref(), Some("searchbox"));
    }
}
