//! [`Library`]: a content folder, loaded, indexed and searchable. The API the CLI and the
//! desktop shell call.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crate::api::{DocRef, DocumentView, KindCount, LibraryStatus, PhraseView, RuleView};
use crate::clock::Clock;
use crate::content::{self, Document, Kind, Problem, ProblemCode, Severity};
use crate::drill::{Drill, Lexicon};
use crate::error::{Error, Result};
use crate::markdown;
use crate::publish::{self};
use crate::review::ReviewItem;
use crate::search::dict::Dictionary;
use crate::search::hybrid::{FUSION, Fusion};
use crate::search::{IndexDoc, SearchIndex, SyncStats};
use crate::semantic::{self, Semantic, Unit};

mod editing;
mod searching;

/// Characters in a result snippet.
const SNIPPET_CHARS: usize = 80;

/// Where the library reads content and keeps its index.
#[derive(Debug, Clone)]
pub struct LibraryConfig {
    /// The content folder (Markdown files).
    pub content_dir: PathBuf,
    /// Where the index lives; `None` keeps it in memory.
    pub data_dir: Option<PathBuf>,
}

/// The default data folder: `$KEFU_DATA_DIR`, else the platform's app-data folder + `kefu`
/// (`~/.local/share/kefu` on Linux), else `./.kefu-data`.
pub fn default_data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("KEFU_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    dirs::data_dir()
        .map(|d| d.join("kefu"))
        .unwrap_or_else(|| PathBuf::from(".kefu-data"))
}

/// The desktop app's identifier (`tauri.conf.json`): its data folder is the platform's
/// app-data folder + this name.
pub const APP_IDENTIFIER: &str = "app.kefu.desktop";

/// The desktop app's data folder (practice database, usage log, settings): `$KEFU_DATA_DIR`,
/// else the platform's app-data folder + [`APP_IDENTIFIER`], as Tauri resolves it.
pub fn app_data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("KEFU_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    dirs::data_dir()
        .map(|d| d.join(APP_IDENTIFIER))
        .unwrap_or_else(|| PathBuf::from(".kefu-data"))
}

/// The index folder for one content folder inside a data folder, so that switching between
/// content folders does not rebuild every time.
pub fn index_dir(data_dir: &Path, content_dir: &Path) -> PathBuf {
    let canonical = content_dir
        .canonicalize()
        .unwrap_or_else(|_| content_dir.to_path_buf());
    let hash = xxhash_rust::xxh3::xxh3_64(canonical.to_string_lossy().as_bytes());
    data_dir.join("index").join(format!("{hash:016x}"))
}

struct Entry {
    doc: Document,
    plain: String,
}

/// A loaded, indexed content folder.
pub struct Library {
    config: LibraryConfig,
    clock: Arc<dyn Clock>,
    entries: BTreeMap<String, Entry>,
    problems: Vec<Problem>,
    dict: Dictionary,
    lexicon: Lexicon,
    index: SearchIndex,
    last_sync: SyncStats,
    files_seen: usize,
    review: crate::review::Reasons,
    /// Per file: what identified it and its own problems at the last (re)load, for reuse.
    files: HashMap<String, content::Seen>,
    /// When the last (re)load started reading files.
    loaded_at: Option<std::time::SystemTime>,
    /// Matching by meaning (shared with whoever embeds in the background).
    semantic: Arc<Semantic>,
    /// The embedded pieces of the documents.
    units: Vec<Unit>,
    /// Names this unit list (a new list, a new id) for the semantic matrix cache.
    units_id: u64,
    fusion: Fusion,
}

/// Ids for unit lists.
static UNIT_LISTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn next_units_id() -> u64 {
    UNIT_LISTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
}

/// How [`Library::search_with`] matches. The app and the CLI use [`MatchMode::Auto`]; the
/// benchmarks compare the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchMode {
    /// A customer's message (see [`message::is_message`]) is matched by words and meaning; what
    /// an agent types (2–3 characters, pinyin, codes, operators) by words only.
    Auto,
    /// Always the agent-keyword search (every word must match), as before messages were
    /// recognised.
    Typed,
    /// The message path (cleaned, any clause may match) with words only.
    Lexical,
    /// The message path by meaning only.
    Dense,
    /// The message path with words and meaning fused.
    Hybrid,
}

/// Everything read from a content folder in one pass: documents, dictionary, lexicon, problems.
struct Scan {
    loaded: content::LoadedContent,
    problems: Vec<Problem>,
    dict: Dictionary,
    lexicon: Lexicon,
    review: crate::review::Reasons,
}

fn scan(content_dir: &Path, clock: &dyn Clock, reuse: &content::Reuse<'_>) -> Result<Scan> {
    let t = Instant::now();
    let loaded = content::load_with(content_dir, reuse)?;
    timing("load files", t);
    let t = Instant::now();
    let (dict, mut problems) = Dictionary::load(content_dir);
    timing("dictionary", t);
    problems.extend(loaded.problems.iter().cloned());
    let t = Instant::now();
    let (lexicon, lex_problems) = Lexicon::load(content_dir);
    // The lexicon only matters (and is only reported on) when the folder has drills.
    if loaded.docs.iter().any(|d| d.kind == Kind::Drill) {
        problems.extend(lex_problems);
        problems.extend(rubric_problems(&loaded.docs, &lexicon));
    }
    timing("lexicon + rubrics", t);
    let t = Instant::now();
    let review = crate::review::compute(loaded.docs.iter(), clock.today());
    problems.extend(crate::review::problems_from(&loaded.docs, &review));
    timing("review problems", t);
    let t = Instant::now();
    problems.extend(loaded.docs.iter().flat_map(publish::template_leftovers));
    timing("template leftovers", t);
    problems.extend(crate::team::assign::check(content_dir, &loaded.docs));
    problems.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    Ok(Scan {
        loaded,
        problems,
        dict,
        lexicon,
        review,
    })
}

/// Problems of a content folder without building an index: files, dictionary, overdue reviews.
pub fn check(
    content_dir: &Path,
    clock: &dyn Clock,
) -> Result<(content::LoadedContent, Vec<Problem>)> {
    let Scan {
        loaded, problems, ..
    } = scan(content_dir, clock, &|_, _| None)?;
    Ok((loaded, problems))
}

/// Rubric elements a drill names but the lexicon does not define, and rules its facts and
/// mistakes name that are not rule documents.
fn rubric_problems(docs: &[Document], lexicon: &Lexicon) -> Vec<Problem> {
    let rules: std::collections::HashSet<&str> = docs
        .iter()
        .filter(|d| d.kind == Kind::Rule)
        .map(|d| d.id.as_str())
        .collect();
    let mut out = Vec::new();
    for d in docs {
        let Some(drill) = &d.drill else { continue };
        let named = drill
            .rubric
            .facts
            .iter()
            .filter_map(|f| f.rule.as_deref())
            .chain(
                drill
                    .rubric
                    .mistakes
                    .iter()
                    .filter_map(|m| m.rule.as_deref()),
            );
        let mut seen = Vec::new();
        for rule in named {
            if !rules.contains(rule) && !seen.contains(&rule) {
                seen.push(rule);
                out.push(
                    Problem::error(&d.path, drill.rubric_line, ProblemCode::UnknownRubricRule)
                        .arg("rule", rule)
                        .field("rubric"),
                );
            }
        }
        for name in &drill.rubric.elements {
            if !lexicon.elements.contains_key(name) {
                out.push(
                    Problem::error(
                        &d.path,
                        drill.rubric_line,
                        ProblemCode::UnknownRubricElement,
                    )
                    .arg("name", name)
                    .arg("lexicon", crate::drill::LEXICON_PATH),
                );
            }
        }
    }
    out
}

impl Library {
    /// Loads the content folder and opens (syncing) its index.
    pub fn open(config: LibraryConfig, clock: Arc<dyn Clock>) -> Result<Library> {
        let Scan {
            loaded,
            problems,
            dict,
            lexicon,
            review,
        } = scan(&config.content_dir, clock.as_ref(), &|_, _| None)?;
        let t = Instant::now();
        let entries = make_entries(loaded.docs);
        timing("entries", t);
        let t = Instant::now();
        let index_dir = config
            .data_dir
            .as_ref()
            .map(|d| index_dir(d, &config.content_dir));
        let docs: Vec<IndexDoc<'_>> = entries
            .values()
            .map(|e| IndexDoc {
                doc: &e.doc,
                plain: &e.plain,
            })
            .collect();
        let (index, last_sync) = SearchIndex::open(index_dir.as_deref(), &dict, &docs)?;
        drop(docs);
        timing("index open + sync", t);
        let units = make_units(&entries);
        let semantic = Arc::new(Semantic::new(
            config.data_dir.as_ref().map(|d| d.join("semantic")),
        ));
        Ok(Library {
            semantic,
            units,
            units_id: next_units_id(),
            fusion: FUSION,
            review,
            config,
            clock,
            entries,
            problems,
            dict,
            lexicon,
            index,
            last_sync,
            files_seen: loaded.files_seen,
            files: loaded.files,
            loaded_at: loaded.started,
        })
    }

    /// Re-reads the content folder and applies the changes to the index.
    pub fn reload(&mut self) -> Result<&SyncStats> {
        let Scan {
            loaded,
            problems,
            dict,
            lexicon,
            review,
        } = {
            // Files whose bytes did not change keep their parsed document and problems.
            let by_path: HashMap<&str, &Entry> = self
                .entries
                .values()
                .map(|e| (e.doc.path.as_str(), e))
                .collect();
            let files = &self.files;
            // Size and modification time identify a file only when it was last modified well
            // before the previous load started (the "racy git" rule): a change made in the same
            // clock tick as that load could otherwise keep the old size and time.
            let trusted_before = self
                .loaded_at
                .and_then(|t| t.checked_sub(std::time::Duration::from_secs(2)));
            let reuse = move |rel: &str, key: &content::FileKey| {
                let seen = files.get(rel)?;
                let e = by_path.get(rel)?;
                let same = match key.fingerprint {
                    Some(fp) => seen.fingerprint == fp,
                    None => {
                        seen.size == key.size
                            && key.modified.is_some()
                            && seen.modified == key.modified
                            && matches!((key.modified, trusted_before), (Some(m), Some(t)) if m < t)
                    }
                };
                (same && e.doc.fingerprint == seen.fingerprint)
                    .then(|| (e.doc.clone(), seen.problems.clone()))
            };
            let t = Instant::now();
            let scanned = scan(&self.config.content_dir, self.clock.as_ref(), &reuse)?;
            timing("reload: scan", t);
            scanned
        };
        if dict.hash != self.dict.hash {
            // The analyzers depend on the dictionary: reopen, which rebuilds.
            let semantic = Arc::clone(&self.semantic);
            let fusion = self.fusion;
            *self = Library::open(self.config.clone(), Arc::clone(&self.clock))?;
            self.semantic = semantic;
            self.fusion = fusion;
            return Ok(&self.last_sync);
        }
        self.files_seen = loaded.files_seen;
        self.files = loaded.files;
        self.loaded_at = loaded.started;
        self.lexicon = lexicon;
        let t = Instant::now();
        self.entries = make_entries_reusing(loaded.docs, std::mem::take(&mut self.entries));
        timing("reload: entries", t);
        self.problems = problems;
        self.review = review;
        let t = Instant::now();
        let docs: Vec<IndexDoc<'_>> = self
            .entries
            .values()
            .map(|e| IndexDoc {
                doc: &e.doc,
                plain: &e.plain,
            })
            .collect();
        let stats = self.index.sync(&docs, false)?;
        drop(docs);
        timing("reload: index sync", t);
        self.last_sync = stats;
        self.units = make_units(&self.entries);
        self.units_id = next_units_id();
        Ok(&self.last_sync)
    }

    /// Re-reads the folder like [`Library::reload`] and says what changed: `None` when nothing
    /// did, else the ids of documents added, changed or removed (possibly empty when only the
    /// problems changed, e.g. a file that stopped loading was fixed into an unchanged state).
    pub fn reload_changes(&mut self) -> Result<Option<Vec<String>>> {
        let before: BTreeMap<String, u64> = self
            .entries
            .iter()
            .map(|(id, e)| (id.clone(), e.doc.fingerprint))
            .collect();
        let problems_before = std::mem::take(&mut self.problems);
        self.reload()?;
        let mut ids: Vec<String> = self
            .entries
            .iter()
            .filter(|(id, e)| before.get(*id) != Some(&e.doc.fingerprint))
            .map(|(id, _)| id.clone())
            .collect();
        ids.extend(
            before
                .keys()
                .filter(|id| !self.entries.contains_key(*id))
                .cloned(),
        );
        ids.sort();
        if ids.is_empty() && problems_before == self.problems {
            return Ok(None);
        }
        Ok(Some(ids))
    }

    /// Everything the document view shows, including sanitised HTML and back-links.
    pub fn document_view(&self, id: &str) -> Result<DocumentView> {
        let doc = self.document(id)?;
        let today = self.clock.today();
        let doc_ref = |target: &str| {
            let e = self.entries.get(target);
            DocRef {
                id: target.to_string(),
                title: e.map(|e| e.doc.title.clone()),
                kind: e.map(|e| e.doc.kind),
            }
        };
        let mut links: Vec<DocRef> = Vec::new();
        for l in &doc.links {
            if !links.iter().any(|r| r.id == l.target) {
                links.push(doc_ref(&l.target));
            }
        }
        let backlinks = self
            .entries
            .values()
            .filter(|e| e.doc.id != doc.id && e.doc.links.iter().any(|l| l.target == doc.id))
            .map(|e| doc_ref(&e.doc.id))
            .collect();
        Ok(DocumentView {
            id: doc.id.clone(),
            kind: doc.kind,
            title: doc.title.clone(),
            path: doc.path.clone(),
            tags: doc.tags.clone(),
            platforms: doc.platforms.clone(),
            aliases: doc.aliases.clone(),
            author: doc.author.clone(),
            updated: doc.updated.map(|d| d.to_string()),
            phrases: doc
                .phrases
                .iter()
                .map(|p| PhraseView {
                    code: p.code.clone(),
                    text: p.text.clone(),
                    when: p.when.clone(),
                    placeholders: p.placeholders(),
                })
                .collect(),
            rule: doc.rule.as_ref().map(|r| RuleView {
                platform: r.platform,
                is_law: r.is_law,
                effective: r.effective.map(|d| d.to_string()),
                source: r.source.clone(),
                reviewed: r.reviewed.map(|d| d.to_string()),
                review_due: r.review_due().map(|d| d.to_string()),
                needs_review: r.needs_review(today),
            }),
            case: doc.case.clone(),
            review: self.review.get(&doc.id).cloned().unwrap_or_default(),
            html: self.render_html(id)?,
            links,
            backlinks,
        })
    }

    /// The 待复核 list: overdue rules and documents relying on rules changed since.
    pub fn review_items(&self) -> Vec<ReviewItem> {
        crate::review::items_from(self.entries.values().map(|e| &e.doc), &self.review)
    }

    /// A summary for the status bar.
    pub fn status(&self) -> LibraryStatus {
        let errors = self
            .problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count();
        LibraryStatus {
            content_dir: self.config.content_dir.to_string_lossy().to_string(),
            documents: self.entries.len(),
            counts: self
                .counts()
                .into_iter()
                .map(|(kind, count)| KindCount { kind, count })
                .collect(),
            errors,
            warnings: self.problems.len() - errors,
            review: self.review.len(),
            last_sync: self.last_sync.clone(),
            semantic: self.semantic.status(&self.units),
        }
    }

    /// Matching by meaning for this library.
    pub fn semantic(&self) -> &Arc<Semantic> {
        &self.semantic
    }

    /// Shares `semantic` (an encoder loaded once, its vector cache) with this library.
    pub fn use_semantic(&mut self, semantic: Arc<Semantic>) {
        self.semantic = semantic;
    }

    /// The embedded pieces of the documents.
    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// The pieces still without a vector (for a background job: [`Semantic::embed`]).
    pub fn embed_todo(&self) -> Vec<(u64, String)> {
        self.semantic.missing(&self.units)
    }

    /// Changes how words and meaning are fused (benchmarks tune it on a development set).
    pub fn set_fusion(&mut self, fusion: Fusion) {
        self.fusion = fusion;
    }

    /// The document with this id.
    pub fn document(&self, id: &str) -> Result<&Document> {
        self.entries
            .get(id)
            .map(|e| &e.doc)
            .ok_or_else(|| Error::NotFound { id: id.to_string() })
    }

    /// The document's body as sanitised HTML, `[[links]]` resolved to `#doc/ID` anchors.
    pub fn render_html(&self, id: &str) -> Result<String> {
        let doc = self.document(id)?;
        Ok(markdown::render_html(&doc.body, &|t: &str| {
            self.entries.get(t).map(|e| e.doc.title.clone())
        }))
    }

    /// The drill with this id.
    pub fn drill(&self, id: &str) -> Result<(&Document, &Drill)> {
        let doc = self.document(id)?;
        doc.drill
            .as_ref()
            .map(|d| (doc, d))
            .ok_or_else(|| Error::Drill(format!("`{id}` is not a drill")))
    }

    /// All drills, sorted by id.
    pub fn drills(&self) -> impl Iterator<Item = (&Document, &Drill)> {
        self.entries
            .values()
            .filter_map(|e| e.doc.drill.as_ref().map(|d| (&e.doc, d)))
    }

    /// What scoring drill `id` by meaning needs, when the encoder is loaded: the encoder and
    /// every other drill's references.
    pub fn meaning(&self, id: &str) -> Option<crate::drill::Meaning<'_>> {
        self.semantic.encoder()?;
        let others = self
            .drills()
            .filter(|(doc, _)| doc.id != id)
            .flat_map(|(_, d)| d.references.iter().map(String::as_str))
            .collect();
        Some(crate::drill::Meaning {
            semantic: &self.semantic,
            others,
        })
    }

    /// Works out, for every drill, what scoring by meaning compares a reply with (its level of
    /// unrelated similarity), so that the first reply scored is as quick as the next. The
    /// background embedder calls it once the drills' texts are embedded.
    pub fn warm_scoring(&self) {
        for (doc, drill) in self.drills() {
            let Some(m) = self.meaning(&doc.id) else {
                return;
            };
            crate::drill::warm_scoring(m.semantic, drill, &m.others);
        }
    }

    /// Scores a reply to drill `id`: by meaning when the encoder is loaded, else by words.
    pub fn score_reply(
        &self,
        id: &str,
        reply: &str,
        timing: Option<crate::drill::Timing>,
    ) -> Result<crate::drill::ScoreBreakdown> {
        let (_, drill) = self.drill(id)?;
        Ok(crate::drill::score(
            drill,
            &self.lexicon,
            reply,
            timing,
            self.meaning(id).as_ref(),
        ))
    }

    /// Texts scoring embeds for every drill (references, their clauses, fact examples,
    /// mistakes) that have no vector yet, keyed like content pieces, for the background
    /// embedder to do after the content.
    pub fn scoring_todo(&self) -> Vec<(u64, String)> {
        let mut texts: Vec<String> = self
            .drills()
            .flat_map(|(_, d)| crate::drill::drill_texts(d))
            .collect();
        texts.sort();
        texts.dedup();
        self.semantic.missing_texts(texts)
    }

    /// The scoring lexicon of the content folder.
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// All documents, sorted by id.
    pub fn documents(&self) -> impl Iterator<Item = &Document> {
        self.entries.values().map(|e| &e.doc)
    }

    /// Number of documents per kind.
    pub fn counts(&self) -> BTreeMap<Kind, usize> {
        let mut m = BTreeMap::new();
        for e in self.entries.values() {
            *m.entry(e.doc.kind).or_insert(0) += 1;
        }
        m
    }

    /// Problems found in the content folder at the last (re)load.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// What the last sync did.
    pub fn last_sync(&self) -> &SyncStats {
        &self.last_sync
    }

    /// Markdown files looked at on the last (re)load.
    pub fn files_seen(&self) -> usize {
        self.files_seen
    }

    /// Documents in the search index.
    pub fn indexed(&self) -> u64 {
        self.index.num_docs()
    }

    /// The configuration the library was opened with.
    pub fn config(&self) -> &LibraryConfig {
        &self.config
    }

    /// The clock the library uses for review dates.
    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }
}

/// With `KEFU_TIMINGS` set, prints how long a step of opening took (for profiling start-up).
fn timing(step: &str, since: Instant) {
    if std::env::var_os("KEFU_TIMINGS").is_some() {
        eprintln!(
            "kefu: {step}: {:.1} ms",
            since.elapsed().as_secs_f64() * 1000.0
        );
    }
}

fn make_units(entries: &BTreeMap<String, Entry>) -> Vec<Unit> {
    entries
        .values()
        .enumerate()
        .flat_map(|(i, e)| {
            semantic::units::of(&e.doc, &e.plain)
                .into_iter()
                .map(move |mut u| {
                    u.doc_ix = u32::try_from(i).unwrap_or(u32::MAX);
                    u
                })
        })
        .collect()
}

fn make_entries(docs: Vec<Document>) -> BTreeMap<String, Entry> {
    make_entries_reusing(docs, BTreeMap::new())
}

/// Entries for `docs`, taking the plain text of a previous entry built from the same file bytes
/// instead of rendering the Markdown again.
fn make_entries_reusing(
    docs: Vec<Document>,
    mut previous: BTreeMap<String, Entry>,
) -> BTreeMap<String, Entry> {
    let titles: BTreeMap<String, String> = docs
        .iter()
        .map(|d| (d.id.clone(), d.title.clone()))
        .collect();
    let title_of = |id: &str| titles.get(id).cloned();
    docs.into_iter()
        .map(|doc| {
            let plain = match previous.remove(&doc.id) {
                Some(old) if old.doc.fingerprint == doc.fingerprint && old.doc.path == doc.path => {
                    old.plain
                }
                _ => markdown::plain_text(&doc.body, &title_of),
            };
            (doc.id.clone(), Entry { doc, plain })
        })
        .collect()
}
