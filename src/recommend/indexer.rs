//! A [`Recommender`] built in steps over embeddings computed elsewhere: the per-track work (song
//! and lead-artist keys, the folded search text) runs a slice of tracks at a time, so the page can
//! yield to the browser between slices while it indexes the catalog the engine worker encoded.
//! The result is the same as [`Recommender::with_embeddings`] (which runs every step at once).

use super::distinct::{artist_key, song_key};
use super::search::SearchIndex;
use super::{LoadError, Recommender};
use crate::catalog::Catalog;
use crate::model::{Embedding, Weights};

/// A recommender under construction; see the module.
pub struct Indexer {
    catalog: Catalog,
    weights: Weights,
    emb: Vec<Embedding>,
    song: Vec<u64>,
    artist: Vec<u64>,
    search: SearchIndex,
}

impl Indexer {
    /// Check the parts: a non-empty catalog and one embedding per track.
    pub fn new(
        catalog: Catalog,
        weights: Weights,
        emb: Vec<Embedding>,
    ) -> Result<Indexer, LoadError> {
        if catalog.is_empty() {
            return Err(LoadError::EmptyCatalog);
        }
        if emb.len() != catalog.len() {
            return Err(LoadError::Embeddings {
                rows: emb.len(),
                tracks: catalog.len(),
            });
        }
        let n = catalog.len();
        Ok(Indexer {
            catalog,
            weights,
            emb,
            song: Vec::with_capacity(n),
            artist: Vec::with_capacity(n),
            search: SearchIndex::default(),
        })
    }

    /// Tracks indexed so far, and in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.song.len(), self.catalog.len())
    }

    /// Index up to `n` more tracks; true once every track is.
    pub fn step(&mut self, n: usize) -> bool {
        let from = self.song.len();
        let to = from.saturating_add(n).min(self.catalog.len());
        for t in &self.catalog.tracks[from..to] {
            self.song.push(song_key(&t.name, &t.artist));
            self.artist.push(artist_key(&t.artist));
            self.search.push(&t.name, &t.artist, t.popularity);
        }
        to == self.catalog.len()
    }

    /// The recommender (indexing what is left first).
    pub fn finish(mut self) -> Recommender {
        while !self.step(usize::MAX) {}
        Recommender::assemble(
            self.catalog,
            self.weights,
            self.emb,
            self.song,
            self.artist,
            self.search,
        )
    }
}
