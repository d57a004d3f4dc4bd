//! Score arithmetic the ranking shares with the evaluation's baselines: standardising and an
//! exact top-k.

/// Standardise in place (mean 0, sd 1); constant input becomes all zeros.
pub fn zscore(v: &mut [f32]) {
    if v.is_empty() {
        return;
    }
    let n = v.len() as f64;
    let mean = v.iter().map(|&x| x as f64).sum::<f64>() / n;
    let var = v.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / n;
    let sd = var.sqrt();
    for x in v.iter_mut() {
        *x = if sd > 1e-12 {
            ((*x as f64 - mean) / sd) as f32
        } else {
            0.0
        };
    }
}

/// Best first; ties go to the lower index so every ranking is deterministic.
pub fn by_score(a: &(usize, f32), b: &(usize, f32)) -> std::cmp::Ordering {
    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
}

/// Keep the `k` best of `cand` (by [`by_score`]), sorted best first. O(n) select, then a sort of k.
pub fn keep_best(cand: &mut Vec<(usize, f32)>, k: usize) {
    if k == 0 {
        cand.clear();
        return;
    }
    if cand.len() > k {
        cand.select_nth_unstable_by(k - 1, by_score);
        cand.truncate(k);
    }
    cand.sort_by(by_score);
}

/// Exact top-k of a score per track (descending; ties by lower index), skipping `exclude` and NaNs.
pub fn top_k(scores: &[f32], k: usize, exclude: &[usize]) -> Vec<(usize, f32)> {
    let mut skip = vec![false; scores.len()];
    for &e in exclude {
        if let Some(s) = skip.get_mut(e) {
            *s = true;
        }
    }
    let mut cand: Vec<(usize, f32)> = scores
        .iter()
        .enumerate()
        .filter(|&(i, s)| !skip[i] && !s.is_nan())
        .map(|(i, &s)| (i, s))
        .collect();
    keep_best(&mut cand, k);
    cand
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_exact_and_excludes() {
        let s = vec![0.1, 0.9, 0.5, 0.9, -1.0, f32::NAN, 0.7];
        let t = top_k(&s, 3, &[3]);
        assert_eq!(t.iter().map(|x| x.0).collect::<Vec<_>>(), vec![1, 6, 2]);
        assert_eq!(top_k(&s, 100, &[]).len(), 6);
        assert!(top_k(&[], 5, &[]).is_empty());
        assert!(top_k(&s, 0, &[]).is_empty());
    }

    #[test]
    fn zscore_standardises() {
        let mut v = vec![1.0, 2.0, 3.0];
        zscore(&mut v);
        assert!((v[0] + 1.2247449).abs() < 1e-5 && v[1].abs() < 1e-6);
        let mut c = vec![5.0; 4];
        zscore(&mut c);
        assert_eq!(c, vec![0.0; 4]);
    }
}
