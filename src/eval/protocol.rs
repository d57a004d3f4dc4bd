//! Playlist continuation: for each held-out playlist a seeded half of its tracks are the likes and
//! the rest the targets; every method ranks the catalog minus the likes, and we report
//! R-precision, NDCG@10 and Recall@100 averaged over playlists, twice: over the whole catalog and
//! over the dated tracks only (those with a release year and a popularity: only they can appear
//! in a playlist, so a method could otherwise win by telling the two sources apart).
//!
//! The product's rows ask [`Recommender::recommend`] with the page's default [`Options`] (every
//! genre, no bounds, no diversity) and the fine-tune the page runs (shipped head, default
//! settings, seed [`Recommender::TUNE_SEED`]), so they measure what a listener gets.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::metrics::{ndcg_at, r_precision, recall_at};
use crate::catalog::features::N_BASE;
use crate::catalog::Catalog;
use crate::model::dense::head_scores;
use crate::recommend::score::top_k;
use crate::recommend::{Options, Query, Recommender};
use crate::rng::Rng64;
use crate::vector::{cosine, mean_all, mean_of};

/// A ranking method, in table order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Random,
    Popularity,
    /// Cosine to the mean of the likes over the 16 min-max features (the paper's fallback).
    ContentCosine,
    /// Cosine over the 9 audio features after subtracting the catalog mean.
    CentredAudioCosine,
    /// Cosine to the mean liked embedding over the whole catalog.
    EmbeddingCosine,
    /// The shipped rating head alone, over the whole catalog.
    PretrainedHead,
    /// The product before "Tune to me": `Recommender::recommend` with the shipped head.
    Recommender,
    /// The product after "Tune to me": `Recommender::recommend` with the fine-tuned head.
    RecommenderFineTuned,
}

impl Method {
    pub const ALL: [Method; 8] = [
        Method::Random,
        Method::Popularity,
        Method::ContentCosine,
        Method::CentredAudioCosine,
        Method::EmbeddingCosine,
        Method::PretrainedHead,
        Method::Recommender,
        Method::RecommenderFineTuned,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Method::Random => "random",
            Method::Popularity => "popularity",
            Method::ContentCosine => "content cosine (16 feats)",
            Method::CentredAudioCosine => "centred cosine (9 audio)",
            Method::EmbeddingCosine => "embedding cosine",
            Method::PretrainedHead => "pretrained head",
            Method::Recommender => "recommender (page)",
            Method::RecommenderFineTuned => "recommender + fine-tune",
        }
    }
}

/// Which tracks are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Candidates {
    All,
    Dated,
}

/// Mean metrics of one method over one candidate set.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MethodScore {
    pub method: String,
    pub candidates: String,
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
    /// The row of `method` over `candidates`.
    pub fn get(&self, method: Method, candidates: Candidates) -> Option<&MethodScore> {
        let c = candidates_label(candidates);
        self.rows
            .iter()
            .find(|r| r.method == method.label() && r.candidates == c)
    }

    /// Human-readable table.
    pub fn to_table(&self) -> String {
        let mut s = format!(
            "{} playlists, seed {}, blend {:.2}\n{:<28} {:>10} {:>12} {:>10} {:>11}\n",
            self.playlists,
            self.seed,
            self.blend,
            "method",
            "candidates",
            "R-precision",
            "NDCG@10",
            "Recall@100"
        );
        for r in &self.rows {
            s += &format!(
                "{:<28} {:>10} {:>12.4} {:>10.4} {:>11.4}\n",
                r.method, r.candidates, r.r_precision, r.ndcg_at_10, r.recall_at_100
            );
        }
        s
    }
}

fn candidates_label(c: Candidates) -> &'static str {
    match c {
        Candidates::All => "all",
        Candidates::Dated => "dated",
    }
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

/// What the product ranks for these likes: `Recommender::recommend` with the page's default
/// options and `k` results (restricted to dated tracks when `dated` is given).
pub fn product_ranking(
    rec: &Recommender,
    likes: &[usize],
    k: usize,
    dated: Option<&[bool]>,
) -> Vec<usize> {
    let q = Query {
        likes: likes.to_vec(),
        dislikes: Vec::new(),
        options: Options {
            k,
            dated_only: dated.is_some(),
            ..Options::default()
        },
    };
    rec.recommend(&q).into_iter().map(|r| r.index).collect()
}

/// Everything the baselines need, computed once per catalog.
struct Baselines {
    popularity: Vec<f32>,
    /// Audio features minus their catalog mean.
    centred: Vec<[f32; N_BASE]>,
}

impl Baselines {
    fn new(catalog: &Catalog) -> Baselines {
        let audio: Vec<[f32; N_BASE]> = catalog
            .features
            .iter()
            .map(|f| std::array::from_fn(|k| f[k]))
            .collect();
        let mean = mean_all(audio.iter().copied());
        let centred = audio
            .iter()
            .map(|a| std::array::from_fn(|k| a[k] - mean[k]))
            .collect();
        let popularity = catalog
            .tracks
            .iter()
            .map(|t| t.popularity.map_or(0.0, f32::from))
            .collect();
        Baselines {
            popularity,
            centred,
        }
    }

    /// A score per track for a baseline method; `None` for the product's methods.
    fn scores(
        &self,
        m: Method,
        rec: &Recommender,
        likes: &[usize],
        rng: &mut Rng64,
    ) -> Option<Vec<f32>> {
        let feats = &rec.catalog().features;
        Some(match m {
            Method::Random => (0..rec.len()).map(|_| rng.next_f32()).collect(),
            Method::Popularity => self.popularity.clone(),
            Method::ContentCosine => {
                let p = mean_of(feats, likes)?;
                feats.iter().map(|f| cosine(f, &p)).collect()
            }
            Method::CentredAudioCosine => {
                let p = mean_of(&self.centred, likes)?;
                self.centred.iter().map(|f| cosine(f, &p)).collect()
            }
            Method::EmbeddingCosine => {
                let p = mean_of(rec.embeddings(), likes)?;
                rec.embeddings().iter().map(|e| cosine(e, &p)).collect()
            }
            Method::PretrainedHead => {
                let p = mean_of(rec.embeddings(), likes)?;
                head_scores(rec.shipped_head(), rec.embeddings(), Some(&p))
            }
            Method::Recommender | Method::RecommenderFineTuned => return None,
        })
    }
}

/// Top `k` of a score vector, likes excluded, restricted to the dated tracks when given.
fn ranked_by_scores(
    mut scores: Vec<f32>,
    likes: &[usize],
    k: usize,
    dated: Option<&[bool]>,
) -> Vec<usize> {
    if let Some(d) = dated {
        for (s, &ok) in scores.iter_mut().zip(d) {
            if !ok {
                *s = f32::NAN;
            }
        }
    }
    top_k(&scores, k, likes).into_iter().map(|x| x.0).collect()
}

fn metrics_of(ranked: &[usize], targets: &HashSet<usize>) -> [f64; 3] {
    [
        r_precision(ranked, targets),
        ndcg_at(ranked, targets, 10),
        recall_at(ranked, targets, 100),
    ]
}

/// Evaluate every method on `playlists` (catalog indices; playlists with < 2 tracks skipped).
/// Leaves the recommender with the shipped head.
pub fn evaluate(rec: &mut Recommender, playlists: &[Vec<usize>], seed: u64) -> EvalTable {
    let base = Baselines::new(rec.catalog());
    let dated_mask = rec.dated().to_vec();
    let sets = [
        (Candidates::All, None),
        (Candidates::Dated, Some(dated_mask.as_slice())),
    ];
    let mut sums = vec![[0.0f64; 3]; Method::ALL.len() * sets.len()];
    let mut count = 0usize;
    rec.set_head(None);
    for (k, pl) in playlists.iter().enumerate() {
        let (likes, targets) = split_playlist(pl, seed, k);
        if likes.is_empty() || targets.is_empty() {
            continue;
        }
        count += 1;
        let depth = targets.len().max(100);
        let targets: HashSet<usize> = targets.into_iter().collect();
        let tuned = rec.fine_tuned(&likes, &[]).ok();
        for (mi, &m) in Method::ALL.iter().enumerate() {
            for (si, &(_, mask)) in sets.iter().enumerate() {
                let mut rng = Rng64::fork(seed ^ 0xABCD, k as u64);
                let ranked = match base.scores(m, rec, &likes, &mut rng) {
                    Some(s) => ranked_by_scores(s, &likes, depth, mask),
                    None if m == Method::Recommender => product_ranking(rec, &likes, depth, mask),
                    None => {
                        rec.set_head(tuned.clone());
                        let r = product_ranking(rec, &likes, depth, mask);
                        rec.set_head(None);
                        r
                    }
                };
                let r = metrics_of(&ranked, &targets);
                for j in 0..3 {
                    sums[mi * sets.len() + si][j] += r[j];
                }
            }
        }
    }
    let c = count.max(1) as f64;
    let mut rows = Vec::new();
    for (mi, m) in Method::ALL.iter().enumerate() {
        for (si, &(cand, _)) in sets.iter().enumerate() {
            let s = sums[mi * sets.len() + si];
            rows.push(MethodScore {
                method: m.label().to_string(),
                candidates: candidates_label(cand).to_string(),
                r_precision: s[0] / c,
                ndcg_at_10: s[1] / c,
                recall_at_100: s[2] / c,
            });
        }
    }
    EvalTable {
        playlists: count,
        seed,
        blend: rec.blend(),
        rows,
    }
}

/// Choose the hybrid blend on validation playlists: for each candidate, the mean NDCG@10 +
/// Recall@100 of the fine-tuned recommender over the whole catalog. Returns (best blend,
/// [(blend, ndcg, recall)]) and leaves the recommender at the best blend with the shipped head.
pub fn choose_blend(
    rec: &mut Recommender,
    playlists: &[Vec<usize>],
    seed: u64,
    candidates: &[f32],
) -> (f32, Vec<(f32, f64, f64)>) {
    let mut acc = vec![(0.0f64, 0.0f64); candidates.len()];
    let mut count = 0usize;
    for (k, pl) in playlists.iter().enumerate() {
        let (likes, targets) = split_playlist(pl, seed, k);
        if likes.is_empty() || targets.is_empty() {
            continue;
        }
        count += 1;
        let depth = targets.len().max(100);
        let targets: HashSet<usize> = targets.into_iter().collect();
        let tuned = rec.fine_tuned(&likes, &[]).ok();
        rec.set_head(tuned);
        for (ci, &b) in candidates.iter().enumerate() {
            rec.set_blend(b);
            let r = metrics_of(&product_ranking(rec, &likes, depth, None), &targets);
            acc[ci].0 += r[1];
            acc[ci].1 += r[2];
        }
    }
    rec.set_head(None);
    let c = count.max(1) as f64;
    let rows: Vec<(f32, f64, f64)> = candidates
        .iter()
        .zip(&acc)
        .map(|(&b, &(n, r))| (b, n / c, r / c))
        .collect();
    let best = rows
        .iter()
        .max_by(|a, b| (a.1 + a.2).total_cmp(&(b.1 + b.2)))
        .map_or(0.5, |r| r.0);
    rec.set_blend(best);
    (best, rows)
}
