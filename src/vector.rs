//! Small fixed-size vector math shared by the models, the recommender and the evaluation:
//! the mean of chosen rows, dot product, norm and cosine. Knows nothing of tracks.

/// Mean of the rows `idx` of `rows`, skipping indices out of range; `None` when none is left.
/// Summed in f32 in index order: the fine-tune and training fixtures depend on these exact bits.
pub fn mean_of<const D: usize>(rows: &[[f32; D]], idx: &[usize]) -> Option<[f32; D]> {
    let mut sum = [0.0f32; D];
    let mut n = 0usize;
    for &i in idx {
        if let Some(r) = rows.get(i) {
            for (s, &x) in sum.iter_mut().zip(r) {
                *s += x;
            }
            n += 1;
        }
    }
    (n > 0).then(|| sum.map(|s| s / n as f32))
}

/// Mean of all the given rows; zeros when there are none.
pub fn mean_all<const D: usize>(rows: impl IntoIterator<Item = [f32; D]>) -> [f32; D] {
    let mut m = Mean::default();
    for r in rows {
        m.push(&r);
    }
    m.mean()
}

/// [`mean_all`] a row at a time (the page's indexing runs in slices): f64 sums, same order.
#[derive(Debug, Clone)]
pub struct Mean<const D: usize> {
    sum: [f64; D],
    n: usize,
}

impl<const D: usize> Default for Mean<D> {
    fn default() -> Self {
        Mean {
            sum: [0.0; D],
            n: 0,
        }
    }
}

impl<const D: usize> Mean<D> {
    pub fn push(&mut self, r: &[f32; D]) {
        for (s, &x) in self.sum.iter_mut().zip(r) {
            *s += x as f64;
        }
        self.n += 1;
    }

    /// The running sums, one per coordinate, and the rows pushed (to rebuild it elsewhere with
    /// [`Mean::from_sums`]: the page gets the engine worker's).
    pub fn sums(&self) -> (Vec<f64>, usize) {
        (self.sum.to_vec(), self.n)
    }

    /// The mean of `n` rows whose sums are `sum`; `None` when `sum` is not `D` long.
    pub fn from_sums(sum: &[f64], n: usize) -> Option<Mean<D>> {
        Some(Mean {
            sum: sum.try_into().ok()?,
            n,
        })
    }

    /// The mean (zeros when no row was pushed).
    pub fn mean(&self) -> [f32; D] {
        if self.n == 0 {
            return [0.0; D];
        }
        std::array::from_fn(|k| (self.sum[k] / self.n as f64) as f32)
    }
}

/// Dot product with eight independent partial sums: one running sum is a chain of D dependent
/// additions the compiler may not reorder, eight lanes vectorise (about 4× faster per scan).
#[inline(always)]
pub fn dot<const D: usize>(a: &[f32; D], b: &[f32; D]) -> f32 {
    let (ca, ra) = a.as_chunks::<8>();
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        // explicit f32x4 lanes (the page's wasm is size-optimised: no auto-vectoriser); lanes
        // 0–3 and 4–7 of the eight partial sums, added in the same order, so the same bits
        use core::arch::wasm32::*;
        let (cb, rb) = b.as_chunks::<8>();
        // one v128 load per half (building the vector lane by lane took four loads)
        // SAFETY: `at` is 0 or 4, so the 4 f32 from `at` lie in the chunk of 8; wasm loads may
        // be unaligned.
        let half =
            |c: &[f32; 8], at: usize| unsafe { v128_load(c.as_ptr().add(at) as *const v128) };
        let (mut lo, mut hi) = (f32x4_splat(0.0), f32x4_splat(0.0));
        for (x, y) in ca.iter().zip(cb) {
            lo = f32x4_add(lo, f32x4_mul(half(x, 0), half(y, 0)));
            hi = f32x4_add(hi, f32x4_mul(half(x, 4), half(y, 4)));
        }
        let s = f32x4_add(lo, hi);
        // (an empty sum is −0.0, which adds nothing; computed only when there is a tail: the
        // size-optimised wasm called the summing iterator on every dot)
        let tail: f32 = if ra.is_empty() {
            -0.0
        } else {
            ra.iter().zip(rb).map(|(x, y)| x * y).sum()
        };
        return f32x4_extract_lane::<0>(s)
            + f32x4_extract_lane::<1>(s)
            + f32x4_extract_lane::<2>(s)
            + f32x4_extract_lane::<3>(s)
            + tail;
    }
    #[allow(unreachable_code)]
    let (cb, rb) = b.as_chunks::<8>();
    let mut acc = [0.0f32; 8];
    for (x, y) in ca.iter().zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let tail: f32 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    (acc[0] + acc[4]) + (acc[1] + acc[5]) + (acc[2] + acc[6]) + (acc[3] + acc[7]) + tail
}

#[inline]
pub fn norm<const D: usize>(a: &[f32; D]) -> f32 {
    dot(a, a).sqrt()
}

/// `1 / |a|`, or 0 for the zero vector: `x · inv_norm(a)` is the cosine part of `x` that
/// [`unit`] would give, without a second copy of the rows.
#[inline]
pub fn inv_norm<const D: usize>(a: &[f32; D]) -> f32 {
    let n = norm(a);
    if n > 0.0 {
        1.0 / n
    } else {
        0.0
    }
}

/// `a / |a|`; the zero vector stays zero.
pub fn unit<const D: usize>(a: &[f32; D]) -> [f32; D] {
    let n = norm(a);
    if n > 0.0 {
        std::array::from_fn(|k| a[k] / n)
    } else {
        [0.0; D]
    }
}

/// Cosine similarity; 0 when either vector is zero.
pub fn cosine<const D: usize>(a: &[f32; D], b: &[f32; D]) -> f32 {
    let d = norm(a) * norm(b);
    if d > 0.0 {
        dot(a, b) / d
    } else {
        0.0
    }
}

/// Eigenvalues (largest first) and unit eigenvectors (as rows, in the same order) of a symmetric
/// matrix, by cyclic Jacobi rotations: exact to f64 precision for the small matrices here
/// (32 × 32), deterministic, no dependency.
pub fn symmetric_eigen(mut a: Vec<Vec<f64>>) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = a.len();
    let mut v: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect();
    let scale: f64 = a.iter().flatten().map(|x| x * x).sum::<f64>().sqrt();
    // any number of rotations leaves the vectors orthonormal; the sweeps only sharpen them
    for _sweep in 0..16 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum::<f64>()
            .sqrt();
        if off <= 1e-12 * scale.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                if a[p][q] == 0.0 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for row in a.iter_mut() {
                    let (x, y) = (row[p], row[q]);
                    row[p] = c * x - s * y;
                    row[q] = s * x + c * y;
                }
                let (head, tail) = a.split_at_mut(q);
                for (x, y) in head[p].iter_mut().zip(tail[0].iter_mut()) {
                    (*x, *y) = (c * *x - s * *y, s * *x + c * *y);
                }
                // columns of v are the eigenvectors
                for row in v.iter_mut() {
                    let (x, y) = (row[p], row[q]);
                    row[p] = c * x - s * y;
                    row[q] = s * x + c * y;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| a[j][j].total_cmp(&a[i][i]).then(i.cmp(&j)));
    let values = order.iter().map(|&i| a[i][i]).collect();
    let vectors = order
        .iter()
        .map(|&k| (0..n).map(|i| v[i][k]).collect())
        .collect();
    (values, vectors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn means_and_cosine() {
        let rows = [[0.0, 2.0], [2.0, 4.0], [9.0, 9.0]];
        assert_eq!(mean_of(&rows, &[0, 1, 99]), Some([1.0, 3.0]));
        assert_eq!(mean_of(&rows, &[99]), None);
        assert_eq!(mean_all(rows), [11.0 / 3.0, 5.0]);
        assert_eq!(mean_all(Vec::<[f32; 2]>::new()), [0.0, 0.0]);
        assert!((cosine(&[1.0, 0.0], &[1.0, 1.0]) - 0.70710677).abs() < 1e-6);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 1.0]), 0.0);
        assert_eq!(unit(&[3.0, 4.0]), [0.6, 0.8]);
    }

    #[test]
    fn eigen_reconstructs_a_symmetric_matrix() {
        let m = vec![
            vec![4.0, 1.0, -2.0, 0.5],
            vec![1.0, 3.0, 0.0, 1.5],
            vec![-2.0, 0.0, 5.0, -1.0],
            vec![0.5, 1.5, -1.0, 2.0],
        ];
        let (values, vectors) = symmetric_eigen(m.clone());
        assert!(values.windows(2).all(|w| w[0] >= w[1]));
        for i in 0..4 {
            for j in 0..4 {
                // orthonormal rows
                let d: f64 = (0..4).map(|k| vectors[i][k] * vectors[j][k]).sum();
                assert!((d - if i == j { 1.0 } else { 0.0 }).abs() < 1e-12);
                // m = Σ λ v vᵀ
                let r: f64 = (0..4)
                    .map(|k| values[k] * vectors[k][i] * vectors[k][j])
                    .sum();
                assert!((r - m[i][j]).abs() < 1e-12, "{i},{j}: {r} vs {}", m[i][j]);
            }
        }
    }
}
