//! Re-ranking of scored candidates (DOM-free, native-tested).
//!
//! * Spotify-style filters: for any of the 16 scaled features a `min`, a `max`
//!   (hard bounds) and a `target` (soft: the distance to it is subtracted from
//!   the score, weighted by `target_weight`).
//! * Genre reach: unless `reach_beyond_genres` is set, only candidates whose
//!   genre is accepted by the caller's predicate are kept.
//! * MMR diversity over the embeddings: `diversity` in [0, 1]; 0 keeps the
//!   relevance order, 1 maximises spread.

use serde::{Deserialize, Serialize};

pub const N_FEATURES: usize = 16;

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
    pub fn passes(&self, f: &[f32; N_FEATURES]) -> bool {
        self.features
            .iter()
            .zip(f)
            .all(|(flt, &v)| flt.min.is_none_or(|m| v >= m) && flt.max.is_none_or(|m| v <= m))
    }

    /// Mean absolute distance to the set targets (0 when no target is set).
    pub fn target_penalty(&self, f: &[f32; N_FEATURES]) -> f32 {
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RerankOptions {
    pub filters: Filters,
    /// 0 = pure relevance, 1 = maximal diversity (MMR lambda = 1 - diversity).
    pub diversity: f32,
    pub reach_beyond_genres: bool,
    /// How many results to return.
    pub k: usize,
    /// How many of the best candidates MMR looks at (at least k).
    pub pool: usize,
}

impl Default for RerankOptions {
    fn default() -> Self {
        RerankOptions {
            filters: Filters::default(),
            diversity: 0.0,
            reach_beyond_genres: false,
            k: 20,
            pool: 200,
        }
    }
}

pub fn cosine<const D: usize>(a: &[f32; D], b: &[f32; D]) -> f32 {
    let mut dot = 0.0;
    let mut na = 0.0;
    let mut nb = 0.0;
    for i in 0..D {
        dot += a[i] * b[i];
        na += a[i] * a[i];
        nb += b[i] * b[i];
    }
    if na <= 0.0 || nb <= 0.0 {
        0.0
    } else {
        dot / (na.sqrt() * nb.sqrt())
    }
}

/// Re-rank `scored` (track index, relevance score; higher is better, any order).
/// `genre_ok(i)` says whether track i is within the liked genres; it is ignored
/// when `opts.reach_beyond_genres` is set. Returns up to `opts.k` (index, adjusted score).
pub fn rerank<const D: usize>(
    scored: &[(usize, f32)],
    features: &[[f32; N_FEATURES]],
    emb: &[[f32; D]],
    genre_ok: impl Fn(usize) -> bool,
    opts: &RerankOptions,
) -> Vec<(usize, f32)> {
    let has_targets = opts.filters.features.iter().any(|f| f.target.is_some());
    let mut cand: Vec<(usize, f32)> = scored
        .iter()
        .filter(|&&(i, s)| s.is_finite() && i < features.len() && i < emb.len())
        .filter(|&&(i, _)| opts.reach_beyond_genres || genre_ok(i))
        .filter(|&&(i, _)| opts.filters.passes(&features[i]))
        .map(|&(i, s)| {
            let adj = if has_targets {
                s - opts.filters.target_weight * opts.filters.target_penalty(&features[i])
            } else {
                s
            };
            (i, adj)
        })
        .collect();
    let by_score = |a: &(usize, f32), b: &(usize, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    let pool = opts.pool.max(opts.k);
    if cand.len() > pool {
        cand.select_nth_unstable_by(pool - 1, by_score);
        cand.truncate(pool);
    }
    cand.sort_by(by_score);
    let diversity = opts.diversity.clamp(0.0, 1.0);
    if diversity <= 0.0 || cand.len() <= 1 {
        cand.truncate(opts.k);
        return cand;
    }
    mmr(&cand, emb, 1.0 - diversity, opts.k)
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
        let e = &emb[cand[best].0];
        for j in 0..cand.len() {
            if !taken[j] {
                let s = cosine(e, &emb[cand[j].0]);
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

    #[test]
    fn min_max_filter_and_target_penalty() {
        let features = feats(&[0.1, 0.5, 0.9]);
        let emb: Vec<[f32; 2]> = vec![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]];
        let scored = vec![(0, 3.0), (1, 2.0), (2, 1.0)];
        let mut opts = RerankOptions {
            k: 3,
            ..Default::default()
        };
        opts.filters.features[1].min = Some(0.4);
        let r = rerank(&scored, &features, &emb, |_| true, &opts);
        assert_eq!(r.iter().map(|x| x.0).collect::<Vec<_>>(), vec![1, 2]);
        // a target near 0.9 on every feature flips the order when it weighs enough
        let mut opts = RerankOptions {
            k: 3,
            ..Default::default()
        };
        for f in opts.filters.features.iter_mut() {
            f.target = Some(0.9);
        }
        opts.filters.target_weight = 10.0;
        let r = rerank(&scored, &features, &emb, |_| true, &opts);
        assert_eq!(r.iter().map(|x| x.0).collect::<Vec<_>>(), vec![2, 1, 0]);
    }

    #[test]
    fn genre_reach_switch() {
        let features = feats(&[0.5, 0.5, 0.5]);
        let emb: Vec<[f32; 2]> = vec![[1.0, 0.0]; 3];
        let scored = vec![(0, 3.0), (1, 2.0), (2, 1.0)];
        let mut opts = RerankOptions {
            k: 3,
            ..Default::default()
        };
        let r = rerank(&scored, &features, &emb, |i| i != 0, &opts);
        assert_eq!(r.len(), 2);
        opts.reach_beyond_genres = true;
        let r = rerank(&scored, &features, &emb, |i| i != 0, &opts);
        assert_eq!(r.len(), 3);
    }

    #[test]
    fn mmr_spreads_out() {
        // two near-duplicates on top, one different track below
        let features = feats(&[0.5, 0.5, 0.5]);
        let emb: Vec<[f32; 2]> = vec![[1.0, 0.0], [0.99, 0.01], [0.0, 1.0]];
        let scored = vec![(0, 1.0), (1, 0.99), (2, 0.5)];
        let plain = rerank(
            &scored,
            &features,
            &emb,
            |_| true,
            &RerankOptions {
                k: 2,
                ..Default::default()
            },
        );
        assert_eq!(plain.iter().map(|x| x.0).collect::<Vec<_>>(), vec![0, 1]);
        let div = rerank(
            &scored,
            &features,
            &emb,
            |_| true,
            &RerankOptions {
                k: 2,
                diversity: 0.7,
                ..Default::default()
            },
        );
        assert_eq!(div.iter().map(|x| x.0).collect::<Vec<_>>(), vec![0, 2]);
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
            |_| true,
            &RerankOptions {
                k: 5,
                pool: 10,
                ..Default::default()
            },
        );
        assert_eq!(
            r.iter().map(|x| x.0).collect::<Vec<_>>(),
            vec![998, 997, 996, 995, 994]
        );
    }
}
