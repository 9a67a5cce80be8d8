//! Cascade tests: each asserts a computed value a browser would produce.

use super::style::{Extent, LineHeight, Rgba, SizeUnitKind, Unresolved, Viewport};
use super::*;
use scraper::Selector;

fn page(html: &str) -> Page {
    Page::parse("https://example.gov.cn/index.html", html)
}

fn el<'a>(page: &'a Page, css: &str) -> ElementRef<'a> {
    let selector = Selector::parse(css).expect("test selector");
    page.html.select(&selector).next().expect("element in test page")
}

fn font(page: &Page, css: &str) -> f32 {
    page.style_of(el(page, css)).font_size.clone().expect("known font size")
}

fn color(page: &Page, css: &str) -> String {
    page.style_of(el(page, css)).color.clone().expect("known colour").to_css()
}

#[test]
fn specificity_beats_source_order() {
    let p = page("<style>#a { color: red } p.x { color: green } p { color: blue }</style><p id=a class=x>t</p>");
    assert_eq!(color(&p, "p"), "#ff0000");
    let p = page("<style>p.x { color: green } p { color: blue }</style><p class=x>t</p>");
    assert_eq!(color(&p, "p"), "#008000");
}

#[test]
fn later_rule_wins_at_equal_specificity() {
    let p = page("<style>.a { color: red } .b { color: blue }</style><p class='b a'>t</p>");
    assert_eq!(color(&p, "p"), "#0000ff");
}

#[test]
fn important_beats_specificity_and_inline_style() {
    let p = page("<style>p { color: red !important } #x { color: blue }</style><p id=x style='color: green'>t</p>");
    assert_eq!(color(&p, "p"), "#ff0000");
    let p = page("<style>#x { color: blue }</style><p id=x style='color: green'>t</p>");
    assert_eq!(color(&p, "p"), "#008000", "inline style beats an id selector");
    let p = page("<style>p { color: red !important }</style><p style='color: green !important'>t</p>");
    assert_eq!(color(&p, "p"), "#008000", "important inline beats important rule");
}

#[test]
fn inheritance_of_inherited_properties_only() {
    let p =
        page("<style>div { color: #333; background-color: #eee; font-weight: bold }</style><div><span>t</span></div>");
    let span = p.style_of(el(&p, "span"));
    assert_eq!(span.color.clone().map(|c| c.to_css()), Ok("#333333".into()));
    assert_eq!(span.background_color.clone().map(|c| c.a), Ok(0.0), "background is not inherited");
    assert_eq!(span.font_weight, 700.0);
    let p = page("<style>div { border: 1px; background: red } span { background-color: inherit }</style><div><span>t</span></div>");
    assert_eq!(p.style_of(el(&p, "span")).background_color.clone().map(|c| c.to_css()), Ok("#ff0000".into()));
}

#[test]
fn em_rem_percent_chains() {
    let p = page(
        "<style>html { font-size: 62.5% } body { font-size: 1.4rem } .a { font-size: 1.5em } .b { font-size: 80% } .c { font-size: 2rem } .d { font-size: smaller }</style>\
         <body><div class=a><div class=b><span class=c>x</span><span class=d>y</span></div></div></body>",
    );
    assert_eq!(font(&p, "html"), 10.0);
    assert_eq!(font(&p, "body"), 14.0);
    assert_eq!(font(&p, ".a"), 21.0);
    assert!((font(&p, ".b") - 16.8).abs() < 1e-4);
    assert_eq!(font(&p, ".c"), 20.0);
    assert!((font(&p, ".d") - 14.0).abs() < 1e-4);
}

#[test]
fn headings_and_keywords_from_user_agent_sheet() {
    let p = page("<h1>a</h1><h6>b</h6><small>c</small><p style='font-size: x-large'>d</p>");
    assert_eq!(font(&p, "h1"), 32.0);
    assert!((font(&p, "h6") - 10.72).abs() < 0.01);
    assert!((font(&p, "small") - 13.333).abs() < 0.01);
    assert_eq!(font(&p, "p"), 24.0);
    assert_eq!(p.style_of(el(&p, "h1")).font_weight, 700.0);
}

#[test]
fn pt_and_font_shorthand() {
    let p = page("<style>p { font: bold 9pt/1.5 宋体 }</style><p>t</p>");
    let s = p.style_of(el(&p, "p"));
    assert_eq!(s.font_size, Ok(12.0));
    assert_eq!(s.font_weight, 700.0);
    assert_eq!(s.line_height, Ok(LineHeight::Factor(1.5)));
    assert_eq!(s.line_height_px(), Some(18.0));
}

#[test]
fn fixed_font_size_origin_tracking() {
    let p = page("<style>body { font-size: 12px } p { font-size: 1.2em } .r { font-size: 1rem } .v { font-size: 3vw }</style><body><p>a</p><div class=r>b</div><div class=v>c</div></body>");
    let body = p.style_of(el(&p, "body")).font_size_origin;
    assert_eq!(body.declared, Some(SizeUnitKind::Absolute));
    assert!(!body.scales_with_user_setting);
    let para = p.style_of(el(&p, "p")).font_size_origin;
    assert_eq!(para.declared, Some(SizeUnitKind::Relative));
    assert!(!para.scales_with_user_setting, "em of a px parent does not follow the reader's setting");
    assert!(p.style_of(el(&p, ".r")).font_size_origin.scales_with_user_setting, "rem of the default root does");
    assert_eq!(p.style_of(el(&p, ".v")).font_size_origin.declared, Some(SizeUnitKind::ViewportOnly));
    assert!((font(&p, ".v") - 38.4).abs() < 1e-3, "3vw of 1280px");
}

#[test]
fn media_queries_follow_the_viewport() {
    let html = "<style>p { font-size: 16px } @media (max-width: 600px) { p { font-size: 11px } }</style><p>t</p>";
    assert_eq!(font(&page(html), "p"), 16.0);
    let mobile = Page::from_html(
        Url::parse("https://m.example.cn/").expect("url"),
        html,
        &NoStylesheets,
        PageOptions { viewport: Viewport::MOBILE, ..PageOptions::default() },
        encoding_rs::UTF_8,
    );
    assert_eq!(font(&mobile, "p"), 11.0);
}

#[test]
fn alpha_compositing_of_backgrounds() {
    let p = page("<body style='background: #000'><div style='background: rgba(255,255,255,0.5)'><p>t</p></div></body>");
    let bg = p.backgrounds_behind(el(&p, "p")).expect("solid");
    assert_eq!(bg.len(), 1);
    assert!((bg[0].r - 127.5).abs() < 0.6);
    let p = page("<div style='opacity: 0.5; background: #000'><p>t</p></div>");
    let bg = p.backgrounds_behind(el(&p, "p")).expect("solid");
    assert!((bg[0].r - 127.5).abs() < 0.6, "opacity applies to the background: {:?}", bg);
    let p = page("<p style='background: url(a.png) #fff'>t</p>");
    assert_eq!(p.backgrounds_behind(el(&p, "p")), Err(BackgroundProblem::Image));
    let p = page("<p style='background: linear-gradient(#fff, #00f)'>t</p>");
    assert_eq!(p.backgrounds_behind(el(&p, "p")).map(|b| b.len()), Ok(2));
}

#[test]
fn unknown_values_stay_unknown() {
    let p = page("<style>p { color: var(--missing); font-size: calc(100% - 1px * var(--n)) } span { color: oklch(70% 0.1 200) }</style><p>a<span>b</span></p>");
    let s = p.style_of(el(&p, "p"));
    assert!(matches!(s.color, Err(Unresolved::Var(_))), "{:?}", s.color);
    assert!(s.font_size.is_err(), "{:?}", s.font_size);
    assert!(matches!(p.style_of(el(&p, "span")).color, Err(Unresolved::Color(_))));
    assert!(p.style_of(el(&p, "span")).font_size.is_err(), "em chains on an unknown stay unknown");
}

#[test]
fn custom_properties_resolve() {
    let p = page("<style>:root { --text: #595959; --size: 18px } .a { color: var(--text); font-size: var(--size) } .b { color: var(--none, #123456) }</style><p class=a>a</p><p class=b>b</p>");
    assert_eq!(color(&p, ".a"), "#595959");
    assert_eq!(font(&p, ".a"), 18.0);
    assert_eq!(color(&p, ".b"), "#123456");
}

#[test]
fn currentcolor_and_inherit() {
    let p = page("<div style='color: #123456'><p style='background-color: currentColor'>t</p></div>");
    assert_eq!(p.style_of(el(&p, "p")).background_color.clone().map(|c| c.to_css()), Ok("#123456".into()));
}

#[test]
fn hidden_content() {
    let p = page("<style>.gone { display: none } .ghost { visibility: hidden } .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0) }</style>\
        <div class=gone><p id=a>a</p></div><p class=ghost id=b>b</p><p hidden id=c>c</p><span class=sr-only id=d>d</span><p aria-hidden=true id=e>e</p><p id=f>f</p>");
    assert!(!p.is_rendered(el(&p, "#a")));
    assert!(p.is_rendered(el(&p, "#b")) && !p.is_visible(el(&p, "#b")));
    assert!(!p.is_rendered(el(&p, "#c")));
    assert!(!p.is_visible(el(&p, "#d")));
    assert!(p.is_aria_hidden(el(&p, "#e")) && p.is_visible(el(&p, "#e")));
    assert!(p.is_visible(el(&p, "#f")));
}

#[test]
fn link_colour_from_user_agent_and_author_link_rules() {
    let p = page("<a href='/'>x</a><a>y</a>");
    assert_eq!(color(&p, "a[href]"), "#0000ee");
    let p = page("<style>a:link { color: #999 } a:hover { color: red }</style><a href='/'>x</a>");
    assert_eq!(color(&p, "a"), "#999999", ":link applies on load, :hover does not");
}

#[test]
fn boxes_and_positions() {
    let p = page("<div style='position: fixed; z-index: 9999; width: 50%; height: 300px; top: 10vh; left: calc(50% - 20px)'>x</div>");
    let s = p.style_of(el(&p, "div"));
    assert!(s.is_positioned_out_of_flow());
    assert_eq!(s.z_index, Some(9999));
    assert_eq!(s.width, Extent::Percent(50.0));
    assert_eq!(s.height, Extent::Px(300.0));
    assert_eq!(s.top, Extent::Px(80.0));
    assert_eq!(s.left, Extent::Unknown);
}

#[test]
fn linked_and_imported_stylesheets_through_the_loader() {
    struct Files;
    impl StylesheetLoader for Files {
        fn load(&self, url: &Url) -> Result<std::sync::Arc<[u8]>, LoadError> {
            match url.path() {
                "/css/site.css" => Ok(b"@import 'base.css'; p { color: #111 }".to_vec().into()),
                "/css/base.css" => Ok(b"p { font-size: 11px } @import 'late.css';".to_vec().into()),
                "/css/loop.css" => Ok(b"@import 'loop.css'; span { color: red }".to_vec().into()),
                other => Err(LoadError::NotFound(other.to_string())),
            }
        }
    }
    let html = "<link rel=stylesheet href='/css/site.css'><link rel=stylesheet href='/css/missing.css'><link rel='alternate stylesheet' href='/css/x.css'><link rel=stylesheet href='/css/loop.css'><p>t</p><span>s</span>";
    let p = Page::from_html(
        Url::parse("https://example.cn/a/b.html").expect("url"),
        html,
        &Files,
        PageOptions::default(),
        encoding_rs::UTF_8,
    );
    assert_eq!(color(&p, "p"), "#111111");
    assert_eq!(font(&p, "p"), 11.0, "@import is applied, a late @import is ignored");
    assert_eq!(color(&p, "span"), "#ff0000");
    assert!(p.stylesheet_problems.iter().any(|s| s.url.ends_with("missing.css")));
    assert!(p.stylesheet_problems.iter().any(|s| s.message.contains("cycle")));
}

#[test]
fn a_page_loads_css_up_to_its_byte_limit() {
    /// Every sheet is 3 MiB of comment and one rule naming the sheet.
    struct Huge(std::sync::atomic::AtomicUsize);
    impl StylesheetLoader for Huge {
        fn load(&self, url: &Url) -> Result<std::sync::Arc<[u8]>, LoadError> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let name = url.path().trim_start_matches('/').trim_end_matches(".css");
            let mut css = format!("#{name} {{ color: #123456 }} /*").into_bytes();
            css.resize(3 << 20, b'x');
            css.extend_from_slice(b"*/");
            Ok(css.into())
        }
    }
    let html: String = (0..64).map(|n| format!("<link rel=stylesheet href='/s{n}.css'><p id=s{n}>t</p>")).collect();
    let loader = Huge(std::sync::atomic::AtomicUsize::new(0));
    let url = Url::parse("https://example.cn/").expect("url");
    let p = Page::from_html(url, &html, &loader, PageOptions::default(), encoding_rs::UTF_8);
    assert_eq!(loader.0.load(std::sync::atomic::Ordering::SeqCst), 3, "3 + 3 + 3 MiB spend the 8 MiB");
    assert_eq!(color(&p, "#s2"), "#123456");
    let limited = p.stylesheet_problems.iter().filter(|s| s.message.contains("CSS limit (8 MiB)")).count();
    assert_eq!(limited, 61, "{:?}", p.stylesheet_problems.first());
}

#[test]
fn a_page_has_at_most_its_rule_limit_of_css() {
    let many = ".x{color:#333}".repeat(super::stylesheets::MAX_RULES);
    let html = format!("<style>p {{ color: #010101 }} {many} p {{ color: #020202 }}</style><style>p {{ color: #030303 }}</style><p>t</p>");
    let url = Url::parse("https://example.cn/").expect("url");
    let p = Page::from_html(url, &html, &NoStylesheets, PageOptions::default(), encoding_rs::UTF_8);
    assert_eq!(color(&p, "p"), "#010101", "the rules past the limit are not applied");
    let limited: Vec<_> =
        p.stylesheet_problems.iter().filter(|s| s.message.contains("more than 50000 CSS rules")).collect();
    assert_eq!(limited.len(), 2, "noted for each sheet cut or left out: {limited:?}");
    // One conditional block holding them all is counted rule by rule.
    let html = format!("<style>p {{ color: #010101 }} @media all {{ @supports (color: red) {{ {many} p {{ color: #020202 }} }} }}</style><p>t</p>");
    let url = Url::parse("https://example.cn/").expect("url");
    let p = Page::from_html(url, &html, &NoStylesheets, PageOptions::default(), encoding_rs::UTF_8);
    assert_eq!(color(&p, "p"), "#010101", "the rules past the limit inside a block are not applied");
    assert!(p.stylesheet_problems.iter().any(|s| s.message.contains("more than 50000 CSS rules")));
}

#[test]
fn stylesheets_a_script_switches_on_after_load_are_applied() {
    struct Files;
    impl StylesheetLoader for Files {
        fn load(&self, url: &Url) -> Result<std::sync::Arc<[u8]>, LoadError> {
            match url.path() {
                "/late.css" => Ok(b".menu { display: none } p { color: #222 }".to_vec().into()),
                "/twin.css" => Ok(b"b { color: #555 }".to_vec().into()),
                "/pre.css" => Ok(b"span { color: #333 }".to_vec().into()),
                "/print.css" => Ok(b"em { color: #444 }".to_vec().into()),
                other => Err(LoadError::NotFound(other.to_string())),
            }
        }
    }
    // loadCSS: media="only x" switched by onload, or by a script elsewhere with a <noscript> twin
    // linking the same sheet, and a style preload.
    let html = "<link rel=stylesheet href='/late.css' media='only x' onload=\"this.media='all'\">\
<noscript><link rel=stylesheet href='/late.css'></noscript>\
<link rel=preload as=style href='/pre.css' onload=\"this.onload=null;this.rel='stylesheet'\">\
<link rel=stylesheet href='/print.css' media=print>\
<link rel=stylesheet href='/twin.css' media='only x'><noscript><link rel=stylesheet href='/twin.css'></noscript>\
<div class=menu><a href=/>x</a></div><p>t</p><span>s</span><em>e</em><b>b</b>";
    let p = Page::from_html(
        Url::parse("https://example.cn/").expect("url"),
        html,
        &Files,
        PageOptions::default(),
        encoding_rs::UTF_8,
    );
    assert_eq!(color(&p, "p"), "#222222");
    assert!(!p.is_rendered(el(&p, ".menu")), "the switched-on sheet hides the menu");
    assert_eq!(color(&p, "span"), "#333333");
    assert_eq!(color(&p, "b"), "#555555", "a media=\"only x\" sheet with a <noscript> twin");
    assert_ne!(color(&p, "em"), "#444444", "a print stylesheet without a switch stays for print");
    assert!(p.stylesheet_problems.is_empty());
}

#[test]
fn a_style_element_of_another_type_is_not_applied() {
    let p = page("<style type='text/css '>p { color: #123456 }</style><style type='TEXT/CSS'>b { color: #654321 }</style><p>t</p><b>b</b>");
    assert_ne!(color(&p, "p"), "#123456", "`text/css ` with a space is not CSS to a browser");
    assert_eq!(color(&p, "b"), "#654321");
}

#[test]
fn selector_paths_are_unique() {
    let p = page("<div id=main><ul><li>a</li><li>b</li></ul></div><p id=dup>x</p><p id=dup>y</p>");
    let second = p.html.select(&Selector::parse("li").expect("s")).nth(1).expect("li");
    assert_eq!(p.selector_path(second), "#main > ul > li:nth-child(2)");
    let dup = p.html.select(&Selector::parse("p").expect("s")).nth(1).expect("p");
    let path = p.selector_path(dup);
    assert_eq!(p.html.select(&Selector::parse(&path).expect("valid path")).count(), 1, "{path}");
    // A CMS's custom tag with a colon: the printed selector escapes it, so querySelectorAll accepts it.
    let p = page("<div><sohu_cms_include:aut_new_style><img src=a.png></sohu_cms_include:aut_new_style></div>");
    let image = p.html.select(&Selector::parse("img").expect("s")).next().expect("img");
    let path = p.selector_path(image);
    assert!(path.contains("sohu_cms_include\\:aut_new_style"), "{path}");
    assert_eq!(p.html.select(&Selector::parse(&path).expect("valid path")).count(), 1, "{path}");
}

#[test]
fn snippets_are_capped() {
    let long = "长".repeat(500);
    let p = page(&format!("<p class=\"x\">{long}</p>"));
    let s = p.snippet(el(&p, "p"), 300);
    assert!(s.chars().count() <= 300);
    assert!(s.starts_with("<p class=\"x\">长"));
    assert!(s.ends_with('…'));
}

#[test]
fn rgba_text_colour_keeps_alpha() {
    let p = page("<p style='color: rgba(0,0,0,0.3)'>t</p>");
    let c: Rgba = p.style_of(el(&p, "p")).color.clone().expect("colour");
    assert!((c.a - 0.3).abs() < 1e-6);
}

#[test]
fn presentational_attributes_are_styles() {
    let p = page("<body text='#333333' link='#990000' bgcolor='#ffffcc'><table><tr><td bgcolor='000080'><font color='#ffffff' size='2'>导航</font></td><td background='bg.gif'>x</td></tr></table><a href='/'>l</a><img src=a.png width=300 height='50%'></body>");
    assert_eq!(color(&p, "font"), "#ffffff");
    assert_eq!(font(&p, "font"), 13.0);
    assert_eq!(color(&p, "a"), "#990000");
    assert_eq!(p.backgrounds_behind(el(&p, "font")).map(|b| b[0].to_css()), Ok("#000080".into()));
    assert_eq!(p.backgrounds_behind(el(&p, "td:nth-child(2)")), Err(BackgroundProblem::Image));
    assert_eq!(p.backgrounds_behind(el(&p, "a")).map(|b| b[0].to_css()), Ok("#ffffcc".into()));
    assert_eq!(p.style_of(el(&p, "img")).width, Extent::Px(300.0));
    assert_eq!(p.style_of(el(&p, "img")).height, Extent::Percent(50.0));
    let p = page("<style>td { background-color: #fff }</style><table><tr><td bgcolor='#000'>x</td></tr></table>");
    assert_eq!(
        p.backgrounds_behind(el(&p, "td")).map(|b| b[0].to_css()),
        Ok("#ffffff".into()),
        "author CSS beats the attribute"
    );
}

#[test]
fn ancestor_selectors_match_through_the_bloom_filter() {
    let html = "<!DOCTYPE html><style>.Nav li a { color: red } #Top > ul a.x { font-size: 20px } \
        div:not(.absent) p a { color: blue } .gone a { color: green }</style>\
        <div class=Nav id=Top><ul><li><a class=x>a</a></li></ul></div><div><p><a id=b>b</a></p></div>";
    let p = page(html);
    assert_eq!(color(&p, "a.x"), "#ff0000");
    assert_eq!(font(&p, "a.x"), 20.0);
    assert_eq!(color(&p, "#b"), "#0000ff", "a sibling subtree's names are gone from the filter");
    // Quirks mode matches classes without case; the filter must not reject what that matches.
    let quirks = page("<style>.nav LI a { color: red }</style><div class=Nav><ul><li><a>a</a></li></ul></div>");
    assert_eq!(color(&quirks, "a"), "#ff0000");
}

#[test]
fn rules_no_element_can_match_are_skipped_but_counted() {
    let html = "<!DOCTYPE html><style>.absent { color: red } p.here { color: blue } .absent, p { font-size: 20px } \
        table td { color: green }</style><p class=here>t</p>";
    let p = page(html);
    assert_eq!(color(&p, "p"), "#0000ff");
    assert_eq!(font(&p, "p"), 20.0, "a list is kept when one of its selectors can match");
}
