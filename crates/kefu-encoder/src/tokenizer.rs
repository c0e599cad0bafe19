//! XLM-RoBERTa's SentencePiece unigram tokenizer, as the reference engine runs it: a per-code-point
//! normalisation table, runs of spaces collapsed, a metaspace (`▁`) before the text and for every
//! space, then the highest-scoring segmentation into vocabulary pieces (Viterbi), with unknown
//! single characters scored below every piece.

use std::collections::HashMap;

use crate::format::RawTokenizer;

/// The SentencePiece metaspace marker U+2581.
const META: char = '\u{2581}';

pub(crate) struct Tokenizer {
    pub(crate) bos: u32,
    pub(crate) eos: u32,
    pub(crate) unk: u32,
    /// Piece bytes → (id, score).
    pieces: HashMap<Box<[u8]>, (u32, f32)>,
    unk_score: f32,
    max_piece_bytes: usize,
    norm: HashMap<u32, Vec<u32>>,
}

impl Tokenizer {
    pub(crate) fn new(raw: RawTokenizer<'_>) -> Tokenizer {
        let n = raw.scores.len();
        let mut pieces = HashMap::with_capacity(n);
        let mut min_score = f32::INFINITY;
        let mut max_piece_bytes = 1;
        for i in 0..n {
            let (a, b) = (raw.offsets[i] as usize, raw.offsets[i + 1] as usize);
            let bytes = &raw.blob[a..b];
            min_score = min_score.min(raw.scores[i]);
            max_piece_bytes = max_piece_bytes.max(bytes.len());
            if bytes.is_empty() {
                continue;
            }
            // The reference looks pieces up in an open-addressing table filled in id order and
            // takes the first match: keep the lowest id for a duplicated spelling.
            pieces
                .entry(bytes.to_vec().into_boxed_slice())
                .or_insert((i as u32, raw.scores[i]));
        }
        Tokenizer {
            bos: raw.bos,
            eos: raw.eos,
            unk: raw.unk,
            pieces,
            unk_score: min_score - 10.0,
            max_piece_bytes,
            norm: raw.norm,
        }
    }

    /// The text after normalisation, with metaspaces, as the pieces see it.
    fn normalise(&self, text: &str) -> String {
        let mut cps: Vec<u32> = Vec::with_capacity(text.len());
        for ch in text.chars() {
            let cp = u32::from(ch);
            match self.norm.get(&cp) {
                Some(out) => cps.extend_from_slice(out),
                None => cps.push(cp),
            }
        }
        let mut out = String::with_capacity(text.len() + 8);
        if cps.first() != Some(&0x20) {
            out.push(META);
        }
        let mut prev_space = false;
        for cp in cps {
            let space = cp == 0x20;
            if space && prev_space {
                continue; // runs of spaces count once
            }
            prev_space = space;
            if space {
                out.push(META);
            } else {
                // The table only produces valid scalar values; anything else is dropped.
                if let Some(c) = char::from_u32(cp) {
                    out.push(c);
                }
            }
        }
        out
    }

    /// The content token ids of `text` (no `<s>` / `</s>`).
    pub(crate) fn encode(&self, text: &str) -> Vec<u32> {
        let norm = self.normalise(text);
        let bytes = norm.as_bytes();
        // Character starts in the byte buffer, plus its end.
        let mut starts: Vec<usize> = norm.char_indices().map(|(i, _)| i).collect();
        let n = starts.len();
        starts.push(bytes.len());

        const NONE: f32 = -1e30;
        let mut best = vec![NONE; n + 1];
        let mut back: Vec<(u32, usize)> = vec![(self.unk, 0); n + 1];
        best[0] = 0.0;
        for i in 0..n {
            if best[i] <= -1e29 {
                continue;
            }
            let from = starts[i];
            for e in i + 1..=n {
                let len = starts[e] - from;
                if len > self.max_piece_bytes {
                    break;
                }
                if let Some(&(id, score)) = self.pieces.get(&bytes[from..starts[e]])
                    && id != self.unk
                {
                    let s = best[i] + score;
                    if s > best[e] {
                        best[e] = s;
                        back[e] = (id, i);
                    }
                }
            }
            let s = best[i] + self.unk_score;
            if s > best[i + 1] {
                best[i + 1] = s;
                back[i + 1] = (self.unk, i);
            }
        }
        let mut ids = Vec::new();
        let mut i = n;
        while i > 0 {
            let (id, from) = back[i];
            ids.push(id);
            i = from;
        }
        ids.reverse();
        ids
    }
}
