//! What the commands share: the one way to load a catalog, weights, a recommender and the
//! playlist split, progress bars (hidden when stderr is not a terminal), and text helpers.

use std::path::Path;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use crate::catalog::interactions::Interactions;
use crate::catalog::Catalog;
use crate::model::input::inputs;
use crate::model::train::{split_playlists, Progress};
use crate::model::{Input, Objective, Weights};
use crate::recommend::Recommender;

/// Read a catalog file.
pub fn load_catalog(path: &Path) -> Result<Catalog> {
    let bytes = std::fs::read(path).with_context(|| {
        format!(
            "reading catalog {} (build it with `soundalike catalog build`)",
            path.display()
        )
    })?;
    Catalog::from_bytes(&bytes).with_context(|| format!("catalog {}", path.display()))
}

/// Every catalog track's encoder input for `objective`.
pub fn model_inputs(catalog: &Catalog, objective: Objective) -> Vec<Input> {
    inputs(
        catalog
            .features
            .iter()
            .zip(catalog.tracks.iter().map(|t| t.context())),
        objective,
    )
}

/// Read a weights file.
pub fn load_weights(path: &Path) -> Result<Weights> {
    let bytes =
        std::fs::read(path).with_context(|| format!("reading weights {}", path.display()))?;
    Weights::from_bytes(&bytes).with_context(|| format!("weights {}", path.display()))
}

/// Load both files and build the recommender the page runs.
pub fn load_recommender(catalog: &Path, weights: &Path) -> Result<Recommender> {
    let (c, w) = (load_catalog(catalog)?, load_weights(weights)?);
    Recommender::new(c, w).with_context(|| format!("catalog {}", catalog.display()))
}

/// Playlists as catalog indices, split (train, validation, test) by playlist id with `seed`.
/// `soundalike train` and `soundalike eval` share this, so test playlists are never trained on.
pub type PlaylistSplit = (Vec<Vec<usize>>, Vec<Vec<usize>>, Vec<Vec<usize>>);

/// Load interactions and split them 70/10/20 by playlist id.
pub fn load_playlist_split(
    catalog: &Catalog,
    interactions: &Path,
    seed: u64,
) -> Result<PlaylistSplit> {
    let inter = Interactions::load(interactions)
        .with_context(|| format!("interactions {}", interactions.display()))?;
    let mut pls: Vec<(String, Vec<usize>)> = inter
        .playlists
        .iter()
        .map(|p| {
            let mut v: Vec<usize> = p
                .tracks
                .iter()
                .filter_map(|t| catalog.index_of(t))
                .collect();
            v.sort_unstable();
            v.dedup();
            (p.id.clone(), v)
        })
        .filter(|(_, v)| v.len() >= 2)
        .collect();
    pls.sort_by(|a, b| a.0.cmp(&b.0));
    let (tr, va, te) = split_playlists(pls.len(), seed, 0.7, 0.1);
    let pick = |ix: Vec<usize>| ix.into_iter().map(|i| pls[i].1.clone()).collect::<Vec<_>>();
    Ok((pick(tr), pick(va), pick(te)))
}

/// Truncate to `n` chars.
pub fn trunc(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n.saturating_sub(1)).chain(['…']).collect()
    }
}

/// A training-progress callback drawing one bar per epoch.
pub fn epoch_bars(quiet: bool) -> impl FnMut(Progress) {
    let mut bar: Option<ProgressBar> = None;
    let mut label = String::new();
    move |p| {
        if quiet {
            return;
        }
        match p {
            Progress::EpochStart {
                phase,
                epoch,
                batches,
            } => {
                label = format!("{phase} epoch {epoch}");
                bar = Some(steps(batches as u64, label.clone()));
            }
            Progress::Batch { loss } => {
                if let Some(b) = &bar {
                    b.inc(1);
                    b.set_message(format!("{label} loss {loss:.5}"));
                }
            }
            Progress::EpochEnd { log, .. } => {
                if let Some(b) = bar.take() {
                    b.finish_with_message(format!(
                        "{label} train {:.5} val {:.5} lr {:.1e}",
                        log.train_loss, log.val_loss, log.lr
                    ));
                }
            }
        }
    }
}

/// A byte-counting bar for reading files.
pub fn bytes(total: u64, message: impl Into<String>) -> ProgressBar {
    let pb = ProgressBar::new(total);
    pb.set_style(
        ProgressStyle::with_template("{msg:30!} [{bar:30}] {bytes}/{total_bytes} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(message.into());
    pb
}

/// A step-counting bar (epochs, queries, playlists).
pub fn steps(total: u64, message: impl Into<String>) -> ProgressBar {
    let pb = ProgressBar::new(total);
    pb.set_style(
        ProgressStyle::with_template("{msg:30!} [{bar:30}] {pos}/{len} {per_sec} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(message.into());
    pb
}
