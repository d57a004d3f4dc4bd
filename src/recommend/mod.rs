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

mod additions;
pub mod bench;
mod cells;
pub mod distinct;
pub mod exactness;
pub mod explain;
mod genres;
mod indexer;
mod nth_best;
pub mod path;
pub mod projection;
pub mod rerank;
pub mod scan;
pub mod score;
pub mod search;
pub mod taste;

use serde::{Deserialize, Serialize};

use crate::catalog::features::{Features, N_FEATURES};
use crate::catalog::{Catalog, Context, FormatError};
use crate::model::dense::{DenseEncoder, DenseHead};
use crate::model::finetune::{FineTuneConfig, FineTuneError, FineTuner};
use crate::model::input::input;
use crate::model::{Embedding, Head, Objective, Weights, WeightsError, EMB};
use crate::vector::{inv_norm, mean_all, mean_of, unit};
use distinct::{artist_key, intern, song_key, Distinct};
pub use indexer::Indexer;
use projection::EmbeddingMap;
use rerank::{rerank, Filters};
use scan::Quantized;
use score::{keep_best, zscore};
use search::SearchIndex;
pub use taste::Profile;
use taste::Taste;

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
    /// Release years to keep, inclusive (tracks without a year are left out when set).
    #[serde(default)]
    pub era: Option<[u16; 2]>,
    /// Popularity range to keep, inclusive, 0–100 (tracks without one are left out when set).
    #[serde(default)]
    pub popularity: Option<[u8; 2]>,
    /// At most this many tracks of one lead artist in the list (0 = no cap).
    #[serde(default = "default_max_per_artist")]
    pub max_per_artist: usize,
    /// How many recommendations.
    pub k: usize,
}

fn default_max_per_artist() -> usize {
    Options::MAX_PER_ARTIST
}

impl Default for Options {
    /// The page's defaults, which `soundalike eval` measures: no bounds, no diversity, every genre, 20.
    fn default() -> Self {
        Options {
            filters: Filters::default(),
            diversity: 0.0,
            reach_beyond_genres: true,
            dated_only: false,
            era: None,
            popularity: None,
            max_per_artist: Options::MAX_PER_ARTIST,
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
    #[error("the era {from}–{to} is not a range of years between 1800 and 2100")]
    Era { from: u16, to: u16 },
    #[error("the popularity range {from}–{to} is not within 0–100")]
    Popularity { from: u8, to: u8 },
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
    /// The default cap of tracks per artist.
    pub const MAX_PER_ARTIST: usize = 2;

    /// Check every setting (see the type's invariants).
    pub fn check(&self) -> Result<(), OptionsError> {
        if !(0.0..=1.0).contains(&self.diversity) {
            return Err(OptionsError::Diversity(self.diversity));
        }
        if let Some([from, to]) = self.era {
            if from > to || from < 1800 || to > 2100 {
                return Err(OptionsError::Era { from, to });
            }
        }
        if let Some([from, to]) = self.popularity {
            if from > to || to > 100 {
                return Err(OptionsError::Popularity { from, to });
            }
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
    /// Artists never to recommend (as the catalog spells them; the lead artist is compared).
    #[serde(default)]
    pub banned_artists: Vec<String>,
    pub options: Options,
}

impl Query {
    /// Likes only, with the page's default options and `k` results.
    pub fn likes(likes: &[usize], k: usize) -> Query {
        Query {
            likes: likes.to_vec(),
            dislikes: Vec::new(),
            banned_artists: Vec::new(),
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
    #[error("{rows} embeddings were given for a catalog of {tracks} tracks")]
    Embeddings { rows: usize, tracks: usize },
}

/// Which first stage a ranking runs (the quantized one is the product; the exact one its reference).
#[derive(Debug, Clone, Copy)]
enum Scan {
    Quantized,
    Exact,
}

/// The catalog, its embeddings and the heads, ready to rank.
///
/// Invariants: `emb`, `inv_norm`, `quant`, `genre_of`, `dated`, `song` and `artist` have one row per catalog
/// track; `cold` was computed with the current head (every head change goes through
/// [`Recommender::set_head`]).
pub struct Recommender {
    catalog: Catalog,
    encoder: DenseEncoder,
    objective: Objective,
    profile: Profile,
    song: Vec<u32>,
    artist: Vec<u32>,
    /// Distinct songs: the size of `Distinct`'s song array.
    n_songs: usize,
    artist_ids: distinct::KeyIds,
    shipped: Head,
    tuned: Option<Head>,
    blend: f32,
    emb: Vec<Embedding>,
    /// `1 / |emb[i]|`: a cosine is a dot product with `emb` times it. No unit copy of the rows,
    /// so a ranking's exact scores and the head's inputs come from the same cache lines.
    inv_norm: Vec<f32>,
    /// The integer copy of the unit embeddings (16 principal coordinates) the first stage of a
    /// ranking scans.
    quant: Quantized<EMB>,
    genre_of: Vec<u16>,
    genres: genres::Genres,
    dated: Vec<bool>,
    catalog_mean: Features,
    mean_emb: Embedding,
    search: SearchIndex,
    cold: Vec<(usize, f32)>,
    /// The first of the listener's own tracks (see `additions`); they run to the end.
    yours_from: Option<usize>,
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
    /// Weight of the cosine to the nearest dislike subtracted from a track's taste score.
    pub const DISLIKE_WEIGHT: f32 = 0.5;

    /// Decode both files and build the recommender (natively; the page inflates the catalog in
    /// the browser, then [`Recommender::new`]).
    #[cfg(not(target_arch = "wasm32"))]
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
        let objective = weights.objective;
        let emb = encode_catalog(&encoder, &catalog, objective);
        Recommender::with_embeddings(catalog, weights, emb)
    }

    /// Build the indexes over embeddings computed elsewhere (the page's engine worker encodes;
    /// the page builds its copy from the worker's rows without encoding again). `emb` must hold
    /// one row per track, computed by `weights`' encoder. In one go; [`Indexer`] does the same in
    /// steps.
    pub fn with_embeddings(
        catalog: Catalog,
        weights: Weights,
        emb: Vec<Embedding>,
    ) -> Result<Recommender, LoadError> {
        let mut r = Indexer::new(catalog, weights, emb)?.finish()?;
        r.quant.group();
        Ok(r)
    }

    /// Take `grouped`, the scan index of this engine's first tracks grouped into cells (the
    /// engine worker sends it after the load), when it is: at most this many tracks, quantized
    /// in the same fitted basis as this engine's own index (so of the same embeddings); the
    /// tracks added since go to its open cell. False (nothing changes) otherwise.
    pub fn adopt_grouped_scan(&mut self, mut grouped: Quantized<EMB>) -> bool {
        let n = grouped.len();
        if n > self.quant.len() || !grouped.same_basis(&self.quant) {
            return false;
        }
        grouped.extend(&self.emb[n..]);
        self.quant = grouped;
        true
    }

    /// The recommender from an [`Indexer`] that indexed every track.
    fn assemble(ix: Indexer, weights: Weights) -> Recommender {
        let Indexer {
            catalog,
            weights: _,
            emb,
            song,
            artist,
            search,
            genre_of,
            genres,
            dated,
            inv_norm,
            quant,
            feature_mean,
            emb_mean,
            ..
        } = ix;
        let encoder = DenseEncoder::new(&weights.autoencoder);
        let objective = weights.objective;
        let (song, n_songs) = (song.ids, song.of.len());
        let (artist, artist_ids) = (artist.ids, artist.of);
        let catalog_mean = feature_mean.mean();
        let mean_emb = emb_mean.mean();
        let mut r = Recommender {
            catalog,
            encoder,
            objective,
            profile: Profile::default(),
            song,
            artist,
            n_songs,
            artist_ids,
            shipped: weights.head,
            tuned: None,
            blend: weights.blend,
            emb,
            inv_norm,
            quant,
            genre_of,
            genres,
            dated,
            catalog_mean,
            mean_emb,
            search,
            cold: Vec::new(),
            yours_from: None,
        };
        r.refresh_cold_start();
        r
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
        self.genres.names()
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

    /// Embed one scaled feature row with its era and popularity (a new track).
    pub fn encode(&self, f: &Features, context: &Context) -> Embedding {
        self.encoder.encode(&input(f, context, self.objective))
    }

    /// Every track's embedding computed again, as loading computes it (for the bench).
    pub fn encode_catalog(&self) -> Vec<Embedding> {
        encode_catalog(&self.encoder, &self.catalog, self.objective)
    }

    /// What the autoencoder was trained for.
    pub fn objective(&self) -> Objective {
        self.objective
    }

    /// How likes become a score (multi-interest unless `eval` compares).
    pub fn profile(&self) -> Profile {
        self.profile
    }

    pub fn set_profile(&mut self, p: Profile) {
        self.profile = p;
    }

    /// The interned lead-artist key of every track (see `distinct`).
    pub fn artist_keys(&self) -> &[u32] {
        &self.artist
    }

    /// The interned song key of every track: versions of one song share it (see `distinct`).
    pub fn song_keys(&self) -> &[u32] {
        &self.song
    }

    /// Start a fine-tune of the shipped head on the likes (the page drives it step by step).
    pub fn tuner(
        &self,
        likes: &[usize],
        dislikes: &[usize],
        seed: u64,
    ) -> Result<FineTuner, FineTuneError> {
        Recommender::tuner_on(&self.shipped, &self.emb, likes, dislikes, seed)
    }

    /// The same fine-tune over a head and embeddings held elsewhere (the page's engine worker
    /// gets them from the page): one configuration for every caller.
    pub fn tuner_on(
        shipped: &Head,
        emb: &[Embedding],
        likes: &[usize],
        dislikes: &[usize],
        seed: u64,
    ) -> Result<FineTuner, FineTuneError> {
        let cfg = FineTuneConfig {
            seed,
            ..FineTuneConfig::default()
        };
        FineTuner::new(shipped, emb, likes, dislikes, cfg)
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
        let mut s = head.score_many(idx.iter().map(|&(i, _)| &self.emb[i]));
        let mut p: Vec<f32> = idx.iter().map(|&(_, p)| p).collect();
        zscore(&mut s);
        zscore(&mut p);
        self.cold = idx
            .iter()
            .zip(s.iter().zip(&p))
            .map(|(&(i, _), (a, b))| (i, a + b))
            .collect();
    }

    /// Whether track `i` passes the query's hard constraints (everything but the likes).
    fn admissible(
        &self,
        i: usize,
        o: &Options,
        liked_genres: Option<&[u16]>,
        bounded: bool,
    ) -> bool {
        let t = &self.catalog.tracks.as_slice()[i];
        (!o.dated_only || self.dated.as_slice()[i])
            && liked_genres.is_none_or(|g| g.contains(&self.genre_of.as_slice()[i]))
            && o.era
                .is_none_or(|[a, b]| t.year.is_some_and(|y| (a..=b).contains(&y)))
            && o.popularity
                .is_none_or(|[a, b]| t.popularity.is_some_and(|p| (a..=b).contains(&p)))
            && (!bounded || o.filters.passes(&self.catalog.features[i]))
    }

    fn distinct<'a>(&'a self, q: &Query) -> Distinct<'a> {
        let banned = q
            .banned_artists
            .iter()
            .filter_map(|a| self.artist_ids.get(&artist_key(a)).copied());
        Distinct::new(
            &self.song,
            &self.artist,
            (self.n_songs, self.artist_ids.len()),
            &q.likes,
            banned,
            q.options.max_per_artist,
        )
    }

    /// Recommendations for the query (the cold-start list when it has no likes in the catalog):
    /// 1. the taste score (multi-interest cosine, see `taste`) over every track that passes the
    ///    hard constraints (bounds, era, popularity, genre switch, dated only, banned artists,
    ///    songs already liked); 2. the rating head re-scores the best `max(POOL, 4k)`, blended
    ///    with the taste score as z-scores over that pool (widened when step 3 leaves fewer than k); 3. one version per song and at most
    ///    `max_per_artist` per artist, best first; 4. targets and MMR re-rank; 5. explanations.
    ///
    /// Never returns a liked or disliked track, nor two versions of a song; returns `k` results
    /// whenever enough distinct tracks pass the constraints; deterministic. Indices outside the
    /// catalog are ignored.
    pub fn recommend(&self, q: &Query) -> Vec<Rec> {
        self.ranked(q, Scan::Quantized)
    }

    /// [`Recommender::recommend`] with every admissible track scored in f32: the reference the
    /// quantized first stage must equal (tests and the bench compare them).
    pub fn recommend_exact(&self, q: &Query) -> Vec<Rec> {
        self.ranked(q, Scan::Exact)
    }

    fn ranked(&self, q: &Query, scan: Scan) -> Vec<Rec> {
        let o = &q.options;
        let k = o.k.min(Options::MAX_K);
        let valid =
            |v: &[usize]| -> Vec<usize> { v.iter().copied().filter(|&i| i < self.len()).collect() };
        let (likes, dislikes) = (valid(&q.likes), valid(&q.dislikes));
        let rows = |v: &[usize]| -> Vec<Embedding> { v.iter().map(|&i| self.emb[i]).collect() };
        let Some(taste) = Taste::new(
            &rows(&likes),
            &rows(&dislikes),
            self.profile,
            Self::DISLIKE_WEIGHT,
        ) else {
            return self.cold_start(q, k);
        };
        let mut skip = vec![false; self.len()];
        for &i in likes.iter().chain(&dislikes) {
            skip[i] = true;
        }
        let liked_genres: Vec<u16> = likes.iter().map(|&i| self.genre_of[i]).collect();
        let genres = (!o.reach_beyond_genres).then_some(liked_genres.as_slice());
        let bounded = o
            .filters
            .features
            .iter()
            .any(|f| f.min.is_some() || f.max.is_some());
        // the constraints are checked per track only when some are set
        let constrained = o.dated_only
            || genres.is_some()
            || o.era.is_some()
            || o.popularity.is_some()
            || bounded;
        let excluded = self.distinct(q);
        // the per-track closures index slices, not `Vec`s: in the size-optimised wasm a `Vec`
        // index stayed a call, several per candidate
        let skip = skip.as_slice();
        let keep = |i: usize| {
            !skip[i]
                && !excluded.excluded(i)
                && (!constrained || self.admissible(i, o, genres, bounded))
        };
        // (linear in the row's length, so scaling the raw row's score is its unit row's)
        let (emb, inv_norm) = (self.emb.as_slice(), self.inv_norm.as_slice());
        let exact = |i: usize| taste.score(&emb[i]) * inv_norm[i];
        // the exact reference scores every admitted track once; the quantized scan keeps only
        // the candidates for the pool it is asked for (a wider pool scans again)
        let all = match scan {
            Scan::Exact => (0..self.len())
                .filter(|&i| keep(i))
                .map(|i| (i, exact(i)))
                .collect(),
            Scan::Quantized => Vec::new(),
        };
        // the exact best n admitted tracks (fewer only when fewer are admitted)
        let best = |n: usize| match scan {
            Scan::Quantized => self.quant.scan(&taste, n, keep).exact_best(exact),
            Scan::Exact => {
                let mut v = all.clone();
                keep_best(&mut v, n);
                v
            }
        };
        let profile = mean_of(&self.emb, &likes).unwrap_or(self.mean_emb);
        let head = DenseHead::new(self.head(), Some(&profile));
        // a pool four times k is almost always enough distinct songs; when repeats and the
        // artist cap leave fewer than k, widen it (so k results whenever they exist)
        let mut pool = Self::POOL.max(4 * k);
        let cand = loop {
            let mut cand = best(pool);
            let every_admitted = cand.len() < pool;
            let mut cos: Vec<f32> = cand.iter().map(|c| c.1).collect();
            let mut h = head.score_many(cand.iter().map(|c| &self.emb[c.0]));
            zscore(&mut cos);
            zscore(&mut h);
            for (c, (a, b)) in cand.iter_mut().zip(cos.iter().zip(&h)) {
                c.1 = self.blend * a + (1.0 - self.blend) * b;
            }
            cand.sort_by(score::by_score);
            let mut distinct = self.distinct(q);
            cand.retain(|&(i, _)| distinct.take(i));
            if cand.len() >= k || every_admitted {
                break cand;
            }
            pool = pool.saturating_mul(4);
        };
        let ranked = rerank(
            &cand,
            &self.catalog.features,
            &self.emb,
            &o.filters,
            o.diversity,
            k,
            Self::MMR_POOL,
        );
        let liked_features = mean_of(&self.catalog.features, &likes).unwrap_or(self.catalog_mean);
        self.explained(ranked, &likes, &liked_features)
    }

    /// With no likes: the cold-start score, spread over genres by MMR (diversity at least 0.3),
    /// the same constraints applied. Never empty unless they exclude every cold-start candidate.
    fn cold_start(&self, q: &Query, k: usize) -> Vec<Rec> {
        let o = &q.options;
        let bounded = o
            .filters
            .features
            .iter()
            .any(|f| f.min.is_some() || f.max.is_some());
        let mut distinct = self.distinct(q);
        let mut scored: Vec<(usize, f32)> = self
            .cold
            .iter()
            .copied()
            .filter(|&(i, _)| !q.dislikes.contains(&i) && self.admissible(i, o, None, bounded))
            .collect();
        scored.sort_by(score::by_score);
        scored.retain(|&(i, _)| distinct.take(i));
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
            .emb
            .iter()
            .zip(&self.inv_norm)
            .enumerate()
            .map(|(i, (e, s))| (i, crate::vector::dot(e, &q) * s))
            .collect();
        keep_best(&mut v, k);
        v
    }
}

/// Every track's embedding, in blocks of tracks (see `DenseEncoder::encode_many`).
fn encode_catalog(
    encoder: &DenseEncoder,
    catalog: &Catalog,
    objective: Objective,
) -> Vec<Embedding> {
    encoder.encode_many(
        catalog
            .features
            .iter()
            .zip(&catalog.tracks)
            .map(|(f, t)| input(f, &t.context(), objective)),
    )
}
