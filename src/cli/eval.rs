//! `soundalike eval [--json]`: playlist continuation on held-out playlists, plus the paper's
//! TrackIdNet rating RMSE next to the content head's.

use std::path::PathBuf;

use anyhow::Result;
use serde::Serialize;

use crate::cli::train::{load_catalog, load_playlist_split, load_weights, popularity};
use crate::eval::{evaluate, EvalInput, EvalTable};
use crate::finetune::FineTuneConfig;
use crate::rank::encode_all;
use crate::trackid::{rating_rmse, RatingRmse};

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
    /// Override the weights' blend.
    #[arg(long)]
    pub blend: Option<f32>,
    /// Skip the TrackIdNet rating comparison.
    #[arg(long)]
    pub no_trackid: bool,
    /// Evaluate on validation instead of test playlists.
    #[arg(long)]
    pub on_val: bool,
    /// Fine-tune steps (default: FineTuneConfig::default()).
    #[arg(long)]
    pub ft_steps: Option<usize>,
    /// Fine-tune learning rate.
    #[arg(long)]
    pub ft_lr: Option<f64>,
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

/// Run `soundalike eval`.
pub fn run(args: EvalArgs) -> Result<()> {
    let catalog = load_catalog(&args.catalog)?;
    let weights = load_weights(&args.weights)?;
    let (train_pl, val_pl, test_pl) = load_playlist_split(&catalog, &args.interactions, args.seed)?;
    let t = std::time::Instant::now();
    let emb = encode_all(&weights, &catalog.features);
    let encode_ms = t.elapsed().as_secs_f64() * 1e3;
    let likes50: Vec<usize> = test_pl.iter().flatten().copied().take(50).collect();
    let t = std::time::Instant::now();
    let ft = crate::finetune::fine_tune(
        &weights.head,
        &emb,
        &likes50,
        &[],
        FineTuneConfig::default(),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let finetune_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = std::time::Instant::now();
    let p = crate::rank::profile(&emb, &likes50);
    let _ = crate::rank::head_scores(&ft, &emb, p.as_ref());
    let head_ms = t.elapsed().as_secs_f64() * 1e3;
    eprintln!(
        "timings (native): encode_all {} tracks {encode_ms:.1} ms; fine-tune {} likes {finetune_ms:.1} ms; head_scores {head_ms:.1} ms",
        emb.len(),
        likes50.len()
    );
    let pop = popularity(&catalog);
    let inp = EvalInput {
        features: &catalog.features,
        embeddings: &emb,
        popularity: &pop,
        head: &weights.head,
        blend: args.blend.unwrap_or(weights.blend),
        finetune: FineTuneConfig {
            steps: args.ft_steps.unwrap_or(FineTuneConfig::default().steps),
            lr: args.ft_lr.unwrap_or(FineTuneConfig::default().lr),
            ..FineTuneConfig::default()
        },
    };
    let held_out = if args.on_val { &val_pl } else { &test_pl };
    let table = evaluate(&inp, held_out, args.seed);
    let rating = if args.no_trackid {
        None
    } else {
        Some(rating_rmse(
            &emb,
            &pop,
            &weights.head,
            &train_pl,
            &val_pl,
            held_out,
            args.seed,
        ))
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&Output {
                continuation: table,
                rating_rmse: rating
            })?
        );
    } else {
        println!(
            "Playlist continuation ({} playlists):",
            if args.on_val {
                "validation"
            } else {
                "held-out test"
            }
        );
        print!("{}", table.to_table());
        if let (Some(h), Some(c)) = (
            table.get("hybrid + fine-tune"),
            table.get("content cosine (16 feats)"),
        ) {
            println!(
                "hybrid / content-cosine NDCG@10 = {:.2}x",
                h.ndcg_at_10 / c.ndcg_at_10.max(1e-12)
            );
        }
        if let Some(r) = rating {
            println!("\nRating RMSE on held-out (playlist, track) pairs, 1 = in playlist, 0 = sampled negative:");
            print!("{}", r.to_table());
        }
    }
    Ok(())
}
