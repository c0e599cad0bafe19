//! Chinese-aware full-text search over the content (tantivy).
//!
//! Agents type 2–3 characters: Chinese words, pinyin (`cuifahuo`), initials (`cfh`), quick
//! codes (`cfh1`) or jargon synonyms (`催单` for 催发货). See [`query`] for the query language and
//! [`dict`] for the team's dictionary.

mod build;
pub mod dict;
pub mod hybrid;
mod index;
pub mod message;
pub mod query;
mod schema;
mod snippet;
pub(crate) mod text;

use serde::{Deserialize, Serialize};

pub use index::{IndexDoc, SCHEMA_VERSION, SearchIndex, SyncStats};
pub use snippet::Snippet;
pub(crate) use snippet::{best_phrase, make as make_snippet};

use crate::content::{Kind, Phrase, Platform};

/// Options next to the query text.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct SearchOptions {
    /// Most hits to return.
    pub limit: usize,
    /// Only these kinds (added to any `kind:` in the query).
    pub kinds: Vec<Kind>,
    /// Only these platforms (added to any `platform:` in the query).
    pub platforms: Vec<Platform>,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 20,
            kinds: Vec::new(),
            platforms: Vec::new(),
        }
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Hit {
    /// Document id.
    pub id: String,
    /// Document kind.
    pub kind: Kind,
    /// Document title.
    pub title: String,
    /// Platforms the document is limited to (empty: all).
    pub platforms: Vec<Platform>,
    /// Relevance score (higher is better; only comparable within one query).
    pub score: f32,
    /// Excerpt with highlights.
    pub snippet: Snippet,
    /// For playbooks: the phrase that best matches the query.
    pub phrase: Option<Phrase>,
    /// Listed under 待复核: an overdue rule, or relies on a rule changed since.
    pub needs_review: bool,
    /// When neither the title nor the snippet shows a searched word: the alias or tag that
    /// contains one (`催单` for 催发货), so the card can say why it was found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub matched_alias: Option<String>,
}

/// The answer to one query. Field names are a contract (`kefu search --json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct SearchResults {
    /// The query as given.
    pub query: String,
    /// How many documents matched in all.
    pub total: usize,
    /// Time taken, in microseconds.
    pub took_us: u64,
    /// The best hits, best first.
    pub hits: Vec<Hit>,
}
