//! A [`Recommender`] built in steps: the per-track work runs a slice of tracks at a time, so the
//! page can yield to the browser between slices while it indexes the catalog the engine worker
//! decoded and encoded. The text part (song and lead-artist keys, the folded search text) needs
//! only the catalog, so it runs while the worker still encodes; the embedding part (inverse lengths
//! and the scan index, unless the worker sent it; the means) once the embeddings arrive
//! ([`Indexer::embed`]).
//! The result is the same as [`Recommender::with_embeddings`] (which runs every step at once).

use super::distinct::{artist_key, song_key_of, Interner};
use super::genres::Genres;
use super::scan::Quantized;
use super::search::SearchIndex;
use super::{LoadError, Recommender};
use crate::catalog::features::N_FEATURES;
use crate::catalog::Catalog;
use crate::model::{Embedding, Weights, EMB};
use crate::vector::{inv_norm, Mean};

/// A recommender under construction; see the module. Invariant: `song`, `artist`, `search`,
/// `genre_of` and `dated` cover the same first tracks; `inv_norm` covers a prefix of `emb`,
/// which (once set) has one row per track, and `quant` at least the same prefix.
pub struct Indexer {
    pub(super) catalog: Catalog,
    pub(super) weights: Option<Weights>,
    pub(super) emb: Vec<Embedding>,
    pub(super) song: Interner,
    pub(super) artist: Interner,
    /// The last track's [`artist_key`].
    artist_key: u64,
    pub(super) search: SearchIndex,
    /// Each track's genre id (an index into `genres`), and whether it is dated (year and
    /// popularity known): built with the text, so finishing is cheap at a million tracks.
    pub(super) genre_of: Vec<u16>,
    pub(super) genres: Genres,
    pub(super) dated: Vec<bool>,
    /// Each embedding's inverse length: a cosine is `dot(emb, ·) · inv_norm`.
    pub(super) inv_norm: Vec<f32>,
    pub(super) quant: Quantized<EMB>,
    pub(super) feature_mean: Mean<N_FEATURES>,
    pub(super) emb_mean: Mean<EMB>,
}

impl Indexer {
    /// Start on a catalog whose embeddings come later ([`embed`](Self::embed)).
    pub fn start(catalog: Catalog) -> Result<Indexer, LoadError> {
        if catalog.is_empty() {
            return Err(LoadError::EmptyCatalog);
        }
        let n = catalog.len();
        Ok(Indexer {
            catalog,
            weights: None,
            emb: Vec::new(),
            song: Interner::with_capacity(n),
            artist: Interner::with_capacity(n / 4),
            artist_key: 0,
            search: SearchIndex::default(),
            genre_of: Vec::with_capacity(n),
            genres: Genres::default(),
            dated: Vec::with_capacity(n),
            inv_norm: Vec::with_capacity(n),
            quant: Quantized::default(),
            feature_mean: Mean::default(),
            emb_mean: Mean::default(),
        })
    }

    /// Check the parts: a non-empty catalog and one embedding per track.
    pub fn new(
        catalog: Catalog,
        weights: Weights,
        emb: Vec<Embedding>,
    ) -> Result<Indexer, LoadError> {
        let mut ix = Indexer::start(catalog)?;
        ix.embed(weights, emb)?;
        Ok(ix)
    }

    /// The weights and the embeddings they gave every track (one row per track).
    pub fn embed(&mut self, weights: Weights, emb: Vec<Embedding>) -> Result<(), LoadError> {
        if emb.len() != self.catalog.len() {
            return Err(LoadError::Embeddings {
                rows: emb.len(),
                tracks: self.catalog.len(),
            });
        }
        self.weights = Some(weights);
        self.emb = emb;
        Ok(())
    }

    /// The scan index built elsewhere (the engine worker builds it beside the embeddings, so
    /// the page does not): one row per track, from these embeddings (given first).
    pub fn scan_index(&mut self, quant: Quantized<EMB>) -> Result<(), LoadError> {
        if quant.len() != self.catalog.len() || self.emb.len() != self.catalog.len() {
            return Err(LoadError::Embeddings {
                rows: quant.len(),
                tracks: self.catalog.len(),
            });
        }
        self.quant = quant;
        Ok(())
    }

    /// Every embedding's inverse length and the embeddings' running mean, computed elsewhere
    /// from these embeddings (given first) by [`inv_norm`] and [`Mean`] in track order, as
    /// [`Indexer::step`] would: the engine worker computes them as it encodes.
    pub fn norms(&mut self, inv_norm: Vec<f32>, emb_mean: Mean<EMB>) -> Result<(), LoadError> {
        if inv_norm.len() != self.catalog.len() || self.emb.len() != self.catalog.len() {
            return Err(LoadError::Embeddings {
                rows: inv_norm.len(),
                tracks: self.catalog.len(),
            });
        }
        self.inv_norm = inv_norm;
        self.emb_mean = emb_mean;
        Ok(())
    }

    /// Tracks indexed so far (text and embeddings), and in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.inv_norm.len(), self.catalog.len())
    }

    /// Index up to `n` more tracks' text; true once every track's is.
    pub fn step_text(&mut self, n: usize) -> bool {
        let from = self.search.len();
        let to = from.saturating_add(n).min(self.catalog.len());
        for i in from..to {
            let t = &self.catalog.tracks[i];
            // tracks come sorted by artist: a run of one artist hashes and interns its name once
            let again = i > 0 && self.catalog.tracks[i - 1].artist == t.artist;
            if !(again && self.artist.push_again()) {
                self.artist_key = artist_key(&t.artist);
                self.artist.push(self.artist_key);
            }
            self.song.push(song_key_of(&t.name, self.artist_key));
            self.search.push(&t.name, &t.artist, t.popularity);
            let genre = match self.genre_of.last() {
                Some(&g) if self.catalog.tracks[i - 1].genre == t.genre => g,
                _ => self.genres.id_of(&t.genre),
            };
            self.genre_of.push(genre);
            self.dated.push(t.is_dated());
        }
        for f in &self.catalog.features[from..to] {
            self.feature_mean.push(f);
        }
        to == self.catalog.len()
    }

    /// Index up to `n` more tracks (their text first, then their embeddings, once given); true
    /// once every track is.
    pub fn step(&mut self, n: usize) -> bool {
        if !self.step_text(n) || self.emb.is_empty() {
            return false;
        }
        let from = self.inv_norm.len();
        let to = from.saturating_add(n).min(self.emb.len());
        if self.quant.is_empty() {
            // the scan's basis from the embeddings, before any row is quantized in it (unless
            // `scan_index` gave the whole index)
            self.quant = Quantized::fitted(&self.emb);
            self.quant.reserve(self.emb.len());
        }
        for e in &self.emb[from..to] {
            self.emb_mean.push(e);
        }
        self.inv_norm
            .extend(self.emb[from..to].iter().map(inv_norm));
        // (a scan index given whole already covers these tracks)
        if self.quant.len() < to {
            self.quant.extend(&self.emb[self.quant.len()..to]);
        }
        to == self.catalog.len()
    }

    /// The recommender (indexing what is left first), or why it cannot be built yet: no
    /// embeddings were given.
    pub fn finish(mut self) -> Result<Recommender, LoadError> {
        let Some(weights) = self.weights.take() else {
            return Err(LoadError::Embeddings {
                rows: 0,
                tracks: self.catalog.len(),
            });
        };
        while !self.step(usize::MAX) {}
        Ok(Recommender::assemble(self, weights))
    }
}
