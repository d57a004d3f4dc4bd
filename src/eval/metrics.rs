//! Ranking metrics with binary relevance: R-precision, NDCG@k, Recall@k.

use std::collections::HashSet;

/// R-precision: fraction of the top-|targets| that are targets.
pub fn r_precision(ranked: &[usize], targets: &HashSet<usize>) -> f64 {
    let r = targets.len();
    if r == 0 {
        return 0.0;
    }
    ranked
        .iter()
        .take(r)
        .filter(|i| targets.contains(i))
        .count() as f64
        / r as f64
}

/// Binary-relevance NDCG@k.
pub fn ndcg_at(ranked: &[usize], targets: &HashSet<usize>, k: usize) -> f64 {
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .filter(|(_, i)| targets.contains(i))
        .map(|(p, _)| 1.0 / (p as f64 + 2.0).log2())
        .sum();
    let ideal: f64 = (0..targets.len().min(k))
        .map(|p| 1.0 / (p as f64 + 2.0).log2())
        .sum();
    if ideal > 0.0 {
        dcg / ideal
    } else {
        0.0
    }
}

/// Recall@k.
pub fn recall_at(ranked: &[usize], targets: &HashSet<usize>, k: usize) -> f64 {
    if targets.is_empty() {
        return 0.0;
    }
    ranked
        .iter()
        .take(k)
        .filter(|i| targets.contains(i))
        .count() as f64
        / targets.len() as f64
}
