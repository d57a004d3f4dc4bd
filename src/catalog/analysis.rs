//! Insight over the catalog's features: the Pearson correlation matrix and its strongest pairs.

use crate::catalog::features::{Features, FEATURE_NAMES, N_FEATURES};

/// Pearson correlation between every pair of the 16 features (1 on the diagonal; 0 where a
/// feature is constant).
pub fn correlation_matrix(rows: &[Features]) -> [[f32; N_FEATURES]; N_FEATURES] {
    let mut c = Correlations::default();
    c.push(rows);
    c.matrix()
}

/// [`correlation_matrix`] accumulated a slice of rows at a time (the page yields between slices):
/// sums and cross-products in f64, where features in [0, 1] lose nothing that shows.
#[derive(Debug, Clone)]
pub struct Correlations {
    n: f64,
    sum: [f64; N_FEATURES],
    cross: [[f64; N_FEATURES]; N_FEATURES],
}

impl Default for Correlations {
    fn default() -> Self {
        Correlations {
            n: 0.0,
            sum: [0.0; N_FEATURES],
            cross: [[0.0; N_FEATURES]; N_FEATURES],
        }
    }
}

impl Correlations {
    pub fn push(&mut self, rows: &[Features]) {
        for r in rows {
            let d: [f64; N_FEATURES] = std::array::from_fn(|j| r[j] as f64);
            for a in 0..N_FEATURES {
                self.sum[a] += d[a];
                for b in a..N_FEATURES {
                    self.cross[a][b] += d[a] * d[b];
                }
            }
        }
        self.n += rows.len() as f64;
    }

    pub fn matrix(&self) -> [[f32; N_FEATURES]; N_FEATURES] {
        let n = self.n.max(1.0);
        let cov = |a: usize, b: usize| self.cross[a][b] - self.sum[a] * self.sum[b] / n;
        std::array::from_fn(|a| {
            std::array::from_fn(|b| {
                let denom = (cov(a, a) * cov(b, b)).sqrt();
                if a == b {
                    1.0
                } else if denom > 1e-9 * n {
                    (cov(a.min(b), a.max(b)) / denom).clamp(-1.0, 1.0) as f32
                } else {
                    0.0
                }
            })
        })
    }
}

/// A named pair of features and their correlation.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Pair {
    pub a: &'static str,
    pub b: &'static str,
    pub r: f32,
}

/// The `k` off-diagonal pairs with the largest |r|, strongest first.
pub fn strongest_pairs(m: &[[f32; N_FEATURES]; N_FEATURES], k: usize) -> Vec<Pair> {
    let mut pairs: Vec<Pair> = (0..N_FEATURES)
        .flat_map(|a| ((a + 1)..N_FEATURES).map(move |b| (a, b)))
        .map(|(a, b)| Pair {
            a: FEATURE_NAMES[a],
            b: FEATURE_NAMES[b],
            r: m[a][b],
        })
        .collect();
    pairs.sort_by(|x, y| y.r.abs().total_cmp(&x.r.abs()));
    pairs.truncate(k);
    pairs
}

/// Correlation between two features by name.
pub fn correlation(m: &[[f32; N_FEATURES]; N_FEATURES], a: &str, b: &str) -> Option<f32> {
    let i = FEATURE_NAMES.iter().position(|n| *n == a)?;
    let j = FEATURE_NAMES.iter().position(|n| *n == b)?;
    Some(m[i][j])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_give_the_whole_matrix() {
        let rows: Vec<Features> = (0..1000)
            .map(|i| std::array::from_fn(|j| ((i * (j + 3) * 7919) % 101) as f32 / 100.0))
            .collect();
        let mut c = Correlations::default();
        for part in rows.chunks(97) {
            c.push(part);
        }
        let whole = correlation_matrix(&rows);
        for (a, b) in c.matrix().iter().flatten().zip(whole.iter().flatten()) {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
        assert!(whole
            .iter()
            .flatten()
            .any(|v| v.abs() > 0.05 && v.abs() < 0.99));
    }

    #[test]
    fn perfectly_correlated_and_anticorrelated_columns() {
        let rows: Vec<Features> = (0..50)
            .map(|i| {
                let x = i as f32 / 49.0;
                let mut f = [0.5; N_FEATURES];
                f[0] = x;
                f[1] = 2.0 * x + 0.1;
                f[2] = 1.0 - x;
                f[3] = ((i * 7919) % 13) as f32;
                f
            })
            .collect();
        let m = correlation_matrix(&rows);
        assert!((m[0][1] - 1.0).abs() < 1e-5);
        assert!((m[0][2] + 1.0).abs() < 1e-5);
        assert_eq!(m[5][6], 0.0, "constant columns have no correlation");
        assert_eq!(strongest_pairs(&m, 1)[0].r.abs().round(), 1.0);
    }
}
