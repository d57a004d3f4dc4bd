//! The listener's own tracks in the recommender: tracks from dropped CSVs that the catalog lacks,
//! scaled with the catalog's stored scaler (the same `Scaler::scale` as `place` and the page's
//! new-track form), encoded, and from then on searchable, likeable and recommendable like any
//! other. They are appended, so the indices of catalog tracks (and the likes that hold them)
//! never move, and "yours" is the tail of the catalog from the first added track.

use std::ops::Range;

use super::*;
use crate::catalog::RawTrack;

impl Recommender {
    /// A recommender over the listener's tracks alone (the host serves no catalog, or the
    /// listener chose "use only my music"): the scaler is fitted on them by
    /// [`Catalog::from_raw`], exactly as `catalog build` fits it, and every track is theirs.
    pub fn from_own_tracks(
        raws: Vec<RawTrack>,
        weights: Weights,
    ) -> Result<Recommender, LoadError> {
        let mut r = Recommender::new(Catalog::from_raw(raws), weights)?;
        r.yours_from = Some(0);
        Ok(r)
    }

    /// Add tracks the catalog lacks; tracks whose id it already has are skipped. Returns the
    /// indices of the added tracks, in order.
    pub fn add_tracks(&mut self, raws: &[RawTrack]) -> Vec<usize> {
        let first = self.len();
        let mut added = Vec::new();
        for r in raws {
            let f = self.catalog.scaler.scale(&r.raw);
            if let Some(i) = self.catalog.push(r.track.clone(), f) {
                added.push(i);
            }
        }
        if added.is_empty() {
            return added;
        }
        self.yours_from.get_or_insert(first);
        self.reindex(first);
        added
    }

    /// Take the listener's tracks out again (the catalog's own stay, with the same indices).
    pub fn forget_yours(&mut self) {
        let Some(from) = self.yours_from else {
            return;
        };
        if from == 0 {
            // a catalog made only of the listener's tracks has nothing to fall back to
            return;
        }
        self.catalog.truncate(from);
        self.yours_from = None;
        self.reindex(from);
    }

    /// Whether track `i` is one the listener added.
    pub fn is_yours(&self, i: usize) -> bool {
        self.yours().contains(&i)
    }

    /// The indices of the listener's tracks (empty when none).
    pub fn yours(&self) -> Range<usize> {
        self.yours_from.map_or(0..0, |f| f..self.len())
    }

    /// Bring every per-track index in line with the catalog after tracks from `changed` on were
    /// added or removed: embeddings are computed for new tracks only; the keys, genres, search
    /// index, means and the cold-start list are rebuilt (a few ms for the whole catalog).
    fn reindex(&mut self, changed: usize) {
        let n = self.len();
        self.emb.truncate(changed.min(n));
        self.inv_norm.truncate(changed.min(n));
        self.quant.truncate(changed.min(n));
        for i in self.emb.len()..n {
            let e = self.encode(&self.catalog.features[i], &self.catalog.tracks[i].context());
            self.inv_norm.push(inv_norm(&e));
            self.emb.push(e);
        }
        let quantized = self.quant.len();
        self.quant.extend(&self.emb[quantized..]);
        let tracks = &self.catalog.tracks;
        let (song, songs) = intern(tracks.iter().map(|t| song_key(&t.name, &t.artist)));
        let (artist, artist_ids) = intern(tracks.iter().map(|t| artist_key(&t.artist)));
        self.song = song;
        self.n_songs = songs.len();
        self.artist = artist;
        self.artist_ids = artist_ids;
        self.genre_of.truncate(changed.min(n));
        for t in &tracks[self.genre_of.len()..] {
            self.genre_of.push(self.genres.id_of(&t.genre));
        }
        self.dated = tracks.iter().map(|t| t.is_dated()).collect();
        self.search = SearchIndex::new(
            tracks
                .iter()
                .map(|t| (t.name.as_str(), &*t.artist, t.popularity)),
        );
        self.catalog_mean = mean_all(self.catalog.features.iter().copied());
        self.mean_emb = mean_all(self.emb.iter().copied());
        self.refresh_cold_start();
    }
}
