//! The baselines a team could use instead of Kefu: SQLite FTS5 (through rusqlite, the same
//! bundled SQLite Kefu already links for its practice store) with three tokenizations, and a
//! brute-force scan of every file's text.
//!
//! Each baseline gets the strongest fair translation of a query we could write:
//! - `trigram`: words of 3+ characters are substring `MATCH`es ranked by bm25; shorter words
//!   (most Chinese words are two characters) cannot use a trigram index, so they become
//!   `LIKE '%word%'` on the same rows, as SQLite's documentation suggests;
//! - `unicode61`: words are `MATCH`ed as tokens (the last one as a prefix while typing). This
//!   tokenizer keeps a run of Chinese characters as one token, which is what an untuned setup gets;
//! - `jieba`: the text is segmented by jieba (search mode, with the team's dictionary) before it
//!   is stored, the query words are segmented the same way and `AND`ed (last word as a prefix);
//!   long natural-language questions (the FAQ set) are `OR`ed instead.
//!
//! Filters (`kind:`, `platform:`) are columns tested in SQL. Titles weigh 4× body text in bm25,
//! as in Kefu. FTS5 has no pinyin: `cfh` is searched as text.

use std::path::Path;
use std::sync::Arc;

use jieba_rs::Jieba;
use kefu_core::search::query::ParsedQuery;
use rusqlite::{Connection, params, params_from_iter};

/// A document as the baselines see it.
#[derive(Debug, Clone)]
pub(crate) struct BaseDoc {
    pub(crate) id: String,
    pub(crate) kind: String,
    /// Space-separated platform names, or `all`.
    pub(crate) platforms: String,
    pub(crate) title: String,
    /// Aliases, tags, phrases and body text.
    pub(crate) body: String,
}

impl BaseDoc {
    pub(crate) fn from_doc(d: &kefu_core::Document, plain: &str) -> BaseDoc {
        let mut body = String::new();
        for s in d.aliases.iter().chain(&d.tags) {
            body.push_str(s);
            body.push(' ');
        }
        for p in &d.phrases {
            body.push_str(&p.code);
            body.push(' ');
            body.push_str(&p.when);
            body.push(' ');
            body.push_str(&p.text);
            body.push('\n');
        }
        body.push_str(plain);
        body.push('\n');
        body.push_str(&d.extra_text);
        let platforms = if d.platforms.is_empty() {
            "all".to_string()
        } else {
            d.platforms
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        };
        BaseDoc {
            id: d.id.clone(),
            kind: d.kind.as_str().to_string(),
            platforms,
            title: d.title.clone(),
            body,
        }
    }
}

/// Which FTS5 set-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Variant {
    Trigram,
    Unicode61,
    Jieba,
}

impl Variant {
    pub(crate) const ALL: [Variant; 3] = [Variant::Trigram, Variant::Unicode61, Variant::Jieba];

    pub(crate) fn label(self) -> &'static str {
        match self {
            Variant::Trigram => "FTS5 trigram",
            Variant::Unicode61 => "FTS5 unicode61",
            Variant::Jieba => "FTS5 jieba",
        }
    }

    fn tokenizer(self) -> &'static str {
        match self {
            Variant::Trigram => "trigram",
            Variant::Unicode61 | Variant::Jieba => "unicode61",
        }
    }
}

/// One FTS5 index in a SQLite file.
pub(crate) struct Fts {
    conn: Connection,
    variant: Variant,
    jieba: Arc<Jieba>,
}

type SqlResult<T> = Result<T, rusqlite::Error>;

/// jieba words of `text` (search mode adds the sub-words of long words), punctuation dropped.
fn words<'a>(jieba: &Jieba, text: &'a str, search: bool) -> Vec<&'a str> {
    let tokens = if search {
        jieba.cut_for_search(text, true)
    } else {
        jieba.cut(text, true)
    };
    tokens
        .into_iter()
        .map(|t| t.word)
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect()
}

/// An FTS5 string literal: the text in double quotes, inner quotes doubled.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

impl Fts {
    /// Creates (replacing) the database at `path`.
    pub(crate) fn create(path: &Path, variant: Variant, jieba: Arc<Jieba>) -> SqlResult<Fts> {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(&p);
        }
        let conn = Connection::open(path)?;
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")?;
        conn.execute_batch(&format!(
            "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, kind UNINDEXED, \
             platforms UNINDEXED, title, body, tokenize='{}');",
            variant.tokenizer()
        ))?;
        Ok(Fts {
            conn,
            variant,
            jieba,
        })
    }

    /// Text as stored: jieba words separated by spaces for the jieba variant.
    fn prepare(variant: Variant, jieba: &Jieba, text: &str) -> String {
        match variant {
            Variant::Jieba => words(jieba, text, true).join(" "),
            _ => text.to_string(),
        }
    }

    /// Inserts all documents in one transaction.
    pub(crate) fn insert_all(&mut self, docs: &[BaseDoc]) -> SqlResult<()> {
        let (variant, jieba) = (self.variant, Arc::clone(&self.jieba));
        let tx = self.conn.transaction()?;
        {
            let mut st = tx.prepare(
                "INSERT INTO docs(id, kind, platforms, title, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for d in docs {
                let (title, body) = match variant {
                    Variant::Jieba => (
                        Fts::prepare(variant, &jieba, &d.title),
                        Fts::prepare(variant, &jieba, &d.body),
                    ),
                    _ => (d.title.clone(), d.body.clone()),
                };
                st.execute(params![d.id, d.kind, d.platforms, title, body])?;
            }
        }
        tx.commit()
    }

    /// Replaces one document (what saving one file costs) and commits.
    pub(crate) fn update(&mut self, d: &BaseDoc) -> SqlResult<()> {
        let (title, body) = (
            Fts::prepare(self.variant, &self.jieba, &d.title),
            Fts::prepare(self.variant, &self.jieba, &d.body),
        );
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM docs WHERE id = ?1", params![d.id])?;
        tx.execute(
            "INSERT INTO docs(id, kind, platforms, title, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![d.id, d.kind, d.platforms, title, body],
        )?;
        tx.commit()
    }

    /// An agent's query (every word must match; filters apply). Returns ids, best first.
    pub(crate) fn search(&self, q: &ParsedQuery, limit: usize) -> SqlResult<Vec<String>> {
        let mut matches: Vec<String> = Vec::new();
        let mut likes: Vec<String> = Vec::new();
        for t in &q.terms {
            let text = t.text.to_lowercase();
            match self.variant {
                Variant::Trigram => {
                    if text.chars().count() >= 3 {
                        matches.push(quoted(&text));
                    } else {
                        likes.push(format!("%{text}%"));
                    }
                }
                Variant::Unicode61 => {
                    let star = if t.prefix { "*" } else { "" };
                    matches.push(format!("{}{star}", quoted(&text)));
                }
                Variant::Jieba => {
                    let words = words(&self.jieba, &text, false);
                    if t.phrase {
                        matches.push(quoted(&words.join(" ")));
                    } else {
                        let n = words.len();
                        for (i, w) in words.into_iter().enumerate() {
                            let star = if t.prefix && i + 1 == n { "*" } else { "" };
                            matches.push(format!("{}{star}", quoted(w)));
                        }
                    }
                }
            }
        }
        let mut sql = String::from("SELECT id FROM docs WHERE 1");
        let mut args: Vec<String> = Vec::new();
        if !matches.is_empty() {
            args.push(matches.join(" AND "));
            sql.push_str(&format!(" AND docs MATCH ?{}", args.len()));
        }
        for l in likes {
            args.push(l);
            let n = args.len();
            sql.push_str(&format!(" AND (title LIKE ?{n} OR body LIKE ?{n})"));
        }
        if !q.kinds.is_empty() {
            let ors: Vec<String> = q
                .kinds
                .iter()
                .map(|k| {
                    args.push(k.as_str().to_string());
                    format!("kind = ?{}", args.len())
                })
                .collect();
            sql.push_str(&format!(" AND ({})", ors.join(" OR ")));
        }
        if !q.platforms.is_empty() {
            let mut ors = vec!["platforms = 'all'".to_string()];
            for p in &q.platforms {
                args.push(p.as_str().to_string());
                ors.push(format!("instr(platforms, ?{}) > 0", args.len()));
            }
            sql.push_str(&format!(" AND ({})", ors.join(" OR ")));
        }
        if !matches.is_empty() {
            sql.push_str(" ORDER BY bm25(docs, 0, 0, 0, 4.0, 1.0)");
        }
        sql.push_str(&format!(" LIMIT {limit}"));
        self.query_ids(&sql, &args)
    }

    /// A long natural-language question: any of its words (trigrams for `trigram`), bm25 order.
    pub(crate) fn search_any(&self, text: &str, limit: usize) -> SqlResult<Vec<String>> {
        let text = text.to_lowercase();
        let mut words: Vec<String> = match self.variant {
            Variant::Trigram => {
                let chars: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).collect();
                chars.windows(3).map(|w| w.iter().collect()).collect()
            }
            Variant::Unicode61 => text
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect(),
            Variant::Jieba => words(&self.jieba, &text, true)
                .into_iter()
                .map(str::to_string)
                .collect(),
        };
        words.sort();
        words.dedup();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let expr = words
            .iter()
            .map(|w| quoted(w))
            .collect::<Vec<_>>()
            .join(" OR ");
        self.query_ids(
            &format!(
                "SELECT id FROM docs WHERE docs MATCH ?1 \
                 ORDER BY bm25(docs, 0, 0, 0, 4.0, 1.0) LIMIT {limit}"
            ),
            &[expr],
        )
    }

    fn query_ids(&self, sql: &str, args: &[String]) -> SqlResult<Vec<String>> {
        let mut st = self.conn.prepare_cached(sql)?;
        let rows = st.query_map(params_from_iter(args.iter()), |r| r.get::<_, String>(0))?;
        rows.collect()
    }
}

/// Grep over every document's text in memory: each word must occur (case-insensitive);
/// documents matching in the title come first, then by number of occurrences.
pub(crate) struct Brute {
    docs: Vec<(BaseDoc, String, String)>,
}

impl Brute {
    pub(crate) fn new(docs: &[BaseDoc]) -> Brute {
        Brute {
            docs: docs
                .iter()
                .map(|d| (d.clone(), d.title.to_lowercase(), d.body.to_lowercase()))
                .collect(),
        }
    }

    pub(crate) fn search(&self, q: &ParsedQuery, limit: usize) -> Vec<String> {
        let words: Vec<String> = q.terms.iter().map(|t| t.text.to_lowercase()).collect();
        let mut hits: Vec<(usize, &str)> = Vec::new();
        for (d, title, body) in &self.docs {
            if !q.kinds.is_empty() && !q.kinds.iter().any(|k| k.as_str() == d.kind) {
                continue;
            }
            if !q.platforms.is_empty()
                && d.platforms != "all"
                && !q.platforms.iter().any(|p| d.platforms.contains(p.as_str()))
            {
                continue;
            }
            let mut score = 0;
            let mut all = true;
            for w in &words {
                let in_title = title.matches(w.as_str()).count();
                let in_body = body.matches(w.as_str()).count();
                if in_title + in_body == 0 {
                    all = false;
                    break;
                }
                score += in_title * 10 + in_body;
            }
            if all {
                hits.push((score, &d.id));
            }
        }
        hits.sort_by_key(|h| std::cmp::Reverse(h.0));
        hits.into_iter()
            .take(limit)
            .map(|(_, id)| id.to_string())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kefu_core::search::query::parse;

    fn doc(id: &str, kind: &str, platforms: &str, title: &str, body: &str) -> BaseDoc {
        BaseDoc {
            id: id.into(),
            kind: kind.into(),
            platforms: platforms.into(),
            title: title.into(),
            body: body.into(),
        }
    }

    fn docs() -> Vec<BaseDoc> {
        vec![
            doc(
                "playbooks/cuifahuo",
                "playbook",
                "all",
                "催发货",
                "买家问什么时候发货，先安抚再跟仓库说插队",
            ),
            doc(
                "playbooks/pdd-refund",
                "playbook",
                "pdd",
                "拼多多仅退款申请处理",
                "已发货仅退款要先拦截快递",
            ),
            doc(
                "rules/law-7day-return",
                "rule",
                "all",
                "七日无理由退货",
                "消费者自收到商品之日起七日内可以退货",
            ),
        ]
    }

    #[test]
    fn every_variant_finds_words_phrases_and_honours_filters() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut jieba = Jieba::new();
        jieba.add_word("仅退款", Some(2000), None);
        let jieba = Arc::new(jieba);
        for v in Variant::ALL {
            let mut f = Fts::create(&dir.path().join(format!("{v:?}.db")), v, Arc::clone(&jieba))
                .expect("create");
            f.insert_all(&docs()).expect("insert");
            let ids = |f: &Fts, q: &str| f.search(&parse(q), 10).expect("search");
            let phrase = ids(&f, "\"仅退款\"");
            if v == Variant::Unicode61 {
                // unicode61 keeps a run of Chinese characters as one token: no match inside it.
                assert!(phrase.is_empty(), "{phrase:?}");
            } else {
                assert_eq!(phrase, vec!["playbooks/pdd-refund"], "{v:?}");
            }
            assert_eq!(ids(&f, "催发货"), vec!["playbooks/cuifahuo"], "{v:?}");
            if v != Variant::Unicode61 {
                // Two-character word inside running Chinese text.
                assert_eq!(
                    ids(&f, "退货 kind:rule"),
                    vec!["rules/law-7day-return"],
                    "{v:?}"
                );
                assert!(ids(&f, "退货 kind:playbook").is_empty(), "{v:?}");
                assert_eq!(
                    ids(&f, "退款 platform:pdd"),
                    vec!["playbooks/pdd-refund"],
                    "{v:?}"
                );
                assert!(ids(&f, "退款 platform:jd").is_empty(), "{v:?}");
            }
            let any = f.search_any("什么时候发货呀", 10).expect("any");
            if v != Variant::Unicode61 {
                assert_eq!(
                    any.first().map(String::as_str),
                    Some("playbooks/cuifahuo"),
                    "{v:?}"
                );
            }
            let mut changed = docs()[2].clone();
            changed.title = "七日无理由退货（改）".into();
            changed.body = "完全不同的正文 物流停滞".into();
            f.update(&changed).expect("update");
            if v != Variant::Unicode61 {
                assert!(
                    ids(&f, "消费者 kind:rule").is_empty(),
                    "{v:?}: old text gone"
                );
            }
            let expected = if v == Variant::Unicode61 { 0 } else { 1 };
            assert_eq!(ids(&f, "停滞").len(), expected, "{v:?}");
        }
    }

    #[test]
    fn brute_force_needs_every_word_and_ranks_title_matches_first() {
        let b = Brute::new(&docs());
        assert_eq!(b.search(&parse("退货"), 10), vec!["rules/law-7day-return"]);
        assert_eq!(
            b.search(&parse("退款 拦截"), 10),
            vec!["playbooks/pdd-refund"]
        );
        assert!(b.search(&parse("退款 platform:jd"), 10).is_empty());
        assert_eq!(b.search(&parse("发货"), 10)[0], "playbooks/cuifahuo");
    }
}
