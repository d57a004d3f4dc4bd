//! What a fine-tune learned, per feature: which features the tuned head now favours, or holds
//! against, compared with the shipped head.
//!
//! Both heads score the same tracks (with the listener's profile); each head's scores are
//! z-scored over those tracks, and a track's **rise** is its tuned z-score minus its shipped one
//! (so a head that only grew more or less confident overall shows nothing). The shift of a
//! feature is the Pearson correlation, over the tracks, between the feature and the rise: above 0,
//! tracks with more of the feature moved up under the tuned head; below 0, they moved down. Plain
//! f32 inference (`dense`), the same natively and in wasm.

use super::{DenseHead, Embedding, Head};
use crate::catalog::features::{Features, N_FEATURES};

/// Per feature, the correlation over the tracks (`features[i]`, `embeddings[i]`) between the
/// feature and the track's rise (see the module docs); in [-1, 1], all 0 for identical heads or
/// fewer than two tracks.
pub fn feature_shift(
    features: &[Features],
    embeddings: &[Embedding],
    shipped: &Head,
    tuned: &Head,
    profile: Option<&Embedding>,
) -> [f32; N_FEATURES] {
    let z = |h: &Head| {
        let d = DenseHead::new(h, profile);
        let mut v: Vec<f64> = embeddings.iter().map(|e| f64::from(d.score(e))).collect();
        standardise(&mut v);
        v
    };
    let (zs, zt) = (z(shipped), z(tuned));
    let mut rise: Vec<f64> = zt.iter().zip(&zs).map(|(t, s)| t - s).collect();
    standardise(&mut rise);
    let n = rise.len().max(1) as f64;
    std::array::from_fn(|k| {
        let mut col: Vec<f64> = features.iter().map(|f| f64::from(f[k])).collect();
        standardise(&mut col);
        (col.iter().zip(&rise).map(|(a, b)| a * b).sum::<f64>() / n) as f32
    })
}

/// In place to mean 0 and standard deviation 1 (all zeros when constant or not finite).
fn standardise(v: &mut [f64]) {
    let n = v.len().max(1) as f64;
    let m = v.iter().sum::<f64>() / n;
    let sd = (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n).sqrt();
    for x in v.iter_mut() {
        *x = if sd > 1e-12 && sd.is_finite() {
            (*x - m) / sd
        } else {
            0.0
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{cpu, HeadInput};

    #[test]
    fn the_same_head_learned_nothing() {
        let h = Head::new(HeadInput::Embedding, &cpu());
        let f: Vec<Features> = (0..5).map(|i| [i as f32 / 5.0; N_FEATURES]).collect();
        let e: Vec<Embedding> = (0..5).map(|i| [i as f32 - 2.0; 32]).collect();
        assert_eq!(feature_shift(&f, &e, &h, &h, None), [0.0; N_FEATURES]);
        assert_eq!(feature_shift(&[], &[], &h, &h, None), [0.0; N_FEATURES]);
        let other = Head::new(HeadInput::Embedding, &cpu());
        let s = feature_shift(&f, &e, &h, &other, None);
        assert!(s.iter().all(|v| (-1.0001..=1.0001).contains(v)), "{s:?}");
    }
}
