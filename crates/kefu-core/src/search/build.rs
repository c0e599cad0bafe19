//! Turning a parsed query into tantivy queries: each typed word over titles, aliases, tags,
//! pinyin keys, codes and body n-grams with their boosts; phrases; exclusions; prefixes.

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use super::index::SearchIndex;
use super::query::{ParsedQuery, Term as QueryTerm};
use super::schema::{ALL_PLATFORMS, MAX_PREFIX, boost};
use super::text::{self, JIEBA};
use crate::content::Platform;

impl SearchIndex {
    pub(super) fn build(
        &self,
        q: &ParsedQuery,
        expand: &dyn Fn(&str) -> Vec<String>,
    ) -> Box<dyn Query> {
        let f = self.fields;
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for t in &q.terms {
            let mut alts: Vec<(Occur, Box<dyn Query>)> =
                vec![(Occur::Should, self.term_clause(t, 1.0))];
            if !t.phrase {
                for syn in expand(&t.text) {
                    // A synonym is one unit: match it whole, not word by word.
                    let st = QueryTerm {
                        text: syn,
                        phrase: true,
                        prefix: false,
                    };
                    alts.push((Occur::Should, self.term_clause(&st, boost::SYNONYM)));
                }
            }
            let clause: Box<dyn Query> = Box::new(BooleanQuery::new(alts));
            if q.any {
                any.push((Occur::Should, clause));
            } else {
                must.push((Occur::Must, clause));
            }
        }
        if !any.is_empty() {
            must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        if !q.kinds.is_empty() {
            let kinds = q
                .kinds
                .iter()
                .map(|k| (Occur::Should, term_q(f.kind, k.as_str())))
                .collect();
            must.push((Occur::Must, Box::new(BooleanQuery::new(kinds))));
        }
        if !q.platforms.is_empty() {
            let mut ps: Vec<(Occur, Box<dyn Query>)> =
                vec![(Occur::Should, term_q(f.platform, ALL_PLATFORMS))];
            ps.extend(
                q.platforms
                    .iter()
                    .map(|p| (Occur::Should, term_q(f.platform, p.as_str()))),
            );
            must.push((Occur::Must, Box::new(BooleanQuery::new(ps))));
        }
        for tag in &q.tags {
            must.push((Occur::Must, term_q(f.tag, &tag.to_lowercase())));
        }
        for ex in &q.excluded {
            must.push((Occur::MustNot, self.exclude_clause(ex)));
        }
        if !must.iter().any(|(o, _)| *o == Occur::Must) {
            must.push((Occur::Must, Box::new(AllQuery)));
        }
        Box::new(BooleanQuery::new(must))
    }

    /// Everything one typed word (or phrase) can match, as one OR clause scaled by `weight`.
    pub(super) fn term_clause(&self, t: &QueryTerm, weight: f32) -> Box<dyn Query> {
        let f = self.fields;
        let lower = t.text.to_lowercase();
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut add = |q: Box<dyn Query>, b: f32| {
            should.push((
                Occur::Should,
                Box::new(BoostQuery::new(q, b * weight)) as Box<dyn Query>,
            ))
        };
        add(term_q(f.title_exact, &lower), boost::TITLE_EXACT);
        add(term_q(f.code, &lower), boost::CODE);
        add(term_q(f.tag, &lower), boost::TAG);
        let ascii = lower.chars().all(|c| c.is_ascii_alphanumeric());
        if ascii {
            add(term_q(f.pinyin, &lower), boost::PINYIN);
        }
        if t.prefix && ascii {
            if lower.len() <= MAX_PREFIX {
                // Constant score, like the prefix walk below: a prefix says "starts with", not how well.
                add(const_term_q(f.pinyin_prefix, &lower), boost::PINYIN_PREFIX);
                add(const_term_q(f.code_prefix, &lower), boost::CODE_PREFIX);
            } else {
                add(prefix_q(f.pinyin, &lower), boost::PINYIN_PREFIX);
                add(prefix_q(f.code, &lower), boost::CODE_PREFIX);
            }
        }
        if t.phrase {
            add(
                self.phrase_q(f.title_ngram, &lower),
                boost::TITLE_NGRAM * 2.0,
            );
            add(self.phrase_q(f.body_ngram, &lower), boost::BODY_NGRAM * 2.0);
        } else {
            let words = self.analyze(JIEBA, &lower);
            // One Chinese character (the first key of a word being typed) is looked up in
            // titles, aliases and tags only: in body text it would match nearly every document.
            let one_char = lower.chars().count() == 1 && lower.chars().all(text::is_cjk);
            let fields: &[(Field, f32)] = if one_char {
                &[(f.title, boost::TITLE), (f.aliases, boost::ALIASES)]
            } else {
                &[
                    (f.title, boost::TITLE),
                    (f.aliases, boost::ALIASES),
                    (f.phrases, boost::PHRASES),
                    (f.body, boost::BODY),
                ]
            };
            for &(field, b) in fields {
                if let Some(q) = any_of(field, &words) {
                    add(q, b);
                }
            }
            let grams = text::ngram_query_terms(&lower);
            let gram_fields: &[(Field, f32)] = if one_char {
                &[(f.title_ngram, boost::TITLE_NGRAM)]
            } else {
                &[
                    (f.title_ngram, boost::TITLE_NGRAM),
                    (f.body_ngram, boost::BODY_NGRAM),
                ]
            };
            for &(field, b) in gram_fields {
                if let Some(q) = any_of(field, &grams) {
                    add(q, b);
                }
            }
        }
        Box::new(BooleanQuery::new(should))
    }

    /// Documents containing the exact text, or limited to the platform it names.
    pub(super) fn exclude_clause(&self, text: &str) -> Box<dyn Query> {
        let f = self.fields;
        let lower = text.to_lowercase();
        let mut should: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Should, term_q(f.title_exact, &lower)),
            (Occur::Should, term_q(f.code, &lower)),
            (Occur::Should, term_q(f.tag, &lower)),
            (Occur::Should, behind(self.phrase_q(f.title_ngram, &lower))),
            (Occur::Should, behind(self.phrase_q(f.body_ngram, &lower))),
        ];
        if let Some(p) = Platform::parse(text) {
            should.push((Occur::Should, term_q(f.platform, p.as_str())));
        }
        behind(Box::new(BooleanQuery::new(should)))
    }

    /// The exact character sequence in an n-gram field.
    pub(super) fn phrase_q(&self, field: Field, text: &str) -> Box<dyn Query> {
        let tokens = text::bigram_tokens(text);
        let terms: Vec<(usize, Term)> = tokens
            .iter()
            .map(|t| {
                (
                    t.position,
                    Term::from_field_text(field, &t.text.to_lowercase()),
                )
            })
            .collect();
        match terms.len() {
            0 => Box::new(BooleanQuery::new(Vec::new())),
            1 => Box::new(TermQuery::new(
                terms[0].1.clone(),
                IndexRecordOption::WithFreqs,
            )),
            _ => Box::new(PhraseQuery::new_with_offset(terms)),
        }
    }

    pub(super) fn analyze(&self, analyzer: &str, text: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        if let Some(mut an) = self.index.tokenizers().get(analyzer) {
            let mut stream = an.token_stream(text);
            while let Some(tok) = stream.next() {
                if !out.contains(&tok.text) {
                    out.push(tok.text.clone());
                }
            }
        }
        out
    }
}

pub(super) fn term_q(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

pub(super) fn const_term_q(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(
        Box::new(TermQuery::new(
            Term::from_field_text(field, text),
            IndexRecordOption::Basic,
        )),
        1.0,
    ))
}

pub(super) fn prefix_q(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(FuzzyTermQuery::new_prefix(
        Term::from_field_text(field, text),
        0,
        false,
    ))
}

pub(super) fn any_of(field: Field, words: &[String]) -> Option<Box<dyn Query>> {
    match words.len() {
        0 => None,
        1 => Some(term_q(field, &words[0])),
        _ => Some(Box::new(BooleanQuery::new(
            words
                .iter()
                .map(|w| (Occur::Should, term_q(field, w)))
                .collect(),
        ))),
    }
}

/// Wraps a query used as an exclusion. tantivy's `Exclude` asks its exclusion set about each
/// candidate document with `seek_danger`, also about one before the set's current document,
/// which `PhraseScorer` asserts never happens: in a build with debug assertions `-发货AND` (a
/// phrase of bigrams that no document holds in order) panicked. Asked about a document behind
/// it, the wrapped scorer answers "not here, nothing before my current document" itself.
fn behind(q: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(exclusion::Behind(q))
}

mod exclusion {
    use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
    use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader};

    #[derive(Debug)]
    pub(super) struct Behind(pub(super) Box<dyn Query>);

    impl Clone for Behind {
        fn clone(&self) -> Self {
            Behind(self.0.box_clone())
        }
    }

    impl Query for Behind {
        fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
            Ok(Box::new(BehindWeight(self.0.weight(scoring)?)))
        }
        fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a tantivy::Term, bool)) {
            self.0.query_terms(visitor);
        }
    }

    struct BehindWeight(Box<dyn Weight>);

    impl Weight for BehindWeight {
        fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
            Ok(Box::new(BehindScorer(self.0.scorer(reader, boost)?)))
        }
        fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
            self.0.explain(reader, doc)
        }
    }

    struct BehindScorer(Box<dyn Scorer>);

    impl DocSet for BehindScorer {
        fn advance(&mut self) -> DocId {
            self.0.advance()
        }
        fn seek(&mut self, target: DocId) -> DocId {
            let doc = self.0.doc();
            if target <= doc {
                doc
            } else {
                self.0.seek(target)
            }
        }
        fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
            let doc = self.0.doc();
            if target < doc {
                SeekDangerResult::SeekLowerBound(doc)
            } else {
                self.0.seek_danger(target)
            }
        }
        fn doc(&self) -> DocId {
            self.0.doc()
        }
        fn size_hint(&self) -> u32 {
            self.0.size_hint()
        }
    }

    impl Scorer for BehindScorer {
        fn score(&mut self) -> Score {
            self.0.score()
        }
    }
}
