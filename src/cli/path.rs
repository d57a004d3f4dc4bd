//! `soundalike path`: a playlist that walks from one track to another through the taste space
//! (`recommend::path`), as a table or as JSON.
//!
//! `soundalike path --from ID --to ID [--steps N] [--json] [--catalog FILE] [--weights FILE]`

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::cli::common::{load_recommender, trunc};
use crate::recommend::path::{progress, song_path, DEFAULT_STEPS};

/// Arguments of `soundalike path`.
#[derive(clap::Args, Debug, Clone)]
pub struct PathArgs {
    /// Catalog file.
    #[arg(long, default_value = "www/catalog.bin")]
    pub catalog: PathBuf,
    /// Weights file.
    #[arg(long, default_value = "www/weights.bin")]
    pub weights: PathBuf,
    /// Spotify id of the first track.
    #[arg(long)]
    pub from: String,
    /// Spotify id of the last track.
    #[arg(long)]
    pub to: String,
    /// Tracks on the path, both ends included (2–100).
    #[arg(long, default_value_t = DEFAULT_STEPS)]
    pub steps: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    name: &'a str,
    artist: &'a str,
    genre: &'a str,
    /// Cosine of the track's embedding to the destination's.
    to_destination: f32,
}

/// Run `soundalike path`.
pub fn run(args: PathArgs) -> Result<()> {
    let rec = load_recommender(&args.catalog, &args.weights)?;
    let find = |id: &str, what: &str| {
        rec.catalog().index_of(id).with_context(|| {
            format!(
                "--{what} {id:?} is not in the catalog {}",
                args.catalog.display()
            )
        })
    };
    let (from, to) = (find(&args.from, "from")?, find(&args.to, "to")?);
    let path = song_path(&rec, from, to, args.steps).context("building the path")?;
    let cos = progress(&rec, &path.tracks);
    let rows: Vec<Row> = path
        .tracks
        .iter()
        .zip(&cos)
        .map(|(&i, &c)| {
            let t = &rec.catalog().tracks[i];
            Row {
                id: &t.id,
                name: &t.name,
                artist: &t.artist,
                genre: &t.genre,
                to_destination: c,
            }
        })
        .collect();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer(
            &mut out,
            &serde_json::json!({
                "from": args.from, "to": args.to, "monotone": path.monotone, "tracks": rows
            }),
        )?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{:>3}  {:<22}  {:>6}  {:<40}  {:<14}  artist",
            "#", "id", "→ dest", "name", "genre"
        )?;
        for (n, r) in rows.iter().enumerate() {
            writeln!(
                out,
                "{:>3}  {:<22}  {:>6.3}  {:<40}  {:<14}  {}",
                n + 1,
                r.id,
                r.to_destination,
                trunc(r.name, 40),
                trunc(r.genre, 14),
                r.artist
            )?;
        }
        if !path.monotone {
            writeln!(
                out,
                "note: at some step no track was closer to the destination; the path steps back there"
            )?;
        }
    }
    out.flush()?;
    Ok(())
}
