//! The recommender as the page, the widget and `soundalike bench` use it
//! (DOM-free, native + wasm): a decoded catalog, every track's embedding,
//! optional head scores, and `recommend` = profile → scores → re-rank → explain.
//!
//! `model` below is the only place that touches the models API (encoder,
//! rating head, fine-tune), so the page is wired to it in one spot.

#![allow(clippy::needless_range_loop)] // numeric loops over fixed-size arrays read best with indices

use std::collections::HashMap;

use crate::catalog::features::{Features, N_FEATURES};
use crate::catalog::Catalog;
use crate::explain;
use crate::rank::{self as core_rank, zscore};
use crate::rerank::{self, RerankOptions};
use crate::search::SearchIndex;

pub const EMB: usize = 32;
pub type Emb = [f32; EMB];

/// One recommendation, ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Rec {
    pub index: usize,
    pub score: f32,
    /// The liked track it is closest to, with cosine similarity.
    pub because: Option<(usize, f32)>,
    /// Signed per-feature contributions (see `explain::contributions`).
    pub contrib: [f32; N_FEATURES],
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    Catalog(String),
    Weights(String),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Catalog(m) => write!(f, "The catalog file could not be read: {m}"),
            LoadError::Weights(m) => write!(f, "The model weights could not be read: {m}"),
        }
    }
}

pub struct Engine {
    pub catalog: Catalog,
    pub model: model::Model,
    pub emb: Vec<Emb>,
    pub genre_of: Vec<u16>,
    pub genres: Vec<String>,
    pub catalog_mean: Features,
    pub search: SearchIndex,
    /// Unit-length embeddings (cosine = dot product).
    pub unit: Vec<Emb>,
    /// Cold-start candidates with their scores (depends on the head; refreshed when it changes).
    pub cold_scores: Vec<(usize, f32)>,
}

/// Hard limit for the share link / storage: ignore absurd like lists.
pub const MAX_LIKES: usize = 2000;

impl Engine {
    pub fn decode_catalog(bytes: &[u8]) -> Result<Catalog, LoadError> {
        let c = Catalog::from_bytes(bytes).map_err(|e| LoadError::Catalog(e.to_string()))?;
        if c.is_empty() {
            return Err(LoadError::Catalog("it holds no tracks".into()));
        }
        Ok(c)
    }

    pub fn decode_weights(bytes: &[u8]) -> Result<model::Model, LoadError> {
        model::Model::from_bytes(bytes).map_err(LoadError::Weights)
    }

    /// Encode every track and build the indexes.
    pub fn new(catalog: Catalog, model: model::Model) -> Engine {
        let emb = model.encode_all(&catalog.features);
        let mut genre_ids: HashMap<String, u16> = HashMap::new();
        let mut genres = Vec::new();
        let genre_of = catalog
            .tracks
            .iter()
            .map(|t| {
                *genre_ids.entry(t.genre.clone()).or_insert_with(|| {
                    genres.push(t.genre.clone());
                    (genres.len() - 1) as u16
                })
            })
            .collect();
        let catalog_mean = explain::mean_features(catalog.features.iter().copied());
        let search = SearchIndex::new(
            catalog
                .tracks
                .iter()
                .map(|t| (t.name.as_str(), t.artist.as_str(), t.popularity)),
        );
        let unit = emb
            .iter()
            .map(|e| {
                let n = e.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
                std::array::from_fn(|k| e[k] / n)
            })
            .collect();
        let mut e = Engine {
            catalog,
            model,
            emb,
            genre_of,
            genres,
            catalog_mean,
            search,
            unit,
            cold_scores: Vec::new(),
        };
        e.refresh_head_scores();
        e
    }

    pub fn len(&self) -> usize {
        self.catalog.len()
    }

    pub fn is_empty(&self) -> bool {
        self.catalog.is_empty()
    }

    /// Recompute the cold-start scores (after the head changed). Only the `COLD_POOL` most popular
    /// tracks are scored by the head (prior at the catalog's mean embedding): scoring all ~66k tracks
    /// through the head would block the page for ~250 ms in wasm.
    pub fn refresh_head_scores(&mut self) {
        let n = self.len();
        let pop: Vec<f32> = self
            .catalog
            .tracks
            .iter()
            .map(|t| t.popularity.unwrap_or(0) as f32)
            .collect();
        let mut idx: Vec<usize> = (0..n).collect();
        if n > Self::COLD_POOL {
            idx.select_nth_unstable_by(Self::COLD_POOL - 1, |a, b| {
                pop[*b].total_cmp(&pop[*a]).then(a.cmp(b))
            });
            idx.truncate(Self::COLD_POOL);
        }
        let all: Vec<usize> = (0..n).collect();
        let mean = crate::rank::profile(&self.emb, &all).unwrap_or([0.0; EMB]);
        let sub_pop: Vec<f32> = idx.iter().map(|&i| pop[i]).collect();
        let s = self.model.cold_scores(&self.emb, &idx, &mean, &sub_pop);
        self.cold_scores = idx.into_iter().zip(s).collect();
    }

    /// Taste profile: mean liked embedding minus half the mean disliked one.
    pub fn profile(&self, likes: &[usize], dislikes: &[usize]) -> Option<Emb> {
        let mut p = core_rank::profile(&self.emb, likes)?;
        if let Some(d) = core_rank::profile(&self.emb, dislikes) {
            for (a, b) in p.iter_mut().zip(&d) {
                *a -= 0.5 * b;
            }
        }
        Some(p)
    }

    /// How many cosine candidates the head re-scores (two-stage ranking keeps a query in ~ms).
    pub const POOL: usize = 400;
    /// How many of the most popular tracks the cold-start list is drawn from.
    pub const COLD_POOL: usize = 3000;

    /// Recommendations for the likes (the cold-start list when there are none):
    /// 1. cosine to the taste profile over every track that passes the hard filters and the genre
    ///    switch; 2. the rating head re-scores the best `POOL`, blended with the cosine as z-scores;
    /// 3. targets and MMR re-rank; 4. explanations.
    pub fn recommend(&self, likes: &[usize], dislikes: &[usize], opts: &RerankOptions) -> Vec<Rec> {
        let Some(profile) = self.profile(likes, dislikes) else {
            return self.cold_start(opts);
        };
        let pn = profile.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
        let q: Emb = std::array::from_fn(|k| profile[k] / pn);
        let mut skip = vec![false; self.len()];
        for &i in likes.iter().chain(dislikes) {
            if i < skip.len() {
                skip[i] = true;
            }
        }
        let liked_genres: Vec<u16> = likes
            .iter()
            .filter(|&&i| i < self.genre_of.len())
            .map(|&i| self.genre_of[i])
            .collect();
        let bounded = opts
            .filters
            .features
            .iter()
            .any(|f| f.min.is_some() || f.max.is_some());
        let mut cand: Vec<(usize, f32)> = Vec::with_capacity(self.len());
        for (i, u) in self.unit.iter().enumerate() {
            if skip[i]
                || (!opts.reach_beyond_genres && !liked_genres.contains(&self.genre_of[i]))
                || (bounded && !opts.filters.passes(&self.catalog.features[i]))
            {
                continue;
            }
            let mut dot = 0.0;
            for k in 0..EMB {
                dot += u[k] * q[k];
            }
            cand.push((i, dot));
        }
        let by_score = |a: &(usize, f32), b: &(usize, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if cand.len() > Self::POOL {
            cand.select_nth_unstable_by(Self::POOL - 1, by_score);
            cand.truncate(Self::POOL);
        }
        let pool: Vec<usize> = cand.iter().map(|c| c.0).collect();
        if let Some(mut head) = self.model.head_pool_scores(&self.emb, &pool, &profile) {
            let mut cos: Vec<f32> = cand.iter().map(|c| c.1).collect();
            zscore(&mut cos);
            zscore(&mut head);
            let b = self.model.blend();
            for (k, c) in cand.iter_mut().enumerate() {
                c.1 = b * cos[k] + (1.0 - b) * head[k];
            }
        }
        let o = RerankOptions {
            reach_beyond_genres: true,
            ..opts.clone()
        };
        let ranked = rerank::rerank(&cand, &self.catalog.features, &self.emb, |_| true, &o);
        let liked_feats = likes
            .iter()
            .filter(|&&i| i < self.emb.len())
            .map(|&i| self.catalog.features[i]);
        let prof_feats = explain::mean_features(liked_feats);
        ranked
            .into_iter()
            .map(|(i, score)| Rec {
                index: i,
                score,
                because: explain::nearest_liked(&self.emb[i], likes, &self.emb),
                contrib: explain::contributions(
                    &self.catalog.features[i],
                    &prof_feats,
                    &self.catalog_mean,
                ),
            })
            .collect()
    }

    /// With no likes: the model's cold-start score (head prior + popularity), spread over genres by
    /// MMR, filters applied. Never empty unless the filters exclude everything.
    pub fn cold_start(&self, opts: &RerankOptions) -> Vec<Rec> {
        let scored: Vec<(usize, f32)> = self.cold_scores.clone();
        let o = RerankOptions {
            reach_beyond_genres: true,
            diversity: opts.diversity.max(0.3),
            ..opts.clone()
        };
        rerank::rerank(&scored, &self.catalog.features, &self.emb, |_| true, &o)
            .into_iter()
            .map(|(i, score)| Rec {
                index: i,
                score,
                because: None,
                contrib: explain::contributions(
                    &self.catalog.features[i],
                    &self.catalog_mean,
                    &self.catalog_mean,
                ),
            })
            .collect()
    }

    /// Nearest neighbours of an arbitrary embedding (for the "new track" form).
    pub fn neighbours(&self, e: &Emb, k: usize) -> Vec<(usize, f32)> {
        let mut v: Vec<(usize, f32)> = self
            .emb
            .iter()
            .enumerate()
            .map(|(i, x)| (i, rerank::cosine(e, x)))
            .collect();
        let k = k.min(v.len());
        if k == 0 {
            return Vec::new();
        }
        v.select_nth_unstable_by(k - 1, |a, b| b.1.total_cmp(&a.1));
        v.truncate(k);
        v.sort_by(|a, b| b.1.total_cmp(&a.1));
        v
    }

    /// Start a fine-tune of the rating head on the likes.
    pub fn tuner(
        &self,
        likes: &[usize],
        dislikes: &[usize],
        seed: u64,
    ) -> Result<model::Tuner, String> {
        model::Tuner::new(&self.model, &self.emb, likes, dislikes, seed)
    }

    /// Install a finished fine-tune (or a stored head) and refresh the head scores.
    pub fn set_head(&mut self, head: Option<model::Head>) {
        self.model.tuned = head;
        self.refresh_head_scores();
    }
}

/// The models API (`weights`, `rank`, `finetune`) behind one small facade, so the page, the widget
/// and the bench call it in one way.
pub mod model {
    use burn::module::Module;
    use burn::store::ModuleRecord;
    use burn::tensor::Bytes;

    use super::Emb;
    use crate::catalog::features::Features;
    use crate::finetune::{FineTuneConfig, FineTuner};
    use crate::model::{cpu, HeadInput, RatingHead};
    use crate::rank::{DenseEncoder, DenseHead};
    use crate::weights::{module_bytes, Weights};

    pub use crate::weights::Head;

    const HEAD_MAGIC: &[u8; 8] = b"SLHEAD1\0";

    /// A tuned head as bytes (for localStorage): magic, input kind, burnpack record.
    pub fn head_to_bytes(h: &Head) -> Vec<u8> {
        let mut v = HEAD_MAGIC.to_vec();
        v.push(h.input.tag());
        v.extend(module_bytes(&h.net));
        v
    }

    pub struct Model {
        pub weights: Weights,
        encoder: DenseEncoder,
        /// The listener's fine-tuned head, when there is one (otherwise the shipped head is used).
        pub tuned: Option<Head>,
    }

    impl Model {
        pub fn from_bytes(bytes: &[u8]) -> Result<Model, String> {
            let weights = Weights::from_bytes(bytes).map_err(|e| e.to_string())?;
            let encoder = DenseEncoder::new(&weights.autoencoder);
            Ok(Model {
                weights,
                encoder,
                tuned: None,
            })
        }

        /// Read a stored tuned head; it must fit the shipped head's architecture.
        pub fn head_from_bytes(&self, b: &[u8]) -> Result<Head, String> {
            if b.len() < 9 || &b[..8] != HEAD_MAGIC {
                return Err("not a tuned head".into());
            }
            let input = HeadInput::from_tag(b[8]).ok_or("unknown head kind")?;
            if input != self.weights.head.input {
                return Err("it was tuned for another model".into());
            }
            let rec = ModuleRecord::from_bytes(Bytes::from_bytes_vec(b[9..].to_vec()))
                .map_err(|e| e.to_string())?;
            let net = RatingHead::new(input.width(), &cpu())
                .try_load_record(rec)
                .map_err(|e| e.to_string())?;
            Ok(Head {
                net: net.valid(),
                input,
            })
        }

        fn head(&self) -> &Head {
            self.tuned.as_ref().unwrap_or(&self.weights.head)
        }

        pub fn encode_all(&self, features: &[Features]) -> Vec<Emb> {
            features.iter().map(|x| self.encoder.encode(x)).collect()
        }

        pub fn encode_one(&self, f: &Features) -> Emb {
            self.encoder.encode(f)
        }

        /// Head logits for the pooled tracks, for the listener's profile.
        pub fn head_pool_scores(
            &self,
            emb: &[Emb],
            pool: &[usize],
            profile: &Emb,
        ) -> Option<Vec<f32>> {
            let h = DenseHead::new(self.head(), Some(profile));
            Some(pool.iter().map(|&i| h.score(&emb[i])).collect())
        }

        /// Weight of the cosine in the blend (the head gets 1 - blend), as trained.
        pub fn blend(&self) -> f32 {
            self.weights.blend
        }

        /// Cold-start scores for the tracks `rows` (as `rank::cold_start_scores`: z(head prior at
        /// the catalog's mean embedding) + z(popularity)), `popularity` given per row.
        pub fn cold_scores(
            &self,
            emb: &[Emb],
            rows: &[usize],
            mean: &Emb,
            popularity: &[f32],
        ) -> Vec<f32> {
            let h = DenseHead::new(self.head(), Some(mean));
            let mut s: Vec<f32> = rows.iter().map(|&i| h.score(&emb[i])).collect();
            crate::rank::zscore(&mut s);
            let mut p = popularity.to_vec();
            crate::rank::zscore(&mut p);
            for (a, b) in s.iter_mut().zip(&p) {
                *a += b;
            }
            s
        }
    }

    /// A fine-tune of the shipped head on the likes, driven step by step by the page.
    pub struct Tuner {
        inner: FineTuner,
        steps: usize,
    }

    impl Tuner {
        pub fn new(
            model: &Model,
            emb: &[Emb],
            likes: &[usize],
            dislikes: &[usize],
            seed: u64,
        ) -> Result<Tuner, String> {
            let cfg = FineTuneConfig {
                seed,
                ..FineTuneConfig::default()
            };
            let inner = FineTuner::new(&model.weights.head, emb, likes, dislikes, cfg)
                .map_err(|e| e.to_string())?;
            Ok(Tuner {
                inner,
                steps: cfg.steps,
            })
        }

        /// One optimiser step; returns the batch loss.
        pub fn step(&mut self) -> f32 {
            self.inner.step()
        }

        pub fn done(&self) -> bool {
            self.inner.done()
        }

        pub fn steps(&self) -> usize {
            self.steps
        }

        pub fn progress(&self) -> f32 {
            self.inner.steps_done() as f32 / self.steps.max(1) as f32
        }

        pub fn finish(self) -> Head {
            self.inner.finish()
        }
    }
}

/// The same measurements natively (`soundalike bench`) and in the browser (`scripts/bench.sh`),
/// with the clock passed in (std::time::Instant natively, performance.now() in wasm).
pub mod bench {
    use super::{Engine, RerankOptions};
    use serde::Serialize;

    #[derive(Debug, Clone, Serialize)]
    pub struct Figures {
        pub tracks: usize,
        pub encode_ms: f64,
        pub rank_ms_per_query: f64,
        pub finetune_ms: f64,
        pub finetune_likes: usize,
        pub finetune_steps: usize,
        pub finetune_longest_step_ms: f64,
    }

    fn lcg(s: &mut u64) -> u64 {
        *s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *s >> 33
    }

    /// `n` pseudo-random track indices.
    pub fn random_tracks(e: &Engine, n: usize, seed: u64) -> Vec<usize> {
        let mut s = seed;
        let len = e.len().max(1) as u64;
        (0..n).map(|_| (lcg(&mut s) % len) as usize).collect()
    }

    pub fn encode_ms(e: &Engine, now: &dyn Fn() -> f64) -> f64 {
        let t = now();
        std::hint::black_box(e.model.encode_all(&e.catalog.features));
        now() - t
    }

    /// Mean ms per query: 5 random likes each, default options, top 20 with explanations.
    pub fn rank_ms(e: &Engine, queries: usize, now: &dyn Fn() -> f64) -> f64 {
        let sets: Vec<Vec<usize>> = (0..queries as u64)
            .map(|q| random_tracks(e, 5, 7 + q))
            .collect();
        let opts = RerankOptions::default();
        let t = now();
        for l in &sets {
            std::hint::black_box(e.recommend(l, &[], &opts));
        }
        (now() - t) / queries.max(1) as f64
    }

    /// (total ms, longest single step ms, steps) of a fine-tune on `n_likes` random likes.
    pub fn finetune_ms(e: &Engine, n_likes: usize, now: &dyn Fn() -> f64) -> (f64, f64, usize) {
        let likes = random_tracks(e, n_likes, 11);
        let t = now();
        let Ok(mut tuner) = e.tuner(&likes, &[], 42) else {
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

    pub fn run(e: &Engine, queries: usize, n_likes: usize, now: &dyn Fn() -> f64) -> Figures {
        let encode_ms = encode_ms(e, now);
        let rank_ms_per_query = rank_ms(e, queries, now);
        let (finetune_ms, longest, steps) = finetune_ms(e, n_likes, now);
        Figures {
            tracks: e.len(),
            encode_ms,
            rank_ms_per_query,
            finetune_ms,
            finetune_likes: n_likes,
            finetune_steps: steps,
            finetune_longest_step_ms: longest,
        }
    }
}
