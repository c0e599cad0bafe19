//! The pieces of a document that get a vector ("units"), chosen for what customers write:
//!
//! - the **head**: title and aliases — what the document is about, in the team's words;
//! - each playbook **phrase's `when`**: the situation the phrase is for, which is what a
//!   customer's message describes (the best-fitting phrase becomes the card's phrase);
//! - **passages** of the body (plain text, cut at paragraph and sentence ends into pieces of at
//!   most [`PASSAGE_CHARS`] characters, the first [`MAX_PASSAGES`] of them).
//!
//! Drills are left out: they quote customers too, but an agent mid-chat wants the playbook, rule
//! or case, and drills stay findable by their words. docs/architecture.md has the measurements
//! behind this choice.

use crate::content::{Document, Kind};

/// Longest passage, in characters.
pub const PASSAGE_CHARS: usize = 120;
/// Passages per document.
pub const MAX_PASSAGES: usize = 8;

/// What part of a document a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    /// Title and aliases.
    Head,
    /// A playbook phrase's `when` (index into the document's phrases).
    When(usize),
    /// A piece of the body.
    Passage,
}

/// One embedded piece of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// The document's id.
    pub doc: String,
    /// The document's position in the library's list (set by the library; 0 from [`of`]).
    pub doc_ix: u32,
    /// Which part.
    pub kind: UnitKind,
    /// The text embedded.
    pub text: String,
    /// Key of the vector: a hash of how the text is embedded and the text.
    pub key: u64,
}

/// Bumped whenever the way a unit's text is embedded changes (prefix, cap), so old vectors are
/// not reused for a different input.
pub(crate) const EMBEDDING_VERSION: &str = "q1:";

pub(crate) fn key(text: &str) -> u64 {
    let mut s = String::with_capacity(text.len() + 4);
    s.push_str(EMBEDDING_VERSION);
    s.push_str(text);
    xxhash_rust::xxh3::xxh3_64(s.as_bytes())
}

fn unit(doc: &Document, kind: UnitKind, text: String) -> Unit {
    Unit {
        doc: doc.id.clone(),
        doc_ix: 0,
        kind,
        key: key(&text),
        text,
    }
}

/// The units of one document (`plain` is its body as plain text).
pub fn of(doc: &Document, plain: &str) -> Vec<Unit> {
    if doc.kind == Kind::Drill {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut head = doc.title.trim().to_string();
    let aliases: Vec<&str> = doc
        .aliases
        .iter()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
        .collect();
    if !aliases.is_empty() {
        head.push('：');
        head.push_str(&aliases.join("，"));
    }
    if !head.is_empty() {
        out.push(unit(doc, UnitKind::Head, head));
    }
    for (i, p) in doc.phrases.iter().enumerate() {
        let when = p.when.trim();
        if !when.is_empty() {
            out.push(unit(doc, UnitKind::When(i), when.to_string()));
        }
    }
    for passage in passages(plain).into_iter().take(MAX_PASSAGES) {
        out.push(unit(doc, UnitKind::Passage, passage));
    }
    out
}

/// Cuts plain text into passages: paragraphs, split further at sentence ends when longer than
/// [`PASSAGE_CHARS`]; pieces shorter than 6 characters (headings such as 要点) are dropped.
pub fn passages(plain: &str) -> Vec<String> {
    let mut out = Vec::new();
    for para in plain.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let mut cur = String::new();
        let mut n = 0;
        for ch in para.chars() {
            cur.push(ch);
            n += 1;
            let end = matches!(ch, '。' | '！' | '？' | '；' | '!' | '?' | ';');
            if n >= PASSAGE_CHARS || (end && n >= PASSAGE_CHARS / 2) {
                push_passage(&mut out, &mut cur);
                n = 0;
            }
        }
        push_passage(&mut out, &mut cur);
    }
    out
}

fn push_passage(out: &mut Vec<String>, cur: &mut String) {
    let t = cur.trim();
    if t.chars().count() >= 6 {
        out.push(t.to_string());
    }
    cur.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passages_follow_paragraphs_and_sentences() {
        let long = "甲".repeat(70) + "。" + &"乙".repeat(70) + "。";
        let p = passages(&format!("要点\n{long}\n短句也可以留下来"));
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].ends_with('。') && p[0].chars().count() == 71);
        assert_eq!(p[2], "短句也可以留下来");
        assert!(passages("要点\n\n").is_empty());
    }
}
