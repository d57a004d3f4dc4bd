//! Playlist continuation evaluation (issue item 8).
//!
//! For each held-out playlist a seeded half of its tracks are the likes and the rest the targets;
//! every method ranks the whole catalog minus the likes; we report R-precision, NDCG@10 and
//! Recall@100 averaged over playlists.

use serde::{Deserialize, Serialize};

use crate::finetune::{fine_tune, FineTuneConfig};
use crate::model::{Embedding32, N_IN};
use crate::rank::{blend_scores, cosine_scores, head_scores, profile, top_k};
use crate::rng::Rng64;
use crate::weights::Head;

/// Mean metrics of one method.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MethodScore {
    pub method: String,
    pub r_precision: f64,
    pub ndcg_at_10: f64,
    pub recall_at_100: f64,
}

/// The evaluation table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvalTable {
    pub playlists: usize,
    pub seed: u64,
    pub blend: f32,
    pub rows: Vec<MethodScore>,
}

impl EvalTable {
    /// The row of `method`.
    pub fn get(&self, method: &str) -> Option<&MethodScore> {
        self.rows.iter().find(|r| r.method == method)
    }

    /// Human-readable table.
    pub fn to_table(&self) -> String {
        let mut s = format!(
            "{} held-out playlists, seed {}, blend {:.2}\n{:<28} {:>12} {:>10} {:>11}\n",
            self.playlists, self.seed, self.blend, "method", "R-precision", "NDCG@10", "Recall@100"
        );
        for r in &self.rows {
            s += &format!(
                "{:<28} {:>12.4} {:>10.4} {:>11.4}\n",
                r.method, r.r_precision, r.ndcg_at_10, r.recall_at_100
            );
        }
        s
    }
}

/// R-precision: fraction of the top-|targets| that are targets.
pub fn r_precision(ranked: &[usize], targets: &std::collections::HashSet<usize>) -> f64 {
    let r = targets.len();
    if r == 0 {
        return 0.0;
    }
    ranked
        .iter()
        .take(r)
        .filter(|i| targets.contains(i))
        .count() as f64
        / r as f64
}

/// Binary-relevance NDCG@k.
pub fn ndcg_at(ranked: &[usize], targets: &std::collections::HashSet<usize>, k: usize) -> f64 {
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .filter(|(_, i)| targets.contains(i))
        .map(|(p, _)| 1.0 / (p as f64 + 2.0).log2())
        .sum();
    let ideal: f64 = (0..targets.len().min(k))
        .map(|p| 1.0 / (p as f64 + 2.0).log2())
        .sum();
    if ideal > 0.0 {
        dcg / ideal
    } else {
        0.0
    }
}

/// Recall@k.
pub fn recall_at(ranked: &[usize], targets: &std::collections::HashSet<usize>, k: usize) -> f64 {
    if targets.is_empty() {
        return 0.0;
    }
    ranked
        .iter()
        .take(k)
        .filter(|i| targets.contains(i))
        .count() as f64
        / targets.len() as f64
}

/// Everything the evaluation needs.
pub struct EvalInput<'a> {
    pub features: &'a [[f32; N_IN]],
    pub embeddings: &'a [Embedding32],
    /// Popularity per track (0 when unknown).
    pub popularity: &'a [f32],
    pub head: &'a Head,
    pub blend: f32,
    pub finetune: FineTuneConfig,
}

/// Seeded likes/targets split of one playlist.
pub fn split_playlist(pl: &[usize], seed: u64, k: usize) -> (Vec<usize>, Vec<usize>) {
    let mut t = pl.to_vec();
    t.sort_unstable();
    t.dedup();
    Rng64::fork(seed, k as u64).shuffle(&mut t);
    let half = t.len() / 2;
    let targets = t.split_off(half);
    (t, targets)
}

/// The methods, in table order.
pub const METHODS: [&str; 6] = [
    "random",
    "popularity",
    "content cosine (16 feats)",
    "embedding cosine",
    "pretrained head",
    "hybrid + fine-tune",
];

/// Scores of every method for one playlist's likes (`None` to skip the slow fine-tune).
fn method_scores(
    inp: &EvalInput,
    likes: &[usize],
    seed: u64,
    k: usize,
    with_ft: bool,
) -> Vec<Vec<f32>> {
    let n = inp.embeddings.len();
    let mut rng = Rng64::fork(seed ^ 0xABCD, k as u64);
    let random: Vec<f32> = (0..n).map(|_| rng.next_f32()).collect();
    let pop: Vec<f32> = inp.popularity.to_vec();
    // content cosine on the 16 scaled features
    let mut fp = [0.0f32; N_IN];
    for &l in likes {
        for (a, b) in fp.iter_mut().zip(&inp.features[l]) {
            *a += b / likes.len() as f32;
        }
    }
    let content = cosine_scores(inp.features, &fp);
    let p = profile(inp.embeddings, likes).unwrap_or([0.0; 32]);
    let emb_cos = cosine_scores(inp.embeddings, &p);
    let head = head_scores(inp.head, inp.embeddings, Some(&p));
    let mut out = vec![random, pop, content, emb_cos.clone(), head];
    if with_ft {
        let cfg = FineTuneConfig {
            seed: seed.wrapping_add(k as u64),
            ..inp.finetune
        };
        let ft = fine_tune(inp.head, inp.embeddings, likes, &[], cfg)
            .unwrap_or_else(|_| inp.head.clone());
        let h = head_scores(&ft, inp.embeddings, Some(&p));
        out.push(blend_scores(emb_cos, h, inp.blend));
    }
    out
}

fn metrics_of(
    scores: &[f32],
    likes: &[usize],
    targets: &std::collections::HashSet<usize>,
) -> [f64; 3] {
    let depth = targets.len().max(100);
    let ranked: Vec<usize> = top_k(scores, depth, likes)
        .into_iter()
        .map(|x| x.0)
        .collect();
    [
        r_precision(&ranked, targets),
        ndcg_at(&ranked, targets, 10),
        recall_at(&ranked, targets, 100),
    ]
}

/// Evaluate every method on `playlists` (catalog indices; playlists with < 2 tracks skipped).
pub fn evaluate(inp: &EvalInput, playlists: &[Vec<usize>], seed: u64) -> EvalTable {
    let mut sums = vec![[0.0f64; 3]; METHODS.len()];
    let mut count = 0usize;
    for (k, pl) in playlists.iter().enumerate() {
        let (likes, targets) = split_playlist(pl, seed, k);
        if likes.is_empty() || targets.is_empty() {
            continue;
        }
        let targets: std::collections::HashSet<usize> = targets.into_iter().collect();
        count += 1;
        for (m, s) in method_scores(inp, &likes, seed, k, true).iter().enumerate() {
            let r = metrics_of(s, &likes, &targets);
            for j in 0..3 {
                sums[m][j] += r[j];
            }
        }
    }
    let c = count.max(1) as f64;
    EvalTable {
        playlists: count,
        seed,
        blend: inp.blend,
        rows: METHODS
            .iter()
            .zip(&sums)
            .map(|(m, s)| MethodScore {
                method: m.to_string(),
                r_precision: s[0] / c,
                ndcg_at_10: s[1] / c,
                recall_at_100: s[2] / c,
            })
            .collect(),
    }
}

/// Choose the hybrid blend on validation playlists: for each candidate blend, mean NDCG@10 +
/// Recall@100 of the fine-tuned hybrid. Returns (best blend, [(blend, ndcg, recall)]).
pub fn choose_blend(
    inp: &EvalInput,
    playlists: &[Vec<usize>],
    seed: u64,
    candidates: &[f32],
) -> (f32, Vec<(f32, f64, f64)>) {
    let mut acc = vec![(0.0f64, 0.0f64); candidates.len()];
    for (k, pl) in playlists.iter().enumerate() {
        let (likes, targets) = split_playlist(pl, seed, k);
        if likes.is_empty() || targets.is_empty() {
            continue;
        }
        let targets: std::collections::HashSet<usize> = targets.into_iter().collect();
        let p = profile(inp.embeddings, &likes).unwrap_or([0.0; 32]);
        let cos = cosine_scores(inp.embeddings, &p);
        let cfg = FineTuneConfig {
            seed: seed.wrapping_add(k as u64),
            ..inp.finetune
        };
        let ft = fine_tune(inp.head, inp.embeddings, &likes, &[], cfg)
            .unwrap_or_else(|_| inp.head.clone());
        let h = head_scores(&ft, inp.embeddings, Some(&p));
        for (ci, &b) in candidates.iter().enumerate() {
            let s = blend_scores(cos.clone(), h.clone(), b);
            let r = metrics_of(&s, &likes, &targets);
            acc[ci].0 += r[1];
            acc[ci].1 += r[2];
        }
    }
    let rows: Vec<(f32, f64, f64)> = candidates
        .iter()
        .zip(&acc)
        .map(|(&b, &(n, r))| {
            (
                b,
                n / playlists.len().max(1) as f64,
                r / playlists.len().max(1) as f64,
            )
        })
        .collect();
    let best = rows
        .iter()
        .max_by(|a, b| (a.1 + a.2).total_cmp(&(b.1 + b.2)))
        .map(|r| r.0)
        .unwrap_or(0.5);
    (best, rows)
}
