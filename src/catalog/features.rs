//! The 16 features: the 9 Spotify audio features, the paper's 7 engineered ones, and the
//! min-max scaler that maps all of them to [0, 1].
//!
//! Invariant: every engineered feature is computed from the *scaled* base features (each in
//! [0, 1]) by [`engineer`], and the same [`Scaler`] scales the catalog and every new track.

use serde::{Deserialize, Serialize};

/// Number of base (Spotify) audio features.
pub const N_BASE: usize = 9;
/// Number of engineered features.
pub const N_ENGINEERED: usize = 7;
/// Total features per track.
pub const N_FEATURES: usize = N_BASE + N_ENGINEERED;

/// Base features in natural units (loudness in dB, tempo in BPM, the rest in [0, 1]).
pub type RawFeatures = [f32; N_BASE];
/// All 16 features, each min-max scaled to [0, 1], in [`FEATURE_NAMES`] order.
pub type Features = [f32; N_FEATURES];

/// The 9 Spotify audio features, in storage order.
pub const BASE_FEATURES: [&str; N_BASE] = [
    "danceability",
    "energy",
    "loudness",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
];

/// The paper's 7 engineered features.
pub const ENGINEERED_FEATURES: [&str; N_ENGINEERED] = [
    "energy_loudness",
    "dance_valence",
    "acoustic_instrumental",
    "electronic_score",
    "vocal_score",
    "mood_score",
    "dance_intensity",
];

/// All 16 feature names: base first, then engineered.
pub const FEATURE_NAMES: [&str; N_FEATURES] = {
    let mut out = [""; N_FEATURES];
    let mut i = 0;
    while i < N_BASE {
        out[i] = BASE_FEATURES[i];
        i += 1;
    }
    let mut k = 0;
    while k < N_ENGINEERED {
        out[N_BASE + k] = ENGINEERED_FEATURES[k];
        k += 1;
    }
    out
};

/// Index of each base feature.
pub mod idx {
    pub const DANCEABILITY: usize = 0;
    pub const ENERGY: usize = 1;
    pub const LOUDNESS: usize = 2;
    pub const SPEECHINESS: usize = 3;
    pub const ACOUSTICNESS: usize = 4;
    pub const INSTRUMENTALNESS: usize = 5;
    pub const LIVENESS: usize = 6;
    pub const VALENCE: usize = 7;
    pub const TEMPO: usize = 8;
}

/// Valid range of each raw base feature; values outside are outliers and the row is dropped.
/// Tempo 0 BPM means Spotify could not detect a beat, so it is an outlier too (see ingest).
pub const RAW_RANGES: [(f32, f32); N_BASE] = [
    (0.0, 1.0),
    (0.0, 1.0),
    (-60.0, 5.0),
    (0.0, 1.0),
    (0.0, 1.0),
    (0.0, 1.0),
    (0.0, 1.0),
    (0.0, 1.0),
    (0.0, 300.0),
];

/// The 7 engineered features from the scaled base features `b` (each in [0, 1]).
///
/// | feature | formula | listening intuition |
/// |---|---|---|
/// | energy_loudness | energy · loudness | a "wall of sound": intense *and* mastered loud (metal, EDM drops) |
/// | dance_valence | danceability · valence | a happy groove: feel-good party music (disco, funk, latin pop) |
/// | acoustic_instrumental | acousticness · instrumentalness | unplugged and wordless (classical, solo piano, ambient folk) |
/// | electronic_score | energy · (1 − acousticness) | energetic and synthetic rather than played on acoustic instruments (EDM, synth-pop) |
/// | vocal_score | (speechiness + (1 − instrumentalness)) / 2 | how much of the track is a voice (rap, spoken word, ballads) |
/// | mood_score | (valence + energy) / 2 | Thayer's mood plane folded to one axis: upbeat vs. melancholy |
/// | dance_intensity | danceability · tempo | fast *and* danceable: club tempo rather than slow grooves |
pub fn engineer(b: &[f32; N_BASE]) -> [f32; N_ENGINEERED] {
    use idx::*;
    [
        b[ENERGY] * b[LOUDNESS],
        b[DANCEABILITY] * b[VALENCE],
        b[ACOUSTICNESS] * b[INSTRUMENTALNESS],
        b[ENERGY] * (1.0 - b[ACOUSTICNESS]),
        (b[SPEECHINESS] + (1.0 - b[INSTRUMENTALNESS])) / 2.0,
        (b[VALENCE] + b[ENERGY]) / 2.0,
        b[DANCEABILITY] * b[TEMPO],
    ]
}

/// Per-feature minimum and maximum for all 16 features. Base features are scaled from their raw
/// units; engineered features are computed from scaled base features, then scaled again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scaler {
    pub min: [f32; N_FEATURES],
    pub max: [f32; N_FEATURES],
}

fn unit(x: f32, lo: f32, hi: f32) -> f32 {
    if hi > lo {
        ((x - lo) / (hi - lo)).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

impl Scaler {
    /// Scale the 9 raw base features to [0, 1] (clamped: a new track outside the catalog's range
    /// lands on the edge).
    pub fn scale_base(&self, raw: &RawFeatures) -> [f32; N_BASE] {
        std::array::from_fn(|i| unit(raw[i], self.min[i], self.max[i]))
    }

    /// All 16 scaled features from already-scaled base features.
    pub fn complete(&self, base: &[f32; N_BASE]) -> Features {
        let eng = engineer(base);
        let mut out = [0.0; N_FEATURES];
        out[..N_BASE].copy_from_slice(base);
        for (k, e) in eng.iter().enumerate() {
            let j = N_BASE + k;
            out[j] = unit(*e, self.min[j], self.max[j]);
        }
        out
    }

    /// All 16 scaled features of a raw track, exactly as the catalog scales its own tracks
    /// (apart from the catalog's 8-bit quantization of the base features).
    pub fn scale(&self, raw: &RawFeatures) -> Features {
        self.complete(&self.scale_base(raw))
    }

    /// Fit the base part on raw features and the engineered part on `engineer` of the given
    /// scaled base features (`scaled_base` must come from the same base min/max).
    pub fn fit_base(raws: &[RawFeatures]) -> ([f32; N_BASE], [f32; N_BASE]) {
        let mut lo = [f32::INFINITY; N_BASE];
        let mut hi = [f32::NEG_INFINITY; N_BASE];
        for r in raws {
            for i in 0..N_BASE {
                lo[i] = lo[i].min(r[i]);
                hi[i] = hi[i].max(r[i]);
            }
        }
        (lo, hi)
    }

    /// Build a scaler from fitted base ranges and the scaled base features of every track.
    pub fn from_base_ranges(
        base_min: [f32; N_BASE],
        base_max: [f32; N_BASE],
        scaled_base: &[[f32; N_BASE]],
    ) -> Scaler {
        let mut min = [0.0; N_FEATURES];
        let mut max = [1.0; N_FEATURES];
        min[..N_BASE].copy_from_slice(&base_min);
        max[..N_BASE].copy_from_slice(&base_max);
        let mut elo = [f32::INFINITY; N_ENGINEERED];
        let mut ehi = [f32::NEG_INFINITY; N_ENGINEERED];
        for b in scaled_base {
            let e = engineer(b);
            for k in 0..N_ENGINEERED {
                elo[k] = elo[k].min(e[k]);
                ehi[k] = ehi[k].max(e[k]);
            }
        }
        for k in 0..N_ENGINEERED {
            if elo[k].is_finite() {
                min[N_BASE + k] = elo[k];
                max[N_BASE + k] = ehi[k];
            }
        }
        Scaler { min, max }
    }

    /// Check the scaler is usable (finite, min ≤ max): used when decoding a catalog.
    pub fn is_valid(&self) -> bool {
        self.min
            .iter()
            .zip(&self.max)
            .all(|(a, b)| a.is_finite() && b.is_finite() && a <= b)
    }
}

/// Quantize a [0, 1] value to a byte (round to nearest: error ≤ 1/510).
pub fn quantize(x: f32) -> u8 {
    (x.clamp(0.0, 1.0) * 255.0).round() as u8
}

/// The inverse of [`quantize`].
pub fn dequantize(q: u8) -> f32 {
    q as f32 / 255.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_names_are_base_then_engineered() {
        assert_eq!(FEATURE_NAMES[0], "danceability");
        assert_eq!(FEATURE_NAMES[N_BASE - 1], "tempo");
        assert_eq!(FEATURE_NAMES[N_BASE], "energy_loudness");
        assert_eq!(FEATURE_NAMES[N_FEATURES - 1], "dance_intensity");
        assert!(FEATURE_NAMES.iter().all(|n| !n.is_empty()));
    }

    #[test]
    fn engineered_features_stay_in_unit_range() {
        for q in [0u8, 1, 77, 128, 254, 255] {
            let b = [dequantize(q); N_BASE];
            for e in engineer(&b) {
                assert!((0.0..=1.0).contains(&e), "{e}");
            }
        }
    }

    #[test]
    fn scaler_maps_extremes_to_unit_interval_and_clamps() {
        let raws = vec![
            [0.1, 0.2, -30.0, 0.0, 0.5, 0.0, 0.1, 0.3, 60.0],
            [0.9, 1.0, -2.0, 0.5, 0.9, 0.8, 0.9, 0.9, 200.0],
        ];
        let (lo, hi) = Scaler::fit_base(&raws);
        let sb: Vec<[f32; N_BASE]> = raws
            .iter()
            .map(|r| std::array::from_fn(|i| unit(r[i], lo[i], hi[i])))
            .collect();
        let s = Scaler::from_base_ranges(lo, hi, &sb);
        let a = s.scale(&raws[0]);
        let b = s.scale(&raws[1]);
        assert_eq!(&a[..N_BASE], &[0.0; N_BASE]);
        assert_eq!(&b[..N_BASE], &[1.0; N_BASE]);
        let out = s.scale(&[2.0, -1.0, 10.0, 0.0, 0.0, 0.0, 0.0, 0.0, 500.0]);
        assert!(out.iter().all(|x| (0.0..=1.0).contains(x)));
        assert!(s.is_valid());
    }

    #[test]
    fn quantization_error_is_at_most_half_a_step() {
        for i in 0..=1000 {
            let x = i as f32 / 1000.0;
            assert!((dequantize(quantize(x)) - x).abs() <= 0.5 / 255.0 + 1e-7);
        }
    }
}
