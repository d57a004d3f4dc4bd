//! The first stage of a ranking: every track's taste score from an 8-bit copy of the unit
//! embeddings, with a per-track error bound, so that exact f32 scores are computed only for the
//! tracks that could be among the best.
//!
//! Each unit embedding `u` is stored as `codes · scale` (one scale per track, codes in
//! −127..=127) together with the norm of what rounding lost, `resid = ‖u − codes·scale‖`. A query
//! (the interests and dislikes of a [`Taste`]) is quantized the same way with one scale for all
//! its vectors, so a cosine is an exact integer dot product times two scales. By Cauchy–Schwarz
//! `|u·c − û·ĉ| ≤ ‖u−û‖·‖c‖ + ‖û‖·‖c−ĉ‖`, and the taste score (a mean of the best cosines minus
//! a weighted best dislike cosine) moves by at most `(1 + dislike_weight)` times that. Keeping
//! every track whose approximate score plus its bound reaches the `n`-th best lower bound is
//! therefore guaranteed to keep the exact top `n` (see [`Candidates::exact_best`]). The scan
//! applies that test as it goes, against the `n`-th best lower bound seen so far (never above the
//! final one), so it keeps only a few thousand rows of a million-track catalog.
//!
//! Knows unit embeddings and a [`Taste`], not catalogs, heads or the page.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::score::{by_score, keep_best};
use super::taste::Taste;
use crate::vector::norm;

/// Largest code magnitude: i8 products summed over 32 dimensions stay far inside i32.
const LEVELS: f32 = 127.0;
/// Slack for the f32 arithmetic of the exact score (its own rounding), far below the bound.
const SLACK: f32 = 1e-5;

/// The 8-bit copy of the unit embeddings. Invariant: `codes`, `scale` and `resid` have one row
/// per track, in catalog order.
#[derive(Debug, Clone, Default)]
pub struct Quantized<const D: usize> {
    codes: Vec<[i8; D]>,
    scale: Vec<f32>,
    resid: Vec<f32>,
}

/// One vector's codes, scale and rounding residual norm, for a given scale.
fn quantize<const D: usize>(u: &[f32; D], scale: f32) -> ([i8; D], f32) {
    let inv = if scale > 0.0 { 1.0 / scale } else { 0.0 };
    let codes = u.map(|x| (x * inv).round().clamp(-LEVELS, LEVELS) as i8);
    let back: [f32; D] = std::array::from_fn(|k| u[k] - codes[k] as f32 * scale);
    (codes, norm(&back))
}

fn scale_of<'a, const D: usize>(rows: impl IntoIterator<Item = &'a [f32; D]>) -> f32 {
    let max = rows
        .into_iter()
        .flat_map(|r| r.iter())
        .fold(0.0f32, |m, x| m.max(x.abs()));
    max / LEVELS
}

impl<const D: usize> Quantized<D> {
    /// Quantize unit vectors (any vectors: the bound holds for their own norm ≤ 1 + resid).
    pub fn new(units: &[[f32; D]]) -> Quantized<D> {
        let mut q = Quantized {
            codes: Vec::with_capacity(units.len()),
            scale: Vec::with_capacity(units.len()),
            resid: Vec::with_capacity(units.len()),
        };
        q.extend(units);
        q
    }

    /// Append rows (tracks added after load).
    pub fn extend(&mut self, units: &[[f32; D]]) {
        for u in units {
            let s = scale_of([u]);
            let (c, r) = quantize(u, s);
            self.codes.push(c);
            self.scale.push(s);
            self.resid.push(r);
        }
    }

    /// Drop every row from `len` on.
    pub fn truncate(&mut self, len: usize) {
        self.codes.truncate(len);
        self.scale.truncate(len);
        self.resid.truncate(len);
    }

    pub fn len(&self) -> usize {
        self.codes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Approximate taste scores and their bounds for the tracks that `keep` admits and that may
    /// be among the best `n`: a track whose upper bound is below the `n`-th best lower bound seen
    /// so far is dropped (it is below the final one too). [`Candidates::exact_best`] then answers
    /// for any count up to `n`.
    pub fn scan(
        &self,
        taste: &Taste<D>,
        n: usize,
        mut keep: impl FnMut(usize) -> bool,
    ) -> Candidates {
        let q = QuantQuery::new(taste);
        let mut out = Candidates {
            rows: Vec::new(),
            admitted: 0,
            n,
        };
        // the best `n` lower bounds so far, smallest on top; `threshold` is that smallest once full
        let mut best_lower: BinaryHeap<Reverse<Total>> =
            BinaryHeap::with_capacity(n.min(1 << 16) + 1);
        let mut threshold = f32::NEG_INFINITY;
        let m = q.top_m as f32;
        for (i, code) in self.codes.iter().enumerate() {
            if !keep(i) {
                continue;
            }
            out.admitted += 1;
            let (best, worst_dislike) = q.dots(code);
            let s = self.scale[i] * q.scale;
            let approx = best as f32 * s / m - q.dislike_weight * worst_dislike as f32 * s;
            let r = self.resid[i];
            let bound = q.bound_factor * (r + (1.0 + r) * q.resid) + SLACK;
            if approx + bound < threshold {
                continue;
            }
            out.rows.push(Candidate {
                index: i as u32,
                approx,
                bound,
            });
            let lower = approx - bound;
            if best_lower.len() < n {
                best_lower.push(Reverse(Total(lower)));
            } else if n > 0 && lower > threshold {
                best_lower.pop();
                best_lower.push(Reverse(Total(lower)));
            } else {
                continue;
            }
            if best_lower.len() == n {
                threshold = best_lower.peek().map_or(f32::NEG_INFINITY, |b| b.0 .0);
            }
        }
        out
    }
}

/// A taste's vectors quantized with one common scale.
struct QuantQuery<const D: usize> {
    interests: Vec<[i8; D]>,
    dislikes: Vec<[i8; D]>,
    scale: f32,
    /// The largest rounding residual norm of any of the query's vectors.
    resid: f32,
    top_m: usize,
    dislike_weight: f32,
    /// How much a cosine error moves the score: 1 for the top-m mean, plus the dislike weight.
    bound_factor: f32,
}

impl<const D: usize> QuantQuery<D> {
    fn new(taste: &Taste<D>) -> QuantQuery<D> {
        let scale = scale_of(taste.interest_rows().iter().chain(taste.dislike_rows()));
        let mut resid = 0.0f32;
        let mut q = |rows: &[[f32; D]]| -> Vec<[i8; D]> {
            rows.iter()
                .map(|u| {
                    let (c, r) = quantize(u, scale);
                    resid = resid.max(r);
                    c
                })
                .collect()
        };
        let interests = q(taste.interest_rows());
        let dislikes = q(taste.dislike_rows());
        let has_dislikes = !dislikes.is_empty();
        QuantQuery {
            interests,
            dislikes,
            scale,
            resid,
            top_m: taste.top_m(),
            dislike_weight: if has_dislikes {
                taste.dislike_weight()
            } else {
                0.0
            },
            bound_factor: 1.0
                + if has_dislikes {
                    taste.dislike_weight()
                } else {
                    0.0
                },
        }
    }

    /// (sum of the best `top_m` integer dots to the interests, best dislike dot clamped at 0).
    #[inline]
    fn dots(&self, code: &[i8; D]) -> (i32, i32) {
        let mut best = [i32::MIN / 4; super::taste::TOP_M];
        for c in &self.interests {
            let mut s = idot(code, c);
            for b in best.iter_mut() {
                let hi = (*b).max(s);
                s = (*b).min(s);
                *b = hi;
            }
        }
        let sum = best[..self.top_m.max(1)].iter().sum();
        let dis = self
            .dislikes
            .iter()
            .map(|d| idot(code, d))
            .fold(0, i32::max);
        (sum, dis)
    }
}

/// Integer dot product: exact, associative, so the compiler vectorises it (SIMD128 in wasm).
#[inline]
fn idot<const D: usize>(a: &[i8; D], b: &[i8; D]) -> i32 {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    if D == 32 {
        // SAFETY: D == 32 was checked, so both arrays are exactly 32 bytes.
        return unsafe { simd::idot32(a.as_ptr(), b.as_ptr()) };
    }
    a.iter()
        .zip(b)
        .map(|(&x, &y)| x as i16 as i32 * y as i16 as i32)
        .sum()
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::*;

    /// 32 i8 × i8 products summed: two 16-byte loads per side, widening multiplies to i16x8,
    /// pairwise widening adds to i32x4, one horizontal sum.
    ///
    /// # Safety
    /// `a` and `b` must each point at 32 readable bytes.
    #[inline]
    pub unsafe fn idot32(a: *const i8, b: *const i8) -> i32 {
        let a0 = v128_load(a as *const v128);
        let a1 = v128_load(a.add(16) as *const v128);
        let b0 = v128_load(b as *const v128);
        let b1 = v128_load(b.add(16) as *const v128);
        let p = i32x4_add(
            i32x4_add(
                i32x4_extadd_pairwise_i16x8(i16x8_extmul_low_i8x16(a0, b0)),
                i32x4_extadd_pairwise_i16x8(i16x8_extmul_high_i8x16(a0, b0)),
            ),
            i32x4_add(
                i32x4_extadd_pairwise_i16x8(i16x8_extmul_low_i8x16(a1, b1)),
                i32x4_extadd_pairwise_i16x8(i16x8_extmul_high_i8x16(a1, b1)),
            ),
        );
        i32x4_extract_lane::<0>(p)
            + i32x4_extract_lane::<1>(p)
            + i32x4_extract_lane::<2>(p)
            + i32x4_extract_lane::<3>(p)
    }
}

/// An f32 ordered by `total_cmp`, for the heap of lower bounds.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Total(f32);

impl Eq for Total {}

impl PartialOrd for Total {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Total {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    index: u32,
    approx: f32,
    bound: f32,
}

/// The approximate scores of one scan: every admitted track that may be among the best `n`.
#[derive(Debug, Clone)]
pub struct Candidates {
    rows: Vec<Candidate>,
    /// How many tracks `keep` admitted (kept or not).
    admitted: usize,
    /// The count the scan kept rows for: [`Candidates::exact_best`] is exact up to it.
    n: usize,
}

impl Candidates {
    /// How many tracks the scan admitted.
    pub fn len(&self) -> usize {
        self.admitted
    }

    pub fn is_empty(&self) -> bool {
        self.admitted == 0
    }

    /// The largest count [`Candidates::exact_best`] answers exactly (a larger one needs a new scan).
    pub fn covers(&self) -> usize {
        self.n
    }

    /// How many rows the scan kept (for the bench and tests).
    pub fn kept(&self) -> usize {
        self.rows.len()
    }

    /// The exact best `n` (by [`by_score`]: score, then lower index), best first, where `exact`
    /// gives the exact score of a track; `n` at most [`Candidates::covers`]. Only tracks whose
    /// upper bound reaches the `n`-th best lower bound are scored exactly; any other track's exact
    /// score is below the `n`-th best exact score, so the result equals an exact scan of every
    /// admitted track. (The kept rows hold every track with one of the `n` best lower bounds, so
    /// that bound is the same over them as over all admitted tracks.)
    pub fn exact_best(&self, n: usize, mut exact: impl FnMut(usize) -> f32) -> Vec<(usize, f32)> {
        debug_assert!(n <= self.n, "exact_best({n}) after a scan for {}", self.n);
        if n == 0 || self.rows.is_empty() {
            return Vec::new();
        }
        let threshold = if self.rows.len() <= n {
            f32::NEG_INFINITY
        } else {
            let mut lower: Vec<f32> = self.rows.iter().map(|c| c.approx - c.bound).collect();
            let (_, nth, _) = lower.select_nth_unstable_by(n - 1, |a, b| b.total_cmp(a));
            *nth
        };
        let mut best: Vec<(usize, f32)> = self
            .rows
            .iter()
            .filter(|c| c.approx + c.bound >= threshold)
            .map(|c| (c.index as usize, exact(c.index as usize)))
            .collect();
        keep_best(&mut best, n);
        debug_assert!(best.windows(2).all(|w| by_score(&w[0], &w[1]).is_lt()));
        best
    }

    /// How many tracks [`Candidates::exact_best`] would score exactly for `n` (for the bench).
    pub fn exactly_scored(&self, n: usize) -> usize {
        if self.rows.len() <= n {
            return self.rows.len();
        }
        let mut lower: Vec<f32> = self.rows.iter().map(|c| c.approx - c.bound).collect();
        let (_, nth, _) = lower.select_nth_unstable_by(n - 1, |a, b| b.total_cmp(a));
        let t = *nth;
        self.rows.iter().filter(|c| c.approx + c.bound >= t).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recommend::taste::Profile;
    use crate::rng::Rng64;
    use crate::vector::unit;

    fn random_units(n: usize, seed: u64) -> Vec<[f32; 32]> {
        let mut rng = Rng64::new(seed);
        (0..n)
            .map(|_| unit(&std::array::from_fn(|_| rng.next_f32() * 2.0 - 1.0)))
            .collect()
    }

    #[test]
    fn the_bound_holds_and_the_top_is_exact() {
        let units = random_units(5000, 1);
        let q = Quantized::new(&units);
        for (seed, n_likes, n_dis) in [(2, 1, 0), (3, 5, 2), (4, 40, 3), (5, 3, 0)] {
            let likes = random_units(n_likes, seed);
            let dis = random_units(n_dis, seed + 100);
            for profile in [Profile::MultiInterest, Profile::Centroid] {
                let taste = Taste::new(&likes, &dis, profile, 0.5).unwrap();
                let cands = q.scan(&taste, 400, |i| i % 7 != 0);
                for c in &cands.rows {
                    let exact = taste.score(&units[c.index as usize]);
                    assert!(
                        (exact - c.approx).abs() <= c.bound,
                        "track {}: exact {exact}, approx {}, bound {}",
                        c.index,
                        c.approx,
                        c.bound
                    );
                }
                let mut all: Vec<(usize, f32)> = (0..units.len())
                    .filter(|i| i % 7 != 0)
                    .map(|i| (i, taste.score(&units[i])))
                    .collect();
                keep_best(&mut all, 400);
                let fast = cands.exact_best(400, |i| taste.score(&units[i]));
                assert_eq!(fast, all);
                assert!(cands.exactly_scored(400) < units.len() / 2);
                assert!(cands.kept() < units.len() / 2, "{} kept", cands.kept());
                // a smaller count from the same scan is exact too
                let mut all100 = all.clone();
                keep_best(&mut all100, 100);
                assert_eq!(cands.exact_best(100, |i| taste.score(&units[i])), all100);
            }
        }
    }

    #[test]
    fn empty_and_small() {
        let q = Quantized::<32>::new(&[]);
        let taste = Taste::new(&random_units(2, 9), &[], Profile::MultiInterest, 0.5).unwrap();
        assert!(q
            .scan(&taste, 10, |_| true)
            .exact_best(10, |_| 0.0)
            .is_empty());
        let units = random_units(3, 10);
        let q = Quantized::new(&units);
        let got = q
            .scan(&taste, 10, |_| true)
            .exact_best(10, |i| taste.score(&units[i]));
        assert_eq!(got.len(), 3);
    }
}
