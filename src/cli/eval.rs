//! `soundalike eval [--json]`: playlist continuation on held-out playlists through the page's
//! recommender (and baselines), plus the paper's TrackIdNet rating RMSE next to the content head's.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use serde::Serialize;

use crate::cli::common::{load_playlist_split, load_recommender, load_weights, model_inputs};
use crate::eval::folds::{cross_validate, FoldSettings};
use crate::eval::protocol::Candidates;
use crate::eval::trackid::{rating_rmse, RatingRmse};
use crate::eval::{evaluate, Baselines, EvalTable, Method};
use crate::model::train::{AeConfig, HeadConfig};
use crate::model::{encode_all, Objective};
use crate::recommend::Profile;

/// Arguments of `soundalike eval`.
#[derive(clap::Args, Debug, Clone)]
pub struct EvalArgs {
    /// Catalog file.
    #[arg(long, default_value = "www/catalog.bin")]
    pub catalog: PathBuf,
    /// Weights file.
    #[arg(long, default_value = "www/weights.bin")]
    pub weights: PathBuf,
    /// Playlist interactions file.
    #[arg(long, default_value = "out/interactions.json")]
    pub interactions: PathBuf,
    /// Seed of the playlist split (must equal the one used by `train`) and of the likes halves.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Weights of the paper's autoencoder (`train --objective paper`) for its row; the row is
    /// left out when the file does not exist.
    #[arg(long, default_value = "out/weights-paper.bin")]
    pub paper_weights: PathBuf,
    /// Override the weights' blend.
    #[arg(long)]
    pub blend: Option<f32>,
    /// The product's taste profile (to compare on validation playlists).
    #[arg(long, value_enum, default_value = "multi-interest")]
    pub profile: ProfileArg,
    /// Skip the TrackIdNet rating comparison.
    #[arg(long)]
    pub no_trackid: bool,
    /// Evaluate on validation instead of test playlists.
    #[arg(long)]
    pub on_val: bool,
    /// K-fold cross-validation over every visible playlist instead: each fold retrains the
    /// taste autoencoder and the head without its playlists (about 2 min per fold).
    #[arg(long, value_name = "K")]
    pub folds: Option<usize>,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Output {
    continuation: EvalTable,
    #[serde(skip_serializing_if = "Option::is_none")]
    rating_rmse: Option<RatingRmse>,
}

/// `--folds K`: train and score every fold, print the pooled table.
fn cross_validation(
    rec: crate::recommend::Recommender,
    playlists: Vec<Vec<usize>>,
    paper: Option<Vec<crate::model::Embedding>>,
    folds: usize,
    args: &EvalArgs,
) -> Result<()> {
    let settings = FoldSettings {
        folds,
        seed: args.seed,
        ae: AeConfig {
            seed: args.seed,
            ..AeConfig::default()
        },
        head: HeadConfig {
            seed: args.seed,
            ..HeadConfig::default()
        },
        head_input: rec.shipped_head().input,
        blend: rec.blend(),
    };
    let t = Instant::now();
    let table = cross_validate(
        rec.catalog(),
        &playlists,
        paper,
        &settings,
        &mut |f, what| {
            eprintln!(
                "fold {}/{folds}: {what} ({:.0} s)",
                f + 1,
                t.elapsed().as_secs_f64()
            )
        },
    )
    .context("cross-validation")?;
    if args.json {
        println!("{}", serde_json::to_string(&table)?);
    } else {
        println!(
            "{folds}-fold cross-validation over {} visible playlists (each fold trained without its playlists; blend {:.2}):",
            playlists.len(),
            table.blend
        );
        print!("{}", table.to_table());
    }
    Ok(())
}

/// `--profile`.
#[derive(clap::ValueEnum, Debug, Clone, Copy)]
pub enum ProfileArg {
    Centroid,
    MultiInterest,
}

/// Run `soundalike eval`.
pub fn run(args: EvalArgs) -> Result<()> {
    let t = Instant::now();
    let mut rec = load_recommender(&args.catalog, &args.weights)?;
    let (train_pl, val_pl, test_pl) =
        load_playlist_split(rec.catalog(), &args.interactions, args.seed)?;
    if let Some(b) = args.blend {
        rec.set_blend(b);
    }
    rec.set_profile(match args.profile {
        ProfileArg::Centroid => Profile::Centroid,
        ProfileArg::MultiInterest => Profile::MultiInterest,
    });
    let paper = if args.paper_weights.exists() {
        let w = load_weights(&args.paper_weights)?;
        if w.objective != Objective::Paper {
            bail!(
                "{} holds a {} autoencoder, not the paper's (train it with --objective paper)",
                args.paper_weights.display(),
                w.objective.name()
            );
        }
        Some(encode_all(
            &w,
            &model_inputs(rec.catalog(), Objective::Paper),
        ))
    } else {
        eprintln!(
            "no {}: the paper autoencoder row is left out (make it with `soundalike train --objective paper --out {0}`)",
            args.paper_weights.display()
        );
        None
    };
    eprintln!(
        "loaded and encoded {} tracks in {:.0} ms",
        rec.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    if let Some(folds) = args.folds {
        return cross_validation(
            rec,
            [train_pl, val_pl, test_pl].concat(),
            paper,
            folds,
            &args,
        );
    }
    let base = Baselines::new(&rec, paper);
    let held_out = if args.on_val { &val_pl } else { &test_pl };
    let t = Instant::now();
    let table = evaluate(&mut rec, &base, held_out, args.seed);
    eprintln!(
        "evaluated {} playlists in {:.1} s",
        table.playlists,
        t.elapsed().as_secs_f64()
    );
    let rating = (!args.no_trackid).then(|| {
        let pop: Vec<f32> = rec
            .catalog()
            .tracks
            .iter()
            .map(|t| t.popularity.map_or(0.0, f32::from))
            .collect();
        rating_rmse(
            rec.embeddings(),
            &pop,
            rec.shipped_head(),
            &train_pl,
            &val_pl,
            held_out,
            args.seed,
        )
    });
    if args.json {
        let out = Output {
            continuation: table,
            rating_rmse: rating,
        };
        println!("{}", serde_json::to_string(&out)?);
        return Ok(());
    }
    let split = if args.on_val {
        "validation"
    } else {
        "held-out test"
    };
    println!("Playlist continuation ({split} playlists; the recommender rows run the page's ranking with its default options):");
    print!("{}", table.to_table());
    for c in [Candidates::All, Candidates::Dated] {
        if let (Some(h), Some(b)) = (
            table.get(Method::RecommenderFineTuned, c),
            table.get(Method::CentredAudioCosine, c),
        ) {
            println!(
                "recommender + fine-tune / centred cosine, {c:?} tracks: NDCG@10 {:.2}x, Recall@100 {:.2}x",
                h.ndcg_at_10 / b.ndcg_at_10.max(1e-12),
                h.recall_at_100 / b.recall_at_100.max(1e-12)
            );
        }
    }
    if let Some(r) = rating {
        println!("\nRating RMSE on held-out (playlist, track) pairs, 1 = in playlist, 0 = sampled negative:");
        print!("{}", r.to_table());
    }
    Ok(())
}
