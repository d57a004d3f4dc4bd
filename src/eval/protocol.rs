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
use crate::model::Embedding;
use crate::recommend::score::top_k;
use crate::recommend::taste::{Profile, Taste};
use crate::recommend::{Options, Query, Recommender};
use crate::rng::Rng64;
use crate::vector::{cosine, mean_all, mean_of, unit};

/// A ranking method, in table order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Random,
    Popularity,
    /// Cosine over the 9 audio features after subtracting the catalog mean.
    CentredAudioCosine,
    /// Cosine to the mean of the likes over the 16 min-max features (the paper's fallback).
    ContentCosine,
    /// Cosine to the mean liked embedding of the paper's autoencoder (`train --objective paper`).
    PaperEmbedding,
    /// Cosine to the mean liked embedding of the shipped autoencoder.
    EmbeddingCentroid,
    /// The shipped embedding with the multi-interest profile (`recommend::taste`).
    EmbeddingMultiInterest,
    /// The product before "Tune to me": `Recommender::recommend` with the shipped head.
    Recommender,
    /// The product after "Tune to me": `Recommender::recommend` with the fine-tuned head.
    RecommenderFineTuned,
}

impl Method {
    pub const ALL: [Method; 9] = [
        Method::Random,
        Method::Popularity,
        Method::CentredAudioCosine,
        Method::ContentCosine,
        Method::PaperEmbedding,
        Method::EmbeddingCentroid,
        Method::EmbeddingMultiInterest,
        Method::Recommender,
        Method::RecommenderFineTuned,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Method::Random => "random",
            Method::Popularity => "popularity",
            Method::CentredAudioCosine => "centred cosine (9 audio)",
            Method::ContentCosine => "content cosine (16 feats)",
            Method::PaperEmbedding => "paper autoencoder",
            Method::EmbeddingCentroid => "embedding, centroid",
            Method::EmbeddingMultiInterest => "embedding, multi-interest",
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

/// Mean metrics of one method over one candidate set, each with a 95% bootstrap interval over
/// playlists.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MethodScore {
    pub method: String,
    pub candidates: String,
    pub r_precision: f64,
    pub ndcg_at_10: f64,
    pub recall_at_100: f64,
    /// [low, high] of R-precision, NDCG@10 and Recall@100.
    pub ci95: [[f64; 2]; 3],
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
            "{} playlists, seed {}, blend {:.2}; 95% bootstrap intervals over playlists\n{:<27} {:>6} {:>22} {:>22} {:>22}\n",
            self.playlists,
            self.seed,
            self.blend,
            "method",
            "tracks",
            "R-precision",
            "NDCG@10",
            "Recall@100"
        );
        for r in &self.rows {
            let cell = |v: f64, ci: [f64; 2]| format!("{v:.4} [{:.4},{:.4}]", ci[0], ci[1]);
            s += &format!(
                "{:<27} {:>6} {:>22} {:>22} {:>22}\n",
                r.method,
                r.candidates,
                cell(r.r_precision, r.ci95[0]),
                cell(r.ndcg_at_10, r.ci95[1]),
                cell(r.recall_at_100, r.ci95[2])
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

/// One held-out playlist as a query: the likes, the targets, and how deep to rank.
pub struct Case {
    pub likes: Vec<usize>,
    pub targets: HashSet<usize>,
    pub depth: usize,
}

/// The seeded likes/targets cases of `playlists` (playlists with < 2 tracks skipped), with each
/// case's position for seeding.
pub fn cases(playlists: &[Vec<usize>], seed: u64) -> impl Iterator<Item = (usize, Case)> + '_ {
    playlists.iter().enumerate().filter_map(move |(k, pl)| {
        let (likes, targets) = split_playlist(pl, seed, k);
        (!likes.is_empty() && !targets.is_empty()).then(|| {
            let depth = targets.len().max(100);
            (
                k,
                Case {
                    likes,
                    targets: targets.into_iter().collect(),
                    depth,
                },
            )
        })
    })
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
        banned_artists: Vec::new(),
        options: Options {
            k,
            dated_only: dated.is_some(),
            ..Options::default()
        },
    };
    rec.recommend(&q).into_iter().map(|r| r.index).collect()
}

/// Everything the baselines need, computed once per catalog.
pub struct Baselines {
    popularity: Vec<f32>,
    /// Audio features minus their catalog mean.
    centred: Vec<[f32; N_BASE]>,
    /// Unit embeddings of the paper's autoencoder, when its weights were given.
    paper: Option<Vec<Embedding>>,
    /// Unit embeddings of the shipped autoencoder.
    unit: Vec<Embedding>,
}

impl Baselines {
    /// `paper`: every track's embedding under the paper-objective autoencoder.
    pub fn new(rec: &Recommender, paper: Option<Vec<Embedding>>) -> Baselines {
        let catalog = rec.catalog();
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
            paper: paper.map(|p| p.iter().map(unit).collect()),
            unit: rec.embeddings().iter().map(unit).collect(),
        }
    }

    /// A score per track for a baseline method; `None` for the product's methods and for the
    /// paper row without its weights.
    fn scores(
        &self,
        m: Method,
        rec: &Recommender,
        likes: &[usize],
        rng: &mut Rng64,
    ) -> Option<Vec<f32>> {
        let feats = &rec.catalog().features;
        let taste = |units: &[Embedding], profile: Profile| -> Option<Vec<f32>> {
            let rows: Vec<Embedding> = likes.iter().map(|&i| units[i]).collect();
            let t = Taste::new(&rows, &[], profile, 0.0)?;
            Some(units.iter().map(|u| t.score(u)).collect())
        };
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
            Method::PaperEmbedding => taste(self.paper.as_ref()?, Profile::Centroid)?,
            Method::EmbeddingCentroid => taste(&self.unit, Profile::Centroid)?,
            Method::EmbeddingMultiInterest => taste(&self.unit, Profile::MultiInterest)?,
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

/// 95% percentile-bootstrap interval of the mean of `v` (1,000 seeded resamples).
pub fn bootstrap_ci(v: &[f64], seed: u64) -> [f64; 2] {
    if v.is_empty() {
        return [f64::NAN; 2];
    }
    let mut rng = Rng64::fork(seed, 0xB007);
    let mut means: Vec<f64> = (0..1000)
        .map(|_| (0..v.len()).map(|_| v[rng.below(v.len())]).sum::<f64>() / v.len() as f64)
        .collect();
    means.sort_by(f64::total_cmp);
    [means[25] + 0.0, means[974] + 0.0]
}

/// Per (method, candidate set): one [R-precision, NDCG@10, Recall@100] per playlist. Kept apart
/// from the table so cross-validation folds can pool their playlists.
#[derive(Debug, Clone)]
pub struct PerPlaylist {
    per: Vec<Vec<[f64; 3]>>,
    ran: Vec<bool>,
}

const SETS: [Candidates; 2] = [Candidates::All, Candidates::Dated];

impl PerPlaylist {
    /// No playlists yet.
    pub fn empty() -> Self {
        PerPlaylist {
            per: vec![Vec::new(); Method::ALL.len() * SETS.len()],
            ran: vec![true; Method::ALL.len()],
        }
    }

    /// Add another fold's playlists (a method counts only if it ran in both).
    pub fn extend(&mut self, other: PerPlaylist) {
        for (a, b) in self.per.iter_mut().zip(other.per) {
            a.extend(b);
        }
        for (a, b) in self.ran.iter_mut().zip(other.ran) {
            *a &= b;
        }
    }

    /// Means and 95% bootstrap intervals.
    pub fn table(&self, seed: u64, blend: f32) -> EvalTable {
        let mut rows = Vec::new();
        for (mi, m) in Method::ALL.iter().enumerate() {
            if !self.ran[mi] {
                continue;
            }
            for (si, &cand) in SETS.iter().enumerate() {
                let v = &self.per[mi * SETS.len() + si];
                let col = |j: usize| -> Vec<f64> { v.iter().map(|r| r[j]).collect() };
                // `+ 0.0` turns a -0.0 sum into 0.0 for printing
                let mean = |j: usize| col(j).iter().sum::<f64>() / v.len().max(1) as f64 + 0.0;
                rows.push(MethodScore {
                    method: m.label().to_string(),
                    candidates: candidates_label(cand).to_string(),
                    r_precision: mean(0),
                    ndcg_at_10: mean(1),
                    recall_at_100: mean(2),
                    ci95: [0, 1, 2].map(|j| bootstrap_ci(&col(j), seed)),
                });
            }
        }
        EvalTable {
            playlists: self.per.iter().map(Vec::len).max().unwrap_or(0),
            seed,
            blend,
            rows,
        }
    }
}

/// Evaluate every method on `playlists` (catalog indices; playlists with < 2 tracks skipped).
/// Leaves the recommender with the shipped head. Rows of methods that cannot run (the paper's
/// autoencoder without its weights) are left out.
pub fn evaluate(
    rec: &mut Recommender,
    base: &Baselines,
    playlists: &[Vec<usize>],
    seed: u64,
) -> EvalTable {
    score_playlists(rec, base, playlists, seed).table(seed, rec.blend())
}

/// Every method's metrics on every playlist (see [`evaluate`]).
pub fn score_playlists(
    rec: &mut Recommender,
    base: &Baselines,
    playlists: &[Vec<usize>],
    seed: u64,
) -> PerPlaylist {
    let dated_mask = rec.dated().to_vec();
    let masks = [None, Some(dated_mask.as_slice())];
    let mut out = PerPlaylist::empty();
    rec.set_head(None);
    for (k, case) in cases(playlists, seed) {
        let Case {
            likes,
            targets,
            depth,
        } = case;
        let tuned = rec.fine_tuned(&likes, &[]).ok();
        for (mi, &m) in Method::ALL.iter().enumerate() {
            for (si, &mask) in masks.iter().enumerate() {
                let mut rng = Rng64::fork(seed ^ 0xABCD, k as u64);
                let ranked = match (m, base.scores(m, rec, &likes, &mut rng)) {
                    (_, Some(s)) => ranked_by_scores(s, &likes, depth, mask),
                    (Method::Recommender, None) => product_ranking(rec, &likes, depth, mask),
                    (Method::RecommenderFineTuned, None) => {
                        rec.set_head(tuned.clone());
                        let r = product_ranking(rec, &likes, depth, mask);
                        rec.set_head(None);
                        r
                    }
                    (_, None) => {
                        out.ran[mi] = false;
                        continue;
                    }
                };
                out.per[mi * SETS.len() + si].push(metrics_of(&ranked, &targets));
            }
        }
    }
    out
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
    for (_, case) in cases(playlists, seed) {
        count += 1;
        let tuned = rec.fine_tuned(&case.likes, &[]).ok();
        rec.set_head(tuned);
        for (ci, &b) in candidates.iter().enumerate() {
            rec.set_blend(b);
            let r = metrics_of(
                &product_ranking(rec, &case.likes, case.depth, None),
                &case.targets,
            );
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
