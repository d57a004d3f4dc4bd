//! Insight over the catalog's features: the Pearson correlation matrix and its strongest pairs.

use crate::catalog::features::{Features, FEATURE_NAMES, N_FEATURES};

/// Pearson correlation between every pair of the 16 features (1 on the diagonal; 0 where a
/// feature is constant).
pub fn correlation_matrix(rows: &[Features]) -> [[f32; N_FEATURES]; N_FEATURES] {
    let n = rows.len().max(1) as f64;
    let mut mean = [0f64; N_FEATURES];
    for r in rows {
        for j in 0..N_FEATURES {
            mean[j] += r[j] as f64;
        }
    }
    mean.iter_mut().for_each(|m| *m /= n);
    let mut cov = [[0f64; N_FEATURES]; N_FEATURES];
    for r in rows {
        let d: [f64; N_FEATURES] = std::array::from_fn(|j| r[j] as f64 - mean[j]);
        for a in 0..N_FEATURES {
            for b in a..N_FEATURES {
                cov[a][b] += d[a] * d[b];
            }
        }
    }
    let mut out = [[0f32; N_FEATURES]; N_FEATURES];
    for a in 0..N_FEATURES {
        for b in a..N_FEATURES {
            let denom = (cov[a][a] * cov[b][b]).sqrt();
            let c = if a == b {
                1.0
            } else if denom > 0.0 {
                cov[a][b] / denom
            } else {
                0.0
            };
            out[a][b] = c as f32;
            out[b][a] = c as f32;
        }
    }
    out
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
