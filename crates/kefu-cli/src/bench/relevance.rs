//! Relevance: the AFQMC customer-service FAQ set (real Alipay customer questions, each with the
//! FAQ entry that answers it) and the labelled agent queries for the content folder.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use kefu_core::search::dict::Dictionary;
use kefu_core::search::query::parse;
use kefu_core::{Library, LibraryConfig, SearchOptions, SystemClock};

use super::fts::{BaseDoc, Brute, Fts, Variant};
use super::metrics::{Judged, ScoreSum, Scores};
use super::{BenchArgs, BenchResult, load_plain};

/// Cut-off of every relevance metric.
pub(crate) const K: usize = 10;

/// Relevance figures per system.
#[derive(Debug, Default)]
pub(crate) struct Relevance {
    /// `None` when the FAQ set is not on this machine.
    pub(crate) afqmc: Option<Vec<(String, Scores)>>,
    pub(crate) shipped: Vec<(String, Scores)>,
    /// Shipped queries where Kefu's first relevant result is not first: (query, rank or 0, top hit).
    pub(crate) shipped_misses: Vec<(String, usize, String)>,
}

/// One labelled query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Labelled {
    pub(crate) query: String,
    pub(crate) judged: Judged,
}

/// Parses `query <TAB> id:gain id:gain … [<TAB> note]`; `#` lines and blank lines are skipped.
pub(crate) fn parse_labels(text: &str) -> Result<Vec<Labelled>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.split('\t');
        let query = cols.next().unwrap_or("").to_string();
        let ids = cols.next().unwrap_or("");
        let mut judged = Judged::new();
        for item in ids.split_whitespace() {
            let (id, gain) = item.rsplit_once(':').unwrap_or((item, "1"));
            let gain: u32 = gain
                .parse()
                .map_err(|_| format!("line {}: bad gain in `{item}`", i + 1))?;
            judged.insert(id.to_string(), gain);
        }
        if query.is_empty() || judged.is_empty() {
            return Err(format!("line {}: needs a query and relevant ids", i + 1));
        }
        out.push(Labelled { query, judged });
    }
    Ok(out)
}

fn open_memory(dir: &Path) -> BenchResult<Library> {
    Ok(Library::open(
        LibraryConfig {
            content_dir: dir.to_path_buf(),
            data_dir: None,
        },
        Arc::new(SystemClock),
    )?)
}

fn kefu_ids(lib: &Library, q: &str, strip: &str) -> BenchResult<Vec<String>> {
    let opts = SearchOptions {
        limit: K,
        ..SearchOptions::default()
    };
    Ok(lib
        .search(q, &opts)?
        .hits
        .into_iter()
        .map(|h| h.id.strip_prefix(strip).unwrap_or(&h.id).to_string())
        .collect())
}

pub(crate) fn run(content: &Path, args: &BenchArgs, out: &Path) -> BenchResult<Relevance> {
    let mut rel = Relevance::default();
    let (dict, _) = Dictionary::load(content);
    let jieba = dict.jieba();

    // Shipped content: agent queries, every system with its agent-query translation.
    let labels = parse_labels(&std::fs::read_to_string(&args.shipped)?)?;
    let lib = open_memory(content)?;
    let mut kefu = ScoreSum::default();
    for l in &labels {
        let ids = kefu_ids(&lib, &l.query, "")?;
        kefu.add(&ids, &l.judged, K);
        let first = ids
            .iter()
            .position(|id| l.judged.get(id).is_some_and(|g| *g > 0));
        if first != Some(0) {
            rel.shipped_misses.push((
                l.query.clone(),
                first.map_or(0, |p| p + 1),
                ids.first().cloned().unwrap_or_default(),
            ));
        }
    }
    rel.shipped.push(("Kefu".into(), kefu.mean()));
    let (docs, plain) = load_plain(content)?;
    let base: Vec<BaseDoc> = docs
        .iter()
        .zip(&plain)
        .map(|(d, p)| BaseDoc::from_doc(d, p))
        .collect();
    for v in Variant::ALL {
        let path = out.join(format!("fts-{v:?}-shipped.sqlite3").to_lowercase());
        let mut f = Fts::create(&path, v, Arc::clone(&jieba))?;
        f.insert_all(&base)?;
        let mut s = ScoreSum::default();
        for l in &labels {
            s.add(&f.search(&parse(&l.query), K)?, &l.judged, K);
        }
        rel.shipped.push((v.label().into(), s.mean()));
    }
    let brute = Brute::new(&base);
    let mut s = ScoreSum::default();
    for l in &labels {
        s.add(&brute.search(&parse(&l.query), K), &l.judged, K);
    }
    rel.shipped.push(("brute force".into(), s.mean()));

    // AFQMC FAQ: each FAQ question is a document titled by its text; queries are questions.
    if args.afqmc.join("corpus.tsv").is_file() {
        rel.afqmc = Some(afqmc(&args.afqmc, out)?);
    } else {
        eprintln!(
            "kefu bench: {} not found; FAQ relevance skipped",
            args.afqmc.display()
        );
    }
    Ok(rel)
}

fn read_tsv(path: &Path) -> BenchResult<Vec<Vec<String>>> {
    Ok(std::fs::read_to_string(path)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect())
}

fn afqmc(dir: &Path, out: &Path) -> BenchResult<Vec<(String, Scores)>> {
    let corpus = read_tsv(&dir.join("corpus.tsv"))?;
    let queries = read_tsv(&dir.join("queries.tsv"))?;
    let mut qrels: HashMap<String, Judged> = HashMap::new();
    for r in read_tsv(&dir.join("qrels.tsv"))? {
        if let [qid, _, doc, gain, ..] = r.as_slice() {
            qrels
                .entry(qid.clone())
                .or_default()
                .insert(doc.clone(), gain.parse().unwrap_or(1));
        }
    }
    let content = out.join("afqmc-content");
    if content.exists() {
        std::fs::remove_dir_all(&content)?;
    }
    std::fs::create_dir_all(content.join("faq"))?;
    let mut base = Vec::new();
    for r in &corpus {
        if let [id, text, ..] = r.as_slice() {
            let title = serde_json::to_string(text)?;
            std::fs::write(
                content.join("faq").join(format!("{id}.md")),
                format!("---\nkind: playbook\ntitle: {title}\n---\n"),
            )?;
            base.push(BaseDoc {
                id: id.clone(),
                kind: "playbook".into(),
                platforms: "all".into(),
                title: text.clone(),
                body: String::new(),
            });
        }
    }
    let judged_queries: Vec<(&str, &Judged)> = queries
        .iter()
        .filter_map(|r| {
            let (qid, text) = (r.first()?, r.get(1)?);
            Some((text.as_str(), qrels.get(qid)?))
        })
        .collect();
    let mut results = Vec::new();
    let lib = open_memory(&content)?;
    let mut s = ScoreSum::default();
    for (q, j) in &judged_queries {
        s.add(&kefu_ids(&lib, q, "faq/")?, j, K);
    }
    results.push(("Kefu".to_string(), s.mean()));
    // The FAQ folder has no team dictionary: jieba's default one, as for Kefu.
    let jieba = Dictionary::default().jieba();
    for v in Variant::ALL {
        let path = out.join(format!("fts-{v:?}-afqmc.sqlite3").to_lowercase());
        let mut f = Fts::create(&path, v, Arc::clone(&jieba))?;
        f.insert_all(&base)?;
        let mut s = ScoreSum::default();
        for (q, j) in &judged_queries {
            s.add(&f.search_any(q, K)?, j, K);
        }
        results.push((v.label().to_string(), s.mean()));
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_parse_gains_and_reject_incomplete_lines() {
        let l = parse_labels("# c\n\n催单\tplaybooks/cuifahuo:2 rules/x\t2 chars\n").expect("ok");
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].query, "催单");
        assert_eq!(l[0].judged.get("playbooks/cuifahuo"), Some(&2));
        assert_eq!(l[0].judged.get("rules/x"), Some(&1));
        assert!(parse_labels("催单\n").is_err());
        assert!(parse_labels("催单\ta:x\n").is_err());
    }

    #[test]
    fn the_shipped_label_file_is_valid_and_names_existing_documents() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let text = std::fs::read_to_string(root.join("tests/relevance/shipped.tsv")).expect("read");
        let labels = parse_labels(&text).expect("parse");
        assert!(labels.len() >= 50, "{} queries", labels.len());
        let loaded = kefu_core::content::load(&root.join("content")).expect("load");
        for l in &labels {
            for id in l.judged.keys() {
                assert!(
                    loaded.docs.iter().any(|d| &d.id == id),
                    "{}: no document {id}",
                    l.query
                );
            }
        }
    }
}
