//! Fast inference and hybrid ranking.
//!
//! Inference runs on plain `f32` loops over weights extracted once from the burn modules
//! (BatchNorm folded into the preceding Dense layer), because creating burn tensors per
//! track or per query is far slower than a tight loop in wasm. The loops are written so the
//! innermost index is contiguous and auto-vectorises.
//!
//! ## Hybrid score
//! `score = blend · z(cosine(profile, e)) + (1 − blend) · z(head_logit(e))`, where `z` standardises
//! a score over the candidate set (subtract mean, divide by standard deviation). Cosine lives in
//! [-1, 1] while the head's logit is unbounded; standardising puts both on "standard deviations
//! above the catalog average", so `blend` means the same thing for every listener.

use crate::model::{to_vec, Autoencoder, Embedding32, HeadInput, EMB, HIDDEN, N_IN};
use crate::weights::{Head, Weights};

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
    pub fn encode(&self, x: &[f32; N_IN]) -> Embedding32 {
        let mut h = [0.0f32; HIDDEN];
        let mut e = [0.0f32; EMB];
        self.l1.apply(x, &mut h, true);
        self.l2.apply(&h, &mut e, false);
        e
    }
}

/// Embed every track (the page's ~66k-track catalog in one call).
pub fn encode_all(weights: &Weights, features: &[[f32; N_IN]]) -> Vec<Embedding32> {
    let enc = DenseEncoder::new(&weights.autoencoder);
    features.iter().map(|x| enc.encode(x)).collect()
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
    pub fn new(head: &Head, profile: Option<&Embedding32>) -> Self {
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
    pub fn score(&self, e: &Embedding32) -> f32 {
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
pub fn head_scores(
    head: &Head,
    embeddings: &[Embedding32],
    profile: Option<&Embedding32>,
) -> Vec<f32> {
    let h = DenseHead::new(head, profile);
    embeddings.iter().map(|e| h.score(e)).collect()
}

/// Mean of the given rows' embeddings; `None` when `rows` is empty.
pub fn profile(embeddings: &[Embedding32], rows: &[usize]) -> Option<Embedding32> {
    let rows: Vec<usize> = rows
        .iter()
        .copied()
        .filter(|&r| r < embeddings.len())
        .collect();
    if rows.is_empty() {
        return None;
    }
    let mut p = [0.0f32; EMB];
    for &r in &rows {
        for (a, b) in p.iter_mut().zip(&embeddings[r]) {
            *a += b;
        }
    }
    let n = rows.len() as f32;
    p.iter_mut().for_each(|a| *a /= n);
    Some(p)
}

/// Cosine similarity of every row of `vectors` to `query` (0 for zero vectors).
pub fn cosine_scores<const D: usize>(vectors: &[[f32; D]], query: &[f32; D]) -> Vec<f32> {
    let qn = query.iter().map(|x| x * x).sum::<f32>().sqrt();
    vectors
        .iter()
        .map(|v| {
            let mut dot = 0.0;
            let mut vn = 0.0;
            for (a, b) in v.iter().zip(query) {
                dot += a * b;
                vn += a * a;
            }
            let d = vn.sqrt() * qn;
            if d > 0.0 {
                dot / d
            } else {
                0.0
            }
        })
        .collect()
}

/// Standardise in place (mean 0, sd 1); constant input becomes all zeros.
pub fn zscore(v: &mut [f32]) {
    if v.is_empty() {
        return;
    }
    let n = v.len() as f64;
    let mean = v.iter().map(|&x| x as f64).sum::<f64>() / n;
    let var = v.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / n;
    let sd = var.sqrt();
    for x in v.iter_mut() {
        *x = if sd > 1e-12 {
            ((*x as f64 - mean) / sd) as f32
        } else {
            0.0
        };
    }
}

/// `blend · z(cosine) + (1 − blend) · z(head)`.
pub fn blend_scores(mut cosine: Vec<f32>, mut head: Vec<f32>, blend: f32) -> Vec<f32> {
    zscore(&mut cosine);
    zscore(&mut head);
    cosine
        .iter()
        .zip(&head)
        .map(|(c, h)| blend * c + (1.0 - blend) * h)
        .collect()
}

/// Exact top-k by score (descending; ties by lower index), skipping `exclude` and NaNs.
pub fn top_k(scores: &[f32], k: usize, exclude: &[usize]) -> Vec<(usize, f32)> {
    let mut skip = vec![false; scores.len()];
    for &e in exclude {
        if e < skip.len() {
            skip[e] = true;
        }
    }
    let mut idx: Vec<usize> = (0..scores.len())
        .filter(|&i| !skip[i] && !scores[i].is_nan())
        .collect();
    let cmp = |a: &usize, b: &usize| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b));
    if k < idx.len() {
        idx.select_nth_unstable_by(k, cmp);
        idx.truncate(k);
    }
    idx.sort_by(cmp);
    idx.into_iter().map(|i| (i, scores[i])).collect()
}

/// The full hybrid ranking score for every track, given a (possibly fine-tuned) head.
/// Empty `likes` → the cold-start score.
pub fn hybrid_scores(
    head: &Head,
    embeddings: &[Embedding32],
    likes: &[usize],
    blend: f32,
    popularity: Option<&[f32]>,
) -> Vec<f32> {
    match profile(embeddings, likes) {
        Some(p) => {
            let cos = cosine_scores(embeddings, &p);
            let h = head_scores(head, embeddings, Some(&p));
            blend_scores(cos, h, blend)
        }
        None => cold_start_scores(head, embeddings, popularity),
    }
}

/// Cold start (no likes): the head's prior (profile = catalog mean embedding), plus
/// standardised popularity when known: `z(head) + z(popularity)`.
pub fn cold_start_scores(
    head: &Head,
    embeddings: &[Embedding32],
    popularity: Option<&[f32]>,
) -> Vec<f32> {
    let all: Vec<usize> = (0..embeddings.len()).collect();
    let mean = profile(embeddings, &all);
    let mut h = head_scores(head, embeddings, mean.as_ref());
    zscore(&mut h);
    if let Some(pop) = popularity.filter(|p| p.len() == h.len()) {
        let mut p = pop.to_vec();
        zscore(&mut p);
        for (a, b) in h.iter_mut().zip(&p) {
            *a += b;
        }
    }
    h
}

/// Top-k recommendations (likes excluded). Never fails: no likes gives the cold-start list.
pub fn recommend(
    head: &Head,
    embeddings: &[Embedding32],
    likes: &[usize],
    k: usize,
    blend: f32,
    popularity: Option<&[f32]>,
) -> Vec<(usize, f32)> {
    let s = hybrid_scores(head, embeddings, likes, blend, popularity);
    top_k(&s, k, likes)
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
        };
        // Round-trip so running stats/eval mode are as loaded by the page.
        let w = Weights::from_bytes(&w.to_bytes()).unwrap();
        let feats: Vec<[f32; 16]> = (0..20)
            .map(|i| std::array::from_fn(|j| ((i * 7 + j * 3) % 11) as f32 / 10.0))
            .collect();
        let emb = encode_all(&w, &feats);
        let flat: Vec<f32> = feats.iter().flatten().copied().collect();
        let t = w.autoencoder.encode(tensor2(flat, 20, 16, &dev));
        let burn_emb = to_vec(t);
        for (a, b) in emb.iter().flatten().zip(&burn_emb) {
            assert!((a - b).abs() < 1e-4, "{a} vs {b}");
        }
        let p = profile(&emb, &[1, 2, 3]).unwrap();
        let fast = head_scores(&w.head, &emb, Some(&p));
        let rows: Vec<usize> = (0..20).collect();
        let x = w.head.input.build(&emb, &rows, Some(&p));
        let slow = to_vec(w.head.net.forward(tensor2(x, 20, 64, &dev)));
        for (a, b) in fast.iter().zip(&slow) {
            assert!((a - b).abs() < 1e-4, "{a} vs {b}");
        }
    }

    #[test]
    fn top_k_exact_and_excludes() {
        let s = vec![0.1, 0.9, 0.5, 0.9, -1.0, f32::NAN, 0.7];
        let t = top_k(&s, 3, &[3]);
        assert_eq!(t.iter().map(|x| x.0).collect::<Vec<_>>(), vec![1, 6, 2]);
        assert_eq!(top_k(&s, 100, &[]).len(), 6);
        assert!(top_k(&[], 5, &[]).is_empty());
    }
}
