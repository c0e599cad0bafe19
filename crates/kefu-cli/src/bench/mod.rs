//! `kefu bench`: Kefu against SQLite FTS5 and a brute-force scan, all measured in one run on
//! one machine and the same documents, printed as one table (and written to `<out>/report.md`).
//!
//! 1. corpora of 1k/10k/100k documents generated from the content folder's vocabulary
//!    ([`corpus`], seeded);
//! 2. indexing throughput and single-document update latency;
//! 3. query latency percentiles over a fixed mix of agent queries ([`MIX`]);
//! 4. relevance on the AFQMC customer-service FAQ set and on labelled queries for the content;
//! 5. app figures, measured by `tests/desktop/bench.mjs` and passed in with `--app`;
//! 6. separately: the team view at scale ([`team`]) and hostile documents at the size limit
//!    ([`worst`]).

mod corpus;
mod fts;
mod metrics;
mod relevance;
mod report;
mod rng;
mod team;
mod worst;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kefu_core::search::dict::Dictionary;
use kefu_core::search::query::parse;
use kefu_core::search::{IndexDoc, SearchIndex};
use kefu_core::semantic::Semantic;
use kefu_core::{Document, Library, LibraryConfig, SearchOptions, SystemClock};

use fts::{BaseDoc, Brute, Fts, Variant};
use metrics::Latency;

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

/// Options of `kefu bench`.
#[derive(clap::Args)]
pub(crate) struct BenchArgs {
    /// Corpus sizes, in documents.
    #[arg(long, value_delimiter = ',', default_value = "1000,10000,100000")]
    sizes: Vec<usize>,
    /// Seed of the corpus generator.
    #[arg(long, default_value_t = corpus::DEFAULT_SEED)]
    seed: u64,
    /// Work folder: generated corpora, indexes, and report.md.
    #[arg(long, default_value = "target/bench", value_name = "DIR")]
    out: PathBuf,
    /// FAQ relevance set (corpus.tsv, queries.tsv, qrels.tsv); skipped when missing.
    #[arg(long, default_value = "../shared/bench/afqmc_faq", value_name = "DIR")]
    afqmc: PathBuf,
    /// Labelled queries for the content folder.
    #[arg(
        long,
        default_value = "tests/relevance/shipped.tsv",
        value_name = "FILE"
    )]
    shipped: PathBuf,
    /// Labelled customer messages for the content folder (the reported set).
    #[arg(
        long,
        default_value = "tests/relevance/customer.tsv",
        value_name = "FILE"
    )]
    customer: PathBuf,
    /// Labelled customer messages the fusion was tuned on (reported too, marked as such).
    #[arg(
        long,
        default_value = "tests/relevance/customer-dev.tsv",
        value_name = "FILE"
    )]
    customer_dev: PathBuf,
    /// Labelled customer messages for the topics added with the import issue (物流查询, 改约,
    /// 送装, 保修, 上门取件, 运费, 京东价保, 商品咨询, 发票), written without seeing any output.
    #[arg(
        long,
        default_value = "tests/relevance/customer-topics.tsv",
        value_name = "FILE"
    )]
    customer_topics: PathBuf,
    /// The reported customer messages with labels extended to documents added after they were
    /// written (original labels kept; labelled without seeing any output).
    #[arg(
        long,
        default_value = "tests/relevance/customer-extended.tsv",
        value_name = "FILE"
    )]
    customer_extended: PathBuf,
    /// Fusion as `k,lexical,dense` (RRF offset and weights) instead of the default, to tune it
    /// on the development sets.
    #[arg(long, value_name = "K,LEX,DENSE")]
    fusion: Option<String>,
    /// Reply pairs whose replies are timed as trainee-written drill replies.
    #[arg(
        long,
        default_value = "tests/fixtures/drills/hard.yaml",
        value_name = "FILE"
    )]
    drill_pairs: PathBuf,
    /// App figures (JSON written by tests/desktop/bench.mjs) to add to the table.
    #[arg(long, value_name = "FILE")]
    app: Option<PathBuf>,
    /// Seconds of querying per system and corpus size (at least 3 rounds of the query mix).
    #[arg(long, default_value_t = 4.0)]
    budget: f64,
    /// Only write the corpora (`<out>/corpus-N`) and stop (the app benchmark reads one).
    #[arg(long, conflicts_with = "relevance_only")]
    corpus_only: bool,
    /// Only the relevance figures.
    #[arg(long)]
    relevance_only: bool,
    /// Only the team view at scale (`<out>/team.md`): generated agents × days of practice.
    #[arg(long, conflicts_with_all = ["relevance_only", "corpus_only"])]
    team_only: bool,
    /// Only hostile documents at the size limit (`<out>/worst.md`): each text algorithm's worst
    /// case, timed against an ordinary document of the same size.
    #[arg(long, conflicts_with_all = ["relevance_only", "corpus_only", "team_only"])]
    worst_only: bool,
    /// Agents generated for the team benchmark.
    #[arg(long, default_value_t = 200)]
    team_agents: usize,
    /// Days of practice generated per agent.
    #[arg(long, default_value_t = 365)]
    team_days: usize,
}

/// The fixed query mix, by class, as agents type them.
pub(crate) const MIX: &[(&str, &str)] = &[
    ("one word", "退款"),
    ("one word", "发货"),
    ("one word", "物流"),
    ("one word", "差评"),
    ("one word", "发票"),
    ("one word", "赠品"),
    ("one word", "破损"),
    ("one word", "尺码"),
    ("two words", "退款 破损"),
    ("two words", "发货 物流"),
    ("two words", "差评 追评"),
    ("two words", "运费险 退货"),
    ("two words", "换货 尺码"),
    ("phrase", "\"仅退款\""),
    ("phrase", "\"七天无理由\""),
    ("phrase", "\"超时发货\""),
    ("phrase", "\"退货地址\""),
    ("filter", "退款 kind:rule"),
    ("filter", "发货 platform:pdd"),
    ("filter", "发票 kind:playbook"),
    ("filter", "差评 平台:淘宝"),
    ("pinyin initials", "cfh"),
    ("pinyin initials", "thtk"),
    ("pinyin initials", "wltz"),
    ("pinyin initials", "fp"),
    ("pinyin initials", "cp"),
    ("prefix as typed", "退"),
    ("prefix as typed", "退款"),
    ("prefix as typed", "催"),
    ("prefix as typed", "催发"),
    ("prefix as typed", "催发货"),
    ("prefix as typed", "物"),
    ("prefix as typed", "物流"),
    ("prefix as typed", "t"),
    ("prefix as typed", "tu"),
    ("prefix as typed", "tui"),
    ("prefix as typed", "c"),
    ("prefix as typed", "cf"),
];

/// Results per page, as the app asks for.
const LIMIT: usize = 20;

/// What one system measured at one corpus size.
#[derive(Debug, Clone, Default)]
pub(crate) struct SystemRun {
    pub(crate) name: String,
    /// Files on disk → searchable index, docs/s (parsing included).
    pub(crate) files_docs_per_s: Option<f64>,
    /// Parsed documents → committed index, docs/s.
    pub(crate) build_docs_per_s: Option<f64>,
    /// Replacing one document and committing, median ms.
    pub(crate) update_ms: Option<f64>,
    pub(crate) latency: Option<Latency>,
    /// p99 per query class, µs.
    pub(crate) class_p99: Vec<(String, f64)>,
    /// Mean number of results returned per query of the mix (at most the page size).
    pub(crate) mean_hits: Option<f64>,
}

/// Everything measured at one corpus size.
#[derive(Debug, Clone, Default)]
pub(crate) struct SizeRun {
    pub(crate) docs: usize,
    pub(crate) parse_s: f64,
    /// `Library::reload` after one file changed (whole-folder rescan), median ms.
    pub(crate) reload_ms: f64,
    pub(crate) systems: Vec<SystemRun>,
    /// Matching by meaning at this size (when the model is present).
    pub(crate) semantic: Option<SemanticRun>,
}

/// Matching by meaning at one corpus size.
#[derive(Debug, Clone, Default)]
pub(crate) struct SemanticRun {
    /// Content pieces (units) of the corpus.
    pub(crate) units: usize,
    /// Distinct unit texts (what is embedded).
    pub(crate) distinct: usize,
    /// Distinct texts embedded in this run (the rest came from the cache, or were given
    /// recycled vectors when over the cap).
    pub(crate) embedded: usize,
    /// Seconds for `embedded`.
    pub(crate) embed_s: f64,
    /// Pieces given another piece's vector (scan cost is the same; only past the cap).
    pub(crate) recycled: usize,
    /// The vector matrix, MB.
    pub(crate) matrix_mb: f64,
    /// A pasted customer message → results, encoding included.
    pub(crate) message: Latency,
    /// Of which: encoding the cleaned message alone (the same messages, the query cache missed).
    pub(crate) encode: Latency,
    /// The exact cosine scan alone, per query.
    pub(crate) scan: Latency,
}

/// Distinct unit texts embedded per corpus at most; past it, units get recycled vectors (the
/// scan costs the same whatever the values) and the embedding time is extrapolated.
const EMBED_CAP: usize = 25_000;

pub(crate) fn run(content: &Path, args: &BenchArgs) -> BenchResult<()> {
    std::fs::create_dir_all(&args.out)?;
    if args.team_only {
        return team::run(
            content,
            &args.out,
            args.team_agents,
            args.team_days,
            args.seed,
        );
    }
    if args.worst_only {
        return worst::run(content, &args.out);
    }
    let started = Instant::now();
    eprintln!("kefu bench: vocabulary from {}", content.display());
    let vocab = corpus::Vocabulary::from_content(content)?;
    if args.corpus_only {
        for &n in &args.sizes {
            let dir = args.out.join(format!("corpus-{n}"));
            corpus::write(&dir, &corpus::generate(&vocab, n, args.seed), content)?;
            eprintln!("kefu bench: {n} documents → {}", dir.display());
        }
        return Ok(());
    }
    let mut sizes = Vec::new();
    if !args.relevance_only {
        let semantic = Arc::new(Semantic::new(Some(args.out.join("vectors"))));
        if kefu_core::semantic::start(&semantic, &kefu_core::semantic::repo_model_dirs()).is_none()
        {
            eprintln!("kefu bench: no model file: pasted-message figures are skipped");
        }
        let messages = relevance::messages(&args.customer)?;
        for &n in &args.sizes {
            sizes.push(bench_size(content, &vocab, n, args, &semantic, &messages)?);
        }
    }
    eprintln!("kefu bench: relevance");
    let rel = relevance::run(content, args, &args.out)?;
    let app = match &args.app {
        Some(p) => Some(report::AppFigures::load(p)?),
        None => None,
    };
    let table = report::render(&sizes, &rel, app.as_ref(), started.elapsed());
    println!("{table}");
    let path = args.out.join("report.md");
    std::fs::write(&path, &table)?;
    eprintln!("kefu bench: written to {}", path.display());
    Ok(())
}

/// Loads a content folder as the baselines need it: documents and their plain text.
pub(crate) fn load_plain(dir: &Path) -> BenchResult<(Vec<Document>, Vec<String>)> {
    let loaded = kefu_core::content::load(dir)?;
    let titles: std::collections::HashMap<String, String> = loaded
        .docs
        .iter()
        .map(|d| (d.id.clone(), d.title.clone()))
        .collect();
    let title_of = |id: &str| titles.get(id).cloned();
    let plain = loaded
        .docs
        .iter()
        .map(|d| kefu_core::markdown::plain_text(&d.body, &title_of))
        .collect();
    Ok((loaded.docs, plain))
}

fn fresh_dir(p: &Path) -> BenchResult<()> {
    if p.exists() {
        std::fs::remove_dir_all(p)?;
    }
    std::fs::create_dir_all(p)?;
    Ok(())
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs.get(xs.len() / 2).copied().unwrap_or(0.0)
}

/// Latency over the whole mix, p99 per query class, and the mean number of hits per query.
type MixTiming = (Latency, Vec<(String, f64)>, f64);

/// Runs the query mix in rounds until `budget` has passed (at least 3 rounds, at most 200).
/// The first round warms caches and is not counted.
fn time_queries(
    budget: Duration,
    mut f: impl FnMut(&str) -> BenchResult<usize>,
) -> BenchResult<MixTiming> {
    let mut hits = 0;
    for (_, q) in MIX {
        hits += f(q)?;
    }
    let mean_hits = hits as f64 / MIX.len() as f64;
    let mut all = Vec::new();
    let mut by_class: Vec<(String, Vec<f64>)> = Vec::new();
    let started = Instant::now();
    let mut rounds = 0;
    while rounds < 3 || (started.elapsed() < budget && rounds < 200) {
        for (class, q) in MIX {
            let t = Instant::now();
            std::hint::black_box(f(q)?);
            let us = t.elapsed().as_secs_f64() * 1e6;
            all.push(us);
            match by_class.iter_mut().find(|(c, _)| c == class) {
                Some((_, v)) => v.push(us),
                None => by_class.push((class.to_string(), vec![us])),
            }
        }
        rounds += 1;
    }
    let classes = by_class
        .into_iter()
        .map(|(c, v)| (c, metrics::latency(v).p99))
        .collect();
    Ok((metrics::latency(all), classes, mean_hits))
}

/// Embeds the corpus (up to [`EMBED_CAP`] distinct texts), then times pasted customer messages
/// end to end and the exact cosine scan alone.
fn bench_semantic(
    lib: &mut Library,
    semantic: &Arc<Semantic>,
    messages: &[String],
) -> BenchResult<SemanticRun> {
    lib.use_semantic(Arc::clone(semantic));
    let units = lib.units().len();
    let todo = lib.embed_todo();
    let distinct = {
        let mut keys: Vec<u64> = lib.units().iter().map(|u| u.key).collect();
        keys.sort_unstable();
        keys.dedup();
        keys.len()
    };
    let (now, later) = todo.split_at(todo.len().min(EMBED_CAP));
    eprintln!(
        "  kefu: {units} content pieces, {distinct} distinct; embedding {} ({} cached)",
        now.len(),
        distinct - todo.len()
    );
    let t = Instant::now();
    semantic.embed_all(now)?;
    let embed_s = t.elapsed().as_secs_f64();
    // Past the cap: other pieces' vectors, so that the scan has every row.
    let donors: Vec<u64> = lib.units().iter().map(|u| u.key).take(1000).collect();
    for (i, (key, _)) in later.iter().enumerate() {
        semantic.copy_vector(donors[i % donors.len()], *key);
    }
    let opts = SearchOptions {
        limit: LIMIT,
        ..SearchOptions::default()
    };
    let mut times = Vec::new();
    for round in 0..2 {
        for m in messages {
            let t = Instant::now();
            std::hint::black_box(lib.search(m, &opts)?);
            if round > 0 || messages.len() < 20 {
                times.push(t.elapsed().as_secs_f64() * 1e6);
            }
        }
    }
    // Encoding alone: the cleaned text each search encodes; 174 texts cycle through the
    // 16-entry query cache, so every call encodes.
    let cleaned: Vec<String> = messages
        .iter()
        .filter_map(|m| kefu_core::search::message::clean(m).map(|c| c.text))
        .collect();
    let mut encodes = Vec::new();
    for round in 0..2 {
        for c in &cleaned {
            let t = Instant::now();
            std::hint::black_box(semantic.query_vector(c));
            if round > 0 || cleaned.len() < 20 {
                encodes.push(t.elapsed().as_secs_f64() * 1e6);
            }
        }
    }
    let matrix = semantic.matrix(lib.units(), u64::MAX);
    let q = semantic
        .query_vector("快递一直不动，怎么回事")
        .ok_or("no encoder")?;
    let mut scans = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        std::hint::black_box(matrix.scores(&q));
        scans.push(t.elapsed().as_secs_f64() * 1e6);
    }
    Ok(SemanticRun {
        units,
        distinct,
        embedded: now.len(),
        embed_s,
        recycled: later.len(),
        matrix_mb: matrix.bytes() as f64 / 1e6,
        message: metrics::latency(times),
        encode: metrics::latency(encodes),
        scan: metrics::latency(scans),
    })
}

fn bench_size(
    content: &Path,
    vocab: &corpus::Vocabulary,
    n: usize,
    args: &BenchArgs,
    semantic: &Arc<Semantic>,
    messages: &[String],
) -> BenchResult<SizeRun> {
    let budget = Duration::from_secs_f64(args.budget);
    let dir = args.out.join(format!("corpus-{n}"));
    eprintln!("kefu bench: {n} documents → {}", dir.display());
    let generated = corpus::generate(vocab, n, args.seed);
    corpus::write(&dir, &generated, content)?;
    drop(generated);
    let mut out = SizeRun {
        docs: n,
        ..SizeRun::default()
    };

    // Parsing the files is common to every system.
    let t = Instant::now();
    let (docs, plain) = load_plain(&dir)?;
    out.parse_s = t.elapsed().as_secs_f64();
    let (dict, _) = Dictionary::load(&dir);
    let jieba = dict.jieba();

    // Kefu, the way the app opens a folder: files → Library with an on-disk index.
    eprintln!("  kefu: Library::open");
    let data = args.out.join(format!("data-{n}"));
    fresh_dir(&data)?;
    let t = Instant::now();
    let mut lib = Library::open(
        LibraryConfig {
            content_dir: dir.clone(),
            data_dir: Some(data.clone()),
        },
        Arc::new(SystemClock),
    )?;
    let open_s = t.elapsed().as_secs_f64();

    // Kefu index only: parsed documents → committed index; then one document changed.
    eprintln!("  kefu: index build and update");
    let index_docs: Vec<IndexDoc<'_>> = docs
        .iter()
        .zip(&plain)
        .map(|(doc, plain)| IndexDoc { doc, plain })
        .collect();
    let kdir = args.out.join(format!("kefu-index-{n}"));
    fresh_dir(&kdir)?;
    let t = Instant::now();
    let (index, _) = SearchIndex::open(Some(&kdir), &dict, &index_docs)?;
    let build_s = t.elapsed().as_secs_f64();
    let victim = n / 2;
    let mut updates = Vec::new();
    for rep in 0..7u64 {
        let mut changed = docs[victim].clone();
        changed.fingerprint ^= rep + 1;
        let changed_plain = format!(
            "{} 第{rep}次修改：补充一句买家常问的发货时间说明。",
            plain[victim]
        );
        let v: Vec<IndexDoc<'_>> = docs
            .iter()
            .zip(&plain)
            .enumerate()
            .map(|(i, (doc, plain))| {
                if i == victim {
                    IndexDoc {
                        doc: &changed,
                        plain: &changed_plain,
                    }
                } else {
                    IndexDoc { doc, plain }
                }
            })
            .collect();
        let t = Instant::now();
        index.sync(&v, false)?;
        updates.push(t.elapsed().as_secs_f64() * 1e3);
    }
    drop(index);
    let mut kefu = SystemRun {
        name: "Kefu".into(),
        files_docs_per_s: Some(n as f64 / open_s),
        build_docs_per_s: Some(n as f64 / build_s),
        update_ms: Some(median(updates)),
        ..SystemRun::default()
    };

    // What the app does today when a file changes: rescan the folder, apply the difference.
    eprintln!("  kefu: Library::reload after one file changed");
    let victim_path = dir.join(&docs[victim].path);
    let original = std::fs::read_to_string(&victim_path)?;
    let mut reloads = Vec::new();
    for text in [
        format!("{original}\n补充：已与仓库确认。\n"),
        original.clone(),
    ] {
        std::fs::write(&victim_path, text)?;
        let t = Instant::now();
        lib.reload()?;
        reloads.push(t.elapsed().as_secs_f64() * 1e3);
    }
    out.reload_ms = median(reloads);

    eprintln!("  kefu: queries");
    let opts = SearchOptions {
        limit: LIMIT,
        ..SearchOptions::default()
    };
    let (lat, classes, hits) = time_queries(budget, |q| Ok(lib.search(q, &opts)?.hits.len()))?;
    kefu.latency = Some(lat);
    kefu.class_p99 = classes;
    kefu.mean_hits = Some(hits);
    out.systems.push(kefu);
    if semantic.encoder().is_some() && !messages.is_empty() {
        out.semantic = Some(bench_semantic(&mut lib, semantic, messages)?);
    }
    drop(lib);

    let base: Vec<BaseDoc> = docs
        .iter()
        .zip(&plain)
        .map(|(d, p)| BaseDoc::from_doc(d, p))
        .collect();
    for v in Variant::ALL {
        eprintln!("  {}: build, update, queries", v.label());
        let path = args
            .out
            .join(format!("fts-{v:?}-{n}.sqlite3").to_lowercase());
        let mut f = Fts::create(&path, v, Arc::clone(&jieba))?;
        let t = Instant::now();
        f.insert_all(&base)?;
        let build_s = t.elapsed().as_secs_f64();
        let mut updates = Vec::new();
        for rep in 0..7 {
            let mut changed = base[victim].clone();
            changed.body = format!(
                "{} 第{rep}次修改：补充一句买家常问的发货时间说明。",
                changed.body
            );
            let t = Instant::now();
            f.update(&changed)?;
            updates.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let (lat, classes, hits) = time_queries(budget, |q| Ok(f.search(&parse(q), LIMIT)?.len()))?;
        out.systems.push(SystemRun {
            name: v.label().into(),
            files_docs_per_s: Some(n as f64 / (out.parse_s + build_s)),
            build_docs_per_s: Some(n as f64 / build_s),
            update_ms: Some(median(updates)),
            latency: Some(lat),
            class_p99: classes,
            mean_hits: Some(hits),
        });
    }

    eprintln!("  brute force: queries");
    let brute = Brute::new(&base);
    let (lat, classes, hits) = time_queries(budget, |q| Ok(brute.search(&parse(q), LIMIT).len()))?;
    out.systems.push(SystemRun {
        name: "brute force".into(),
        latency: Some(lat),
        class_p99: classes,
        mean_hits: Some(hits),
        ..SystemRun::default()
    });
    Ok(out)
}
