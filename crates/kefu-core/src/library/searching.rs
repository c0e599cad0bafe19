//! Searching a library: typed keywords, a pasted customer message (cleaned, matched by words
//! and by meaning, a second intent), the result cards, and suggestions when nothing is found.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use super::{Library, MatchMode, SNIPPET_CHARS};
use crate::api::{SearchRequest, Suggestion, SuggestionReason};
use crate::content::Document;
use crate::error::Result;
use crate::search::hybrid::{self};
use crate::search::message;
use crate::search::query;
use crate::search::query::{ParsedQuery, Term};
use crate::search::{Hit, SearchOptions, SearchResults, best_phrase, make_snippet};
use crate::semantic::Matrix;

impl Library {
    /// Searches. Never fails on a malformed query: it degrades to plain text. A pasted customer
    /// message is cleaned and matched by meaning as well as by words (see [`MatchMode::Auto`]).
    pub fn search(&self, text: &str, opts: &SearchOptions) -> Result<SearchResults> {
        self.search_with(text, opts, MatchMode::Auto)
    }

    /// Searches with an explicit [`MatchMode`].
    pub fn search_with(
        &self,
        text: &str,
        opts: &SearchOptions,
        mode: MatchMode,
    ) -> Result<SearchResults> {
        let started = Instant::now();
        let (lexical, dense) = match mode {
            MatchMode::Auto if message::is_message(text) => (true, true),
            MatchMode::Auto | MatchMode::Typed => return self.search_typed(text, opts, started),
            MatchMode::Lexical => (true, false),
            MatchMode::Dense => (false, true),
            MatchMode::Hybrid => (true, true),
        };
        self.search_message(text, opts, lexical, dense, started)
    }

    fn search_typed(
        &self,
        text: &str,
        opts: &SearchOptions,
        started: Instant,
    ) -> Result<SearchResults> {
        let mut q = query::parse(text);
        if q.is_empty() && q.dropped > 0 {
            // Only emoji or punctuation: there is nothing to search for.
            return Ok(SearchResults {
                query: text.to_string(),
                total: 0,
                took_us: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
                hits: Vec::new(),
            });
        }
        add_filters(&mut q, opts);
        let expand = |w: &str| self.dict.expand(w);
        let (found, total) = self.index.search(&q, &expand, opts.limit)?;
        let raw_terms: Vec<String> = q.terms.iter().map(|t| t.text.clone()).collect();
        let needles = self.highlight_terms(&q);
        let mut hits: Vec<Hit> = found
            .into_iter()
            .filter_map(|(id, score)| self.hit(id, score, &raw_terms, &needles, None))
            .collect();
        // Ties (e.g. constant-score prefix matches): playbooks first, then shorter titles.
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.kind.cmp(&b.kind))
                .then(a.title.chars().count().cmp(&b.title.chars().count()))
        });
        Ok(SearchResults {
            query: text.to_string(),
            total,
            took_us: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            hits,
        })
    }

    /// A customer's message: noise and filler removed, any clause may match, ranked by words
    /// and meaning fused; with two questions, the best document of each comes first.
    fn search_message(
        &self,
        text: &str,
        opts: &SearchOptions,
        use_lexical: bool,
        use_dense: bool,
        started: Instant,
    ) -> Result<SearchResults> {
        let done = |hits: Vec<Hit>, total: usize| SearchResults {
            query: text.to_string(),
            total,
            took_us: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            hits,
        };
        let Some(m) = message::clean(text) else {
            return Ok(done(Vec::new(), 0));
        };
        let clause_query = |clauses: &[String]| {
            let mut q = ParsedQuery {
                terms: clauses
                    .iter()
                    .map(|c| Term {
                        text: c.clone(),
                        phrase: false,
                        prefix: false,
                    })
                    .collect(),
                any: true,
                ..ParsedQuery::default()
            };
            add_filters(&mut q, opts);
            q
        };
        let q = clause_query(&m.words);
        let expand = |w: &str| self.dict.expand(w);
        let depth = self.fusion.depth.max(opts.limit);
        let lexical_ids = |q: &ParsedQuery| -> Result<(Vec<String>, usize)> {
            let (found, total) = self.index.search(q, &expand, depth)?;
            Ok((found.into_iter().map(|(id, _)| id).collect(), total))
        };
        // Words and meaning at the same time: encoding the message is most of the time, and
        // the word searches (the whole message, then each clause for a second intent) do not
        // need it; the encoder's own parallel work fills whichever core is free.
        let intent_clauses = intent_clauses(&m);
        let (words, (dense, matrix)) = rayon::join(
            || -> Result<_> {
                if !use_lexical {
                    return Ok((Vec::new(), 0, Vec::new()));
                }
                let (lex, total) = lexical_ids(&q)?;
                let mut tops = Vec::with_capacity(intent_clauses.len());
                if intent_clauses.len() >= 2 {
                    for c in &intent_clauses {
                        let (found, _) = self.index.search(
                            &clause_query(std::slice::from_ref(*c)),
                            &expand,
                            3,
                        )?;
                        tops.push(found.into_iter().map(|(id, _)| id).collect::<Vec<_>>());
                    }
                }
                Ok((lex, total, tops))
            },
            || {
                if use_dense {
                    self.by_meaning(&m.text, &q)
                } else {
                    (Vec::new(), None)
                }
            },
        );
        let (lex, lex_total, clause_tops) = words?;
        let dense_ids: Vec<String> = dense.iter().map(|(id, _, _)| id.clone()).collect();
        // Documents the encoder has not reached yet (not drills, which are never embedded: with
        // them counted, every drill got the stand-in and customer-message MRR fell 0.78 → 0.75).
        let unembedded = |id: &str| {
            matrix
                .as_ref()
                .is_some_and(|mx| mx.awaits_vectors(&self.units, id))
        };
        let mut ranked = hybrid::fuse(&lex, &dense_ids, &self.fusion, &unembedded);
        // A message that asks two things: the first result answers one; the second is the best
        // of the others that a clause the first result does not cover points to.
        if let Some(second) = second_intent(&ranked, &clause_tops) {
            let first = ranked[0].0.clone();
            ranked = hybrid::lead_with(&[first, second], ranked);
        }
        let total = lex_total.max(ranked.len());
        let needles = self.highlight_terms(&q);
        let phrase_of: HashMap<&str, usize> = dense
            .iter()
            .filter_map(|(id, _, p)| p.map(|p| (id.as_str(), p)))
            .collect();
        let hits: Vec<Hit> = ranked
            .into_iter()
            .take(opts.limit)
            .filter_map(|(id, score)| {
                let phrase = phrase_of.get(id.as_str()).copied();
                self.hit(id, score, &m.clauses, &needles, phrase)
            })
            .collect();
        Ok(done(hits, total))
    }

    /// Documents by meaning for a cleaned message, filtered like `q`: `(id, cosine, phrase)`,
    /// and the matrix searched (it knows which documents have vectors yet).
    #[allow(clippy::type_complexity)]
    fn by_meaning(
        &self,
        text: &str,
        q: &ParsedQuery,
    ) -> (Vec<(String, f32, Option<usize>)>, Option<Arc<Matrix>>) {
        let Some(qv) = self.semantic.query_vector(text) else {
            return (Vec::new(), None);
        };
        let matrix = self.semantic.matrix(&self.units, self.units_id);
        let scores = matrix.scores(&qv);
        let keep = |id: &str| {
            if q.kinds.is_empty() && q.platforms.is_empty() {
                return true;
            }
            self.entries.get(id).is_some_and(|e| {
                (q.kinds.is_empty() || q.kinds.contains(&e.doc.kind))
                    && (q.platforms.is_empty()
                        || e.doc.platforms.is_empty()
                        || q.platforms.iter().any(|p| e.doc.platforms.contains(p)))
            })
        };
        let best = hybrid::best_per_doc(&scores, &self.units, &keep, self.fusion.depth);
        (best, Some(matrix))
    }

    /// A result card for document `id`: snippet around `needles`, and the phrase chosen by
    /// meaning (`phrase`) or else the one matching `terms` best.
    fn hit(
        &self,
        id: String,
        score: f32,
        terms: &[String],
        needles: &[String],
        phrase: Option<usize>,
    ) -> Option<Hit> {
        let e = self.entries.get(&id)?;
        // Borrowed: the snippet is cut from the text, so no need to copy a whole body per hit.
        let source: std::borrow::Cow<'_, str> = if !e.plain.is_empty() {
            std::borrow::Cow::Borrowed(&e.plain)
        } else if !e.doc.phrases.is_empty() {
            std::borrow::Cow::Owned(
                e.doc
                    .phrases
                    .iter()
                    .map(|p| p.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        } else {
            std::borrow::Cow::Borrowed(&e.doc.extra_text)
        };
        let needs_review = self.review.contains_key(&id);
        let phrase = match phrase.and_then(|i| e.doc.phrases.get(i)) {
            Some(p) => Some(p.clone()),
            None => best_phrase(&e.doc.phrases, terms, needles).cloned(),
        };
        let snippet = make_snippet(&source, needles, SNIPPET_CHARS);
        let matched_alias = if snippet.highlights.is_empty() {
            matched_alias(&e.doc, terms).or_else(|| matched_alias(&e.doc, needles))
        } else {
            None
        };
        Some(Hit {
            id,
            kind: e.doc.kind,
            title: e.doc.title.clone(),
            platforms: e.doc.platforms.clone(),
            score,
            snippet,
            phrase,
            needs_review,
            matched_alias,
        })
    }

    /// Words to mark in snippets: each term, its synonyms, and their jieba words.
    fn highlight_terms(&self, q: &query::ParsedQuery) -> Vec<String> {
        let jieba = self.dict.jieba();
        let mut out: Vec<String> = Vec::new();
        for t in &q.terms {
            let mut variants = vec![t.text.clone()];
            if !t.phrase {
                variants.extend(self.dict.expand(&t.text));
            }
            for v in variants {
                for w in jieba.cut(&v, false) {
                    if w.word.chars().count() >= 2 && w.word.chars().any(char::is_alphanumeric) {
                        out.push(w.word.to_string());
                    }
                }
                out.push(v);
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// A result card for document `id` showing its phrase `code` (the first phrase when the
    /// code is unknown or `None`); `None` when the document is not in the library.
    pub fn card(&self, id: &str, code: Option<&str>) -> Option<Hit> {
        let e = self.entries.get(id)?;
        let index = code
            .and_then(|c| e.doc.phrases.iter().position(|p| p.code == c))
            .or(if e.doc.phrases.is_empty() {
                None
            } else {
                Some(0)
            });
        // No excerpt: the card is there for its phrase, and the compact window is small.
        self.hit(id.to_string(), 0.0, &[], &[], index).map(|h| Hit {
            snippet: crate::search::Snippet::default(),
            ..h
        })
    }

    /// Shows the document's phrase `code` on `hit` (the agent's usual one for this query),
    /// unless the query names a phrase of its own by its quick code.
    pub fn prefer_phrase(&self, hit: &mut Hit, code: &str, query: &str) {
        let Some(e) = self.entries.get(&hit.id) else {
            return;
        };
        let q = query.trim();
        if e.doc.phrases.iter().any(|p| p.code.eq_ignore_ascii_case(q)) {
            return;
        }
        if let Some(p) = e.doc.phrases.iter().find(|p| p.code == code) {
            hit.phrase = Some(p.clone());
        }
    }

    /// Runs a UI search request.
    pub fn search_request(&self, req: &SearchRequest) -> Result<SearchResults> {
        let opts = SearchOptions {
            limit: req.limit.unwrap_or(20).clamp(1, 500),
            kinds: req.kinds.clone(),
            platforms: req.platforms.clone(),
        };
        self.search(&req.query, &opts)
    }

    /// Other queries to try when `text` finds nothing: without filters, synonyms, similar titles.
    /// Only suggestions that do find something are returned.
    pub fn suggest(&self, text: &str) -> Vec<Suggestion> {
        let q = query::parse(text);
        let mut out: Vec<Suggestion> = Vec::new();
        let finds = |s: &str| {
            self.search(
                s,
                &SearchOptions {
                    limit: 1,
                    ..SearchOptions::default()
                },
            )
            .is_ok_and(|r| r.total > 0)
        };
        let words: Vec<String> = q
            .terms
            .iter()
            .map(|t| {
                if t.phrase {
                    format!("\"{}\"", t.text)
                } else {
                    t.text.clone()
                }
            })
            .collect();
        let plain = words.join(" ");
        let filtered = !q.kinds.is_empty()
            || !q.platforms.is_empty()
            || !q.tags.is_empty()
            || !q.excluded.is_empty();
        if filtered && !plain.is_empty() && finds(&plain) {
            out.push(Suggestion {
                query: plain.clone(),
                reason: SuggestionReason::RemoveFilters,
            });
        }
        for t in &q.terms {
            for syn in self.dict.expand(&t.text).into_iter().take(3) {
                if finds(&syn) && !out.iter().any(|s| s.query == syn) {
                    out.push(Suggestion {
                        query: syn,
                        reason: SuggestionReason::Synonym,
                    });
                }
            }
        }
        // Titles sharing the most characters with what was typed.
        let typed: Vec<char> = plain.chars().filter(|c| c.is_alphanumeric()).collect();
        if !typed.is_empty() {
            let mut scored: Vec<(usize, &str)> = self
                .entries
                .values()
                .map(|e| {
                    (
                        typed.iter().filter(|c| e.doc.title.contains(**c)).count(),
                        e.doc.title.as_str(),
                    )
                })
                .filter(|(n, _)| *n > 0)
                .collect();
            scored.sort_by(|a, b| {
                b.0.cmp(&a.0)
                    .then(a.1.chars().count().cmp(&b.1.chars().count()))
            });
            for (_, title) in scored.into_iter().take(3) {
                if !out.iter().any(|s| s.query == title) {
                    out.push(Suggestion {
                        query: title.to_string(),
                        reason: SuggestionReason::SimilarTitle,
                    });
                }
            }
        }
        out.truncate(6);
        out
    }
}

/// Adds the options' kinds and platforms to a parsed query.
fn add_filters(q: &mut ParsedQuery, opts: &SearchOptions) {
    for k in &opts.kinds {
        if !q.kinds.contains(k) {
            q.kinds.push(*k);
        }
    }
    for p in &opts.platforms {
        if !q.platforms.contains(p) {
            q.platforms.push(*p);
        }
    }
}

/// The first alias, then tag, of `doc` that contains one of `words`, unless the title already
/// shows one (a match there needs no explaining). Called with the words as typed first, then with
/// their synonyms.
fn matched_alias(doc: &Document, needles: &[String]) -> Option<String> {
    let has = |text: &str| {
        let lower = text.to_lowercase();
        needles
            .iter()
            .any(|n| !n.is_empty() && lower.contains(&n.to_lowercase()))
    };
    if has(&doc.title) {
        return None;
    }
    doc.aliases
        .iter()
        .chain(&doc.tags)
        .find(|a| has(a))
        .cloned()
}

/// The clauses that can carry a second intent: 4+ Chinese characters, at most the first
/// [`message::INTENT_CLAUSES`].
fn intent_clauses(m: &message::Message) -> Vec<&String> {
    m.words
        .iter()
        .filter(|c| {
            c.chars()
                .filter(|&ch| crate::search::text::is_cjk(ch))
                .count()
                >= 4
        })
        .take(message::INTENT_CLAUSES)
        .collect()
}

/// For a message with two or more substantial clauses, whose best three documents by words are
/// `clause_tops` (in clause order): the first clause whose three leave out the current first
/// result gives the second intent — its best document among the fused top ten.
fn second_intent(ranked: &[(String, f32)], clause_tops: &[Vec<String>]) -> Option<String> {
    let (first, _) = ranked.first()?;
    if clause_tops.len() < 2 {
        return None;
    }
    let top10: Vec<&String> = ranked.iter().take(10).skip(1).map(|(d, _)| d).collect();
    for top3 in clause_tops {
        if top3.is_empty() || top3.contains(first) {
            continue;
        }
        if let Some(d) = top10.iter().find(|d| top3.contains(d)) {
            return Some((*d).clone());
        }
    }
    None
}
