//! The arithmetic: int8 × int4 matrix products, layer norm, attention, GELU.
//!
//! Weights (Q4_0 in the file) are unpacked once at load to one byte per weight, the unsigned
//! nibble 0…15, with one f32 scale per 32 weights. Activations are quantised per 32 values to
//! int8 with their block sums. A product is then, per block, the integer dot product of the
//! nibbles and the int8 activations, minus 8 × the activation sum (the nibbles' offset), scaled by
//! both scales — the reference engine's formula. On x86-64 with AVX2 the dot products run 32 at a
//! time (`vpmaddubsw`), through pulp's safe wrappers of the intrinsics, chosen at run time; other
//! CPUs take a plain loop.

use rayon::prelude::*;

use crate::format::{Q4_BLOCK_BYTES, QK, f16_to_f32};

/// Output rows per parallel task (a multiple of [`GROUP`]).
const ROWS_PER_TASK: usize = 64;

/// Rows stored interleaved: block `b` of the four rows of a group lies in one 128-byte run, so a
/// kernel reading four rows at a time reads one sequential stream.
const GROUP: usize = 4;

/// A weight matrix `rows × cols` (one byte per weight), with its bias.
pub(crate) struct QMatrix {
    rows: usize,
    cols: usize,
    /// Unsigned nibbles (weight = (nibble − 8) × scale), `[row / 4][block][row % 4][32]`; rows
    /// are padded with zeros to a multiple of four.
    w: Vec<u8>,
    /// Scales, `[row / 4][block][row % 4]`.
    d: Vec<f32>,
    bias: Vec<f32>,
}

impl QMatrix {
    /// Unpacks Q4_0 rows (`rows × cols/32` blocks).
    pub(crate) fn new(q4: &[u8], bias: Vec<f32>, rows: usize, cols: usize) -> QMatrix {
        let blocks = cols / QK;
        let padded = rows.div_ceil(GROUP) * GROUP;
        let mut w = vec![0u8; padded * cols];
        let mut d = vec![0f32; padded * blocks];
        for (i, blk) in q4
            .chunks_exact(Q4_BLOCK_BYTES)
            .take(rows * blocks)
            .enumerate()
        {
            let (r, b) = (i / blocks, i % blocks);
            let slot = (r / GROUP * blocks + b) * GROUP + r % GROUP;
            d[slot] = f16_to_f32(u16::from_le_bytes([blk[0], blk[1]]));
            let out = &mut w[slot * QK..(slot + 1) * QK];
            for j in 0..16 {
                out[j] = blk[2 + j] & 0x0f;
                out[j + 16] = blk[2 + j] >> 4;
            }
        }
        QMatrix {
            rows,
            cols,
            w,
            d,
            bias,
        }
    }

    /// `y[t][r] = bias[r] + Σ_c w[r][c] · x[t][c]` with `x` quantised in `acts`.
    pub(crate) fn matmul(&self, acts: &Activations, y: &mut [f32], parallel: bool) {
        let (rows, tokens) = (self.rows, acts.tokens);
        debug_assert_eq!(acts.cols, self.cols);
        let tasks = rows.div_ceil(ROWS_PER_TASK);
        let run = |task: usize| -> Vec<f32> {
            let r0 = task * ROWS_PER_TASK;
            let r1 = (r0 + ROWS_PER_TASK).min(rows);
            let mut out = vec![0f32; tokens * (r1 - r0)];
            self.rows_into(r0, r1, acts, &mut out);
            out
        };
        let results: Vec<Vec<f32>> = if parallel && tokens * rows * self.cols >= 1 << 18 {
            (0..tasks).into_par_iter().map(run).collect()
        } else {
            (0..tasks).map(run).collect()
        };
        for (task, out) in results.iter().enumerate() {
            let r0 = task * ROWS_PER_TASK;
            let n = (r0 + ROWS_PER_TASK).min(rows) - r0;
            for t in 0..tokens {
                let dst = &mut y[t * rows + r0..t * rows + r0 + n];
                for ((o, s), b) in dst
                    .iter_mut()
                    .zip(&out[t * n..(t + 1) * n])
                    .zip(&self.bias[r0..])
                {
                    *o = b + s;
                }
            }
        }
    }

    /// Rows `r0..r1` (`r0` a multiple of four) for every token into `out[t][r − r0]` (bias not
    /// added).
    fn rows_into(&self, r0: usize, r1: usize, acts: &Activations, out: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if let Some(simd) = pulp::x86::V3::try_new() {
            simd.vectorize(Avx2Rows {
                simd,
                m: self,
                r0,
                r1,
                acts,
                out,
            });
            return;
        }
        self.rows_portable(r0, r1, acts, out);
    }

    fn rows_portable(&self, r0: usize, r1: usize, acts: &Activations, out: &mut [f32]) {
        let (cols, blocks, n) = (self.cols, self.cols / QK, r1 - r0);
        for t in 0..acts.tokens {
            let a = &acts.q[t * acts.stride..t * acts.stride + cols];
            let da = &acts.d[t * acts.stride_blocks..t * acts.stride_blocks + blocks];
            let sa = &acts.s[t * acts.stride_blocks..t * acts.stride_blocks + blocks];
            for r in r0..r1 {
                let mut acc = 0f32;
                for b in 0..blocks {
                    let slot = (r / GROUP * blocks + b) * GROUP + r % GROUP;
                    let isum: i32 = self.w[slot * QK..(slot + 1) * QK]
                        .iter()
                        .zip(&a[b * QK..(b + 1) * QK])
                        .map(|(&w, &a)| i32::from(w) * i32::from(a))
                        .sum();
                    acc += self.d[slot] * da[b] * (isum - 8 * sa[b]) as f32;
                }
                out[t * n + (r - r0)] = acc;
            }
        }
    }
}

/// The AVX2 path of [`QMatrix::rows_into`]: a tile of four rows × two tokens shares each
/// weight and activation block; per block `vpmaddubsw` + `vpmaddwd` give eight i32 partial
/// sums, accumulated in f32 with FMA.
#[cfg(target_arch = "x86_64")]
struct Avx2Rows<'a> {
    simd: pulp::x86::V3,
    m: &'a QMatrix,
    r0: usize,
    r1: usize,
    acts: &'a Activations,
    out: &'a mut [f32],
}

#[cfg(target_arch = "x86_64")]
impl pulp::NullaryFnOnce for Avx2Rows<'_> {
    type Output = ();

    #[inline(always)]
    fn call(self) {
        use core::arch::x86_64::{__m256, __m256i};
        let Avx2Rows {
            simd,
            m,
            r0,
            r1,
            acts,
            out,
        } = self;
        let (avx, avx2, fma) = (simd.avx, simd.avx2, simd.fma);
        let (cols, blocks, n) = (m.cols, m.cols / QK, r1 - r0);
        let ones = avx._mm256_set1_epi16(1);
        // The same order as the reference's horizontal sum.
        let hsum = |v: __m256| -> f32 {
            let v: [f32; 8] = pulp::cast(v);
            ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]))
        };
        let token = |t: usize| {
            let (a, _) = acts.q[t * acts.stride..t * acts.stride + cols].as_chunks::<QK>();
            let da = &acts.d[t * acts.stride_blocks..t * acts.stride_blocks + blocks];
            let ea = &acts.e[t * acts.stride_blocks..t * acts.stride_blocks + blocks];
            assert!(a.len() == blocks && da.len() == blocks && ea.len() == blocks);
            (a, da, ea)
        };
        // The nibbles' offset: Σ_b scale_w · scale_a · Σ a, per row of the group.
        let corr = |dg: &[f32], ea: &[f32]| -> [f32; GROUP] {
            let mut c = [0f32; GROUP];
            for (d4, e) in dg.chunks_exact(GROUP).zip(ea) {
                for k in 0..GROUP {
                    c[k] += d4[k] * e;
                }
            }
            c
        };
        let mut r = r0;
        while r < r1 {
            let g = r / GROUP;
            let (wg, _) =
                m.w[g * blocks * GROUP * QK..(g + 1) * blocks * GROUP * QK].as_chunks::<QK>();
            let dg = &m.d[g * blocks * GROUP..(g + 1) * blocks * GROUP];
            assert!(wg.len() == blocks * GROUP && dg.len() == blocks * GROUP);
            let live = (r1 - r).min(GROUP);
            let mut t = 0;
            // Two tokens at a time: each weight block is loaded once for both.
            while t + 2 <= acts.tokens {
                let (a0, da0, sa0) = token(t);
                let (a1, da1, sa1) = token(t + 1);
                let mut acc0 = [avx._mm256_setzero_ps(); GROUP];
                let mut acc1 = [avx._mm256_setzero_ps(); GROUP];
                for b in 0..blocks {
                    let av0: __m256i = pulp::cast(a0[b]);
                    let av1: __m256i = pulp::cast(a1[b]);
                    for k in 0..GROUP {
                        let wv: __m256i = pulp::cast(wg[b * GROUP + k]);
                        let s0 = avx2._mm256_madd_epi16(avx2._mm256_maddubs_epi16(wv, av0), ones);
                        let s1 = avx2._mm256_madd_epi16(avx2._mm256_maddubs_epi16(wv, av1), ones);
                        let dw = dg[b * GROUP + k];
                        let (sc0, sc1) = (dw * da0[b], dw * da1[b]);
                        acc0[k] = fma._mm256_fmadd_ps(
                            avx._mm256_cvtepi32_ps(s0),
                            avx._mm256_set1_ps(sc0),
                            acc0[k],
                        );
                        acc1[k] = fma._mm256_fmadd_ps(
                            avx._mm256_cvtepi32_ps(s1),
                            avx._mm256_set1_ps(sc1),
                            acc1[k],
                        );
                    }
                }
                let (corr0, corr1) = (corr(dg, sa0), corr(dg, sa1));
                for k in 0..live {
                    out[t * n + (r - r0) + k] = hsum(acc0[k]) - 8.0 * corr0[k];
                    out[(t + 1) * n + (r - r0) + k] = hsum(acc1[k]) - 8.0 * corr1[k];
                }
                t += 2;
            }
            if t < acts.tokens {
                let (a0, da0, sa0) = token(t);
                let mut acc0 = [avx._mm256_setzero_ps(); GROUP];
                for b in 0..blocks {
                    let av0: __m256i = pulp::cast(a0[b]);
                    for k in 0..GROUP {
                        let wv: __m256i = pulp::cast(wg[b * GROUP + k]);
                        let s0 = avx2._mm256_madd_epi16(avx2._mm256_maddubs_epi16(wv, av0), ones);
                        let sc0 = dg[b * GROUP + k] * da0[b];
                        acc0[k] = fma._mm256_fmadd_ps(
                            avx._mm256_cvtepi32_ps(s0),
                            avx._mm256_set1_ps(sc0),
                            acc0[k],
                        );
                    }
                }
                let corr0 = corr(dg, sa0);
                for k in 0..live {
                    out[t * n + (r - r0) + k] = hsum(acc0[k]) - 8.0 * corr0[k];
                }
            }
            r += GROUP;
        }
    }
}

/// Activations quantised to int8 per 32 values (scale = max |x| / 127, round to nearest even),
/// with each block's sum.
pub(crate) struct Activations {
    tokens: usize,
    cols: usize,
    stride: usize,
    stride_blocks: usize,
    q: Vec<i8>,
    d: Vec<f32>,
    s: Vec<i32>,
    /// `d × s` per block (the term the nibbles' offset multiplies).
    e: Vec<f32>,
}

impl Activations {
    pub(crate) fn new(tokens: usize, max_cols: usize) -> Activations {
        Activations {
            tokens,
            cols: 0,
            stride: max_cols,
            stride_blocks: max_cols / QK,
            q: vec![0; tokens * max_cols],
            d: vec![0.0; tokens * (max_cols / QK)],
            s: vec![0; tokens * (max_cols / QK)],
            e: vec![0.0; tokens * (max_cols / QK)],
        }
    }

    pub(crate) fn quantize(&mut self, x: &[f32], cols: usize) {
        self.cols = cols;
        let (stride, sb) = (self.stride, self.stride_blocks);
        let rows = self
            .q
            .chunks_mut(stride)
            .zip(self.d.chunks_mut(sb))
            .zip(self.s.chunks_mut(sb))
            .zip(x.chunks(cols))
            .take(self.tokens);
        if self.tokens * cols >= 1 << 15 {
            rows.collect::<Vec<_>>()
                .into_par_iter()
                .for_each(|(((q, d), s), x)| quantize_row(x, cols, q, d, s));
        } else {
            rows.for_each(|(((q, d), s), x)| quantize_row(x, cols, q, d, s));
        }
        for ((e, d), s) in self.e.iter_mut().zip(&self.d).zip(&self.s) {
            *e = d * *s as f32;
        }
    }
}

/// One token's activations → int8 blocks, their scales and sums.
fn quantize_row(x: &[f32], cols: usize, qrow: &mut [i8], drow: &mut [f32], srow: &mut [i32]) {
    {
        {
            for b in 0..cols / QK {
                let xs = &x[b * QK..(b + 1) * QK];
                let amax = xs.iter().fold(0f32, |m, v| m.max(v.abs()));
                let dd = amax / 127.0;
                let id = if dd > 0.0 { 1.0 / dd } else { 0.0 };
                let q = &mut qrow[b * QK..(b + 1) * QK];
                let mut sum = 0i32;
                for (qv, xv) in q.iter_mut().zip(xs) {
                    // Round to nearest, ties to even (what lrintf does): |x·id| ≤ 127, and adding
                    // then subtracting 1.5·2^23 rounds exactly that way for |v| < 2^22, without a
                    // call into libm.
                    const MAGIC: f32 = 12_582_912.0;
                    let v = (((xv * id) + MAGIC) - MAGIC).clamp(-128.0, 127.0) as i8;
                    *qv = v;
                    sum += i32::from(v);
                }
                drow[b] = dd;
                srow[b] = sum;
            }
        }
    }
}

/// `x = LN(x + y)` per row of `h` values (`y` = None: `LN(x)`).
pub(crate) fn layer_norm(
    x: &mut [f32],
    y: Option<&[f32]>,
    w: &[f32],
    b: &[f32],
    h: usize,
    eps: f32,
) {
    let rows = x.len() / h;
    for t in 0..rows {
        let r = &mut x[t * h..(t + 1) * h];
        let mut mean = 0f32;
        for i in 0..h {
            if let Some(y) = y {
                r[i] += y[t * h + i];
            }
            mean += r[i];
        }
        mean /= h as f32;
        let mut var = 0f32;
        for v in r.iter() {
            let dv = v - mean;
            var += dv * dv;
        }
        var /= h as f32;
        let inv = 1.0 / (var + eps).sqrt();
        for i in 0..h {
            r[i] = (r[i] - mean) * inv * w[i] + b[i];
        }
    }
}

/// Scaled dot-product self-attention over all tokens of the window, per head (heads in parallel
/// when `parallel`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn attention(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    ctx: &mut [f32],
    tokens: usize,
    h: usize,
    heads: usize,
    head_dim: usize,
    scale: f32,
    parallel: bool,
) {
    // One head's context for every token: [tokens][head_dim].
    let head = |hd: usize| -> Vec<f32> {
        let mut out = vec![0f32; tokens * head_dim];
        pulp::Arch::new().dispatch(Head {
            q,
            k,
            v,
            out: &mut out,
            tokens,
            h,
            off: hd * head_dim,
            head_dim,
            scale,
        });
        out
    };
    let per_head: Vec<Vec<f32>> = if parallel && tokens >= 8 {
        (0..heads).into_par_iter().map(head).collect()
    } else {
        (0..heads).map(head).collect()
    };
    for (hd, out) in per_head.iter().enumerate() {
        for t in 0..tokens {
            ctx[t * h + hd * head_dim..t * h + (hd + 1) * head_dim]
                .copy_from_slice(&out[t * head_dim..(t + 1) * head_dim]);
        }
    }
}

/// One attention head, compiled by pulp for the instruction set found at run time; dot products
/// use eight partial sums so that they vectorise.
struct Head<'a> {
    q: &'a [f32],
    k: &'a [f32],
    v: &'a [f32],
    out: &'a mut [f32],
    tokens: usize,
    h: usize,
    off: usize,
    head_dim: usize,
    scale: f32,
}

impl pulp::WithSimd for Head<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        let Head {
            q,
            k,
            v,
            out,
            tokens,
            h,
            off,
            head_dim,
            scale,
        } = self;
        let mut prob = vec![0f32; tokens];
        for t in 0..tokens {
            let qh = &q[t * h + off..t * h + off + head_dim];
            let mut max = -1e30f32;
            for (s, p) in prob.iter_mut().enumerate() {
                let kh = &k[s * h + off..s * h + off + head_dim];
                let mut acc = [0f32; 8];
                for (qc, kc) in qh.chunks_exact(8).zip(kh.chunks_exact(8)) {
                    for l in 0..8 {
                        acc[l] += qc[l] * kc[l];
                    }
                }
                let dot = acc.iter().sum::<f32>() * scale;
                *p = dot;
                max = max.max(dot);
            }
            let mut sum = 0f32;
            for p in prob.iter_mut() {
                *p = (*p - max).exp();
                sum += *p;
            }
            let inv = 1.0 / sum;
            let o = &mut out[t * head_dim..(t + 1) * head_dim];
            for (s, p) in prob.iter().enumerate() {
                let p = p * inv;
                let vh = &v[s * h + off..s * h + off + head_dim];
                for (oe, ve) in o.iter_mut().zip(vh) {
                    *oe += p * ve;
                }
            }
        }
    }
}

/// GELU in BERT's erf form.
#[inline]
pub(crate) fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// erf by Abramowitz & Stegun 7.1.26 (absolute error ≤ 1.5·10⁻⁷, far below the int8
/// quantisation of the activations that follows): a third of libm's `erff` time, which was a
/// tenth of a query's encoding.
#[inline]
pub(crate) fn erf(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * a);
    let poly = ((((1.061_405_4 * t - 1.453_152_1) * t + 1.421_413_8) * t - 0.284_496_74) * t
        + 0.254_829_6)
        * t;
    let y = 1.0 - poly * (-a * a).exp();
    if x < 0.0 { -y } else { y }
}

/// GELU over a buffer, split over the cores when `parallel` and large.
pub(crate) fn gelu_all(x: &mut [f32], parallel: bool) {
    if parallel && x.len() >= 1 << 14 {
        x.par_chunks_mut(4096)
            .for_each(|c| c.iter_mut().for_each(|v| *v = gelu(*v)));
    } else {
        x.iter_mut().for_each(|v| *v = gelu(*v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Q4_0 matrix with scale 1.0 (f16 0x3c00) and nibbles from a fixed sequence.
    fn matrix(rows: usize, cols: usize) -> QMatrix {
        let mut q4 = Vec::new();
        let mut x: u32 = 12345;
        for _ in 0..rows * cols / QK {
            q4.extend_from_slice(&0x3c00u16.to_le_bytes());
            for _ in 0..16 {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                q4.push((x >> 16) as u8);
            }
        }
        QMatrix::new(&q4, (0..rows).map(|r| r as f32).collect(), rows, cols)
    }

    fn acts(tokens: usize, cols: usize) -> Activations {
        let x: Vec<f32> = (0..tokens * cols)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 7.0)
            .collect();
        let mut a = Activations::new(tokens, cols);
        a.quantize(&x, cols);
        a
    }

    /// The SIMD path (chosen at run time) and the portable loop agree, for every row count
    /// (groups of four and a partial group) and an odd number of tokens (the two-token tile and
    /// its tail).
    #[test]
    fn simd_and_portable_paths_agree() {
        for (rows, tokens) in [(8, 5), (6, 3), (68, 2), (4, 1)] {
            let cols = 96;
            let m = matrix(rows, cols);
            let a = acts(tokens, cols);
            let mut fast = vec![0f32; tokens * rows];
            m.matmul(&a, &mut fast, false);
            let mut plain = vec![0f32; tokens * rows];
            for task in 0..rows.div_ceil(ROWS_PER_TASK) {
                let r0 = task * ROWS_PER_TASK;
                let r1 = (r0 + ROWS_PER_TASK).min(rows);
                let mut out = vec![0f32; tokens * (r1 - r0)];
                m.rows_portable(r0, r1, &a, &mut out);
                for t in 0..tokens {
                    for r in r0..r1 {
                        plain[t * rows + r] = out[t * (r1 - r0) + (r - r0)] + r as f32;
                    }
                }
            }
            for (i, (f, p)) in fast.iter().zip(&plain).enumerate() {
                assert!(
                    (f - p).abs() <= 1e-3 * p.abs().max(1.0),
                    "rows {rows}, tokens {tokens}, value {i}: {f} vs {p}"
                );
            }
            // Not all zero: the test compares real sums.
            assert!(plain.iter().any(|v| v.abs() > 1.0));
        }
    }
}
