//! What the agent used: every copy or send of a phrase, kept in the practice database, and what
//! search learns from it.
//!
//! A use records the document, the phrase's quick code, the time, how the phrase was found and
//! whether it was sent to the chat or copied. The typed query is kept only when it was typed
//! keywords: a pasted or clipboard customer message is never stored, only that the phrase was
//! found that way (the core decides, whatever the caller sends).
//!
//! Ranking learns from it with *frecency*: each use weighs `0.5^(age / 14 days)`. For a typed
//! query, a document gains at most [`MAX_QUERY_BOOST`] from uses found with the same query (or
//! one it is the start of: `cf` counts uses found with `cfh`) and at most [`MAX_DOC_BOOST`] from
//! all its uses, as a factor on its relevance score. So among equally good matches the agent's
//! habit wins, and a document needs at least 1 / 1.3 of the best relevance to overtake it.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::search::{Hit, SearchResults};

/// Days after which a use counts half.
pub const HALF_LIFE_DAYS: f64 = 14.0;
/// Most a document's score grows from uses found with the same query (a factor of 1.2).
pub const MAX_QUERY_BOOST: f64 = 0.2;
/// Most a document's score grows from all its uses (a factor of 1.1).
pub const MAX_DOC_BOOST: f64 = 0.1;
/// Longest typed query kept (a longer one is a message, not keywords).
pub const MAX_QUERY_CHARS: usize = 32;

/// How the phrase was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FoundBy {
    /// Keywords typed in the search box (the query is kept).
    Typed,
    /// A customer's message pasted into the search box (the message is not kept).
    Pasted,
    /// A customer's message copied in the chat client (剪贴板建议; not kept).
    Clipboard,
    /// Opened from a document, 最近使用 or 常用, with no query.
    Browsed,
}

impl FoundBy {
    fn as_str(self) -> &'static str {
        match self {
            FoundBy::Typed => "typed",
            FoundBy::Pasted => "pasted",
            FoundBy::Clipboard => "clipboard",
            FoundBy::Browsed => "browsed",
        }
    }

    fn parse(s: &str) -> FoundBy {
        match s {
            "typed" => FoundBy::Typed,
            "pasted" => FoundBy::Pasted,
            "clipboard" => FoundBy::Clipboard,
            _ => FoundBy::Browsed,
        }
    }
}

/// What was done with the phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum UseAction {
    /// Pasted into the chat window by Kefu.
    Sent,
    /// Put on the clipboard.
    Copied,
}

impl UseAction {
    fn as_str(self) -> &'static str {
        match self {
            UseAction::Sent => "sent",
            UseAction::Copied => "copied",
        }
    }

    fn parse(s: &str) -> UseAction {
        if s == "sent" {
            UseAction::Sent
        } else {
            UseAction::Copied
        }
    }
}

/// A use to record, as the UI reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UseRecord {
    /// The document the phrase belongs to.
    pub doc_id: String,
    /// The phrase's quick code (`None`: a text that is not one of the document's phrases).
    #[ts(optional)]
    pub phrase_code: Option<String>,
    /// What was in the search box (kept only for [`FoundBy::Typed`] keywords).
    #[serde(default)]
    pub query: String,
    /// How it was found.
    pub found_by: FoundBy,
    /// Sent or copied.
    pub action: UseAction,
}

/// A recorded use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UseEvent {
    /// The document.
    pub doc_id: String,
    /// The phrase's quick code.
    pub phrase_code: Option<String>,
    /// When (RFC 3339).
    pub at: String,
    /// The typed query, normalised; `None` unless it was typed keywords.
    pub query: Option<String>,
    /// How it was found.
    pub found_by: FoundBy,
    /// Sent or copied.
    pub action: UseAction,
}

/// A send through [`crate::Shell::send_to_chat`] and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SendRequest {
    /// The text to paste, placeholders already filled.
    pub text: String,
    /// The use to record when it was sent.
    pub record: UseRecord,
}

/// What happened to a send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "status", rename_all = "snake_case")]
#[ts(export)]
pub enum SendOutcome {
    /// Pasted into the window that had focus before Kefu was summoned; the clipboard was put back.
    Sent,
    /// Not sent (no chat window to go back to, it closed, Wayland, no window system); the caller
    /// copies the text instead and says why.
    NotSent {
        /// Why, in English (the UI shows its own words for `code`).
        reason: String,
        /// Machine-readable reason.
        code: NotSentCode,
    },
}

/// Why a send could not happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum NotSentCode {
    /// This system cannot hand text to another window (Wayland, macOS, no window system).
    Unsupported,
    /// Kefu was not summoned from another window (opened from the launcher), so it does not
    /// know where to paste.
    NoTarget,
    /// The window Kefu was summoned from has closed since.
    TargetGone,
    /// Another send is still in progress.
    Busy,
    /// The system refused (focus or key events); the message says what.
    Failed,
}

/// 最近使用 and 常用, for the empty search box.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UsageHome {
    /// The last phrases used, newest first (each document and phrase once).
    pub recent: Vec<Hit>,
    /// The most used phrases by frecency, not repeating `recent`.
    pub frequent: Vec<Hit>,
}

/// The normalised form a typed query is kept and compared in.
pub fn normalise_query(q: &str) -> String {
    q.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The query to store for a use: typed keywords only, never a customer's message.
pub fn query_to_keep(found_by: FoundBy, query: &str) -> Option<String> {
    if found_by != FoundBy::Typed {
        return None;
    }
    let q = normalise_query(query);
    if q.is_empty()
        || q.chars().count() > MAX_QUERY_CHARS
        || crate::search::message::is_message(query)
    {
        return None;
    }
    Some(q)
}

/// The SQL columns for a use (see `Store::record_use`).
/// A message pasted into the search box and reported as typed counts as [`FoundBy::Pasted`].
pub(crate) fn columns(r: &UseRecord) -> (&str, Option<&str>, Option<String>, &str, &str) {
    let found_by = if r.found_by == FoundBy::Typed && crate::search::message::is_message(&r.query) {
        FoundBy::Pasted
    } else {
        r.found_by
    };
    (
        r.doc_id.as_str(),
        r.phrase_code.as_deref(),
        query_to_keep(found_by, &r.query),
        found_by.as_str(),
        r.action.as_str(),
    )
}

/// A row back into a [`UseEvent`].
pub(crate) fn event(
    doc_id: String,
    phrase_code: Option<String>,
    at: String,
    query: Option<String>,
    found_by: &str,
    action: &str,
) -> UseEvent {
    UseEvent {
        doc_id,
        phrase_code,
        at,
        query,
        found_by: FoundBy::parse(found_by),
        action: UseAction::parse(action),
    }
}

/// The weight of a use made at `at` seen at `now`.
fn weight(at: &str, now: DateTime<Utc>) -> f64 {
    let Ok(at) = DateTime::<FixedOffset>::parse_from_rfc3339(at) else {
        return 0.0;
    };
    let days = (now - at.with_timezone(&Utc)).num_seconds().max(0) as f64 / 86_400.0;
    0.5_f64.powf(days / HALF_LIFE_DAYS)
}

/// A use's place: document and phrase.
type Key = (String, Option<String>);

/// Frecency of every document, phrase and (query, document), from the recorded uses.
#[derive(Debug, Clone, Default)]
pub struct UsageModel {
    by_doc: HashMap<String, f64>,
    by_phrase: HashMap<Key, f64>,
    /// (stored query, document, phrase) → weight.
    by_query: Vec<(String, String, Option<String>, f64)>,
    /// Newest first, each place once.
    recent: Vec<Key>,
}

impl UsageModel {
    /// Builds the model from `events` (any order) as of `now`.
    pub fn new(events: &[UseEvent], now: DateTime<Utc>) -> UsageModel {
        let mut m = UsageModel::default();
        let mut by_query: HashMap<(String, String, Option<String>), f64> = HashMap::new();
        let mut newest: Vec<(&str, Key)> = Vec::new();
        for e in events {
            let w = weight(&e.at, now);
            *m.by_doc.entry(e.doc_id.clone()).or_default() += w;
            let key = (e.doc_id.clone(), e.phrase_code.clone());
            *m.by_phrase.entry(key.clone()).or_default() += w;
            if let Some(q) = &e.query {
                *by_query
                    .entry((q.clone(), e.doc_id.clone(), e.phrase_code.clone()))
                    .or_default() += w;
            }
            newest.push((e.at.as_str(), key));
        }
        // RFC 3339 in UTC sorts as text; ties keep insertion (id) order, newest last.
        newest.sort_by(|a, b| b.0.cmp(a.0));
        for (_, key) in newest {
            if !m.recent.contains(&key) {
                m.recent.push(key);
            }
        }
        m.by_query = by_query
            .into_iter()
            .map(|((q, d, p), w)| (q, d, p, w))
            .collect();
        m
    }

    /// Whether nothing was ever used.
    pub fn is_empty(&self) -> bool {
        self.by_doc.is_empty()
    }

    /// Weight of the uses of `doc` found with `query` or a query starting with it.
    fn query_weight(&self, query: &str, doc: &str) -> f64 {
        self.by_query
            .iter()
            .filter(|(q, d, _, _)| d == doc && q.starts_with(query))
            .map(|(_, _, _, w)| w)
            .sum()
    }

    /// The factor a document's relevance is multiplied by for `query` (normalised): between 1
    /// and `1 + MAX_QUERY_BOOST + MAX_DOC_BOOST`, growing with use and fading with age.
    pub fn factor(&self, query: &str, doc: &str) -> f64 {
        let d = self.by_doc.get(doc).copied().unwrap_or(0.0);
        if d == 0.0 {
            return 1.0;
        }
        let q = if query.is_empty() {
            0.0
        } else {
            self.query_weight(query, doc)
        };
        1.0 + MAX_QUERY_BOOST * q / (q + 1.0) + MAX_DOC_BOOST * d / (d + 2.0)
    }

    /// The phrase of `doc` most used with `query` (or a query starting with it); with an empty
    /// query, the one most used at all.
    pub fn favourite_phrase(&self, query: &str, doc: &str) -> Option<&str> {
        if !query.is_empty() {
            let mut best: Option<(&str, f64)> = None;
            for (q, d, p, w) in &self.by_query {
                if d == doc
                    && q.starts_with(query)
                    && let Some(p) = p
                    && best.is_none_or(|(_, bw)| *w > bw)
                {
                    best = Some((p.as_str(), *w));
                }
            }
            return best.map(|(p, _)| p);
        }
        self.by_phrase
            .iter()
            .filter(|((d, p), _)| d == doc && p.is_some())
            .max_by(|a, b| a.1.total_cmp(b.1).then_with(|| b.0.1.cmp(&a.0.1)))
            .and_then(|((_, p), _)| p.as_deref())
    }

    /// Reorders typed-query results by [`UsageModel::factor`] (stable: equal scores keep their
    /// order). The scores are multiplied in place.
    pub fn rerank(&self, results: &mut SearchResults) {
        if self.is_empty() || results.hits.is_empty() {
            return;
        }
        let q = normalise_query(&results.query);
        for hit in &mut results.hits {
            hit.score *= self.factor(&q, &hit.id) as f32;
        }
        results.hits.sort_by(|a, b| b.score.total_cmp(&a.score));
    }

    /// The last `n` places used, newest first.
    pub fn recent(&self, n: usize) -> Vec<(&str, Option<&str>)> {
        self.recent
            .iter()
            .take(n)
            .map(|(d, p)| (d.as_str(), p.as_deref()))
            .collect()
    }

    /// The `n` places with the highest frecency, skipping `except`.
    pub fn frequent(&self, n: usize, except: &[(&str, Option<&str>)]) -> Vec<(&str, Option<&str>)> {
        let mut all: Vec<(&Key, f64)> = self.by_phrase.iter().map(|(k, w)| (k, *w)).collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        all.into_iter()
            .map(|((d, p), _)| (d.as_str(), p.as_deref()))
            .filter(|k| !except.contains(k))
            .take(n)
            .collect()
    }
}

/// Counts per phrase, for `kefu usage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhraseUsage {
    /// The document.
    pub doc_id: String,
    /// The document's title.
    pub title: String,
    /// The phrase's quick code (`None`: a text that is not one of the document's phrases).
    pub phrase_code: Option<String>,
    /// Times sent to the chat.
    pub sent: u32,
    /// Times copied.
    pub copied: u32,
    /// Found by typed keywords / a pasted message / the clipboard / browsing.
    pub typed: u32,
    /// Found from a pasted customer message.
    pub pasted: u32,
    /// Found from a copied customer message (剪贴板建议).
    pub clipboard: u32,
    /// Used with no query.
    pub browsed: u32,
    /// The last use (RFC 3339).
    pub last_used: String,
}

/// Counts per document, for `kefu usage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocUsage {
    /// The document.
    pub doc_id: String,
    /// Its title.
    pub title: String,
    /// Uses of any of its phrases.
    pub uses: u32,
    /// Of which sent.
    pub sent: u32,
}

/// A phrase nobody used in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnusedPhrase {
    /// The document.
    pub doc_id: String,
    /// Its title.
    pub title: String,
    /// The phrase's quick code.
    pub phrase_code: String,
}

/// `kefu usage`: what was used since a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageReport {
    /// The start of the period (RFC 3339), or `None` for all time.
    pub since: Option<String>,
    /// Uses in the period.
    pub total: u32,
    /// Per phrase, most used first.
    pub phrases: Vec<PhraseUsage>,
    /// Per document, most used first.
    pub documents: Vec<DocUsage>,
    /// Phrases of the current content never used in the period, by document.
    pub never_used: Vec<UnusedPhrase>,
}

/// Builds the report from the uses in the period and the content's phrases
/// (`(doc id, title, codes)`); uses of documents no longer in the content keep their id as title.
pub fn report(
    events: &[UseEvent],
    since: Option<String>,
    content: &[(String, String, Vec<String>)],
) -> UsageReport {
    let title_of = |id: &str| {
        content
            .iter()
            .find(|(d, _, _)| d == id)
            .map(|(_, t, _)| t.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let mut phrases: HashMap<Key, PhraseUsage> = HashMap::new();
    let mut docs: HashMap<String, DocUsage> = HashMap::new();
    for e in events {
        let p = phrases
            .entry((e.doc_id.clone(), e.phrase_code.clone()))
            .or_insert_with(|| PhraseUsage {
                doc_id: e.doc_id.clone(),
                title: title_of(&e.doc_id),
                phrase_code: e.phrase_code.clone(),
                sent: 0,
                copied: 0,
                typed: 0,
                pasted: 0,
                clipboard: 0,
                browsed: 0,
                last_used: e.at.clone(),
            });
        match e.action {
            UseAction::Sent => p.sent += 1,
            UseAction::Copied => p.copied += 1,
        }
        match e.found_by {
            FoundBy::Typed => p.typed += 1,
            FoundBy::Pasted => p.pasted += 1,
            FoundBy::Clipboard => p.clipboard += 1,
            FoundBy::Browsed => p.browsed += 1,
        }
        if e.at > p.last_used {
            p.last_used = e.at.clone();
        }
        let d = docs.entry(e.doc_id.clone()).or_insert_with(|| DocUsage {
            doc_id: e.doc_id.clone(),
            title: title_of(&e.doc_id),
            uses: 0,
            sent: 0,
        });
        d.uses += 1;
        if e.action == UseAction::Sent {
            d.sent += 1;
        }
    }
    let mut phrases: Vec<PhraseUsage> = phrases.into_values().collect();
    phrases.sort_by(|a, b| {
        (b.sent + b.copied)
            .cmp(&(a.sent + a.copied))
            .then_with(|| a.doc_id.cmp(&b.doc_id))
            .then_with(|| a.phrase_code.cmp(&b.phrase_code))
    });
    let mut documents: Vec<DocUsage> = docs.into_values().collect();
    documents.sort_by(|a, b| b.uses.cmp(&a.uses).then_with(|| a.doc_id.cmp(&b.doc_id)));
    let mut never_used = Vec::new();
    for (doc, title, codes) in content {
        for code in codes {
            let used = phrases
                .iter()
                .any(|p| &p.doc_id == doc && p.phrase_code.as_deref() == Some(code.as_str()));
            if !used {
                never_used.push(UnusedPhrase {
                    doc_id: doc.clone(),
                    title: title.clone(),
                    phrase_code: code.clone(),
                });
            }
        }
    }
    UsageReport {
        since,
        total: u32::try_from(events.len()).unwrap_or(u32::MAX),
        phrases,
        documents,
        never_used,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Kind;
    use crate::search::Snippet;

    fn ev(doc: &str, code: &str, at: &str, query: Option<&str>) -> UseEvent {
        UseEvent {
            doc_id: doc.into(),
            phrase_code: Some(code.into()),
            at: at.into(),
            query: query.map(Into::into),
            found_by: if query.is_some() {
                FoundBy::Typed
            } else {
                FoundBy::Browsed
            },
            action: UseAction::Sent,
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-01T12:00:00+00:00")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn hit(id: &str, score: f32) -> Hit {
        Hit {
            id: id.into(),
            kind: Kind::Playbook,
            title: id.into(),
            platforms: Vec::new(),
            score,
            snippet: Snippet::default(),
            phrase: None,
            needs_review: false,
            matched_alias: None,
        }
    }

    #[test]
    fn a_customer_message_is_never_kept_only_typed_keywords() {
        assert_eq!(query_to_keep(FoundBy::Typed, "  CFH  "), Some("cfh".into()));
        assert_eq!(query_to_keep(FoundBy::Pasted, "cfh"), None);
        assert_eq!(query_to_keep(FoundBy::Clipboard, "cfh"), None);
        // Typed, but it reads as a customer's message (pasted into the box by hand).
        let msg = "你好 请问我买的东西坏了怎么办，订单号 123456789012345";
        assert_eq!(query_to_keep(FoundBy::Typed, msg), None);
        assert_eq!(query_to_keep(FoundBy::Typed, ""), None);
    }

    #[test]
    fn frecency_fades_with_age_and_is_bounded() {
        let fresh = UsageModel::new(
            &[ev("a", "a1", "2026-12-01T11:00:00+00:00", Some("cfh"))],
            now(),
        );
        let old = UsageModel::new(
            &[ev("a", "a1", "2026-10-01T11:00:00+00:00", Some("cfh"))],
            now(),
        );
        assert!(fresh.factor("cfh", "a") > old.factor("cfh", "a"));
        assert!(old.factor("cfh", "a") > 1.0);
        assert_eq!(fresh.factor("cfh", "b"), 1.0);
        let many: Vec<UseEvent> = (0..500)
            .map(|_| ev("a", "a1", "2026-12-01T11:00:00+00:00", Some("cfh")))
            .collect();
        let heavy = UsageModel::new(&many, now());
        let f = heavy.factor("cf", "a");
        assert!(
            f > 1.29 && f <= 1.0 + MAX_QUERY_BOOST + MAX_DOC_BOOST,
            "{f}"
        );
        // A query the uses were not found with gets only the document part.
        assert!(heavy.factor("tk", "a") < 1.0 + MAX_DOC_BOOST + 1e-9);
    }

    #[test]
    fn habit_breaks_ties_but_relevance_still_wins() {
        let many: Vec<UseEvent> = (0..50)
            .map(|_| ev("b", "b1", "2026-12-01T11:00:00+00:00", Some("tk")))
            .collect();
        let m = UsageModel::new(&many, now());
        let mut tie = SearchResults {
            query: "tk".into(),
            total: 2,
            took_us: 0,
            hits: vec![hit("a", 1.0), hit("b", 1.0)],
        };
        m.rerank(&mut tie);
        assert_eq!(tie.hits[0].id, "b");
        let mut clear = SearchResults {
            query: "tk".into(),
            total: 2,
            took_us: 0,
            hits: vec![hit("a", 2.0), hit("b", 1.0)],
        };
        m.rerank(&mut clear);
        assert_eq!(clear.hits[0].id, "a", "twice as relevant stays first");
    }

    #[test]
    fn recent_and_frequent_lists() {
        let events = vec![
            ev("a", "a1", "2026-11-30T10:00:00+00:00", None),
            ev("a", "a1", "2026-11-30T11:00:00+00:00", None),
            ev("a", "a1", "2026-11-30T12:00:00+00:00", None),
            ev("b", "b1", "2026-12-01T10:00:00+00:00", None),
            ev("c", "c2", "2026-11-01T10:00:00+00:00", None),
        ];
        let m = UsageModel::new(&events, now());
        assert_eq!(m.recent(2), vec![("b", Some("b1")), ("a", Some("a1"))]);
        let recent = m.recent(1);
        assert_eq!(
            m.frequent(2, &recent),
            vec![("a", Some("a1")), ("c", Some("c2"))]
        );
        assert_eq!(m.favourite_phrase("", "a"), Some("a1"));
    }

    #[test]
    fn the_phrase_used_with_the_query_is_the_favourite() {
        let events = vec![
            ev("a", "a1", "2026-12-01T10:00:00+00:00", None),
            ev("a", "a1", "2026-12-01T10:00:00+00:00", None),
            ev("a", "a2", "2026-12-01T10:00:00+00:00", Some("催发")),
        ];
        let m = UsageModel::new(&events, now());
        assert_eq!(m.favourite_phrase("催", "a"), Some("a2"));
        assert_eq!(
            m.favourite_phrase("退", "a"),
            None,
            "not found with that query"
        );
        assert_eq!(m.favourite_phrase("", "a"), Some("a1"));
        assert_eq!(m.favourite_phrase("催", "zz"), None);
    }

    #[test]
    fn the_report_counts_and_lists_what_was_never_used() {
        let mut events = vec![
            ev("a", "a1", "2026-12-01T10:00:00+00:00", Some("cfh")),
            ev("a", "a1", "2026-12-01T11:00:00+00:00", None),
        ];
        events[1].action = UseAction::Copied;
        let content = vec![
            (
                "a".to_string(),
                "催发货".to_string(),
                vec!["a1".to_string(), "a2".to_string()],
            ),
            ("b".to_string(), "退款".to_string(), vec!["b1".to_string()]),
        ];
        let r = report(&events, None, &content);
        assert_eq!(r.total, 2);
        assert_eq!(r.phrases.len(), 1);
        assert_eq!((r.phrases[0].sent, r.phrases[0].copied), (1, 1));
        assert_eq!((r.phrases[0].typed, r.phrases[0].browsed), (1, 1));
        assert_eq!(r.phrases[0].last_used, "2026-12-01T11:00:00+00:00");
        assert_eq!(r.documents[0].uses, 2);
        let unused: Vec<&str> = r
            .never_used
            .iter()
            .map(|u| u.phrase_code.as_str())
            .collect();
        assert_eq!(unused, vec!["a2", "b1"]);
    }
}
