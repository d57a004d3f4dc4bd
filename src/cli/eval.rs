//! `soundalike eval [--json]`: playlist continuation on held-out playlists through the page's
//! recommender (and baselines), plus the paper's TrackIdNet rating RMSE next to the content head's.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use serde::Serialize;

use crate::cli::common::{load_playlist_split, load_recommender};
use crate::eval::protocol::Candidates;
use crate::eval::trackid::{rating_rmse, RatingRmse};
use crate::eval::{evaluate, EvalTable, Method};

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
    let t = Instant::now();
    let mut rec = load_recommender(&args.catalog, &args.weights)?;
    let (train_pl, val_pl, test_pl) =
        load_playlist_split(rec.catalog(), &args.interactions, args.seed)?;
    if let Some(b) = args.blend {
        rec.set_blend(b);
    }
    eprintln!(
        "loaded and encoded {} tracks in {:.0} ms",
        rec.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    let held_out = if args.on_val { &val_pl } else { &test_pl };
    let t = Instant::now();
    let table = evaluate(&mut rec, held_out, args.seed);
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
