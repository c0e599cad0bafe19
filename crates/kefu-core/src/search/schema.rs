//! The index schema: its fields, their analyzers and boosts, and the version that forces a
//! rebuild when any of it changes.

use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use super::text::{BIGRAM, JIEBA, NGRAM, RAW};
use crate::content::Kind;

/// Bump when fields, analyzers or what goes into them change: the index is then rebuilt.
pub const SCHEMA_VERSION: u32 = 4;

/// Pinyin keys and quick codes are also indexed by every prefix up to this many characters, so
/// what an agent is typing (`t`, `tk`, `cfh`) is one term lookup instead of a walk over every
/// term that starts with it; longer prefixes fall back to that walk.
pub(super) const MAX_PREFIX: usize = 8;

/// The platform value stored for documents that apply everywhere.
pub(super) const ALL_PLATFORMS: &str = "all";

/// Field boosts: what a match in each field is worth relative to body text.
pub(super) mod boost {
    pub(in crate::search) const TITLE_EXACT: f32 = 12.0;
    pub(in crate::search) const CODE: f32 = 10.0;
    pub(in crate::search) const CODE_PREFIX: f32 = 6.0;
    pub(in crate::search) const PINYIN: f32 = 6.0;
    pub(in crate::search) const PINYIN_PREFIX: f32 = 4.0;
    pub(in crate::search) const TITLE: f32 = 4.0;
    pub(in crate::search) const ALIASES: f32 = 3.0;
    pub(in crate::search) const TAG: f32 = 3.0;
    pub(in crate::search) const TITLE_NGRAM: f32 = 2.0;
    pub(in crate::search) const PHRASES: f32 = 1.5;
    pub(in crate::search) const BODY: f32 = 1.0;
    pub(in crate::search) const BODY_NGRAM: f32 = 0.6;
    /// Weight of a synonym relative to the word typed.
    pub(in crate::search) const SYNONYM: f32 = 0.8;
    /// Score factor of each kind in searches that do not filter by kind (index: [`kind_ord`]).
    /// Agents mid-chat want a reply or a rule; drills are training material that shares their
    /// words ("快递三天没动，买家怀疑丢件"), so they come after the playbook that answers it.
    pub(in crate::search) const KIND: [f32; 4] = [1.0, 1.0, 1.0, 0.5];
}

/// Position of a kind in [`boost::KIND`], stored per document in the `kind_ord` fast field.
pub(super) fn kind_ord(k: Kind) -> u64 {
    match k {
        Kind::Playbook => 0,
        Kind::Case => 1,
        Kind::Rule => 2,
        Kind::Drill => 3,
    }
}

#[derive(Clone, Copy)]
pub(super) struct Fields {
    pub(super) id: Field,
    pub(super) fingerprint: Field,
    pub(super) kind: Field,
    pub(super) kind_ord: Field,
    pub(super) platform: Field,
    pub(super) tag: Field,
    pub(super) title: Field,
    pub(super) title_ngram: Field,
    pub(super) title_exact: Field,
    pub(super) aliases: Field,
    pub(super) code: Field,
    pub(super) pinyin: Field,
    pub(super) pinyin_prefix: Field,
    pub(super) code_prefix: Field,
    pub(super) phrases: Field,
    pub(super) body: Field,
    pub(super) body_ngram: Field,
}

pub(super) fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |analyzer: &str, positions: bool| {
        let opt = if positions {
            IndexRecordOption::WithFreqsAndPositions
        } else {
            IndexRecordOption::WithFreqs
        };
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(opt),
        )
    };
    let fields = Fields {
        // Fast fields: ids of hits and the sync manifest are read without the document store.
        id: b.add_text_field("id", STRING | STORED | FAST),
        fingerprint: b.add_u64_field("fingerprint", FAST),
        kind: b.add_text_field("kind", STRING),
        kind_ord: b.add_u64_field("kind_ord", FAST),
        platform: b.add_text_field("platform", STRING),
        tag: b.add_text_field("tag", text(RAW, false)),
        title: b.add_text_field("title", text(JIEBA, false)),
        title_ngram: b.add_text_field("title_ngram", text(NGRAM, true)),
        title_exact: b.add_text_field("title_exact", text(RAW, false)),
        aliases: b.add_text_field("aliases", text(JIEBA, false)),
        code: b.add_text_field("code", text(RAW, false)),
        pinyin: b.add_text_field("pinyin", text(RAW, false)),
        pinyin_prefix: b.add_text_field("pinyin_prefix", STRING),
        code_prefix: b.add_text_field("code_prefix", STRING),
        phrases: b.add_text_field("phrases", text(JIEBA, false)),
        body: b.add_text_field("body", text(JIEBA, false)),
        body_ngram: b.add_text_field("body_ngram", text(BIGRAM, true)),
    };
    (b.build(), fields)
}

/// The prefixes of an ASCII key, 1 to [`MAX_PREFIX`] characters (the whole key included, as a
/// prefix walk would match it); none for a key that is not ASCII.
pub(super) fn ascii_prefixes(key: &str) -> impl Iterator<Item = &str> {
    let n = if key.is_ascii() {
        key.len().min(MAX_PREFIX)
    } else {
        0
    };
    (1..=n).map(move |i| &key[..i])
}
