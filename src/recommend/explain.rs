//! Explanations for a recommendation.
//!
//! * "Because you liked X": the liked track whose embedding is closest (cosine).
//! * Per-feature contributions: for each of the 16 scaled features, how much
//!   closer the track is to the listener's taste profile (mean of the liked
//!   tracks' features) than the average catalog track is. Positive values pull
//!   the track towards you, negative values push it away. Range [-1, 1].

use crate::catalog::features::N_FEATURES;
use crate::vector::cosine;

/// The liked track nearest to `target` in embedding space, with its cosine similarity.
pub fn nearest_liked<const D: usize>(
    target: &[f32; D],
    liked: &[usize],
    emb: &[[f32; D]],
) -> Option<(usize, f32)> {
    liked
        .iter()
        .filter(|&&i| i < emb.len())
        .map(|&i| (i, cosine(target, &emb[i])))
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
}

/// Signed per-feature contributions (see module docs).
pub fn contributions(
    track: &[f32; N_FEATURES],
    profile: &[f32; N_FEATURES],
    catalog_mean: &[f32; N_FEATURES],
) -> [f32; N_FEATURES] {
    let mut out = [0.0; N_FEATURES];
    for i in 0..N_FEATURES {
        out[i] =
            ((catalog_mean[i] - profile[i]).abs() - (track[i] - profile[i]).abs()).clamp(-1.0, 1.0);
    }
    out
}

/// Indices of the `n` largest contributions by magnitude, largest first.
pub fn top_contributions(c: &[f32; N_FEATURES], n: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..N_FEATURES).collect();
    idx.sort_by(|&a, &b| c[b].abs().total_cmp(&c[a].abs()).then(a.cmp(&b)));
    idx.truncate(n);
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_liked_picks_closest() {
        let emb = vec![[1.0, 0.0], [0.0, 1.0], [0.7, 0.7]];
        assert_eq!(nearest_liked(&[0.9, 0.1], &[1, 2], &emb).unwrap().0, 2);
        assert_eq!(nearest_liked(&[0.0, 1.0], &[0, 1], &emb).unwrap().0, 1);
        assert!(nearest_liked(&[0.0, 1.0], &[], &emb).is_none());
        assert!(nearest_liked(&[0.0, 1.0], &[99], &emb).is_none());
    }

    #[test]
    fn contributions_are_signed() {
        let mut profile = [0.5; 16];
        profile[0] = 0.9;
        let mean = [0.5; 16];
        let mut track = [0.5; 16];
        track[0] = 0.85; // close to the liked energy: positive
        track[1] = 0.1; // far from the profile on feature 1: negative
        let c = contributions(&track, &profile, &mean);
        assert!(c[0] > 0.3);
        assert!(c[1] < -0.3);
        assert_eq!(c[2], 0.0);
        assert_eq!(top_contributions(&c, 2), vec![1, 0]);
    }
}
