//! The track catalog: every track's metadata and its 16 scaled features, plus the scaler.
//!
//! `features`, `format` and `ingest`'s header and row parsing compile for wasm32 (the page imports
//! CSVs with them); building from files and `interactions` are native only.

pub mod analysis;
pub mod features;
pub mod format;
mod id_index;
pub mod ingest;
#[cfg(not(target_arch = "wasm32"))]
pub mod interactions;
pub mod synth;

use features::{dequantize, quantize, Features, RawFeatures, Scaler, N_BASE};
pub use format::{EncodeError, FormatError};

/// One track's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Track {
    /// 22-character base62 Spotify track id.
    pub id: String,
    pub name: String,
    /// Artist(s), joined with ", " when a source lists several.
    pub artist: std::sync::Arc<str>,
    pub year: Option<u16>,
    /// `year` is the middle of a decade, not a release date (the Hit Predictor files are one
    /// per decade). Always false when `year` is `None`.
    pub year_approx: bool,
    /// Spotify popularity 0–100, where the source gives it.
    pub popularity: Option<u8>,
    /// Majority playlist genre (TidyTuesday), empty where unknown.
    pub genre: std::sync::Arc<str>,
}

impl Track {
    /// "2008", or "1960s" when only the decade is known; `None` when unknown.
    pub fn year_label(&self) -> Option<String> {
        self.year.map(|y| {
            if self.year_approx {
                format!("{}s", y / 10 * 10)
            } else {
                y.to_string()
            }
        })
    }

    /// Whether the track has both a release year and a popularity (only TidyTuesday tracks do:
    /// the "dated" candidate set of `eval` and the options' dated-only switch).
    pub fn is_dated(&self) -> bool {
        self.year.is_some() && self.popularity.is_some()
    }

    /// Its era and popularity, as the encoder reads them.
    pub fn context(&self) -> Context {
        Context {
            year: self.year,
            year_approx: self.year_approx && self.year.is_some(),
            popularity: self.popularity,
        }
    }
}

/// What a track carries besides its audio features: release year (exact or a decade's middle)
/// and popularity, each possibly unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Context {
    pub year: Option<u16>,
    pub year_approx: bool,
    pub popularity: Option<u8>,
}

/// A track as read from a CSV: metadata plus its raw base features.
#[derive(Debug, Clone, PartialEq)]
pub struct RawTrack {
    pub track: Track,
    pub raw: RawFeatures,
}

pub(crate) use id_index::IdIndex;

/// The catalog the page and the CLI work on.
///
/// Invariants: `tracks.len() == features.len()`; every feature is in [0, 1]; the base features
/// are multiples of 1/255 (they are stored as bytes) and the engineered ones are derived from
/// them by `scaler.complete`, so a catalog read back from its bytes is identical to the one
/// written.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub tracks: Vec<Track>,
    pub features: Vec<Features>,
    pub scaler: Scaler,
    index: IdIndex,
    /// `Some` for a synthetic benchmark catalog (see [`synth`]); never cleared once set, so a
    /// synthetic catalog cannot pass for real data.
    synthetic: Option<synth::Synthetic>,
}

impl PartialEq for Catalog {
    fn eq(&self, other: &Self) -> bool {
        self.tracks == other.tracks
            && self.features == other.features
            && self.scaler == other.scaler
            && self.synthetic == other.synthetic
    }
}

impl Catalog {
    /// Build a catalog from cleaned raw tracks: fit the scaler, quantize the scaled base features
    /// to bytes and derive the engineered features from the quantized values. Tracks are sorted by
    /// artist and title (which also makes the file compress better).
    pub fn from_raw(mut raws: Vec<RawTrack>) -> Catalog {
        raws.sort_by(|a, b| {
            (
                a.track.artist.to_lowercase(),
                a.track.name.to_lowercase(),
                &a.track.id,
            )
                .cmp(&(
                    b.track.artist.to_lowercase(),
                    b.track.name.to_lowercase(),
                    &b.track.id,
                ))
        });
        let raw_feats: Vec<RawFeatures> = raws.iter().map(|r| r.raw).collect();
        let (lo, hi) = Scaler::fit_base(&raw_feats);
        let provisional = Scaler::from_base_ranges(lo, hi, &[]);
        let quantized: Vec<[f32; N_BASE]> = raw_feats
            .iter()
            .map(|r| provisional.scale_base(r).map(|x| dequantize(quantize(x))))
            .collect();
        let scaler = Scaler::from_base_ranges(lo, hi, &quantized);
        let features = quantized.iter().map(|b| scaler.complete(b)).collect();
        Catalog::new(
            raws.into_iter().map(|r| r.track).collect(),
            features,
            scaler,
        )
    }

    /// Assemble a catalog from its parts.
    pub fn new(tracks: Vec<Track>, features: Vec<Features>, scaler: Scaler) -> Catalog {
        let mut index = IdIndex::with_capacity(tracks.len());
        for i in 0..tracks.len() {
            index.insert(&tracks, i);
        }
        Catalog::with_index(tracks, features, scaler, index)
    }

    /// Assemble a catalog whose id index was built alongside (the decoder builds it a slice
    /// at a time). `index` must map each track's id to its (last) index, as `new` does.
    pub(crate) fn with_index(
        tracks: Vec<Track>,
        features: Vec<Features>,
        scaler: Scaler,
        index: IdIndex,
    ) -> Catalog {
        Catalog {
            tracks,
            features,
            scaler,
            index,
            synthetic: None,
        }
    }

    /// How this catalog was synthesized, or `None` for real data.
    pub fn synthetic(&self) -> Option<&synth::Synthetic> {
        self.synthetic.as_ref()
    }

    /// Mark as a synthetic benchmark catalog (the generator and the decoder do this).
    pub(crate) fn set_synthetic(&mut self, s: synth::Synthetic) {
        self.synthetic = Some(s);
    }

    pub fn len(&self) -> usize {
        self.tracks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tracks.is_empty()
    }

    /// Append a track scaled elsewhere with this catalog's scaler (the listener's own, added on
    /// the device). Returns its index, or `None` when the id is already in the catalog.
    pub fn push(&mut self, track: Track, features: Features) -> Option<usize> {
        if self.index.get(&self.tracks, &track.id).is_some() {
            return None;
        }
        let i = self.tracks.len();
        self.tracks.push(track);
        self.features.push(features);
        self.index.insert(&self.tracks, i);
        Some(i)
    }

    /// Keep the first `n` tracks (takes the listener's added tracks out again).
    pub fn truncate(&mut self, n: usize) {
        for i in n..self.tracks.len() {
            self.index.remove(&self.tracks, i);
        }
        self.tracks.truncate(n);
        self.features.truncate(n);
    }

    /// Position of a track by its Spotify id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.index.get(&self.tracks, id)
    }

    /// Decode a catalog file (see [`format`]; natively: the page inflates in the browser). Never
    /// panics.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_bytes(bytes: &[u8]) -> Result<Catalog, FormatError> {
        format::decode(bytes)
    }

    /// Encode to the catalog file format (fails on more than [`format::MAX_GENRES`] genres).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn to_bytes(&self) -> Result<Vec<u8>, format::EncodeError> {
        format::encode(self)
    }
}

/// Where the Spotify CSVs live: `$SOUNDALIKE_DATA`, else the first `shared/data` found next to
/// the crate or one of its parent directories (the layout is `<workspace>/<checkout>` beside
/// `<workspace>/shared/data`), else `/work/shared/data`.
#[cfg(not(target_arch = "wasm32"))]
pub fn default_data_dir() -> std::path::PathBuf {
    use std::path::{Path, PathBuf};
    if let Some(p) = std::env::var_os("SOUNDALIKE_DATA").filter(|p| !p.is_empty()) {
        return p.into();
    }
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    for start in [crate_dir, cwd.as_path()] {
        for dir in start.ancestors() {
            let candidate = dir.join("shared/data");
            if candidate.is_dir() {
                return candidate;
            }
        }
    }
    PathBuf::from("/work/shared/data")
}
