//! 2-D PCA of the embeddings for the map.
//!
//! The covariance is estimated on at most `max_sample` evenly strided rows, so
//! the cost stays bounded for the full catalog; the two leading eigenvectors
//! come from power iteration with deflation, started from a fixed vector
//! (deterministic). Signs are fixed so that the largest-magnitude loading of
//! each axis is positive.

#![allow(clippy::needless_range_loop)] // numeric loops over fixed-size arrays read best with indices

#[derive(Debug, Clone, PartialEq)]
pub struct Pca<const D: usize> {
    pub mean: [f32; D],
    pub axes: [[f32; D]; 2],
    /// Variance along each axis.
    pub variance: [f32; 2],
}

impl<const D: usize> Pca<D> {
    pub fn fit(rows: &[[f32; D]], max_sample: usize) -> Self {
        let n = rows.len();
        let stride = if max_sample == 0 || n <= max_sample {
            1
        } else {
            n.div_ceil(max_sample)
        };
        let sample: Vec<&[f32; D]> = rows.iter().step_by(stride.max(1)).collect();
        let m = sample.len().max(1) as f64;
        let mut mean = [0.0f64; D];
        for r in &sample {
            for i in 0..D {
                mean[i] += r[i] as f64;
            }
        }
        for v in mean.iter_mut() {
            *v /= m;
        }
        let mut cov = vec![[0.0f64; D]; D];
        let mut c = [0.0f64; D];
        for r in &sample {
            for i in 0..D {
                c[i] = r[i] as f64 - mean[i];
            }
            for i in 0..D {
                let ci = c[i];
                let row = &mut cov[i];
                for j in i..D {
                    row[j] += ci * c[j];
                }
            }
        }
        for i in 0..D {
            for j in i..D {
                cov[i][j] /= m;
                cov[j][i] = cov[i][j];
            }
        }
        let mut axes = [[0.0f32; D]; 2];
        let mut variance = [0.0f32; 2];
        for k in 0..2 {
            let mut v = [0.0f64; D];
            for (i, x) in v.iter_mut().enumerate() {
                *x = 1.0 + (i as f64) * 0.01 + if i % 2 == k { 0.5 } else { 0.0 };
            }
            let mut lambda = 0.0;
            for _ in 0..200 {
                let mut w = [0.0f64; D];
                for i in 0..D {
                    w[i] = (0..D).map(|j| cov[i][j] * v[j]).sum();
                }
                let norm = w.iter().map(|x| x * x).sum::<f64>().sqrt();
                if norm < 1e-12 {
                    break;
                }
                for i in 0..D {
                    w[i] /= norm;
                }
                let diff: f64 = w.iter().zip(&v).map(|(a, b)| (a - b).abs()).sum();
                v = w;
                lambda = norm;
                if diff < 1e-9 {
                    break;
                }
            }
            // fix the sign
            let (imax, _) = v.iter().enumerate().fold((0, 0.0f64), |acc, (i, &x)| {
                if x.abs() > acc.1 {
                    (i, x.abs())
                } else {
                    acc
                }
            });
            if v[imax] < 0.0 {
                for x in v.iter_mut() {
                    *x = -*x;
                }
            }
            // deflate
            for i in 0..D {
                for j in 0..D {
                    cov[i][j] -= lambda * v[i] * v[j];
                }
            }
            for i in 0..D {
                axes[k][i] = v[i] as f32;
            }
            variance[k] = lambda as f32;
        }
        let mut meanf = [0.0f32; D];
        for i in 0..D {
            meanf[i] = mean[i] as f32;
        }
        Pca {
            mean: meanf,
            axes,
            variance,
        }
    }

    pub fn project(&self, x: &[f32; D]) -> [f32; 2] {
        let mut out = [0.0; 2];
        for k in 0..2 {
            out[k] = (0..D)
                .map(|i| (x[i] - self.mean[i]) * self.axes[k][i])
                .sum();
        }
        out
    }
}

/// Bounding box (min x, min y, max x, max y) of the points, robust to outliers:
/// the `q` and `1-q` quantiles per axis (q = 0 gives the plain min/max).
pub fn bounds(points: &[[f32; 2]], q: f32) -> [f32; 4] {
    if points.is_empty() {
        return [0.0, 0.0, 1.0, 1.0];
    }
    let mut out = [0.0; 4];
    for a in 0..2 {
        let mut v: Vec<f32> = points
            .iter()
            .map(|p| p[a])
            .filter(|x| x.is_finite())
            .collect();
        if v.is_empty() {
            return [0.0, 0.0, 1.0, 1.0];
        }
        v.sort_by(f32::total_cmp);
        let lo = v[((v.len() - 1) as f32 * q) as usize];
        let hi = v[((v.len() - 1) as f32 * (1.0 - q)).round() as usize];
        let (lo, hi) = if hi - lo < 1e-9 {
            (lo - 0.5, hi + 0.5)
        } else {
            (lo, hi)
        };
        out[a] = lo;
        out[a + 2] = hi;
    }
    out
}

/// The 2-D map of a catalog's embeddings: the PCA and robust bounds, both from a strided sample,
/// so fitting costs the same at 66k tracks as at a million; points are projected when drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddingMap<const D: usize> {
    pub pca: Pca<D>,
    /// (min x, min y, max x, max y), the 0.5% and 99.5% quantiles.
    pub bounds: [f32; 4],
}

impl<const D: usize> EmbeddingMap<D> {
    /// Rows the covariance and the bounds are estimated on (strided), so the cost stays bounded.
    pub const SAMPLE: usize = 2000;

    pub fn fit(rows: &[[f32; D]]) -> Self {
        let pca = Pca::fit(rows, Self::SAMPLE);
        let stride = rows.len().div_ceil(Self::SAMPLE).max(1);
        let sample: Vec<[f32; 2]> = rows
            .iter()
            .step_by(stride)
            .map(|r| pca.project(r))
            .collect();
        let bounds = bounds(&sample, 0.005);
        EmbeddingMap { pca, bounds }
    }

    /// Where an embedding lands.
    pub fn project(&self, x: &[f32; D]) -> [f32; 2] {
        self.pca.project(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_main_axes() {
        // points spread along (1,1,0) strongly and (1,-1,0) weakly
        let mut rows = Vec::new();
        for i in 0..200 {
            let t = i as f32 / 10.0 - 10.0;
            let s = ((i * 7) % 11) as f32 / 11.0 - 0.5;
            rows.push([t + s, t - s, 0.3]);
        }
        let pca = Pca::fit(&rows, 0);
        let a = pca.axes[0];
        assert!(
            (a[0] - a[1]).abs() < 1e-3
                && (a[0].abs() - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-3,
            "{a:?}"
        );
        assert!(a[2].abs() < 1e-4);
        let b = pca.axes[1];
        assert!((b[0] + b[1]).abs() < 1e-3, "{b:?}");
        assert!(pca.variance[0] > pca.variance[1]);
        let p = pca.project(&[1.0, 1.0, 0.3]);
        let q = pca.project(&[-1.0, -1.0, 0.3]);
        assert!((p[0] + q[0]).abs() < 0.2 && (p[0] - q[0]).abs() > 2.0);
    }

    #[test]
    fn sampling_gives_similar_axes_and_is_deterministic() {
        let rows: Vec<[f32; 4]> = (0..5000)
            .map(|i| {
                let t = (i as f32 * 0.37).sin();
                [t, 2.0 * t, ((i * 13) % 17) as f32 / 170.0, 0.0]
            })
            .collect();
        let full = Pca::fit(&rows, 0);
        let sampled = Pca::fit(&rows, 500);
        let dot: f32 = (0..4).map(|i| full.axes[0][i] * sampled.axes[0][i]).sum();
        assert!(dot.abs() > 0.99);
        assert_eq!(Pca::fit(&rows, 500), sampled);
    }

    #[test]
    fn bounds_handles_degenerate_input() {
        assert_eq!(bounds(&[], 0.0), [0.0, 0.0, 1.0, 1.0]);
        let b = bounds(&[[1.0, 1.0], [1.0, 1.0]], 0.0);
        assert!(b[2] > b[0] && b[3] > b[1]);
        let b = bounds(&[[0.0, 0.0], [2.0, 4.0], [1.0, 1.0]], 0.0);
        assert_eq!(b, [0.0, 0.0, 2.0, 4.0]);
    }
}
