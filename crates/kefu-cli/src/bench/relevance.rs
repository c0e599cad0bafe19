//! Relevance: the AFQMC customer-service FAQ set (real Alipay customer questions, each with the
//! FAQ entry that answers it), the labelled agent queries for the content folder, and the
//! labelled customer messages for it (a reported set and a development set). Kefu is measured
//! as the app runs it ("Kefu") and by its parts: words only, meaning only, and the agent-keyword
//! path alone (how Kefu searched before it recognised messages).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use kefu_core::search::dict::Dictionary;
use kefu_core::search::hybrid::{FUSION, Fusion};
use kefu_core::search::query::parse;
use kefu_core::semantic::Semantic;
use kefu_core::{Library, LibraryConfig, MatchMode, SearchOptions, SystemClock};

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
    /// Customer-message sets: (label, per system).
    pub(crate) customer: Vec<(String, Vec<(String, Scores)>)>,
    /// Per customer set: messages labelled with two intents, and how many have both intents'
    /// documents (gain 2) in Kefu's first three results.
    pub(crate) multi_intent: Vec<(String, usize, usize)>,
    /// Whether matching by meaning was on, and the encoder's figures.
    pub(crate) semantic: Option<SemanticFigures>,
    /// Shipped queries where Kefu's first relevant result is not first: (query, rank or 0, top hit).
    pub(crate) shipped_misses: Vec<(String, usize, String)>,
}

/// The encoder, as measured in the relevance run.
#[derive(Debug, Clone, Default)]
pub(crate) struct SemanticFigures {
    /// Model load time.
    pub(crate) load_ms: f64,
    /// Pieces of the shipped content.
    pub(crate) shipped_units: usize,
    /// Time to embed all of them from an empty cache (all cores).
    pub(crate) shipped_embed_s: f64,
    /// Units per second, all cores.
    pub(crate) units_per_s: f64,
    /// Resident memory the loaded model added, MB (Linux).
    pub(crate) rss_mb: Option<f64>,
    /// Scoring a drill reply by meaning, encoder warm (every reference and poor reply of the
    /// shipped drills): how many, and the latency.
    pub(crate) scored: usize,
    pub(crate) score_latency: Option<super::metrics::Latency>,
    /// The same for the replies of the hard pairs (as trainees write them).
    pub(crate) written: usize,
    pub(crate) written_latency: Option<super::metrics::Latency>,
}

/// This process's resident memory, MB (Linux only).
fn rss_mb() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = s
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// The systems measured as Kefu, by mode.
const MODES: [(&str, MatchMode); 4] = [
    ("Kefu", MatchMode::Auto),
    ("Kefu words only", MatchMode::Lexical),
    ("Kefu meaning only", MatchMode::Dense),
    ("Kefu typed path", MatchMode::Typed),
];

/// One labelled query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Labelled {
    pub(crate) query: String,
    pub(crate) judged: Judged,
    /// The third column (how it was typed, or the intents of a message).
    pub(crate) note: String,
}

/// The messages of a labelled set (for timing).
pub(crate) fn messages(path: &Path) -> BenchResult<Vec<String>> {
    if !path.is_file() {
        return Ok(Vec::new());
    }
    Ok(parse_labels(&std::fs::read_to_string(path)?)?
        .into_iter()
        .map(|l| l.query)
        .collect())
}

/// Parses `query <TAB> id:gain id:gain … [<TAB> note]`; `#` lines and blank lines are skipped.
pub(crate) fn parse_labels(text: &str) -> Result<Vec<Labelled>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.split('\t');
        // A line break inside a message is written as the two characters `\n`.
        let query = cols.next().unwrap_or("").replace("\\n", "\n");
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
        let note = cols.next().unwrap_or("").to_string();
        out.push(Labelled {
            query,
            judged,
            note,
        });
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
    kefu_ids_with(lib, q, strip, MatchMode::Auto)
}

fn kefu_ids_with(lib: &Library, q: &str, strip: &str, mode: MatchMode) -> BenchResult<Vec<String>> {
    let opts = SearchOptions {
        limit: K,
        ..SearchOptions::default()
    };
    Ok(lib
        .search_with(q, &opts, mode)?
        .hits
        .into_iter()
        .map(|h| h.id.strip_prefix(strip).unwrap_or(&h.id).to_string())
        .collect())
}

/// The fusion from `--fusion k,lexical,dense`, else the default.
fn fusion(args: &BenchArgs) -> BenchResult<Fusion> {
    let Some(s) = &args.fusion else {
        return Ok(FUSION);
    };
    let v: Vec<f32> = s
        .split(',')
        .map(|x| x.trim().parse::<f32>())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("--fusion {s}: {e}"))?;
    match v.as_slice() {
        [k, lexical, dense] => Ok(Fusion {
            k: *k,
            lexical: *lexical,
            dense: *dense,
            ..FUSION
        }),
        _ => Err(format!("--fusion {s}: expected k,lexical,dense").into()),
    }
}

/// A library in memory sharing `semantic`, with every piece embedded.
fn open_semantic(dir: &Path, semantic: &Arc<Semantic>, fusion: Fusion) -> BenchResult<Library> {
    let mut lib = open_memory(dir)?;
    lib.use_semantic(Arc::clone(semantic));
    lib.set_fusion(fusion);
    let todo = lib.embed_todo();
    if !todo.is_empty() {
        eprintln!(
            "kefu bench: embedding {} pieces of {}",
            todo.len(),
            dir.display()
        );
        semantic.embed_all(&todo)?;
    }
    Ok(lib)
}

/// Kefu in each mode on labelled queries.
fn kefu_modes(
    lib: &Library,
    labels: &[(&str, &Judged)],
    strip: &str,
) -> BenchResult<Vec<(String, Scores)>> {
    // Queries outer, modes inner: each message is encoded once (the encoder remembers recent
    // queries).
    let mut sums: Vec<ScoreSum> = MODES.iter().map(|_| ScoreSum::default()).collect();
    for (q, j) in labels {
        for ((_, mode), s) in MODES.iter().zip(&mut sums) {
            s.add(&kefu_ids_with(lib, q, strip, *mode)?, j, K);
        }
    }
    Ok(MODES
        .iter()
        .zip(sums)
        .map(|((name, _), s)| (name.to_string(), s.mean()))
        .collect())
}

pub(crate) fn run(content: &Path, args: &BenchArgs, out: &Path) -> BenchResult<Relevance> {
    let mut rel = Relevance::default();
    let (dict, _) = Dictionary::load(content);
    let jieba = dict.jieba();
    let fusion = fusion(args)?;

    // The encoder, with its vector cache in the work folder (a rerun embeds nothing again).
    let semantic = Arc::new(Semantic::new(Some(out.join("vectors"))));
    let before = rss_mb();
    match kefu_core::semantic::start(&semantic, &kefu_core::semantic::repo_model_dirs()) {
        Some(enc) => {
            let mut fig = SemanticFigures {
                load_ms: enc.load_ms() as f64,
                rss_mb: rss_mb().zip(before).map(|(a, b)| a - b),
                ..SemanticFigures::default()
            };
            // Throughput from an empty cache on the shipped content.
            let fresh = Arc::new(Semantic::new(None));
            fresh.set_encoder(Arc::clone(&enc));
            let mut lib = open_memory(content)?;
            lib.use_semantic(Arc::clone(&fresh));
            let todo = lib.embed_todo();
            let t = Instant::now();
            fresh.embed_all(&todo)?;
            fig.shipped_embed_s = t.elapsed().as_secs_f64();
            fig.shipped_units = todo.len();
            fig.units_per_s = todo.len() as f64 / fig.shipped_embed_s.max(1e-9);
            rel.semantic = Some(fig);
        }
        None => eprintln!("kefu bench: no model file: matching by meaning is off in this run"),
    }

    // Shipped content: agent queries, every system with its agent-query translation.
    let labels = parse_labels(&std::fs::read_to_string(&args.shipped)?)?;
    let lib = open_semantic(content, &semantic, fusion)?;
    if let Some(fig) = rel.semantic.as_mut() {
        // Drill scoring by meaning, warm: what it compares with embedded first (the app does
        // this in the background after the content).
        semantic.embed_all(&lib.scoring_todo())?;
        lib.warm_scoring();
        let replies: Vec<(String, String)> = lib
            .drills()
            .flat_map(|(doc, d)| {
                d.references
                    .iter()
                    .cloned()
                    .chain(d.poor.iter().map(|p| p.text.clone()))
                    .map(|r| (doc.id.clone(), r))
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut times = Vec::with_capacity(replies.len());
        for (id, reply) in &replies {
            let t = Instant::now();
            std::hint::black_box(lib.score_reply(id, reply, None)?);
            times.push(t.elapsed().as_secs_f64() * 1e6);
        }
        fig.scored = replies.len();
        fig.score_latency = Some(super::metrics::latency(times));
        // Replies as trainees write them (paraphrases, and copies with a clause changed): the
        // better and worse replies of the reported hard pairs. Clauses copied word for word
        // from a reference come from the cache, so the shipped replies above are the easy case.
        if let Ok(text) = std::fs::read_to_string(&args.drill_pairs) {
            #[derive(serde::Deserialize)]
            struct Pair {
                drill: String,
                better: String,
                worse: String,
            }
            #[derive(serde::Deserialize)]
            struct Pairs {
                pairs: Vec<Pair>,
            }
            let set: Pairs = serde_saphyr::from_str(&text)
                .map_err(|e| format!("{}: {e}", args.drill_pairs.display()))?;
            let mut times = Vec::new();
            for p in &set.pairs {
                for reply in [&p.better, &p.worse] {
                    let t = Instant::now();
                    std::hint::black_box(lib.score_reply(&p.drill, reply, None)?);
                    times.push(t.elapsed().as_secs_f64() * 1e6);
                }
            }
            fig.written = times.len();
            fig.written_latency = Some(super::metrics::latency(times));
        }
    }
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
    let typed: Vec<(&str, &Judged)> = labels
        .iter()
        .map(|l| (l.query.as_str(), &l.judged))
        .collect();
    let modes = kefu_modes(&lib, &typed, "")?;
    rel.shipped
        .extend(modes.into_iter().filter(|(n, _)| n == "Kefu typed path"));
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

    // Customer messages: Kefu's modes, a character uni+bigram BM25, and FTS5 matching any word.
    let bm25 = CharBm25::new(
        base.iter()
            .map(|d| (d.id.clone(), format!("{} {}", d.title, d.body))),
    );
    for (label, path) in [
        ("customer messages", &args.customer),
        ("customer messages (dev, tuned on)", &args.customer_dev),
        ("customer messages, new topics", &args.customer_topics),
        (
            "customer messages, labels extended to later documents",
            &args.customer_extended,
        ),
    ] {
        if !path.is_file() {
            eprintln!("kefu bench: {} not found; skipped", path.display());
            continue;
        }
        let labels = parse_labels(&std::fs::read_to_string(path)?)?;
        let judged: Vec<(&str, &Judged)> = labels
            .iter()
            .map(|l| (l.query.as_str(), &l.judged))
            .collect();
        let mut systems = kefu_modes(&lib, &judged, "")?;
        let multi: Vec<&Labelled> = labels
            .iter()
            .filter(|l| {
                l.note.contains("multi-intent")
                    && l.judged.values().filter(|g| **g >= 2).count() >= 2
            })
            .collect();
        let mut both = 0;
        for l in &multi {
            let top = kefu_ids(&lib, &l.query, "")?;
            let top3 = &top[..top.len().min(3)];
            let wanted: Vec<&String> = l
                .judged
                .iter()
                .filter(|(_, g)| **g >= 2)
                .map(|(id, _)| id)
                .collect();
            if wanted.iter().all(|id| top3.contains(id)) {
                both += 1;
            }
        }
        rel.multi_intent
            .push((label.to_string(), multi.len(), both));
        let mut s = ScoreSum::default();
        for (q, j) in &judged {
            s.add(&bm25.search(q, K), j, K);
        }
        systems.push(("char BM25".into(), s.mean()));
        for v in Variant::ALL {
            let path = out.join(format!("fts-{v:?}-customer.sqlite3").to_lowercase());
            let mut f = Fts::create(&path, v, Arc::clone(&jieba))?;
            f.insert_all(&base)?;
            let mut s = ScoreSum::default();
            for (q, j) in &judged {
                s.add(&f.search_any(q, K)?, j, K);
            }
            systems.push((v.label().into(), s.mean()));
        }
        rel.customer.push((label.to_string(), systems));
    }

    // AFQMC FAQ: each FAQ question is a document titled by its text; queries are questions.
    if args.afqmc.join("corpus.tsv").is_file() {
        rel.afqmc = Some(afqmc(&args.afqmc, out, &semantic, fusion)?);
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

fn afqmc(
    dir: &Path,
    out: &Path,
    semantic: &Arc<Semantic>,
    fusion: Fusion,
) -> BenchResult<Vec<(String, Scores)>> {
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
    let lib = open_semantic(&content, semantic, fusion)?;
    let mut results = kefu_modes(&lib, &judged_queries, "faq/")?;
    let bm25 = CharBm25::new(base.iter().map(|d| (d.id.clone(), d.title.clone())));
    let mut s = ScoreSum::default();
    for (q, j) in &judged_queries {
        s.add(&bm25.search(q, K), j, K);
    }
    results.push(("char BM25".into(), s.mean()));
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

/// Okapi BM25 over character unigrams and bigrams (k1 1.2, b 0.75): the plain baseline that
/// knows nothing about Chinese words, synonyms or meaning.
pub(crate) struct CharBm25 {
    ids: Vec<String>,
    lens: Vec<f32>,
    avg: f32,
    postings: HashMap<String, Vec<(usize, f32)>>,
}

fn char_terms(text: &str) -> Vec<String> {
    let chars: Vec<char> = text
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    let mut out: Vec<String> = chars.iter().map(|c| c.to_string()).collect();
    out.extend(chars.windows(2).map(|w| w.iter().collect::<String>()));
    out
}

impl CharBm25 {
    pub(crate) fn new(docs: impl Iterator<Item = (String, String)>) -> CharBm25 {
        let mut ids = Vec::new();
        let mut lens = Vec::new();
        let mut postings: HashMap<String, Vec<(usize, f32)>> = HashMap::new();
        for (i, (id, text)) in docs.enumerate() {
            let terms = char_terms(&text);
            lens.push(terms.len() as f32);
            let mut tf: HashMap<String, f32> = HashMap::new();
            for t in terms {
                *tf.entry(t).or_default() += 1.0;
            }
            for (t, f) in tf {
                postings.entry(t).or_default().push((i, f));
            }
            ids.push(id);
        }
        let avg = lens.iter().sum::<f32>() / lens.len().max(1) as f32;
        CharBm25 {
            ids,
            lens,
            avg,
            postings,
        }
    }

    pub(crate) fn search(&self, q: &str, k: usize) -> Vec<String> {
        let n = self.ids.len() as f32;
        let mut score = vec![0f32; self.ids.len()];
        let mut terms = char_terms(q);
        terms.sort();
        terms.dedup();
        for t in terms {
            let Some(p) = self.postings.get(&t) else {
                continue;
            };
            let df = p.len() as f32;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            for &(d, f) in p {
                let norm = 1.2 * (1.0 - 0.75 + 0.75 * self.lens[d] / self.avg.max(1.0));
                score[d] += idf * f * 2.2 / (f + norm);
            }
        }
        let mut order: Vec<usize> = (0..self.ids.len()).filter(|&d| score[d] > 0.0).collect();
        order.sort_by(|&a, &b| score[b].total_cmp(&score[a]).then(a.cmp(&b)));
        order
            .into_iter()
            .take(k)
            .map(|d| self.ids[d].clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_bm25_ranks_the_closer_text_first() {
        let b = CharBm25::new(
            [
                ("a".to_string(), "快递一直不动怎么办".to_string()),
                ("b".to_string(), "发票怎么开".to_string()),
            ]
            .into_iter(),
        );
        assert_eq!(b.search("快递不动", 10), vec!["a".to_string()]);
        assert_eq!(b.search("开发票", 10)[0], "b");
    }

    #[test]
    fn the_customer_label_files_are_valid_and_name_existing_documents() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let loaded = kefu_core::content::load(&root.join("content")).expect("load");
        for (file, min) in [
            ("customer.tsv", 100),
            ("customer-dev.tsv", 50),
            ("customer-topics.tsv", 90),
            ("customer-extended.tsv", 170),
            ("customer-dev-extended.tsv", 60),
        ] {
            let text =
                std::fs::read_to_string(root.join("tests/relevance").join(file)).expect("read");
            let labels = parse_labels(&text).expect("parse");
            assert!(labels.len() >= min, "{file}: {} messages", labels.len());
            for l in &labels {
                assert!(!l.query.contains("\\n"), "line breaks are unescaped");
                for id in l.judged.keys() {
                    assert!(
                        loaded.docs.iter().any(|d| &d.id == id),
                        "{file}: {}: no document {id}",
                        l.query
                    );
                }
            }
        }
    }

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
