//! A song path: a playlist that walks from one track to another through the taste space.
//!
//! Between the two tracks' unit embeddings `a` and `b`, step `k` of `n` aims at the point
//! `slerp(a, b, k / (n − 1))` on the great circle joining them. Each inner step is the
//! admissible track with the best `cos(track, aim) + SMOOTH · cos(track, previous step)` (the
//! second term keeps neighbouring steps close to each other). A track is admissible when it is
//! not on the path yet, shares no song key with a track on the path or the destination (no two
//! versions of one song), does not have the previous step's lead artist (nor, for the last inner
//! step, the destination's), and is **at least as close to the destination** as the previous step
//! (cosine to `b` non-decreasing: the path never walks back) but not closer than the next step's
//! aim (so no step overshoots and leaves the next one nowhere to go). Where the catalog is thin (long
//! paths between close tracks: near the destination few tracks are closer still), the ceiling is
//! dropped first, then the floor, for that step only, and [`SongPath::monotone`] says whether
//! the floor held everywhere. On the real catalog it holds for every 10-step path tested. Deterministic: ties go to the lower index.

use super::Recommender;
use crate::model::Embedding;
use crate::vector::{dot, unit};

/// Weight of the closeness to the previous step in a step's score.
pub const SMOOTH: f32 = 0.25;
/// Default number of tracks on a path, both ends included.
pub const DEFAULT_STEPS: usize = 10;
/// The longest path.
pub const MAX_STEPS: usize = 100;

/// Why no path could be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("track index {index} is outside the catalog of {len} tracks")]
    OutOfRange { index: usize, len: usize },
    #[error("a path has between 2 and {MAX_STEPS} tracks, got {0}")]
    Steps(usize),
    #[error("the start and the destination are the same song")]
    SameSong,
    #[error("the start and the destination are by the same artist: a 2-track path would play that artist twice in a row")]
    SameArtistAdjacent,
    #[error("the catalog has no track left for step {step} (every other track is on the path or by the previous artist)")]
    NoTrack { step: usize },
}

/// A path from its first track to its last.
#[derive(Debug, Clone, PartialEq)]
pub struct SongPath {
    /// Catalog indices, the start first and the destination last.
    pub tracks: Vec<usize>,
    /// Whether every step is at least as close to the destination as the one before.
    pub monotone: bool,
}

/// Spherical interpolation between unit vectors (linear, renormalised, when they are parallel).
fn slerp(a: &Embedding, b: &Embedding, t: f32) -> Embedding {
    let c = dot(a, b).clamp(-1.0, 1.0);
    let theta = c.acos();
    let s = theta.sin();
    if s < 1e-4 {
        return unit(&std::array::from_fn(|j| a[j] + t * (b[j] - a[j])));
    }
    let (wa, wb) = (((1.0 - t) * theta).sin() / s, (t * theta).sin() / s);
    unit(&std::array::from_fn(|j| wa * a[j] + wb * b[j]))
}

/// Walk from `from` to `to` in `steps` tracks (both ends included); see the module docs.
pub fn song_path(
    rec: &Recommender,
    from: usize,
    to: usize,
    steps: usize,
) -> Result<SongPath, PathError> {
    let len = rec.len();
    if let Some(&index) = [from, to].iter().find(|&&i| i >= len) {
        return Err(PathError::OutOfRange { index, len });
    }
    if !(2..=MAX_STEPS).contains(&steps) {
        return Err(PathError::Steps(steps));
    }
    let (song, artist) = (rec.song_keys(), rec.artist_keys());
    if song[from] == song[to] {
        return Err(PathError::SameSong);
    }
    if steps == 2 && artist[from] == artist[to] {
        return Err(PathError::SameArtistAdjacent);
    }
    let units: Vec<Embedding> = rec.embeddings().iter().map(unit).collect();
    let (a, b) = (units[from], units[to]);
    let mut used_song = vec![song[from], song[to]];
    let mut tracks = vec![from];
    let mut monotone = true;
    for k in 1..steps - 1 {
        let aim = slerp(&a, &b, k as f32 / (steps - 1) as f32);
        let prev = *tracks.last().expect("starts with `from`");
        let prev_u = units[prev];
        let floor = dot(&prev_u, &b);
        // not past the next step's aim, so the next step still has room to move on
        let ceil = dot(&slerp(&a, &b, (k + 1) as f32 / (steps - 1) as f32), &b).max(floor);
        let last = k == steps - 2;
        // `lo..=hi`: the allowed cosines to the destination
        let best = |lo: f32, hi: f32| -> Option<usize> {
            let mut best: Option<(usize, f32)> = None;
            for (i, u) in units.iter().enumerate() {
                if used_song.contains(&song[i])
                    || artist[i] == artist[prev]
                    || (last && artist[i] == artist[to])
                    || !(lo..=hi).contains(&dot(u, &b))
                {
                    continue;
                }
                let s = dot(u, &aim) + SMOOTH * dot(u, &prev_u);
                if best.is_none_or(|(_, bs)| s > bs) {
                    best = Some((i, s));
                }
            }
            best.map(|(i, _)| i)
        };
        // the full rule, then without the ceiling, then without the floor (not monotone)
        let pick = match best(floor, ceil).or_else(|| best(floor, f32::INFINITY)) {
            Some(i) => i,
            None => {
                monotone = false;
                best(f32::NEG_INFINITY, f32::INFINITY).ok_or(PathError::NoTrack { step: k + 1 })?
            }
        };
        used_song.push(song[pick]);
        tracks.push(pick);
    }
    tracks.push(to);
    Ok(SongPath { tracks, monotone })
}

/// Cosine of each track on `path` to its last track (what [`SongPath::monotone`] is about).
pub fn progress(rec: &Recommender, path: &[usize]) -> Vec<f32> {
    let Some(&to) = path.last() else {
        return Vec::new();
    };
    let emb = rec.embeddings();
    let b = unit(&emb[to]);
    path.iter().map(|&i| dot(&unit(&emb[i]), &b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slerp_ends_and_middle() {
        let a: Embedding = std::array::from_fn(|j| if j == 0 { 1.0 } else { 0.0 });
        let b: Embedding = std::array::from_fn(|j| if j == 1 { 1.0 } else { 0.0 });
        let m = slerp(&a, &b, 0.5);
        assert!((m[0] - m[1]).abs() < 1e-6 && (m[0] - 0.5f32.sqrt()).abs() < 1e-5);
        assert!((slerp(&a, &b, 0.0)[0] - 1.0).abs() < 1e-6);
        assert!((slerp(&a, &b, 1.0)[1] - 1.0).abs() < 1e-6);
        assert!((slerp(&a, &a, 0.3)[0] - 1.0).abs() < 1e-6);
    }
}
