//! The team's search dictionary, from the content folder:
//!
//! - `dict/userdict.txt`: jieba user dictionary, one word per line (`word [freq] [tag]`), so
//!   jargon such as 催发货 or 仅退款 stays one word;
//! - `dict/synonyms.txt`: Solr-style synonyms. `a, b, c` makes the terms equivalent; `a, b => c`
//!   makes a query for `a` or `b` also look for `c`. `#` starts a comment.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use jieba_rs::Jieba;

use crate::content::{Problem, ProblemCode, decode_text};

/// Where the dictionary files live, relative to the content root.
pub const USER_DICT_PATH: &str = "dict/userdict.txt";
/// Where the synonyms live, relative to the content root.
pub const SYNONYMS_PATH: &str = "dict/synonyms.txt";

/// The user dictionary and synonyms of a content folder.
#[derive(Debug, Default, Clone)]
pub struct Dictionary {
    /// Words jieba must keep whole, with optional frequency.
    pub words: Vec<(String, Option<usize>)>,
    /// For each term, the other terms a query for it also looks for.
    expansions: HashMap<String, Vec<String>>,
    /// Stable hash of both files' meaning; a change rebuilds the index.
    pub hash: u64,
}

impl Dictionary {
    /// Reads `dict/` below `content_root`. Missing files mean an empty dictionary.
    pub fn load(content_root: &Path) -> (Dictionary, Vec<Problem>) {
        let mut problems = Vec::new();
        let user = read(content_root, USER_DICT_PATH, &mut problems);
        let syn = read(content_root, SYNONYMS_PATH, &mut problems);
        let mut d = Dictionary::parse(&user, &syn, &mut problems);
        d.hash = xxhash_rust::xxh3::xxh3_64(format!("{user}\u{0}{syn}").as_bytes());
        (d, problems)
    }

    /// Parses the two files' texts.
    pub fn parse(user: &str, synonyms: &str, problems: &mut Vec<Problem>) -> Dictionary {
        let mut d = Dictionary::default();
        for (i, line) in user.lines().enumerate() {
            let line = strip_comment(line);
            let mut parts = line.split_whitespace();
            let Some(word) = parts.next() else { continue };
            let freq = match parts.next() {
                Some(f) => match f.parse::<usize>() {
                    Ok(f) => Some(f),
                    Err(_) => {
                        problems.push(
                            Problem::warning(USER_DICT_PATH, i + 1, ProblemCode::BadFrequency)
                                .arg("value", f),
                        );
                        None
                    }
                },
                None => None,
            };
            d.words.push((word.to_string(), freq));
        }
        for (i, line) in synonyms.lines().enumerate() {
            let line = strip_comment(line);
            if line.trim().is_empty() {
                continue;
            }
            let (lhs, rhs) = match line.split_once("=>") {
                Some((l, r)) => (l, Some(r)),
                None => (line, None),
            };
            let split = |s: &str| -> Vec<String> {
                s.split([',', '，'])
                    .map(|t| t.trim().to_lowercase())
                    .filter(|t| !t.is_empty())
                    .collect()
            };
            let left = split(lhs);
            match rhs {
                None => {
                    if left.len() < 2 {
                        problems.push(Problem::warning(
                            SYNONYMS_PATH,
                            i + 1,
                            ProblemCode::SynonymTooShort,
                        ));
                        continue;
                    }
                    for t in &left {
                        let others = left.iter().filter(|o| *o != t).cloned();
                        d.add(t, others);
                    }
                }
                Some(r) => {
                    let right = split(r);
                    if left.is_empty() || right.is_empty() {
                        problems.push(Problem::warning(
                            SYNONYMS_PATH,
                            i + 1,
                            ProblemCode::SynonymArrowEmpty,
                        ));
                        continue;
                    }
                    for t in &left {
                        d.add(t, right.iter().cloned());
                    }
                }
            }
        }
        d
    }

    fn add(&mut self, term: &str, others: impl Iterator<Item = String>) {
        let e = self.expansions.entry(term.to_string()).or_default();
        for o in others {
            if !e.contains(&o) && o != term {
                e.push(o);
            }
        }
    }

    /// The terms a query word also looks for. A word matches a synonym entry exactly, or
    /// contains it (`催单了吗` contains `催单`), in which case the entry is replaced within the
    /// word (`催发货了吗`).
    pub fn expand(&self, word: &str) -> Vec<String> {
        let w = word.to_lowercase();
        let mut out: Vec<String> = Vec::new();
        if let Some(e) = self.expansions.get(&w) {
            out.extend(e.iter().cloned());
        }
        if w.chars().count() > 2 {
            // Longest entries first, so 什么时候发货 wins over 发货.
            let mut inner: Vec<&String> = self
                .expansions
                .keys()
                .filter(|k| k.chars().count() >= 2 && **k != w && w.contains(k.as_str()))
                .collect();
            inner.sort_by_key(|k| std::cmp::Reverse(k.len()));
            for k in inner.into_iter().take(3) {
                for alt in &self.expansions[k] {
                    let replaced = w.replacen(k.as_str(), alt, 1);
                    if !out.contains(&replaced) && replaced != w {
                        out.push(replaced);
                    }
                }
            }
        }
        out.truncate(12);
        out
    }

    /// All synonym terms (they also go into jieba's dictionary so they stay whole).
    pub fn synonym_terms(&self) -> impl Iterator<Item = &String> {
        self.expansions.keys()
    }

    /// A jieba segmenter with the default dictionary plus this one. Cached per dictionary,
    /// since loading jieba's dictionary takes 0.1–0.5 s.
    pub fn jieba(&self) -> Arc<Jieba> {
        static CACHE: OnceLock<Mutex<HashMap<u64, Arc<Jieba>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
        let key = self.hash;
        if let Ok(c) = cache.lock()
            && let Some(j) = c.get(&key)
        {
            return Arc::clone(j);
        }
        let mut jieba = Jieba::new();
        for (w, f) in &self.words {
            jieba.add_word(w, *f, None);
        }
        for t in self.synonym_terms() {
            let n = t.chars().count();
            if (2..=6).contains(&n) && t.chars().all(super::text::is_cjk) && !jieba.has_word(t) {
                jieba.add_word(t, None, None);
            }
        }
        let jieba = Arc::new(jieba);
        if let Ok(mut c) = cache.lock() {
            c.insert(key, Arc::clone(&jieba));
        }
        jieba
    }
}

fn strip_comment(line: &str) -> &str {
    line.split('#').next().unwrap_or("")
}

fn read(root: &Path, rel: &str, problems: &mut Vec<Problem>) -> String {
    match crate::content::read_within(root, Path::new(rel), crate::content::MAX_FILE_BYTES) {
        Ok(bytes) => decode_text(&bytes).into_text().unwrap_or_else(|| {
            problems.push(Problem::error(rel, 1, ProblemCode::DictionaryNotText));
            String::new()
        }),
        Err(crate::content::Refusal::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            String::new()
        }
        Err(r) => {
            problems.push(Problem::error(rel, 1, ProblemCode::CannotRead).arg("detail", r));
            String::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equivalence_and_one_way_synonyms() {
        let mut p = Vec::new();
        let d = Dictionary::parse(
            "",
            "催发货, 催单, 什么时候发货\n# comment\n快递 => 物流\n仅退款\n",
            &mut p,
        );
        assert_eq!(d.expand("催单"), vec!["催发货", "什么时候发货"]);
        assert_eq!(d.expand("快递"), vec!["物流"]);
        assert!(d.expand("物流").is_empty(), "one-way");
        assert_eq!(p.len(), 1, "single-term line is reported: {p:?}");
        assert_eq!(p[0].line, 4);
    }

    #[test]
    fn words_containing_an_entry_are_rewritten() {
        let mut p = Vec::new();
        let d = Dictionary::parse("", "催发货, 催单", &mut p);
        assert_eq!(d.expand("催单了吗"), vec!["催发货了吗"]);
    }

    #[test]
    fn user_words_stay_whole() {
        let mut p = Vec::new();
        let d = Dictionary::parse("已发货仅退款 10 n\n", "", &mut p);
        let j = d.jieba();
        let words: Vec<&str> = j
            .cut("已发货仅退款怎么办", false)
            .iter()
            .map(|t| t.word)
            .collect();
        assert!(words.contains(&"已发货仅退款"), "{words:?}");
    }
}
