//! What the crawler and the browser share about the network: which addresses a site's requests may
//! reach (`address`), which URLs belong to a site (`scope`), and the run's name lookups (`lookups`).
//! Owned by the run and handed to both sources; neither judges a page.

pub mod address;
pub mod lookups;
pub mod scope;
