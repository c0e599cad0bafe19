//! Where a new document goes: a pinyin slug of its title, a free file name.

use std::path::Path;

use chrono::NaiveDate;
use pinyin::ToPinyin;

use crate::content::Kind;

/// A slug from a title: pinyin syllables joined by `-` (ASCII kept), at most 48 characters.
pub fn slug(title: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut word = String::new();
    for (c, p) in title.chars().zip(title.to_pinyin()) {
        match p {
            Some(p) => {
                if !word.is_empty() {
                    parts.push(std::mem::take(&mut word));
                }
                parts.push(p.plain().to_string());
            }
            None if c.is_ascii_alphanumeric() => word.push(c.to_ascii_lowercase()),
            None => {
                if !word.is_empty() {
                    parts.push(std::mem::take(&mut word));
                }
            }
        }
    }
    if !word.is_empty() {
        parts.push(word);
    }
    let mut s = String::new();
    for p in parts {
        if s.len() + p.len() + 1 > 48 {
            break;
        }
        if !s.is_empty() {
            s.push('-');
        }
        s.push_str(&p);
    }
    if s.is_empty() { "case".to_string() } else { s }
}

/// A free path for a new document: `cases/<date>-<slug>.md` for cases, `<folder>/<slug>.md`
/// for the other kinds, with `-2`, `-3` … when taken.
pub fn new_path(content_dir: &Path, kind: Kind, title: &str, date: NaiveDate) -> String {
    let base = match kind {
        Kind::Case => format!("cases/{date}-{}", slug(title)),
        Kind::Playbook => format!("playbooks/{}", slug(title)),
        Kind::Rule => format!("rules/{}", slug(title)),
        Kind::Drill => format!("drills/{}", slug(title)),
    };
    let mut candidate = format!("{base}.md");
    let mut n = 2;
    while content_dir.join(&candidate).exists() {
        candidate = format!("{base}-{n}.md");
        n += 1;
    }
    candidate
}
