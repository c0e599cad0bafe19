//! Shapes the desktop UI receives over IPC. They derive `ts_rs::TS`, so `cargo test` writes
//! matching TypeScript into `ui/src/lib/bindings` (committed and drift-checked).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::content::Problem;
use crate::content::{CaseMeta, Kind, Platform};
use crate::error::{Error, ErrorKind};
use crate::review::ReviewReason;
use crate::search::SyncStats;

/// A search request from the UI.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SearchRequest {
    /// The query text, in the query language of `kefu search`.
    pub query: String,
    /// Most hits (default 20).
    #[ts(optional)]
    pub limit: Option<usize>,
    /// Only these kinds.
    #[serde(default)]
    pub kinds: Vec<Kind>,
    /// Only these platforms (plus all-platform documents).
    #[serde(default)]
    pub platforms: Vec<Platform>,
}

/// A phrase as the document view shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PhraseView {
    /// Quick code.
    pub code: String,
    /// The reply text with `{{placeholders}}`.
    pub text: String,
    /// When to use it.
    pub when: String,
    /// Placeholder names in order, e.g. `["买家", "订单号"]`.
    pub placeholders: Vec<String>,
}

/// Rule metadata as shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RuleView {
    /// Platform, `None` for laws.
    pub platform: Option<Platform>,
    /// True for PRC laws and regulations.
    pub is_law: bool,
    /// `YYYY-MM-DD`.
    pub effective: Option<String>,
    /// Where the rule comes from.
    pub source: Option<String>,
    /// `YYYY-MM-DD` of the last review.
    pub reviewed: Option<String>,
    /// `YYYY-MM-DD` after which it needs review.
    pub review_due: Option<String>,
    /// True when today is past `review_due` (待复核).
    pub needs_review: bool,
}

/// A reference to another document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DocRef {
    /// Target id.
    pub id: String,
    /// Its title, or `None` when no document has this id (a broken link).
    pub title: Option<String>,
    /// Its kind, when it exists.
    pub kind: Option<Kind>,
}

/// Everything the document view needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DocumentView {
    /// Id.
    pub id: String,
    /// Kind.
    pub kind: Kind,
    /// Title (plain text: render it as text, never as HTML).
    pub title: String,
    /// Path relative to the content folder.
    pub path: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Platforms (empty: all).
    pub platforms: Vec<Platform>,
    /// Aliases.
    pub aliases: Vec<String>,
    /// Author.
    pub author: Option<String>,
    /// `YYYY-MM-DD`.
    pub updated: Option<String>,
    /// Playbook phrases.
    pub phrases: Vec<PhraseView>,
    /// Rule metadata.
    pub rule: Option<RuleView>,
    /// Case metadata.
    pub case: Option<CaseMeta>,
    /// Why it needs review (待复核); empty when it does not.
    pub review: Vec<ReviewReason>,
    /// The body as sanitised HTML; document links are `<a href="#doc/ID">`.
    pub html: String,
    /// Documents this one links to.
    pub links: Vec<DocRef>,
    /// Documents that link here.
    pub backlinks: Vec<DocRef>,
}

/// Number of documents of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct KindCount {
    /// The kind.
    pub kind: Kind,
    /// How many.
    pub count: usize,
}

/// The state of the open library, for the status bar and the problems panel badge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LibraryStatus {
    /// The content folder in use.
    pub content_dir: String,
    /// Documents loaded.
    pub documents: usize,
    /// Per kind.
    pub counts: Vec<KindCount>,
    /// Content errors.
    pub errors: usize,
    /// Content warnings.
    pub warnings: usize,
    /// Documents listed under 待复核.
    pub review: usize,
    /// What the last index sync did.
    pub last_sync: SyncStats,
    /// Whether matching by meaning is on (and how far embedding the content has got).
    pub semantic: crate::semantic::SemanticStatus,
}

/// Live preview and validation of an editor buffer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SourceCheck {
    /// Where it is (or, for a new document, would be) saved; `None` while a new document has
    /// no title.
    pub path: Option<String>,
    /// The id it would have, when it loads.
    pub id: Option<String>,
    /// The body as sanitised HTML, exactly as the document view will show it.
    pub html: String,
    /// Problems, with the messages of `kefu check` (lines are file lines).
    pub problems: Vec<Problem>,
}

/// Sent to the UI (event `kefu://content-changed`) after files changed on disk were picked up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ContentChanged {
    /// The library after the update.
    pub status: LibraryStatus,
    /// Documents added, changed or removed (ids), so open views can refresh.
    pub ids: Vec<String>,
}

/// Why a suggestion is offered when a search finds nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SuggestionReason {
    /// The same words without the filters.
    RemoveFilters,
    /// A synonym of a word typed.
    Synonym,
    /// A title that shares characters with the query.
    SimilarTitle,
}

/// Another query worth trying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Suggestion {
    /// The query to run.
    pub query: String,
    /// Why it is suggested.
    pub reason: SuggestionReason,
}

/// An error as the UI receives it: branch on `kind`, show `message`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ApiError {
    /// What went wrong, for the UI to branch on.
    pub kind: ErrorKind,
    /// A human-readable message (English; the UI shows a localised text per kind).
    pub message: String,
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError {
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}
