//! Synthetic benchmark catalogs: any number of tracks resampled from a real catalog's features
//! with small noise, for measuring the page and the engine at sizes no real file here has
//! (a million tracks). A synthetic catalog carries [`Synthetic`] so it is never taken for real
//! data: the file stores it (`SYNT` section) and the page shows a notice.

use serde::{Deserialize, Serialize};

use super::features::{dequantize, quantize, N_BASE};
use super::{Catalog, Track};
use crate::rng::Rng64;

/// How a synthetic catalog was made. Its presence is what marks a catalog as synthetic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Synthetic {
    /// Tracks of the real catalog the features were resampled from.
    pub source_tracks: u32,
    pub seed: u64,
}

/// Ids of synthetic tracks start with this (22 base62 characters in all), so no real Spotify id
/// (random base62) is mistaken for one in practice and they read as synthetic wherever shown.
pub const ID_PREFIX: &str = "0synthetic";
/// Most tracks [`synthesize`] makes: ten times the benchmark's million, far beyond what a browser
/// holds (the ids would allow 10^12).
pub const MAX_TRACKS: usize = 10_000_000;
/// Noise added to each scaled base feature, as a fraction of its [0, 1] range (uniform ±).
const NOISE: f32 = 0.02;
/// Synthetic artists: each gets this many tracks on average (reused names of the source).
const TRACKS_PER_ARTIST: usize = 12;

/// Why a synthetic catalog could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SynthError {
    #[error("the source catalog is empty: it needs at least one track to resample")]
    EmptySource,
    #[error("{asked} tracks asked for; between 1 and {MAX_TRACKS} are possible")]
    BadCount { asked: usize },
}

/// The id of synthetic track `i`: "0synthetic000000000123" for 123.
pub fn synthetic_id(i: usize) -> String {
    format!("{ID_PREFIX}{i:012}")
}

/// `n` tracks whose base features are those of random `source` tracks plus uniform noise of
/// ±[`NOISE`], re-quantized like a real catalog; the engineered features are derived with the
/// source's scaler. Titles are "Synthetic 000123"; artists are source artists' names reused in
/// runs, so per-artist caps and search behave as on real data. Deterministic for a given seed.
pub fn synthesize(source: &Catalog, n: usize, seed: u64) -> Result<Catalog, SynthError> {
    if source.is_empty() {
        return Err(SynthError::EmptySource);
    }
    if n == 0 || n > MAX_TRACKS {
        return Err(SynthError::BadCount { asked: n });
    }
    let mut rng = Rng64::new(seed);
    let mut tracks = Vec::with_capacity(n);
    let mut features = Vec::with_capacity(n);
    let mut artist: std::sync::Arc<str> = Default::default();
    for i in 0..n {
        let s = rng.below(source.len());
        // a new artist run every TRACKS_PER_ARTIST tracks on average; tracks stay grouped by artist
        if i == 0 || rng.below(TRACKS_PER_ARTIST) == 0 {
            artist = source.tracks[rng.below(source.len())].artist.clone();
        }
        let real = &source.tracks[s];
        tracks.push(Track {
            id: synthetic_id(i),
            name: format!("Synthetic {i:06}"),
            artist: artist.clone(),
            year: real.year,
            year_approx: real.year_approx,
            popularity: real.popularity,
            genre: real.genre.clone(),
        });
        let f = &source.features[s];
        let base: [f32; N_BASE] = std::array::from_fn(|j| {
            let noisy = f[j] + (rng.next_f32() * 2.0 - 1.0) * NOISE;
            dequantize(quantize(noisy.clamp(0.0, 1.0)))
        });
        features.push(source.scaler.complete(&base));
    }
    let mut cat = Catalog::new(tracks, features, source.scaler.clone());
    cat.set_synthetic(Synthetic {
        source_tracks: u32::try_from(source.len()).unwrap_or(u32::MAX),
        seed,
    });
    Ok(cat)
}

/// Whether an id is one [`synthetic_id`] makes.
pub fn is_synthetic_id(id: &str) -> bool {
    id.len() == 22 && id.starts_with(ID_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_base62_and_marked() {
        for i in [0, 123, MAX_TRACKS, 999_999_999_999] {
            let id = synthetic_id(i);
            assert_eq!(id.len(), 22, "{id}");
            assert!(super::super::format::id_to_u128(&id).is_some(), "{id}");
            assert!(is_synthetic_id(&id));
        }
        assert_eq!(synthetic_id(123), "0synthetic000000000123");
    }
}
