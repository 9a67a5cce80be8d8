//! What rules share: the one place a rule imports from besides the page model. Rules never import
//! rules; a helper two rules need lives here.

pub mod ads;
pub mod contrast;
pub mod domains;
pub mod lexicon;
pub mod name_rule;
pub mod popups;
pub mod refresh;
pub mod scaling;
pub mod sizes;

use crate::page::NodeSet;
use scraper::ElementRef;

/// Whether `element` lies inside one of `found`, which grows in document order by at most one
/// element per element visited (ads and floating ads are collected outermost first). `nodes` holds
/// the ids of `found` and is brought up to date here, so the test is one walk up, not a walk up per
/// element found.
pub fn inside_found(found: &[(ElementRef<'_>, String)], nodes: &mut NodeSet, element: ElementRef<'_>) -> bool {
    if let Some((last, _)) = found.last() {
        nodes.insert(last.id());
    }
    element.ancestors().any(|a| nodes.contains(&a.id()))
}
