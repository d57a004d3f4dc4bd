//! `soundalike catalog build|info|synth`.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::catalog::features::FEATURE_NAMES;
use crate::catalog::{default_data_dir, ingest, synth, Catalog};

#[derive(Subcommand)]
pub enum CatalogCommand {
    /// Read Spotify feature CSVs, clean and merge them, and write the catalog file.
    Build(BuildArgs),
    /// Print a catalog's counts, size and per-feature ranges.
    Info(InfoArgs),
    /// Write a synthetic benchmark catalog: real tracks' features resampled with small noise,
    /// flagged as synthetic in the file (the page says so). For benchmarks only.
    Synth(SynthArgs),
}

#[derive(Args)]
pub struct SynthArgs {
    /// How many tracks to make (e.g. 1000000).
    #[arg(long)]
    pub tracks: usize,
    /// Where to write the synthetic catalog.
    #[arg(long)]
    pub out: PathBuf,
    /// The real catalog to resample.
    #[arg(long = "from", default_value = "www/catalog.bin")]
    pub from: PathBuf,
    /// Seed of the resampling and the noise.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Args)]
pub struct BuildArgs {
    /// CSV file or directory of CSVs (repeatable). Default: $SOUNDALIKE_DATA or ../shared/data.
    #[arg(long = "input", value_name = "PATH")]
    pub inputs: Vec<PathBuf>,
    /// Where to write the catalog.
    #[arg(long, default_value = "www/catalog.bin")]
    pub out: PathBuf,
    /// Where to write the playlist interactions (for training and evaluation).
    #[arg(long, default_value = "out/interactions.json")]
    pub interactions: PathBuf,
    /// Print the build report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct InfoArgs {
    /// The catalog file.
    pub file: PathBuf,
}

pub fn run(cmd: CatalogCommand) -> anyhow::Result<()> {
    match cmd {
        CatalogCommand::Build(a) => build(a),
        CatalogCommand::Info(a) => info(a),
        CatalogCommand::Synth(a) => synthesize(a),
    }
}

fn build(args: BuildArgs) -> anyhow::Result<()> {
    let start = Instant::now();
    let inputs = if args.inputs.is_empty() {
        vec![default_data_dir()]
    } else {
        args.inputs
    };
    let files = ingest::collect_csvs(&inputs)?;
    let total: u64 = files
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let pb = super::common::bytes(total, "reading CSVs");
    // Position = bytes of the files already read + bytes read of the current one.
    let mut offset = 0u64;
    let mut current: Option<(PathBuf, u64)> = None;
    let built = ingest::build_catalog(&inputs, |path, read, size| {
        if current.as_ref().map(|(p, _)| p.as_path()) != Some(path) {
            if let Some((_, prev)) = current.take() {
                offset += prev;
            }
            current = Some((path.to_path_buf(), size));
            pb.set_message(
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
        }
        pb.set_position(offset + read.min(size));
    })?;
    pb.finish_and_clear();
    pb.set_message("compressing");
    let bytes = built.catalog.to_bytes().with_context(|| {
        format!(
            "encoding {} from {}",
            args.out.display(),
            files
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
    built
        .interactions
        .save(&args.interactions)
        .with_context(|| format!("writing {}", args.interactions.display()))?;
    let secs = start.elapsed().as_secs_f64();
    let n = built.catalog.len();
    if args.json {
        let v = serde_json::json!({
            "report": built.report,
            "tracks": n,
            "catalog_bytes": bytes.len(),
            "bytes_per_track": bytes.len() as f64 / n as f64,
            "seconds": secs,
        });
        println!("{v}");
    } else {
        eprint!("{}", built.report);
        eprintln!(
            "wrote {} ({} bytes, {:.2} bytes/track for {} tracks) and {} in {:.1} s",
            args.out.display(),
            bytes.len(),
            bytes.len() as f64 / n as f64,
            n,
            args.interactions.display(),
            secs
        );
    }
    Ok(())
}

fn synthesize(args: SynthArgs) -> anyhow::Result<()> {
    let start = Instant::now();
    let (source, _) = load(&args.from)?;
    let cat = synth::synthesize(&source, args.tracks, args.seed)
        .with_context(|| format!("synthesizing from {}", args.from.display()))?;
    let bytes = cat
        .to_bytes()
        .with_context(|| format!("encoding {}", args.out.display()))?;
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!(
        "wrote synthetic benchmark catalog {} ({} tracks resampled from {} real ones of {}, seed {}, {} bytes) in {:.1} s",
        args.out.display(),
        cat.len(),
        source.len(),
        args.from.display(),
        args.seed,
        bytes.len(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Read and decode a catalog file, naming the file in any error.
pub fn load(path: &std::path::Path) -> anyhow::Result<(Catalog, usize)> {
    let bytes = std::fs::read(path).with_context(|| {
        format!(
            "reading catalog {} (build it with `soundalike catalog build`)",
            path.display()
        )
    })?;
    let cat =
        Catalog::from_bytes(&bytes).with_context(|| format!("decoding {}", path.display()))?;
    Ok((cat, bytes.len()))
}

fn info(args: InfoArgs) -> anyhow::Result<()> {
    let (cat, size) = load(&args.file)?;
    let n = cat.len();
    let with_pop = cat.tracks.iter().filter(|t| t.popularity.is_some()).count();
    let with_year = cat.tracks.iter().filter(|t| t.year.is_some()).count();
    let with_genre = cat.tracks.iter().filter(|t| !t.genre.is_empty()).count();
    let artists: std::collections::HashSet<&str> = cat.tracks.iter().map(|t| &*t.artist).collect();
    println!("{}", args.file.display());
    if let Some(s) = cat.synthetic() {
        println!(
            "  SYNTHETIC benchmark catalog (resampled from {} real tracks, seed {})",
            s.source_tracks, s.seed
        );
    }
    println!("  tracks          {n}");
    println!("  artists         {}", artists.len());
    println!("  with popularity {with_pop}");
    println!("  with year       {with_year}");
    println!("  with genre      {with_genre}");
    println!(
        "  bytes           {size} ({:.2} per track)",
        size as f64 / n.max(1) as f64
    );
    println!(
        "  {:<22} {:>10} {:>10}   (raw units; all scaled to [0,1])",
        "feature", "min", "max"
    );
    for (j, name) in FEATURE_NAMES.iter().enumerate() {
        println!(
            "  {:<22} {:>10.4} {:>10.4}",
            name, cat.scaler.min[j], cat.scaler.max[j]
        );
    }
    Ok(())
}
