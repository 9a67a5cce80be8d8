//! Attribute lookup by name without building an atom. scraper's `Element::attr` turns the name
//! into an interned `LocalName` (a hash-table lookup, with a lock for names it has not seen) and
//! binary-searches the attributes by qualified name; an element has a handful of attributes, and
//! the checks ask for them about a hundred times per element, so a linear scan over the names
//! takes a fraction of that time (issue 25's profile: 12% of a static run).

use html5ever::ns;
use scraper::node::Element;
use scraper::ElementRef;

/// The value of an attribute in no namespace (as every HTML attribute is), by its lower-case name.
pub trait Attribute {
    fn attribute(&self, name: &str) -> Option<&str>;
}

impl Attribute for Element {
    #[inline]
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(qualified, _)| qualified.ns == ns!() && &*qualified.local == name)
            .map(|(_, value)| &**value)
    }
}

impl Attribute for ElementRef<'_> {
    #[inline]
    fn attribute(&self, name: &str) -> Option<&str> {
        self.value().attr(name)
    }
}

#[cfg(test)]
mod tests {
    use super::Attribute;
    use scraper::{Html, Selector};

    #[test]
    fn finds_what_scraper_finds_and_ignores_namespaced_attributes() {
        let html = Html::parse_document(
            "<a id=x HREF='/a' data-long-attribute-name=1 aria-labelledby='l m'>a</a>\
             <svg><a xlink:href='#svg'>b</a></svg>",
        );
        let Ok(links) = Selector::parse("a") else { panic!("selector") };
        let mut links = html.select(&links);
        let Some(html_link) = links.next() else { panic!("no link") };
        for name in ["id", "href", "data-long-attribute-name", "aria-labelledby", "title"] {
            assert_eq!(html_link.attr(name), html_link.value().attribute(name), "{name}");
        }
        let Some(svg_link) = links.next() else { panic!("no svg link") };
        assert_eq!(svg_link.attribute("href"), None);
        assert_eq!(svg_link.value().attribute("href"), None);
    }
}
