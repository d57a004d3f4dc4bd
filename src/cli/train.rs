//! `soundalike train`: trains the autoencoder and the rating head, writes `www/weights.bin`,
//! the loss curves (`out/loss_curve.json`, `out/loss_curve.svg`) and `out/train_report.json`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use serde::Serialize;

use crate::cli::common::{epoch_bars, load_catalog, load_playlist_split, model_inputs};
use crate::eval::choose_blend;
use crate::model::train::{
    train_autoencoder, train_head, AeConfig, AeReport, EpochLog, HeadConfig, HeadReport,
};
use crate::model::Weights;
use crate::model::{encode_all, HeadInput, Objective};
use crate::recommend::Recommender;

/// Arguments of `soundalike train`.
#[derive(clap::Args, Debug, Clone)]
pub struct TrainArgs {
    /// Catalog file built by `soundalike catalog build`.
    #[arg(long, default_value = "www/catalog.bin")]
    pub catalog: PathBuf,
    /// Playlist interactions file.
    #[arg(long, default_value = "out/interactions.json")]
    pub interactions: PathBuf,
    /// Where to write the weights.
    #[arg(long, default_value = "www/weights.bin")]
    pub out: PathBuf,
    /// Directory for loss curves and the report.
    #[arg(long, default_value = "out")]
    pub report_dir: PathBuf,
    /// Maximum autoencoder epochs.
    #[arg(long, default_value_t = 30)]
    pub epochs: usize,
    /// Maximum head epochs.
    #[arg(long, default_value_t = 30)]
    pub head_epochs: usize,
    /// Seed for every split, initialisation and sampling.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Head input: `embedding` (32-d) or `profile` ([e, p⊙e], 64-d).
    #[arg(long, default_value = "profile")]
    pub head_input: String,
    /// Fraction of hard (other-playlist) negatives in head pretraining.
    #[arg(long, default_value_t = 0.0)]
    pub hard_neg_frac: f32,
    /// Negatives per positive in head pretraining.
    #[arg(long, default_value_t = 4)]
    pub neg_per_pos: usize,
    /// Autoencoder learning rate (3e-3 gave the lowest validation RMSE; 1e-3 gives 0.0367).
    #[arg(long, default_value_t = 3e-3)]
    pub ae_lr: f64,
    /// `taste`: features, era and popularity in, reconstruction + playlist co-occurrence;
    /// `paper`: the paper's autoencoder (16 features, reconstruction only).
    #[arg(long, value_enum, default_value = "taste")]
    pub objective: ObjectiveArg,
    /// Weight of the co-occurrence loss (taste objective; chosen on validation playlists).
    #[arg(long, default_value_t = AeConfig::default().contrastive)]
    pub contrastive: f32,
    /// Temperature of the co-occurrence loss.
    #[arg(long, default_value_t = AeConfig::default().temperature)]
    pub temperature: f32,
    /// Hide progress bars.
    #[arg(long)]
    pub quiet: bool,
}

/// `--objective`.
#[derive(clap::ValueEnum, Debug, Clone, Copy)]
pub enum ObjectiveArg {
    Taste,
    Paper,
}

#[derive(Serialize)]
struct Curves<'a> {
    autoencoder: &'a [EpochLog],
    head: &'a [EpochLog],
}

#[derive(Serialize)]
struct Report<'a> {
    autoencoder: &'a AeReport,
    head: &'a HeadReport,
    head_input: String,
    blend: f32,
    blend_candidates: Vec<(f32, f64, f64)>,
    playlists: (usize, usize, usize),
    ae_seconds: f64,
    head_seconds: f64,
    weights_bytes: usize,
}

/// Draw both loss curves into one SVG.
pub fn plot_curves(path: &Path, ae: &[EpochLog], head: &[EpochLog]) -> Result<()> {
    use plotters::prelude::*;
    let root = SVGBackend::new(path, (960, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    let (l, r) = root.split_horizontally(480);
    for (area, logs, title) in [(l, ae, "autoencoder MSE"), (r, head, "rating head BCE")] {
        let n = logs.len().max(2) as f32;
        let ys = logs.iter().flat_map(|e| [e.train_loss, e.val_loss]);
        let (lo, hi) = ys.fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), y| {
            (a.min(y), b.max(y))
        });
        let (lo, hi) = if lo.is_finite() {
            (lo * 0.95, hi * 1.05)
        } else {
            (0.0, 1.0)
        };
        let mut chart = ChartBuilder::on(&area)
            .caption(title, ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(60)
            .build_cartesian_2d(1f32..n, lo..hi)?;
        chart.configure_mesh().x_desc("epoch").draw()?;
        chart
            .draw_series(LineSeries::new(
                logs.iter().map(|e| (e.epoch as f32, e.train_loss)),
                &BLUE,
            ))?
            .label("train")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], BLUE));
        chart
            .draw_series(LineSeries::new(
                logs.iter().map(|e| (e.epoch as f32, e.val_loss)),
                &RED,
            ))?
            .label("validation")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], RED));
        chart.configure_series_labels().border_style(BLACK).draw()?;
    }
    root.present()?;
    Ok(())
}

/// Parse `--head-input`.
pub fn parse_head_input(s: &str) -> Result<HeadInput> {
    Ok(match s {
        "embedding" => HeadInput::Embedding,
        "profile" => HeadInput::EmbeddingProfile,
        other => bail!("unknown --head-input {other:?} (embedding | profile)"),
    })
}

/// Run `soundalike train`.
pub fn run(args: TrainArgs) -> Result<()> {
    let input = parse_head_input(&args.head_input)?;
    let catalog = load_catalog(&args.catalog)?;
    let (train_pl, val_pl, test_pl) = load_playlist_split(&catalog, &args.interactions, args.seed)?;
    eprintln!(
        "catalog: {} tracks; playlists train/val/test = {}/{}/{}",
        catalog.len(),
        train_pl.len(),
        val_pl.len(),
        test_pl.len()
    );
    let mut cb = epoch_bars(args.quiet);
    let t0 = Instant::now();
    let objective = match args.objective {
        ObjectiveArg::Taste => Objective::Taste,
        ObjectiveArg::Paper => Objective::Paper,
    };
    let ae_cfg = AeConfig {
        epochs: args.epochs,
        seed: args.seed,
        lr: args.ae_lr,
        objective,
        contrastive: args.contrastive,
        temperature: args.temperature,
        ..AeConfig::default()
    };
    let inputs = model_inputs(&catalog, objective);
    let (ae, ae_report) = train_autoencoder(&inputs, &train_pl, &val_pl, &ae_cfg, &mut cb)
        .context("autoencoder settings")?;
    let ae_seconds = t0.elapsed().as_secs_f64();
    eprintln!(
        "autoencoder ({} objective): best epoch {}, 16-feature RMSE train {:.4} / val {:.4} / test {:.4} (paper test 0.0375), {:.1}s",
        objective.name(),
        ae_report.best_epoch, ae_report.train_rmse, ae_report.val_rmse, ae_report.test_rmse, ae_seconds
    );
    let mut weights = Weights {
        autoencoder: crate::model::AutoencoderWeights::from_module(&ae),
        head: crate::model::weights::Head::new(input, &crate::model::cpu()),
        blend: 0.5,
        objective,
    };
    let emb = encode_all(&weights, &inputs);
    let t1 = Instant::now();
    let head_cfg = HeadConfig {
        epochs: args.head_epochs,
        seed: args.seed,
        hard_neg_frac: args.hard_neg_frac,
        neg_per_pos: args.neg_per_pos,
        ..HeadConfig::default()
    };
    let (head, head_report) = train_head(&emb, &train_pl, &val_pl, input, &head_cfg, &mut cb);
    let head_seconds = t1.elapsed().as_secs_f64();
    eprintln!(
        "head: best epoch {}, val BCE {:.4}, {:.1}s",
        head_report.best_epoch, head_report.best_val_loss, head_seconds
    );
    weights.head = head;
    let catalog_len = catalog.len();
    let mut rec = Recommender::new(catalog, weights.clone())?;
    let candidates = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
    let (blend, blend_rows) = choose_blend(&mut rec, &val_pl, args.seed, &candidates);
    for (b, n, r) in &blend_rows {
        eprintln!("  blend {b:.1}: val NDCG@10 {n:.4} Recall@100 {r:.4} (recommender + fine-tune)");
    }
    eprintln!("chosen blend {blend:.1} ({catalog_len} tracks)");
    weights.blend = blend;
    let bytes = weights.to_bytes();
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!("wrote {} ({} bytes)", args.out.display(), bytes.len());
    std::fs::create_dir_all(&args.report_dir)?;
    let curves = Curves {
        autoencoder: &ae_report.epochs,
        head: &head_report.epochs,
    };
    std::fs::write(
        args.report_dir.join("loss_curve.json"),
        serde_json::to_string_pretty(&curves)?,
    )?;
    plot_curves(
        &args.report_dir.join("loss_curve.svg"),
        &ae_report.epochs,
        &head_report.epochs,
    )?;
    let report = Report {
        autoencoder: &ae_report,
        head: &head_report,
        head_input: args.head_input.clone(),
        blend,
        blend_candidates: blend_rows,
        playlists: (train_pl.len(), val_pl.len(), test_pl.len()),
        ae_seconds,
        head_seconds,
        weights_bytes: bytes.len(),
    };
    std::fs::write(
        args.report_dir.join("train_report.json"),
        serde_json::to_string_pretty(&report)?,
    )?;
    eprintln!(
        "wrote {}/loss_curve.{{json,svg}} and train_report.json",
        args.report_dir.display()
    );
    Ok(())
}
