//! `soundalike recommend`: batch (JSONL) or single-query recommendations.
//!
//! `soundalike recommend --catalog FILE --weights PATH --queries FILE.jsonl [--k N] [--no-finetune]`
//! reads lines `{"id": "...", "likes": ["<spotify track id>", ...]}` and writes one line
//! `{"id": "...", "tracks": ["<id>", ...]}` per query (best first, likes excluded, k of them).
//! `--like ID` (repeated) runs a single query printed as a table, or as JSON with `--json`.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::cli::common::{load_recommender, trunc};
use crate::recommend::{Options, Query, Recommender};

/// Arguments of `soundalike recommend`.
#[derive(clap::Args, Debug, Clone)]
pub struct RecommendArgs {
    /// Catalog file.
    #[arg(long, default_value = "www/catalog.bin")]
    pub catalog: PathBuf,
    /// Weights file.
    #[arg(long, default_value = "www/weights.bin")]
    pub weights: PathBuf,
    /// JSONL file of queries (`-` for stdin).
    #[arg(long)]
    pub queries: Option<PathBuf>,
    /// A liked track id (repeatable) for a single query.
    #[arg(long = "like")]
    pub likes: Vec<String>,
    /// Number of recommendations.
    #[arg(long, default_value_t = 100)]
    pub k: usize,
    /// Rank with the pretrained head (no personal fine-tune).
    #[arg(long)]
    pub no_finetune: bool,
    /// Single query: print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Deserialize)]
struct QueryLine {
    id: serde_json::Value,
    #[serde(default)]
    likes: Vec<String>,
}

#[derive(Serialize)]
struct Answer<'a> {
    id: &'a serde_json::Value,
    tracks: Vec<&'a str>,
}

/// Resolve ids to catalog indices (first occurrence kept); unknown ids are returned separately.
fn resolve<'a>(rec: &Recommender, ids: &'a [String]) -> (Vec<usize>, Vec<&'a str>) {
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for id in ids {
        match rec.catalog().index_of(id) {
            Some(i) if !known.contains(&i) => known.push(i),
            Some(_) => {}
            None => unknown.push(id.as_str()),
        }
    }
    (known, unknown)
}

/// Top-k for these likes through the page's ranking; fine-tunes the head first unless told not to
/// (as "Tune to me" on the page), and goes back to the shipped head afterwards.
fn answer(rec: &mut Recommender, likes: &[usize], k: usize, finetune: bool) -> Vec<(usize, f32)> {
    let tuned = if finetune {
        rec.fine_tuned(likes, &[]).ok()
    } else {
        None
    };
    rec.set_head(tuned);
    let out = rec
        .recommend(&Query::likes(likes, k))
        .into_iter()
        .map(|r| (r.index, r.score))
        .collect();
    rec.set_head(None);
    out
}

/// Run `soundalike recommend`.
pub fn run(args: RecommendArgs) -> Result<()> {
    if args.queries.is_none() && args.likes.is_empty() {
        bail!("give --queries FILE.jsonl or at least one --like ID");
    }
    if args.k == 0 || args.k > Options::MAX_K {
        bail!("--k must be between 1 and {}", Options::MAX_K);
    }
    let mut rec = load_recommender(&args.catalog, &args.weights)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if let Some(path) = &args.queries {
        let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
            Box::new(std::io::BufReader::new(std::io::stdin()))
        } else {
            Box::new(std::io::BufReader::new(
                std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?,
            ))
        };
        for (n, line) in reader.lines().enumerate() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            let q: QueryLine = match serde_json::from_str(&line) {
                Ok(q) => q,
                Err(e) => {
                    eprintln!("line {}: invalid query ({e}); skipped", n + 1);
                    continue;
                }
            };
            let (likes, unknown) = resolve(&rec, &q.likes);
            for u in unknown {
                eprintln!("query {}: unknown track id {u:?}; skipped", q.id);
            }
            let top = answer(&mut rec, &likes, args.k, !args.no_finetune);
            let ans = Answer {
                id: &q.id,
                tracks: top
                    .iter()
                    .map(|(i, _)| rec.catalog().tracks[*i].id.as_str())
                    .collect(),
            };
            serde_json::to_writer(&mut out, &ans)?;
            writeln!(out)?;
        }
    }
    if !args.likes.is_empty() {
        let (likes, unknown) = resolve(&rec, &args.likes);
        for u in unknown {
            eprintln!("unknown track id {u:?}; skipped");
        }
        let top = answer(&mut rec, &likes, args.k, !args.no_finetune);
        if args.json {
            #[derive(Serialize)]
            struct Row<'a> {
                id: &'a str,
                name: &'a str,
                artist: &'a str,
                year: Option<String>,
                score: f32,
            }
            let rows: Vec<Row> = top
                .iter()
                .map(|&(i, s)| {
                    let t = &rec.catalog().tracks[i];
                    Row {
                        id: &t.id,
                        name: &t.name,
                        artist: &t.artist,
                        year: t.year_label(),
                        score: s,
                    }
                })
                .collect();
            serde_json::to_writer(
                &mut out,
                &serde_json::json!({ "likes": args.likes, "tracks": rows }),
            )?;
            writeln!(out)?;
        } else {
            writeln!(
                out,
                "{:>4}  {:<22}  {:>7}  {:<40}  {:<5}  artist",
                "#", "id", "score", "name", "year"
            )?;
            for (r, &(i, s)) in top.iter().enumerate() {
                let t = &rec.catalog().tracks[i];
                writeln!(
                    out,
                    "{:>4}  {:<22}  {:>7.3}  {:<40}  {:<5}  {}",
                    r + 1,
                    t.id,
                    s,
                    trunc(&t.name, 40),
                    t.year_label().unwrap_or_default(),
                    t.artist
                )?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
