//! The listener's taste as several interests, not one mean vector.
//!
//! A mixed taste (acoustic pop and drum and bass) has a mean that sits between its parts, near
//! neither. [`Taste`] keeps the likes themselves (unit vectors; when there are more than
//! [`MAX_INTERESTS`], the centres of a small k-means over them) and scores a track by the mean of
//! its [`TOP_M`] best cosines to them, so each interest pulls in its own neighbours.

use crate::vector::{dot, unit};

/// At most this many interests (a k-means over the likes beyond it): scoring costs one dot
/// product per interest per track.
pub const MAX_INTERESTS: usize = 32;
/// A track's score is the mean of its best this-many cosines to the interests.
pub const TOP_M: usize = 3;
/// Lloyd iterations of the k-means.
const ITERATIONS: usize = 8;

/// How the likes become one score per track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// Cosine to the mean of the likes (the paper's profile).
    Centroid,
    /// Mean of the best `TOP_M` cosines to the likes (or their k-means centres).
    #[default]
    MultiInterest,
}

/// A scoring profile built from liked (and disliked) embeddings.
#[derive(Debug, Clone)]
pub struct Taste<const D: usize> {
    interests: Vec<[f32; D]>,
    dislikes: Vec<[f32; D]>,
    top_m: usize,
    dislike_weight: f32,
}

impl<const D: usize> Taste<D> {
    /// `None` when there are no likes.
    pub fn new(
        likes: &[[f32; D]],
        dislikes: &[[f32; D]],
        profile: Profile,
        dislike_weight: f32,
    ) -> Option<Taste<D>> {
        if likes.is_empty() {
            return None;
        }
        let interests = match profile {
            Profile::Centroid => vec![unit(&crate::vector::mean_all(likes.iter().copied()))],
            Profile::MultiInterest => {
                let u: Vec<[f32; D]> = likes.iter().map(unit).collect();
                if u.len() > MAX_INTERESTS {
                    kmeans(&u, MAX_INTERESTS)
                } else {
                    u
                }
            }
        };
        let dislikes: Vec<[f32; D]> = match profile {
            Profile::Centroid if !dislikes.is_empty() => {
                vec![unit(&crate::vector::mean_all(dislikes.iter().copied()))]
            }
            _ => dislikes.iter().take(MAX_INTERESTS).map(unit).collect(),
        };
        Some(Taste {
            top_m: TOP_M.min(interests.len()),
            interests,
            dislikes,
            dislike_weight,
        })
    }

    /// The score of a unit-length embedding: mean of its best `TOP_M` cosines to the interests,
    /// minus `dislike_weight` × its best cosine to a dislike (when positive). Every term is a
    /// dot product with `u`, so for a longer row the score scales with its length.
    pub fn score(&self, u: &[f32; D]) -> f32 {
        let mut score = top_mean(self.interests.iter().map(|c| dot(u, c)), self.top_m);
        if !self.dislikes.is_empty() {
            let d = self
                .dislikes
                .iter()
                .map(|d| dot(u, d))
                // (a comparison: `f32::max` is a libm call in wasm; the cosines are finite)
                .fold(0.0f32, |m, x| if x > m { x } else { m });
            score -= self.dislike_weight * d;
        }
        score
    }

    /// How many interests the likes became.
    pub fn interests(&self) -> usize {
        self.interests.len()
    }

    /// The interests (unit vectors) the score compares with.
    pub fn interest_rows(&self) -> &[[f32; D]] {
        &self.interests
    }

    /// The dislikes (unit vectors).
    pub fn dislike_rows(&self) -> &[[f32; D]] {
        &self.dislikes
    }

    /// How many of the best cosines the score averages.
    pub fn top_m(&self) -> usize {
        self.top_m.max(1)
    }

    pub fn dislike_weight(&self) -> f32 {
        self.dislike_weight
    }
}

/// `k` centres of unit vectors: farthest-point start (deterministic), then Lloyd iterations on
/// cosine; each centre is re-normalised.
fn kmeans<const D: usize>(points: &[[f32; D]], k: usize) -> Vec<[f32; D]> {
    let mut centres = vec![points[0]];
    let mut closest: Vec<f32> = points.iter().map(|p| dot(p, &points[0])).collect();
    while centres.len() < k {
        let (far, _) = closest
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.total_cmp(b.1))
            .expect("points is not empty");
        let c = points[far];
        for (s, p) in closest.iter_mut().zip(points) {
            *s = s.max(dot(p, &c));
        }
        centres.push(c);
    }
    for _ in 0..ITERATIONS {
        let mut sums = vec![[0.0f32; D]; k];
        for p in points {
            let (j, _) = centres
                .iter()
                .enumerate()
                .map(|(j, c)| (j, dot(p, c)))
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
                .expect("k ≥ 1");
            for (s, x) in sums[j].iter_mut().zip(p) {
                *s += x;
            }
        }
        for (c, s) in centres.iter_mut().zip(&sums) {
            if s.iter().any(|&x| x != 0.0) {
                *c = unit(s);
            }
        }
    }
    centres
}

/// The mean of the `m` (at most [`TOP_M`]) largest of `v`, or of all of them when fewer: the
/// taste score's first term, and (over upper bounds) a bound on it. The best three by a
/// branchless max/min network (a sorted insertion mispredicts on nearly every track of a scan);
/// comparisons rather than `f32::max`, which is a libm call in wasm (the values are finite, so
/// the two agree).
#[inline(always)]
pub fn top_mean(v: impl IntoIterator<Item = f32>, m: usize) -> f32 {
    let mut best = [f32::NEG_INFINITY; TOP_M];
    let mut count = 0;
    for mut s in v {
        count += 1;
        for b in best.iter_mut() {
            let (hi, lo) = if s > *b { (s, *b) } else { (*b, s) };
            *b = hi;
            s = lo;
        }
    }
    let m = m.min(count).clamp(1, TOP_M);
    best[..m].iter().sum::<f32>() / m as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_mean_averages_the_best_three_or_all_when_fewer() {
        assert_eq!(top_mean([0.2, 0.9, 0.5, 0.7], 3), (0.9 + 0.7 + 0.5) / 3.0);
        assert_eq!(top_mean([0.2, 0.9, 0.5, 0.7], 1), 0.9);
        assert_eq!(top_mean([0.2], 3), 0.2);
    }

    #[test]
    fn two_interests_each_pull_their_neighbours() {
        // three likes around each of two interests
        let likes = [
            [1.0, 0.0, 0.0],
            [0.95, 0.05, 0.1],
            [0.95, -0.05, 0.1],
            [0.0, 1.0, 0.0],
            [0.05, 0.95, 0.1],
            [-0.05, 0.95, 0.1],
        ];
        let multi = Taste::new(&likes, &[], Profile::MultiInterest, 0.5).unwrap();
        let centroid = Taste::new(&likes, &[], Profile::Centroid, 0.5).unwrap();
        let near_first = unit(&[0.95, 0.05, 0.3]);
        let between = unit(&[0.5, 0.5, 0.7]);
        // the centroid prefers the track between the two interests, the multi-interest profile
        // a track close to one of them
        assert!(centroid.score(&between) > centroid.score(&near_first));
        assert!(multi.score(&near_first) > multi.score(&between));
    }

    #[test]
    fn many_likes_become_max_interests_centres() {
        let likes: Vec<[f32; 2]> = (0..100)
            .map(|i| [(i as f32 * 0.1).cos(), (i as f32 * 0.1).sin()])
            .collect();
        let t = Taste::new(&likes, &[], Profile::MultiInterest, 0.5).unwrap();
        assert_eq!(t.interests(), MAX_INTERESTS);
        assert!(Taste::<2>::new(&[], &[], Profile::MultiInterest, 0.5).is_none());
    }

    #[test]
    fn a_dislike_lowers_its_neighbours() {
        let t = Taste::new(&[[1.0, 0.0]], &[[0.7, 0.7]], Profile::MultiInterest, 0.5).unwrap();
        assert!(t.score(&unit(&[0.7, 0.7])) < t.score(&unit(&[0.7, -0.7])));
    }
}
