//! `soundalike place --catalog FILE --weights PATH --csv NEW.csv [--k N] [--json]`: the
//! record-label use case. Each track of a CSV (any supported schema) is scaled with the catalog's
//! stored scaler, embedded, and matched to its k nearest catalog tracks by cosine similarity in
//! the embedding space (never to itself by id).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{anyhow, Result};
use serde::Serialize;

use crate::cli::common::{load_recommender, trunc};

/// Arguments of `soundalike place`.
#[derive(clap::Args, Debug, Clone)]
pub struct PlaceArgs {
    /// Catalog file.
    #[arg(long, default_value = "www/catalog.bin")]
    pub catalog: PathBuf,
    /// Weights file.
    #[arg(long, default_value = "www/weights.bin")]
    pub weights: PathBuf,
    /// CSV of new tracks in any supported schema.
    #[arg(long)]
    pub csv: PathBuf,
    /// Neighbours per track.
    #[arg(long, default_value_t = 10)]
    pub k: usize,
    /// One JSON line per placed track.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct TrackRef<'a> {
    id: &'a str,
    name: &'a str,
    artist: &'a str,
}

#[derive(Serialize)]
struct Neighbour<'a> {
    id: &'a str,
    name: &'a str,
    artist: &'a str,
    similarity: f32,
}

#[derive(Serialize)]
struct Placed<'a> {
    track: TrackRef<'a>,
    neighbours: Vec<Neighbour<'a>>,
}

/// Run `soundalike place`.
pub fn run(args: PlaceArgs) -> Result<()> {
    let rec = load_recommender(&args.catalog, &args.weights)?;
    let catalog = rec.catalog();
    let (rows, report) = crate::catalog::ingest::read_tracks_csv(&args.csv, |_| {})
        .map_err(|e| anyhow!("{}: {e}", args.csv.display()))?;
    if rows.is_empty() {
        return Err(anyhow!(
            "{}: no usable tracks ({report:?})",
            args.csv.display()
        ));
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for row in &rows {
        let f = catalog.scaler.scale(&row.raw);
        let me = catalog.index_of(&row.track.id);
        let mut top = rec.neighbours(&rec.encode(&f, &row.track.context()), args.k + 1);
        top.retain(|&(i, _)| Some(i) != me);
        top.truncate(args.k);
        if args.json {
            let p = Placed {
                track: TrackRef {
                    id: &row.track.id,
                    name: &row.track.name,
                    artist: &row.track.artist,
                },
                neighbours: top
                    .iter()
                    .map(|&(i, s)| {
                        let t = &catalog.tracks[i];
                        Neighbour {
                            id: &t.id,
                            name: &t.name,
                            artist: &t.artist,
                            similarity: s,
                        }
                    })
                    .collect(),
            };
            serde_json::to_writer(&mut out, &p)?;
            writeln!(out)?;
        } else {
            writeln!(
                out,
                "{} — {} ({})",
                row.track.name, row.track.artist, row.track.id
            )?;
            for (r, &(i, s)) in top.iter().enumerate() {
                let t = &catalog.tracks[i];
                writeln!(
                    out,
                    "  {:>3}. {:.3}  {:<40}  {}  ({})",
                    r + 1,
                    s,
                    trunc(&t.name, 40),
                    t.artist,
                    t.id
                )?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
