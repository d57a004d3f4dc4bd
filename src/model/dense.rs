//! Fast f32 inference of the encoder and the rating head.
//!
//! Inference runs on plain `f32` loops over weights extracted once from the burn modules
//! (BatchNorm folded into the preceding Dense layer), because creating burn tensors per
//! track or per query is far slower than a tight loop in wasm. The loops are written so the
//! innermost index is contiguous and auto-vectorises.

use super::{to_vec, Autoencoder, Embedding, Head, HeadInput, Weights, EMB, HIDDEN, N_IN};

/// One dense layer `y = x W + b`, `W` row-major `[d_in][d_out]`.
#[derive(Debug, Clone)]
pub struct Dense {
    pub d_in: usize,
    pub d_out: usize,
    pub w: Vec<f32>,
    pub b: Vec<f32>,
}

impl Dense {
    fn from_linear(l: &burn::nn::Linear) -> Self {
        let [d_in, d_out] = l.weight.val().dims();
        let w = to_vec(l.weight.val());
        let b = l
            .bias
            .as_ref()
            .map(|b| to_vec(b.val()))
            .unwrap_or_else(|| vec![0.0; d_out]);
        Self { d_in, d_out, w, b }
    }

    /// Fold an inference-mode BatchNorm that follows this layer into it.
    fn fold_bn(mut self, bn: &burn::nn::BatchNorm) -> Self {
        let g = to_vec(bn.gamma.val());
        let beta = to_vec(bn.beta.val());
        let mean = to_vec(bn.running_mean.value());
        let var = to_vec(bn.running_var.value());
        for j in 0..self.d_out {
            let s = g[j] / (var[j] + bn.epsilon as f32).sqrt();
            for i in 0..self.d_in {
                self.w[i * self.d_out + j] *= s;
            }
            self.b[j] = (self.b[j] - mean[j]) * s + beta[j];
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
                *o = o.max(0.0);
            }
        }
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
            let b: [f32; COLS] = self.b[j0..j0 + COLS].try_into().expect("COLS wide");
            let mut acc = [b; BLOCK];
            for i in 0..self.d_in {
                let w: &[f32; COLS] = self.w[i * self.d_out + j0..i * self.d_out + j0 + COLS]
                    .try_into()
                    .expect("COLS wide");
                for (a, x) in acc.iter_mut().zip(&x) {
                    let xi = x[i];
                    for (a, &w) in a.iter_mut().zip(w) {
                        *a += xi * w;
                    }
                }
            }
            for (a, o) in acc.iter().zip(out.iter_mut()) {
                for (o, &a) in o[j0..j0 + COLS].iter_mut().zip(a) {
                    *o = if relu { a.max(0.0) } else { a };
                }
            }
        }
    }
}

/// The encoder half of the autoencoder as plain loops (BatchNorm folded, dropout off).
#[derive(Debug, Clone)]
pub struct DenseEncoder {
    l1: Dense,
    l2: Dense,
}

impl DenseEncoder {
    /// Extract from a trained autoencoder.
    pub fn new(ae: &Autoencoder) -> Self {
        Self {
            l1: Dense::from_linear(&ae.enc1).fold_bn(&ae.enc_bn),
            l2: Dense::from_linear(&ae.enc2),
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
}

/// Embed every track (the page's ~66k-track catalog in one call); `inputs` from `model::input`.
pub fn encode_all(weights: &Weights, features: &[[f32; N_IN]]) -> Vec<Embedding> {
    let enc = DenseEncoder::new(&weights.autoencoder);
    let mut out = Vec::with_capacity(features.len());
    enc.encode_into(features, &mut out);
    out
}

impl DenseEncoder {
    /// Embed `features` (`model::input` rows) onto the end of `out`, [`BLOCK`] tracks at a time
    /// so each weight chunk is read once per block; the same numbers as [`DenseEncoder::encode`].
    pub fn encode_into(&self, features: &[[f32; N_IN]], out: &mut Vec<Embedding>) {
        let enc = self;
        let blocks = features.chunks_exact(BLOCK);
        let rest = blocks.remainder();
        for b in blocks {
            let mut h = [[0.0f32; HIDDEN]; BLOCK];
            let mut e = [[0.0f32; EMB]; BLOCK];
            let [h0, h1, h2, h3] = &mut h;
            enc.l1
                .apply_block([&b[0], &b[1], &b[2], &b[3]], [h0, h1, h2, h3], true);
            let [e0, e1, e2, e3] = &mut e;
            enc.l2
                .apply_block([&h[0], &h[1], &h[2], &h[3]], [e0, e1, e2, e3], false);
            out.extend_from_slice(&e);
        }
        out.extend(rest.iter().map(|x| enc.encode(x)));
    }
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
        let full = Dense::from_linear(&head.net.fc1);
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
            l2: Dense::from_linear(&head.net.fc2),
            l3: Dense::from_linear(&head.net.out),
        }
    }

    /// Logit for one embedding.
    pub fn score(&self, e: &Embedding) -> f32 {
        let mut h1 = [0.0f32; HIDDEN];
        let mut h2 = [0.0f32; 32];
        let mut o = [0.0f32; 1];
        self.l1.apply(e, &mut h1, true);
        self.l2.apply(&h1, &mut h2, true);
        self.l3.apply(&h2, &mut o, false);
        o[0]
    }
}

/// Head logits for every embedding (`profile` is the listener's, if the head uses one).
pub fn head_scores(head: &Head, embeddings: &[Embedding], profile: Option<&Embedding>) -> Vec<f32> {
    let h = DenseHead::new(head, profile);
    embeddings.iter().map(|e| h.score(e)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{cpu, tensor2, to_vec};

    #[test]
    fn dense_matches_burn() {
        let dev = cpu();
        dev.seed(3);
        let w = Weights {
            autoencoder: Autoencoder::new(&dev),
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
        let t = w.autoencoder.encode(tensor2(flat, 20, N_IN, &dev));
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
        let slow = to_vec(w.head.net.forward(tensor2(x, 20, 64, &dev)));
        for (a, b) in fast.iter().zip(&slow) {
            assert!((a - b).abs() < 1e-4, "{a} vs {b}");
        }
    }
}
