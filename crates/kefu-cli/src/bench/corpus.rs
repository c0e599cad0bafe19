//! A seeded, deterministic generator of realistic knowledge-base documents.
//!
//! The vocabulary comes from a real content folder (by default the shipped `content/`): title
//! words (jieba words of titles, aliases and tags), tags, aliases, body sentences, reply phrases
//! and drill front matter. Each generated document recombines them the way the shipped documents
//! are built: a playbook has a short title, aliases, 2–5 reply phrases with pinyin quick codes and
//! a few bullet points; a case has a sentence-like title and 情况/处理过程/心得 sections; a rule
//! names a platform and a source; a drill reuses a real drill's customer messages and rubric.
//! The same vocabulary, size and seed always give byte-identical files.

use std::collections::HashSet;
use std::path::Path;

use kefu_core::Kind;
use kefu_core::search::dict::Dictionary;
use pinyin::ToPinyin;

use super::rng::Rng;

/// The default seed of `kefu bench`.
pub(crate) const DEFAULT_SEED: u64 = 0x6B65_6675; // "kefu"

/// Platforms as written in front matter, with their Chinese names for titles.
const PLATFORMS: [(&str, &str); 6] = [
    ("taobao", "淘宝"),
    ("tmall", "天猫"),
    ("pdd", "拼多多"),
    ("jd", "京东"),
    ("vip", "唯品会"),
    ("douyin", "抖音"),
];

/// Word pools taken from a content folder.
#[derive(Debug, Default)]
pub(crate) struct Vocabulary {
    title_words: Vec<String>,
    tags: Vec<String>,
    aliases: Vec<String>,
    sentences: Vec<String>,
    /// `(when, text)` of reply phrases.
    phrases: Vec<(String, String)>,
    /// Front matter of real drills without their `kind`, `title` and `tags` lines.
    drill_front: Vec<String>,
}

fn push_unique(v: &mut Vec<String>, seen: &mut HashSet<String>, s: &str) {
    if seen.insert(s.to_string()) {
        v.push(s.to_string());
    }
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

impl Vocabulary {
    /// Reads the vocabulary of a content folder (in path order, so it is deterministic).
    pub(crate) fn from_content(dir: &Path) -> Result<Vocabulary, Box<dyn std::error::Error>> {
        let loaded = kefu_core::content::load(dir)?;
        let (dict, _) = Dictionary::load(dir);
        let jieba = dict.jieba();
        let mut v = Vocabulary::default();
        let mut seen = HashSet::new();
        let (mut tag_seen, mut alias_seen, mut sent_seen) =
            (HashSet::new(), HashSet::new(), HashSet::new());
        let no_titles = |_: &str| None;
        for d in &loaded.docs {
            let mut short: Vec<&str> = vec![d.title.as_str()];
            short.extend(d.aliases.iter().map(String::as_str));
            short.extend(d.tags.iter().map(String::as_str));
            for s in short {
                for w in jieba.cut(s, false) {
                    if w.word.chars().count() >= 2 && has_cjk(w.word) {
                        push_unique(&mut v.title_words, &mut seen, w.word);
                    }
                }
            }
            for t in &d.tags {
                push_unique(&mut v.tags, &mut tag_seen, t);
            }
            for a in &d.aliases {
                push_unique(&mut v.aliases, &mut alias_seen, a);
            }
            for p in &d.phrases {
                v.phrases.push((p.when.clone(), p.text.clone()));
            }
            let plain = kefu_core::markdown::plain_text(&d.body, &no_titles);
            for s in plain.split(['。', '！', '？', '；', '\n']) {
                let s = s.trim().trim_start_matches(['-', '*', ' ']).trim();
                let n = s.chars().count();
                if (6..=70).contains(&n) && has_cjk(s) {
                    push_unique(&mut v.sentences, &mut sent_seen, s);
                }
            }
            if d.kind == Kind::Drill {
                let raw = std::fs::read_to_string(dir.join(&d.path))?;
                if let Some(front) = raw
                    .strip_prefix("---\n")
                    .and_then(|r| r.split_once("\n---"))
                    .map(|(f, _)| f)
                {
                    let kept: Vec<&str> = front
                        .lines()
                        .filter(|l| {
                            !l.starts_with("kind:")
                                && !l.starts_with("title:")
                                && !l.starts_with("tags:")
                        })
                        .collect();
                    v.drill_front.push(kept.join("\n"));
                }
            }
        }
        if v.title_words.is_empty() || v.sentences.is_empty() || v.phrases.is_empty() {
            return Err(format!(
                "{}: too little content to build a benchmark vocabulary",
                dir.display()
            )
            .into());
        }
        Ok(v)
    }
}

/// One generated file: its path relative to the content root and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GeneratedDoc {
    pub(crate) rel_path: String,
    pub(crate) text: String,
}

/// A YAML double-quoted scalar (JSON string syntax is a subset of it).
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| q(s)).collect();
    format!("[{}]", quoted.join(", "))
}

/// Pinyin initials of the CJK characters (`催发货` → `cfh`), at most `max` letters.
fn initials(s: &str, max: usize) -> String {
    s.to_pinyin()
        .flatten()
        .map(|p| p.first_letter())
        .take(max)
        .collect::<String>()
}

/// `count` distinct picks (fewer when the pool is smaller).
fn sample<'a>(rng: &mut Rng, pool: &'a [String], count: usize) -> Vec<&'a String> {
    let mut out: Vec<&String> = Vec::new();
    let mut tries = 0;
    while out.len() < count.min(pool.len()) && tries < count * 8 {
        tries += 1;
        if let Some(x) = rng.pick(pool)
            && !out.contains(&x)
        {
            out.push(x);
        }
    }
    out
}

fn bullets(rng: &mut Rng, v: &Vocabulary, lo: usize, hi: usize) -> String {
    let n = rng.range(lo, hi);
    sample(rng, &v.sentences, n)
        .iter()
        .map(|s| format!("- {s}。\n"))
        .collect()
}

fn paragraph(rng: &mut Rng, v: &Vocabulary, lo: usize, hi: usize) -> String {
    let n = rng.range(lo, hi);
    let mut p: String = sample(rng, &v.sentences, n)
        .iter()
        .map(|s| format!("{s}。"))
        .collect();
    p.push('\n');
    p
}

/// Generates `n` documents. Kinds follow the shipped mix (29% playbooks, 12% cases, 21% rules,
/// 38% drills).
pub(crate) fn generate(v: &Vocabulary, n: usize, seed: u64) -> Vec<GeneratedDoc> {
    let mut rng = Rng::new(seed);
    (0..n).map(|i| one(v, &mut rng, i)).collect()
}

fn one(v: &Vocabulary, rng: &mut Rng, i: usize) -> GeneratedDoc {
    let roll = rng.below(100);
    let kind = match roll {
        0..=28 => Kind::Playbook,
        29..=40 => Kind::Case,
        41..=61 => Kind::Rule,
        _ => Kind::Drill,
    };
    let word = |rng: &mut Rng| rng.pick(&v.title_words).cloned().unwrap_or_default();
    let platform = if rng.chance(0.35) {
        rng.pick(&PLATFORMS).copied()
    } else {
        None
    };
    let tags: Vec<String> = {
        let n = rng.range(1, 4);
        sample(rng, &v.tags, n).into_iter().cloned().collect()
    };
    let aliases: Vec<String> = {
        let n = rng.range(0, 5);
        sample(rng, &v.aliases, n).into_iter().cloned().collect()
    };
    let (w1, w2) = (word(rng), word(rng));
    let mut fm = String::from("---\n");
    let mut body = String::new();
    let dir = match kind {
        Kind::Playbook => "playbooks",
        Kind::Case => "cases",
        Kind::Rule => "rules",
        Kind::Drill => "drills",
    };
    match kind {
        Kind::Playbook => {
            let title = match platform {
                Some((_, zh)) => format!("{zh}{w1}{w2}"),
                None => format!("{w1}{w2}"),
            };
            fm.push_str(&format!("kind: playbook\ntitle: {}\n", q(&title)));
            fm.push_str(&format!(
                "tags: {}\naliases: {}\n",
                list(&tags),
                list(&aliases)
            ));
            match platform {
                Some((p, _)) => fm.push_str(&format!("platforms: [{p}]\n")),
                None => fm.push_str("platforms: []\n"),
            }
            fm.push_str("author: 基准生成器\nupdated: 2026-11-20\nphrases:\n");
            let code = initials(&title, 4);
            for j in 0..rng.range(2, 5) {
                if let Some((when, text)) = rng.pick(&v.phrases) {
                    fm.push_str(&format!(
                        "  - code: {code}{}\n    when: {}\n    text: {}\n",
                        j + 1,
                        q(when),
                        q(text)
                    ));
                }
            }
            body.push_str("## 要点\n");
            body.push_str(&bullets(rng, v, 3, 7));
            if rng.chance(0.6) {
                body.push_str("\n## 不要这样说\n");
                body.push_str(&bullets(rng, v, 1, 3));
            }
        }
        Kind::Case => {
            let lead = rng.pick(&v.sentences).cloned().unwrap_or_default();
            let lead: String = lead
                .split('，')
                .next()
                .unwrap_or("")
                .chars()
                .take(18)
                .collect();
            let title = format!("{lead}：{w1}{w2}");
            fm.push_str(&format!("kind: case\ntitle: {}\n", q(&title)));
            if let Some((p, _)) = platform {
                fm.push_str(&format!("platform: {p}\n"));
            }
            let outcome = rng.pick(&v.sentences).cloned().unwrap_or_default();
            fm.push_str(&format!(
                "outcome: {}\ntags: {}\naliases: {}\nauthor: 基准生成器\nupdated: 2026-11-20\n",
                q(&outcome),
                list(&tags),
                list(&aliases)
            ));
            for h in ["情况", "处理过程", "心得"] {
                body.push_str(&format!("## {h}\n"));
                body.push_str(&paragraph(rng, v, 2, 5));
                body.push('\n');
            }
        }
        Kind::Rule => {
            let (p, zh) = platform.unwrap_or(("law", "法律"));
            let title = format!("{zh}{w1}{w2}规范");
            fm.push_str(&format!(
                "kind: rule\ntitle: {}\nplatform: {p}\nsource: {}\nreviewed: 2026-11-01\n",
                q(&title),
                q(&format!("《{zh}{w1}管理规范》第{}条", rng.range(1, 60)))
            ));
            fm.push_str(&format!(
                "tags: {}\naliases: {}\nauthor: 基准生成器\nupdated: 2026-11-20\n",
                list(&tags),
                list(&aliases)
            ));
            body.push_str("## 条文要点\n");
            body.push_str(&bullets(rng, v, 4, 10));
        }
        Kind::Drill => {
            let title = format!("买家{w1}{w2}");
            fm.push_str(&format!(
                "kind: drill\ntitle: {}\ntags: {}\n",
                q(&title),
                list(&tags)
            ));
            if let Some(front) = rng.pick(&v.drill_front) {
                fm.push_str(front);
                fm.push('\n');
            }
            body.push_str(&paragraph(rng, v, 1, 3));
        }
    }
    fm.push_str("---\n");
    fm.push_str(&body);
    GeneratedDoc {
        rel_path: format!("{dir}/g{i:06}.md"),
        text: fm,
    }
}

/// Writes the documents below `dir` (emptied first), with the vocabulary folder's `dict/` and
/// `scoring/` so the generated corpus uses the same dictionary and lexicon.
pub(crate) fn write(dir: &Path, docs: &[GeneratedDoc], vocab_dir: &Path) -> std::io::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    for sub in ["playbooks", "cases", "rules", "drills", "dict", "scoring"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    for sub in ["dict", "scoring"] {
        let from = vocab_dir.join(sub);
        if let Ok(entries) = std::fs::read_dir(&from) {
            for e in entries.flatten() {
                if e.path().is_file() {
                    std::fs::copy(e.path(), dir.join(sub).join(e.file_name()))?;
                }
            }
        }
    }
    for d in docs {
        std::fs::write(dir.join(&d.rel_path), &d.text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content")
    }

    #[test]
    fn same_seed_same_corpus_other_seed_other_corpus() {
        let v = Vocabulary::from_content(&shipped()).expect("vocabulary");
        let a = generate(&v, 300, 7);
        let b = generate(&v, 300, 7);
        let c = generate(&v, 300, 8);
        assert_eq!(a, b);
        assert_ne!(a, c);
        // A longer corpus starts with the shorter one: sizes are nested.
        assert_eq!(generate(&v, 100, 7)[..], a[..100]);
    }

    #[test]
    fn generated_documents_load_with_the_shipped_mix_of_kinds() {
        let v = Vocabulary::from_content(&shipped()).expect("vocabulary");
        let docs = generate(&v, 400, DEFAULT_SEED);
        let mut kinds = std::collections::BTreeMap::new();
        for g in &docs {
            let (doc, problems) =
                kefu_core::content::load_file_text(&g.rel_path, g.text.as_bytes());
            let errors: Vec<_> = problems
                .iter()
                .filter(|p| p.severity == kefu_core::Severity::Error)
                .collect();
            let doc = doc.unwrap_or_else(|| panic!("{} did not load: {problems:?}", g.rel_path));
            assert!(errors.is_empty(), "{}: {errors:?}\n{}", g.rel_path, g.text);
            assert!(!doc.title.is_empty());
            if doc.kind == Kind::Playbook {
                assert!(!doc.phrases.is_empty(), "{}", g.text);
                assert!(doc.phrases.iter().all(|p| !p.code.is_empty()));
            }
            *kinds.entry(doc.kind).or_insert(0usize) += 1;
        }
        for (kind, lo, hi) in [
            (Kind::Playbook, 80, 150),
            (Kind::Case, 25, 75),
            (Kind::Rule, 55, 115),
            (Kind::Drill, 110, 200),
        ] {
            let n = kinds.get(&kind).copied().unwrap_or(0);
            assert!((lo..=hi).contains(&n), "{kind:?}: {n} of 400 ({kinds:?})");
        }
    }
}
