//! Cross-validation over every visible playlist: K folds, each with a taste autoencoder and a
//! rating head trained without its playlists and then scored on them. The per-playlist metrics
//! of all folds are pooled, so the table rests on every playlist instead of one test split of
//! 75 (whose intervals are wide).

use super::protocol::{score_playlists, Baselines, EvalTable, PerPlaylist};
use crate::catalog::Catalog;
use crate::model::input::inputs;
use crate::model::train::{train_autoencoder, train_head, AeConfig, ConfigError, HeadConfig};
use crate::model::{encode_all, Embedding, Head, HeadInput, Objective, Weights};
use crate::recommend::{LoadError, Recommender};
use crate::rng::Rng64;

/// How the folds are made and trained.
#[derive(Debug, Clone)]
pub struct FoldSettings {
    pub folds: usize,
    pub seed: u64,
    pub ae: AeConfig,
    pub head: HeadConfig,
    pub head_input: HeadInput,
    /// The hybrid blend of every fold (the shipped one: choosing it per fold would need a
    /// validation sweep per fold).
    pub blend: f32,
}

/// Why cross-validation could not run.
#[derive(Debug, thiserror::Error)]
pub enum FoldError {
    #[error("cross-validation needs at least 2 folds and one playlist per fold, got {folds} folds for {playlists} playlists")]
    TooFew { folds: usize, playlists: usize },
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Load(#[from] LoadError),
}

/// Fold of each playlist: a seeded permutation dealt round-robin.
pub fn assign_folds(n: usize, folds: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    Rng64::fork(seed, 0xF01D).shuffle(&mut order);
    let mut fold = vec![0; n];
    for (pos, &i) in order.iter().enumerate() {
        fold[i] = pos % folds.max(1);
    }
    fold
}

/// Train and score every fold; `paper` is every track's embedding under the paper's
/// autoencoder (it sees no playlists, so one model serves all folds). `progress(fold, what)`
/// reports each step.
pub fn cross_validate(
    catalog: &Catalog,
    playlists: &[Vec<usize>],
    paper: Option<Vec<Embedding>>,
    s: &FoldSettings,
    progress: &mut dyn FnMut(usize, &str),
) -> Result<EvalTable, FoldError> {
    if s.folds < 2 || playlists.len() < s.folds {
        return Err(FoldError::TooFew {
            folds: s.folds,
            playlists: playlists.len(),
        });
    }
    let x = inputs(
        catalog
            .features
            .iter()
            .zip(catalog.tracks.iter().map(|t| t.context())),
        Objective::Taste,
    );
    let fold_of = assign_folds(playlists.len(), s.folds, s.seed);
    let mut pooled = PerPlaylist::empty();
    for f in 0..s.folds {
        let pick = |keep: &dyn Fn(usize) -> bool| -> Vec<Vec<usize>> {
            (0..playlists.len())
                .filter(|&i| keep(i))
                .map(|i| playlists[i].clone())
                .collect()
        };
        let test = pick(&|i| fold_of[i] == f);
        // of the other folds' playlists, every tenth is for early stopping
        let val = pick(&|i| fold_of[i] != f && i % 10 == 0);
        let train = pick(&|i| fold_of[i] != f && i % 10 != 0);
        progress(f, "training the taste autoencoder");
        let (autoencoder, _) = train_autoencoder(&x, &train, &val, &s.ae, &mut |_| {})?;
        let mut weights = Weights {
            autoencoder: crate::model::AutoencoderWeights::from_module(&autoencoder),
            head: Head::new(s.head_input, &crate::model::cpu()),
            blend: s.blend,
            objective: Objective::Taste,
        };
        progress(f, "training the rating head");
        let emb = encode_all(&weights, &x);
        weights.head = train_head(&emb, &train, &val, s.head_input, &s.head, &mut |_| {}).0;
        progress(f, "scoring its playlists");
        let mut rec = Recommender::new(catalog.clone(), weights)?;
        let base = Baselines::new(&rec, paper.clone());
        let per = score_playlists(&mut rec, &base, &test, s.seed);
        pooled.extend(per);
    }
    Ok(pooled.table(s.seed, s.blend))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_are_balanced_and_seeded() {
        let f = assign_folds(23, 5, 1);
        let mut counts = [0; 5];
        for &x in &f {
            counts[x] += 1;
        }
        assert_eq!(counts.iter().sum::<usize>(), 23);
        assert!(counts.iter().all(|&c| c == 4 || c == 5), "{counts:?}");
        assert_eq!(f, assign_folds(23, 5, 1));
        assert_ne!(f, assign_folds(23, 5, 2));
    }
}
