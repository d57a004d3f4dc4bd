//! Re-ranking of scored candidates (DOM-free, native-tested).
//!
//! * Spotify-style filters: for any of the 16 scaled features a `min`, a `max`
//!   (hard bounds) and a `target` (soft: the distance to it is subtracted from
//!   the score, weighted by `target_weight`).
//! * MMR diversity over the embeddings: `diversity` in [0, 1]; 0 keeps the
//!   relevance order, 1 maximises spread.

use serde::{Deserialize, Serialize};

use super::score::by_score;
use crate::catalog::features::{Features, N_FEATURES};
use crate::vector::{dot, unit};

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct FeatureFilter {
    pub target: Option<f32>,
    pub min: Option<f32>,
    pub max: Option<f32>,
}

impl FeatureFilter {
    pub fn is_empty(&self) -> bool {
        self.target.is_none() && self.min.is_none() && self.max.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Filters {
    pub features: [FeatureFilter; N_FEATURES],
    /// How much one unit of mean distance to the targets costs in score.
    pub target_weight: f32,
}

impl Default for Filters {
    fn default() -> Self {
        Filters {
            features: [FeatureFilter::default(); N_FEATURES],
            target_weight: 1.0,
        }
    }
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        self.features.iter().all(FeatureFilter::is_empty)
    }

    /// True when every min/max bound holds.
    pub fn passes(&self, f: &Features) -> bool {
        self.features
            .iter()
            .zip(f)
            .all(|(flt, &v)| flt.min.is_none_or(|m| v >= m) && flt.max.is_none_or(|m| v <= m))
    }

    /// Mean absolute distance to the set targets (0 when no target is set).
    pub fn target_penalty(&self, f: &Features) -> f32 {
        let mut sum = 0.0;
        let mut n = 0;
        for (flt, &v) in self.features.iter().zip(f) {
            if let Some(t) = flt.target {
                sum += (v - t).abs();
                n += 1;
            }
        }
        if n == 0 {
            0.0
        } else {
            sum / n as f32
        }
    }
}

/// Re-rank `scored` (track index, relevance score; higher is better, any order): drop what fails
/// the hard bounds, subtract the target penalty, keep the best `pool` (at least `k`), then MMR
/// with `diversity` in [0, 1]. Returns up to `k` (index, adjusted score), best first.
pub fn rerank<const D: usize>(
    scored: &[(usize, f32)],
    features: &[Features],
    emb: &[[f32; D]],
    filters: &Filters,
    diversity: f32,
    k: usize,
    pool: usize,
) -> Vec<(usize, f32)> {
    let has_targets = filters.features.iter().any(|f| f.target.is_some());
    let mut cand: Vec<(usize, f32)> = scored
        .iter()
        .filter(|&&(i, s)| s.is_finite() && i < features.len() && i < emb.len())
        .filter(|&&(i, _)| filters.passes(&features[i]))
        .map(|&(i, s)| {
            let adj = if has_targets {
                s - filters.target_weight * filters.target_penalty(&features[i])
            } else {
                s
            };
            (i, adj)
        })
        .collect();
    let pool = pool.max(k);
    if cand.len() > pool {
        cand.select_nth_unstable_by(pool - 1, by_score);
        cand.truncate(pool);
    }
    cand.sort_by(by_score);
    let diversity = if diversity.is_nan() {
        0.0
    } else {
        diversity.clamp(0.0, 1.0)
    };
    if diversity <= 0.0 || cand.len() <= 1 {
        cand.truncate(k);
        return cand;
    }
    mmr(&cand, emb, 1.0 - diversity, k)
}

/// Maximal marginal relevance over a candidate list sorted best first.
pub fn mmr<const D: usize>(
    cand: &[(usize, f32)],
    emb: &[[f32; D]],
    lambda: f32,
    k: usize,
) -> Vec<(usize, f32)> {
    if cand.is_empty() {
        return Vec::new();
    }
    let hi = cand.iter().map(|c| c.1).fold(f32::MIN, f32::max);
    let lo = cand.iter().map(|c| c.1).fold(f32::MAX, f32::min);
    let span = (hi - lo).max(1e-9);
    let rel: Vec<f32> = cand.iter().map(|c| (c.1 - lo) / span).collect();
    // each candidate's unit row once: a cosine is then one dot product, not three
    let units: Vec<[f32; D]> = cand.iter().map(|c| unit(&emb[c.0])).collect();
    let mut max_sim = vec![f32::MIN; cand.len()];
    let mut taken = vec![false; cand.len()];
    let mut out = Vec::with_capacity(k.min(cand.len()));
    while out.len() < k.min(cand.len()) {
        let mut best = usize::MAX;
        let mut best_v = f32::MIN;
        for j in 0..cand.len() {
            if taken[j] {
                continue;
            }
            let penalty = if out.is_empty() { 0.0 } else { max_sim[j] };
            let v = lambda * rel[j] - (1.0 - lambda) * penalty;
            if v > best_v {
                best_v = v;
                best = j;
            }
        }
        taken[best] = true;
        out.push(cand[best]);
        let e = &units[best];
        for j in 0..cand.len() {
            if !taken[j] {
                let s = dot(e, &units[j]);
                if s > max_sim[j] {
                    max_sim[j] = s;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feats(v: &[f32]) -> Vec<[f32; 16]> {
        v.iter().map(|&x| [x; 16]).collect()
    }

    fn ids(r: &[(usize, f32)]) -> Vec<usize> {
        r.iter().map(|x| x.0).collect()
    }

    #[test]
    fn min_max_filter_and_target_penalty() {
        let features = feats(&[0.1, 0.5, 0.9]);
        let emb: Vec<[f32; 2]> = vec![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]];
        let scored = vec![(0, 3.0), (1, 2.0), (2, 1.0)];
        let mut f = Filters::default();
        f.features[1].min = Some(0.4);
        assert_eq!(
            ids(&rerank(&scored, &features, &emb, &f, 0.0, 3, 200)),
            vec![1, 2]
        );
        // a target near 0.9 on every feature flips the order when it weighs enough
        let mut f = Filters::default();
        for x in f.features.iter_mut() {
            x.target = Some(0.9);
        }
        f.target_weight = 10.0;
        assert_eq!(
            ids(&rerank(&scored, &features, &emb, &f, 0.0, 3, 200)),
            vec![2, 1, 0]
        );
    }

    #[test]
    fn mmr_spreads_out() {
        // two near-duplicates on top, one different track below
        let features = feats(&[0.5, 0.5, 0.5]);
        let emb: Vec<[f32; 2]> = vec![[1.0, 0.0], [0.99, 0.01], [0.0, 1.0]];
        let scored = vec![(0, 1.0), (1, 0.99), (2, 0.5)];
        let f = Filters::default();
        assert_eq!(
            ids(&rerank(&scored, &features, &emb, &f, 0.0, 2, 200)),
            vec![0, 1]
        );
        assert_eq!(
            ids(&rerank(&scored, &features, &emb, &f, 0.7, 2, 200)),
            vec![0, 2]
        );
    }

    #[test]
    fn pool_and_k_and_nan() {
        let n = 1000;
        let features = feats(&vec![0.5; n]);
        let emb: Vec<[f32; 2]> = (0..n).map(|i| [i as f32, 1.0]).collect();
        let mut scored: Vec<(usize, f32)> = (0..n).map(|i| (i, i as f32)).collect();
        scored[999].1 = f32::NAN;
        let r = rerank(
            &scored,
            &features,
            &emb,
            &Filters::default(),
            f32::NAN,
            5,
            10,
        );
        assert_eq!(ids(&r), vec![998, 997, 996, 995, 994]);
    }
}
