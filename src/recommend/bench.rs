//! The same measurements natively (`soundalike bench`) and in the browser (`scripts/bench.sh`),
//! with the clock passed in (`std::time::Instant` natively, `performance.now()` in wasm).

use serde::Serialize;

use super::{Query, Recommender};
use crate::rng::Rng64;

#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub tracks: usize,
    pub encode_ms: f64,
    pub rank_ms_per_query: f64,
    /// Per-query percentiles of the same queries.
    pub rank_p50_ms: f64,
    pub rank_p95_ms: f64,
    /// The same queries through the all-f32 reference scan (what the quantized stage replaced).
    pub rank_exact_p50_ms: f64,
    pub finetune_ms: f64,
    pub finetune_likes: usize,
    pub finetune_steps: usize,
    pub finetune_longest_step_ms: f64,
}

/// `n` pseudo-random track indices.
pub fn random_tracks(r: &Recommender, n: usize, seed: u64) -> Vec<usize> {
    let mut rng = Rng64::new(seed);
    (0..n).map(|_| rng.below(r.len().max(1))).collect()
}

/// ms to embed every track as the load does (`Recommender::new`).
pub fn encode_ms(r: &Recommender, now: &dyn Fn() -> f64) -> f64 {
    let t = now();
    std::hint::black_box(r.encode_catalog());
    now() - t
}

/// The bench's queries: 5 random likes each, the page's default options, top 20.
fn queries(r: &Recommender, n: usize) -> Vec<Query> {
    (0..n as u64)
        .map(|q| Query::likes(&random_tracks(r, 5, 7 + q), 20))
        .collect()
}

/// Mean ms per query (top 20 with explanations).
pub fn rank_ms(r: &Recommender, queries: usize, now: &dyn Fn() -> f64) -> f64 {
    let qs = self::queries(r, queries);
    let t = now();
    for q in &qs {
        std::hint::black_box(r.recommend(q));
    }
    (now() - t) / queries.max(1) as f64
}

/// (p50, p95) ms of single queries, through the product's scan or the exact reference.
pub fn rank_percentiles(
    r: &Recommender,
    queries: usize,
    exact: bool,
    now: &dyn Fn() -> f64,
) -> (f64, f64) {
    let mut ms: Vec<f64> = self::queries(r, queries)
        .iter()
        .map(|q| {
            let t = now();
            if exact {
                std::hint::black_box(r.recommend_exact(q));
            } else {
                std::hint::black_box(r.recommend(q));
            }
            now() - t
        })
        .collect();
    if ms.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() - 1) as f64 * p).round() as usize];
    (at(0.5), at(0.95))
}

/// (total ms, longest single step ms, steps) of a fine-tune on `n_likes` random likes.
pub fn finetune_ms(r: &Recommender, n_likes: usize, now: &dyn Fn() -> f64) -> (f64, f64, usize) {
    let likes = random_tracks(r, n_likes, 11);
    let t = now();
    let Ok(mut tuner) = r.tuner(&likes, &[], 42) else {
        return (f64::NAN, f64::NAN, 0);
    };
    let mut longest = now() - t;
    let mut steps = 0;
    while !tuner.done() {
        let s0 = now();
        std::hint::black_box(tuner.step());
        longest = longest.max(now() - s0);
        steps += 1;
    }
    std::hint::black_box(tuner.finish());
    (now() - t, longest, steps)
}

pub fn run(r: &Recommender, queries: usize, n_likes: usize, now: &dyn Fn() -> f64) -> Figures {
    let encode_ms = encode_ms(r, now);
    let rank_ms_per_query = rank_ms(r, queries, now);
    let (rank_p50_ms, rank_p95_ms) = rank_percentiles(r, queries, false, now);
    let (rank_exact_p50_ms, _) = rank_percentiles(r, queries.min(50), true, now);
    let (finetune_ms, longest, steps) = finetune_ms(r, n_likes, now);
    Figures {
        tracks: r.len(),
        encode_ms,
        rank_ms_per_query,
        rank_p50_ms,
        rank_p95_ms,
        rank_exact_p50_ms,
        finetune_ms,
        finetune_likes: n_likes,
        finetune_steps: steps,
        finetune_longest_step_ms: longest,
    }
}
