//! Cells of the scan index: tracks grouped by where they lie in the principal basis, each group
//! with a box that bounds every member's score, so that a scan skips a whole cell whose bound
//! is below the running threshold, and visits the most promising cells first (which raises the
//! threshold early).
//!
//! A cell's box holds, per leading coordinate, the least and greatest dequantized value of its
//! tracks (`codes · scale`), and the greatest rounding residual and rest norm among them. For a
//! unit interest `q` (leading part `q_l`, rest norm `|q_r|`) and any member `u`:
//! `q·u ≤ Σ_k max(q_k·lo_k, q_k·hi_k) + resid + |q_r|·rest`, since `lead(u)` lies within
//! `resid` of its dequantized point (and `|q_l| ≤ 1`) and the rest is bounded by
//! Cauchy–Schwarz. The taste score is a mean of the best interest cosines minus a non-negative
//! dislike term, so the same mean of the interests' box bounds bounds it from above.
//!
//! The grouping is recursive halving at the median: of coordinate 0 three times, then of each
//! next coordinate twice, until a cell holds about [`TRACKS_PER_CELL`] tracks (medians of a
//! sample, so cells are only about equal). The grouping only decides how many tracks a scan
//! skips, never whether its answer is exact.
//!
//! Knows leading coordinates and norms, not blocks, tastes or catalogs.

use super::scan::LEAD;

/// Tracks a cell aims at (16 blocks): 16 and 32 made the cells' bounds cost more than they saved,
/// 64 and 128 ranked about as fast in the page.
pub const TRACKS_PER_CELL: usize = 64;
/// Halvings of coordinate 0, then of each later coordinate.
const FIRST_HALVINGS: u32 = 3;
const LATER_HALVINGS: u32 = 2;
/// Slack for the f32 arithmetic of the bound (as the per-track bound has).
const SLACK: f32 = 2e-5;
/// Buckets of the visiting order (cells in one bucket are visited in storage order).
const BUCKETS: usize = 64;

/// The box of a group of tracks over the [`LEAD`] leading coordinates. Plain old data, so the scan index
/// travels as its own bytes.
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
pub struct CellBox {
    lo: [f32; LEAD],
    hi: [f32; LEAD],
    resid: f32,
    rest: f32,
}

impl CellBox {
    /// Holds nothing: any track widens it to itself.
    pub fn empty() -> Self {
        CellBox {
            lo: [f32::INFINITY; LEAD],
            hi: [f32::NEG_INFINITY; LEAD],
            resid: 0.0,
            rest: 0.0,
        }
    }

    /// Grow to hold a track with dequantized leading coordinates `lead`.
    pub fn widen(&mut self, lead: &[f32; LEAD], resid: f32, rest: f32) {
        for ((lo, hi), &x) in self.lo.iter_mut().zip(&mut self.hi).zip(lead) {
            // comparisons, not `f32::min`/`max` (libm calls in wasm); the values are finite
            if x < *lo {
                *lo = x;
            }
            if x > *hi {
                *hi = x;
            }
        }
        if resid > self.resid {
            self.resid = resid;
        }
        if rest > self.rest {
            self.rest = rest;
        }
    }

    /// An upper bound on `q·u` for every member `u` of the box, for a unit `q` with leading
    /// coordinates `lead` and rest norm `rest`. +∞ for an empty box.
    #[inline(always)]
    pub fn bound(&self, lead: &[f32; LEAD], rest: f32) -> f32 {
        if self.lo[0] > self.hi[0] {
            return f32::INFINITY;
        }
        self.box_dot(lead) + self.resid + rest * self.rest + SLACK
    }

    /// `Σ_k max(q_k·lo_k, q_k·hi_k)`, summed in four lanes.
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    #[inline(always)]
    fn box_dot(&self, lead: &[f32; LEAD]) -> f32 {
        let mut s = [0.0f32; 4];
        for (k, &q) in lead.iter().enumerate() {
            let (a, b) = (q * self.lo[k], q * self.hi[k]);
            s[k % 4] += if a > b { a } else { b };
        }
        (s[0] + s[1]) + (s[2] + s[3])
    }

    /// The same lanes with SIMD128 (the page's wasm is size-optimised: no auto-vectoriser).
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    #[inline(always)]
    fn box_dot(&self, lead: &[f32; LEAD]) -> f32 {
        use core::arch::wasm32::*;
        const _: () = assert!(LEAD == 16, "four f32x4 lanes below");
        // SAFETY: each array is 16 f32, read as four v128; wasm loads may be unaligned.
        let at = |p: &[f32; LEAD], k: usize| unsafe { v128_load(p.as_ptr().add(k) as *const v128) };
        let term = |k: usize| {
            let q = at(lead, k);
            // (pmax: the products are finite, and it is one instruction)
            f32x4_pmax(f32x4_mul(q, at(&self.lo, k)), f32x4_mul(q, at(&self.hi, k)))
        };
        let s = f32x4_add(f32x4_add(term(0), term(4)), f32x4_add(term(8), term(12)));
        (f32x4_extract_lane::<0>(s) + f32x4_extract_lane::<1>(s))
            + (f32x4_extract_lane::<2>(s) + f32x4_extract_lane::<3>(s))
    }
}

/// Points per leaf of the sample the split values are taken from.
const SAMPLE_PER_CELL: usize = 16;

/// The grouping of `n` points (each given by `key(i, coordinate)`) into cells: the order of the
/// points, and where each non-empty cell ends in it. The split values are the medians of an
/// evenly strided sample (one select per node of the split tree, on the sample only); every
/// point then walks the tree to its cell, and a counting sort by cell gives the order, so the
/// whole grouping is linear in `n`, not a select over every point at every level.
pub fn group(n: usize, coords: usize, key: impl Fn(usize, usize) -> f32) -> (Vec<u32>, Vec<usize>) {
    // the coordinate each level of the tree splits
    let mut levels = Vec::new();
    let mut halvings = match n / TRACKS_PER_CELL {
        c @ 2.. => c.ilog2(),
        _ => 0,
    };
    for c in 0..coords {
        let here = halvings.min(if c == 0 {
            FIRST_HALVINGS
        } else {
            LATER_HALVINGS
        });
        halvings -= here;
        levels.extend(std::iter::repeat_n(c, here as usize));
    }
    let leaves = 1usize << levels.len();
    // the coordinates the tree splits, read once per point
    let used = levels.last().map_or(0, |&c| c + 1);
    let mut table = Vec::with_capacity(n * used);
    for i in 0..n {
        table.extend((0..used).map(|c| key(i, c)));
    }
    let key = |i: usize, c: usize| table[i * used + c];
    // the split tree, heap-numbered from 1: node v's children are 2v and 2v + 1
    let stride = (n / (SAMPLE_PER_CELL * leaves)).max(1);
    let mut sample: Vec<u32> = (0..n as u32).step_by(stride).collect();
    let mut split = vec![0.0f32; leaves];
    let mut parts = vec![(0, sample.len())];
    for (depth, &c) in levels.iter().enumerate() {
        let mut next = Vec::with_capacity(2 * parts.len());
        for (k, &(start, end)) in parts.iter().enumerate() {
            let part = &mut sample[start..end];
            let mid = part.len() / 2;
            if mid < part.len() {
                let (_, m, _) = part.select_nth_unstable_by(mid, |&a, &b| {
                    key(a as usize, c).total_cmp(&key(b as usize, c))
                });
                split[(1 << depth) + k] = key(*m as usize, c);
            }
            next.push((start, start + mid));
            next.push((start + mid, end));
        }
        parts = next;
    }
    // each point's leaf, then the points by leaf
    let leaf: Vec<u32> = (0..n)
        .map(|i| leaf_of(&table[i * used..(i + 1) * used], &levels, &split) as u32)
        .collect();
    let mut start = vec![0usize; leaves + 1];
    for &l in &leaf {
        start[l as usize + 1] += 1;
    }
    for k in 0..leaves {
        start[k + 1] += start[k];
    }
    let ends: Vec<usize> = (1..=leaves)
        .filter(|&k| start[k] > start[k - 1])
        .map(|k| start[k])
        .collect();
    let mut order = vec![0u32; n];
    for (i, &l) in leaf.iter().enumerate() {
        order[start[l as usize]] = i as u32;
        start[l as usize] += 1;
    }
    (order, ends)
}

/// The leaf of the split tree a point (its split coordinates) falls in. Not inlined: V8
/// optimises a hot callee while the long loop calling it still runs baseline code.
#[inline(never)]
fn leaf_of(point: &[f32], levels: &[usize], split: &[f32]) -> usize {
    let mut v = 1;
    for &c in levels {
        v = 2 * v + usize::from(point[c] >= split[v]);
    }
    v - split.len()
}

/// The cells in a visiting order: highest bound first, by buckets of the bounds' range (cells
/// within a bucket in storage order; a bound that is not finite comes first).
pub fn visiting_order(bounds: &[f32]) -> Vec<u32> {
    let (mut lo, mut hi) = (f32::INFINITY, f32::NEG_INFINITY);
    for &b in bounds {
        if b.is_finite() {
            if b < lo {
                lo = b;
            }
            if b > hi {
                hi = b;
            }
        }
    }
    let per = if hi > lo {
        (BUCKETS - 1) as f32 / (hi - lo)
    } else {
        0.0
    };
    // bucket 0 holds the highest bounds
    let bucket = |b: f32| {
        if b.is_finite() {
            (((hi - b) * per) as usize).min(BUCKETS - 1)
        } else {
            0
        }
    };
    let mut start = [0u32; BUCKETS + 1];
    for &b in bounds {
        start[bucket(b) + 1] += 1;
    }
    for k in 0..BUCKETS {
        start[k + 1] += start[k];
    }
    let mut order = vec![0u32; bounds.len()];
    for (j, &b) in bounds.iter().enumerate() {
        let k = bucket(b);
        order[start[k] as usize] = j as u32;
        start[k] += 1;
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng64;

    #[test]
    fn the_box_bounds_every_member() {
        let mut rng = Rng64::new(3);
        let mut r = || rng.next_f32() * 2.0 - 1.0;
        let pts: Vec<[f32; LEAD]> = (0..50).map(|_| std::array::from_fn(|_| r())).collect();
        let mut b = CellBox::empty();
        assert_eq!(b.bound(&[0.5; LEAD], 0.1), f32::INFINITY);
        for p in &pts {
            b.widen(p, 0.0, 0.0);
        }
        for _ in 0..100 {
            let q: [f32; LEAD] = std::array::from_fn(|_| r());
            let best = pts
                .iter()
                .map(|p| p.iter().zip(&q).map(|(a, b)| a * b).sum::<f32>())
                .fold(f32::NEG_INFINITY, f32::max);
            assert!(b.bound(&q, 0.0) >= best);
        }
    }

    #[test]
    fn groups_cover_every_point_once() {
        let mut rng = Rng64::new(5);
        for n in [0, 3, 31, 64, 1000, 50_003] {
            let pts: Vec<[f32; 6]> = (0..n)
                .map(|_| std::array::from_fn(|_| rng.next_f32()))
                .collect();
            let (order, ends) = group(n, 6, |i, c| pts[i][c]);
            let mut seen = order.clone();
            seen.sort_unstable();
            assert_eq!(seen, (0..n as u32).collect::<Vec<_>>());
            assert_eq!(ends.last().copied().unwrap_or(0), n);
            assert!(ends.windows(2).all(|w| w[0] < w[1]));
            if n >= 50_000 {
                // about TRACKS_PER_CELL each, and the first cells low on coordinate 0
                let cells = ends.len();
                assert!(cells >= n / TRACKS_PER_CELL / 2, "{cells} cells");
                let largest = std::iter::once(ends[0])
                    .chain(ends.windows(2).map(|w| w[1] - w[0]))
                    .max()
                    .unwrap();
                assert!(largest < 4 * TRACKS_PER_CELL, "a cell of {largest}");
                let low = order[..ends[0]].iter().map(|&i| pts[i as usize][0]);
                assert!(low.fold(0.0, f32::max) < 0.2);
            }
        }
    }

    #[test]
    fn highest_bounds_are_visited_first() {
        let bounds = [0.1, 0.9, f32::NAN, 0.5, 0.89, -0.3];
        let order = visiting_order(&bounds);
        assert_eq!(order.len(), bounds.len());
        assert_eq!(order[0], 1);
        assert_eq!(*order.last().unwrap(), 5);
        assert!(order.contains(&2));
        assert!(visiting_order(&[]).is_empty());
    }
}
