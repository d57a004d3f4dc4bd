//! Fast f32 inference of the encoder and the rating head.
//!
//! Inference runs on plain `f32` loops over the weights file's tensors (BatchNorm folded into
//! the preceding Dense layer). The loops are written so the innermost index is contiguous and
//! auto-vectorises.

use super::weights::{AutoencoderWeights, Norm, BN_EPSILON};
use super::{Embedding, Head, HeadInput, Weights, EMB, HIDDEN, N_IN};

/// One dense layer `y = x W + b`, `W` row-major `[d_in][d_out]` (as burn's `Linear` stores it).
#[derive(Debug, Clone, PartialEq)]
pub struct Dense {
    pub d_in: usize,
    pub d_out: usize,
    pub w: Vec<f32>,
    pub b: Vec<f32>,
}

/// `max(x, 0)` by a comparison: `f32::max` is a libm call in wasm (about 9 ms of the engine
/// worker's time in a cold load at 66k tracks, profiled). NaN gives 0, as `max` does.
#[inline(always)]
fn relu_of(x: f32) -> f32 {
    if x > 0.0 {
        x
    } else {
        0.0
    }
}

impl Dense {
    /// Fold an inference-mode BatchNorm that follows this layer into it.
    fn fold_bn(mut self, bn: &Norm) -> Self {
        for j in 0..self.d_out {
            let s = bn.gamma[j] / (bn.var[j] + BN_EPSILON).sqrt();
            for i in 0..self.d_in {
                self.w[i * self.d_out + j] *= s;
            }
            self.b[j] = (self.b[j] - bn.mean[j]) * s + bn.beta[j];
        }
        self
    }

    /// `out = x W + b` (optionally ReLU). `out.len() == d_out`.
    #[inline]
    fn apply(&self, x: &[f32], out: &mut [f32], relu: bool) {
        out.copy_from_slice(&self.b);
        for (i, &xi) in x.iter().enumerate() {
            if xi == 0.0 {
                continue;
            }
            let row = &self.w[i * self.d_out..(i + 1) * self.d_out];
            for (o, &wv) in out.iter_mut().zip(row) {
                *o += xi * wv;
            }
        }
        if relu {
            for o in out.iter_mut() {
                *o = relu_of(*o);
            }
        }
    }

    /// [`Dense::apply`] for a one-output layer (the head's last: the weights' shapes are checked
    /// on load), the same sum in the same order: at opt-level "z" the general loop copied the
    /// bias with a call and sliced a weight row per input (2.5% of a ranking in wasm).
    #[inline]
    fn apply_one(&self, x: &[f32]) -> f32 {
        debug_assert_eq!(self.d_out, 1);
        let mut o = self.b[0];
        for (&xi, &w) in x.iter().zip(&self.w[..self.d_in]) {
            if xi != 0.0 {
                o += xi * w;
            }
        }
        o
    }
}

/// Rows a block kernel processes together: each weight chunk is loaded once per block.
const BLOCK: usize = 4;
/// Output columns a block kernel keeps in registers (two SIMD128 lanes of f32x4).
const COLS: usize = 8;

impl Dense {
    /// `out[r] = x[r] W + b` (optionally ReLU) for `BLOCK` rows at once. The accumulators
    /// (`BLOCK` × `COLS`) stay in registers while `i` runs over the inputs, so each weight
    /// chunk is read once per block instead of once per row; every output still sums
    /// `b + x₀w₀ + x₁w₁ + …` in the same order as [`Dense::apply`], so the results are the
    /// same numbers (zero inputs add an exact zero instead of being skipped).
    #[inline]
    fn apply_block(&self, x: [&[f32]; BLOCK], out: [&mut [f32]; BLOCK], relu: bool) {
        if !self.d_out.is_multiple_of(COLS) {
            for (x, out) in x.into_iter().zip(out) {
                self.apply(x, out, relu);
            }
            return;
        }
        let mut out = out;
        for j0 in (0..self.d_out).step_by(COLS) {
            let acc = self.block_cols(j0, &x);
            for (a, o) in acc.iter().zip(out.iter_mut()) {
                for (o, &a) in o[j0..j0 + COLS].iter_mut().zip(a) {
                    *o = if relu { relu_of(a) } else { a };
                }
            }
        }
    }

    /// Columns `j0..j0 + COLS` of `x W + b` for each row of a block.
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    #[inline(always)]
    fn block_cols(&self, j0: usize, x: &[&[f32]; BLOCK]) -> [[f32; COLS]; BLOCK] {
        let b: [f32; COLS] = self.b[j0..j0 + COLS].try_into().expect("COLS wide");
        let mut acc = [b; BLOCK];
        for i in 0..self.d_in {
            let w: &[f32; COLS] = self.w[i * self.d_out + j0..i * self.d_out + j0 + COLS]
                .try_into()
                .expect("COLS wide");
            for (a, x) in acc.iter_mut().zip(x) {
                let xi = x[i];
                for (a, &w) in a.iter_mut().zip(w) {
                    *a += xi * w;
                }
            }
        }
        acc
    }

    /// The same sums with explicit f32x4 lanes: the page's wasm is size-optimised, which turns
    /// the auto-vectoriser off. Products and sums in the same order, so the same numbers. The
    /// eight accumulators are named locals and every bound is checked once, up front: at
    /// `opt-level = "z"` LLVM kept an array of accumulators on the stack, called the load
    /// closure and checked `x[i]` on every product (3.5× slower than the native loop).
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    #[inline(always)]
    fn block_cols(&self, j0: usize, x: &[&[f32]; BLOCK]) -> [[f32; COLS]; BLOCK] {
        use core::arch::wasm32::*;
        let (d_in, d_out) = (self.d_in, self.d_out);
        assert!(
            x.iter().all(|r| r.len() >= d_in)
                && j0 + COLS <= d_out
                && self.w.len() >= d_in * d_out
                && self.b.len() >= j0 + COLS,
            "block_cols out of bounds"
        );
        let [x0, x1, x2, x3] = x.map(|r| r.as_ptr());
        let mut out = [[0.0f32; COLS]; BLOCK];
        // SAFETY: the assert bounds every read: each row has `d_in` values, and row `i` of `w`
        // has `d_out ≥ j0 + COLS` values from `i * d_out`; wasm loads may be unaligned. `out`
        // is BLOCK × COLS writable f32.
        unsafe {
            let b = self.b.as_ptr().add(j0);
            let (bl, bh) = (
                v128_load(b as *const v128),
                v128_load(b.add(4) as *const v128),
            );
            let (mut a0l, mut a0h, mut a1l, mut a1h) = (bl, bh, bl, bh);
            let (mut a2l, mut a2h, mut a3l, mut a3h) = (bl, bh, bl, bh);
            let mut wp = self.w.as_ptr().add(j0);
            for i in 0..d_in {
                let wl = v128_load(wp as *const v128);
                let wh = v128_load(wp.add(4) as *const v128);
                wp = wp.wrapping_add(d_out);
                // one row of the block: its input `i` times the weight chunk, into its two
                // accumulators (a macro keeps them named locals, which stay in registers)
                macro_rules! row {
                    ($x:ident, $lo:ident, $hi:ident) => {
                        // (a load-splat is one instruction; a load then a splat took two)
                        let s = v128_load32_splat($x.add(i) as *const u32);
                        $lo = f32x4_add($lo, f32x4_mul(s, wl));
                        $hi = f32x4_add($hi, f32x4_mul(s, wh));
                    };
                }
                row!(x0, a0l, a0h);
                row!(x1, a1l, a1h);
                row!(x2, a2l, a2h);
                row!(x3, a3l, a3h);
            }
            for (o, (lo, hi)) in
                out.iter_mut()
                    .zip([(a0l, a0h), (a1l, a1h), (a2l, a2h), (a3l, a3h)])
            {
                v128_store(o.as_mut_ptr() as *mut v128, lo);
                v128_store(o.as_mut_ptr().add(4) as *mut v128, hi);
            }
        }
        out
    }
}

/// The encoder half of the autoencoder as plain loops (BatchNorm folded, dropout off).
#[derive(Debug, Clone)]
pub struct DenseEncoder {
    l1: Dense,
    l2: Dense,
}

impl DenseEncoder {
    /// From the autoencoder's weights.
    pub fn new(ae: &AutoencoderWeights) -> Self {
        Self {
            l1: ae.enc1.clone().fold_bn(&ae.enc_bn),
            l2: ae.enc2.clone(),
        }
    }

    /// Embed one track.
    pub fn encode(&self, x: &[f32; N_IN]) -> Embedding {
        let mut h = [0.0f32; HIDDEN];
        let mut e = [0.0f32; EMB];
        self.l1.apply(x, &mut h, true);
        self.l2.apply(&h, &mut e, false);
        e
    }

    /// Embed many tracks, `BLOCK` at a time (each weight chunk read once per block): the same
    /// numbers as [`DenseEncoder::encode`] per track.
    pub fn encode_many(&self, inputs: impl IntoIterator<Item = [f32; N_IN]>) -> Vec<Embedding> {
        let mut out = Vec::new();
        self.encode_into(inputs, &mut out);
        out
    }

    /// [`DenseEncoder::encode_many`] appended to `out` (the engine worker encodes a catalog a
    /// slice at a time into one vector).
    pub fn encode_into(
        &self,
        inputs: impl IntoIterator<Item = [f32; N_IN]>,
        out: &mut Vec<Embedding>,
    ) {
        in_blocks(
            inputs,
            out,
            |b, out| out.extend_from_slice(&two_layers::<N_IN, EMB>(&self.l1, &self.l2, b, false)),
            |x| self.encode(x),
        )
    }
}

/// A block of rows through `l1` (ReLU) into `HIDDEN` units, then `l2` (ReLU if `relu2`).
fn two_layers<const A: usize, const C: usize>(
    l1: &Dense,
    l2: &Dense,
    b: &[[f32; A]; BLOCK],
    relu2: bool,
) -> [[f32; C]; BLOCK] {
    let mut h = [[0.0f32; HIDDEN]; BLOCK];
    let mut o = [[0.0f32; C]; BLOCK];
    let [h0, h1, h2, h3] = &mut h;
    l1.apply_block([&b[0], &b[1], &b[2], &b[3]], [h0, h1, h2, h3], true);
    let [o0, o1, o2, o3] = &mut o;
    l2.apply_block([&h[0], &h[1], &h[2], &h[3]], [o0, o1, o2, o3], relu2);
    o
}

/// `block` on each full block of `BLOCK` rows (it appends their results), `one` on each row of
/// the partial last block: results appended to `out` in row order.
fn in_blocks<const W: usize, T>(
    rows: impl IntoIterator<Item = [f32; W]>,
    out: &mut Vec<T>,
    mut block: impl FnMut(&[[f32; W]; BLOCK], &mut Vec<T>),
    one: impl Fn(&[f32; W]) -> T,
) {
    let mut rows = rows.into_iter();
    out.reserve(rows.size_hint().0);
    loop {
        let mut b = [[0.0f32; W]; BLOCK];
        let mut got = 0;
        for (slot, x) in b.iter_mut().zip(rows.by_ref()) {
            *slot = x;
            got += 1;
        }
        if got < BLOCK {
            out.extend(b[..got].iter().map(&one));
            return;
        }
        block(&b, out);
    }
}

/// Embed every track (the page's ~66k-track catalog in one call); `inputs` from `model::input`.
pub fn encode_all(weights: &Weights, features: &[[f32; N_IN]]) -> Vec<Embedding> {
    DenseEncoder::new(&weights.autoencoder).encode_many(features.iter().copied())
}

/// The rating head as plain loops, optionally specialised to one listener's profile.
#[derive(Debug, Clone)]
pub struct DenseHead {
    /// First layer acting on the 32-d embedding (profile folded in when the head uses it).
    l1: Dense,
    l2: Dense,
    l3: Dense,
}

impl DenseHead {
    /// Extract from a head; for `EmbeddingProfile` heads the profile is folded into the first
    /// layer: `[e, p⊙e] W = e (W_a + diag(p) W_b)`, so scoring costs the same as without it.
    pub fn new(head: &Head, profile: Option<&Embedding>) -> Self {
        let full = head.fc1.clone();
        let l1 = match head.input {
            HeadInput::Embedding => full,
            HeadInput::EmbeddingProfile => {
                let zero = [0.0f32; EMB];
                let p = profile.unwrap_or(&zero);
                let d = full.d_out;
                let mut w = full.w[..EMB * d].to_vec();
                for i in 0..EMB {
                    for j in 0..d {
                        w[i * d + j] += p[i] * full.w[(EMB + i) * d + j];
                    }
                }
                Dense {
                    d_in: EMB,
                    d_out: d,
                    w,
                    b: full.b,
                }
            }
        };
        Self {
            l1,
            l2: head.fc2.clone(),
            l3: head.out.clone(),
        }
    }

    /// Logit for one embedding.
    pub fn score(&self, e: &Embedding) -> f32 {
        let mut h1 = [0.0f32; HIDDEN];
        let mut h2 = [0.0f32; 32];
        self.l1.apply(e, &mut h1, true);
        self.l2.apply(&h1, &mut h2, true);
        self.l3.apply_one(&h2)
    }
}

impl DenseHead {
    /// [`DenseHead::score`] of many embeddings, `BLOCK` at a time through the hidden layers
    /// (the same numbers; each weight chunk read once per block).
    pub fn score_many<'a>(&self, rows: impl IntoIterator<Item = &'a Embedding>) -> Vec<f32> {
        let mut out = Vec::new();
        in_blocks(
            rows.into_iter().copied(),
            &mut out,
            |b, out| {
                for h in &two_layers::<EMB, 32>(&self.l1, &self.l2, b, true) {
                    out.push(self.l3.apply_one(h));
                }
            },
            |e| self.score(e),
        );
        out
    }
}

/// Head logits for every embedding (`profile` is the listener's, if the head uses one).
pub fn head_scores(head: &Head, embeddings: &[Embedding], profile: Option<&Embedding>) -> Vec<f32> {
    DenseHead::new(head, profile).score_many(embeddings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{cpu, tensor2, to_vec, Autoencoder};

    #[test]
    fn dense_matches_burn() {
        let dev = cpu();
        dev.seed(3);
        let w = Weights {
            autoencoder: AutoencoderWeights::from_module(&Autoencoder::new(&dev)),
            head: Head::new(HeadInput::EmbeddingProfile, &dev),
            blend: 0.5,
            objective: crate::model::Objective::Taste,
        };
        // Round-trip so running stats/eval mode are as loaded by the page.
        let w = Weights::from_bytes(&w.to_bytes()).unwrap();
        let feats: Vec<[f32; N_IN]> = (0..20)
            .map(|i| std::array::from_fn(|j| ((i * 7 + j * 3) % 11) as f32 / 10.0))
            .collect();
        let emb = encode_all(&w, &feats);
        let flat: Vec<f32> = feats.iter().flatten().copied().collect();
        let t = w
            .autoencoder
            .module(&dev)
            .encode(tensor2(flat, 20, N_IN, &dev));
        let burn_emb = to_vec(t);
        for (a, b) in emb.iter().flatten().zip(&burn_emb) {
            assert!((a - b).abs() < 1e-4, "{a} vs {b}");
        }
        // the blocked kernel gives the per-track loop's numbers (23 rows: a partial last block)
        let enc = DenseEncoder::new(&w.autoencoder);
        let more: Vec<[f32; N_IN]> = (0..23)
            .map(|i| std::array::from_fn(|j| ((i * 5 + j * 7) % 13) as f32 / 6.0 - 1.0))
            .collect();
        for (a, x) in encode_all(&w, &more).iter().zip(&more) {
            assert_eq!(a, &enc.encode(x));
        }
        let p = crate::vector::mean_of(&emb, &[1, 2, 3]).unwrap();
        let fast = head_scores(&w.head, &emb, Some(&p));
        let rows: Vec<usize> = (0..20).collect();
        let x = w.head.input.build(&emb, &rows, Some(&p));
        let slow = to_vec(w.head.net(&dev).forward(tensor2(x, 20, 64, &dev)));
        for (a, b) in fast.iter().zip(&slow) {
            assert!((a - b).abs() < 1e-4, "{a} vs {b}");
        }
        // the blocked head gives the per-row numbers (20 rows: a partial last block)
        let head = DenseHead::new(&w.head, Some(&p));
        for (a, e) in fast.iter().zip(&emb) {
            assert_eq!(a.to_bits(), head.score(e).to_bits());
        }
    }
}
