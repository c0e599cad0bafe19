//! Text analysis for Chinese customer-service text: jieba words, CJK character n-grams and
//! pinyin keys.
//!
//! Why our own jieba tokenizer instead of `tantivy-jieba`: its custom-dictionary mode owns a
//! `Jieba` by value, and tantivy clones the analyzer on every `tokenizers().get()`, which would
//! copy the whole dictionary per query. Ours shares one `Arc<Jieba>` holding the team's jargon.

use std::sync::Arc;

use jieba_rs::{Jieba, TokenizeMode};
use pinyin::ToPinyin;
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, RemoveLongFilter, TextAnalyzer, Token,
    TokenStream, Tokenizer,
};

/// Name of the jieba analyzer registered on the index.
pub(crate) const JIEBA: &str = "kefu_jieba";
/// Name of the CJK uni/bigram analyzer (titles: short, and one typed character must match).
pub(crate) const NGRAM: &str = "kefu_ngram";
/// Name of the CJK bigram analyzer (body text): bigrams of runs of two or more characters, the
/// character itself for a lone one. Half the tokens of [`NGRAM`]; a single character is not
/// looked up in body text (it would match nearly every document).
pub(crate) const BIGRAM: &str = "kefu_bigram";
/// Name of the whole-value lowercase analyzer (codes, pinyin keys, exact titles).
pub(crate) const RAW: &str = "kefu_raw";

/// True for CJK ideographs (the characters jieba and our n-grams care about).
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF | 0x2A700..=0x2EBEF | 0x30000..=0x3134F)
}

/// A token stream over a pre-computed list (all our tokenizers compute tokens eagerly).
pub(crate) struct VecTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }
    fn token(&self) -> &Token {
        &self.tokens[self
            .next
            .saturating_sub(1)
            .min(self.tokens.len().saturating_sub(1))]
    }
    fn token_mut(&mut self) -> &mut Token {
        let i = self
            .next
            .saturating_sub(1)
            .min(self.tokens.len().saturating_sub(1));
        &mut self.tokens[i]
    }
}

fn token(text: &str, from: usize, to: usize, position: usize) -> Token {
    Token {
        offset_from: from,
        offset_to: to,
        position,
        text: text[from..to].to_string(),
        position_length: 1,
    }
}

/// jieba in search mode (whole words plus their sub-words), punctuation and spaces dropped.
#[derive(Clone)]
pub(crate) struct JiebaTokenizer {
    jieba: Arc<Jieba>,
}

impl JiebaTokenizer {
    pub(crate) fn new(jieba: Arc<Jieba>) -> Self {
        JiebaTokenizer { jieba }
    }
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let base = text.as_ptr() as usize;
        let tokens = self
            .jieba
            .tokenize(text, TokenizeMode::Search, true)
            .into_iter()
            .filter(|t| t.word.chars().any(char::is_alphanumeric))
            .map(|t| {
                let from = t.word.as_ptr() as usize - base;
                token(text, from, from + t.word.len(), t.start)
            })
            .collect();
        VecTokenStream { tokens, next: 0 }
    }
}

/// Character n-grams for CJK runs (every character and every adjacent pair) and whole words
/// for other letters and digits. Positions step by two per character so that a phrase can be
/// matched with the same token layout (unigram at 2i, bigram at 2i+1).
#[derive(Clone, Default)]
pub(crate) struct NgramTokenizer;

/// One n-gram token: its text and position.
pub(crate) fn ngram_tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut pos = 0;
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if is_cjk(c) {
            let end = chars.get(i + 1).map_or(text.len(), |(b, _)| *b);
            out.push(token(text, start, end, pos));
            if let Some(&(_, next)) = chars.get(i + 1)
                && is_cjk(next)
            {
                let end2 = chars.get(i + 2).map_or(text.len(), |(b, _)| *b);
                out.push(token(text, start, end2, pos + 1));
            }
            pos += 2;
            i += 1;
        } else if c.is_alphanumeric() {
            let mut j = i;
            while j < chars.len() && chars[j].1.is_alphanumeric() && !is_cjk(chars[j].1) {
                j += 1;
            }
            let end = chars.get(j).map_or(text.len(), |(b, _)| *b);
            let mut t = token(text, start, end, pos);
            t.text.make_ascii_lowercase();
            if !t.text.is_ascii() {
                t.text = t.text.to_lowercase();
            }
            out.push(t);
            pos += 2;
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

impl Tokenizer for NgramTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream {
            tokens: ngram_tokens(text),
            next: 0,
        }
    }
}

/// [`ngram_tokens`] without the CJK unigrams that a bigram covers: what [`BIGRAM`] indexes, and
/// the tokens of a phrase query (the chain of bigrams pins every character, so the very common
/// single characters need not be intersected).
pub(crate) fn bigram_tokens(text: &str) -> Vec<Token> {
    let tokens = ngram_tokens(text);
    let mut keep = vec![true; tokens.len()];
    for (k, t) in tokens.iter().enumerate() {
        let cjk_unigram = t.text.chars().count() == 1 && t.text.chars().all(is_cjk);
        if cjk_unigram {
            let paired_after = tokens
                .get(k + 1)
                .is_some_and(|b| b.position == t.position + 1);
            let paired_before = k > 0
                && tokens[k - 1].position + 1 == t.position
                && tokens[k - 1].text.chars().count() == 2;
            keep[k] = !(paired_after || paired_before);
        }
    }
    tokens
        .into_iter()
        .zip(keep)
        .filter_map(|(t, k)| k.then_some(t))
        .collect()
}

/// The n-gram terms to look up for a query word: bigrams when the CJK run has two or more
/// characters (unigrams would match almost everything), the character itself otherwise.
pub(crate) fn ngram_query_terms(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in bigram_tokens(&text.to_lowercase()) {
        if !out.contains(&t.text) {
            out.push(t.text);
        }
    }
    out
}

/// Tokenizer of [`BIGRAM`].
#[derive(Clone, Default)]
pub(crate) struct BigramTokenizer;

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream {
            tokens: bigram_tokens(text),
            next: 0,
        }
    }
}

/// Registers our analyzers on an index.
pub(crate) fn register(index: &tantivy::Index, jieba: Arc<Jieba>) {
    let jieba_an = TextAnalyzer::builder(JiebaTokenizer::new(jieba))
        .filter(RemoveLongFilter::limit(60))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    // The n-gram tokenizers lowercase their letter runs themselves; CJK has no case, and running
    // a lowercasing filter over every character cost a tenth of indexing time.
    let ngram_an = TextAnalyzer::builder(NgramTokenizer)
        .filter(RemoveLongFilter::limit(60))
        .build();
    let bigram_an = TextAnalyzer::builder(BigramTokenizer)
        .filter(RemoveLongFilter::limit(60))
        .build();
    let raw_an = TextAnalyzer::builder(RawTokenizer::default())
        .filter(RemoveLongFilter::limit(120))
        .filter(LowerCaser)
        .build();
    index.tokenizers().register(JIEBA, jieba_an);
    index.tokenizers().register(NGRAM, ngram_an);
    index.tokenizers().register(BIGRAM, bigram_an);
    index.tokenizers().register(RAW, raw_an);
}

/// Pinyin search keys for a short text (a title, alias or tag): for the whole text and for each
/// jieba word, the full pinyin (`cuifahuo`) and the initials (`cfh`). ASCII letters and digits
/// are kept as they are, so `7天无理由` gives `7tianwuliyou` and `7twly`.
pub(crate) fn pinyin_keys(text: &str, jieba: &Jieba) -> Vec<String> {
    fn keys(s: &str) -> Option<(String, String)> {
        let mut full = String::new();
        let mut initials = String::new();
        let mut has_cjk = false;
        for (c, p) in s.chars().zip(s.to_pinyin()) {
            match p {
                Some(p) => {
                    has_cjk = true;
                    full.push_str(p.plain());
                    initials.push_str(p.first_letter());
                }
                None if c.is_ascii_alphanumeric() => {
                    full.push(c.to_ascii_lowercase());
                    initials.push(c.to_ascii_lowercase());
                }
                None => {}
            }
        }
        has_cjk.then_some((full, initials))
    }
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    };
    if let Some((f, i)) = keys(text) {
        push(f);
        push(i);
    }
    // Search mode adds the sub-words (退货退款 → 退货, 退款), so `tuikuan` finds 退货退款 too.
    for w in jieba.cut_for_search(text, false) {
        if let Some((f, i)) = keys(w.word) {
            push(f);
            push(i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(tokens: &[Token]) -> Vec<(String, usize)> {
        tokens
            .iter()
            .map(|t| (t.text.clone(), t.position))
            .collect()
    }

    #[test]
    fn ngrams_pair_cjk_and_keep_words() {
        let t = ngram_tokens("7天退货 OK");
        assert_eq!(
            texts(&t),
            vec![
                ("7".into(), 0),
                ("天".into(), 2),
                ("天退".into(), 3),
                ("退".into(), 4),
                ("退货".into(), 5),
                ("货".into(), 6),
                ("ok".into(), 8)
            ]
        );
    }

    #[test]
    fn query_ngrams_use_bigrams_for_runs() {
        assert_eq!(ngram_query_terms("催发货"), vec!["催发", "发货"]);
        assert_eq!(ngram_query_terms("退"), vec!["退"]);
        assert_eq!(ngram_query_terms("A货"), vec!["a", "货"]);
    }

    #[test]
    fn pinyin_keys_give_full_and_initials() {
        let jieba = Jieba::new();
        let k = pinyin_keys("催发货", &jieba);
        assert!(k.contains(&"cuifahuo".to_string()), "{k:?}");
        assert!(k.contains(&"cfh".to_string()), "{k:?}");
        let mut dict = Jieba::new();
        dict.add_word("退货退款", None, None);
        let k = pinyin_keys("淘宝退货退款沟通", &dict);
        assert!(
            k.contains(&"tuikuan".to_string()) && k.contains(&"thtk".to_string()),
            "{k:?}"
        );
        let k = pinyin_keys("7天无理由", &jieba);
        assert!(k.contains(&"7twly".to_string()), "{k:?}");
    }

    #[test]
    fn jieba_tokens_drop_punctuation() {
        let mut tok = JiebaTokenizer::new(Arc::new(Jieba::new()));
        let mut s = tok.token_stream("您好，亲！");
        let mut words = Vec::new();
        while s.advance() {
            words.push(s.token().text.clone());
        }
        assert!(words.iter().all(|w| w != "，" && w != "！"), "{words:?}");
        assert!(!words.is_empty());
    }
}
