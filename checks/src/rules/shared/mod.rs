//! What rules share: the one place a rule imports from besides the page model. Rules never import
//! rules; a helper two rules need lives here.

pub mod ads;
pub mod contrast;
pub mod domains;
pub mod lexicon;
pub mod name_rule;
pub mod popups;
pub mod refresh;
pub mod sizes;
