//! The recommender: the one ranking that the page, the widget, `soundalike recommend`,
//! `soundalike eval`, `train`'s blend choice and the bench all run.
//!
//! [`Recommender`] holds a decoded catalog, every track's embedding, the shipped rating head and
//! the listener's tuned one; [`Recommender::recommend`] turns a [`Query`] (likes, dislikes,
//! [`Options`]) into explained [`Rec`]s. The parts: `score` (z-scores, top-k), `rerank` (bounds,
//! targets, MMR), `explain` ("because you liked", per-feature contributions), `search` (title and
//! artist), `projection` (the 2-D map), `bench` (the same timings natively and in wasm).
//!
//! This folder knows nothing of the DOM, of files or of playlists.

pub mod bench;
pub mod explain;
pub mod projection;
pub mod rerank;
pub mod score;
pub mod search;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::catalog::features::{Features, N_FEATURES};
use crate::catalog::{Catalog, FormatError};
use crate::model::dense::{DenseEncoder, DenseHead};
use crate::model::finetune::{FineTuneConfig, FineTuneError, FineTuner};
use crate::model::{Embedding, Head, Weights, WeightsError, EMB};
use crate::vector::{mean_all, mean_of, unit};
use projection::EmbeddingMap;
use rerank::{rerank, Filters};
use score::{keep_best, zscore};
use search::SearchIndex;

/// What a listener can ask for besides likes and dislikes.
///
/// Invariants checked by [`Options::check`] (the page's controls cannot break them; the widget
/// and the CLI pass outside values through it): `diversity` in [0, 1], `1 ≤ k ≤ MAX_K`, every
/// bound and target in [0, 1] and `min ≤ max`. [`Recommender::recommend`] clamps what it is given
/// anyway, so it never fails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// Spotify-style bounds and targets on the 16 scaled features.
    pub filters: Filters,
    /// 0 = pure relevance, 1 = maximal spread (MMR).
    pub diversity: f32,
    /// When false, only tracks of the liked tracks' genres are ranked.
    pub reach_beyond_genres: bool,
    /// Only tracks with a known release year and popularity.
    pub dated_only: bool,
    /// How many recommendations.
    pub k: usize,
}

impl Default for Options {
    /// The page's defaults, which `soundalike eval` measures: no bounds, no diversity, every genre, 20.
    fn default() -> Self {
        Options {
            filters: Filters::default(),
            diversity: 0.0,
            reach_beyond_genres: true,
            dated_only: false,
            k: 20,
        }
    }
}

/// An [`Options`] value outside its range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OptionsError {
    #[error("diversity must be between 0 and 1, got {0}")]
    Diversity(f32),
    #[error("the number of recommendations must be between 1 and {max}, got {got}")]
    K { got: usize, max: usize },
    #[error("the {kind} of feature {feature} must be between 0 and 1, got {value}")]
    Bound {
        feature: &'static str,
        kind: &'static str,
        value: f32,
    },
    #[error("feature {feature}: the minimum {min} is above the maximum {max}")]
    MinAboveMax {
        feature: &'static str,
        min: f32,
        max: f32,
    },
}

impl Options {
    /// The most recommendations one query returns.
    pub const MAX_K: usize = 1000;

    /// Check every setting (see the type's invariants).
    pub fn check(&self) -> Result<(), OptionsError> {
        if !(0.0..=1.0).contains(&self.diversity) {
            return Err(OptionsError::Diversity(self.diversity));
        }
        if self.k == 0 || self.k > Self::MAX_K {
            return Err(OptionsError::K {
                got: self.k,
                max: Self::MAX_K,
            });
        }
        for (f, name) in self
            .filters
            .features
            .iter()
            .zip(crate::catalog::features::FEATURE_NAMES)
        {
            for (kind, v) in [("target", f.target), ("minimum", f.min), ("maximum", f.max)] {
                if let Some(v) = v.filter(|v| !(0.0..=1.0).contains(v)) {
                    return Err(OptionsError::Bound {
                        feature: name,
                        kind,
                        value: v,
                    });
                }
            }
            if let (Some(min), Some(max)) = (f.min, f.max) {
                if min > max {
                    return Err(OptionsError::MinAboveMax {
                        feature: name,
                        min,
                        max,
                    });
                }
            }
        }
        Ok(())
    }
}

/// One request: track indices into the recommender's catalog, and the options.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Query {
    pub likes: Vec<usize>,
    pub dislikes: Vec<usize>,
    pub options: Options,
}

impl Query {
    /// Likes only, with the page's default options and `k` results.
    pub fn likes(likes: &[usize], k: usize) -> Query {
        Query {
            likes: likes.to_vec(),
            dislikes: Vec::new(),
            options: Options {
                k,
                ..Options::default()
            },
        }
    }
}

/// One recommendation, ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Rec {
    pub index: usize,
    pub score: f32,
    /// The liked track it is closest to, with the cosine of their embeddings.
    pub because: Option<(usize, f32)>,
    /// Signed per-feature contributions (see `explain::contributions`).
    pub contrib: [f32; N_FEATURES],
}

/// Why the catalog and weights could not become a recommender.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("The catalog file could not be read: {0}")]
    Catalog(#[from] FormatError),
    #[error("The model weights could not be read: {0}")]
    Weights(#[from] WeightsError),
    #[error("The catalog holds no tracks")]
    EmptyCatalog,
}

/// The catalog, its embeddings and the heads, ready to rank.
///
/// Invariants: `emb`, `unit` and `genre_of` have one row per catalog track; `cold` was computed
/// with the current head (every head change goes through [`Recommender::set_head`]).
pub struct Recommender {
    catalog: Catalog,
    encoder: DenseEncoder,
    shipped: Head,
    tuned: Option<Head>,
    blend: f32,
    emb: Vec<Embedding>,
    unit: Vec<Embedding>,
    genre_of: Vec<u16>,
    genres: Vec<String>,
    dated: Vec<bool>,
    catalog_mean: Features,
    mean_emb: Embedding,
    search: SearchIndex,
    cold: Vec<(usize, f32)>,
}

impl Recommender {
    /// How many cosine candidates the head re-scores (two-stage ranking keeps a query in ~ms).
    pub const POOL: usize = 400;
    /// How many of the most popular tracks the cold-start list is drawn from: scoring all ~66k
    /// tracks through the head at load would block the page for ~250 ms in wasm.
    pub const COLD_POOL: usize = 3000;
    /// How many of the best candidates MMR looks at.
    pub const MMR_POOL: usize = 200;
    /// The seed of the page's fine-tune (so `eval` tunes exactly as the page does).
    pub const TUNE_SEED: u64 = 42;
    /// Weight of the disliked tracks' mean subtracted from the taste profile.
    pub const DISLIKE_WEIGHT: f32 = 0.5;

    /// Decode both files and build the recommender.
    pub fn from_bytes(catalog: &[u8], weights: &[u8]) -> Result<Recommender, LoadError> {
        let catalog = Catalog::from_bytes(catalog)?;
        let weights = Weights::from_bytes(weights)?;
        Recommender::new(catalog, weights)
    }

    /// Encode every track and build the indexes.
    pub fn new(catalog: Catalog, weights: Weights) -> Result<Recommender, LoadError> {
        if catalog.is_empty() {
            return Err(LoadError::EmptyCatalog);
        }
        let encoder = DenseEncoder::new(&weights.autoencoder);
        let emb: Vec<Embedding> = catalog.features.iter().map(|x| encoder.encode(x)).collect();
        let mut genre_ids: HashMap<&str, u16> = HashMap::new();
        let mut genres: Vec<String> = Vec::new();
        let genre_of = catalog
            .tracks
            .iter()
            .map(|t| {
                *genre_ids.entry(t.genre.as_str()).or_insert_with(|| {
                    genres.push(t.genre.clone());
                    // more genres than u16 ids share the last one: only the genre switch sees it
                    (genres.len() - 1).min(u16::MAX as usize) as u16
                })
            })
            .collect();
        let dated = catalog
            .tracks
            .iter()
            .map(|t| t.year.is_some() && t.popularity.is_some())
            .collect();
        let catalog_mean = mean_all(catalog.features.iter().copied());
        let search = SearchIndex::new(
            catalog
                .tracks
                .iter()
                .map(|t| (t.name.as_str(), t.artist.as_str(), t.popularity)),
        );
        let unit = emb.iter().map(unit).collect();
        let mean_emb = mean_all(emb.iter().copied());
        let mut r = Recommender {
            catalog,
            encoder,
            shipped: weights.head,
            tuned: None,
            blend: weights.blend,
            emb,
            unit,
            genre_of,
            genres,
            dated,
            catalog_mean,
            mean_emb,
            search,
            cold: Vec::new(),
        };
        r.refresh_cold_start();
        Ok(r)
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn len(&self) -> usize {
        self.catalog.len()
    }

    pub fn is_empty(&self) -> bool {
        self.catalog.is_empty()
    }

    /// Every track's embedding, in catalog order.
    pub fn embeddings(&self) -> &[Embedding] {
        &self.emb
    }

    /// Distinct genres; `genre_of(i)` indexes this list.
    pub fn genres(&self) -> &[String] {
        &self.genres
    }

    pub fn genre_of(&self, i: usize) -> usize {
        self.genre_of.get(i).map_or(0, |&g| g as usize)
    }

    /// Per track: whether it has a release year and a popularity.
    pub fn dated(&self) -> &[bool] {
        &self.dated
    }

    pub fn search(&self) -> &SearchIndex {
        &self.search
    }

    /// Mean of the catalog's 16 features (the reference of the contribution bars).
    pub fn catalog_mean(&self) -> &Features {
        &self.catalog_mean
    }

    /// Weight of the cosine in the hybrid score (the head gets `1 - blend`).
    pub fn blend(&self) -> f32 {
        self.blend
    }

    /// Set the hybrid blend (`train` chooses it on validation playlists); clamped to [0, 1].
    pub fn set_blend(&mut self, blend: f32) {
        self.blend = if blend.is_finite() {
            blend.clamp(0.0, 1.0)
        } else {
            0.5
        };
    }

    /// The head the ranking uses: the listener's tuned one, else the shipped one.
    pub fn head(&self) -> &Head {
        self.tuned.as_ref().unwrap_or(&self.shipped)
    }

    pub fn shipped_head(&self) -> &Head {
        &self.shipped
    }

    pub fn is_tuned(&self) -> bool {
        self.tuned.is_some()
    }

    /// Install a finished fine-tune (or a stored head; `None` goes back to the shipped head).
    pub fn set_head(&mut self, head: Option<Head>) {
        self.tuned = head;
        self.refresh_cold_start();
    }

    /// Embed one scaled feature row (a new track).
    pub fn encode(&self, f: &Features) -> Embedding {
        self.encoder.encode(f)
    }

    /// Start a fine-tune of the shipped head on the likes (the page drives it step by step).
    pub fn tuner(
        &self,
        likes: &[usize],
        dislikes: &[usize],
        seed: u64,
    ) -> Result<FineTuner, FineTuneError> {
        let cfg = FineTuneConfig {
            seed,
            ..FineTuneConfig::default()
        };
        FineTuner::new(&self.shipped, &self.emb, likes, dislikes, cfg)
    }

    /// The page's fine-tune run to the end (what "Tune to me" installs).
    pub fn fine_tuned(&self, likes: &[usize], dislikes: &[usize]) -> Result<Head, FineTuneError> {
        let mut t = self.tuner(likes, dislikes, Self::TUNE_SEED)?;
        while !t.done() {
            t.step();
        }
        Ok(t.finish())
    }

    /// The 2-D map of every embedding.
    pub fn embedding_map(&self) -> EmbeddingMap<EMB> {
        EmbeddingMap::fit(&self.emb)
    }

    /// Cold-start scores over the `COLD_POOL` most popular tracks: z(head prior at the catalog's
    /// mean embedding) + z(popularity).
    fn refresh_cold_start(&mut self) {
        let pop: Vec<f32> = self
            .catalog
            .tracks
            .iter()
            .map(|t| t.popularity.unwrap_or(0) as f32)
            .collect();
        let mut idx: Vec<(usize, f32)> = pop.iter().copied().enumerate().collect();
        keep_best(&mut idx, Self::COLD_POOL);
        let head = DenseHead::new(self.head(), Some(&self.mean_emb));
        let mut s: Vec<f32> = idx.iter().map(|&(i, _)| head.score(&self.emb[i])).collect();
        let mut p: Vec<f32> = idx.iter().map(|&(_, p)| p).collect();
        zscore(&mut s);
        zscore(&mut p);
        self.cold = idx
            .iter()
            .zip(s.iter().zip(&p))
            .map(|(&(i, _), (a, b))| (i, a + b))
            .collect();
    }

    /// Taste profile: mean liked embedding minus `DISLIKE_WEIGHT` × the mean disliked one.
    fn profile(&self, likes: &[usize], dislikes: &[usize]) -> Option<Embedding> {
        let mut p = mean_of(&self.emb, likes)?;
        if let Some(d) = mean_of(&self.emb, dislikes) {
            for (a, b) in p.iter_mut().zip(&d) {
                *a -= Self::DISLIKE_WEIGHT * b;
            }
        }
        Some(p)
    }

    /// Recommendations for the query (the cold-start list when it has no likes in the catalog):
    /// 1. cosine to the taste profile over every track that passes the hard bounds and the genre
    ///    switch; 2. the rating head re-scores the best `max(POOL, k)`, blended with the cosine as
    ///    z-scores over that pool; 3. targets and MMR re-rank; 4. explanations.
    ///
    /// Never returns a liked or disliked track; returns `k` results whenever at least `k` tracks
    /// pass the filters; deterministic. Indices outside the catalog are ignored.
    pub fn recommend(&self, q: &Query) -> Vec<Rec> {
        let o = &q.options;
        let k = o.k.min(Options::MAX_K);
        let Some(profile) = self.profile(&q.likes, &q.dislikes) else {
            return self.cold_start(o, k, &q.dislikes);
        };
        let qv = unit(&profile);
        let mut skip = vec![false; self.len()];
        for &i in q.likes.iter().chain(&q.dislikes) {
            if let Some(s) = skip.get_mut(i) {
                *s = true;
            }
        }
        let liked_genres: Vec<u16> = q
            .likes
            .iter()
            .filter_map(|&i| self.genre_of.get(i).copied())
            .collect();
        let bounded = o
            .filters
            .features
            .iter()
            .any(|f| f.min.is_some() || f.max.is_some());
        let mut cand: Vec<(usize, f32)> = Vec::with_capacity(self.len());
        for (i, u) in self.unit.iter().enumerate() {
            if skip[i]
                || (o.dated_only && !self.dated[i])
                || (!o.reach_beyond_genres && !liked_genres.contains(&self.genre_of[i]))
                || (bounded && !o.filters.passes(&self.catalog.features[i]))
            {
                continue;
            }
            cand.push((i, crate::vector::dot(u, &qv)));
        }
        keep_best(&mut cand, Self::POOL.max(k));
        let head = DenseHead::new(self.head(), Some(&profile));
        let mut cos: Vec<f32> = cand.iter().map(|c| c.1).collect();
        let mut h: Vec<f32> = cand.iter().map(|c| head.score(&self.emb[c.0])).collect();
        zscore(&mut cos);
        zscore(&mut h);
        for (c, (a, b)) in cand.iter_mut().zip(cos.iter().zip(&h)) {
            c.1 = self.blend * a + (1.0 - self.blend) * b;
        }
        let ranked = rerank(
            &cand,
            &self.catalog.features,
            &self.emb,
            &o.filters,
            o.diversity,
            k,
            Self::MMR_POOL,
        );
        let liked_features = mean_of(&self.catalog.features, &q.likes).unwrap_or(self.catalog_mean);
        self.explained(ranked, &q.likes, &liked_features)
    }

    /// With no likes: the cold-start score, spread over genres by MMR (diversity at least 0.3),
    /// filters applied. Never empty unless the filters exclude every cold-start candidate.
    fn cold_start(&self, o: &Options, k: usize, dislikes: &[usize]) -> Vec<Rec> {
        let scored: Vec<(usize, f32)> = self
            .cold
            .iter()
            .copied()
            .filter(|(i, _)| !dislikes.contains(i) && (!o.dated_only || self.dated[*i]))
            .collect();
        let diversity = if o.diversity.is_nan() {
            0.3
        } else {
            o.diversity.max(0.3)
        };
        let ranked = rerank(
            &scored,
            &self.catalog.features,
            &self.emb,
            &o.filters,
            diversity,
            k,
            Self::MMR_POOL,
        );
        self.explained(ranked, &[], &self.catalog_mean)
    }

    fn explained(
        &self,
        ranked: Vec<(usize, f32)>,
        likes: &[usize],
        profile: &Features,
    ) -> Vec<Rec> {
        ranked
            .into_iter()
            .map(|(i, score)| Rec {
                index: i,
                score,
                because: explain::nearest_liked(&self.emb[i], likes, &self.emb),
                contrib: explain::contributions(
                    &self.catalog.features[i],
                    profile,
                    &self.catalog_mean,
                ),
            })
            .collect()
    }

    /// Nearest neighbours of an arbitrary embedding by cosine (for a new track), best first.
    pub fn neighbours(&self, e: &Embedding, k: usize) -> Vec<(usize, f32)> {
        let q = unit(e);
        let mut v: Vec<(usize, f32)> = self
            .unit
            .iter()
            .enumerate()
            .map(|(i, u)| (i, crate::vector::dot(u, &q)))
            .collect();
        keep_best(&mut v, k);
        v
    }
}
