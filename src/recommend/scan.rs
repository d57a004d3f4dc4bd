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
//! therefore guaranteed to keep the exact top `n` (see [`Candidates::exact_best`]).
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

    /// Approximate taste scores and their bounds for the tracks that `keep` admits and that could
    /// be among the best `n`: a running `n`-th best lower bound (a min-heap of `n` lower bounds)
    /// drops every track whose upper bound is already below it. That threshold only rises and
    /// never exceeds the final `n`-th best lower bound, so no track of the exact top `n` is
    /// dropped, and the tracks holding the `n` best lower bounds are all kept.
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
            threshold: f32::NEG_INFINITY,
        };
        if n == 0 {
            return out;
        }
        // the n best lower bounds so far, smallest on top (order-preserving integer keys)
        let mut lowest: BinaryHeap<Reverse<i32>> = BinaryHeap::with_capacity(n + 1);
        let mut threshold = f32::NEG_INFINITY;
        // score = scale[i] · (Σ top-m dots · q.scale / m − dislike_weight · q.scale · worst dislike dot)
        let per_best = q.scale / q.top_m as f32;
        let per_dislike = q.dislike_weight * q.scale;
        for (i, code) in self.codes.iter().enumerate() {
            if !keep(i) {
                continue;
            }
            out.admitted += 1;
            let r = self.resid[i];
            let bound = q.bound_factor * (r + (1.0 + r) * q.resid) + SLACK;
            let (best, worst_dislike) = q.dots(code);
            let approx =
                self.scale[i] * (best as f32 * per_best - worst_dislike as f32 * per_dislike);
            if approx + bound < threshold {
                continue;
            }
            let lower = order_key(approx - bound);
            if lowest.len() < n {
                lowest.push(Reverse(lower));
            } else if let Some(mut min) = lowest.peek_mut() {
                if lower > min.0 {
                    *min = Reverse(lower);
                }
            }
            if lowest.len() == n {
                threshold = lowest
                    .peek()
                    .map_or(f32::NEG_INFINITY, |m| from_order_key(m.0));
            }
            out.rows.push(Candidate {
                index: i as u32,
                approx,
                bound,
            });
        }
        out.threshold = threshold;
        out
    }
}

/// An `i32` that orders like the `f32` it came from (for the heap; no NaN reaches it).
#[inline]
fn order_key(x: f32) -> i32 {
    let b = x.to_bits() as i32;
    b ^ (((b >> 31) as u32) >> 1) as i32
}

fn from_order_key(k: i32) -> f32 {
    f32::from_bits((k ^ (((k >> 31) as u32) >> 1) as i32) as u32)
}

/// A taste's vectors quantized with one common scale.
struct QuantQuery<const D: usize> {
    interests: Vec<[i8; D]>,
    dislikes: Vec<[i8; D]>,
    /// The same codes widened to i16 lanes, for the SIMD128 kernel (32 dimensions only).
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    wide: (Vec<simd::Wide>, Vec<simd::Wide>),
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
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            wide: (simd::widen_all(&interests), simd::widen_all(&dislikes)),
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
    /// Always inlined: the page's wasm is size-optimised, which would otherwise call it per track.
    #[inline(always)]
    fn dots(&self, code: &[i8; D]) -> (i32, i32) {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        if D == 32 {
            return simd::dots(code.as_ptr(), &self.wide.0, &self.wide.1, self.top_m);
        }
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
#[inline(always)]
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

    use crate::recommend::taste::TOP_M;

    /// 32 i8 codes widened to four i16x8 lanes.
    pub type Wide = [v128; 4];

    /// Widen 32 codes (two 16-byte loads, four sign extensions).
    ///
    /// # Safety
    /// `c` must point at 32 readable bytes.
    #[inline(always)]
    unsafe fn widen(c: *const i8) -> Wide {
        let lo = v128_load(c as *const v128);
        let hi = v128_load(c.add(16) as *const v128);
        [
            i16x8_extend_low_i8x16(lo),
            i16x8_extend_high_i8x16(lo),
            i16x8_extend_low_i8x16(hi),
            i16x8_extend_high_i8x16(hi),
        ]
    }

    pub fn widen_all<const D: usize>(rows: &[[i8; D]]) -> Vec<Wide> {
        if D != 32 {
            return Vec::new();
        }
        // SAFETY: each row is exactly 32 bytes (D == 32).
        rows.iter().map(|r| unsafe { widen(r.as_ptr()) }).collect()
    }

    /// Four partial sums (i32x4) of the dot product of two widened vectors.
    #[inline(always)]
    fn partial(t: &Wide, q: &Wide) -> v128 {
        i32x4_add(
            i32x4_add(i32x4_dot_i16x8(t[0], q[0]), i32x4_dot_i16x8(t[1], q[1])),
            i32x4_add(i32x4_dot_i16x8(t[2], q[2]), i32x4_dot_i16x8(t[3], q[3])),
        )
    }

    /// The dot products with four query vectors at once: [t·q0, t·q1, t·q2, t·q3].
    #[inline(always)]
    fn four(t: &Wide, q: &[Wide]) -> [i32; 4] {
        let (p0, p1, p2, p3) = (
            partial(t, &q[0]),
            partial(t, &q[1]),
            partial(t, &q[2]),
            partial(t, &q[3]),
        );
        // a 4×4 transpose-and-add: lane k of the result is the sum of p_k's lanes
        let s01 = i32x4_add(
            i32x4_shuffle::<0, 4, 1, 5>(p0, p1),
            i32x4_shuffle::<2, 6, 3, 7>(p0, p1),
        );
        let s23 = i32x4_add(
            i32x4_shuffle::<0, 4, 1, 5>(p2, p3),
            i32x4_shuffle::<2, 6, 3, 7>(p2, p3),
        );
        let r = i32x4_add(
            i32x4_shuffle::<0, 1, 4, 5>(s01, s23),
            i32x4_shuffle::<2, 3, 6, 7>(s01, s23),
        );
        [
            i32x4_extract_lane::<0>(r),
            i32x4_extract_lane::<1>(r),
            i32x4_extract_lane::<2>(r),
            i32x4_extract_lane::<3>(r),
        ]
    }

    #[inline(always)]
    fn one(t: &Wide, q: &Wide) -> i32 {
        let p = partial(t, q);
        i32x4_extract_lane::<0>(p)
            + i32x4_extract_lane::<1>(p)
            + i32x4_extract_lane::<2>(p)
            + i32x4_extract_lane::<3>(p)
    }

    /// Every dot product of a track's codes with the query's vectors, four at a time.
    #[inline(always)]
    fn each(t: &Wide, q: &[Wide], mut f: impl FnMut(i32)) {
        let mut groups = q.chunks_exact(4);
        for g in &mut groups {
            for s in four(t, g) {
                f(s);
            }
        }
        for w in groups.remainder() {
            f(one(t, w));
        }
    }

    /// [`super::QuantQuery::dots`] for 32 dimensions: the same integers (integer sums are
    /// exact in any order).
    #[inline(always)]
    pub fn dots(
        code: *const i8,
        interests: &[Wide],
        dislikes: &[Wide],
        top_m: usize,
    ) -> (i32, i32) {
        // SAFETY: the caller passes a [i8; 32].
        let t = unsafe { widen(code) };
        let mut best = [i32::MIN / 4; TOP_M];
        each(&t, interests, |mut s| {
            for b in best.iter_mut() {
                let hi = (*b).max(s);
                s = (*b).min(s);
                *b = hi;
            }
        });
        let sum = best[..top_m.max(1)].iter().sum();
        let mut dis = 0;
        each(&t, dislikes, |s| dis = dis.max(s));
        (sum, dis)
    }

    /// 32 i8 × i8 products summed: two 16-byte loads per side, widening multiplies to i16x8,
    /// pairwise widening adds to i32x4, one horizontal sum.
    ///
    /// # Safety
    /// `a` and `b` must each point at 32 readable bytes.
    #[inline(always)]
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

#[derive(Debug, Clone, Copy)]
struct Candidate {
    index: u32,
    approx: f32,
    bound: f32,
}

/// The approximate scores of one scan.
#[derive(Debug, Clone)]
pub struct Candidates {
    rows: Vec<Candidate>,
    /// Tracks `keep` admitted (kept as candidates or not).
    admitted: usize,
    /// The `n` the scan kept candidates for, and the `n`-th best lower bound over every admitted
    /// track (−∞ when fewer than `n` were admitted).
    n: usize,
    threshold: f32,
}

impl Candidates {
    /// How many tracks the scan admitted.
    pub fn admitted(&self) -> usize {
        self.admitted
    }

    /// The exact best `n` of the scan (by [`by_score`]: score, then lower index), best first,
    /// where `exact` gives the exact score of a track. Only tracks whose upper bound reaches the
    /// `n`-th best lower bound are scored exactly; any other track's exact score is below the
    /// `n`-th best exact score, so the result equals an exact scan of every admitted track.
    pub fn exact_best(&self, mut exact: impl FnMut(usize) -> f32) -> Vec<(usize, f32)> {
        let mut best: Vec<(usize, f32)> = self
            .rows
            .iter()
            .filter(|c| c.approx + c.bound >= self.threshold)
            .map(|c| (c.index as usize, exact(c.index as usize)))
            .collect();
        keep_best(&mut best, self.n);
        debug_assert!(best.windows(2).all(|w| by_score(&w[0], &w[1]).is_lt()));
        best
    }

    /// How many tracks [`Candidates::exact_best`] scores exactly (for tests and the bench).
    pub fn exactly_scored(&self) -> usize {
        self.rows
            .iter()
            .filter(|c| c.approx + c.bound >= self.threshold)
            .count()
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
                let fast = cands.exact_best(|i| taste.score(&units[i]));
                assert_eq!(fast, all);
                assert!(cands.exactly_scored() < units.len() / 2);
                assert_eq!(
                    cands.admitted(),
                    (0..units.len()).filter(|i| i % 7 != 0).count()
                );
                // any n: 1, a few, more than are admitted
                for n in [1, 7, 5000] {
                    all.clear();
                    all.extend(
                        (0..units.len())
                            .filter(|i| i % 7 != 0)
                            .map(|i| (i, taste.score(&units[i]))),
                    );
                    keep_best(&mut all, n);
                    let fast = q
                        .scan(&taste, n, |i| i % 7 != 0)
                        .exact_best(|i| taste.score(&units[i]));
                    assert_eq!(fast, all, "n = {n}");
                }
            }
        }
    }

    #[test]
    fn empty_and_small() {
        let q = Quantized::<32>::new(&[]);
        let taste = Taste::new(&random_units(2, 9), &[], Profile::MultiInterest, 0.5).unwrap();
        assert!(q.scan(&taste, 10, |_| true).exact_best(|_| 0.0).is_empty());
        let units = random_units(3, 10);
        let q = Quantized::new(&units);
        let got = q
            .scan(&taste, 10, |_| true)
            .exact_best(|i| taste.score(&units[i]));
        assert_eq!(got.len(), 3);
        assert!(q.scan(&taste, 0, |_| true).exact_best(|_| 0.0).is_empty());
        assert!(order_key(-0.5) < order_key(-0.25));
        for x in [-3.5f32, -0.0, 0.0, 1e-30, 2.0] {
            assert_eq!(from_order_key(order_key(x)).to_bits(), x.to_bits());
        }
    }
}
