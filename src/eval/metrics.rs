//! Ranking metrics with binary relevance: R-precision, NDCG@k, Recall@k.

use std::collections::HashSet;

/// How many of the first `k` ranked are targets.
fn hits(ranked: &[usize], targets: &HashSet<usize>, k: usize) -> usize {
    ranked
        .iter()
        .take(k)
        .filter(|i| targets.contains(i))
        .count()
}

/// R-precision: fraction of the top-|targets| that are targets.
pub fn r_precision(ranked: &[usize], targets: &HashSet<usize>) -> f64 {
    recall_at(ranked, targets, targets.len())
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
    hits(ranked, targets, k) as f64 / targets.len() as f64
}
