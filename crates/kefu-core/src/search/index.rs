//! The tantivy index: opening, incremental sync with the content folder, and running queries
//! (the schema is in `schema.rs`, turning a parsed query into tantivy queries in `build.rs`).
//!
//! The index is derived data. Its commit payload records the schema version, the dictionary
//! hash and each document's fingerprint; opening compares them with the content folder and
//! applies only the difference (or rebuilds when the schema or dictionary changed, or when the
//! index cannot be read).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use jieba_rs::Jieba;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::{Schema, Value};
use tantivy::{
    DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentReader, TantivyDocument,
    TantivyError, Term,
};

use super::dict::Dictionary;
use super::query::ParsedQuery;
pub use super::schema::SCHEMA_VERSION;
use super::schema::{ALL_PLATFORMS, Fields, ascii_prefixes, boost, kind_ord, schema};
use super::text;
use crate::content::Document;
use crate::error::{Error, Result};

/// What the index remembers about the content it holds. `schema` and `dict` are the commit
/// payload; the fingerprints live in the index itself (fast fields `id` and `fingerprint`), so a
/// commit writes a few bytes of payload instead of a map of every document.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    schema: u32,
    dict: u64,
    /// id → fingerprint of the file it came from.
    #[serde(skip)]
    docs: BTreeMap<String, u64>,
}

/// id → fingerprint of every live document, from the fast fields.
fn fingerprints(reader: &IndexReader) -> Result<BTreeMap<String, u64>> {
    let mut out = BTreeMap::new();
    let searcher = reader.searcher();
    let mut id = String::new();
    for seg in searcher.segment_readers() {
        let (Some(ids), Ok(fps)) = (
            seg.fast_fields().str("id")?,
            seg.fast_fields().u64("fingerprint"),
        ) else {
            continue;
        };
        for doc in seg.doc_ids_alive() {
            let Some(ord) = ids.term_ords(doc).next() else {
                continue;
            };
            id.clear();
            if ids
                .ord_to_str(ord, &mut id)
                .map_err(|e| Error::Index(e.into()))?
            {
                out.insert(id.clone(), fps.first(doc).unwrap_or(0));
            }
        }
    }
    Ok(out)
}

/// A document ready to index: the document and its plain body text.
pub struct IndexDoc<'a> {
    /// The document.
    pub doc: &'a Document,
    /// Its body as plain text (see [`crate::markdown::plain_text`]).
    pub plain: &'a str,
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct SyncStats {
    /// Documents new to the index.
    pub added: usize,
    /// Documents whose file changed.
    pub updated: usize,
    /// Documents no longer in the content folder.
    pub removed: usize,
    /// Documents already up to date.
    pub unchanged: usize,
    /// True when the whole index was (re)built.
    pub rebuilt: bool,
    /// Why it was rebuilt, if it was.
    pub rebuild_reason: Option<String>,
    /// True when the on-disk index was locked by another Kefu process and an in-memory index is
    /// used instead.
    pub in_memory: bool,
}

/// Hits fetched past the limit so that ties at the cut are ordered by id, not by index layout.
const TIE_SLACK: usize = 16;

/// The search index of one content folder.
pub struct SearchIndex {
    pub(super) index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    pub(super) fields: Fields,
    pub(super) jieba: Arc<Jieba>,
    manifest: Mutex<Manifest>,
    dict_hash: u64,
}

impl SearchIndex {
    /// Opens (or creates) the index in `dir` (`None`: in memory) and syncs it with `docs`.
    ///
    /// Any on-disk index that cannot be read — a missing, truncated or zeroed file of any kind —
    /// is removed and rebuilt from `docs`, and the stats say why (`rebuild_reason`). Only an
    /// index locked by another process is left alone (this one then lives in memory).
    pub fn open(
        dir: Option<&Path>,
        dict: &Dictionary,
        docs: &[IndexDoc<'_>],
    ) -> Result<(SearchIndex, SyncStats)> {
        let Some(dir) = dir else {
            return Self::open_once(None, dict, docs);
        };
        match Self::open_once(Some(dir), dict, docs) {
            Ok(opened) => Ok(opened),
            // The folder itself cannot be made or read: rebuilding would fail the same way.
            Err(e @ Error::Io { .. }) => Err(e),
            Err(e) => {
                log::warn!(
                    "search index in {} unreadable ({e}); rebuilding",
                    dir.display()
                );
                clear_index_dir(dir)?;
                let (si, mut stats) = Self::open_once(Some(dir), dict, docs)?;
                stats.rebuilt = true;
                stats.rebuild_reason = Some(format!("index unreadable ({e})"));
                Ok((si, stats))
            }
        }
    }

    fn open_once(
        dir: Option<&Path>,
        dict: &Dictionary,
        docs: &[IndexDoc<'_>],
    ) -> Result<(SearchIndex, SyncStats)> {
        let (schema, fields) = schema();
        let jieba = dict.jieba();
        let (index, writer, mut reason, in_memory) = match dir {
            None => {
                let index = Index::create_in_ram(schema);
                let writer = make_writer(&index, &jieba)?;
                (index, writer, Some("new index".to_string()), true)
            }
            Some(dir) => open_dir(dir, schema, &jieba)?,
        };
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        if !in_memory {
            verify(&index, &reader)?;
        }
        let manifest = match index.load_metas().ok().and_then(|m| m.payload) {
            Some(p) => match serde_json::from_str::<Manifest>(&p) {
                Ok(m) if m.schema != SCHEMA_VERSION => {
                    reason.get_or_insert(format!("schema version {} → {SCHEMA_VERSION}", m.schema));
                    Manifest::default()
                }
                Ok(m) if m.dict != dict.hash => {
                    reason.get_or_insert("dictionary changed".to_string());
                    Manifest::default()
                }
                Ok(mut m) => {
                    m.docs = fingerprints(&reader)?;
                    m
                }
                Err(_) => {
                    reason.get_or_insert("unreadable manifest".to_string());
                    Manifest::default()
                }
            },
            None => {
                reason.get_or_insert("new index".to_string());
                Manifest::default()
            }
        };
        let si = SearchIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            jieba,
            manifest: Mutex::new(manifest),
            dict_hash: dict.hash,
        };
        let mut stats = si.sync(docs, reason.is_some())?;
        stats.rebuild_reason = reason;
        stats.in_memory = in_memory && dir.is_some();
        Ok((si, stats))
    }

    /// Brings the index in line with `docs`: removes what is gone, re-indexes what changed.
    pub fn sync(&self, docs: &[IndexDoc<'_>], rebuild: bool) -> Result<SyncStats> {
        let mut stats = SyncStats {
            rebuilt: rebuild,
            ..SyncStats::default()
        };
        let mut writer = self.writer.lock().map_err(|_| poisoned())?;
        let mut manifest = self.manifest.lock().map_err(|_| poisoned())?;
        if rebuild {
            writer.delete_all_documents()?;
            manifest.docs.clear();
        }
        let present: HashSet<&str> = docs.iter().map(|d| d.doc.id.as_str()).collect();
        let gone: Vec<String> = manifest
            .docs
            .keys()
            .filter(|id| !present.contains(String::as_str(id)))
            .cloned()
            .collect();
        for id in gone {
            writer.delete_term(Term::from_field_text(self.fields.id, &id));
            manifest.docs.remove(&id);
            stats.removed += 1;
        }
        for d in docs {
            match manifest.docs.get(&d.doc.id) {
                Some(fp) if *fp == d.doc.fingerprint => {
                    stats.unchanged += 1;
                    continue;
                }
                Some(_) => {
                    writer.delete_term(Term::from_field_text(self.fields.id, &d.doc.id));
                    stats.updated += 1;
                }
                None => stats.added += 1,
            }
            writer.add_document(self.to_tantivy(d))?;
            manifest.docs.insert(d.doc.id.clone(), d.doc.fingerprint);
        }
        if rebuild || stats.added + stats.updated + stats.removed > 0 {
            manifest.schema = SCHEMA_VERSION;
            manifest.dict = self.dict_hash;
            let payload =
                serde_json::to_string(&*manifest).map_err(|e| Error::Internal(e.to_string()))?;
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&payload);
            prepared.commit()?;
            self.reader.reload()?;
        }
        Ok(stats)
    }

    /// Number of documents in the index.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    fn to_tantivy(&self, d: &IndexDoc<'_>) -> TantivyDocument {
        let f = &self.fields;
        let doc = d.doc;
        let mut t = TantivyDocument::default();
        t.add_text(f.id, &doc.id);
        t.add_u64(f.fingerprint, doc.fingerprint);
        t.add_text(f.kind, doc.kind.as_str());
        t.add_u64(f.kind_ord, kind_ord(doc.kind));
        if doc.platforms.is_empty() {
            t.add_text(f.platform, ALL_PLATFORMS);
        }
        for p in &doc.platforms {
            t.add_text(f.platform, p.as_str());
        }
        for tag in &doc.tags {
            t.add_text(f.tag, tag);
        }
        t.add_text(f.title, &doc.title);
        t.add_text(f.title_ngram, &doc.title);
        t.add_text(f.title_exact, &doc.title);
        let mut keys: Vec<String> = text::pinyin_keys(&doc.title, &self.jieba);
        for a in &doc.aliases {
            t.add_text(f.aliases, a);
            t.add_text(f.title_exact, a);
            t.add_text(f.body_ngram, a);
            keys.extend(text::pinyin_keys(a, &self.jieba));
        }
        for tag in &doc.tags {
            keys.extend(text::pinyin_keys(tag, &self.jieba));
        }
        keys.sort();
        keys.dedup();
        let mut prefixes: Vec<&str> = Vec::new();
        for k in &keys {
            prefixes.extend(ascii_prefixes(k));
        }
        prefixes.sort_unstable();
        prefixes.dedup();
        for p in prefixes {
            t.add_text(f.pinyin_prefix, p);
        }
        for k in keys {
            t.add_text(f.pinyin, k);
        }
        for p in &doc.phrases {
            if !p.code.is_empty() {
                t.add_text(f.code, &p.code);
                let code = p.code.to_lowercase();
                for pre in ascii_prefixes(&code) {
                    t.add_text(f.code_prefix, pre);
                }
            }
            t.add_text(f.phrases, &p.text);
            t.add_text(f.body_ngram, &p.text);
            if !p.when.is_empty() {
                t.add_text(f.phrases, &p.when);
                t.add_text(f.body_ngram, &p.when);
            }
        }
        t.add_text(f.body, d.plain);
        t.add_text(f.body_ngram, d.plain);
        if !doc.extra_text.is_empty() {
            t.add_text(f.body, &doc.extra_text);
            t.add_text(f.body_ngram, &doc.extra_text);
        }
        t
    }

    /// Runs a parsed query; returns `(id, score)` best first and the total number of matches.
    pub fn search(
        &self,
        q: &ParsedQuery,
        expand: &dyn Fn(&str) -> Vec<String>,
        limit: usize,
    ) -> Result<(Vec<(String, f32)>, usize)> {
        let query = self.build(q, expand);
        let searcher = self.reader.searcher();
        // A query that names kinds gets them at face value; otherwise kinds are weighted.
        let weights = if q.kinds.is_empty() {
            boost::KIND
        } else {
            [1.0; 4]
        };
        // Equal scores come back in index order, which depends on how indexing threads split
        // the segments: collect the whole group of scores tied at the cut (asking for more
        // until the group ends), order ties by id, then cut, so a search gives the same ranking
        // on every machine and every rebuild.
        let collect = |n: usize| {
            let weighted = TopDocs::with_limit(n).tweak_score(move |segment: &SegmentReader| {
                let kinds = segment
                    .fast_fields()
                    .u64("kind_ord")
                    .ok()
                    .map(|c| c.first_or_default_col(0));
                move |doc: DocId, score: Score| {
                    let k = kinds.as_ref().map_or(0, |c| c.get_val(doc)) as usize;
                    score * weights.get(k).copied().unwrap_or(1.0)
                }
            });
            searcher.search(&query, &(weighted, Count))
        };
        let want = limit.max(1);
        let mut n = want + TIE_SLACK;
        let (top, total) = loop {
            let (top, total) = collect(n)?;
            let complete = top.len() < n || top.len() <= want || top[n - 1].0 < top[want - 1].0;
            if complete || n >= total {
                break (top, total);
            }
            n = (n * 4).min(total);
        };
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let seg = searcher.segment_reader(addr.segment_ord);
            let mut id = String::new();
            let found = match seg.fast_fields().str("id")? {
                Some(ids) => match ids.term_ords(addr.doc_id).next() {
                    Some(ord) => ids
                        .ord_to_str(ord, &mut id)
                        .map_err(|e| Error::Index(e.into()))?,
                    None => false,
                },
                None => false,
            };
            if !found {
                // An index written without the fast field: the stored copy.
                let d: TantivyDocument = searcher.doc(addr)?;
                match d.get_first(self.fields.id).and_then(|v| v.as_str()) {
                    Some(s) => id = s.to_string(),
                    None => continue,
                }
            }
            hits.push((id, score));
        }
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        hits.truncate(limit.max(1));
        Ok((hits, total))
    }
}

fn poisoned() -> Error {
    Error::Internal("search index lock poisoned by an earlier panic".into())
}

/// The indexing memory budget (split across tantivy's indexing threads). It is an upper bound,
/// not an allocation: a one-file update uses a few MB. A large budget makes a full build write a
/// few large segments instead of many small ones that background merges then compete with on
/// small machines (64 MB gave 2k docs/s at 100k documents on 2 cores).
const WRITER_BUDGET: usize = 384 * 1024 * 1024;

fn make_writer(index: &Index, jieba: &Arc<Jieba>) -> Result<IndexWriter> {
    text::register(index, Arc::clone(jieba));
    Ok(index.writer(WRITER_BUDGET)?)
}

type Opened = (Index, IndexWriter, Option<String>, bool);

/// Opens the on-disk index, recreating it when unreadable and falling back to memory when
/// another process holds its lock.
fn open_dir(dir: &Path, schema: Schema, jieba: &Arc<Jieba>) -> Result<Opened> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let has_meta = dir.join("meta.json").exists();
    let mut reason = None;
    let index = if has_meta {
        match Index::open_in_dir(dir) {
            Ok(i) if i.schema() == schema => Some(i),
            Ok(_) => {
                reason = Some("schema changed".to_string());
                None
            }
            Err(e) => {
                reason = Some(format!("index unreadable ({e})"));
                None
            }
        }
    } else {
        None
    };
    let index = match index {
        Some(i) => i,
        None => {
            if has_meta {
                clear_index_dir(dir)?;
            }
            Index::create_in_dir(dir, schema.clone())?
        }
    };
    match make_writer(&index, jieba) {
        Ok(w) => Ok((index, w, reason, false)),
        Err(Error::Index(TantivyError::LockFailure(..))) => {
            let ram = Index::create_in_ram(schema);
            let w = make_writer(&ram, jieba)?;
            Ok((
                ram,
                w,
                Some("index locked by another Kefu process; using memory".into()),
                true,
            ))
        }
        Err(e) => Err(e),
    }
}

/// Checks an on-disk index before it is used: every file's checksum, and every field of every
/// segment opens (tantivy opens them lazily, so a damaged one would otherwise fail the first
/// search, not the open).
fn verify(index: &Index, reader: &IndexReader) -> Result<()> {
    let damaged = index.validate_checksum()?;
    if !damaged.is_empty() {
        let mut names: Vec<String> = damaged.iter().map(|p| p.display().to_string()).collect();
        names.sort();
        return Err(Error::Index(TantivyError::InvalidArgument(format!(
            "damaged files: {}",
            names.join(", ")
        ))));
    }
    let schema = index.schema();
    let searcher = reader.searcher();
    for segment in searcher.segment_readers() {
        for (field, entry) in schema.fields() {
            if entry.is_indexed() {
                segment.inverted_index(field)?;
            }
        }
        segment
            .get_store_reader(0)
            .map_err(|e| Error::Index(TantivyError::from(e)))?;
    }
    Ok(())
}

/// Removes the files of a broken index. Only files tantivy writes are touched.
fn clear_index_dir(dir: &Path) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries.flatten() {
        let p: PathBuf = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        let ours = name == "meta.json"
            || name == ".managed.json"
            || name.ends_with(".lock")
            || [
                ".idx",
                ".pos",
                ".term",
                ".store",
                ".fast",
                ".fieldnorm",
                ".del",
            ]
            .iter()
            .any(|ext| name.ends_with(ext));
        if ours && p.is_file() {
            std::fs::remove_file(&p).map_err(|e| Error::io(&p, e))?;
        }
    }
    Ok(())
}
